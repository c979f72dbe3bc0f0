// For tests of the `cluster` jest project: the shared local cluster (started by jest-global-setup.ts)
// and a wrapper that appends the cluster's logs to a failing test's error.
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

/** Polls `probe` until it returns a value other than undefined; throws `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
