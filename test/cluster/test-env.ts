// For tests of the `cluster` jest project: the shared local cluster (started by jest-global-setup.ts: the
// real node, pods are containers of the project's images) and a wrapper that appends the cluster's logs to a failing test's error; `eventually` comes from poll.ts.
import { attachCluster, type LocalCluster } from './cluster.js';

/** The cluster of this jest run (throws when globalSetup did not start one). */
export function testCluster(): LocalCluster {
  return attachCluster(process.env.TERN_STATE_DIR);
}

/** Runs `body`; on failure, rethrows with the tails of every cluster log appended. */
export async function withClusterLogs<T>(cluster: LocalCluster, body: () => Promise<T>, lines = 30): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof Error) err.message += `\n\n==== local cluster logs ====\n${cluster.logTail(lines)}`;
    throw err;
  }
}

/** Polls a probe until it gives a value (test/cluster/poll.ts), re-exported for the cluster tests. */
export { eventually } from './poll.js';
