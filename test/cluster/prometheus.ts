// Runs Prometheus (built from its Go module by build-binaries.sh) for the local cluster: config in `.tern/prometheus/`,
// loopback port, TSDB kept across a stop/start (analysis tests stop it mid-canary).
import fs from 'node:fs';
import path from 'node:path';
import type { ClusterState } from './cluster-state.js';
import { readState } from './cluster-state.js';
import { httpStatus, waitFor } from './control-plane.js';
import { freePort } from './free-port.js';
import type { StateLayout } from './paths.js';
import { renderPrometheusConfig } from './prometheus-config.js';
import { startDetached, stopProcess, type ProcessRecord } from './process-control.js';

/** Path of the `prometheus` executable built by build-binaries.sh. */
export function prometheusBinary(state: Pick<ClusterState, 'binaries'>): string {
  return path.join(state.binaries.prometheus, 'prometheus');
}

/** Path of `promtool` (beside prometheus). */
export function promtoolBinary(state: Pick<ClusterState, 'binaries'>): string {
  return path.join(state.binaries.prometheus, 'promtool');
}

/** Writes the config for the cluster in `state`; returns its path. */
export function writePrometheusConfig(layout: StateLayout, state: Pick<ClusterState, 'server' | 'token' | 'caFile'>): string {
  fs.mkdirSync(layout.prometheusDir, { recursive: true });
  const tokenFile = path.join(layout.prometheusDir, 'token');
  fs.writeFileSync(tokenFile, state.token, { mode: 0o600 });
  const file = path.join(layout.prometheusDir, 'prometheus.yml');
  fs.writeFileSync(file, renderPrometheusConfig({ apiServer: state.server, tokenFile, caFile: state.caFile }));
  return file;
}

/**
 * Starts Prometheus (on the port of `state.prometheusUrl` when set) and waits for /-/ready. With the real
 * node it listens on every address of the namespace: pods reach it as `prometheus.monitoring:9090`.
 */
export async function startPrometheus(layout: StateLayout, state: ClusterState): Promise<{ url: string; process: ProcessRecord }> {
  const listen = state.nodeName !== undefined ? '0.0.0.0' : '127.0.0.1';
  const config = writePrometheusConfig(layout, state);
  const port = state.prometheusUrl ? Number(new URL(state.prometheusUrl).port) : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startDetached('prometheus', prometheusBinary(state), [
    `--config.file=${config}`, `--storage.tsdb.path=${path.join(layout.prometheusDir, 'data')}`,
    `--web.listen-address=${listen}:${port}`, '--storage.tsdb.retention.time=1d', '--web.enable-lifecycle', '--log.level=warn',
  ], path.join(layout.logs, 'prometheus.log'));
  await waitFor('prometheus /-/ready', async () => (await httpStatus(`${url}/-/ready`)) === 200, proc, 30_000);
  return { url, process: proc };
}

/** Stops the cluster's Prometheus (if running); its URL stays reserved for a restart. */
export async function stopPrometheus(layout: StateLayout): Promise<void> {
  const state = readState(layout);
  for (const p of state?.processes.filter((x) => x.name === 'prometheus') ?? []) await stopProcess(p, 10_000);
}
