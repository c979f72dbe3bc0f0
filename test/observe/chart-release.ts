// Installs the tern Helm chart into the local cluster for cluster tests, as users install it: the operator
// then runs as a pod of the tern-operator image on the real node (image.pullPolicy Never: the images are
// imported, never pulled), scraped by Prometheus through its prometheus.io annotations. helm runs as a child
// process without blocking: traffic a test keeps sending meanwhile is not frozen by an install.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { helmBinary } from '../../charts/lib/tools.js';
import type { LocalCluster } from '../cluster/cluster.js';
import { KubeError } from '../cluster/kube-http.js';
import { repoRoot } from '../cluster/paths.js';

const execFileAsync = promisify(execFile);

/** A pod as far as these tests read it. */
export interface PodInfo {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { containerID?: string; ready?: boolean }[] };
  spec?: { containers: { ports?: { containerPort: number }[] }[] };
}

/** One installed chart release. */
export interface ChartRelease {
  name: string;
  namespace: string;
  /** The operator's metrics/health port in its pod (the chart's default, metrics.port). */
  metricsPort: number;
  /** The operator pods. */
  operatorPods(): Promise<PodInfo[]>;
  uninstall(): Promise<void>;
}

/** The chart's metrics.port (charts/tern/values.yaml): every pod has its own network namespace. */
const CHART_METRICS_PORT = 8080;

/** Runs helm with `args` from the checkout; throws with its output when it fails or runs past `timeoutMs`. */
async function runHelm(args: string[], timeoutMs: number): Promise<void> {
  try {
    await execFileAsync(helmBinary(), args, { cwd: repoRoot(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`helm ${args.slice(0, 2).join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr || e.message}`);
  }
}

/** Runs `helm install --wait` (the operator Deployment ready; `wait: false` returns at once) and returns the release. */
export async function installChart(
  cluster: LocalCluster,
  options: { name?: string; namespace: string; watchNamespaces?: string[]; set?: string[]; timeout?: string; wait?: boolean },
): Promise<ChartRelease> {
  const name = options.name ?? 'tern';
  const sets = ['image.pullPolicy=Never', ...(options.set ?? [])];
  if (options.watchNamespaces) sets.push(`watchNamespaces={${options.watchNamespaces.join(',')}}`);
  const timeout = options.timeout ?? '180s';
  await runHelm([
    'install', name, 'charts/tern', '--kubeconfig', cluster.kubeconfig, '--namespace', options.namespace, '--create-namespace',
    ...(options.wait === false ? [] : ['--wait', '--timeout', timeout]), ...sets.flatMap((s) => ['--set', s]),
  ], (parseInt(timeout, 10) + 30) * 1000);
  const selector = encodeURIComponent(`app.kubernetes.io/name=tern-operator,app.kubernetes.io/instance=${name}`);
  return {
    name,
    namespace: options.namespace,
    metricsPort: CHART_METRICS_PORT,
    operatorPods: async () => (await cluster.kube.request<{ items: PodInfo[] }>('GET', `/api/v1/namespaces/${options.namespace}/pods?labelSelector=${selector}`)).items,
    uninstall: () => runHelm(['uninstall', name, '--kubeconfig', cluster.kubeconfig, '--namespace', options.namespace, '--wait', '--timeout', '120s'], 150_000),
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
