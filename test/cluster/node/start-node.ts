// Starts and stops the real node of the local cluster, in order: network, certificates, containerd (and
// the images), the kubelet, the fake-GPU device plugin, kube-proxy, then CoreDNS. Every daemon is a
// detached process recorded by the caller (cluster.ts), so `make cluster-down` can stop it by pid;
// stopNode also removes what the daemons leave behind (pod sandboxes, shims, mounts, the bridge, rules).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { waitFor } from '../control-plane.js';
import { kubectlApply } from '../crds.js';
import type { KubeHttp } from '../kube-http.js';
import { isRunning, stopProcess, type ProcessRecord } from '../process-control.js';
import { COREDNS_IMAGE_REPO, coreDnsManifests, prometheusServiceManifests } from './addons.js';
import { writeCniConfig } from './cni.js';
import { PAUSE_IMAGE_REPO, ctr, startContainerd, writeContainerdConfig } from './containerd.js';
import { GPU_RESOURCE, startDevicePlugin } from './device-plugin.js';
import { prepareNodeHost } from './cgroup-mounts.js';
import { importImages, type ImageArchive } from './images.js';
import { KUBE_PROXY_HEALTHZ_PORT, startKubeProxy, writeKubeProxyFiles } from './kube-proxy.js';
import { startKubelet, writeKubeletFiles } from './kubelet.js';
import { BRIDGE, GPU_COUNT, NODE_NAME, type NodeLayout } from './layout.js';
import { removeBridge } from './network.js';
import type { NodePki } from './pki.js';

/** What starting the node needs from the control plane and the cache. */
export interface NodeStartContext {
  node: NodeLayout;
  pki: NodePki;
  /** Directory of the node's binaries (build-binaries.sh node). */
  bin: string;
  images: ImageArchive[];
  /** The apiserver URL the node's daemons use, and the CA that verifies it. */
  server: string;
  apiserverCa: string;
  kubeletToken: string;
  kubeProxyToken: string;
  kube: KubeHttp;
  kubectl: string;
  adminKubeconfig: string;
  /** Port of the namespace's Prometheus, published as `prometheus.monitoring:9090` (omitted: no Prometheus). */
  prometheusPort?: number;
  record: (p: ProcessRecord) => void;
  log: (line: string) => void;
}

interface NodeObject {
  status?: { conditions?: Array<{ type: string; status: string; message?: string }>; allocatable?: Record<string, string> };
}

async function readNode(kube: KubeHttp): Promise<NodeObject | undefined> {
  try {
    return await kube.request<NodeObject>('GET', `/api/v1/nodes/${NODE_NAME}`);
  } catch {
    return undefined;
  }
}

function applyObjects(ctx: NodeStartContext, name: string, objects: object[]): void {
  const file = path.join(ctx.node.root, `${name}.yaml`);
  fs.writeFileSync(file, objects.map((o) => YAML.stringify(o)).join('---\n'));
  kubectlApply(ctx.kubectl, ctx.adminKubeconfig, [file]);
}

