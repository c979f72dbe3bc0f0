// The programmatic API of the local control plane: startCluster / attachCluster / stopCluster.
// One cluster per checkout; its state lives in `.tern/` (see paths.ts); every process it starts is
// recorded by pid in `.tern/cluster.json` so any other process can stop it.
import fs from 'node:fs';
import path from 'node:path';
import { readState, writeState, type ClusterState } from './cluster-state.js';
import { startControlPlane, tailFile, waitFor } from './control-plane.js';
import { gatewayApiCrdFiles, kubectlApply, modelReleaseCrdFiles, waitCrdsEstablished } from './crds.js';
import { KubeHttp } from './kube-http.js';
import { cachedDeps, repoRoot, stateLayout, type StateLayout } from './paths.js';
import { isRunning, stopProcess, type ProcessRecord } from './process-control.js';
import { startPrometheus, stopPrometheus } from './prometheus.js';
import { createKwokNodes, startKwok } from './kwok.js';
import { restartProcess, type RestartableProcess } from './restart.js';
import { prepareNodeHost } from './node/cgroup-mounts.js';
import { cachedImages } from './node/images.js';
import { KUBERNETES_SERVICE_IP, NODE_IP, NODE_NAME, POD_CIDR, nodeLayout } from './node/layout.js';
import { setUpNodeNetwork } from './node/network.js';
import { makeNodePki } from './node/pki.js';
import { NODE_PROCESSES, claimNode, releaseNode, startNode, stopNode } from './node/start-node.js';

/** Options of {@link startCluster}. */
export interface StartOptions {
  /**
   * Run a real node (`tern-node`: containerd, runc, CNI, kubelet, kube-proxy, CoreDNS, a fake-GPU device
   * plugin) running the images built from the Dockerfile. Default false (a control plane without a node
   * that runs pods, e.g. for API tests). One per network namespace.
   */
  realNode?: boolean;
  /** Start Prometheus scraping annotated pods. Default true. */
  prometheus?: boolean;
  /** Number of kwok fake nodes (`kwok-0..N-1`, label type=kwok, tainted). Default 0 (no kwok). */
  kwokNodes?: number;
  /** Extra CRD files to apply after the standard ones. */
  extraCrds?: string[];
  /** State directory (default `.tern/` in the checkout). */
  stateDir?: string;
  /** Progress lines (default: silent). */
  log?: (line: string) => void;
  /** Recorded in the state as who started the cluster. */
  startedBy?: string;
}

/** A running local cluster. */
export interface LocalCluster {
  /** Path of the admin kubeconfig (`.tern/kubeconfig`). */
  kubeconfig: string;
  server: string;
  token: string;
  caFile: string;
  /** Our kubectl (v1.36), matching the server. */
  kubectl: string;
  /** Base URL of Prometheus, when started. */
  prometheusUrl?: string;
  /** Pod subnet of the real node. */
  podCIDR?: string;
  /** Name of the node pods run on (`tern-node`), when the cluster has the real node. */
  nodeName?: string;
  layout: StateLayout;
  /** Thin API client (token + CA). */
  kube: KubeHttp;
  /** Stops Prometheus alone (tests of missing metrics). */
  stopPrometheus(): Promise<void>;
  /** Starts Prometheus again on the same URL. */
  startPrometheus(): Promise<void>;
  /** Restarts kube-apiserver or etcd in place (down for at least `downMs`); resolves once it is healthy again. */
  restart(name: RestartableProcess, downMs?: number): Promise<{ downMs: number }>;
  /** The last lines of every log (control plane, node, recent containers): print it when a test fails. */
  logTail(lines?: number): string;
  /** Stops every process of the cluster. */
  stop(): Promise<void>;
}

