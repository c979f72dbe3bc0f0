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

/** What the local cluster takes from Tern's cache (build-binaries.sh NAME builds or fetches each). */
export type ClusterDep = 'k8s' | 'etcd' | 'kwok' | 'prometheus' | 'gateway-api' | 'node';

/** Directories of the cached dependencies (built from Go modules by build-binaries.sh, outside the namespace). */
export interface BinaryDirs {
  k8s: string;
  etcd: string;
  kwok: string;
  prometheus: string;
  /** The Gateway API module's standard-channel CRDs (`standard/*.yaml`). */
  gatewayApi: string;
  /** The real node's binaries: containerd, runc, CNI plugins, kubelet, kube-proxy, CoreDNS, the GPU device plugin. */
  node: string;
}

/** The command that puts every dependency in the cache (it runs outside the network namespace). */
export const FETCH_DEPS_COMMAND = 'make cluster-deps';

/**
 * The cached dependencies' directories. Builds nothing and downloads nothing (this runs inside the
 * `tern` network namespace, where no registry can be reached): a missing one of `needs` fails at once,
 * naming the command that builds it.
 */
export function cachedDeps(needs: readonly ClusterDep[]): BinaryDirs {
  const script = path.join(repoRoot(), 'test', 'cluster', 'build-binaries.sh');
  const lines = execFileSync(script, ['--print-dirs'], { encoding: 'utf8' }).trim().split('\n');
  const dirOf = new Map(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const get = (name: ClusterDep): string => {
    const dir = dirOf.get(name);
    if (!dir) throw new Error(`build-binaries.sh --print-dirs printed no ${name}= line: ${lines.join('; ')}`);
    return dir;
  };
  const missing = execFileSync(script, ['--missing', ...needs], { encoding: 'utf8' }).split('\n').filter((l) => l !== '');
  if (missing.length > 0) {
    throw new Error(`the local cluster needs ${missing.join(', ')} from Tern's cache, not there (${missing.map((m) => get(m as ClusterDep)).join(', ')}): ` +
      `run \`${FETCH_DEPS_COMMAND}\` first (it builds them from Go modules outside the network namespace; nothing is downloaded inside it)`);
  }
  return { k8s: get('k8s'), etcd: get('etcd'), kwok: get('kwok'), prometheus: get('prometheus'), gatewayApi: get('gateway-api'), node: get('node') };
}

/** The default cache of built binaries, for messages. */
export function cacheDir(): string {
  return process.env.TERN_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'tern');
}
