// Unit test of the Prometheus provider's PromQL, response parsing and error mapping against a small
// HTTP server that speaks the query API's JSON. The provider against a real Prometheus is tested in
// test/analysis-providers.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusMetricsProvider, renderQuery, trackSelector, windowQueries } from './prometheus.js';
import { newModelRelease } from './testing.js';

type Answer = { status: number; body: unknown } | 'hang';
let answer: (query: string) => Answer;
const seen: { query: string; time: string | null }[] = [];
let server: Server;
let address: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = url.searchParams.get('query') ?? '';
    seen.push({ query, time: url.searchParams.get('time') });
    const a = url.pathname === '/api/v1/query' ? answer(query) : { status: 404, body: 'not found' };
    if (a === 'hang') return;
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
});

const vector = (series: [Record<string, string>, string][]) => ({
  status: 200,
  body: { status: 'success', data: { resultType: 'vector', result: series.map(([metric, v]) => ({ metric, value: [1767225600, v] })) } },
});
const now = new Date('2026-01-01T00:00:00Z');
/** An address where nothing listens: a port just freed. */
async function closedAddress(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return `http://127.0.0.1:${port}`;
}
const byName = <T extends { name: string }>(results: T[]): Record<string, T | undefined> => Object.fromEntries(results.map((r) => [r.name, r]));

/** Answers as a Prometheus scraping two canary pods would, for the built-in window queries. */
function healthyTrack(query: string): Answer {
  if (query.includes('tern_server_http_requests_total')) return vector([[{ code: '200' }, '190.5'], [{ code: '503' }, '9.5']]);
  if (query.includes('_bucket')) return vector([[{ le: '0.1' }, '180'], [{ le: '1' }, '200'], [{ le: '+Inf' }, '200']]);
  if (query.includes('rejections_total')) return vector([[{ reason: 'not_a_target' }, '20']]);
  if (query.includes('target_score_count')) return vector([[{}, '200']]);
  if (query.includes('__name__')) {
    return vector([
      [{ __name__: 'tern_server_target_score_mean', pod: 'a' }, '0.75'],
      [{ __name__: 'tern_server_drift_window_size', pod: 'a' }, '300'],
      [{ __name__: 'tern_server_drift_alarm_active', pod: 'a' }, '0'],
      [{ __name__: 'tern_server_target_score_mean', pod: 'b' }, 'NaN'],
      [{ __name__: 'tern_server_drift_window_size', pod: 'b' }, '0'],
    ]);
  }
  return vector([]);
}

describe('PromQL', () => {
  it('selects the track by the relabelled pod labels and counts only inference routes', () => {
    const sel = trackSelector('ml', 'demo', 'canary');
    expect(sel).toBe('namespace="ml",release="demo",track="canary"');
    const q = windowQueries(sel, 30);
    expect(q.requests).toBe(
      'sum by (code) (increase(tern_server_http_requests_total{namespace="ml",release="demo",track="canary",route=~"/v1/predict|/v2/models/:name/infer|/v2/models/:name/versions/:version/infer"}[30s]))',
    );
    expect(q.buckets).toContain('sum by (le) (increase(tern_server_http_request_duration_seconds_bucket{');
    expect(q.drift).toContain('__name__=~"tern_server_target_score_mean|tern_server_drift_window_size|tern_server_drift_alarm_active|tern_server_drift_baseline_score"');
  });
  it('limits the selector to the ready pods when the operator lists them', () => {
    expect(trackSelector('ml', 'demo', 'canary', ['demo-canary-abc.1', 'demo-canary-def'])).toBe(
      'namespace="ml",release="demo",track="canary",pod=~"demo-canary-abc\\\\.1|demo-canary-def"',
    );
  });
  it('substitutes {{release}}, {{namespace}}, {{track}} and {{interval}} in custom queries', () => {
    expect(renderQuery('rate(x{release="{{release}}",namespace="{{ namespace }}",track="{{track}}"}[{{interval}}])', { release: 'r', namespace: 'n', track: 'stable', interval: '30s' })).toBe(
      'rate(x{release="r",namespace="n",track="stable"}[30s])',
    );
  });
  it('uses max(interval, minWindow) as the increase() range', () => {
    const p = new PrometheusMetricsProvider({ address, minWindowSeconds: 30 });
    expect(p.windowSeconds('10s')).toBe(30);
    expect(p.windowSeconds('1m')).toBe(60);
  });
});

