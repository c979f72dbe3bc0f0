// Installs the tern Helm chart into the local cluster for cluster tests: the operator then runs as a real
// pod of the tern-operator image on the real node (pass image.pullPolicy=Never: the images are imported,
// never pulled), scraped by Prometheus through its prometheus.io annotations.
import { helm } from '../../charts/lib/tools.js';
import type { LocalCluster } from '../cluster/cluster.js';
import { freePort } from '../cluster/free-port.js';
import { KubeError } from '../cluster/kube-http.js';

/** A pod as far as these tests read it. */
export interface PodInfo {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
  spec?: { containers: { ports?: { containerPort: number }[] }[] };
}

/** One installed chart release. */
export interface ChartRelease {
  name: string;
  namespace: string;
  /** The operator's metrics/health port (free on the machine: local pods share its ports). */
  metricsPort: number;
  /** The operator pods. */
  operatorPods(): Promise<PodInfo[]>;
  uninstall(): Promise<void>;
}

/** Runs `helm install --wait` (the operator Deployment ready; `wait: false` returns at once) and returns the release. */
export async function installChart(
  cluster: LocalCluster,
  options: { name?: string; namespace: string; watchNamespaces?: string[]; set?: string[]; timeout?: string; wait?: boolean },
): Promise<ChartRelease> {
  const name = options.name ?? 'tern';
  const metricsPort = await freePort();
  const sets = [`metrics.port=${metricsPort}`, `metrics.service.port=${metricsPort}`, ...(options.set ?? [])];
  if (options.watchNamespaces) sets.push(`watchNamespaces={${options.watchNamespaces.join(',')}}`);
  const installed = helm([
    'install', name, 'charts/tern', '--kubeconfig', cluster.kubeconfig, '--namespace', options.namespace, '--create-namespace',
    ...(options.wait === false ? [] : ['--wait', '--timeout', options.timeout ?? '180s']), ...sets.flatMap((s) => ['--set', s]),
  ]);
  if (installed.status !== 0) throw new Error(`helm install ${name} -n ${options.namespace} failed:\n${installed.stdout}\n${installed.stderr}`);
  const selector = encodeURIComponent(`app.kubernetes.io/name=tern-operator,app.kubernetes.io/instance=${name}`);
  return {
    name,
    namespace: options.namespace,
    metricsPort,
    operatorPods: async () => (await cluster.kube.request<{ items: PodInfo[] }>('GET', `/api/v1/namespaces/${options.namespace}/pods?labelSelector=${selector}`)).items,
    uninstall: async () => {
      const result = helm(['uninstall', name, '--kubeconfig', cluster.kubeconfig, '--namespace', options.namespace, '--wait', '--timeout', '120s']);
      if (result.status !== 0) throw new Error(`helm uninstall ${name} -n ${options.namespace} failed:\n${result.stderr}`);
    },
  };
}

/**
 * Makes sure a namespace exists and is Active (one left Terminating by an earlier run is waited out), with
 * `labels` (e.g. Pod Security enforcement) set on it.
 */
export async function createNamespace(cluster: LocalCluster, name: string, timeoutMs = 120_000, labels: Record<string, string> = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const ns = await cluster.kube.request<{ status?: { phase?: string } }>('GET', `/api/v1/namespaces/${name}`);
      if (ns.status?.phase !== 'Terminating') {
        if (Object.keys(labels).length > 0) await cluster.kube.mergePatch(`/api/v1/namespaces/${name}`, { metadata: { labels } });
        return;
      }
    } catch (err) {
      if (!(err instanceof KubeError && err.status === 404)) throw err;
      try {
        await cluster.kube.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
        return;
      } catch (createErr) {
        if (!(createErr instanceof KubeError && createErr.status === 409)) throw createErr;
      }
    }
    if (Date.now() > deadline) throw new Error(`namespace ${name} is still Terminating after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Deletes a namespace without waiting for it to go. */
export async function deleteNamespace(cluster: LocalCluster, name: string): Promise<void> {
  try {
    await cluster.kube.request('DELETE', `/api/v1/namespaces/${name}`);
  } catch (err) {
    if (!(err instanceof KubeError && err.status === 404)) throw err;
  }
}
