// Instant and range queries against the test Prometheus' HTTP API (the same calls Grafana makes).
/** One series of a query result. */
export interface Series {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

interface ApiResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: Series[] };
}

async function call(url: string): Promise<Series[]> {
  const res = await fetch(url);
  const body = (await res.json()) as ApiResponse;
  if (body.status !== 'success' || body.data === undefined) throw new Error(`${url}: ${res.status} ${body.error ?? ''}`);
  return body.data.result;
}

/** /api/v1/query at `time` (seconds). */
export function instantQuery(base: string, query: string, time = Date.now() / 1000): Promise<Series[]> {
  return call(`${base.replace(/\/$/, '')}/api/v1/query?${new URLSearchParams({ query, time: String(time) })}`);
}

/** /api/v1/query_range over [start, end] (seconds) with `step` seconds. */
export function rangeQuery(base: string, query: string, start: number, end: number, step = 5): Promise<Series[]> {
  return call(`${base.replace(/\/$/, '')}/api/v1/query_range?${new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) })}`);
}
