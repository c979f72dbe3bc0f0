// End to end, candidate faults in the middle of a release, with real tern-server pods, the real operator
// (pods provider, replicas router, 2 replicas, analysis every 2 s) and user traffic through the demo
// gateway (test/operator/gateway-traffic.ts), one cluster and one operator for every case:
// - the candidate's server crashes (a crash loop once restarted), fails every request (availability), 20 %
//   of them (errorRate), or answers 600 ms late (latencyP95): rolled back within interval + 2 s of the
//   crash or the first bad answer a user got, the release Service never empty, stable never without a
//   ready pod;
// - the candidate's artifact does not match its sha256: never ready, never any traffic, rolled back at
//   once with reason Sha256Mismatch and what to do;
// - the candidate asks for GPUs no node has free: held in Staging with the scheduler's reason, rolled back
//   at the progress deadline naming it, stable untouched; `tern retry` once capacity exists reaches Canary.
// The faults come from tern-server's test-only flags in spec.serving.env, gated by --fault-version so
// that only the candidate (1.1.0) suffers them (docs/faults.md). Each case logs a FAULT line of figures.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelHost } from '../models/model-host.js';
import type { ModelRelease, ModelReleaseSpec } from '../operator/api/model-release-schema.js';
import { MODEL_RELEASES } from '../operator/api/resource.js';
import { PODS } from '../operator/runtime/resources.js';
import { ROOT } from './analysis/processes.js';
import { eventually, testCluster } from './cluster/test-env.js';
import { apiClient, createNamespace, deploymentState, getRelease, modelSpec, scrapeMetric, withOperatorLogs } from './operator/harness.js';
import { RESTRICTED_NAMESPACE_LABELS, restrictedPod } from './cluster/pod-security.js';
import { startNodeModelHost } from './observe/node-model-host.js';
import { deleteNamespace } from './observe/chart-release.js';
import { installOperator, type OperatorPod } from './observe/operator-pod.js';
import { gatewayTraffic, type GatewayAnswer, type GatewayTraffic } from './operator/gateway-traffic.js';

const NS = `op-faults-${Date.now().toString(36)}`;
const INTERVAL_S = 2;
/** The crash-looping candidate's server exits on this inference request. */
const EXIT_AFTER = 20;
const CANDIDATE = '1.1.0 (candidate)';
const cluster = testCluster();
const { client, rest, close } = apiClient(cluster.kubeconfig);
let host: ModelHost;
let operator: OperatorPod;
const traffics: GatewayTraffic[] = [];
const figures: string[] = [];

const OFF = { drift: { enabled: false }, availability: { enabled: false }, latencyP95: { enabled: false }, errorRate: { enabled: false }, rejectionRatio: { enabled: false } };

/** A release of 1.0.0 whose pods carry `env` (the candidate-only faults), judged by `checks` alone. */
function release(name: string, checks: Record<string, unknown>, env: Record<string, string> = {}, serving: Partial<ModelReleaseSpec['serving']> = {}, analysis: Record<string, unknown> = {}): ModelRelease {
  return {
    apiVersion: 'serving.tern.dev/v1alpha1',
    kind: 'ModelRelease',
    metadata: { name, namespace: NS },
    spec: {
      model: modelSpec('1.0.0', host.url),
      serving: { replicas: 2, env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })), ...serving } as ModelReleaseSpec['serving'],
      rollout: {
        steps: [{ setWeight: 50, pause: '60s' }],
        analysis: { interval: `${INTERVAL_S}s`, minSampleCount: 5, checks: { ...OFF, ...checks }, ...analysis },
        bakeTime: '0s',
      },
    } as ModelReleaseSpec,
  };
}

const faultEnv = (env: Record<string, string>) => ({ TERN_FAULT_VERSION: '1.1.0', ...env });

beforeAll(async () => {
  host = await startNodeModelHost();
  await createNamespace(client, NS, RESTRICTED_NAMESPACE_LABELS);
  operator = await installOperator(cluster, NS, 'faults-e2e');
  const releases = [
    release('crash', { availability: { enabled: true }, errorRate: { enabled: true } }, faultEnv({ TERN_FAULT_EXIT_AFTER: String(EXIT_AFTER) })),
    release('fail-all', { availability: { enabled: true } }, faultEnv({ TERN_FAULT_5XX_RATIO: '1' })),
    release('fail-some', { errorRate: { enabled: true } }, faultEnv({ TERN_FAULT_5XX_RATIO: '0.2' })),
    release('slow', { latencyP95: { enabled: true, maxSeconds: 0.3 } }, faultEnv({ TERN_FAULT_DELAY_MS: '600' })),
    // 2 stable pods x 2 GPUs of the node's 8; the GPU hog below takes the other 4.
    release('gpu', {}, {}, { gpu: 2 }, { progressDeadline: '20s' }),
  ];
  // All stable tracks start together: the cases below then only wait for their candidates.
  for (const r of releases) await client.apply(MODEL_RELEASES, r as unknown as KubernetesObject);
  for (const r of releases) await eventually(`${r.metadata.name} Healthy on 1.0.0`, async () => ((await status(r.metadata.name)).phase === 'Healthy' ? true : undefined), 240_000, 500);
}, 300_000);

