// Where the local control plane keeps its state (`.tern/` in the checkout) and finds its binaries.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root: the nearest directory above this file holding Tern's package.json. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      if ((JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'tern') return dir;
    } catch {
      /* not here */
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no Tern checkout above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Layout of `.tern/`, the git-ignored directory holding one local cluster's state. */
export interface StateLayout {
  root: string;
  kubeconfig: string;
  stateFile: string;
  prometheusUrlFile: string;
  pki: string;
  etcdData: string;
  logs: string;
  podLogs: string;
  pids: string;
  prometheusDir: string;
  tooling: string;
}

/** The state layout under `dir` (default: `.tern/` in the checkout, or $TERN_STATE_DIR). */
export function stateLayout(dir = process.env.TERN_STATE_DIR ?? path.join(repoRoot(), '.tern')): StateLayout {
  return {
    root: dir,
    kubeconfig: path.join(dir, 'kubeconfig'),
    stateFile: path.join(dir, 'cluster.json'),
    prometheusUrlFile: path.join(dir, 'prometheus-url'),
    pki: path.join(dir, 'pki'),
    etcdData: path.join(dir, 'etcd'),
    logs: path.join(dir, 'logs'),
    podLogs: path.join(dir, 'logs', 'pods'),
    pids: path.join(dir, 'pids'),
    prometheusDir: path.join(dir, 'prometheus'),
    tooling: path.join(repoRoot(), '.tern', 'tooling'),
  };
}

/** Directories holding the upstream binaries built by build-binaries.sh. */
export interface BinaryDirs {
  k8s: string;
  etcd: string;
  kwok: string;
  prometheus: string;
}

/** Builds the binaries when missing (no-op when cached) and returns their directories. */
export function ensureBinaries(log: (line: string) => void = () => {}): BinaryDirs {
  const script = path.join(repoRoot(), 'test', 'cluster', 'build-binaries.sh');
  const out = execFileSync(script, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of out.trim().split('\n')) log(line);
  const dirs = execFileSync(script, ['--print-dirs'], { encoding: 'utf8' }).trim().split('\n');
  const [k8s, etcd, kwok, prometheus] = dirs;
  if (!k8s || !etcd || !kwok || !prometheus) throw new Error(`build-binaries.sh --print-dirs printed ${dirs.length} lines, expected 4`);
  return { k8s, etcd, kwok, prometheus };
}

/** The default cache of built binaries, for messages. */
export function cacheDir(): string {
  return process.env.TERN_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'tern');
}
