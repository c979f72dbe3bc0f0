/**
 * Both metrics providers against real tern-server processes: the pods provider scraping them directly,
 * the Prometheus provider querying a real Prometheus that scrapes the same processes with the labels
 * the cluster's relabelling gives (namespace, release, track, pod). For one window of traffic both must
 * reach the same outcomes with matching values.
 */
import { jest } from '@jest/globals';
import { PodsMetricsProvider, type TrackEndpoint } from '../operator/analysis/pods.js';
import { PrometheusMetricsProvider } from '../operator/analysis/prometheus.js';
import { newModelRelease } from '../operator/analysis/testing.js';
import type { Track } from '../operator/analysis/types.js';
import type { CheckResult } from '../operator/api/model-release-schema.js';
import { sendTraffic, startPrometheus, startTernServer, type PrometheusProcess, type TernServer } from './analysis/processes.js';

jest.setTimeout(180_000);

const BASELINE = 0.7582; // species 1.1.0's metrics snapshot score_mean
const servers: Record<string, TernServer> = {};
let prometheus: PrometheusProcess | undefined;
const tracks: Record<Track, string[]> = { canary: ['canary-a', 'canary-b'], stable: ['stable-a'] };
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const byName = (results: CheckResult[]): Record<string, CheckResult> => Object.fromEntries(results.map((r) => [r.name, r]));

beforeAll(async () => {
  // canary-b answers 20 % of inference requests with 503 (the server's test-only fault switch).
  servers['canary-a'] = await startTernServer({ name: 'canary-a', baselineScore: BASELINE });
  servers['canary-b'] = await startTernServer({ name: 'canary-b', baselineScore: BASELINE, fault5xxRatio: 0.2 });
  servers['stable-a'] = await startTernServer({ name: 'stable-a', version: '1.0.0', baselineScore: 0.7355 });
  prometheus = await startPrometheus(
    (Object.keys(tracks) as Track[]).flatMap((track) =>
      tracks[track].map((pod) => ({
        address: `127.0.0.1:${(servers[pod] as TernServer).port}`,
        labels: { namespace: 'ml', release: 'demo', track, pod },
      })),
    ),
  );
});

afterAll(async () => {
  await prometheus?.stop();
  await Promise.all(Object.values(servers).map((s) => s.stop()));
});

/**
 * Waits until Prometheus holds at least `scrapes` samples of every target taken within the `withinMs`
 * before now (each one also after `after`, when given): what the comparisons below need is scrapes that
 * happened, not a time that passed (scrapes come late on a busy machine).
 */
