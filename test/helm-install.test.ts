// `helm install` of charts/tern into the local control plane: the CRD comes from the chart's crds/
// (the very crds/modelrelease.yaml), the operator pod becomes ready through its /readyz probe, takes the
// leader Lease and reports tern_leader 1; `helm uninstall` removes what the chart created. Both namespaces
// enforce Pod Security `restricted` through the apiserver's own PodSecurity admission: the operator pod is
// admitted, and so are the tern-server pods the operator builds (a dry-run Pod from buildDeployment's
// template); a pod that breaks `restricted` is refused.
// Needs the operator (bin/tern-operator.js) built: `make test-cluster` builds first.
import { parseAllDocuments } from 'yaml';
import { eventually, testCluster, withClusterLogs } from './cluster/test-env.js';
import { KubeError } from './cluster/kube-http.js';
import { dryRunPod, RESTRICTED_NAMESPACE_LABELS, type PodTemplate } from './cluster/pod-security.js';
import { helm, run } from '../charts/lib/tools.js';
import { createNamespace, deleteNamespace, installChart, type ChartRelease } from './observe/chart-release.js';
import { buildDeployment } from '../operator/desired/deployment.js';
import { toModelRef } from '../operator/planner/models.js';
import { newModel, newRelease } from '../operator/planner/testing.js';

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

  it('installs the CRD from crds/ and least-privilege RBAC that the API server enforces', async () => {
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
      await createNamespace(cluster, WATCHED, undefined, RESTRICTED_NAMESPACE_LABELS);
      await createNamespace(cluster, NAMESPACE, undefined, RESTRICTED_NAMESPACE_LABELS);

      release = await installChart(cluster, { namespace: NAMESPACE, watchNamespaces: [WATCHED], wait: false, set: ['image.pullPolicy=Never'] });

      const crd = await eventually('the chart\'s CRD Established', async () => {
        const found = await cluster.kube.request<Crd>('GET', CRD);
        return found.status?.conditions?.find((c) => c.type === 'Established')?.status === 'True' ? found : undefined;
      }, 30_000);
      expect(crd).toBeDefined();

      // What the authorizer lets the operator's service account do (the pod calls the API with its token).
      const sa = `system:serviceaccount:${NAMESPACE}:tern`;
      const can = (args: string[]) => run(cluster.kubectl, ['--kubeconfig', cluster.kubeconfig, 'auth', 'can-i', ...args, '--as', sa]).stdout.trim();
      const expected: [string[], string][] = [
        [['list', 'modelreleases.serving.tern.dev', '-n', WATCHED], 'yes'],
        [['patch', 'modelreleases.serving.tern.dev', '--subresource=status', '-n', WATCHED], 'yes'],
        [['create', 'deployments.apps', '-n', WATCHED], 'yes'],
        [['create', 'httproutes.gateway.networking.k8s.io', '-n', WATCHED], 'yes'],
        [['create', 'events.events.k8s.io', '-n', WATCHED], 'yes'],
        [['list', 'pods', '-n', WATCHED], 'yes'],
        [['create', 'leases.coordination.k8s.io', '-n', NAMESPACE], 'yes'],
        [['list', 'modelreleases.serving.tern.dev', '-n', 'default'], 'no'],
        [['create', 'deployments.apps', '-n', 'default'], 'no'],
        [['get', 'secrets', '-n', WATCHED], 'no'],
        [['delete', 'pods', '-n', WATCHED], 'no'],
        [['create', 'leases.coordination.k8s.io', '-n', WATCHED], 'no'],
        [['list', 'modelreleases.serving.tern.dev', '--all-namespaces'], 'no'],
      ];
      expect(expected.map(([args]) => [args, can(args)])).toEqual(expected);
    });
  }, 120_000);

  it('Pod Security restricted (the apiserver\'s admission): admits the chart\'s operator pod and the operator\'s tern-server pods, refuses a root-allowed pod', async () => {
    await withClusterLogs(cluster, async () => {
      const rendered = helm(['template', 'tern', 'charts/tern', '--namespace', NAMESPACE]);
      if (rendered.status !== 0) throw new Error(`helm template failed:\n${rendered.stderr}`);
      const operator = parseAllDocuments(rendered.stdout)
        .map((d) => d.toJS() as { kind?: string; spec?: { template: PodTemplate } } | null)
        .find((o) => o?.kind === 'Deployment');
      expect(await dryRunPod(cluster.kube, NAMESPACE, 'psa-operator', operator!.spec!.template)).toEqual({ admitted: true });

      // The user's spec.serving overrides (GPU, resources, env, placement) sit next to the hardening.
      const serving = {
        gpu: 1, executionProvider: 'cuda', resources: { requests: { cpu: '500m' }, limits: { memory: '1Gi' } },
        env: [{ name: 'TERN_WORKERS', value: '2' }], nodeSelector: { pool: 'gpu' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      };
      const release = newRelease('1.1.0', { spec: { serving } } as unknown as Parameters<typeof newRelease>[1]);
      const server = buildDeployment(release, 'canary', toModelRef(newModel('1.1.0')), 1).spec?.template as PodTemplate;
      expect(await dryRunPod(cluster.kube, WATCHED, 'psa-tern-server', server)).toEqual({ admitted: true });

      // Without runAsNonRoot the same pod breaks `restricted`: PodSecurity refuses it, naming the rule.
      const spec = structuredClone(server.spec) as { securityContext: Record<string, unknown>; containers: { securityContext: Record<string, unknown> }[] };
      delete spec.securityContext.runAsNonRoot;
      delete spec.containers[0]!.securityContext.runAsNonRoot;
      const refused = await dryRunPod(cluster.kube, WATCHED, 'psa-root-allowed', { ...server, spec });
      expect(refused).toMatchObject({ admitted: false, status: 403 });
      expect(refused.admitted === false ? refused.message : '').toMatch(/violates PodSecurity "restricted:latest": runAsNonRoot != true/);
    });
  }, 60_000);

  it('runs the operator: ready through /readyz, leading, reporting tern_leader 1', async () => {
    await withClusterLogs(cluster, async () => {
      if (release === undefined) throw new Error('the install test did not install the chart');
      const chart = release;
      const pod = await eventually('the operator pod Ready', async () => {
        const pods = await chart.operatorPods();
        return pods.length === 1 && pods[0]?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? pods[0] : undefined;
      }, 180_000, 1000);
      // The Deployment controller counts the pod as available only after it has seen the pod's Ready
      // condition, in a later write of its own: wait for that state rather than reading it once.
      const podSeenReady = Date.now();
      let reads = 0;
      const available = await eventually('the operator Deployment to report 1 available replica', async () => {
        reads += 1;
        const deployment = await cluster.kube.request<{ status?: { availableReplicas?: number } }>('GET', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/tern-operator`);
        return deployment.status?.availableReplicas !== undefined && deployment.status.availableReplicas > 0 ? deployment.status.availableReplicas : undefined;
      }, 60_000, 100);
      // How far the Deployment's status trailed the pod's condition (reads > 1: a single read would have failed).
      process.stderr.write(`helm-install: Deployment availableReplicas ${available} after ${reads} read(s), ${Date.now() - podSeenReady} ms after the pod was seen Ready\n`);
      expect(available).toBe(1);

      const base = `http://${pod.status?.podIP}:${chart.metricsPort}`;
      const metrics = await eventually('tern_leader 1 on the operator /metrics', async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        return /^tern_leader\{[^}]*\} 1$/m.test(text) ? text : undefined;
      }, 60_000, 1000);
      expect(metrics).toMatch(/^tern_reconcile_errors_total /m);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);

      const leases = await cluster.kube.request<{ items: Lease[] }>('GET', `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases`);
      expect(leases.items.filter((l) => (l.spec?.holderIdentity ?? '') !== '')).toHaveLength(1);
    });
  }, 240_000);

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