afterAll(async () => {
  for (const t of traffics) await t.stop().catch(() => undefined);
  await operator?.stop();
  for (const name of ['crash', 'fail-all', 'fail-some', 'slow', 'gpu']) await client.delete(MODEL_RELEASES, NS, name).catch(() => undefined);
  await client.delete(PODS, NS, 'gpu-hog').catch(() => undefined);
  await deleteNamespace(cluster, NS);
  await host?.close();
  close();
  if (figures.length > 0) console.log(`candidate faults (interval ${INTERVAL_S} s):\n${figures.join('\n')}`);
}, 180_000);

const withLogs = <T>(body: () => Promise<T>) => withOperatorLogs(cluster, () => [operator], body);
const tern = (...args: string[]) => promisify(execFile)(process.execPath, [join(ROOT, 'bin/tern.js'), ...args, '-n', NS], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });
const status = async (name: string) => (await getRelease(client, NS, name)).status ?? {};
const setModel = (name: string, model: ModelReleaseSpec['model']) => client.patch(MODEL_RELEASES, NS, name, { spec: { model } }, { patchType: 'merge' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** Traffic through the gateway of `name`, once 1.0.0 answers there. */
async function trafficFor(name: string): Promise<GatewayTraffic> {
  const traffic = await gatewayTraffic(client, rest, NS, name);
  traffics.push(traffic);
  await eventually(`${name}: 1.0.0 answering through the gateway`, async () => (traffic.of('1.0.0').length >= 10 ? true : undefined), 30_000);
  return traffic;
}

/** How a fault's rollback must read: the Degraded/history reason, the failed check (if analysis caught it), tern_rollbacks_total{reason}. */
interface Expected {
  reason: string;
  check?: string;
  metric: string;
}

/**
 * Releases 1.1.0 on `name` (whose candidate suffers a fault) under traffic and waits for the rollback;
 * checks it reads as `expected`, that users never met an empty Service, and that the stable track always
 * had a ready pod. `faultAt` says, from the candidate's answers at the gateway, when users first met the fault.
 */
async function rollbackUnderFault(name: string, expected: Expected, faultAt: (candidate: GatewayAnswer[]) => number | undefined, fault: string): Promise<void> {
  const traffic = await trafficFor(name);
  await setModel(name, modelSpec('1.1.0', host.url));
  let stableMinReady = Number.POSITIVE_INFINITY;
  const st = await eventually(`${name}: 1.1.0 rolled back`, async () => {
    const s = await status(name);
    stableMinReady = Math.min(stableMinReady, (await deploymentState(client, NS, `${name}-stable`))?.ready ?? 0);
    if (s.phase === 'Healthy' && s.stable?.version === '1.1.0') throw new Error('1.1.0 was promoted');
    return s.phase === 'RolledBack' ? s : undefined;
  }, 180_000, 200);
  await eventually(`${name}: candidate scaled to 0, stable on 1.0.0 with 2 ready pods`, async () => {
    const stable = await deploymentState(client, NS, `${name}-stable`);
    stableMinReady = Math.min(stableMinReady, stable?.ready ?? 0);
    const canary = await deploymentState(client, NS, `${name}-canary`);
    return canary?.replicas === 0 && stable?.version === '1.0.0' && stable.ready === 2 ? true : undefined;
  }, 60_000, 200);
  await sleep(1_000); // answers in flight arrive
  await traffic.stop();

  const candidate = traffic.of(CANDIDATE);
  const firstBad = faultAt(candidate) ?? Number.NaN;
  const rolledBack = Date.parse(st.history?.[0]?.finishedAt ?? '');
  const lastCandidate = candidate[candidate.length - 1]?.at ?? Number.NaN;
  const failed = traffic.failures();
  figures.push(
    `FAULT ${fault} (${name}): ended ${st.phase} (${st.history?.[0]?.failedCheck ? `${st.history[0].failedCheck.name} ${st.history[0].failedCheck.value} vs ${st.history[0].failedCheck.threshold}` : st.history?.[0]?.reason}); ` +
      `user requests ${traffic.answers.length}, failed ${JSON.stringify(failed)}, candidate answered ${candidate.length}; ` +
      `rollback ${seconds(rolledBack - firstBad)} s after users first met the fault, ${lastCandidate > rolledBack ? `last candidate answer ${seconds(lastCandidate - rolledBack)} s after the rollback` : 'no candidate answer after the crash'}`,
  );
  console.log(figures[figures.length - 1]);

  expect(st.history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'RolledBack', reason: expected.reason, ...(expected.check ? { failedCheck: { name: expected.check, outcome: 'Failed' } } : {}) });
  const degraded = st.conditions?.find((c) => c.type === 'Degraded');
  expect(degraded).toMatchObject({ status: 'True', reason: expected.reason });
  if (expected.check) expect(degraded?.message).toContain(expected.check);
  expect(st.stable?.version).toBe('1.0.0');
  const rollbacks = await eventually(`tern_rollbacks_total{release="${name}"}`, () => scrapeMetric(operator.metricsUrl, 'tern_rollbacks_total', { release: name, reason: expected.metric }), 10_000, 100);
  expect(rollbacks).toBe(1);
  expect(candidate.length).toBeGreaterThan(0);
  expect(traffic.of('none')).toEqual([]); // the release Service was never empty
  expect(stableMinReady).toBeGreaterThanOrEqual(1);
  expect(rolledBack - firstBad).toBeLessThanOrEqual((INTERVAL_S + 2) * 1000);
  expect(lastCandidate - rolledBack).toBeLessThanOrEqual(2_000);
  expect(Object.keys(failed).filter((v) => v !== CANDIDATE)).toEqual([]); // only the candidate failed users
}

const firstFailed = (answers: GatewayAnswer[]) => answers.find((a) => a.status >= 500)?.at;

describe('candidate faults mid-release', () => {
  it('a crash-looping candidate (its server exits on the 20th request): rolled back within interval + 2 s of the crash', () =>
    // The crash comes right after the candidate's 19th answer (the 20th request is never answered).
    withLogs(() => rollbackUnderFault('crash', { reason: 'CandidateRestarted', metric: 'CandidateRestarts' }, (c) => c[EXIT_AFTER - 2]?.at, 'crash loop')), 300_000);

  it('a candidate failing every request: availability fails, rolled back within interval + 2 s', () =>
    withLogs(() => rollbackUnderFault('fail-all', { reason: 'AnalysisFailed', check: 'availability', metric: 'availability' }, firstFailed, '5xx 100 %')), 300_000);

  it('a candidate failing 20 % of requests: errorRate fails, rolled back within interval + 2 s', () =>
    withLogs(() => rollbackUnderFault('fail-some', { reason: 'AnalysisFailed', check: 'errorRate', metric: 'errorRate' }, firstFailed, '5xx 20 %')), 300_000);

  it('a candidate 600 ms slower: latencyP95 fails, rolled back within interval + 2 s', () =>
    // Every candidate answer is late: the first one is the first bad answer.
    withLogs(() => rollbackUnderFault('slow', { reason: 'AnalysisFailed', check: 'latencyP95', metric: 'latencyP95' }, (c) => c[0]?.at, 'latency +600 ms')), 300_000);

  it('an artifact whose sha256 differs: never ready, no traffic, rolled back at once with Sha256Mismatch and what to do', () =>
    withLogs(async () => {
      // fail-some is RolledBack on 1.0.0 now (or still on 1.1.0: a new model supersedes it either way).
      const traffic = await trafficFor('fail-some');
      const model = { ...modelSpec('1.2.0', host.url), sha256: modelSpec('1.0.0', host.url).sha256 };
      const from = Date.now();
      await setModel('fail-some', model);
      let stableMinReady = Number.POSITIVE_INFINITY;
      const st = await eventually('fail-some: 1.2.0 rolled back', async () => {
        const s = await status('fail-some');
        stableMinReady = Math.min(stableMinReady, (await deploymentState(client, NS, 'fail-some-stable'))?.ready ?? 0);
        if (s.phase === 'Canary') throw new Error('a candidate whose sha256 differs reached the canary');
        return s.phase === 'RolledBack' && s.history?.[0]?.version === '1.2.0' ? s : undefined;
      }, 120_000, 250);
      await sleep(1_000);
      await traffic.stop();
      const degraded = st.conditions?.find((c) => c.type === 'Degraded');
      figures.push(
        `FAULT sha256 mismatch (fail-some): ended ${st.phase} (${degraded?.reason}) ${seconds(Date.parse(st.history?.[0]?.finishedAt ?? '') - from)} s after spec.model changed; ` +
          `user requests ${traffic.answers.length}, failed ${JSON.stringify(traffic.failures())}, candidate answered ${traffic.of('1.2.0 (candidate)').length}`,
      );
      console.log(figures[figures.length - 1]);
      expect(degraded).toMatchObject({ status: 'True', reason: 'Sha256Mismatch' });
      expect(degraded?.message).toMatch(/pod fail-some-canary-\S+: Sha256Mismatch: sha256 mismatch for http:\/\/.*species-1\.2\.0\.onnx: expected [0-9a-f]{64}, got [0-9a-f]{64}/);
      expect(degraded?.message).toContain('correct spec.model.sha256');
      expect(st.message).toContain('`tern retry`');
      expect(st.history?.[0]).toMatchObject({ version: '1.2.0', outcome: 'RolledBack', reason: 'Sha256Mismatch' });
      expect(traffic.of('1.2.0 (candidate)')).toEqual([]);
      expect(traffic.failures()).toEqual({});
      expect(stableMinReady).toBe(2); // staging never touches stable
      expect(await scrapeMetric(operator.metricsUrl, 'tern_rollbacks_total', { release: 'fail-some', reason: 'Sha256Mismatch' })).toBe(1);
    }), 300_000);

  it('a candidate asking for GPUs no node has free: held with the scheduler\'s reason, rolled back at the progress deadline, `tern retry` works once capacity exists', () =>
    withLogs(async () => {
      await client.apply(PODS, restrictedPod(NS, 'gpu-hog', ['sleep', '600'], { limits: { 'nvidia.com/gpu': '4' } }) as KubernetesObject);
      await eventually('the GPU hog running', async () => ((await client.get<KubernetesObject & { status?: { phase?: string } }>(PODS, NS, 'gpu-hog'))?.status?.phase === 'Running' ? true : undefined), 60_000);
      const traffic = await trafficFor('gpu');
      const from = Date.now();
      await setModel('gpu', modelSpec('1.1.0', host.url));
      let heldWithReason = false;
      let stableMinReady = Number.POSITIVE_INFINITY;
      const st = await eventually('gpu: 1.1.0 rolled back at the progress deadline', async () => {
        const s = await status('gpu');
        stableMinReady = Math.min(stableMinReady, (await deploymentState(client, NS, 'gpu-stable'))?.ready ?? 0);
        if (s.phase === 'Staging' && /Unschedulable: 0\/\d+ nodes are available: .*Insufficient nvidia\.com\/gpu/.test(s.message ?? '')) heldWithReason = true;
        return s.phase === 'RolledBack' ? s : undefined;
      }, 120_000, 250);
      const rolledBackS = (Date.parse(st.history?.[0]?.finishedAt ?? '') - from) / 1000;
      const degraded = st.conditions?.find((c) => c.type === 'Degraded');
      expect(heldWithReason).toBe(true);
      expect(degraded).toMatchObject({ status: 'True', reason: 'CandidateNotReady' });
      expect(degraded?.message).toMatch(/after the progress deadline 20s: pod gpu-canary-\S+: Unschedulable: 0\/\d+ nodes are available: .*Insufficient nvidia\.com\/gpu/);
      expect(degraded?.message).toContain('free capacity');
      expect(rolledBackS).toBeGreaterThanOrEqual(20);
      expect(await deploymentState(client, NS, 'gpu-stable')).toMatchObject({ version: '1.0.0', ready: 2 });
      expect(stableMinReady).toBe(2);

      // Capacity comes back; `tern retry` stages 1.1.0 again and it reaches the canary step.
      await client.delete(PODS, NS, 'gpu-hog');
      await eventually('the GPU hog gone', async () => ((await client.get(PODS, NS, 'gpu-hog')) ? undefined : true), 60_000);
      await tern('retry', 'gpu');
      await eventually('gpu: 1.1.0 in the canary after tern retry', async () => {
        const s = await status('gpu');
        const canary = await deploymentState(client, NS, 'gpu-canary');
        return s.phase === 'Canary' && s.candidate?.version === '1.1.0' && (canary?.ready ?? 0) >= 1 ? true : undefined;
      }, 120_000, 250);
      await eventually('1.1.0 answering users', async () => (traffic.of(CANDIDATE).length > 0 ? true : undefined), 30_000);
      await traffic.stop();
      figures.push(
        `FAULT unschedulable candidate (gpu): ended RolledBack (CandidateNotReady, scheduler: Insufficient nvidia.com/gpu) ${rolledBackS.toFixed(1)} s after spec.model changed (progressDeadline 20s); ` +
          `user requests ${traffic.answers.length}, failed ${JSON.stringify(traffic.failures())}; after tern retry with capacity: Canary`,
      );
      console.log(figures[figures.length - 1]);
      expect(traffic.failures()).toEqual({});
    }), 300_000);
});
