// Pure builders of what the node agent writes about its node: the Node, its status and its Lease.

/** Resources the local node offers (fake but generous; GPUs are what the scheduler tests count). */
export const NODE_ALLOCATABLE: Record<string, string> = {
  cpu: '32',
  memory: '128Gi',
  pods: '110',
  'ephemeral-storage': '100Gi',
  'nvidia.com/gpu': '8',
};

/** Lease duration the agent promises; it renews every LEASE_RENEW_SECONDS. */
export const LEASE_DURATION_SECONDS = 40;
export const LEASE_RENEW_SECONDS = 10;

/** Kubernetes MicroTime text (six fractional digits). */
export function microTime(d: Date): string {
  return d.toISOString().replace(/Z$/, '000Z');
}

/** Kubernetes Time text (whole seconds). */
export function kubeTime(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The Node object (created once; status is written separately). */
export function nodeObject(name: string, podCIDR: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'tern-local',
        type: 'local',
      },
      annotations: { 'serving.tern.dev/node-agent': 'test/cluster/node-agent' },
    },
    spec: { podCIDR, podCIDRs: [podCIDR] },
  };
}

/** The node's status: Ready, no pressure, the allocatable resources above. */
export function nodeStatus(name: string, nodeIP: string, kubeletVersion: string, now: Date, readySince: Date): object {
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: kubeTime(now),
    lastTransitionTime: kubeTime(readySince),
  });
  return {
    capacity: NODE_ALLOCATABLE,
    allocatable: NODE_ALLOCATABLE,
    conditions: [
      cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'local node agent'),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'local node agent'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'local node agent'),
      cond('Ready', 'True', 'KubeletReady', 'tern local node agent is posting ready status'),
    ],
    addresses: [
      { type: 'InternalIP', address: nodeIP },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: '',
      osImage: 'tern local node agent',
      containerRuntimeVersion: 'local://processes',
      kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The node's Lease in kube-node-lease, owned by the Node. */
export function nodeLease(name: string, nodeUid: string, now: Date): object {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: 'kube-node-lease',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUid }],
    },
    spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(now) },
  };
}
