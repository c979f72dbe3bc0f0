// End to end, analysis and rollback through the operator with the pods provider (no Prometheus) and live
// traffic spread over the pods behind the release Service: 1.0.0 -> 1.1.0 with healthy traffic is promoted
// with every check measured; 1.2.0 (the drifting model) is rolled back automatically at its first step,
// stable keeps serving 1.1.0, and the rollback is visible in status, events and metrics.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelHost } from '../models/model-host.js';
import type { ModelReleaseSpec } from '../operator/api/model-release-schema.js';
import { MODEL_RELEASES } from '../operator/api/resource.js';
import { eventually, testCluster } from './cluster/test-env.js';
import { apiClient, createNamespace, deploymentState, getRelease, modelSpec, scrapeMetric, withOperatorLogs } from './operator/harness.js';
import { RESTRICTED_NAMESPACE_LABELS } from './cluster/pod-security.js';
import { startNodeModelHost } from './observe/node-model-host.js';
import { deleteNamespace } from './observe/chart-release.js';
import { installOperator, type OperatorPod } from './observe/operator-pod.js';
import { serviceTraffic, type ServiceTraffic } from './operator/service-traffic.js';

const NS = `op-rollback-${Date.now().toString(36)}`;
const cluster = testCluster();
const { client, close } = apiClient(cluster.kubeconfig);
let host: ModelHost;
let operator: OperatorPod;
let traffic: ServiceTraffic | undefined;

beforeAll(async () => {
  host = await startNodeModelHost();
  await createNamespace(client, NS, RESTRICTED_NAMESPACE_LABELS);
  operator = await installOperator(cluster, NS, 'rollback-e2e');
}, 180_000);

afterAll(async () => {
  await traffic?.stop();
  await operator?.stop();
  await client.delete(MODEL_RELEASES, NS, 'species').catch(() => undefined);
  await deleteNamespace(cluster, NS);
  await host?.close();
  close();
}, 180_000);

const withLogs = <T>(body: () => Promise<T>) => withOperatorLogs(cluster, () => [operator], body);

const status = async () => (await getRelease(client, NS, 'species')).status ?? {};
const setModel = (version: string) => client.patch(MODEL_RELEASES, NS, 'species', { spec: { model: modelSpec(version, host.url) } }, { patchType: 'merge' });

describe('analysis drives the rollout (pods provider, live traffic)', () => {
  it('promotes 1.1.0 on healthy traffic, then rolls 1.2.0 back on drift at its first step', () =>
    withLogs(async () => {
      const release = {
        apiVersion: 'serving.tern.dev/v1alpha1',
        kind: 'ModelRelease',
        metadata: { name: 'species', namespace: NS },
        spec: {
          model: modelSpec('1.0.0', host.url),
          serving: { replicas: 2 },
          rollout: {
            steps: [
              { setWeight: 25, pause: '20s' },
              { setWeight: 100, pause: '10s' },
            ],
            analysis: { interval: '3s', minSampleCount: 10 },
          },
        } as ModelReleaseSpec,
      };
      await client.apply(MODEL_RELEASES, release as unknown as KubernetesObject);
      await eventually('Healthy on 1.0.0', async () => ((await status()).phase === 'Healthy' ? true : undefined), 120_000);
      traffic = serviceTraffic(client, NS, 'species', 8080);

      await setModel('1.1.0');
      let sawMeasuredStep = false;
      await eventually('1.1.0 promoted with analysis passing', async () => {
        const st = await status();
        if (st.phase === 'RolledBack') throw new Error(`1.1.0 was rolled back: ${st.message}`);
        if (st.phase === 'Canary' && (st.analysis ?? []).some((r) => r.name === 'drift' && r.outcome === 'Successful')) sawMeasuredStep = true;
        return st.phase === 'Healthy' && st.stable?.version === '1.1.0' ? true : undefined;
      }, 240_000, 500);
      expect(sawMeasuredStep).toBe(true);
      expect(traffic.byVersion.get('1.1.0') ?? 0).toBeGreaterThan(0);

      await setModel('1.2.0');
      let furthestStep = -1;
      await eventually('1.2.0 rolled back', async () => {
        const st = await status();
        if (st.phase === 'Canary' && st.candidate?.version === '1.2.0') furthestStep = Math.max(furthestStep, st.currentStep ?? -1);
        if (st.phase === 'Healthy' && st.stable?.version === '1.2.0') throw new Error('1.2.0 was promoted');
        return st.phase === 'RolledBack' ? st : undefined;
      }, 240_000, 500);
      expect(furthestStep).toBe(0); // caught at the first step (25 %), never reached the next
      const st = await status();
      const degraded = st.conditions?.find((c) => c.type === 'Degraded');
      expect(degraded).toMatchObject({ status: 'True', reason: 'AnalysisFailed' });
      expect(degraded?.message).toMatch(/drift/);
      expect(st.canaryWeight).toBe(0);
      expect(st.stable?.version).toBe('1.1.0');
      expect(st.history?.[0]).toMatchObject({ version: '1.2.0', outcome: 'RolledBack' });
      // The operator counts the rollback after its status write has returned, so the status can be read
      // before the counter moves: wait for the series to appear, then require exactly one.
      const rollbacks = await eventually('tern_rollbacks_total{reason="drift"} on the operator', () => scrapeMetric(operator.metricsUrl, 'tern_rollbacks_total', { reason: 'drift' }), 10_000, 100);
      expect(rollbacks).toBe(1);

      await eventually('candidate scaled to 0, stable serving 1.1.0 on every pod', async () => {
        const stable = await deploymentState(client, NS, 'species-stable');
        const canary = await deploymentState(client, NS, 'species-canary');
        return canary?.replicas === 0 && stable?.version === '1.1.0' && stable.ready === 2 ? true : undefined;
      }, 60_000);
      // No automatic retry: it stays rolled back.
      await new Promise((r) => setTimeout(r, 8_000));
      expect((await status()).phase).toBe('RolledBack');
    }), 600_000);
});