async function healthz(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

const CLAIM_DIR = path.join(process.env.TMPDIR ?? '/tmp', 'tern-real-node');

/**
 * Claims the network namespace's one real node for the cluster in `stateDir` (kube-proxy owns the
 * namespace's iptables, the CNI bridge and the kubelet's device-plugin socket are the namespace's): throws
 * naming the other cluster when one runs; a claim of a cluster no longer running is taken over.
 */
export function claimNode(stateDir: string, isOwnerAlive: (ownerStateDir: string) => boolean): void {
  fs.mkdirSync(CLAIM_DIR, { recursive: true });
  const owner = path.join(CLAIM_DIR, 'owner');
  let current = '';
  try {
    current = fs.readFileSync(owner, 'utf8');
  } catch {
    /* unclaimed */
  }
  if (current !== '' && current !== stateDir && isOwnerAlive(current)) {
    throw new Error(`a real node already runs in the tern network namespace for the cluster in ${current}: stop it first (TERN_STATE_DIR=${current} make cluster-down)`);
  }
  fs.writeFileSync(owner, stateDir);
}

/** Gives up the claim of `stateDir` (no-op when another cluster holds it). */
export function releaseNode(stateDir: string): void {
  const owner = path.join(CLAIM_DIR, 'owner');
  try {
    if (fs.readFileSync(owner, 'utf8') === stateDir) fs.rmSync(owner);
  } catch {
    /* unclaimed */
  }
}

/** Starts the node (its network is set up: network.ts); resolves once it is Ready with its GPUs, Services routed and CoreDNS answering. */
export async function startNode(ctx: NodeStartContext): Promise<void> {
  prepareNodeHost();
  const { node, bin, log } = ctx;
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const imageNamed = (repo: string) => {
    const found = ctx.images.find((i) => i.name.startsWith(`${repo}:`));
    if (found === undefined) throw new Error(`no ${repo} image among the built images (${ctx.images.map((i) => i.name).join(', ')}): run \`make cluster-deps\``);
    return found.name;
  };
  writeContainerdConfig(node, bin, imageNamed(PAUSE_IMAGE_REPO));
  writeCniConfig(node);
  const containerd = startContainerd(bin, node);
  ctx.record(containerd);
  await waitFor('containerd', async () => {
    try {
      ctr(bin, node, ['version'], 5000);
      return true;
    } catch {
      return false;
    }
  }, containerd, 30_000);
  log(`containerd ready (${since()})`);
  const imported = importImages(bin, node, ctx.images);
  log(`images: ${imported.imported.length} imported, ${imported.kept.length} already there (${since()})`);

  writeKubeletFiles(node, ctx.pki, ctx.server, ctx.apiserverCa, ctx.kubeletToken);
  const kubelet = startKubelet(bin, node);
  ctx.record(kubelet);
  await waitFor(`node ${NODE_NAME} Ready`, async () => {
    const n = await readNode(ctx.kube);
    return n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  }, kubelet, 90_000);
  log(`kubelet: node ${NODE_NAME} Ready (${since()})`);

  ctx.record(startDevicePlugin(bin, node));
  await waitFor(`${GPU_COUNT} ${GPU_RESOURCE} allocatable on ${NODE_NAME}`, async () => (await readNode(ctx.kube))?.status?.allocatable?.[GPU_RESOURCE] === String(GPU_COUNT), kubelet, 30_000);
  log(`device plugin: ${GPU_COUNT} ${GPU_RESOURCE} allocatable (${since()})`);

  writeKubeProxyFiles(node, ctx.server, ctx.apiserverCa, ctx.kubeProxyToken);
  const proxy = startKubeProxy(bin, node);
  ctx.record(proxy);
  await waitFor('kube-proxy /healthz', () => healthz(KUBE_PROXY_HEALTHZ_PORT), proxy, 30_000);
  log(`kube-proxy ready (${since()})`);

  applyObjects(ctx, 'coredns', coreDnsManifests(imageNamed(COREDNS_IMAGE_REPO)));
  if (ctx.prometheusPort !== undefined) applyObjects(ctx, 'prometheus-service', prometheusServiceManifests(ctx.prometheusPort));
  await waitFor('CoreDNS ready', async () => {
    try {
      const d = await ctx.kube.request<{ status?: { readyReplicas?: number } }>('GET', '/apis/apps/v1/namespaces/kube-system/deployments/coredns');
      return (d.status?.readyReplicas ?? 0) >= 1;
    } catch {
      return false;
    }
  }, kubelet, 60_000);
  log(`CoreDNS ready (${since()})`);
}

/** Mount points under `dir` in this mount namespace (the node's, when this process started it), deepest first. */
function mountsUnder(dir: string): string[] {
  let info = '';
  try {
    info = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const prefix = `${dir}/`;
  return info.split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m === dir || m.startsWith(prefix)).sort((a, b) => b.length - a.length);
}

/** Processes whose command line mentions `needle` (containerd's shims name its socket). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/**
 * Stops the node's daemons (`processes`: the records cluster.ts kept) and cleans up after them: every pod
 * sandbox is stopped and removed through the CRI first, then shims left behind are killed, mounts under
 * the node's directory unmounted, kube-proxy's rules flushed, the bridge removed.
 */
export async function stopNode(node: NodeLayout, bin: string | undefined, processes: ProcessRecord[]): Promise<void> {
  const byName = (name: string) => processes.filter((p) => p.name === name);
  for (const name of ['kube-proxy', 'gpu-device-plugin', 'kubelet']) for (const p of byName(name)) await stopProcess(p, 10_000);
  const containerd = byName('containerd').find((p) => isRunning(p));
  if (containerd !== undefined && bin !== undefined) {
    try {
      execFileSync(path.join(bin, 'crictl'), ['--runtime-endpoint', `unix://${node.containerdSocket}`, '--timeout', '20s', 'rmp', '--all', '--force'], { stdio: 'ignore', timeout: 60_000 });
    } catch {
      /* the shims are killed below */
    }
  }
  for (const p of byName('containerd')) await stopProcess(p, 10_000);
  for (const pid of processesMentioning(node.containerdSocket)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const mount of mountsUnder(node.root)) {
    try {
      execFileSync('umount', ['--lazy', mount], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
  if (bin !== undefined && fs.existsSync(node.kubeProxyConfig)) {
    try {
      execFileSync(path.join(bin, 'kube-proxy'), ['--cleanup'], { stdio: 'ignore', timeout: 30_000 });
    } catch {
      /* nothing to clean */
    }
  }
  removeBridge(BRIDGE);
}


/** Names of the node's processes in the cluster's record (stopNode stops them; cluster.ts skips them after). */
export const NODE_PROCESSES = ['kube-proxy', 'gpu-device-plugin', 'kubelet', 'containerd'];
