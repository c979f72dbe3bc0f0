// A model host the real node's pods reach: models/ served over HTTP on every address of the cluster's
// network namespace, its URL naming the node's address (pods cannot reach the machine's loopback). Tests,
// the demo and the benchmarks render their ModelReleases' weights URLs with it.
import path from 'node:path';
import { startModelHost, type ModelHost } from '../../models/model-host.js';
import { repoRoot } from '../cluster/paths.js';
import { NODE_IP } from '../cluster/node/layout.js';

/** Serves `dir` (default models/species) at http://NODE_IP:PORT/. */
export async function startNodeModelHost(dir = path.join(repoRoot(), 'models', 'species')): Promise<ModelHost> {
  const host = await startModelHost(dir, { host: '0.0.0.0' });
  return { ...host, url: `http://${NODE_IP}:${host.port}/` };
}
