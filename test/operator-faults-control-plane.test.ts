// End to end, control-plane faults in the middle of a canary, on one release with real tern-server pods,
// the real operator and user traffic through the demo gateway (docs/faults.md, "Control-plane faults"):
// 1. Prometheus down during analysis (provider prometheus): checks Error, the step holds (no promotion,
//    no rollback); Prometheus back, it continues to Healthy.
// 2. Prometheus down past progressDeadline: Paused (condition, Warning event), stable untouched.
// 3. kube-apiserver restarted, then etcd restarted, during a step: same step, no weight flap, no history
//    entry added, writes per minute during recovery within the steady canary's rate.
// 4. The operator cut off from the pods (pods provider; iptables drops the packets from the operator's
//    pod to the pod range): checks Error, hold; rule gone, checks pass again; promotion finishes it.
// 5. A second release naming the first one's Service: condition Synced=False OwnershipConflict on it, not
//    one write to the Service or anything else; the Service edited by hand: set back once, with an event.
// Each fault's figures (gateway requests and failures, operator writes per minute) are printed as one
// `faults-control-plane:` line per fault.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelHost } from '../models/model-host.js';
import type { ModelRelease, ModelReleaseSpec } from '../operator/api/model-release-schema.js';
import { ApiKubeClient } from '../operator/runtime/apply.js';
import { KubeListWatch } from '../operator/runtime/list-watch.js';
import { MODEL_RELEASES } from '../operator/api/resource.js';
import { DEPLOYMENTS, EVENTS, SERVICES } from '../operator/runtime/resources.js';
import { ROOT } from './analysis/processes.js';
import { eventually, testCluster } from './cluster/test-env.js';
import { startGateway, type Gateway } from './demo/gateway.js';
import { gatewayLoad, type GatewayLoad } from './operator/gateway-load.js';
import { apiClient, createNamespace, deploymentState, getRelease, modelSpec, scrapeMetric, withOperatorLogs } from './operator/harness.js';
import { RESTRICTED_NAMESPACE_LABELS } from './cluster/pod-security.js';
import { IN_CLUSTER_PROMETHEUS_URL } from './cluster/node/addons.js';
import { startNodeModelHost } from './observe/node-model-host.js';
import { deleteNamespace } from './observe/chart-release.js';
import { installOperator, type OperatorPod } from './observe/operator-pod.js';

const run = promisify(execFile);
const NS = `op-faults-cp-${Date.now().toString(36)}`;
const NAME = 'species';
/** A second release that names NAME's Service as its own. */
const RIVAL = 'species-rival';
const cluster = testCluster();
const { client, rest, close } = apiClient(cluster.kubeconfig);
let host: ModelHost;
let operator: OperatorPod;
let gateway: Gateway | undefined;
let load: GatewayLoad | undefined;
let prometheusDown = false;
let dropRule: string[] | undefined;
const t0 = Date.now();

interface Figure {
  fault: string;
  documented: boolean;
  seconds: number;
  requests: number;
  failed: number;
  writes: number;
  writesPerMin: number;
  baselineWritesPerMin?: number;
}
const figures: Figure[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const status = async () => (await getRelease(client, NS, NAME)).status ?? {};
const tern = (...args: string[]) => run(process.execPath, [join(ROOT, 'bin/tern.js'), ...args, '-n', NS], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });
const iptables = (...args: string[]) => run('iptables', args);
const withLogs = <T>(body: () => Promise<T>) => withOperatorLogs(cluster, () => [operator], body, 5000);

/** Every write the operator made (tern_api_writes_total over verbs and resources). */
const operatorWrites = async () => (await scrapeMetric(operator.metricsUrl, 'tern_api_writes_total')) ?? 0;

/** The operator's writes by resource (`services`, `modelreleases/status`, `events`, ...). */
async function writesByResource(): Promise<Record<string, number>> {
  const text = await fetch(operator.metricsUrl).then((r) => r.text());
  const by: Record<string, number> = {};
  for (const m of text.matchAll(/^tern_api_writes_total\{[^}]*resource="([^"]+)"[^}]*\} (\S+)$/gm)) by[m[1]!] = (by[m[1]!] ?? 0) + Number(m[2]);
  return by;
}

