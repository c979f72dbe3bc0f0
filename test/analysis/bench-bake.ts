/**
 * make bench-rollback's "bake" case (issue 16): 1.0.0 Healthy -> 1.1.0 promoted (staging, a 100 % step,
 * promotion; bakeTime 1h so only analysis can end the bake, 1.0.0 kept warm on the previous track) ->
 * the live traffic drifts during the bake -> time until traffic is back on 1.0.0. Pods provider, drift
 * check only, replicas router, one release `bench-bake` (1 replica) in the bench namespace.
 *
 * Live traffic goes "through the release Service" as kube-proxy would send it (the local node has none):
 * the Service's selector is read every 100 ms and requests go round-robin to the ready pods it selects.
 * At a random phase of the analysis loop the inputs shift (drift 0.5, half non-targets); then
 *   t_alarm   = first poll (every 25 ms) of a 1.1.0 stable pod's /metrics with tern_server_drift_alarm_active 1
 *   t_service = first poll (every 25 ms) of the release Service selecting the previous track, whose ready pod runs 1.0.0
 *   t_last    = the last answer from 1.1.0 through the Service (after the switch the client needs one refresh)
 * and the figure is t_service - t_alarm (target <= one analysis interval + 2 s); t_last - t_alarm is shown beside it.
 * After each run the restore finishes (stable rebuilt on 1.0.0) and `tern retry` releases 1.1.0 again.
 */
import { parsePromText } from '../../operator/analysis/prom-text.js';
import type { ModelRelease } from '../../operator/api/model-release-schema.js';
import { commandPatch } from '../../operator/api/command-annotation.js';
import type { LocalCluster } from '../cluster/cluster.js';
import { eventually, lastSeen, sleep } from './bench-util.js';
import { sendTraffic } from './processes.js';

interface Pod {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
}

export interface BakeRun {
  /** t_service - t_alarm, ms. */
  switchMs: number;
  /** t_last - t_alarm, ms. */
  lastBadMs: number;
  /** drift switched on -> t_alarm, ms. */
  alarmMs: number;
}

export class BakeBench {
  readonly name = 'bench-bake';
  shifted = false;
  stopped = false;
  lastAnswer = new Map<string, number>();

  constructor(
    readonly cluster: LocalCluster,
    readonly namespace: string,
    readonly render: (entry: string, name: string) => ModelRelease,
    readonly interval: string,
  ) {}

  get path(): string {
    return `/apis/serving.tern.dev/v1alpha1/namespaces/${this.namespace}/modelreleases/${this.name}`;
  }

  release(entry: string): ModelRelease {
    const r = this.render(entry, this.name);
    const off = { enabled: false };
    r.spec.rollout = {
      steps: [{ setWeight: 100, pause: '2s' }],
      analysis: { interval: this.interval, minSampleCount: 10, provider: { type: 'pods' }, checks: { availability: off, latencyP95: off, errorRate: off, rejectionRatio: off } },
      bakeTime: '1h',
    } as unknown as ModelRelease['spec']['rollout'];
    return r;
  }

  async get(): Promise<ModelRelease> {
    const r = await this.cluster.kube.request<ModelRelease>('GET', this.path);
    lastSeen.set(this.name, { phase: r.status?.phase, stable: r.status?.stable?.version, bake: r.status?.bake, restore: r.status?.restore, message: r.status?.message });
    return r;
  }

  async selector(): Promise<Record<string, string>> {
    const svc = await this.cluster.kube.request<{ spec?: { selector?: Record<string, string> } }>('GET', `/api/v1/namespaces/${this.namespace}/services/${this.name}`);
    return svc.spec?.selector ?? {};
  }

  async pods(selector: Record<string, string>): Promise<{ url: string; version: string }[]> {
    const q = encodeURIComponent(Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(','));
    const { items } = await this.cluster.kube.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${this.namespace}/pods?labelSelector=${q}`);
    return items
      .filter((p) => !p.metadata.deletionTimestamp && p.status?.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((p) => ({ url: `http://${p.status?.podIP}:8080`, version: p.metadata.labels?.['serving.tern.dev/version'] ?? '?' }));
  }

  /** Live traffic through the release Service (healthy, or shifted while `shifted`), until stopped. */
  async traffic(): Promise<void> {
    let seed = 1;
    let targets: { url: string; version: string }[] = [];
    let at = 0;
    while (!this.stopped) {
      if (Date.now() - at > 100) {
        const selector = await this.selector().catch(() => ({}));
        targets = Object.keys(selector).length ? await this.pods(selector).catch(() => targets) : [];
        at = Date.now();
      }
      const mix = this.shifted ? { drift: 0.5, targetRatio: 0.5 } : { drift: 0, targetRatio: 0.8 };
      await Promise.all(
        targets.map(async (t) => {
          const codes = await sendTraffic([t], { requests: 1, rowsPerRequest: 5, ...mix, seed: seed++, concurrency: 1 }).catch(() => ({}) as Record<string, number>);
          if ((codes['200'] ?? 0) > 0) this.lastAnswer.set(t.version, Date.now());
        }),
      );
      await sleep(50);
    }
  }

