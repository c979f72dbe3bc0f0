// End to end: the operator is SIGKILLed mid-canary and a new one resumes the same step with no weight
// flap (the route is not even rewritten); `tern promote` and `tern status` drive and show it; with two
// replicas exactly one leads, and the standby takes over within the lease time when the leader dies.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelHost } from '../models/model-host.js';
import type { KubeObject } from '../operator/desired/kube-object.js';
import { resolveRelease } from '../operator/model/resolved-spec.js';
import { routeWeights } from '../operator/routers/gateway-api.js';
import { MODEL_RELEASES } from '../operator/api/resource.js';
import { HTTP_ROUTES, LEASES } from '../operator/runtime/resources.js';
import { ROOT } from './analysis/processes.js';
import { eventually, testCluster } from './cluster/test-env.js';
import { apiClient, createNamespace, e2eRelease, getRelease, modelSpec, scrapeMetric, withOperatorLogs } from './operator/harness.js';
import { RESTRICTED_NAMESPACE_LABELS } from './cluster/pod-security.js';
import { startNodeModelHost } from './observe/node-model-host.js';
import { deleteNamespace } from './observe/chart-release.js';
import { installOperator, type OperatorPod } from './observe/operator-pod.js';

const run = promisify(execFile);
const NS = `op-ha-${Date.now().toString(36)}`;
const cluster = testCluster();
const { client, close } = apiClient(cluster.kubeconfig);
let host: ModelHost;
const operators: OperatorPod[] = [];

beforeAll(async () => {
  host = await startNodeModelHost();
  await createNamespace(client, NS, RESTRICTED_NAMESPACE_LABELS);
}, 180_000);

afterAll(async () => {
  for (const o of operators) await o.stop();
  await client.delete(MODEL_RELEASES, NS, 'species').catch(() => undefined);
  await deleteNamespace(cluster, NS);
  await host?.close();
  close();
}, 180_000);

/** An operator installed by the chart as release `release`; its identity is its pod's name. */
async function operator(release: string): Promise<OperatorPod> {
  const o = await installOperator(cluster, NS, release);
  operators.push(o);
  return o;
}

const withLogs = <T>(body: () => Promise<T>) => withOperatorLogs(cluster, () => operators, body, 4000);

async function leaseHolder(): Promise<string | undefined> {
  const lease = await client.get<KubernetesObject & { spec?: { holderIdentity?: string } }>(LEASES, NS, 'tern-operator');
  return lease?.spec?.holderIdentity;
}

const tern = (...args: string[]) => run(process.execPath, [join(ROOT, 'bin/tern.js'), ...args, '-n', NS], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });

describe('tern-operator restarts and leader election', () => {
  it('SIGKILL mid-canary: a new operator resumes the same step with no weight flap; tern promote finishes it', () =>
    withLogs(async () => {
      const first = await operator('ha-a');
      const release = e2eRelease('species', NS, modelSpec('1.0.0', host.url), { traffic: { router: 'gatewayAPI' } });
      release.spec.rollout = { ...release.spec.rollout!, steps: [{ setWeight: 30 }, { setWeight: 100, pause: '2s' }] };
      await client.apply(MODEL_RELEASES, release as unknown as KubernetesObject);
      await eventually('Healthy on 1.0.0', async () => ((await getRelease(client, NS, 'species')).status?.phase === 'Healthy' ? true : undefined), 120_000);
      await client.patch(MODEL_RELEASES, NS, 'species', { spec: { model: modelSpec('1.1.0', host.url) } }, { patchType: 'merge' });
      await eventually('canary step 1 (30 %)', async () => ((await getRelease(client, NS, 'species')).status?.currentStep === 0 ? true : undefined), 120_000);

      const resolved = resolveRelease(await getRelease(client, NS, 'species'));
      const route = async () => (await client.get<KubernetesObject>(HTTP_ROUTES, NS, 'species')) as unknown as KubeObject & { metadata: { resourceVersion?: string } };
      await eventually('route at 30 %', async () => (routeWeights(await route(), resolved)?.candidate === 30 ? true : undefined), 30_000);
      const before = await getRelease(client, NS, 'species');
      const routeVersion = (await route()).metadata.resourceVersion;

      await first.kill();
      const second = await operator('ha-b');
      const weights: number[] = [];
      await eventually('ha-b holds the lease', async () => {
        weights.push(routeWeights(await route(), resolved)?.candidate ?? -1);
        return (await leaseHolder()) === second.identity ? true : undefined;
      }, 40_000, 200);
      await eventually('ha-b reconciling', async () => ((await scrapeMetric(second.metricsUrl, 'tern_reconcile_duration_seconds_count')) ?? 0) > 0 ? true : undefined, 30_000);
      for (let i = 0; i < 15; i++) {
        weights.push(routeWeights(await route(), resolved)?.candidate ?? -1);
        await new Promise((r) => setTimeout(r, 200));
      }
      const after = await getRelease(client, NS, 'species');
      expect(new Set(weights)).toEqual(new Set([30]));
      expect((await route()).metadata.resourceVersion).toBe(routeVersion);
      expect(after.status?.currentStep).toBe(0);
      expect(after.status?.stepSince).toBe(before.status?.stepSince);
      expect(after.status?.phase).toBe('Canary');

      const status = await tern('status', 'species');
      expect(status.stdout).toContain('Phase:     Canary');
      expect(status.stdout).toContain('Traffic:   stable 70%, candidate 30%  (router gatewayAPI)');
      const promoted = await tern('promote', 'species');
      expect(promoted.stdout).toContain('promote:');
      await eventually('Healthy on 1.1.0', async () => {
        const st = (await getRelease(client, NS, 'species')).status;
        return st?.phase === 'Healthy' && st.stable?.version === '1.1.0' ? true : undefined;
      }, 120_000);
    }), 360_000);

  it('two replicas: exactly one leads; the standby takes over within the lease time', () =>
    withLogs(async () => {
      const leader = operators.find((o) => o.alive());
      expect(leader?.release).toBe('ha-b');
      const standby = await operator('ha-c');
      await eventually('ha-c serving metrics', async () => ((await scrapeMetric(standby.metricsUrl, 'tern_leader')) !== undefined ? true : undefined), 20_000);
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await scrapeMetric(leader!.metricsUrl, 'tern_leader')).toBe(1);
      expect(await scrapeMetric(standby.metricsUrl, 'tern_leader')).toBe(0);
      expect(await leaseHolder()).toBe(leader!.identity);

      const killedAt = Date.now();
      await leader!.kill();
      await eventually('ha-c leads', async () => ((await scrapeMetric(standby.metricsUrl, 'tern_leader')) === 1 ? true : undefined), 30_000, 100);
      const failoverMs = Date.now() - killedAt;
      process.stderr.write(`leader failover after SIGKILL: ${failoverMs} ms (lease 15 s, retry 2 s)\n`);
      // The standby counts the lease from when it *saw* the last renewal, up to one retry period (2 s) after
      // the renewal, and then takes it at its next try, up to another retry period later: 15 s + 2 × 2 s
      // after the kill at worst, plus 1 s for requests and scrapes. (15 + 2 + 1 s left no room for them in
      // the worst phase: 15 s is not a multiple of the 2 s period, so takeover can come 18 s after the kill.)
      expect(failoverMs).toBeLessThanOrEqual(15_000 + 2 * 2_000 + 1_000);
      expect(await leaseHolder()).toBe(standby.identity);
    }), 120_000);
});
