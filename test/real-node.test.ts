// Acceptance of the real node (test/cluster/node/): containerd + runc + CNI + kubelet + kube-proxy +
// CoreDNS + the fake-GPU device plugin, running the images built from the Dockerfile, in the run's shared
// cluster (started by the jest global setup). What it checks is what a stand-in for the kubelet could not:
// a container's securityContext is enforced by the kernel, GPUs are allocated by the kubelet from a device
// plugin, ClusterIPs and DNS names answer from pods, `kubectl logs` and `exec` work, and Pod Security
// Admission `restricted` refuses a non-compliant pod. Then the operator as users run it: installed
// by `helm install charts/tern` into a `restricted` namespace, a pod of the tern-operator image with its own
// ServiceAccount, rolling tern-server pods of the tern-server image (weights from a model host on the node's
// address) through the canary to Healthy — and failing clearly when its Role loses a verb; then installed
// cluster-wide, the same with its ClusterRole.
import type { KubernetesObject } from '@kubernetes/client-node';
import { run } from '../charts/lib/tools.js';
import type { ModelHost } from '../models/model-host.js';
import { MODEL_RELEASES } from '../operator/api/resource.js';
import { ApiKubeClient } from '../operator/runtime/apply.js';
import { loadKubeConfig } from '../operator/runtime/kubeconfig.js';
import { RestClient } from '../operator/runtime/rest-client.js';
import type { LocalCluster } from './cluster/cluster.js';
import { KubeError } from './cluster/kube-http.js';
import { IN_CLUSTER_PROMETHEUS_URL } from './cluster/node/addons.js';
import { NODE_NAME } from './cluster/node/layout.js';
import { startNodeModelHost } from './observe/node-model-host.js';
import { RESTRICTED_NAMESPACE_LABELS, restrictedPod, SERVER_IMAGE } from './cluster/pod-security.js';
import { eventually, testCluster, withClusterLogs } from './cluster/test-env.js';
import { createNamespace, deleteNamespace, installChart, type ChartRelease } from './observe/chart-release.js';
import { e2eRelease, getRelease, modelSpec } from './operator/harness.js';

const NS = 'node-acceptance';
const OPERATOR_NS = 'node-tern-system';
const MODELS_NS = 'node-models';

