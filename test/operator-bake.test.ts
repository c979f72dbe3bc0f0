// End to end, the bake after a promotion and the fast restore, with real tern-server pods and the real
// operator (pods provider, replicas router): 1.0.0 Healthy -> 1.1.0 promoted on healthy traffic -> the
// traffic drifts during the bake -> all traffic is back on 1.0.0 (kept warm on the previous track) within
// one analysis interval + 2 s, 1.0.0 is stable, with history, events and metrics. And a GitOps revert
// during a bake: full traffic on 1.0.0 within 5 s, with no staging and no canary step. And a failure at
// the 100 % step, when the stable track has no pod: traffic goes to the warm 1.0.0 pod, never stays on 1.1.0.
// And serving changes as releases: a new rejection threshold goes through staging and the steps; one that
// rejects everything fails rejectionRatio and is rolled back while the stable Deployment keeps its threshold.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelHost } from '../models/model-host.js';
import type { ModelReleaseSpec } from '../operator/api/model-release-schema.js';
import { MODEL_RELEASES } from '../operator/api/resource.js';
import { DEPLOYMENTS, EVENTS, SERVICES } from '../operator/runtime/resources.js';
import { ROOT } from './analysis/processes.js';
import { eventually, testCluster } from './cluster/test-env.js';
import { apiClient, createNamespace, deploymentState, e2eRelease, getRelease, modelSpec, scrapeMetric, withOperatorLogs } from './operator/harness.js';
import { RESTRICTED_NAMESPACE_LABELS } from './cluster/pod-security.js';
import { startNodeModelHost } from './observe/node-model-host.js';
import { deleteNamespace } from './observe/chart-release.js';
import { installOperator, type OperatorPod } from './observe/operator-pod.js';
import { serviceTraffic, type ServiceTraffic } from './operator/service-traffic.js';

const NS = `op-bake-${Date.now().toString(36)}`;
const INTERVAL_S = 2;
const cluster = testCluster();
const { client, close } = apiClient(cluster.kubeconfig);
let host: ModelHost;
let operator: OperatorPod;
const traffics: ServiceTraffic[] = [];

beforeAll(async () => {
  host = await startNodeModelHost();
  await createNamespace(client, NS, RESTRICTED_NAMESPACE_LABELS);
  operator = await installOperator(cluster, NS, 'bake-e2e');
}, 180_000);

afterAll(async () => {
  for (const t of traffics) await t.stop();
  await operator?.stop();
  for (const name of ['species', 'species-git', 'species-full', 'species-undo', 'species-prod', 'species-serve']) await client.delete(MODEL_RELEASES, NS, name).catch(() => undefined);
  await deleteNamespace(cluster, NS);
  await host?.close();
  close();
}, 180_000);

const withLogs = <T>(body: () => Promise<T>) => withOperatorLogs(cluster, () => [operator], body);
const tern = (...args: string[]) => promisify(execFile)(process.execPath, [join(ROOT, 'bin/tern.js'), ...args, '-n', NS], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });
const status = async (name: string) => (await getRelease(client, NS, name)).status ?? {};
const setModel = (name: string, version: string) => client.patch(MODEL_RELEASES, NS, name, { spec: { model: modelSpec(version, host.url) } }, { patchType: 'merge' });
const selectedTrack = async (name: string) =>
  (await client.get<KubernetesObject & { spec?: { selector?: Record<string, string> } }>(SERVICES, NS, name))?.spec?.selector?.['serving.tern.dev/track'];

/** The --rejection-threshold in a track Deployment's pod template. */
async function thresholdOn(deployment: string): Promise<string | undefined> {
  const d = await client.get<KubernetesObject & { spec?: { template?: { spec?: { containers?: { args?: string[] }[] } } } }>(DEPLOYMENTS, NS, deployment);
  const args = d?.spec?.template?.spec?.containers?.[0]?.args ?? [];
  const i = args.indexOf('--rejection-threshold');
  return i >= 0 ? args[i + 1] : undefined;
}

async function events(name: string): Promise<{ type?: string; reason?: string; note?: string }[]> {
  const { items } = await client.list<KubernetesObject & { type?: string; reason?: string; note?: string; regarding?: { name?: string } }>(EVENTS, { namespace: NS });
  return items.filter((e) => e.regarding?.name === name);
}

