/**
 * make bench-rollback (issue 6): time from the first moment the drift alarm condition is true in the
 * candidate pods' own metrics to the candidate weight written as 0 by the real operator, on the local
 * control plane, for both providers side by side (one ModelRelease per provider, run concurrently).
 *
 * Setup: the local cluster (make cluster-up: control plane, the real node running tern-server pods,
 * Prometheus scraping them through Kubernetes SD), the models served over HTTP on the node's address,
 * tern-operator installed by `helm install charts/tern` (a pod). Each release: 1.0.0 stable, then 1.1.0 as
 * candidate at a 50 % step (pause 1h, so only analysis can end it). Healthy traffic goes straight to the
 * pods' IPs (the bench chooses which pod gets each request). At a random phase of the analysis loop, the candidate's inputs shift
 * (dataset drift 0.5, half non-targets: its score mean falls ~0.16 below the baseline); then
 *   t_alarm = first poll (every 25 ms) of a candidate pod's /metrics with tern_server_drift_alarm_active 1
 *   t_zero  = first poll (every 50 ms) of the ModelRelease with status.canaryWeight 0 and phase RolledBack
 *             (the operator applies the router's objects before it writes that status, so the router
 *             write happened no later than this).
 * `tern retry` starts the next run. Only the drift check is enabled, so nothing else ends a run first.
 * Target: <= one analysis interval + 2 s.
 * The "bake" case (bench-bake.ts) runs after it: a promoted model drifts during its bake -> traffic back on
 * the warm previous model.
 *
 * Run: make bench-rollback   (RUNS=10 INTERVAL=10s CASES=canary,bake; e.g. CASES=bake RUNS=3 for a quick check)
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDurationSeconds } from '../../operator/analysis/duration.js';
import { parsePromText } from '../../operator/analysis/prom-text.js';
import type { ModelRelease } from '../../operator/api/model-release-schema.js';
import { commandPatch } from '../../operator/api/command-annotation.js';
import { loadRegistry } from '../../operator/registry/registry.js';
import { releaseFromRegistry } from '../../operator/registry/render.js';
import { attachCluster, type LocalCluster } from '../cluster/cluster.js';
import { IN_CLUSTER_PROMETHEUS_URL } from '../cluster/node/addons.js';
import { startNodeModelHost } from '../observe/node-model-host.js';
import { RESTRICTED_NAMESPACE_LABELS } from '../cluster/pod-security.js';
import { installOperator } from '../observe/operator-pod.js';
import { BakeBench } from './bench-bake.js';
import { eventually, lastSeen, sleep, stats } from './bench-util.js';
import { ROOT, sendTraffic } from './processes.js';


const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    interval: { type: 'string', default: '10s' },
    providers: { type: 'string', default: 'pods,prometheus' },
    cases: { type: 'string', default: 'canary,bake' },
  },
});
const RUNS = Number(flags.runs);
const INTERVAL = flags.interval;
const PROVIDERS = flags.providers.split(',') as ('pods' | 'prometheus')[];
const CASES = flags.cases.split(',');
for (const c of CASES) if (c !== 'canary' && c !== 'bake') throw new Error(`--cases: unknown case "${c}" (use canary, bake or canary,bake)`);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs: expected a whole number >= 1, got "${flags.runs}"`);
const intervalMs = parseDurationSeconds(INTERVAL) * 1000;
const NS = 'bench-rollback';

interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
}
type Release = ModelRelease & { metadata: { generation?: number } };

class Bench {
  constructor(
    readonly cluster: LocalCluster,
    readonly provider: 'pods' | 'prometheus',
    readonly weightsBaseUrl: string,
  ) {}
  get name(): string {
    return `bench-${this.provider}`;
  }
  get path(): string {
    return `/apis/serving.tern.dev/v1alpha1/namespaces/${NS}/modelreleases/${this.name}`;
  }
  shifted = false;
  stopped = false;

  /** Registry entry `entry` as ModelRelease `name` with 1 replica (the rollout is set by each case). */
  renderAs(entry: string, name: string): ModelRelease {
    const loaded = loadRegistry(join(ROOT, 'models/registry.json'));
    if (!loaded.ok) throw new Error(`models/registry.json is invalid: ${JSON.stringify(loaded.errors)}`);
    const release = releaseFromRegistry(loaded.registry, { name, namespace: NS, entry, weightsBaseUrl: this.weightsBaseUrl });
    release.spec.serving = { replicas: 1 } as ModelRelease['spec']['serving'];
    return release;
  }

  render(entry: string): ModelRelease {
    const release = this.renderAs(entry, this.name);
    const off = { enabled: false };
    release.spec.rollout = {
      steps: [{ setWeight: 50, pause: '1h' }],
      analysis: {
        interval: INTERVAL,
        provider: this.provider === 'pods' ? { type: 'pods' } : { type: 'prometheus', address: IN_CLUSTER_PROMETHEUS_URL },
        checks: { availability: off, latencyP95: off, errorRate: off, rejectionRatio: off },
      },
    } as unknown as ModelRelease['spec']['rollout'];
    return release;
  }

  async get(): Promise<Release> {
    const r = await this.cluster.kube.request<Release>('GET', this.path);
    lastSeen.set(this.name, { phase: r.status?.phase, weight: r.status?.canaryWeight, message: r.status?.message, analysis: r.status?.analysis });
    return r;
  }

  async pods(track: 'stable' | 'canary'): Promise<{ name: string; url: string }[]> {
    const selector = encodeURIComponent(`serving.tern.dev/release=${this.name},serving.tern.dev/track=${track}`);
    const { items } = await this.cluster.kube.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=${selector}`);
    return items
      .filter((p) => !p.metadata.deletionTimestamp && p.status?.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((p) => ({ name: p.metadata.name, url: `http://${p.status?.podIP}:8080` }));
  }

  /** Healthy traffic to stable, healthy or shifted traffic to the candidate, until stopped. */
  async traffic(): Promise<void> {
    let seed = 1;
    let targets = { stable: [] as { url: string }[], canary: [] as { url: string }[], at: 0 };
    while (!this.stopped) {
      if (Date.now() - targets.at > 1000) targets = { stable: await this.pods('stable').catch(() => []), canary: await this.pods('canary').catch(() => []), at: Date.now() };
      const mix = this.shifted ? { drift: 0.5, targetRatio: 0.5 } : { drift: 0, targetRatio: 0.8 };
      await Promise.all([
        targets.stable.length ? sendTraffic(targets.stable, { requests: 2, rowsPerRequest: 5, seed: seed++, concurrency: 2 }).catch(() => undefined) : undefined,
        targets.canary.length ? sendTraffic(targets.canary, { requests: 2, rowsPerRequest: 5, ...mix, seed: seed++, concurrency: 2 }).catch(() => undefined) : undefined,
      ]);
      await sleep(100);
    }
  }

  async alarmOn(pods: { url: string }[]): Promise<boolean> {
    const texts = await Promise.all(pods.map(async (p) => (await fetch(`${p.url}/metrics`)).text()));
    return texts.some((t) => parsePromText(t).some((s) => s.name === 'tern_server_drift_alarm_active' && s.value >= 1));
  }

  /** One run: candidate at 50 %, inputs shift, returns [t_zero - t_alarm, t_alarm - t_switch] in ms. */
  async run(first: boolean): Promise<[number, number]> {
    if (first) await this.cluster.kube.mergePatch(this.path, { spec: { model: this.render('species-1.1.0').spec.model } });
    else await this.cluster.kube.mergePatch(this.path, commandPatch('retry'));
    const canary = await eventually(
      `${NS}/${this.name} at its 50 % step with a ready candidate`,
      async () => {
        const r = await this.get();
        const pods = await this.pods('canary');
        return r.status?.phase === 'Canary' && r.status.canaryWeight === 50 && pods.length > 0 ? pods : undefined;
      },
      180_000,
      250,
    );
    // Refill the candidate's drift window with healthy scores, then wait a random phase of the analysis loop.
    await sendTraffic(canary, { requests: 2, rowsPerRequest: 600, seed: Date.now() % 1000 });
    await eventually('the candidate alarm to be off', async () => ((await this.alarmOn(canary)) ? undefined : true), 30_000, 100);
    await sleep(1000 + Math.random() * intervalMs);
    const switchedAt = Date.now();
    this.shifted = true;
    const alarmAt = await eventually('the drift alarm in the candidate pods', async () => ((await this.alarmOn(canary)) ? Date.now() : undefined), 60_000, 25);
    const zeroAt = await eventually(
      `${NS}/${this.name} rolled back with weight 0`,
      async () => {
        const r = await this.get();
        return r.status?.phase === 'RolledBack' && (r.status.canaryWeight ?? 0) === 0 ? Date.now() : undefined;
      },
      intervalMs * 3 + 60_000,
      50,
    );
    this.shifted = false;
    await eventually('the candidate pods gone', async () => ((await this.pods('canary')).length === 0 ? true : undefined), 120_000, 500);
    return [zeroAt - alarmAt, alarmAt - switchedAt];
  }

  async all(runs: number, report: (line: string) => void): Promise<number[]> {
    await this.cluster.kube.request('POST', `/apis/serving.tern.dev/v1alpha1/namespaces/${NS}/modelreleases`, this.render('species-1.0.0'));
    await eventually(`${NS}/${this.name} Healthy on 1.0.0`, async () => ((await this.get()).status?.phase === 'Healthy' ? true : undefined), 180_000, 500);
    const traffic = this.traffic();
    const latencies: number[] = [];
    try {
      for (let i = 1; i <= runs; i++) {
        const [latency, switchToAlarm] = await this.run(i === 1);
        latencies.push(latency);
        report(`${this.provider.padEnd(10)} run ${String(i).padStart(2)}: switch->alarm ${(switchToAlarm / 1000).toFixed(2)} s   alarm->weight 0 ${(latency / 1000).toFixed(2)} s`);
      }
    } finally {
      this.stopped = true;
      await traffic;
    }
    return latencies;
  }
}

