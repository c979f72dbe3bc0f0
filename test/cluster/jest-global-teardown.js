// Jest globalTeardown of the `cluster` project: stops the cluster when globalSetup started it.
import { loadTooling } from './load-tooling.js';

export default async function globalTeardown() {
  const hooks = await loadTooling();
  await hooks.teardownTestCluster();
}