/** Starts a fresh cluster (stopping one left running in the same state directory first). */
export async function startCluster(opts: StartOptions = {}): Promise<LocalCluster> {
  const log = opts.log ?? (() => {});
  const layout = stateLayout(opts.stateDir);
  const root = repoRoot();
  await stopCluster(layout);
  for (const f of fs.existsSync(layout.logs) ? fs.readdirSync(layout.logs) : []) if (f.endsWith('.log')) fs.rmSync(path.join(layout.logs, f));
  fs.rmSync(layout.podLogs, { recursive: true, force: true });
  for (const dir of [layout.root, layout.logs, layout.podLogs, layout.pids, layout.prometheusDir]) fs.mkdirSync(dir, { recursive: true });
  // A fresh cluster starts with an empty TSDB (a Prometheus restart alone keeps it).
  fs.rmSync(path.join(layout.prometheusDir, 'data'), { recursive: true, force: true });

  const t0 = Date.now();
  const realNode = opts.realNode === true;
  const bins = cachedDeps(['k8s', 'etcd', 'gateway-api', ...(opts.prometheus !== false ? ['prometheus' as const] : []), ...((opts.kwokNodes ?? 0) > 0 ? ['kwok' as const] : []), ...(realNode ? ['node' as const] : [])]);
  const images = realNode ? cachedImages() : [];
  const kubectl = path.join(bins.k8s, 'kubectl');
  const node = nodeLayout(layout);
  const state: ClusterState = { server: '', token: '', caFile: '', kubeconfig: layout.kubeconfig, kubectl, binaries: bins, kwokNodes: opts.kwokNodes ?? 0, startedAt: new Date().toISOString(), startedBy: opts.startedBy, processes: [], ...(realNode ? { nodeName: NODE_NAME, podCIDR: POD_CIDR } : {}) };
  const record = (p: ProcessRecord) => {
    state.processes.push(p);
    writeState(layout, state);
  };
  try {
    if (realNode) prepareNodeHost();
    if (realNode) {
      claimNode(layout.root, (owner) => isClusterAlive(stateLayout(owner)));
      setUpNodeNetwork(NODE_IP);
    }
    const pki = realNode ? makeNodePki(node.pki, NODE_NAME, NODE_IP, KUBERNETES_SERVICE_IP) : undefined;
    const nodeUser = `system:node:${NODE_NAME}`;
    const cp = await startControlPlane(layout, bins, record, pki && {
      advertiseAddress: NODE_IP, kubeletCa: pki.caCert, servingCert: pki.apiserverCert, servingKey: pki.apiserverKey, kubeletClientCert: pki.apiserverClientCert, kubeletClientKey: pki.apiserverClientKey,
      users: { [nodeUser]: ['system:nodes'], 'system:kube-proxy': [] },
    });
    Object.assign(state, { server: cp.server, token: cp.token, caFile: cp.caFile });
    writeState(layout, state);
    log(`control plane ready at ${cp.server} in ${Date.now() - t0} ms`);
    const kube = new KubeHttp(cp);

    const crds = [...modelReleaseCrdFiles(root), ...gatewayApiCrdFiles(bins), ...(opts.extraCrds ?? [])];
    kubectlApply(kubectl, layout.kubeconfig, crds);
    await waitCrdsEstablished(kube);
    log(`${crds.length} CRD files applied`);

    if ((opts.kwokNodes ?? 0) > 0) {
      record(startKwok(layout, bins));
      await createKwokNodes(kube, opts.kwokNodes ?? 0);
      await waitFor('kwok nodes Ready', () => nodeReady(kube, 'kwok-0'), undefined, 60_000);
      log(`${opts.kwokNodes} kwok nodes ready`);
    }
    if (opts.prometheus !== false) {
      const prom = await startPrometheus(layout, state);
      record(prom.process);
      state.prometheusUrl = prom.url;
      writeState(layout, state);
      fs.writeFileSync(layout.prometheusUrlFile, `${prom.url}\n`);
      log(`prometheus ready at ${prom.url}`);
    }
    if (pki !== undefined) {
      await startNode({
        node, pki, bin: bins.node, images, server: cp.server, apiserverCa: cp.caFile, kubeletToken: userToken(cp.userTokens, nodeUser), kubeProxyToken: userToken(cp.userTokens, 'system:kube-proxy'),
        kube, kubectl, adminKubeconfig: layout.kubeconfig, record, log,
        ...(state.prometheusUrl ? { prometheusPort: Number(new URL(state.prometheusUrl).port) } : {}),
      });
      log(`node ${NODE_NAME} ready (pods in ${POD_CIDR})`);
    }
    log(`cluster up in ${Date.now() - t0} ms`);
    kube.close();
    return attachCluster(opts.stateDir);
  } catch (err) {
    await stopCluster(layout);
    throw err;
  }
}