describe('PrometheusMetricsProvider', () => {
  it('computes every built-in check from the query answers at the measurement time', async () => {
    answer = healthyTrack;
    const r = byName(await new PrometheusMetricsProvider({ address }).measure(newModelRelease(), 'canary', now));
    expect(r.availability).toMatchObject({ outcome: 'Successful', value: 0.9525 });
    expect(r.errorRate).toMatchObject({ outcome: 'Successful', value: 0.0475 });
    expect(r.latencyP95?.value).toBeCloseTo(0.1 + 0.9 * (10 / 20));
    expect(r.rejectionRatio).toMatchObject({ outcome: 'Successful', value: 0.1 });
    expect(r.drift).toMatchObject({ outcome: 'Successful' });
    expect(r.drift?.value).toBeCloseTo(0.05);
    expect(new Set(seen.map((s) => s.time))).toEqual(new Set(['1767225600.000']));
  });

  it('queries only the ready pods, and is Inconclusive without any', async () => {
    answer = healthyTrack;
    let listed = ['demo-canary-1'];
    const provider = new PrometheusMetricsProvider({
      address,
      listTrackEndpoints: () => Promise.resolve(listed.map((podName) => ({ podName, ip: '127.0.0.1', port: 1 }))),
    });
    expect(byName(await provider.measure(newModelRelease(), 'canary', now)).availability).toMatchObject({ outcome: 'Successful' });
    expect(seen.every((s) => s.query.includes('pod=~"demo-canary-1"'))).toBe(true);
    listed = [];
    seen.length = 0;
    const none = await provider.measure(newModelRelease(), 'canary', now);
    expect(none.every((r) => r.outcome === 'Inconclusive')).toBe(true);
    expect(none[0]?.message).toContain('no ready pods of track canary');
    expect(seen).toHaveLength(0);
  });

  it('is Inconclusive when Prometheus has no series for the track', async () => {
    answer = () => vector([]);
    const results = await new PrometheusMetricsProvider({ address }).measure(newModelRelease(), 'canary', now);
    expect(results.map((x) => x.outcome)).toEqual(['Inconclusive', 'Inconclusive', 'Inconclusive', 'Inconclusive', 'Inconclusive']);
    expect(results[0]?.message).toContain('has no tern_server series for {namespace="default",release="demo",track="canary"}');
  });

  it('maps HTTP failures, rejected queries, refused connections and timeouts to Error', async () => {
    const release = newModelRelease();
    answer = () => ({ status: 503, body: 'unavailable' });
    let r = await new PrometheusMetricsProvider({ address }).measure(release, 'canary', now);
    expect(r.every((x) => x.outcome === 'Error')).toBe(true);
    expect(r[0]?.message).toContain(`prometheus at ${address} failed for default/demo: Prometheus at ${address} answered HTTP 503`);

    answer = () => ({ status: 400, body: { status: 'error', errorType: 'bad_data', error: 'parse error' } });
    r = await new PrometheusMetricsProvider({ address }).measure(release, 'canary', now);
    expect(r[0]?.message).toContain('rejected the query (HTTP 400, bad_data: parse error)');

    const closed = await closedAddress();
    r = await new PrometheusMetricsProvider({ address: closed }).measure(release, 'canary', now);
    expect(r.every((x) => x.outcome === 'Error')).toBe(true);
    expect(r[0]?.message).toContain(`cannot reach Prometheus at ${closed}: fetch failed: ECONNREFUSED`);

    answer = () => 'hang';
    r = await new PrometheusMetricsProvider({ address, timeoutMs: 200 }).measure(release, 'canary', now);
    expect(r[0]).toMatchObject({ outcome: 'Error' });
    expect(r[0]?.message).toContain('did not answer within 200 ms');
  });

  it('answers custom checks: one number, no values, several series, scalar', async () => {
    const release = newModelRelease({
      checks: { drift: { enabled: false }, availability: { enabled: false }, latencyP95: { enabled: false }, errorRate: { enabled: false }, rejectionRatio: { enabled: false } },
      custom: [
        { name: 'one', query: 'one{track="{{track}}"}', max: 1 },
        { name: 'none', query: 'none', max: 1 },
        { name: 'many', query: 'many', max: 1 },
        { name: 'scalar', query: 'scalar(x)', min: 5 },
      ],
    });
    answer = (q) =>
      q.startsWith('one')
        ? vector([[{}, '2']])
        : q === 'many'
          ? vector([[{ a: '1' }, '0'], [{ a: '2' }, '0']])
          : q.startsWith('scalar')
            ? { status: 200, body: { status: 'success', data: { resultType: 'scalar', result: [1, '7'] } } }
            : vector([]);
    const r = byName(await new PrometheusMetricsProvider({ address }).measure(release, 'canary', now));
    expect(seen.map((s) => s.query)).toContain('one{track="canary"}');
    expect(r.one).toMatchObject({ outcome: 'Failed', value: 2, threshold: '<= 1' });
    expect(r.none).toMatchObject({ outcome: 'Inconclusive' });
    expect(r.many).toMatchObject({ outcome: 'Error' });
    expect(r.many?.message).toContain('returned 2 series');
    expect(r.scalar).toMatchObject({ outcome: 'Successful', value: 7 });
  });
});
