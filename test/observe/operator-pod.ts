/**
 * The operator as users run it, for the e2e suites, the demo and the benchmarks on the local cluster's real
 * node: `helm install charts/tern` into the test's namespace (watching it, its Lease there), a pod of the
 * tern-operator image with its own ServiceAccount and RBAC. One chart release per operator, so a test can run several side by side (leader
 * election: they share the namespace's `tern-operator` Lease) and kill one. The operator's identity is its
 * pod's name (the chart passes it as TERN_IDENTITY).
 *
 * kill() is a crash, not a shutdown: SIGKILL from outside the container to every process of it (found by
 * the container id in /proc/PID/cgroup), so nothing runs its SIGTERM handler and the Lease is not
 * released; then the chart's Deployment is scaled to 0 so that neither the kubelet nor the ReplicaSet
 * brings the same identity back. helm runs asynchronously: user traffic a test keeps running meanwhile is
 * not frozen by it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { helmBinary, run } from '../../charts/lib/tools.js';
import type { LocalCluster } from '../cluster/cluster.js';
import { containerPids } from '../cluster/node/container-processes.js';
import { eventually } from '../cluster/poll.js';
import { repoRoot } from '../cluster/paths.js';
import type { PodInfo } from './chart-release.js';

const execFileAsync = promisify(execFile);

/** What a test needs of an operator to look at it and kill it (withOperatorLogs reads only this). */
export interface OperatorHandle {
  /** Its identity in the Lease, in events and in tern_leader{identity}. */
  identity: string;
  /** Its /metrics. */
  metricsUrl: string;
  /** False once it was killed or stopped. */
  alive(): boolean;
  /** The last lines it logged. */
  output(): string;
  /** SIGKILL: no graceful shutdown, the Lease is not released. */
  kill(): Promise<void>;
  /** A graceful stop (SIGTERM), waited for. */
  stop(): Promise<void>;
}

/** An operator running as a pod of the chart. */
export interface OperatorPod extends OperatorHandle {
  /** The chart release (also the prefix of its objects' names). */
  release: string;
  namespace: string;
  /** The pod's address (an iptables rule can single its packets out). */
  podIP: string;
  /** The id of its container (containerd), whose processes containerPids() finds. */
  containerId: string;
}

/** The operator's metrics port in its pod (every pod has its own network namespace). */
const METRICS_PORT = 8080;

async function helmAsync(args: string[], timeoutMs: number): Promise<void> {
  try {
    await execFileAsync(helmBinary(), args, { cwd: repoRoot(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`helm ${args.slice(0, 3).join(' ')} failed: ${e.stderr || e.message}\n${e.stdout ?? ''}`);
  }
}

/** The chart's name for its objects of release `release` (templates/_helpers.tpl, tern.fullname). */
export function chartFullname(release: string): string {
  return release.includes('tern') ? release : `${release}-tern`;
}

interface OperatorPodJson extends PodInfo {
  status?: PodInfo['status'] & { containerStatuses?: { containerID?: string; ready?: boolean }[] };
}

/**
 * `helm install RELEASE charts/tern -n NAMESPACE --wait`: the operator watches `namespace` only, with its
 * Lease there, the locally imported image (pullPolicy Never), `extraArgs` appended to its command line.
 */
export async function installOperator(
  cluster: LocalCluster,
  namespace: string,
  release: string,
  options: { extraArgs?: string[]; set?: string[]; timeoutMs?: number } = {},
): Promise<OperatorPod> {
  const sets = ['image.pullPolicy=Never', `watchNamespaces={${namespace}}`, `metrics.port=${METRICS_PORT}`, `metrics.service.port=${METRICS_PORT}`, ...(options.set ?? [])];
  const values = [...sets.flatMap((s) => ['--set', s]), '--set-json', `extraArgs=${JSON.stringify(options.extraArgs ?? [])}`];
  const timeoutMs = options.timeoutMs ?? 120_000;
  await helmAsync(['install', release, 'charts/tern', '--kubeconfig', cluster.kubeconfig, '--namespace', namespace, '--wait', '--timeout', `${Math.round(timeoutMs / 1000)}s`, ...values], timeoutMs + 10_000);
  const selector = encodeURIComponent(`app.kubernetes.io/name=tern-operator,app.kubernetes.io/instance=${release}`);
  const pod = await eventually(`operator pod of ${release} Running with an address`, async () => {
    const { items } = await cluster.kube.request<{ items: OperatorPodJson[] }>('GET', `/api/v1/namespaces/${namespace}/pods?labelSelector=${selector}`);
    const live = items.filter((p) => p.status?.phase === 'Running' && p.status.podIP && p.status.containerStatuses?.[0]?.containerID);
    return live.length === 1 ? live[0] : undefined;
  }, 30_000, 250);
  const name = pod.metadata.name;
  const podIP = pod.status?.podIP ?? '';
  const containerId = (pod.status?.containerStatuses?.[0]?.containerID ?? '').replace(/^[a-z]+:\/\//, '');
  const deployment = `/apis/apps/v1/namespaces/${namespace}/deployments/${chartFullname(release)}-operator`;
  let alive = true;
  let lastOutput = '';
  const output = (): string => {
    if (!alive) return lastOutput;
    try {
      const url = `/api/v1/namespaces/${namespace}/pods/${name}/log?tailLines=300`;
      // kubectl is synchronous, like a process's buffered output; the kubelet serves the log.
      const { status, stdout, stderr } = run(cluster.kubectl, ['--kubeconfig', cluster.kubeconfig, 'get', '--raw', url]);
      lastOutput = status === 0 ? stdout : `(kubectl get --raw ${url} failed: ${stderr.trim()})`;
    } catch (err) {
      lastOutput = `(no log: ${(err as Error).message})`;
    }
    return lastOutput;
  };
  const podGone = () => eventually(`operator pod ${name} gone`, async () => {
    const { items } = await cluster.kube.request<{ items: PodInfo[] }>('GET', `/api/v1/namespaces/${namespace}/pods?labelSelector=${selector}`);
    return items.length === 0 ? true : undefined;
  }, 60_000, 250);
  return {
    release,
    namespace,
    identity: name,
    podIP,
    containerId,
    metricsUrl: `http://${podIP}:${METRICS_PORT}/metrics`,
    alive: () => alive,
    output,
    kill: async () => {
      if (!alive) return;
      output();
      const pids = containerPids(containerId);
      if (pids.length === 0) throw new Error(`operator pod ${name}: no process of container ${containerId} found in /proc`);
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      alive = false;
      await cluster.kube.mergePatch(deployment, { spec: { replicas: 0 } });
      await eventually(`operator ${name}'s processes gone`, async () => (containerPids(containerId).length === 0 ? true : undefined), 10_000, 50);
      await podGone();
    },
    stop: async () => {
      if (alive) output();
      alive = false;
      await helmAsync(['uninstall', release, '--kubeconfig', cluster.kubeconfig, '--namespace', namespace, '--wait', '--timeout', '90s'], 100_000);
      await podGone();
    },
  };
}
