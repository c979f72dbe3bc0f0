// End to end on the local cluster's real node (kubelet, containerd, the images built from the Dockerfile) with the
// operator installed by the chart as a pod and tern-server pods: a release goes 1.0.0 -> Healthy,
// then 1.1.0 through staging and every canary step to Healthy, with the ready-pod split (replicas router)
// and the HTTPRoute weights (gatewayAPI router) checked at every step; `kubectl get mr` shows the
// columns; a converged release causes no API writes. The namespace enforces Pod Security `restricted`
// (the apiserver's PodSecurity admission): every tern-server pod of the rollout must be admitted by it.
import { execFileSync } from 'node:child_process';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelHost } from '../models/model-host.js';
import { MODEL_RELEASES } from '../operator/api/resource.js';
import type { ModelReleaseSpec } from '../operator/api/model-release-schema.js';
import { DEPLOYMENTS, HTTP_ROUTES, SERVICES } from '../operator/runtime/resources.js';
import { routeWeights } from '../operator/routers/gateway-api.js';
import { resolveRelease } from '../operator/model/resolved-spec.js';
import type { KubeObject } from '../operator/desired/kube-object.js';
import { eventually, testCluster } from './cluster/test-env.js';
import { RESTRICTED_NAMESPACE_LABELS } from './cluster/pod-security.js';
import { apiClient, createNamespace, deploymentState, e2eRelease, getRelease, modelSpec, scrapeMetric, withOperatorLogs } from './operator/harness.js';
import { startNodeModelHost } from './observe/node-model-host.js';
import { deleteNamespace } from './observe/chart-release.js';
import { installOperator, type OperatorPod } from './observe/operator-pod.js';

const NS = `op-rollout-${Date.now().toString(36)}`;
const cluster = testCluster();
const { client, close } = apiClient(cluster.kubeconfig);
let host: ModelHost;
let operator: OperatorPod;

beforeAll(async () => {
  host = await startNodeModelHost();
  await createNamespace(client, NS, RESTRICTED_NAMESPACE_LABELS);
  operator = await installOperator(cluster, NS, 'rollout-e2e');
}, 180_000);

afterAll(async () => {
  await operator?.stop();
  await client.delete(MODEL_RELEASES, NS, 'species').catch(() => undefined);
  await client.delete(MODEL_RELEASES, NS, 'species-gw').catch(() => undefined);
  await deleteNamespace(cluster, NS);
  await host?.close();
  close();
}, 120_000);

const withLogs = <T>(body: () => Promise<T>) => withOperatorLogs(cluster, () => [operator], body);

async function waitPhase(name: string, phase: string, version: string, timeoutMs = 120_000): Promise<void> {
  await eventually(`${name} ${phase} on ${version}`, async () => {
    const r = await getRelease(client, NS, name);
    return r.status?.phase === phase && r.status.stable?.version === version ? true : undefined;
  }, timeoutMs, 250);
}

async function setModel(name: string, version: string): Promise<void> {
  await client.patch(MODEL_RELEASES, NS, name, { spec: { model: modelSpec(version, host.url) } }, { patchType: 'merge' });
}

