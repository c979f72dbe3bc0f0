/**
 * The operator as users run it, for the e2e suites, the demo and the benchmarks on the local cluster's real
 * node: `helm install charts/tern` (chart-release.ts) into the test's namespace, watching it with its Lease
 * there, a pod of the tern-operator image with its own ServiceAccount and RBAC. One chart release per
 * operator, so a test can run several side by side (leader election: they share the namespace's
 * `tern-operator` Lease) and kill one. The operator's identity is its pod's name (the chart passes it as
 * TERN_IDENTITY).
 *
 * kill() is a crash, not a shutdown: SIGKILL from outside the container to every process of it (found by
 * the container id in /proc/PID/cgroup), so nothing runs its SIGTERM handler and the Lease is not
 * released; then the chart's Deployment is scaled to 0 so that neither the kubelet nor the ReplicaSet
 * brings the same identity back.
 */
import { run } from '../../charts/lib/tools.js';
import type { LocalCluster } from '../cluster/cluster.js';
import { containerIdOf, containerPids } from '../cluster/node/container-processes.js';
import { eventually } from '../cluster/poll.js';
import { installChart } from './chart-release.js';

/** An operator running as a pod of the chart. */
export interface OperatorPod {
  /** The chart release (also the prefix of its objects' names). */
  release: string;
  namespace: string;
  /** Its identity in the Lease, in events and in tern_leader{identity}: the pod's name. */
  identity: string;
  /** The pod's address (an iptables rule can single its packets out). */
  podIP: string;
  /** The id of its container (containerd), whose processes containerPids() finds. */
  containerId: string;
  /** Its /metrics. */
  metricsUrl: string;
  /** False once it was killed or stopped. */
  alive(): boolean;
  /** The last lines it logged (kept from the moment it was killed or stopped). */
  output(): string;
  /** SIGKILL: no graceful shutdown, the Lease is not released. */
  kill(): Promise<void>;
  /** `helm uninstall`: a graceful stop (SIGTERM), waited for. */
  stop(): Promise<void>;
}

/** The chart's name for its objects of release `release` (templates/_helpers.tpl, tern.fullname). */
export function chartFullname(release: string): string {
  return release.includes('tern') ? release : `${release}-tern`;
}

/**
 * `helm install RELEASE charts/tern -n NAMESPACE --wait`: the operator watches `namespace` only, with its
 * Lease there; `set` adds chart values (e.g. leaderElection.enabled=false).
 */
export async function installOperator(cluster: LocalCluster, namespace: string, release: string, options: { set?: string[] } = {}): Promise<OperatorPod> {
  const chart = await installChart(cluster, { name: release, namespace, watchNamespaces: [namespace], set: options.set ?? [], timeout: '120s' });
  const pod = await eventually(`operator pod of ${release} Running with an address`, async () => {
    const live = (await chart.operatorPods()).filter((p) => p.status?.phase === 'Running' && p.status.podIP && p.status.containerStatuses?.[0]?.containerID);
    return live.length === 1 ? live[0] : undefined;
  }, 30_000, 250);
  const name = pod.metadata.name;
  const podIP = pod.status?.podIP ?? '';
  const containerId = containerIdOf(pod.status?.containerStatuses?.[0]?.containerID);
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
  const podGone = () => eventually(`operator pod ${name} gone`, async () => ((await chart.operatorPods()).length === 0 ? true : undefined), 60_000, 250);
  return {
    release,
    namespace,
    identity: name,
    podIP,
    containerId,
    metricsUrl: `http://${podIP}:${chart.metricsPort}/metrics`,
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
      await chart.uninstall();
      await podGone();
    },
  };
}
