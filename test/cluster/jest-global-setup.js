// Jest globalSetup of the `cluster` project. Plain JS: jest loads global setup modules with Node's own
// resolver, so it compiles the cluster tooling (tsc, only when stale) and runs jest-hooks from .tern/tooling.
import { loadTooling } from './load-tooling.js';

export default async function globalSetup() {
  const hooks = await loadTooling();
  await hooks.setupTestCluster();
}