/** Waits until the operator has made no write for `quietMs` (the release in front has settled). */
async function writesSettled(quietMs = 4_000): Promise<void> {
  let last = await operatorWrites();
  let since = Date.now();
  await eventually('the operator idle', async () => {
    const now = await operatorWrites();
    if (now !== last) [last, since] = [now, Date.now()];
    return Date.now() - since >= quietMs ? true : undefined;
  }, 90_000, 250);
}

const delta = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));

/** A fault's measurement window: gateway totals and operator writes at its start. */
async function begin(fault: string) {
  return { fault, at: Date.now(), totals: gateway!.totals(), writes: await operatorWrites() };
}
async function end(w: Awaited<ReturnType<typeof begin>>, documented: boolean, baselineWritesPerMin?: number): Promise<Figure> {
  const totals = gateway!.totals();
  const ok = (byStatus: Record<string, number>) => Object.entries(byStatus).reduce((n, [code, c]) => n + (code.startsWith('2') ? c : 0), 0);
  const requests = totals.requests - w.totals.requests;
  const failed = requests - (ok(totals.byStatus) - ok(w.totals.byStatus));
  const seconds = (Date.now() - w.at) / 1000;
  const writes = (await operatorWrites()) - w.writes;
  const figure: Figure = { fault: w.fault, documented, seconds: Math.round(seconds), requests, failed, writes, writesPerMin: Math.round((writes / seconds) * 60), ...(baselineWritesPerMin !== undefined ? { baselineWritesPerMin } : {}) };
  figures.push(figure);
  process.stderr.write(`faults-control-plane: ${JSON.stringify(figure)}\n`);
  return figure;
}

/** The operator's writes per minute over `ms` of the steady state (a canary step measured every interval). */
async function baselineWritesPerMin(ms: number): Promise<number> {
  const before = await operatorWrites();
  await sleep(ms);
  return Math.round((((await operatorWrites()) - before) / ms) * 60_000);
}

interface Sample {
  phase?: string;
  step?: number;
  weight?: number;
  stepSince?: string;
  history: string;
  stepRecords: string;
  replicas: string;
}

/** Samples the release and its Deployments every 250 ms (API errors while the apiserver is down are skipped). */
function sampler(): { samples: Sample[]; stop(): Promise<void> } {
  const samples: Sample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const st = await status();
        const stable = await deploymentState(client, NS, `${NAME}-stable`);
        const canary = await deploymentState(client, NS, `${NAME}-canary`);
        samples.push({
          ...(st.phase ? { phase: st.phase } : {}),
          ...(st.currentStep !== undefined ? { step: st.currentStep } : {}),
          ...(st.canaryWeight !== undefined ? { weight: st.canaryWeight } : {}),
          ...(st.stepSince ? { stepSince: st.stepSince } : {}),
          history: JSON.stringify(st.history ?? []),
          stepRecords: JSON.stringify(st.stepRecords ?? []),
          replicas: `${stable?.replicas}/${canary?.replicas}`,
        });
      } catch {
        // the apiserver is down: nothing to read
      }
      await sleep(250);
    }
  })();
  return { samples, stop: async () => void ((stopped = true), await loop) };
}

const distinct = <T>(xs: T[]) => [...new Set(xs)];

/** True when `version` is at the first canary step and every check of its last measurement passed. */
async function canaryPassing(version: string): Promise<true | undefined> {
  const st = await status();
  const canary = (st.analysis ?? []).filter((r) => r.track === 'canary');
  const passing = st.phase === 'Canary' && st.currentStep === 0 && st.candidate?.version === version && canary.length > 0 && canary.every((r) => r.outcome === 'Successful');
  return passing ? true : undefined;
}

async function warningEvents(reason: string, release = NAME): Promise<string[]> {
  const { items } = await client.list<KubernetesObject & { reason?: string; type?: string; note?: string; regarding?: { name?: string } }>(EVENTS, { namespace: NS });
  return items.filter((e) => e.reason === reason && e.type === 'Warning' && e.regarding?.name === release).map((e) => e.note ?? '');
}

