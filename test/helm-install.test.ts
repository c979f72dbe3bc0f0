// `helm install` of charts/tern into the local control plane: the CRD comes from the chart's crds/
// (the very crds/modelrelease.yaml), the operator pod becomes ready through its /readyz probe, takes the
// leader Lease and reports tern_leader 1; `helm uninstall` removes what the chart created.
// Needs the operator (bin/tern-operator.js) built: `make test-cluster` builds first.
import { eventually, testCluster, withClusterLogs } from './cluster/test-env.js';
import { KubeError } from './cluster/kube-http.js';
import { createNamespace, deleteNamespace, installChart, type ChartRelease } from './observe/chart-release.js';

const CRD = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/modelreleases.serving.tern.dev';
const NAMESPACE = 'tern-helm-install';
const WATCHED = 'tern-helm-watched';

interface Crd {
  status?: { conditions?: { type: string; status: string }[] };
}
interface Lease {
  metadata: { name: string };
  spec?: { holderIdentity?: string };
}

describe('helm install charts/tern', () => {
  const cluster = testCluster();
  let release: ChartRelease | undefined;

  afterAll(async () => {
    await release?.uninstall().catch(() => undefined);
    await deleteNamespace(cluster, NAMESPACE);
    await deleteNamespace(cluster, WATCHED);
    cluster.kube.close();
  });

  it('installs the CRD from crds/, and the operator becomes ready and leads', async () => {
    await withClusterLogs(cluster, async () => {
      // The shared cluster applied crds/ already: remove it so that the chart has to install it.
      await cluster.kube.request('DELETE', CRD).catch((err: unknown) => {
        if (!(err instanceof KubeError && err.status === 404)) throw err;
      });
      await eventually('the ModelRelease CRD to be gone', async () => {
        try {
          await cluster.kube.request('GET', CRD);
          return undefined;
        } catch (err) {
          return err instanceof KubeError && err.status === 404 ? true : undefined;
        }
      }, 60_000);
      await createNamespace(cluster, WATCHED);

      release = await installChart(cluster, { namespace: NAMESPACE, watchNamespaces: [WATCHED] });

      const crd = await cluster.kube.request<Crd>('GET', CRD);
      expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');

      const pods = await release.operatorPods();
      expect(pods).toHaveLength(1);
      const pod = pods[0];
      expect(pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');

      const podIP = pod?.status?.podIP;
      const port = release.metricsPort;
      const metrics = await eventually('tern_leader 1 on the operator /metrics', async () => {
        const text = await (await fetch(`http://${podIP}:${port}/metrics`)).text();
        return /^tern_leader\{[^}]*\} 1$/m.test(text) ? text : undefined;
      }, 60_000, 1000);
      expect(metrics).toMatch(/^tern_reconcile_errors_total /m);
      expect((await fetch(`http://${podIP}:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://${podIP}:${port}/readyz`)).status).toBe(200);

      const leases = await cluster.kube.request<{ items: Lease[] }>('GET', `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases`);
      expect(leases.items.filter((l) => (l.spec?.holderIdentity ?? '') !== '').length).toBe(1);
    });
  }, 300_000);

  it('helm uninstall removes the operator and its RBAC', async () => {
    await withClusterLogs(cluster, async () => {
      if (release === undefined) throw new Error('the install test did not install the chart');
      await release.uninstall();
      release = undefined;
      await eventually('the operator pods to be gone', async () => {
        const pods = await cluster.kube.request<{ items: unknown[] }>('GET', `/api/v1/namespaces/${NAMESPACE}/pods`);
        return pods.items.length === 0 ? true : undefined;
      }, 90_000, 1000);
      await expect(cluster.kube.request('GET', `/apis/rbac.authorization.k8s.io/v1/namespaces/${WATCHED}/roles/tern-operator`)).rejects.toMatchObject({ status: 404 });
      // Helm never deletes CRDs (the ModelReleases would go with them).
      await expect(cluster.kube.request('GET', CRD)).resolves.toBeDefined();
    });
  }, 180_000);
});