/** `name` Healthy on 1.0.0, then 1.1.0 walked through staging and the steps and promoted: the bake is on. */
async function promotedAndBaking(name: string): Promise<void> {
  await eventually(`${name} Healthy on 1.0.0`, async () => ((await status(name)).phase === 'Healthy' ? true : undefined), 120_000);
  await setModel(name, '1.1.0');
  await eventually(`${name} 1.1.0 promoted, baking`, async () => {
    const st = await status(name);
    if (st.phase === 'RolledBack') throw new Error(`1.1.0 was rolled back: ${st.message}`);
    return st.phase === 'Healthy' && st.stable?.version === '1.1.0' && st.bake ? true : undefined;
  }, 240_000, 300);
  const previous = await deploymentState(client, NS, `${name}-previous`);
  expect(previous).toMatchObject({ replicas: 1, ready: 1, version: '1.0.0' });
  expect(await deploymentState(client, NS, `${name}-stable`)).toMatchObject({ version: '1.1.0', ready: 2 });
}

describe('bake after promotion and fast restore', () => {
  it('drift during the bake moves all traffic back to the warm 1.0.0 within one interval + 2 s', () =>
    withLogs(async () => {
      const release = {
        apiVersion: 'serving.tern.dev/v1alpha1',
        kind: 'ModelRelease',
        metadata: { name: 'species', namespace: NS },
        spec: {
          model: modelSpec('1.0.0', host.url),
          serving: { replicas: 2 },
          rollout: {
            steps: [{ setWeight: 100, pause: '6s' }],
            // Drifted inputs are also rejected more often: leave drift as the check that catches them.
            analysis: { interval: `${INTERVAL_S}s`, minSampleCount: 10, checks: { rejectionRatio: { enabled: false } } },
            bakeTime: '10m',
          },
        } as ModelReleaseSpec,
      };
      await client.apply(MODEL_RELEASES, release as unknown as KubernetesObject);
      await eventually('Healthy on 1.0.0', async () => ((await status('species')).phase === 'Healthy' ? true : undefined), 120_000);
      const traffic = serviceTraffic(client, NS, 'species', 8080);
      traffics.push(traffic);
      await promotedAndBaking('species');

      // Two healthy measurements of the bake, then the inputs drift.
      await eventually('bake measured healthy', async () => {
        const st = await status('species');
        return (st.analysis ?? []).some((r) => r.name === 'drift' && r.track === 'stable' && r.outcome === 'Successful') ? true : undefined;
      }, 60_000, 300);
      const driftFrom = Date.now();
      traffic.setDrift(1);
      const st = await eventually('rolled back to 1.0.0', async () => {
        const s = await status('species');
        return s.phase === 'RolledBack' ? s : undefined;
      }, 120_000, 200);
      await new Promise((r) => setTimeout(r, 3_000)); // requests in flight finish
      const failedAt = Date.parse(st.restore?.since ?? st.lastRestore?.startedAt ?? '');
      const lastBad = traffic.lastAnswerAt.get('1.1.0') ?? 0;
      const switchS = (lastBad - failedAt) / 1000;
      console.log(`bake rollback: drift detected ${((failedAt - driftFrom) / 1000).toFixed(1)} s after the drift started; last 1.1.0 answer ${switchS.toFixed(2)} s after the failing measurement`);
      expect(switchS).toBeLessThanOrEqual(INTERVAL_S + 2);
      expect((traffic.lastAnswerAt.get('1.0.0') ?? 0)).toBeGreaterThan(lastBad);

      expect(st.stable?.version).toBe('1.0.0');
      expect(st.candidate?.version).toBe('1.1.0');
      expect(st.history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'RolledBack', reason: 'BakeFailed', failedCheck: { name: 'drift', outcome: 'Failed' } });
      expect(st.history?.[0]?.failedCheck?.value).toEqual(expect.any(Number));
      expect(st.history?.[0]?.failedCheck?.threshold).toEqual(expect.any(String));
      expect(st.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'BakeFailed' });
      expect(await scrapeMetric(operator.metricsUrl, 'tern_rollbacks_total', { reason: 'drift' })).toBe(1);
      expect(await events('species')).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'RolledBack' }));

      await eventually('stable rebuilt on 1.0.0, traffic back on the stable track, previous scaled to 0', async () => {
        const s = await status('species');
        const stable = await deploymentState(client, NS, 'species-stable');
        const previous = await deploymentState(client, NS, 'species-previous');
        return !s.restore && s.lastRestore && stable?.version === '1.0.0' && stable.ready === 2 && previous?.replicas === 0 && (await selectedTrack('species')) === 'stable' ? true : undefined;
      }, 90_000, 500);
      await traffic.stop();
    }), 600_000);

  it('a GitOps revert during the bake puts full traffic on 1.0.0 within 5 s, with no staging and no canary step', () =>
    withLogs(async () => {
      // Checks off (e2eRelease): this test is about the restore path, the first one about analysis.
      const release = e2eRelease('species-git', NS, modelSpec('1.0.0', host.url));
      release.spec.rollout = { ...release.spec.rollout, steps: [{ setWeight: 100, pause: '3s' }], bakeTime: '10m' } as ModelReleaseSpec['rollout'];
      await client.apply(MODEL_RELEASES, release as unknown as KubernetesObject);
      await eventually('species-git Healthy on 1.0.0', async () => ((await status('species-git')).phase === 'Healthy' ? true : undefined), 120_000);
      const traffic = serviceTraffic(client, NS, 'species-git', 8080);
      traffics.push(traffic);
      await promotedAndBaking('species-git');
      await eventually('1.1.0 answering', async () => ((traffic.byVersion.get('1.1.0') ?? 0) > 20 ? true : undefined), 30_000);

      const revertAt = Date.now();
      await setModel('species-git', '1.0.0');
      const phases = new Set<string>();
      let canaryPods = 0;
      let movedAt: number | undefined;
      await eventually('restore finished', async () => {
        const st = await status('species-git');
        phases.add(st.phase ?? '');
        canaryPods = Math.max(canaryPods, (await deploymentState(client, NS, 'species-git-canary'))?.replicas ?? 0);
        if (movedAt === undefined && (await selectedTrack('species-git')) === 'previous') movedAt = Date.now();
        return st.lastRestore && !st.restore ? st : undefined;
      }, 90_000, 100);
      await new Promise((r) => setTimeout(r, 1_000));
      const lastBad = traffic.lastAnswerAt.get('1.1.0') ?? 0;
      const switchS = (lastBad - revertAt) / 1000;
      console.log(`GitOps revert in the bake: Service on the previous track ${movedAt ? ((movedAt - revertAt) / 1000).toFixed(2) : '?'} s after the commit; last 1.1.0 answer ${switchS.toFixed(2)} s after it`);
      expect(switchS).toBeLessThanOrEqual(5);
      expect(movedAt).toBeDefined();
      expect([...phases].filter((p) => p !== 'Healthy')).toEqual([]); // no Staging, Canary or Promoting
      expect(canaryPods).toBe(0);
      const st = await status('species-git');
      expect(st.stable?.version).toBe('1.0.0');
      expect(st.history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'RolledBack', reason: 'GitOpsRevert' });
      expect(st.lastRestore).toMatchObject({ from: '1.1.0', to: '1.0.0', reason: 'GitOpsRevert' });
      expect(await events('species-git')).toContainEqual(expect.objectContaining({ reason: 'GitOpsRevert' }));
      expect(await deploymentState(client, NS, 'species-git-stable')).toMatchObject({ version: '1.0.0', ready: 2 });
      expect(await selectedTrack('species-git')).toBe('stable');
      await traffic.stop();
    }), 600_000);

  it('a failure at the 100 % step (stable scaled to 0) puts traffic on a ready 1.0.0 pod at once, never on the bad candidate', () =>
    withLogs(async () => {
      const release = {
        apiVersion: 'serving.tern.dev/v1alpha1',
        kind: 'ModelRelease',
        metadata: { name: 'species-full', namespace: NS },
        spec: {
          model: modelSpec('1.0.0', host.url),
          serving: { replicas: 2 },
          rollout: {
            steps: [{ setWeight: 100, pause: '10m' }],
            analysis: { interval: `${INTERVAL_S}s`, minSampleCount: 10, checks: { rejectionRatio: { enabled: false } } },
            bakeTime: '0s',
          },
        } as ModelReleaseSpec,
      };
      await client.apply(MODEL_RELEASES, release as unknown as KubernetesObject);
      await eventually('species-full Healthy on 1.0.0', async () => ((await status('species-full')).phase === 'Healthy' ? true : undefined), 120_000);
      const traffic = serviceTraffic(client, NS, 'species-full', 8080);
      traffics.push(traffic);
      await setModel('species-full', '1.1.0');
      await eventually('100 % on 1.1.0, stable scaled to 0, 1.0.0 warm on the previous track', async () => {
        const st = await status('species-full');
        if (st.phase === 'RolledBack') throw new Error(`rolled back too early: ${st.message}`);
        const stable = await deploymentState(client, NS, 'species-full-stable');
        const previous = await deploymentState(client, NS, 'species-full-previous');
        return st.phase === 'Canary' && st.canaryWeight === 100 && stable?.replicas === 0 && stable.ready === 0 && previous?.ready === 1 && previous.version === '1.0.0' ? true : undefined;
      }, 180_000, 300);
      traffic.setDrift(1);
      const st = await eventually('rolled back at 100 %', async () => {
        const s = await status('species-full');
        return s.phase === 'RolledBack' ? s : undefined;
      }, 120_000, 100);
      // From the rollback on, the release Service never selects a pod of 1.1.0.
      let badSelections = 0;
      await eventually('stable rebuilt on 1.0.0 and serving', async () => {
        const track = await selectedTrack('species-full');
        const canary = await deploymentState(client, NS, 'species-full-canary');
        if (track !== 'previous' && track !== 'stable' && (canary?.ready ?? 0) > 0) badSelections += 1;
        const s = await status('species-full');
        const stable = await deploymentState(client, NS, 'species-full-stable');
        return s.lastRestore && !s.restore && stable?.ready === 2 && track === 'stable' ? true : undefined;
      }, 90_000, 100);
      await new Promise((r) => setTimeout(r, 1_000));
      const failedAt = Date.parse(st.restore?.since ?? st.lastRestore?.startedAt ?? '');
      const switchS = ((traffic.lastAnswerAt.get('1.1.0') ?? 0) - failedAt) / 1000;
      console.log(`rollback at 100 %: last 1.1.0 answer ${switchS.toFixed(2)} s after the failing measurement; restore took ${((Date.parse(st.lastRestore?.finishedAt ?? (await status('species-full')).lastRestore?.finishedAt ?? '') - failedAt) / 1000).toFixed(1)} s`);
      expect(badSelections).toBe(0);
      expect(switchS).toBeLessThanOrEqual(INTERVAL_S + 2);
      expect((await status('species-full')).history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'RolledBack', failedCheck: { name: 'drift' } });
      await traffic.stop();
    }), 600_000);

  it('an operator killed mid-bake: the new one resumes the same bake; `tern undo` then restores 1.0.0 without Git', () =>
    withLogs(async () => {
      const release = e2eRelease('species-undo', NS, modelSpec('1.0.0', host.url));
      release.spec.rollout = { ...release.spec.rollout, steps: [{ setWeight: 100, pause: '3s' }], bakeTime: '10m' } as ModelReleaseSpec['rollout'];
      await client.apply(MODEL_RELEASES, release as unknown as KubernetesObject);
      await promotedAndBaking('species-undo');
      const bake = (await status('species-undo')).bake;

      await operator.kill();
      operator = await installOperator(cluster, NS, 'bake-e2e-2');
      await new Promise((r) => setTimeout(r, 6_000)); // the new operator takes the Lease and reconciles
      const resumed = await status('species-undo');
      expect(resumed).toMatchObject({ phase: 'Healthy', stable: { version: '1.1.0' }, bake });
      expect(await deploymentState(client, NS, 'species-undo-previous')).toMatchObject({ replicas: 1, ready: 1, version: '1.0.0' });
      expect(await selectedTrack('species-undo')).toBe('stable');

      const undone = await tern('undo', 'species-undo');
      expect(undone.stdout).toContain('undo: ');
      expect(undone.stdout).toContain('Git should follow: change spec.model');
      await eventually('1.0.0 restored by tern undo', async () => {
        const st = await status('species-undo');
        const stable = await deploymentState(client, NS, 'species-undo-stable');
        return st.phase === 'RolledBack' && st.stable?.version === '1.0.0' && st.lastRestore?.reason === 'Undo' && stable?.version === '1.0.0' && stable.ready === 2 ? true : undefined;
      }, 60_000, 250);
      const shown = await tern('status', 'species-undo');
      expect(shown.stdout).toContain('Last restore: 1.1.0 -> 1.0.0 (Undo)');
      // Git follows: Healthy on 1.0.0, nothing restarts.
      await setModel('species-undo', '1.0.0');
      await eventually('Healthy on 1.0.0', async () => ((await status('species-undo')).phase === 'Healthy' ? true : undefined), 30_000);
    }), 300_000);

  it('after the bake the production watch alerts on drift (default onProductionAlarm alert): Degraded, event, metric; traffic stays', () =>
    withLogs(async () => {
      const release = {
        apiVersion: 'serving.tern.dev/v1alpha1',
        kind: 'ModelRelease',
        metadata: { name: 'species-prod', namespace: NS },
        spec: {
          model: modelSpec('1.0.0', host.url),
          serving: { replicas: 2 },
          rollout: {
            steps: [{ setWeight: 100, pause: '4s' }],
            analysis: { interval: `${INTERVAL_S}s`, minSampleCount: 10, checks: { rejectionRatio: { enabled: false } } },
            bakeTime: '4s',
            productionInterval: '3s',
          },
        } as ModelReleaseSpec,
      };
      await client.apply(MODEL_RELEASES, release as unknown as KubernetesObject);
      await eventually('species-prod Healthy on 1.0.0', async () => ((await status('species-prod')).phase === 'Healthy' ? true : undefined), 120_000);
      const traffic = serviceTraffic(client, NS, 'species-prod', 8080);
      traffics.push(traffic);
      await setModel('species-prod', '1.1.0');
      await eventually('1.1.0 baked', async () => {
        const st = await status('species-prod');
        if (st.phase === 'RolledBack') throw new Error(`rolled back: ${st.message}`);
        return st.phase === 'Healthy' && st.stable?.version === '1.1.0' && !st.bake && (st.history?.[0]?.reason ?? '').startsWith('baked') ? true : undefined;
      }, 180_000, 300);
      traffic.setDrift(1);
      const st = await eventually('production alarm', async () => {
        const s = await status('species-prod');
        return s.productionAlarm ? s : undefined;
      }, 60_000, 300);
      expect(st).toMatchObject({ phase: 'Healthy', stable: { version: '1.1.0' }, productionAlarm: { check: 'drift' } });
      expect(st.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'ProductionAlarm' });
      expect(await events('species-prod')).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'ProductionAlarm' }));
      expect(await scrapeMetric(operator.metricsUrl, 'tern_production_alarms_total', { release: 'species-prod', check: 'drift' })).toBe(1);
      const before = traffic.lastAnswerAt.get('1.1.0') ?? 0;
      await new Promise((r) => setTimeout(r, 2_000));
      expect(traffic.lastAnswerAt.get('1.1.0') ?? 0).toBeGreaterThan(before); // alert only: 1.1.0 keeps serving
      await traffic.stop();
    }), 300_000);

  it('a serving change (new rejection threshold) goes through staging and the steps; one that rejects everything is rolled back, stable keeps its threshold throughout', () =>
    withLogs(async () => {
      const release = {
        apiVersion: 'serving.tern.dev/v1alpha1',
        kind: 'ModelRelease',
        metadata: { name: 'species-serve', namespace: NS },
        spec: {
          model: modelSpec('1.0.0', host.url),
          serving: { replicas: 2, rejectionThreshold: 0.5 },
          rollout: {
            steps: [{ setWeight: 50, pause: '6s' }, { setWeight: 100, pause: '4s' }],
            // rejectionRatio (max 0.5) is the check a threshold change can fail; drift is not what this is about.
            analysis: { interval: `${INTERVAL_S}s`, minSampleCount: 10, checks: { drift: { enabled: false } } },
            bakeTime: '0s',
          },
        } as ModelReleaseSpec,
      };
      const setThreshold = (t: number) => client.patch(MODEL_RELEASES, NS, 'species-serve', { spec: { serving: { rejectionThreshold: t } } }, { patchType: 'merge' });
      await client.apply(MODEL_RELEASES, release as unknown as KubernetesObject);
      await eventually('species-serve Healthy on 1.0.0', async () => ((await status('species-serve')).phase === 'Healthy' ? true : undefined), 120_000);
      const traffic = serviceTraffic(client, NS, 'species-serve', 8080);
      traffics.push(traffic);

      // A good change: 0.5 -> 0.4, released like a model.
      await setThreshold(0.4);
      const seen: string[] = [];
      const stableThresholds = new Set<string>();
      let shown = '';
      await eventually('0.4 promoted after staging and both steps', async () => {
        const st = await status('species-serve');
        const label = `${st.phase}${st.currentStep !== undefined ? `:${st.currentStep}` : ''}`;
        if (seen[seen.length - 1] !== label) seen.push(label);
        if (st.phase === 'RolledBack') throw new Error(`0.4 rolled back: ${st.message}`);
        // Staging and the 50 % step (promotion follows the 100 % step, so no write of it can race this read).
        if (label === 'Staging' || label === 'Canary:0') stableThresholds.add((await thresholdOn('species-serve-stable')) ?? '-');
        if (st.phase === 'Canary' && !shown) shown = (await tern('status', 'species-serve')).stdout;
        return st.phase === 'Healthy' && st.stable?.serving?.rejectionThreshold === 0.4 ? st : undefined;
      }, 180_000, 250);
      expect(seen).toEqual(expect.arrayContaining(['Staging', 'Canary:0', 'Canary:1', 'Healthy']));
      expect(seen.indexOf('Staging')).toBeLessThan(seen.indexOf('Canary:0'));
      expect([...stableThresholds]).toEqual(['0.5']); // the stable Deployment kept its config until promotion
      expect(shown).toContain('(serving change: rejectionThreshold 0.5 -> 0.4)');
      expect((await status('species-serve')).history?.[0]).toMatchObject({ version: '1.0.0', outcome: 'Promoted', change: 'serving: rejectionThreshold 0.5 -> 0.4' });
      expect(await events('species-serve')).toContainEqual(expect.objectContaining({ reason: 'RolloutStarted', note: expect.stringContaining('spec.serving changed (serving: rejectionThreshold 0.5 -> 0.4)') }));
      expect(await thresholdOn('species-serve-stable')).toBe('0.4');
      expect(traffic.byThreshold.get(0.4) ?? 0).toBeGreaterThan(0);

      // A bad change: 1 rejects every input; rejectionRatio fails and it is rolled back.
      await setThreshold(1);
      const badStable = new Set<string>();
      const st = await eventually('threshold 1 rolled back', async () => {
        badStable.add((await thresholdOn('species-serve-stable')) ?? '-');
        const s = await status('species-serve');
        if (s.phase === 'Healthy' && s.stable?.serving?.rejectionThreshold === 1) throw new Error('threshold 1 was promoted');
        return s.phase === 'RolledBack' ? s : undefined;
      }, 120_000, 250);
      expect(traffic.byThreshold.get(1) ?? 0).toBeGreaterThan(0); // it did get live traffic before it was caught
      expect(st.stable).toMatchObject({ version: '1.0.0', serving: { rejectionThreshold: 0.4 } });
      expect(st.history?.[0]).toMatchObject({ version: '1.0.0', outcome: 'RolledBack', change: 'serving: rejectionThreshold 0.4 -> 1', failedCheck: { name: 'rejectionRatio', outcome: 'Failed' } });
      expect(await scrapeMetric(operator.metricsUrl, 'tern_rollbacks_total', { release: 'species-serve', reason: 'rejectionRatio' })).toBe(1);
      await eventually('the threshold-1 pods gone, traffic on the stable track only', async () => {
        badStable.add((await thresholdOn('species-serve-stable')) ?? '-');
        const canary = await deploymentState(client, NS, 'species-serve-canary');
        return canary?.replicas === 0 && (await selectedTrack('species-serve')) === 'stable' ? true : undefined;
      }, 60_000, 250);
      expect([...badStable]).toEqual(['0.4']);
      const record = (await tern('status', 'species-serve')).stdout;
      expect(record).toContain('1.0.0  [serving: rejectionThreshold 0.4 -> 1]  RolledBack (AnalysisFailed)');
      await traffic.stop();
    }), 400_000);
});
