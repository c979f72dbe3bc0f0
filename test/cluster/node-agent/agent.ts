// The test node agent: registers its Node, keeps the Lease and Ready status fresh, and runs a
// PodWorker for every pod the scheduler binds to it (list + watch on spec.nodeName).
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { KubeError, type KubeHttp } from '../kube-http.js';
import type { DataLookup } from './container-env.js';
import { IpPool } from './ip-pool.js';
import { LEASE_RENEW_SECONDS, microTime, nodeLease, nodeObject, nodeStatus } from './node-object.js';
import { PodWorker, podKey, type WorkerContext } from './pod-worker.js';

/** Settings of one agent. */
export interface AgentOptions {
  kube: KubeHttp;
  nodeName: string;
  podCIDR: string;
  repoRoot: string;
  stateDir: string;
  kubeletVersion: string;
  log: (line: string) => void;
}

interface PodList {
  metadata: { resourceVersion: string };
  items: V1Pod[];
}

/** Runs the node: call start(), later stop(). */
export class NodeAgent {
  private readonly pool: IpPool;
  private readonly workers = new Map<string, PodWorker>();
  private readonly abort = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly ctx: WorkerContext;
  private readySince = new Date();

  constructor(private readonly opts: AgentOptions) {
    this.pool = new IpPool(opts.podCIDR);
    const lookup: DataLookup = async (kind, ns, name) => {
      try {
        const obj = await opts.kube.request<{ data?: Record<string, string> }>('GET', `/api/v1/namespaces/${ns}/${kind === 'Secret' ? 'secrets' : 'configmaps'}/${name}`);
        const data = obj.data ?? {};
        return kind === 'Secret' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : data;
      } catch (err) {
        if (err instanceof KubeError && err.status === 404) return undefined;
        throw err;
      }
    };
    this.ctx = {
      kube: opts.kube,
      repoRoot: opts.repoRoot,
      podLogDir: path.join(opts.stateDir, 'logs', 'pods'),
      podPidDir: path.join(opts.stateDir, 'pids', 'pods'),
      hostIP: this.pool.nodeIP,
      // No service-account tokens are mounted here: processes reach the API through the admin kubeconfig.
      baseEnv: {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        KUBECONFIG: path.join(opts.stateDir, 'kubeconfig'),
      },
      lookup,
      log: opts.log,
    };
  }

  /** Registers the node and starts the lease, status and pod loops. */
  async start(): Promise<void> {
    const { kube, nodeName } = this.opts;
    let node: { metadata: { uid: string } };
    try {
      node = await kube.request('POST', '/api/v1/nodes', nodeObject(nodeName, this.opts.podCIDR));
    } catch (err) {
      if (!(err instanceof KubeError && err.status === 409)) throw err;
      node = await kube.request('GET', `/api/v1/nodes/${nodeName}`);
    }
    this.readySince = new Date();
    await this.postStatus();
    await this.renewLease(node.metadata.uid);
    this.every(LEASE_RENEW_SECONDS * 1000, () => this.renewLease(node.metadata.uid));
    this.every(30_000, () => this.postStatus());
    this.opts.log(`node ${nodeName} registered (pods in ${this.opts.podCIDR}, node IP ${this.pool.nodeIP})`);
    void this.watchPods();
  }

  private every(ms: number, fn: () => Promise<void>): void {
    this.timers.push(
      setInterval(() => {
        fn().catch((err: unknown) => this.opts.log(`periodic update failed: ${(err as Error).message}`));
      }, ms),
    );
  }

  private async postStatus(): Promise<void> {
    await this.opts.kube.mergePatch(`/api/v1/nodes/${this.opts.nodeName}/status`, {
      status: nodeStatus(this.opts.nodeName, this.pool.nodeIP, this.opts.kubeletVersion, new Date(), this.readySince),
    });
  }

  private async renewLease(nodeUid: string): Promise<void> {
    const { kube, nodeName } = this.opts;
    const lpath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${nodeName}`;
    try {
      await kube.mergePatch(lpath, { spec: { holderIdentity: nodeName, renewTime: microTime(new Date()) } });
    } catch (err) {
      if (!(err instanceof KubeError && err.status === 404)) throw err;
      await kube.request('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', nodeLease(nodeName, nodeUid, new Date()));
    }
  }

  private async watchPods(): Promise<void> {
    const selector = encodeURIComponent(`spec.nodeName=${this.opts.nodeName}`);
    while (!this.abort.signal.aborted) {
      try {
        const list = await this.opts.kube.request<PodList>('GET', `/api/v1/pods?fieldSelector=${selector}`);
        const seen = new Set<string>();
        for (const pod of list.items) {
          seen.add(pod.metadata?.uid ?? '');
          this.onPod('MODIFIED', pod);
        }
        for (const [uid, w] of this.workers) if (!seen.has(uid)) this.forget(uid, w);
        let rv = list.metadata.resourceVersion;
        while (!this.abort.signal.aborted) {
          let gone = false;
          await this.opts.kube.watch<V1Pod & { code?: number }>(
            `/api/v1/pods?fieldSelector=${selector}&watch=1&allowWatchBookmarks=true&resourceVersion=${rv}&timeoutSeconds=300`,
            (e) => {
              if (e.type === 'ERROR') {
                gone = true;
                return;
              }
              rv = e.object.metadata?.resourceVersion ?? rv;
              if (e.type !== 'BOOKMARK') this.onPod(e.type, e.object);
            },
            this.abort.signal,
          );
          if (gone) break; // resourceVersion too old: list again
        }
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.opts.log(`pod watch failed (relisting): ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private onPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const worker = this.workers.get(uid);
    if (type === 'DELETED') {
      if (worker) this.forget(uid, worker);
      return;
    }
    if (worker) {
      worker.update(pod);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return; // finished before this agent started
    if (pod.metadata?.deletionTimestamp !== undefined) {
      // Never started here: nothing to stop; finish the deletion.
      void this.opts.kube
        .request('DELETE', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, { gracePeriodSeconds: 0, preconditions: { uid } })
        .catch(() => {});
      return;
    }
    const ip = pod.spec?.hostNetwork ? this.pool.nodeIP : this.pool.allocate(uid);
    const w = new PodWorker(pod, ip, this.ctx);
    this.workers.set(uid, w);
    void w.start();
  }

  private forget(uid: string, worker: PodWorker): void {
    this.workers.delete(uid);
    void worker.stop(2000).then(() => {
      this.pool.release(uid);
      this.opts.log(`pod ${worker.key}: gone`);
    });
  }

  /** Stops every pod process (the cluster is going down) and the loops. */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const t of this.timers) clearInterval(t);
    await Promise.all([...this.workers.values()].map((w) => w.stop(5000)));
  }
}

export { podKey };