interface Pod {
  metadata: { name: string };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

describe(`real node ${NODE_NAME}`, () => {
  let cluster: LocalCluster;
  const kubectl = (args: string[]) => run(cluster.kubectl, ['--kubeconfig', cluster.kubeconfig, '-n', NS, ...args]);
  const create = (obj: object) => cluster.kube.request('POST', `/api/v1/namespaces/${NS}/${(obj as { kind: string }).kind === 'Service' ? 'services' : 'pods'}`, obj);
  const pod = (name: string) => cluster.kube.request<Pod>('GET', `/api/v1/namespaces/${NS}/pods/${name}`);
  const running = (name: string) => eventually(`pod ${name} Ready`, async () => {
    const p = await pod(name);
    return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
  }, 90_000);

  let host: ModelHost | undefined;
  let chart: ChartRelease | undefined;
  let rest: RestClient | undefined;

  beforeAll(async () => {
    cluster = testCluster();
    for (const name of [NS, OPERATOR_NS, MODELS_NS]) await createNamespace(cluster, name, 120_000, RESTRICTED_NAMESPACE_LABELS);
  }, 300_000);

  afterAll(async () => {
    await cluster.kube.request('DELETE', `/apis/serving.tern.dev/v1alpha1/namespaces/${MODELS_NS}/modelreleases/species`).catch(() => undefined);
    await chart?.uninstall().catch(() => undefined);
    for (const name of [NS, OPERATOR_NS, MODELS_NS]) await deleteNamespace(cluster, name);
    // Gone before the next file: their pods hold GPUs of the node's 8 that other files count on.
    for (const name of [NS, MODELS_NS]) {
      await eventually(`namespace ${name} gone`, () => cluster.kube.request('GET', `/api/v1/namespaces/${name}`).then(() => undefined, (e: unknown) => (e instanceof KubeError && e.status === 404 ? true : undefined)), 120_000, 500);
    }
    await host?.close();
    rest?.close();
    cluster.kube.close();
  }, 180_000);

  it('runs an image with its securityContext enforced: non-root, no capabilities, seccomp, read-only root, writable /tmp; exec works', () =>
    withClusterLogs(cluster, async () => {
      await create(restrictedPod(NS, 'hardened', ['sleep', '3600']));
      await running('hardened');
      const exec = (cmd: string) => kubectl(['exec', 'hardened', '--', 'sh', '-c', cmd]);
      expect(exec('id -u; id -g').stdout.trim().split('\n')).toEqual(['65532', '65532']);
      const status = exec('grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status').stdout;
      expect(status).toMatch(/CapEff:\s+0000000000000000/);
      expect(status).toMatch(/NoNewPrivs:\s+1/);
      expect(status).toMatch(/Seccomp:\s+2/); // filter mode: the runtime's default profile
      const outside = exec('touch /app/written 2>&1; echo "exit $?"');
      expect(outside.stdout).toMatch(/Read-only file system/);
      expect(outside.stdout).toMatch(/exit 1/);
      expect(exec('touch /tmp/written && echo ok').stdout.trim()).toBe('ok');
    }), 180_000);

  it('allocates GPUs through the device plugin: 1 is granted with its device, 9 of 8 stay Pending', () =>
    withClusterLogs(cluster, async () => {
      await create(restrictedPod(NS, 'gpu-one', ['sh', '-c', 'echo "devices=$NVIDIA_VISIBLE_DEVICES"; sleep 3600'], { limits: { 'nvidia.com/gpu': '1' } }));
      await create(restrictedPod(NS, 'gpu-nine', ['sleep', '3600'], { limits: { 'nvidia.com/gpu': '9' } }));
      await running('gpu-one');
      const logs = await eventually('gpu-one logs its device', async () => {
        const out = kubectl(['logs', 'gpu-one']).stdout;
        return out.includes('devices=') ? out : undefined;
      }, 30_000);
      expect(logs.trim()).toMatch(/^devices=tern-gpu-[0-7]$/);
      const unscheduled = await eventually('gpu-nine Unschedulable', async () => {
        const p = await pod('gpu-nine');
        return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
      }, 30_000);
      expect(unscheduled.message).toMatch(/Insufficient nvidia\.com\/gpu/);
      expect((await pod('gpu-nine')).status?.phase).toBe('Pending');
    }), 180_000);

  it('routes a ClusterIP Service and resolves its DNS name from another pod (and Prometheus as prometheus.monitoring)', () =>
    withClusterLogs(cluster, async () => {
      const server = 'require("http").createServer((q, s) => s.end("hello from " + require("os").hostname())).listen(8080)';
      await create(restrictedPod(NS, 'echo', ['node', '-e', server], { port: 8080 }));
      await create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: NS }, spec: { selector: { app: 'echo' }, ports: [{ port: 80, targetPort: 8080 }] } });
      await running('echo');
      await running('hardened');
      const fetchFrom = (url: string) => kubectl(['exec', 'hardened', '--', 'node', '-e',
        `fetch(${JSON.stringify(url)}).then(async (r) => console.log(r.status, await r.text()), (e) => { console.log("failed", e.cause?.code ?? e.message); process.exit(1); })`]);
      const byName = await eventually('echo.node-acceptance.svc answers', async () => {
        const r = fetchFrom(`http://echo.${NS}.svc.cluster.local/`);
        return r.status === 0 ? r.stdout.trim() : undefined;
      }, 60_000);
      expect(byName).toBe('200 hello from echo');
      expect(fetchFrom('http://echo/').stdout.trim()).toBe('200 hello from echo');
      expect(fetchFrom(`${IN_CLUSTER_PROMETHEUS_URL}/-/ready`).stdout.trim()).toMatch(/^200 /);
    }), 180_000);

  it('refuses a pod that violates Pod Security restricted, naming what is wrong', () =>
    withClusterLogs(cluster, async () => {
      const refused = await create({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'root-pod', namespace: NS },
        spec: { containers: [{ name: 'main', image: SERVER_IMAGE, command: ['sleep', '3600'] }] },
      }).then(() => undefined, (err: unknown) => err);
      expect(refused).toBeInstanceOf(KubeError);
      expect((refused as KubeError).status).toBe(403);
      expect((refused as KubeError).message).toMatch(/violates PodSecurity "restricted:latest"/);
      expect((refused as KubeError).message).toMatch(/runAsNonRoot/);
    }), 60_000);

  it('runs the operator installed by helm: its own ServiceAccount, a restricted namespace, a release on GPUs rolled to Healthy', () =>
    withClusterLogs(cluster, async () => {
      host = await startNodeModelHost();
      const weights = host.url;
      chart = await installChart(cluster, { namespace: OPERATOR_NS, watchNamespaces: [MODELS_NS], set: ['image.pullPolicy=Never'], timeout: '180s' });
      const [operatorPod] = await chart.operatorPods();
      expect(operatorPod?.status?.phase).toBe('Running');
      rest = new RestClient(loadKubeConfig({ kubeconfigPath: cluster.kubeconfig }).access);
      const client = new ApiKubeClient(rest);
      // One GPU per pod: the kubelet hands each tern-server a device of the plugin's.
      await client.apply(MODEL_RELEASES, e2eRelease('species', MODELS_NS, modelSpec('1.0.0', weights), { serving: { replicas: 1, gpu: 1 } } as never) as unknown as KubernetesObject);
      const phase = (version: string, want: string) => eventually(`species ${want} on ${version}`, async () => {
        const r = await getRelease(client, MODELS_NS, 'species');
        return r.status?.phase === want && r.status.stable?.version === version ? r : undefined;
      }, 180_000, 500);
      await phase('1.0.0', 'Healthy');
      await client.patch(MODEL_RELEASES, MODELS_NS, 'species', { spec: { model: modelSpec('1.1.0', weights) } }, { patchType: 'merge' });
      const done = await phase('1.1.0', 'Healthy');
      expect(done.status?.history?.some((h) => h.version === '1.1.0')).toBe(true);
      // The tern-server pods the operator made run as the image's user with their securityContext.
      const pods = await cluster.kube.request<{ items: { spec: { securityContext?: { runAsNonRoot?: boolean } }; status?: { phase?: string; podIP?: string } }[] }>('GET', `/api/v1/namespaces/${MODELS_NS}/pods`);
      const running = pods.items.filter((p) => p.status?.phase === 'Running');
      expect(running.length).toBeGreaterThan(0);
      for (const p of pods.items) expect(p.spec.securityContext?.runAsNonRoot).toBe(true);
      // ...and tern-server reports the device it got.
      for (const p of running) {
        const readyz = await (await fetch(`http://${p.status?.podIP}:8080/readyz`, { signal: AbortSignal.timeout(5000) })).json() as { gpus?: { visible_devices: string; count: number | null } };
        expect(readyz.gpus).toEqual({ visible_devices: expect.stringMatching(/^tern-gpu-[0-7]$/), count: 1 });
      }
    }), 420_000);

  it('fails the reconcile with a clear message when the operator\'s Role loses a verb', () =>
    withClusterLogs(cluster, async () => {
      if (rest === undefined || host === undefined) throw new Error('needs the previous test (the operator installed)');
      const client = new ApiKubeClient(rest);
      const rolePath = `/apis/rbac.authorization.k8s.io/v1/namespaces/${MODELS_NS}/roles/tern-operator`;
      const role = await cluster.kube.request<{ rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }>('GET', rolePath);
      const rules = role.rules.map((r) => (r.apiGroups.includes('apps') && r.resources.includes('deployments') ? { ...r, verbs: r.verbs.filter((v) => v !== 'patch') } : r));
      await cluster.kube.request('PATCH', rolePath, { rules }, 'application/merge-patch+json');
      await client.patch(MODEL_RELEASES, MODELS_NS, 'species', { spec: { model: modelSpec('1.0.0', host.url) } }, { patchType: 'merge' });
      const synced = await eventually('species Synced=False', async () => {
        const r = await getRelease(client, MODELS_NS, 'species');
        return r.status?.conditions?.find((c) => c.type === 'Synced' && c.status === 'False');
      }, 60_000, 500);
      expect(synced).toMatchObject({
        reason: 'Forbidden',
        message: expect.stringMatching(/system:serviceaccount:node-tern-system:tern.* cannot patch resource "deployments"/),
      });
    }), 120_000);

  it('installed cluster-wide (a ClusterRole) it reconciles the release again, and fails clearly when the ClusterRole loses a verb', () =>
    withClusterLogs(cluster, async () => {
      if (rest === undefined || host === undefined || chart === undefined) throw new Error('needs the previous tests (the operator installed, the release there)');
      const client = new ApiKubeClient(rest);
      await chart.uninstall();
      chart = undefined;
      // No watchNamespaces: the chart grants a ClusterRole and the operator watches every namespace.
      chart = await installChart(cluster, { name: 'tern-all', namespace: OPERATOR_NS, set: ['image.pullPolicy=Never'], timeout: '180s' });
      const synced = (r: Awaited<ReturnType<typeof getRelease>>) => r.status?.conditions?.find((c) => c.type === 'Synced');
      // With every verb again, the release the Role could not roll (spec.model 1.0.0) goes through and is synced.
      await eventually('species Healthy on 1.0.0, Synced', async () => {
        const r = await getRelease(client, MODELS_NS, 'species');
        return r.status?.phase === 'Healthy' && r.status.stable?.version === '1.0.0' && synced(r)?.status === 'True' ? r : undefined;
      }, 180_000, 500);
      const clusterRolePath = '/apis/rbac.authorization.k8s.io/v1/clusterroles/tern-all-operator';
      const role = await cluster.kube.request<{ rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }>('GET', clusterRolePath);
      const rules = role.rules.map((r) => (r.apiGroups.includes('apps') && r.resources.includes('deployments') ? { ...r, verbs: r.verbs.filter((v) => v !== 'patch') } : r));
      await cluster.kube.request('PATCH', clusterRolePath, { rules }, 'application/merge-patch+json');
      await client.patch(MODEL_RELEASES, MODELS_NS, 'species', { spec: { model: modelSpec('1.1.0', host.url) } }, { patchType: 'merge' });
      const refused = await eventually('species Synced=False', async () => {
        const condition = synced(await getRelease(client, MODELS_NS, 'species'));
        return condition?.status === 'False' ? condition : undefined;
      }, 60_000, 500);
      expect(refused).toMatchObject({
        reason: 'Forbidden',
        message: expect.stringMatching(/User "system:serviceaccount:node-tern-system:tern-all" cannot patch resource "deployments" in API group "apps" in the namespace "node-models"/),
      });
    }), 300_000);
});
