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
  /** The node pods run on when it is the real node (`tern-node`); absent for the node agent. */
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

/** Pid records the node agent leaves for the pod processes it runs (`.tern/pids/pods/*.json`). */
export function podProcessRecords(layout: StateLayout): Array<ProcessRecord & { file: string }> {
  const dir = `${layout.pids}/pods`;
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).flatMap((f) => {
    try {
      return [{ ...(JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')) as ProcessRecord), file: `${dir}/${f}` }];
    } catch {
      return [];
    }
  });
}