describe('tern-operator rollouts', () => {
  it('replicas router: 1.0.0 Healthy, then 1.1.0 through every step with the ready-pod split, never an empty Service', () =>
    withLogs(async () => {
      // Requests in spellings the apiserver stores otherwise (0.1 -> 100m, 131072Ki -> 128Mi): no set-back either (checked below).
      const serving = { replicas: 2, resources: { requests: { cpu: '0.1', memory: '131072Ki' } } } as unknown as ModelReleaseSpec['serving'];
      const first = e2eRelease('species', NS, modelSpec('1.0.0', host.url), { serving });
      // The 100 % step's pause runs from the step's start, while its second candidate pod is still starting
      // (a container: image, model download, warm-up, a 2 s readiness period): 10 s leaves that state on
      // view for a while. With 3 s the step could end the moment the pod was ready, too briefly to be seen.
      first.spec.rollout = { ...first.spec.rollout!, steps: [{ setWeight: 50, pause: '6s' }, { setWeight: 100, pause: '10s' }] };
      await client.apply(MODEL_RELEASES, first as unknown as KubernetesObject);
      await waitPhase('species', 'Healthy', '1.0.0');
      expect(await deploymentState(client, NS, 'species-stable')).toMatchObject({ replicas: 2, ready: 2, version: '1.0.0' });

      await setModel('species', '1.1.0');
      const seen: string[] = [];
      let emptyService = 0;
      const stepChecks = new Map<number, boolean>();
      await eventually('species Healthy on 1.1.0 after every step', async () => {
        const r = await getRelease(client, NS, 'species');
        const st = r.status ?? {};
        const label = `${st.phase}${st.currentStep !== undefined ? `:${st.currentStep}` : ''}`;
        if (seen[seen.length - 1] !== label) seen.push(label);
        const stable = await deploymentState(client, NS, 'species-stable');
        const canary = await deploymentState(client, NS, 'species-canary');
        if ((stable?.ready ?? 0) + (canary?.ready ?? 0) === 0) emptyService += 1;
        const svc = await client.get<KubernetesObject & { spec?: { selector?: Record<string, string> } }>(SERVICES, NS, 'species');
        const selected = svc?.spec?.selector?.['serving.tern.dev/track'];
        const selectsBoth = selected === undefined;
        // 50 % of 2 replicas: 1 candidate pod and 1 stable pod, both behind the release Service.
        if (st.phase === 'Canary' && st.currentStep === 0 && canary?.ready === 1 && canary.replicas === 1 && stable?.replicas === 1 && stable.ready === 1 && selectsBoth) stepChecks.set(0, true);
        // 100 %: 2 candidate pods ready, and the candidate track alone selected (not the warm 1.0.0 pod of the previous track).
        if (st.phase === 'Canary' && st.currentStep === 1 && canary?.ready === 2 && selected === 'canary') stepChecks.set(1, true);
        return st.phase === 'Healthy' && st.stable?.version === '1.1.0' ? true : undefined;
      }, 180_000, 200);
      expect(seen).toEqual(expect.arrayContaining(['Staging', 'Canary:0', 'Canary:1', 'Healthy']));
      expect(seen.indexOf('Staging')).toBeLessThan(seen.indexOf('Canary:0'));
      expect(seen.indexOf('Canary:0')).toBeLessThan(seen.indexOf('Canary:1'));
      expect([...stepChecks.keys()].sort()).toEqual([0, 1]);
      expect(emptyService).toBe(0);

      await eventually('stable on 1.1.0 with 2 ready pods, candidate scaled to 0', async () => {
        const stable = await deploymentState(client, NS, 'species-stable');
        const canary = await deploymentState(client, NS, 'species-canary');
        return stable?.version === '1.1.0' && stable.ready === 2 && canary?.replicas === 0 ? true : undefined;
      }, 60_000);
      const svc = await client.get<KubernetesObject & { spec?: { selector?: Record<string, string> } }>(SERVICES, NS, 'species');
      expect(svc?.spec?.selector).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'stable' });
      const release = await getRelease(client, NS, 'species');
      expect(release.status?.history?.map((h) => `${h.version}:${h.outcome}`)).toEqual(['1.1.0:Promoted', '1.0.0:Promoted']);
      expect(release.status?.observedGeneration).toBe(release.metadata.generation);

      const table = execFileSync(cluster.kubectl, ['get', 'mr', '-n', NS, 'species'], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig }, encoding: 'utf8' });
      expect(table.split('\n')[0]).toMatch(/NAME\s+PHASE\s+STABLE\s+CANDIDATE\s+WEIGHT\s+AGE/);
      expect(table.split('\n')[1]).toMatch(/species\s+Healthy\s+1\.1\.0\s+(<none>\s+)?0\s+/);

      // PodSecurity `restricted` admitted every pod of the rollout: no ReplicaSet was refused a pod.
      const refused = await cluster.kube.request<{ items: { message?: string }[] }>('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=reason%3DFailedCreate`);
      expect(refused.items.map((e) => e.message)).toEqual([]);
      // What the operator applies reads back as it sent it (e.g. quantities in canonical form): nothing to set back.
      const reverted = await cluster.kube.request<{ items: { message?: string }[] }>('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=reason%3DOwnedObjectReverted`);
      expect(reverted.items.map((e) => e.message)).toEqual([]);
    }), 300_000);

  it('gatewayAPI router: the HTTPRoute carries each step\'s weights to the per-track Services', () =>
    withLogs(async () => {
      await client.apply(MODEL_RELEASES, e2eRelease('species-gw', NS, modelSpec('1.0.0', host.url), { traffic: { router: 'gatewayAPI' } }) as unknown as KubernetesObject);
      await waitPhase('species-gw', 'Healthy', '1.0.0');
      const spec = resolveRelease(await getRelease(client, NS, 'species-gw'));
      const weightsNow = async () => {
        const route = await client.get<KubernetesObject>(HTTP_ROUTES, NS, 'species-gw');
        return route ? routeWeights(route as unknown as KubeObject, spec) : undefined;
      };
      expect(await weightsNow()).toEqual({ stable: 100, candidate: 0, mirror: 0 });

      await setModel('species-gw', '1.1.0');
      const byStep = new Map<string, number>();
      await eventually('species-gw Healthy on 1.1.0', async () => {
        const st = (await getRelease(client, NS, 'species-gw')).status ?? {};
        const w = await weightsNow();
        // The first sample of each step: the operator applies the route before it writes the step into
        // status, so a late sample of step k may already see step k+1's route.
        const key = `${st.phase}${st.currentStep !== undefined ? `:${st.currentStep}` : ''}`;
        if (w && !byStep.has(key)) byStep.set(key, w.candidate);
        return st.phase === 'Healthy' && st.stable?.version === '1.1.0' ? true : undefined;
      }, 180_000, 200);
      expect(byStep.get('Staging')).toBe(0);
      expect(byStep.get('Canary:0')).toBe(50);
      expect(byStep.get('Canary:1')).toBe(100);
      expect(await weightsNow()).toEqual({ stable: 100, candidate: 0, mirror: 0 });
      // Exact weights: both tracks keep their full size during the canary; the candidate is scaled to 0 at the end.
      await eventually('candidate scaled to 0', async () => ((await deploymentState(client, NS, 'species-gw-canary'))?.replicas === 0 ? true : undefined), 30_000);
    }), 300_000);

  it('a converged, idle release causes zero API writes (lease renewals aside)', () =>
    withLogs(async () => {
      const writes = async () => {
        const all = (await scrapeMetric(operator.metricsUrl, 'tern_api_writes_total')) ?? 0;
        const leases = (await scrapeMetric(operator.metricsUrl, 'tern_api_writes_total', { resource: 'leases' })) ?? 0;
        return all - leases;
      };
      // Let the last scale-downs settle: no candidate pod counted by the Deployment controller any more,
      // then no write for 3 s (a fixed 5 s sleep assumed this takes less on however busy a machine).
      const podsLeft = async (name: string) =>
        (await client.get<KubernetesObject & { status?: { replicas?: number } }>(DEPLOYMENTS, NS, name))?.status?.replicas ?? 0;
      let last = -1;
      await eventually('candidate pods gone and no operator write for 3 s', async () => {
        const now = await writes();
        const settled = now === last && (await podsLeft('species-canary')) === 0 && (await podsLeft('species-gw-canary')) === 0;
        last = now;
        return settled ? true : undefined;
      }, 60_000, 3_000);
      const before = await writes();
      expect(before).toBeGreaterThan(0); // the rollouts above did write: the counter is live
      await new Promise((r) => setTimeout(r, 20_000));
      expect(await writes()).toBe(before);
    }), 120_000);
});
