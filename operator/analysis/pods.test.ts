import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PodsMetricsProvider, type TrackEndpoint } from './pods.js';
import { newModelRelease } from './testing.js';
import type { Track } from './types.js';

/** A pod's /metrics as tern-server exposes them (docs/conventions.md), served over real HTTP. */
class PodMetrics {
  registry = new Registry();
  requests = new Counter({ name: 'tern_server_http_requests_total', help: 'r', labelNames: ['route', 'method', 'code'], registers: [this.registry] });
  duration = new Histogram({
    name: 'tern_server_http_request_duration_seconds',
    help: 'd',
    labelNames: ['route', 'method', 'code'],
    buckets: [0.01, 0.1, 1, 2.5, 5],
    registers: [this.registry],
  });
  rejections = new Counter({ name: 'tern_server_rejections_total', help: 'x', labelNames: ['reason'], registers: [this.registry] });
  score = new Histogram({ name: 'tern_server_target_score', help: 's', buckets: [0.5, 1], registers: [this.registry] });
  mean = new Gauge({ name: 'tern_server_target_score_mean', help: 'm', registers: [this.registry] });
  size = new Gauge({ name: 'tern_server_drift_window_size', help: 'w', registers: [this.registry] });
  alarm = new Gauge({ name: 'tern_server_drift_alarm_active', help: 'a', registers: [this.registry] });

  /** `n` predictions answered with `code`, each taking `seconds`, scoring `score`. */
  serve(n: number, code: string, seconds: number, score = 0.8): void {
    for (let i = 0; i < n; i++) {
      this.requests.inc({ route: '/v1/predict', method: 'POST', code });
      this.duration.observe({ route: '/v1/predict', method: 'POST', code }, seconds);
      this.score.observe(score);
    }
    // Probes must not count as traffic.
    this.requests.inc({ route: '/readyz', method: 'GET', code: '503' }, n);
    this.mean.set(score);
    this.size.set(n);
  }
}

interface Pod {
  name: string;
  metrics: PodMetrics;
  server: Server;
  port: number;
  hang: boolean;
}

const pods: Pod[] = [];
async function startPod(name: string): Promise<Pod> {
  const pod = { name, metrics: new PodMetrics(), hang: false } as Pod;
  pod.server = createServer((req, res) => {
    if (pod.hang) return; // never answers: the scrape must time out
    void pod.metrics.registry.metrics().then((body) => res.end(body));
  });
  await new Promise<void>((resolve) => pod.server.listen(0, '127.0.0.1', resolve));
  pod.port = (pod.server.address() as AddressInfo).port;
  pods.push(pod);
  return pod;
}
const stop = (pod: Pod): Promise<void> => new Promise((resolve) => {
  pod.server.closeAllConnections();
  pod.server.close(() => resolve());
});
afterEach(async () => {
  await Promise.all(pods.splice(0).map(stop));
});

const endpoint = (pod: Pod): TrackEndpoint => ({ podName: pod.name, ip: '127.0.0.1', port: pod.port });
/** A clock that moves one analysis interval (10 s) per call. */
let clock = Date.UTC(2026, 0, 1);
const tick = (): Date => new Date((clock += 10_000));

function providerFor(tracks: Partial<Record<Track, () => TrackEndpoint[]>>, timeoutMs = 1000): PodsMetricsProvider {
  return new PodsMetricsProvider({
    listTrackEndpoints: (_release, track) => Promise.resolve(tracks[track]?.() ?? []),
    scrapeTimeoutMs: timeoutMs,
  });
}
const byName = <T extends { name: string }>(results: T[]): Record<string, T | undefined> => Object.fromEntries(results.map((r) => [r.name, r]));