async function main(): Promise<void> {
  const cluster = attachCluster();
  if (!cluster.prometheusUrl) throw new Error('the local cluster has no Prometheus; run `make cluster-up`');
  const host = await startNodeModelHost(join(ROOT, 'models'));
  const modelsUrl = `${host.url}species/`;
  await cluster.kube.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: RESTRICTED_NAMESPACE_LABELS } }).catch(() => undefined);
  const operator = await installOperator(cluster, NS, 'bench-rollback', { set: ['leaderElection.enabled=false', 'logLevel=warn'] });
  const benches = CASES.includes('canary') ? PROVIDERS.map((p) => new Bench(cluster, p, modelsUrl)) : [];
  const render = (entry: string, name: string) => new Bench(cluster, 'pods', modelsUrl).renderAs(entry, name);
  const bake = CASES.includes('bake') ? new BakeBench(cluster, NS, render, INTERVAL) : undefined;
  const target = intervalMs + 2000;
  const row = (label: string, xs: number[]) => {
    const s = stats(xs);
    return `${label.padEnd(20)} ${(s.min / 1000).toFixed(2).padStart(6)}  ${(s.median / 1000).toFixed(2).padStart(6)}  ${(s.max / 1000).toFixed(2).padStart(6)}   max/target ${(s.max / target).toFixed(2)}`;
  };
  const summary: string[] = [];
  try {
    if (benches.length > 0) {
      console.log(`rollback latency (canary): drift alarm true in the candidate pods' metrics -> status weight 0 (RolledBack); interval ${INTERVAL}, ${RUNS} runs per provider`);
      const results = await Promise.all(benches.map((b) => b.all(RUNS, (line) => console.log(line))));
      for (const [i, label] of PROVIDERS.entries()) summary.push(row(`canary ${label}`, results[i] as number[]));
    }
    if (bake) {
      console.log(`rollback latency (bake): drift alarm true in the promoted 1.1.0's stable pods -> release Service on the warm 1.0.0 pod; interval ${INTERVAL}, ${RUNS} runs (pods provider)`);
      const results = await bake.all(RUNS, intervalMs, (line) => console.log(line));
      summary.push(row('bake pods', results.map((r) => r.switchMs)));
      summary.push(row('  last 1.1.0 answer', results.map((r) => r.lastBadMs)));
    }
    console.log(`\n                     min    median     max   (seconds; target <= interval + 2 s = ${(target / 1000).toFixed(1)} s)`);
    for (const line of summary) console.log(line);
  } finally {
    for (const b of benches) b.stopped = true;
    if (bake) bake.stopped = true;
    for (const b of benches) await cluster.kube.request('DELETE', b.path).catch(() => undefined);
    if (bake) await cluster.kube.request('DELETE', bake.path).catch(() => undefined);
    await operator.stop();
    await host.close();
    cluster.kube.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
