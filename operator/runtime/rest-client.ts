/**
 * The HTTP transport to the apiserver: JSON requests on keep-alive connections, and watch streams
 * (one JSON event per line), with the credentials and TLS settings of a ClusterAccess. Answers that
 * are not 2xx become KubeApiError. An answer (or one watch event) larger than `maxAnswerBytes` is cut off
 * with a KubeApiError instead of being buffered whole: lists are paginated (apply.ts), so no legitimate
 * answer comes near the bound.
 *
 * Why not client-node's KubernetesObjectApi and Watch: the former cannot address subresources
 * (`/status`), sends a discovery request before each new kind and opens a new TLS connection per
 * request; and importing client-node costs a lot of memory (docs/benchmarks.md, "Operator").
 */
import http from 'node:http';
import https from 'node:https';
import type { ClusterAccess } from './cluster-access.js';
import { KubeApiError } from './kube-client.js';

/** One request. */
export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Content-Type of the body (default application/json). */
  contentType?: string;
  /** What the request does, for error messages (`apply deployments ns/name`). */
  what: string;
}

/** Options of a {@link RestClient}. */
export interface RestClientOptions {
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** The most bytes one answer, or one watch event, may have (default {@link MAX_ANSWER_BYTES}). */
  maxAnswerBytes?: number;
}

/**
 * The default bound on one answer: 64 MiB. A list page holds at most 500 objects (apply.ts), and the
 * apiserver's objects are at most 1.5 MiB each (etcd's request limit), typically a few KiB.
 */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

interface StatusBody {
  kind?: string;
  reason?: string;
  message?: string;
}

/** One watch stream: a GET with `watch=1`. */
export interface WatchRequest {
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  what: string;
  /** Each decoded line: one watch event. */
  onEvent(event: unknown): void;
  /** Once, when the stream ends: undefined when the server closed it cleanly. Not called after abort(). */
  onDone(err?: unknown): void;
}

/** JSON over HTTP(S) to the cluster of a ClusterAccess. */
export class RestClient {
  readonly #access: ClusterAccess;
  readonly #server: URL;
  readonly #timeoutMs: number;
  readonly #maxAnswerBytes: number;
  #keepAlive: http.Agent | undefined;

  constructor(access: ClusterAccess, options: RestClientOptions = {}) {
    this.#access = access;
    this.#server = access.server;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxAnswerBytes = options.maxAnswerBytes ?? MAX_ANSWER_BYTES;
  }

  /** The apiserver URL. */
  get server(): string {
    return this.#server.toString();
  }

  /** How requests reach the cluster. */
  get access(): ClusterAccess {
    return this.#access;
  }