beforeAll(async () => {
  if (!cluster.prometheusUrl) throw new Error('this file needs the local cluster\'s Prometheus');
  host = await startNodeModelHost();
  await createNamespace(client, NS, RESTRICTED_NAMESPACE_LABELS);
  // One replica without leader election: the same process must ride the faults out (with a Lease, an
  // apiserver outage longer than the renew deadline makes it exit for a restart: operator-ha.test.ts).
  operator = await installOperator(cluster, NS, 'faults-cp', { set: ['leaderElection.enabled=false'] });
  gateway = await startGateway({ source: new KubeListWatch(client, rest), namespace: NS, release: NAME, router: 'replicas' });
  load = gatewayLoad(gateway.url, 20);
}, 180_000);

afterAll(async () => {
  // The cluster is shared with the other test files: leave it whole whatever happened here.
  if (dropRule) await iptables('-D', ...dropRule).catch(() => undefined);
  if (prometheusDown) await cluster.startPrometheus();
  await load?.stop();
  await gateway?.close();
  await operator?.stop();
  await client.delete(MODEL_RELEASES, NS, NAME).catch(() => undefined);
  await client.delete(MODEL_RELEASES, NS, RIVAL).catch(() => undefined);
  await deleteNamespace(cluster, NS);
  await host?.close();
  close();
  process.stderr.write(`faults-control-plane: ${figures.length} faults, ${figures.filter((f) => f.documented).length} ended as documented, file took ${Math.round((Date.now() - t0) / 1000)} s\n`);
}, 180_000);

