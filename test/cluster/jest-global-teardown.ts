// Jest globalTeardown of the `cluster` project: stops the cluster when globalSetup started it.
import { stopCluster } from './cluster.js';
import { stateLayout } from './paths.js';
import { OWNED_FLAG } from './jest-global-setup.js';

export default async function globalTeardown(): Promise<void> {
  if ((globalThis as Record<string, unknown>)[OWNED_FLAG] === true) await stopCluster(stateLayout(process.env.TERN_STATE_DIR));
}
