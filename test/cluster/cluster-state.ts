// The record of a running local cluster (`.tern/cluster.json`): how to reach it and every process
// it started, so that another process (`make cluster-down`, a jest teardown) can stop them by pid.
import fs from 'node:fs';
import type { ProcessRecord } from './process-control.js';
import type { BinaryDirs, StateLayout } from './paths.js';

/** Saved state of one local cluster. */
export interface ClusterState {
  server: string;
  token: string;
  caFile: string;
  kubeconfig: string;
  kubectl: string;
  binaries: BinaryDirs;
  prometheusUrl?: string;
  podCIDR?: string;
  /** The node pods run on (`tern-node`); absent for a cluster without a node. */
  nodeName?: string;
  kwokNodes: number;
  startedAt: string;
  /** Who started it (`make cluster-up`, `jest`, ...): a jest run reuses only clusters it did not start. */
  startedBy?: string;
  processes: ProcessRecord[];
}

/** Reads the saved state, or undefined when there is none. */
export function readState(layout: StateLayout): ClusterState | undefined {
  try {
    return JSON.parse(fs.readFileSync(layout.stateFile, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

/** Writes the state atomically. */
export function writeState(layout: StateLayout, state: ClusterState): void {
  const tmp = `${layout.stateFile}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, layout.stateFile);
}