  async #headers(what: string): Promise<http.OutgoingHttpHeaders> {
    try {
      // Per request: tokens from files or exec plugins rotate.
      return { ...(await this.#access.authHeaders()), Accept: 'application/json' };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new KubeApiError(`${what}: kubeconfig credentials unusable: ${message}`, 0, 'ConfigError');
    }
  }

  #url(path: string, query: RestRequest['query']): URL {
    const url = new URL(this.#server.toString().replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** Sends a request and parses the JSON answer; throws KubeApiError on a non-2xx answer or no answer. */
  async request<T>(req: RestRequest): Promise<T> {
    const headers = await this.#headers(req.what);
    const agent = this.#agent();
    const url = this.#url(req.path, req.query);
    let payload: Buffer | undefined;
    if (req.body !== undefined) {
      payload = Buffer.from(JSON.stringify(req.body));
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const r = transport.request(url, { method: req.method, headers, agent, timeout: this.#timeoutMs }, (res) => {
        readAnswer(res, req.what, this.#maxAnswerBytes).then(({ code, text, parsed }) => (code >= 200 && code < 300 ? resolve(parsed as T) : reject(apiError(req.what, code, parsed, text))), reject);
      });
      r.on('timeout', () => r.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      r.on('error', (err) =>
        reject(new KubeApiError(`${req.what}: ${err.message} (is the apiserver at ${this.#server.host} reachable?)`, 0, 'ConnectionError')),
      );
      if (payload) r.write(payload);
      r.end();
    });
  }

  /**
   * Starts a watch stream; resolves once the server has answered 200 (rejects with KubeApiError
   * otherwise). Returns `abort`, after which no callback is called.
   */
  async watch(req: WatchRequest): Promise<{ abort(): void }> {
    const headers = await this.#headers(req.what);
    const url = this.#url(req.path, { ...req.query, watch: 1 });
    const transport = url.protocol === 'https:' ? https : http;
    let started = false;
    let aborted = false;
    let finished = false;
    const finish = (err?: unknown): void => {
      if (aborted || finished) return;
      finished = true;
      req.onDone(err);
    };
    return new Promise((resolve, reject) => {
      const r = transport.request(url, { method: 'GET', headers, agent: this.#agent() }, (res) => {
        const code = res.statusCode ?? 0;
        if (code !== 200) {
          readAnswer(res, req.what, this.#maxAnswerBytes).then(({ text, parsed }) => reject(apiError(req.what, code, parsed, text)), reject);
          return;
        }
        started = true;
        resolve({
          abort: () => {
            aborted = true;
            r.destroy();
          },
        });
        res.setEncoding('utf8');
        let partial = '';
        res.on('data', (chunk: string) => {
          if (aborted || finished) return;
          const lines = (partial + chunk).split('\n');
          partial = lines.pop() ?? '';
          if (Buffer.byteLength(partial) > this.#maxAnswerBytes) {
            finish(new KubeApiError(`${req.what}: a watch event is larger than ${this.#maxAnswerBytes} bytes (the bound on one answer)`, 0, 'AnswerTooLarge'));
            r.destroy();
            return;
          }
          for (const line of lines) {
            if (line.trim() === '') continue;
            let event: unknown;
            try {
              event = JSON.parse(line);
            } catch {
              finish(new KubeApiError(`${req.what}: the watch stream sent a line that is not JSON: ${line.slice(0, 120)}`, 0, 'BadWatchEvent'));
              r.destroy();
              return;
            }
            req.onEvent(event);
            if (aborted || finished) return;
          }
        });
        res.on('end', () => finish());
        res.on('error', (err) => finish(new KubeApiError(`${req.what}: ${err.message}`, 0, 'ConnectionError')));
        res.on('close', () => finish(res.complete ? undefined : new KubeApiError(`${req.what}: the watch connection closed`, 0, 'ConnectionError')));
      });
      r.on('error', (err) => {
        const e = new KubeApiError(`${req.what}: ${err.message} (is the apiserver at ${this.#server.host} reachable?)`, 0, 'ConnectionError');
        // Before the answer the watch did not start (the promise says so); after it, the stream failed.
        if (started) finish(e);
        else reject(e);
      });
      r.end();
    });
  }

  /** Stops reusing connections (idle sockets are closed). */
  close(): void {
    this.#keepAlive?.destroy();
    this.#keepAlive = undefined;
  }

  /** The access's own agent for this request (a proxy, plugin certificates), else the keep-alive one from its TLS settings. */
  #agent(): http.Agent {
    return this.#access.agent?.() ?? this.#keepAliveAgent();
  }

  #keepAliveAgent(): http.Agent {
    if (this.#keepAlive) return this.#keepAlive;
    if (this.#server.protocol === 'https:') {
      const tls = this.#access.tls;
      this.#keepAlive = new https.Agent({
        keepAlive: true,
        rejectUnauthorized: tls.rejectUnauthorized,
        ...(tls.ca ? { ca: tls.ca } : {}),
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
        ...(tls.servername ? { servername: tls.servername } : {}),
      });
    } else {
      this.#keepAlive = new http.Agent({ keepAlive: true });
    }
    return this.#keepAlive;
  }
}

/** A KubeApiError from a non-2xx answer (the apiserver's Status message when there is one). */
function apiError(what: string, code: number, parsed: unknown, text: string): KubeApiError {
  const status = (parsed ?? {}) as StatusBody;
  const reason = status.reason || http.STATUS_CODES[code] || 'Unknown';
  const detail = status.message || text.slice(0, 300);
  return new KubeApiError(`${what}: ${code} ${reason}: ${detail}`, code, reason);
}

/** A whole answer of at most `maxBytes`: its status code, its text, and that text as JSON (undefined when it is not JSON). */
function readAnswer(res: http.IncomingMessage, what: string, maxBytes: number): Promise<{ code: number; text: string; parsed: unknown }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let cut = false;
    const tooLarge = (): void => {
      cut = true;
      res.destroy();
      reject(new KubeApiError(`${what}: the answer is larger than ${maxBytes} bytes (the bound on one answer); list in smaller pages`, 0, 'AnswerTooLarge'));
    };
    if (Number(res.headers['content-length'] ?? 0) > maxBytes) return tooLarge();
    res.on('data', (c: Buffer) => {
      if (cut) return;
      bytes += c.length;
      if (bytes > maxBytes) return tooLarge();
      chunks.push(c);
    });
    res.on('error', (err) => reject(new KubeApiError(`${what}: ${err.message}`, 0, 'ConnectionError')));
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      resolve({ code: res.statusCode ?? 0, text, parsed });
    });
  });
}
