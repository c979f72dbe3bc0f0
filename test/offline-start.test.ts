// Guard of the rule "nothing inside the network namespace reaches a package registry": a second local
// cluster (its own state directory, one kwok node, Prometheus; no real node: the namespace has one, the shared
// cluster's, which `make test-cluster` starts through offline.sh too) starts through test/cluster/offline.sh, with
// the Go module cache empty, the Go proxy off and npm pointed nowhere, and must come up with every CRD
// (the Gateway API ones included) from Tern's cache alone. A start that needs a download fails here.
// And with an empty cache, the start fails at once with the command that fills it, leaving nothing running.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attachCluster, isClusterAlive } from './cluster/cluster.js';
import { readState } from './cluster/cluster-state.js';
import { repoRoot, stateLayout } from './cluster/paths.js';
import { isRunning } from './cluster/process-control.js';

const TIMEOUT = 180_000;
const root = repoRoot();
const offline = path.join(root, 'test', 'cluster', 'offline.sh');
const cli = path.join(stateLayout().tooling, 'cli.js');

interface Crd {
  status?: { conditions?: { type: string; status: string }[] };
}

/** Runs the cluster CLI offline with its own state directory; returns status and output. */
function clusterCli(stateDir: string, args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(offline, [process.execPath, cli, ...args], {
    cwd: root, encoding: 'utf8', timeout: TIMEOUT - 20_000, env: { ...process.env, TERN_STATE_DIR: stateDir, ...extraEnv },
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, error: r.error };
}

describe('a cluster start with every registry out of reach', () => {
  const dirs: string[] = [];
  const scratch = (name: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tern-${name}-`));
    dirs.push(dir);
    return dir;
  };

  afterAll(() => {
    for (const dir of dirs) {
      clusterCli(dir, ['down']);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('comes up from the cache alone: control plane, every CRD, a kwok node, Prometheus', async () => {
    const stateDir = scratch('offline');
    const up = clusterCli(stateDir, ['up', '--kwok-nodes=1', '--no-node']);
    expect(up.error).toBeUndefined();
    expect({ status: up.status, output: up.status === 0 ? '' : up.output }).toEqual({ status: 0, output: '' });
    const cluster = attachCluster(stateDir);
    try {
      for (const name of ['modelreleases.serving.tern.dev', 'httproutes.gateway.networking.k8s.io', 'gateways.gateway.networking.k8s.io']) {
        const crd = await cluster.kube.request<Crd>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
        expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
      }
      const node = await cluster.kube.request<{ metadata: { labels?: Record<string, string> } }>('GET', '/api/v1/nodes/kwok-0');
      expect(node.metadata.labels?.type).toBe('kwok');
      expect(cluster.prometheusUrl).toMatch(/^http:\/\//);
    } finally {
      cluster.kube.close();
    }
    const down = clusterCli(stateDir, ['down']);
    expect(down.status).toBe(0);
    expect(isClusterAlive(stateLayout(stateDir))).toBe(false);
  }, TIMEOUT);

  it('fails at once, naming `make cluster-deps`, when the cache lacks what it needs, and leaves nothing running', () => {
    const stateDir = scratch('nocache');
    const t0 = Date.now();
    const up = clusterCli(stateDir, ['up', '--kwok-nodes=1', '--no-node'], { TERN_CACHE_DIR: scratch('emptycache') });
    expect(up.status).not.toBe(0);
    expect(up.output).toContain('run `make cluster-deps` first');
    expect(up.output).toMatch(/needs k8s, etcd, gateway-api, prometheus, kwok from Tern's cache/);
    expect(Date.now() - t0).toBeLessThan(20_000);
    const left = (readState(stateLayout(stateDir))?.processes ?? []).filter((p) => isRunning(p));
    expect(left).toEqual([]);
  }, TIMEOUT);
});