describe('PodsMetricsProvider', () => {
  it('aggregates across pods and measures the window since its previous scrape', async () => {
    const [a, b] = [await startPod('a'), await startPod('b')];
    const provider = providerFor({ canary: () => [endpoint(a), endpoint(b)] });
    const release = newModelRelease();
    a.metrics.serve(100, '200', 0.005);
    b.metrics.serve(100, '200', 0.005);
    const first = byName(await provider.measure(release, 'canary', tick()));
    expect(first.availability).toMatchObject({ outcome: 'Successful', value: 1 });

    // Next interval: pod b answers half of its requests with 503; the probes' 503s do not count.
    a.metrics.serve(50, '200', 0.005);
    b.metrics.serve(25, '200', 0.005);
    b.metrics.serve(25, '503', 0.005);
    const second = byName(await provider.measure(release, 'canary', tick()));
    expect(second.availability).toMatchObject({ outcome: 'Failed', value: 0.75, threshold: '>= 0.95' });
    expect(second.errorRate).toMatchObject({ outcome: 'Failed', value: 0.25 });
    expect(second.latencyP95).toMatchObject({ outcome: 'Successful' });
    expect(second.drift).toMatchObject({ outcome: 'Successful' });
  });

  it('reads latency from buckets summed across pods and drift from the pods\' gauges', async () => {
    const [a, b] = [await startPod('a'), await startPod('b')];
    const provider = providerFor({ canary: () => [endpoint(a), endpoint(b)] });
    a.metrics.serve(80, '200', 0.005, 0.6);
    b.metrics.serve(20, '200', 3, 0.6);
    const r = byName(await provider.measure(newModelRelease(), 'canary', tick()));
    // 80 requests <= 0.01 s, 20 in (2.5, 5]: rank 95 is 15 of 20 into (2.5, 5]
    expect(r.latencyP95).toMatchObject({ outcome: 'Failed' });
    expect(r.latencyP95?.value).toBeCloseTo(2.5 + 2.5 * (15 / 20));
    expect(r.drift).toMatchObject({ outcome: 'Failed' });
    expect(r.drift?.value).toBeCloseTo(0.2);
  });

  it('survives a counter reset (a restarted pod) and a pod that is gone', async () => {
    const [a, b] = [await startPod('a'), await startPod('b')];
    let listed = [a, b];
    const provider = providerFor({ canary: () => listed.map(endpoint) });
    const release = newModelRelease();
    a.metrics.serve(500, '200', 0.005);
    b.metrics.serve(500, '200', 0.005);
    await provider.measure(release, 'canary', tick());
    // a restarts: fresh counters, smaller than before; b goes away.
    a.metrics = new PodMetrics();
    a.metrics.serve(30, '500', 0.005);
    listed = [a];
    const r = byName(await provider.measure(release, 'canary', tick()));
    expect(r.errorRate).toMatchObject({ outcome: 'Failed', value: 1 });
    expect(r.errorRate?.message).toContain('(30 requests)');
  });

  it('is Inconclusive without traffic in the window and without pods', async () => {
    const a = await startPod('a');
    const provider = providerFor({ canary: () => [endpoint(a)] });
    const release = newModelRelease();
    a.metrics.serve(100, '200', 0.005);
    await provider.measure(release, 'canary', tick());
    const quiet = byName(await provider.measure(release, 'canary', tick()));
    expect(quiet.availability).toMatchObject({ outcome: 'Inconclusive' });
    expect(quiet.availability?.message).toContain('0 requests in the window');

    const none = await providerFor({}).measure(release, 'canary', tick());
    expect(none.every((x) => x.outcome === 'Inconclusive')).toBe(true);
    expect(none[0]?.message).toContain('no ready pods of track canary');
  });

  it('uses the pods that answer; Error when none does (refused, timed out)', async () => {
    const [a, b] = [await startPod('a'), await startPod('b')];
    const provider = providerFor({ canary: () => [endpoint(a), endpoint(b)] }, 300);
    const release = newModelRelease();
    a.metrics.serve(100, '200', 0.005);
    await stop(b);
    expect(byName(await provider.measure(release, 'canary', tick())).availability).toMatchObject({ outcome: 'Successful' });
    a.hang = true;
    const down = await provider.measure(release, 'canary', tick());
    expect(down.every((x) => x.outcome === 'Error')).toBe(true);
    expect(down[0]?.message).toMatch(/no pod of track canary answered \/metrics: a \(127\.0\.0\.1:\d+\): timed out; b .*ECONNREFUSED/);
    expect(down[0]?.message).toContain('default/demo');
  });

  it('judges canary relative to stable without disturbing stable\'s own window', async () => {
    const [c, s] = [await startPod('c'), await startPod('s')];
    const provider = providerFor({ canary: () => [endpoint(c)], stable: () => [endpoint(s)] });
    const release = newModelRelease({ checks: { relativeToStable: true } });
    c.metrics.serve(90, '200', 0.005);
    c.metrics.serve(10, '503', 0.005);
    s.metrics.serve(100, '200', 0.005);
    const canary = byName(await provider.measure(release, 'canary', tick()));
    expect(canary.availability).toMatchObject({ outcome: 'Failed', threshold: 'canary - stable >= -0.05' });
    expect(canary.availability?.value).toBeCloseTo(-0.1);
    // Stable measured on its own still sees its whole window.
    expect(byName(await provider.measure(release, 'stable', tick())).availability).toMatchObject({ outcome: 'Successful', value: 1 });
  });

  it('measures a repeated call (sooner than half an interval) from the scrape before, not over milliseconds', async () => {
    const a = await startPod('a');
    const provider = providerFor({ canary: () => [endpoint(a)] });
    const release = newModelRelease();
    a.metrics.serve(100, '200', 0.005);
    await provider.measure(release, 'canary', tick());
    a.metrics.serve(40, '503', 0.005);
    const at = tick();
    const first = byName(await provider.measure(release, 'canary', at));
    const again = byName(await provider.measure(release, 'canary', new Date(at.getTime() + 200)));
    expect(first.availability).toMatchObject({ outcome: 'Failed', value: 0 });
    expect(again.availability).toMatchObject({ outcome: 'Failed', value: 0 });
    // The next regular measurement covers the time since `first`.
    a.metrics.serve(30, '200', 0.005);
    expect(byName(await provider.measure(release, 'canary', tick())).availability).toMatchObject({ outcome: 'Successful', value: 1 });
  });

  it('answers custom PromQL checks with Error: they need Prometheus', async () => {
    const a = await startPod('a');
    a.metrics.serve(100, '200', 0.005);
    const release = newModelRelease({ custom: [{ name: 'p99', query: 'vector(1)', max: 1 }] });
    const r = byName(await providerFor({ canary: () => [endpoint(a)] }).measure(release, 'canary', tick()));
    expect(r.p99).toMatchObject({ outcome: 'Error' });
    expect(r.p99?.message).toContain('need spec.rollout.analysis.provider.type prometheus');
  });
});