describe('control-plane faults mid-canary', () => {
  it('Prometheus down during analysis: checks Error, the step holds; back, the release continues', () =>
    withLogs(async () => {
      const release: ModelRelease = {
        apiVersion: 'serving.tern.dev/v1alpha1',
        kind: 'ModelRelease',
        metadata: { name: NAME, namespace: NS },
        spec: {
          model: modelSpec('1.0.0', host.url),
          serving: { replicas: 2 } as ModelReleaseSpec['serving'],
          rollout: {
            // No bake and no production watch: once promoted, the release is idle (the last case counts writes).
            bakeTime: '0s',
            productionInterval: '0s',
            steps: [
              // Long enough to see Prometheus' first answers (a new pod needs two scrapes, 5 s apart, in increase()'s window) and then the outage.
              { setWeight: 50, pause: '40s' },
              { setWeight: 100, pause: '2s' },
            ],
            analysis: {
              provider: { type: 'prometheus', address: IN_CLUSTER_PROMETHEUS_URL },
              interval: '2s',
              progressDeadline: '30s',
              minSampleCount: 5,
              checks: { availability: { enabled: true }, drift: { enabled: false }, latencyP95: { enabled: false }, errorRate: { enabled: false }, rejectionRatio: { enabled: false } },
            },
          } as ModelReleaseSpec['rollout'],
        },
      };
      await client.apply(MODEL_RELEASES, release as unknown as KubernetesObject);
      await eventually('Healthy on 1.0.0', async () => ((await status()).phase === 'Healthy' ? true : undefined), 180_000);
      await client.patch(MODEL_RELEASES, NS, NAME, { spec: { model: modelSpec('1.1.0', host.url) } }, { patchType: 'merge' });
      await eventually('1.1.0 at canary step 1, Prometheus answering', () => canaryPassing('1.1.0'), 180_000, 200);

      const w = await begin('prometheus down during analysis');
      const watch = sampler();
      await cluster.stopPrometheus();
      prometheusDown = true;
      const held = await eventually('checks Error and the step held', async () => {
        const st = await status();
        if (st.phase === 'RolledBack' || st.currentStep !== 0) throw new Error(`the step did not hold on missing data: ${st.phase} step ${st.currentStep}: ${st.message}`);
        const canary = (st.analysis ?? []).filter((r) => r.track === 'canary');
        return st.heldSince && canary.length > 0 && canary.every((r) => r.outcome === 'Error') ? st : undefined;
      }, 60_000, 250);
      expect(held.analysis?.[0]?.message).toMatch(/availability on canary: .*prometheus|availability on canary: .*fetch|availability on canary: .*ECONNREFUSED/i);
      await sleep(8_000); // 4 analysis intervals with no metrics: nothing may move
      const during = await status();
      expect(during).toMatchObject({ phase: 'Canary', currentStep: 0, heldSince: held.heldSince });
      await eventually('a Warning event AnalysisHeld', async () => ((await warningEvents('AnalysisHeld')).length > 0 ? true : undefined), 20_000);

      await cluster.startPrometheus();
      prometheusDown = false;
      await eventually('1.1.0 promoted once Prometheus is back', async () => {
        const st = await status();
        return st.phase === 'Healthy' && st.stable?.version === '1.1.0' ? true : undefined;
      }, 180_000, 250);
      await watch.stop();
      const phases = distinct(watch.samples.map((s) => s.phase));
      expect(phases).not.toContain('RolledBack');
      expect((await status()).history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'Promoted' });
      await end(w, true);
    }), 480_000);

  it('Prometheus down past progressDeadline: Paused with a condition and a Warning event, stable untouched', () =>
    withLogs(async () => {
      await client.patch(MODEL_RELEASES, NS, NAME, { spec: { model: modelSpec('1.2.0', host.url) } }, { patchType: 'merge' });
      await eventually('1.2.0 at canary step 1, Prometheus answering', () => canaryPassing('1.2.0'), 180_000, 200);
      const stableBefore = await deploymentState(client, NS, `${NAME}-stable`);
      expect(stableBefore?.version).toBe('1.1.0');
      const w = await begin('prometheus down past progressDeadline');
      const watch = sampler();
      await cluster.stopPrometheus();
      prometheusDown = true;
      const paused = await eventually('Paused after the progress deadline', async () => {
        const st = await status();
        return st.phase === 'Paused' ? st : undefined;
      }, 90_000, 250);
      await watch.stop();
      expect(paused.message).toContain('analysis held the step for longer than the progress deadline 30s');
      expect(paused.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'RolloutPaused' });
      expect(paused.stable?.version).toBe('1.1.0');
      const deadlineEvents = await eventually('a Warning event ProgressDeadlineExceeded', async () => {
        const notes = await warningEvents('ProgressDeadlineExceeded');
        return notes.length > 0 ? notes : undefined;
      }, 20_000);
      expect(deadlineEvents).toEqual([expect.stringContaining('paused for a person')]);
      expect(await deploymentState(client, NS, `${NAME}-stable`)).toEqual(stableBefore); // same version, replicas and ready pods
      expect(distinct(watch.samples.map((s) => s.phase))).not.toContain('RolledBack');
      await cluster.startPrometheus();
      prometheusDown = false;
      await end(w, true);

      // What the Paused message says to do: fix the metrics backend (here: switch to the pods provider, and a
      // step that waits for `tern promote`, for the next faults), then `tern resume`.
      const rollout = (await getRelease(client, NS, NAME)).spec.rollout!;
      await client.patch(
        MODEL_RELEASES,
        NS,
        NAME,
        { spec: { rollout: { ...rollout, steps: [{ setWeight: 50 }, { setWeight: 100, pause: '2s' }], analysis: { ...rollout.analysis, provider: { type: 'pods' } } } } },
        { patchType: 'merge' },
      );
      await tern('resume', NAME);
      await eventually('resumed at step 1 with the pods provider passing', async () => {
        const st = await status();
        const canary = (st.analysis ?? []).filter((r) => r.track === 'canary');
        return st.phase === 'Canary' && st.currentStep === 0 && !st.heldSince && canary.length > 0 && canary.every((r) => r.outcome === 'Successful') ? true : undefined;
      }, 120_000, 250);
    }), 300_000);

  it.each([['kube-apiserver'], ['etcd']] as const)('%s restarted during a step: same step, no weight flap, no new history entry, no write storm', (name) =>
    withLogs(async () => {
      const before = await status();
      expect(before).toMatchObject({ phase: 'Canary', currentStep: 0, canaryWeight: 50 });
      const baseline = await baselineWritesPerMin(10_000);
      const w = await begin(`${name} restarted`);
      const watch = sampler();
      const { downMs } = await cluster.restart(name, 3_000);
      const back = Date.now();
      // Recovered: the operator has measured and written status again after the restart.
      await eventually('the operator writing status again', async () => {
        const st = await status();
        const measured = Math.max(...(st.analysis ?? []).map((r) => Date.parse(r.measuredAt)));
        return measured > back ? true : undefined;
      }, 120_000, 250);
      await sleep(10_000);
      await watch.stop();
      const after = await status();
      const samples = watch.samples;
      expect(samples.length).toBeGreaterThan(20);
      expect(distinct(samples.map((s) => s.phase))).toEqual(['Canary']);
      expect(distinct(samples.map((s) => s.step))).toEqual([0]);
      expect(distinct(samples.map((s) => s.weight))).toEqual([50]);
      expect(distinct(samples.map((s) => s.replicas))).toHaveLength(1);
      expect(distinct(samples.map((s) => s.stepSince))).toEqual([before.stepSince]);
      expect(distinct(samples.map((s) => s.history))).toEqual([JSON.stringify(before.history ?? [])]);
      expect(distinct(samples.map((s) => s.stepRecords))).toEqual([JSON.stringify(before.stepRecords ?? [])]);
      expect(after.conditions?.find((c) => c.type === 'Synced')?.status ?? 'True').toBe('True');
      const figure = await end(w, true, baseline);
      process.stderr.write(`faults-control-plane: ${name} was down ${downMs} ms\n`);
      // No write storm: recovery writes at most the steady canary's rate (a status write per measurement) plus 30 a minute.
      expect(figure.writesPerMin).toBeLessThanOrEqual(baseline + 30);
    }), 240_000);

  it('operator cut off from the pods (pods provider): checks Error, the step holds; reconnected, checks pass and the release finishes', () =>
    withLogs(async () => {
      if (!cluster.podCIDR) throw new Error('the cluster has no pod subnet');
      const w = await begin('operator cut off from the pods');
      const watch = sampler();
      // Pod to pod crosses the node's bridge, which hands its packets to iptables' FORWARD (bridge netfilter).
      dropRule = ['FORWARD', '-s', operator.podIP, '-d', cluster.podCIDR, '-j', 'DROP'];
      await iptables('-I', ...dropRule);
      const held = await eventually('checks Error and the step held', async () => {
        const st = await status();
        if (st.phase === 'RolledBack' || st.currentStep !== 0) throw new Error(`the step did not hold on missing data: ${st.phase} step ${st.currentStep}: ${st.message}`);
        const canary = (st.analysis ?? []).filter((r) => r.track === 'canary');
        return st.heldSince && canary.length > 0 && canary.every((r) => r.outcome === 'Error') ? st : undefined;
      }, 60_000, 250);
      expect(held.analysis?.[0]?.message).toContain('no pod of track canary answered /metrics');
      await sleep(6_000);
      expect(await status()).toMatchObject({ phase: 'Canary', currentStep: 0, heldSince: held.heldSince });
      await iptables('-D', ...dropRule);
      dropRule = undefined;
      await eventually('checks pass again, the hold lifted', async () => {
        const st = await status();
        const canary = (st.analysis ?? []).filter((r) => r.track === 'canary');
        return !st.heldSince && canary.length > 0 && canary.every((r) => r.outcome === 'Successful') ? true : undefined;
      }, 60_000, 250);
      await watch.stop();
      expect(distinct(watch.samples.map((s) => s.weight))).toEqual([50]);
      expect(distinct(watch.samples.map((s) => s.phase))).toEqual(['Canary']);
      await end(w, true);

      await tern('promote', NAME);
      await eventually('Healthy on 1.2.0', async () => {
        const st = await status();
        return st.phase === 'Healthy' && st.stable?.version === '1.2.0' ? true : undefined;
      }, 120_000, 250);
    }), 240_000);

  it('a second release naming the same Service: Synced=False OwnershipConflict, no write; the Service edited by hand: set back once', () =>
    withLogs(async () => {
      const service = () => client.get<KubernetesObject & { spec?: { selector?: Record<string, string> } }>(SERVICES, NS, NAME);
      const before = await service();
      await writesSettled();
      const writesBefore = await writesByResource();
      const w = await begin('a second release naming the same Service');
      const rival = { apiVersion: 'serving.tern.dev/v1alpha1', kind: 'ModelRelease', metadata: { name: RIVAL, namespace: NS }, spec: { model: modelSpec('1.0.0', host.url), traffic: { serviceName: NAME } } };
      await client.apply(MODEL_RELEASES, rival as unknown as KubernetesObject);
      const synced = await eventually('Synced=False on the second release', async () => {
        const c = (await getRelease(client, NS, RIVAL)).status?.conditions?.find((x) => x.type === 'Synced');
        return c?.status === 'False' ? c : undefined;
      }, 30_000, 250);
      expect(synced).toMatchObject({ reason: 'OwnershipConflict', message: `Service ${NS}/${NAME} is owned by ModelRelease ${NS}/${NAME}, not by ModelRelease ${NS}/${RIVAL}: choose another spec.traffic.serviceName, or delete or rename that object` });
      await eventually('a Warning event OwnershipConflict', async () => ((await warningEvents('OwnershipConflict', RIVAL)).length > 0 ? true : undefined), 20_000);
      await sleep(8_000); // the queue retries with backoff meanwhile
      expect((await service())?.metadata?.resourceVersion).toBe(before?.metadata?.resourceVersion);
      const rivalDeployments = (await client.list<KubernetesObject>(DEPLOYMENTS, { namespace: NS })).items.filter((d) => d.metadata?.name?.startsWith(RIVAL));
      expect(rivalDeployments).toEqual([]);
      const figure = await end(w, true);
      expect(figure.failed).toBe(0);
      const rivalWrites = delta(await writesByResource(), writesBefore);
      process.stderr.write(`faults-control-plane: writes while the second release was refused: ${JSON.stringify(rivalWrites)}\n`);
      // Synced=False once, its event (and at most one series update); nothing to Services or Deployments.
      expect(rivalWrites['modelreleases/status']).toBe(1);
      expect(rivalWrites['events'] ?? 0).toBeLessThanOrEqual(2);
      expect(Object.keys(rivalWrites).filter((r) => r !== 'modelreleases/status' && r !== 'events')).toEqual([]);

      // A person edits the Service's selector: the operator sets it back once and names who changed it.
      const editor = new ApiKubeClient(rest, undefined, 'kubectl-edit');
      await writesSettled();
      const editBefore = await writesByResource();
      const e = await begin('release Service edited by hand');
      await editor.patch(SERVICES, NS, NAME, [{ op: 'replace', path: '/spec/selector', value: { app: 'hand-edited' } }], { patchType: 'json' });
      await eventually('the selector set back', async () => {
        const sel = (await service())?.spec?.selector ?? {};
        return sel['app'] === undefined && sel['serving.tern.dev/release'] === NAME ? true : undefined;
      }, 30_000, 100);
      await eventually('a Warning event OwnedObjectReverted naming kubectl-edit', async () => {
        const notes = await warningEvents('OwnedObjectReverted');
        return notes.some((n) => n === `Service ${NS}/${NAME} was changed by kubectl-edit; tern-operator set the fields it owns back`) ? true : undefined;
      }, 20_000);
      await sleep(3_000);
      await end(e, true);
      const editWrites = delta(await writesByResource(), editBefore);
      process.stderr.write(`faults-control-plane: writes after the hand edit: ${JSON.stringify(editWrites)}\n`);
      expect(editWrites['services']).toBe(1); // set back once
      expect(Object.keys(editWrites).filter((r) => r !== 'services' && r !== 'events')).toEqual([]);
      expect((await getRelease(client, NS, NAME)).status?.phase).toBe('Healthy');
    }), 120_000);
});