  async alarmOn(pods: { url: string }[]): Promise<boolean> {
    const texts = await Promise.all(pods.map(async (p) => (await fetch(`${p.url}/metrics`)).text()));
    return texts.some((t) => parsePromText(t).some((s) => s.name === 'tern_server_drift_alarm_active' && s.value >= 1));
  }

  /** One run: 1.1.0 promoted and baking, the traffic drifts, traffic back on 1.0.0. */
  async run(first: boolean, intervalMs: number): Promise<BakeRun> {
    if (first) await this.cluster.kube.mergePatch(this.path, { spec: { model: this.release('species-1.1.0').spec.model } });
    else await this.cluster.kube.mergePatch(this.path, commandPatch('retry'));
    await eventually(
      `${this.namespace}/${this.name}: 1.1.0 promoted and baking, 1.0.0 warm on the previous track`,
      async () => {
        const r = await this.get();
        const previous = await this.pods({ 'serving.tern.dev/release': this.name, 'serving.tern.dev/track': 'previous' });
        return r.status?.phase === 'Healthy' && r.status.stable?.version === '1.1.0' && r.status.bake && previous.some((p) => p.version === '1.0.0') ? true : undefined;
      },
      300_000,
      250,
    );
    const stable = await this.pods({ 'serving.tern.dev/release': this.name, 'serving.tern.dev/track': 'stable' });
    // Refill the stable pods' drift windows with healthy scores, then wait a random phase of the analysis loop.
    await sendTraffic(stable, { requests: 2, rowsPerRequest: 600, seed: Date.now() % 1000 });
    await eventually('the stable alarm to be off', async () => ((await this.alarmOn(stable)) ? undefined : true), 30_000, 100);
    await sleep(1000 + Math.random() * intervalMs);
    const shiftedAt = Date.now();
    this.shifted = true;
    const alarmAt = await eventually('the drift alarm in the 1.1.0 stable pods', async () => ((await this.alarmOn(stable)) ? Date.now() : undefined), 60_000, 25);
    const serviceAt = await eventually(
      'the release Service on the warm 1.0.0 pod',
      async () => {
        const selector = await this.selector();
        if (selector['serving.tern.dev/track'] !== 'previous') return undefined;
        const pods = await this.pods(selector);
        return pods.length > 0 && pods.every((p) => p.version === '1.0.0') ? Date.now() : undefined;
      },
      intervalMs * 3 + 60_000,
      25,
    );
    await sleep(1500); // requests in flight finish; the client refreshes its targets
    this.shifted = false;
    const lastBad = this.lastAnswer.get('1.1.0') ?? alarmAt;
    await eventually(
      'the restore finished (stable rebuilt on 1.0.0)',
      async () => {
        const r = await this.get();
        return r.status?.phase === 'RolledBack' && r.status.stable?.version === '1.0.0' && !r.status.restore && r.status.lastRestore ? true : undefined;
      },
      180_000,
      250,
    );
    return { switchMs: serviceAt - alarmAt, lastBadMs: lastBad - alarmAt, alarmMs: alarmAt - shiftedAt };
  }

  async all(runs: number, intervalMs: number, report: (line: string) => void): Promise<BakeRun[]> {
    await this.cluster.kube.request('POST', `/apis/serving.tern.dev/v1alpha1/namespaces/${this.namespace}/modelreleases`, this.release('species-1.0.0'));
    await eventually(`${this.namespace}/${this.name} Healthy on 1.0.0`, async () => ((await this.get()).status?.phase === 'Healthy' ? true : undefined), 180_000, 500);
    const traffic = this.traffic();
    const results: BakeRun[] = [];
    try {
      for (let i = 1; i <= runs; i++) {
        const r = await this.run(i === 1, intervalMs);
        results.push(r);
        report(`bake       run ${String(i).padStart(2)}: switch->alarm ${(r.alarmMs / 1000).toFixed(2)} s   alarm->Service on 1.0.0 ${(r.switchMs / 1000).toFixed(2)} s   alarm->last 1.1.0 answer ${(r.lastBadMs / 1000).toFixed(2)} s`);
      }
    } finally {
      this.stopped = true;
      await traffic;
    }
    return results;
  }
}