function userToken(tokens: Record<string, string>, user: string): string {
  const token = tokens[user];
  if (token === undefined) throw new Error(`the control plane made no token for ${user}`);
  return token;
}

async function nodeReady(kube: KubeHttp, name: string): Promise<boolean> {
  try {
    const node = await kube.request<{ status?: { conditions?: Array<{ type: string; status: string }> } }>('GET', `/api/v1/nodes/${name}`);
    return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  } catch {
    return false;
  }
}

/** True when the cluster recorded in `layout` has its API server process still running. */
export function isClusterAlive(layout: StateLayout): boolean {
  const state = readState(layout);
  const apiserver = state?.processes.find((p) => p.name === 'kube-apiserver');
  return apiserver !== undefined && isRunning(apiserver);
}

/** Attaches to the cluster already running in the state directory (e.g. after `make cluster-up`). */
export function attachCluster(stateDir?: string): LocalCluster {
  const layout = stateLayout(stateDir);
  const state = readState(layout);
  if (state === undefined || !isClusterAlive(layout)) throw new Error(`no local cluster running in ${layout.root}: run \`make cluster-up\` or startCluster()`);
  const kube = new KubeHttp(state);
  return {
    kubeconfig: state.kubeconfig,
    server: state.server,
    token: state.token,
    caFile: state.caFile,
    kubectl: state.kubectl,
    prometheusUrl: state.prometheusUrl,
    podCIDR: state.podCIDR,
    nodeName: state.nodeName,
    layout,
    kube,
    stopPrometheus: () => stopPrometheus(layout),
    startPrometheus: async () => {
      const current = readState(layout);
      if (current === undefined) throw new Error(`cluster state vanished from ${layout.root}`);
      const prom = await startPrometheus(layout, current);
      current.processes = [...current.processes.filter((p) => p.name !== 'prometheus'), prom.process];
      writeState(layout, current);
    },
    restart: (name, downMs) => restartProcess(layout, name, downMs),
    logTail: (lines = 40) => logTail(layout, lines),
    stop: async () => {
      kube.close();
      await stopCluster(layout);
    },
  };
}

/** Container logs the kubelet wrote under `dir` (NAMESPACE_POD_UID/CONTAINER/N.log), the `count` written last first. */
function recentContainerLogs(dir: string, count: number): string[] {
  const files = fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.log')).map((f) => path.join(dir, f)) : [];
  const mtime = (f: string) => fs.statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return files.map((f) => ({ f, t: mtime(f) })).sort((a, b) => b.t - a.t).slice(0, count).map((x) => x.f);
}

/** Tails of every log under `.tern/logs` and of the 8 container logs written last, for a failing test's output. */
export function logTail(layout: StateLayout, lines = 40): string {
  const own = fs.existsSync(layout.logs) ? fs.readdirSync(layout.logs).filter((f) => f.endsWith('.log')).map((f) => path.join(layout.logs, f)) : [];
  const files = [...own, ...recentContainerLogs(layout.podLogs, 8)];
  return files.map((f) => `---- ${path.relative(layout.root, f)} (last ${lines} lines)\n${tailFile(f, lines)}`).join('\n');
}

/** Stops every process the cluster in `layout` started (the node first: it stops the pods), by pid. */
export async function stopCluster(layout: StateLayout = stateLayout()): Promise<void> {
  const state = readState(layout);
  if (state !== undefined) {
    // The real node first (its pods, shims, mounts, rules), Prometheus and kwok; then the control plane in
    // reverse start order.
    if (state.nodeName === NODE_NAME) {
      await stopNode(nodeLayout(layout), state.binaries.node, state.processes);
      releaseNode(layout.root);
    }
    const first = ['prometheus', 'kwok', ...NODE_PROCESSES];
    for (const name of first) for (const p of state.processes.filter((x) => x.name === name)) await stopProcess(p, 15_000);
    for (const p of state.processes.filter((x) => !first.includes(x.name)).reverse()) await stopProcess(p, 10_000);
  }
  if (state !== undefined) fs.rmSync(layout.stateFile, { force: true });
  fs.rmSync(layout.prometheusUrlFile, { force: true });
}

export type { ClusterState, ProcessRecord };
export { isRunning };
