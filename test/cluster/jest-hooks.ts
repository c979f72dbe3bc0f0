// What the `cluster` jest project does before and after all its test files (called from the plain-JS
// jest-global-setup.js / jest-global-teardown.js, which load this compiled from .tern/tooling):
// reuse a cluster already running in `.tern/` (e.g. after `make cluster-up`) and leave it running, or
// start one — the real node (kubelet, containerd, the images built from the Dockerfile) and
// TERN_KWOK_NODES kwok nodes (default 2) — and stop it at the end. Tests find it through the
// environment: KUBECONFIG, TERN_PROMETHEUS_URL, TERN_STATE_DIR, TERN_KUBECTL (our v1.36 kubectl).
import { attachCluster, isClusterAlive, startCluster, stopCluster } from './cluster.js';
import { readState } from './cluster-state.js';
import { stateLayout } from './paths.js';

const OWNED = '__ternClusterOwned';

/** Starts or attaches to the run's cluster and exports its coordinates into process.env. */
export async function setupTestCluster(): Promise<void> {
  const layout = stateLayout();
  // A cluster left by an interrupted jest run is not reused: only one started by `make cluster-up` is.
  const reuse = isClusterAlive(layout) && readState(layout)?.startedBy !== 'jest';
  const t0 = Date.now();
  const log = (line: string) => process.stderr.write(`[cluster] ${line}\n`);
  process.stderr.write('\n');
  const cluster = reuse ? attachCluster(layout.root) : await startCluster({ stateDir: layout.root, realNode: true, kwokNodes: Number(process.env.TERN_KWOK_NODES ?? 2), log, startedBy: 'jest' });
  (globalThis as Record<string, unknown>)[OWNED] = !reuse;
  process.env.KUBECONFIG = cluster.kubeconfig;
  process.env.TERN_STATE_DIR = layout.root;
  process.env.TERN_KUBECTL = cluster.kubectl;
  if (cluster.prometheusUrl) process.env.TERN_PROMETHEUS_URL = cluster.prometheusUrl;
  log(`${reuse ? 'reusing the running' : 'started a'} local cluster (${Date.now() - t0} ms): KUBECONFIG=${cluster.kubeconfig}`);
  cluster.kube.close();
}

/** Stops the cluster when setupTestCluster started it. */
export async function teardownTestCluster(): Promise<void> {
  if ((globalThis as Record<string, unknown>)[OWNED] === true) await stopCluster(stateLayout(process.env.TERN_STATE_DIR));
}
