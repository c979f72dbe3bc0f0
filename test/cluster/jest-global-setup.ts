// Jest globalSetup of the `cluster` project: one local cluster for every test file of the run.
// Reuses a cluster already running in `.tern/` (e.g. after `make cluster-up`) and leaves it running;
// otherwise starts one (with TERN_KWOK_NODES kwok nodes, default 2) and jest-global-teardown stops it.
// Tests find it through the environment: KUBECONFIG, TERN_PROMETHEUS_URL, TERN_STATE_DIR.
import { attachCluster, isClusterAlive, startCluster } from './cluster.js';
import { stateLayout } from './paths.js';

/** Marker read by the teardown: set when this run started the cluster. */
export const OWNED_FLAG = '__ternClusterOwned';

export default async function globalSetup(): Promise<void> {
  const layout = stateLayout();
  const reuse = isClusterAlive(layout);
  const t0 = Date.now();
  const cluster = reuse
    ? attachCluster(layout.root)
    : await startCluster({ stateDir: layout.root, kwokNodes: Number(process.env.TERN_KWOK_NODES ?? 2), log: (l) => process.stderr.write(`\n[cluster] ${l}`) });
  (globalThis as Record<string, unknown>)[OWNED_FLAG] = !reuse;
  process.env.KUBECONFIG = cluster.kubeconfig;
  process.env.TERN_STATE_DIR = layout.root;
  if (cluster.prometheusUrl) process.env.TERN_PROMETHEUS_URL = cluster.prometheusUrl;
  process.stderr.write(`\n[cluster] ${reuse ? 'reusing the running' : 'started a'} local cluster (${Date.now() - t0} ms): KUBECONFIG=${cluster.kubeconfig}\n`);
  cluster.kube.close();
}
