// Restarting one control-plane process of the local cluster in place (fault tests: the operator must
// ride out an apiserver or etcd restart): stop it by pid, optionally stay down a while, start it again
// with the same command line (same ports, same data directory, same certificates), wait until healthy.
import fs from 'node:fs';
import { readState, writeState } from './cluster-state.js';
import { httpStatus, httpsStatus, waitFor } from './control-plane.js';
import type { StateLayout } from './paths.js';
import { startDetached, stopProcess } from './process-control.js';

/** The processes that can be restarted this way. */
export type RestartableProcess = 'kube-apiserver' | 'etcd';

/** Stops `name`, waits `downMs`, starts it again as before and resolves once it answers its health check. */
export async function restartProcess(layout: StateLayout, name: RestartableProcess, downMs = 0): Promise<{ downMs: number }> {
  const state = readState(layout);
  const old = state?.processes.find((p) => p.name === name);
  if (!state || !old) throw new Error(`restart ${name}: no such process in ${layout.stateFile}`);
  if (!old.command || !old.args) throw new Error(`restart ${name}: the cluster was started by tooling that did not record command lines; run \`make cluster-down\` and start it again`);
  const stoppedAt = Date.now();
  await stopProcess(old, 10_000);
  if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
  const next = startDetached(name, old.command, old.args, old.logFile, old.cwd ? { cwd: old.cwd } : {});
  state.processes = state.processes.map((p) => (p.name === name ? next : p));
  writeState(layout, state);
  if (name === 'etcd') {
    const url = old.args.find((a) => a.startsWith('--advertise-client-urls='))?.split('=')[1];
    await waitFor('etcd /health', async () => (await httpStatus(`${url}/health`)) === 200, next, 60_000);
  }
  // After etcd too: the apiserver answers again once its storage is back.
  const ca = fs.readFileSync(state.caFile);
  await waitFor('kube-apiserver /readyz', async () => (await httpsStatus(`${state.server}/readyz`, { token: state.token, ca })) === 200, name === 'kube-apiserver' ? next : undefined, 120_000);
  return { downMs: Date.now() - stoppedAt };
}