async function waitForScrapes(what: string, scrapes: number, withinMs: number, after = 0): Promise<void> {
  const url = (prometheus as PrometheusProcess).url;
  const targets = Object.keys(servers).length;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = Date.now();
    // The range (now - W, now] of whole seconds, inside both limits.
    const w = Math.floor(Math.min(withinMs, now - after) / 1000);
    if (w >= 1) {
      const expr = `count(count_over_time(up{job="tern-server"}[${w}s]) >= ${scrapes})`;
      const body = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${now / 1000}`)).json()) as {
        data: { result: { value: [number, string] }[] };
      };
      if (Number(body.data.result[0]?.value[1] ?? 0) === targets) return;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const endpoints = (track: Track): TrackEndpoint[] =>
  tracks[track].map((pod) => ({ podName: pod, ip: '127.0.0.1', port: (servers[pod] as TernServer).port }));
const release = newModelRelease({ interval: '1s', minSampleCount: 20 }, { name: 'demo', namespace: 'ml', scoreMean: BASELINE });

describe('metrics providers against real tern-server processes', () => {
  it('pods and Prometheus give the same outcomes and matching values for one window', async () => {
    const pods = new PodsMetricsProvider({ listTrackEndpoints: (_r, track) => Promise.resolve(endpoints(track)) });
    const canary = tracks.canary.map((p) => servers[p] as TernServer);
    const stable = tracks.stable.map((p) => servers[p] as TernServer);

    // Warm-up creates every series (codes, reasons) so that increase() sees them start before the window.
    await sendTraffic([...canary, ...stable], { requests: 60, rowsPerRequest: 2, seed: 7 });
    // Prometheus' window (below) reaches up to 2 s before `start`: it must begin after the warm-up, and
    // hold a post-warm-up scrape of every target from just before `start` (its baseline).
    const warmedUp = Date.now();
    await sleep(2100);
    await pods.measure(release, 'canary', new Date()); // the pods provider's previous scrape
    await pods.measure(release, 'stable', new Date());
    await waitForScrapes('a scrape of every target in the last second, after the warm-up', 1, 1000, warmedUp);
    const start = Date.now();

    const sent = await sendTraffic(canary, { requests: 300, rowsPerRequest: 4, seed: 11 });
    await sendTraffic(stable, { requests: 100, rowsPerRequest: 4, seed: 12 });
    expect(sent['503']).toBeGreaterThan(0);
    const trafficEnd = Date.now();
    await waitForScrapes('two scrapes of every target after the traffic', 2, 60_000, trafficEnd);
    const now = new Date();
    const windowSeconds = Math.ceil((now.getTime() - start) / 1000) + 1;
    const prom = new PrometheusMetricsProvider({ address: (prometheus as PrometheusProcess).url, minWindowSeconds: windowSeconds });

    const fromPods = byName(await pods.measure(release, 'canary', now));
    const fromProm = byName(await prom.measure(release, 'canary', now));

    // canary-b failed 20 % of its half of the traffic: 10 % overall.
    expect(fromPods.availability).toMatchObject({ outcome: 'Failed' });
    expect(fromPods.availability?.value).toBeCloseTo(0.9, 2);
    expect(fromPods.errorRate?.value).toBeCloseTo(0.1, 2);
    for (const name of ['drift', 'availability', 'latencyP95', 'errorRate', 'rejectionRatio']) {
      const p = fromPods[name] as CheckResult;
      const q = fromProm[name] as CheckResult;
      expect({ name, outcome: q.outcome }).toEqual({ name, outcome: p.outcome });
      expect(p.value).toBeDefined();
      expect(q.value).toBeDefined();
    }
    // Ratios of increase()s over several pods: Prometheus extrapolates each pod's series to the window's
    // edges by its own factor (its own scrape times), so a pod that failed 20 % weighs a little more or
    // less than in the pods' exact deltas. Over a window of a few seconds with 1 s scrapes that moves the
    // ratio by up to ~0.01 (0.0063 seen once on 2026-12-02): compare within 0.015, not 0.005.
    for (const name of ['availability', 'errorRate', 'rejectionRatio']) {
      const gap = Math.abs((fromProm[name]?.value as number) - (fromPods[name]?.value as number));
      expect({ name, gap, within: gap <= 0.015 }).toEqual({ name, gap, within: true });
    }
    // Gauges: the same numbers, read from the pods or from Prometheus' last scrape.
    expect(fromProm.drift?.value).toBeCloseTo(fromPods.drift?.value as number, 6);
    // Same buckets, but increase() extrapolates each series to the window's edges (by up to a scrape
    // interval, limited at zero per series), so in a window of a few seconds the counts near the
    // 95th rank shift and the interpolated quantile moves within a bucket or into the next.
    const p95 = fromPods.latencyP95?.value as number;
    expect(Math.abs((fromProm.latencyP95?.value as number) - p95)).toBeLessThanOrEqual(0.5 * p95);

    // The stable track is selected by its own label and is healthy.
    const stablePods = byName(await pods.measure(release, 'stable', now));
    const stableProm = byName(await prom.measure(release, 'stable', now));
    expect(stablePods.availability).toMatchObject({ outcome: 'Successful', value: 1 });
    expect(stableProm.availability).toMatchObject({ outcome: 'Successful', value: 1 });
  });

  it('turns a stopped Prometheus into Error results while the pods provider keeps measuring', async () => {
    const prom = new PrometheusMetricsProvider({ address: (prometheus as PrometheusProcess).url, timeoutMs: 2000 });
    await prometheus?.stop();
    const results = await prom.measure(release, 'canary', new Date());
    expect(results.map((r) => r.outcome)).toEqual(['Error', 'Error', 'Error', 'Error', 'Error']);
    expect(results[0]?.message).toContain('cannot reach Prometheus');
  });
});
