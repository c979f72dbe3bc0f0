/**
 * Benchmark: how long after the drift alarm condition becomes true in the pods' own metrics does
 * analysis return Fail — for both providers, side by side in the same runs.
 *
 * What it measures (provider level; the operator's reconcile and the router write are not included):
 *   t_alarm: the first moment a canary pod's /metrics shows tern_server_drift_alarm_active 1
 *            (polled every 25 ms, so up to 25 ms late);
 *   t_fail:  the moment assess() over the provider's measurement returns Fail, with the provider
 *            measuring once per analysis interval, as the operator does.
 *   detection latency = t_fail - t_alarm.
 * Two real tern-server processes (species 1.1.0) take steady traffic; at a random phase of the
 * analysis loop the traffic switches to shifted inputs (models/dataset.ts drift 0.5, half of them
 * non-targets: the pods' score mean falls about 0.16 below the baseline). A real
 * Prometheus scrapes the pods every --scrape-interval. Only the drift check is enabled, so nothing
 * else can fail first. Target (issue 6): <= one analysis interval + 2 s.
 *
 * Run: make bench-detection   (options: RUNS=10 INTERVAL=10s SCRAPE_INTERVAL=1s)
 */
import { assess } from '../../operator/analysis/assess.js';
import { parseDurationSeconds } from '../../operator/analysis/duration.js';
import { parsePromText } from '../../operator/analysis/prom-text.js';
import { PodsMetricsProvider } from '../../operator/analysis/pods.js';
import { PrometheusMetricsProvider } from '../../operator/analysis/prometheus.js';
import { PrometheusClient } from '../../operator/analysis/prometheus-client.js';
import { analysisOf, withDefaults } from '../../operator/analysis/analysis-spec.js';
import type { MetricsProvider } from '../../operator/analysis/types.js';
import { API_VERSION, KIND, type Analysis, type CheckResult, type ModelRelease } from '../../operator/api/model-release-schema.js';
import { parseArgs } from 'node:util';
import { sendTraffic, startPrometheus, startTernServer, waitFor, type Started, type TernServer } from './processes.js';

const BASELINE = 0.7582;
const { values: flags } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, interval: { type: 'string', default: '10s' }, 'scrape-interval': { type: 'string', default: '1' } },
});
const RUNS = Number(flags.runs);
const INTERVAL = flags.interval;
const SCRAPE_INTERVAL_S = Number(flags['scrape-interval']);
const intervalMs = parseDurationSeconds(INTERVAL) * 1000;
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function alarmActive(server: TernServer): Promise<boolean> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return parsePromText(text).some((s) => s.name === 'tern_server_drift_alarm_active' && s.value >= 1);
}

/** The measured release: only the drift check enabled, against the model's baseline score mean. */
function benchRelease(): ModelRelease {
  const off = { enabled: false };
  const checks = { availability: off, latencyP95: off, errorRate: off, rejectionRatio: off };
  const analysis = withDefaults({ interval: INTERVAL, minSampleCount: 20, checks } as Partial<Analysis>);
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: 'bench', namespace: 'bench' },
    spec: {
      model: { name: 'species-classifier', version: '1.1.0', weightsUrl: 'http://127.0.0.1/m.onnx', metrics: { tpr: 0.9, tnr: 0.95, scoreMean: BASELINE } },
      rollout: { analysis } as ModelRelease['spec']['rollout'],
    },
  };
}

/** Measure + assess every interval until Fail; resolves with the time of the Fail verdict. */
async function untilFail(provider: MetricsProvider, stop: { done: boolean }): Promise<number> {
  const release = benchRelease();
  const spec = analysisOf(release);
  let previous: CheckResult[] | undefined;
  let next = Date.now();
  while (!stop.done) {
    const verdict = assess(spec, await provider.measure(release, 'canary', new Date()), previous);
    if (verdict.kind === 'Fail') return Date.now();
    previous = verdict.results;
    next += intervalMs;
    await sleep(Math.max(0, next - Date.now()));
  }
  return NaN;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number };
};
const secs = (ms: number) => (ms / 1000).toFixed(2).padStart(6);

