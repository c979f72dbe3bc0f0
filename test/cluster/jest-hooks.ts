// What the `cluster` jest project does before and after all its test files (called from the plain-JS
// jest-global-setup.js / jest-global-teardown.js, which load this compiled from .tern/tooling):
// reuse a cluster already running in `.tern/` (e.g. after `make cluster-up`) and leave it running, or
// start one (TERN_KWOK_NODES kwok nodes, default 2) and stop it at the end. Tests find it through the
// environment: KUBECONFIG, TERN_PROMETHEUS_URL, TERN_STATE_DIR, TERN_KUBECTL (our v1.36 kubectl).
// Beside it, the same way, the real-node cluster (`.tern/real-node`: kubelet, containerd, the images; one
// per network namespace) that the suites moved off the node agent use: TERN_REAL_NODE_STATE_DIR.
import path from 'node:path';
import { attachCluster, isClusterAlive, startCluster, stopCluster } from './cluster.js';
import { readState } from './cluster-state.js';
import { repoRoot, stateLayout } from './paths.js';

const OWNED = '__ternClusterOwned';

const OWNED_REAL_NODE = '__ternRealNodeClusterOwned';

/** The real-node cluster's state directory (`.tern/real-node` beside the shared `.tern`). */
export function realNodeStateDir(): string {
  return process.env.TERN_REAL_NODE_STATE_DIR ?? path.join(repoRoot(), '.tern', 'real-node');
}

/** Starts or attaches to the run's two clusters and exports their coordinates into process.env. */
export async function setupTestCluster(): Promise<void> {
  const layout = stateLayout();
  // A cluster left by an interrupted jest run is not reused: only one started by `make cluster-up` is.
  const reuse = isClusterAlive(layout) && readState(layout)?.startedBy !== 'jest';
  const t0 = Date.now();
  const log = (line: string) => process.stderr.write(`[cluster] ${line}\n`);
  process.stderr.write('\n');
  const cluster = reuse ? attachCluster(layout.root) : await startCluster({ stateDir: layout.root, kwokNodes: Number(process.env.TERN_KWOK_NODES ?? 2), log, startedBy: 'jest' });
  (globalThis as Record<string, unknown>)[OWNED] = !reuse;
  process.env.KUBECONFIG = cluster.kubeconfig;
  process.env.TERN_STATE_DIR = layout.root;
  process.env.TERN_KUBECTL = cluster.kubectl;
  if (cluster.prometheusUrl) process.env.TERN_PROMETHEUS_URL = cluster.prometheusUrl;
  log(`${reuse ? 'reusing the running' : 'started a'} local cluster (${Date.now() - t0} ms): KUBECONFIG=${cluster.kubeconfig}`);
  cluster.kube.close();

  const realLayout = stateLayout(realNodeStateDir());
  const reuseReal = isClusterAlive(realLayout) && readState(realLayout)?.startedBy !== 'jest';
  const t1 = Date.now();
  const realLog = (line: string) => process.stderr.write(`[real-node cluster] ${line}\n`);
  const real = reuseReal ? attachCluster(realLayout.root) : await startCluster({ stateDir: realLayout.root, realNode: true, kwokNodes: Number(process.env.TERN_KWOK_NODES ?? 2), log: realLog, startedBy: 'jest' });
  (globalThis as Record<string, unknown>)[OWNED_REAL_NODE] = !reuseReal;
  process.env.TERN_REAL_NODE_STATE_DIR = realLayout.root;
  realLog(`${reuseReal ? 'reusing the running' : 'started a'} real-node cluster (${Date.now() - t1} ms): ${real.kubeconfig}`);
  real.kube.close();
}

/** Stops the clusters setupTestCluster started. */
export async function teardownTestCluster(): Promise<void> {
  if ((globalThis as Record<string, unknown>)[OWNED_REAL_NODE] === true) await stopCluster(stateLayout(realNodeStateDir()));
  if ((globalThis as Record<string, unknown>)[OWNED] === true) await stopCluster(stateLayout(process.env.TERN_STATE_DIR));
}
