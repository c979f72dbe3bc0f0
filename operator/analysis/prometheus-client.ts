/**
 * A thin client for the Prometheus HTTP API's instant queries (GET /api/v1/query), with a timeout and
 * errors that say what failed: the connection, the time limit, an HTTP status or the query itself.
 */
import { describeError, isTimeout } from './errors.js';

/** One series of an instant vector. */
export interface VectorSample {
  metric: Record<string, string>;
  value: number;
}

/** An instant query's answer: a vector (possibly empty) or a scalar. */
export type QueryResult = { type: 'vector'; samples: VectorSample[] } | { type: 'scalar'; value: number };

/** Why a query failed. */
export class PrometheusError extends Error {
  constructor(
    message: string,
    readonly kind: 'connect' | 'timeout' | 'http' | 'query' | 'response',
  ) {
    super(message);
    this.name = 'PrometheusError';
  }
}

/** Options of a PrometheusClient. */
export interface PrometheusClientOptions {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:9090 (a path prefix is kept). */
  address: string;
  /** Per-query timeout in milliseconds (default 5000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface ApiResponse {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

const parseValue = (pair: unknown): number => {
  if (!Array.isArray(pair) || pair.length !== 2) throw new PrometheusError('malformed sample in the answer', 'response');
  return Number(pair[1] === '+Inf' ? Infinity : pair[1] === '-Inf' ? -Infinity : pair[1]);
};

/** Instant queries against one Prometheus. */
export class PrometheusClient {
  readonly address: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: PrometheusClientOptions) {
    this.address = options.address.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#fetch = options.fetch ?? fetch;
  }

  /**
   * Run an instant query at `time` (default: Prometheus' now).
   * @throws PrometheusError naming the address and what failed.
   */
  async query(promql: string, time?: Date): Promise<QueryResult> {
    const params = new URLSearchParams({ query: promql });
    if (time) params.set('time', (time.getTime() / 1000).toFixed(3));
    const url = `${this.address}/api/v1/query?${params.toString()}`;
    let res: Response;
    let body: string;
    try {
      res = await this.#fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs), headers: { accept: 'application/json' } });
      body = await res.text();
    } catch (err) {
      if (isTimeout(err)) throw new PrometheusError(`Prometheus at ${this.address} did not answer within ${this.#timeoutMs} ms`, 'timeout');
      throw new PrometheusError(`cannot reach Prometheus at ${this.address}: ${describeError(err)}`, 'connect');
    }
    let parsed: ApiResponse | undefined;
    try {
      parsed = JSON.parse(body) as ApiResponse;
    } catch {
      parsed = undefined;
    }
    if (parsed?.status === 'error') {
      const kind = res.status >= 500 ? 'http' : 'query';
      throw new PrometheusError(`Prometheus at ${this.address} rejected the query (HTTP ${res.status}, ${parsed.errorType ?? 'error'}: ${parsed.error ?? ''}): ${promql}`, kind);
    }
    if (!res.ok) throw new PrometheusError(`Prometheus at ${this.address} answered HTTP ${res.status}`, 'http');
    if (parsed?.status !== 'success' || !parsed.data) throw new PrometheusError(`Prometheus at ${this.address} sent an answer that is not the query API's JSON`, 'response');
    const { resultType, result } = parsed.data;
    if (resultType === 'scalar') return { type: 'scalar', value: parseValue(result) };
    if (resultType === 'vector' && Array.isArray(result)) {
      return {
        type: 'vector',
        samples: result.map((s: { metric?: Record<string, string>; value?: unknown }) => ({ metric: s.metric ?? {}, value: parseValue(s.value) })),
      };
    }
    throw new PrometheusError(`the query returned a ${resultType ?? 'missing'} result; an instant vector or scalar is needed: ${promql}`, 'query');
  }
}