async function main(): Promise<void> {
  const started: Started[] = [];
  try {
    const pods = [await startTernServer({ name: 'canary-a', baselineScore: BASELINE }), await startTernServer({ name: 'canary-b', baselineScore: BASELINE })];
    started.push(...pods);
    const prom = await startPrometheus(
      pods.map((p) => ({ address: `127.0.0.1:${p.port}`, labels: { namespace: 'bench', release: 'bench', track: 'canary', pod: p.name } })),
      SCRAPE_INTERVAL_S,
    );
    started.push(prom);
    const promClient = new PrometheusClient({ address: prom.url });
    const endpoints = pods.map((p) => ({ podName: p.name, ip: '127.0.0.1', port: p.port }));
    const rows: { switchToAlarm: number; pods: number; prometheus: number }[] = [];
    console.log(`detection latency: drift alarm true in the pods' metrics -> assess() Fail; interval ${INTERVAL}, Prometheus scrape ${SCRAPE_INTERVAL_S}s, ${RUNS} runs`);
    for (let run = 1; run <= RUNS; run++) {
      // Healthy inputs refill every pod's drift window (1,000 scores) and clear the alarm.
      await Promise.all(pods.map((p) => sendTraffic([p], { requests: 2, rowsPerRequest: 600, seed: run })));
      await waitFor('the drift alarm to clear', async () => !(await Promise.all(pods.map(alarmActive))).some(Boolean), 30_000, 100);
      // ... and Prometheus to have scraped the cleared alarm, so no run starts from a stale one.
      await waitFor(
        'Prometheus to see the alarm cleared',
        async () => {
          const result = await promClient.query('max(tern_server_drift_alarm_active{release="bench"})');
          return result.type === 'vector' && result.samples[0]?.value === 0;
        },
        30_000,
        200,
      );

      let shifted = false;
      const traffic = { done: false };
      const background = (async () => {
        for (let i = 0; !traffic.done; i++) {
          const mix = shifted ? { drift: 0.5, targetRatio: 0.5 } : { drift: 0, targetRatio: 0.8 };
          await sendTraffic(pods, { requests: 4, rowsPerRequest: 5, ...mix, seed: run * 10_000 + i, concurrency: 2 });
          await sleep(50);
        }
      })();
      const stop = { done: false };
      const loops = [
        untilFail(new PodsMetricsProvider({ listTrackEndpoints: () => Promise.resolve(endpoints) }), stop),
        untilFail(new PrometheusMetricsProvider({ address: prom.url, minWindowSeconds: 2 * SCRAPE_INTERVAL_S }), stop),
      ];
      await sleep(1000 + Math.random() * intervalMs); // a random phase of the analysis loops
      const switchedAt = Date.now();
      shifted = true;
      let alarmAt = NaN;
      for (const deadline = Date.now() + 30_000; Number.isNaN(alarmAt) && Date.now() < deadline; ) {
        if ((await Promise.all(pods.map(alarmActive))).some(Boolean)) alarmAt = Date.now();
        else await sleep(25);
      }
      const timeout = sleep(intervalMs * 3 + 30_000).then(() => NaN);
      const [podsFail, promFail] = await Promise.all(loops.map((l) => Promise.race([l, timeout])));
      stop.done = true;
      traffic.done = true;
      await background;
      const row = { switchToAlarm: alarmAt - switchedAt, pods: (podsFail as number) - alarmAt, prometheus: (promFail as number) - alarmAt };
      rows.push(row);
      console.log(`run ${String(run).padStart(2)}: switch->alarm ${secs(row.switchToAlarm)} s   alarm->Fail pods ${secs(row.pods)} s   prometheus ${secs(row.prometheus)} s`);
    }
    const target = intervalMs + 2000;
    console.log(`\n                     min    median     max   (seconds; target <= interval + 2 s = ${(target / 1000).toFixed(1)} s)`);
    for (const key of ['pods', 'prometheus', 'switchToAlarm'] as const) {
      const s = stats(rows.map((r) => r[key]));
      const label = key === 'switchToAlarm' ? 'switch->alarm (srv)' : `alarm->Fail ${key}`;
      console.log(`${label.padEnd(20)} ${secs(s.min)}  ${secs(s.median)}  ${secs(s.max)}${key === 'switchToAlarm' ? '' : `   max/target ${(s.max / target).toFixed(2)}`}`);
    }
  } finally {
    for (const s of started.reverse()) await s.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
