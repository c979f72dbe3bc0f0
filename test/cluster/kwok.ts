// kwok fake nodes for scale tests: `kwok-0..N-1` (label type=kwok, annotation kwok.x-k8s.io/node=fake,
// tainted so only pods tolerating the taint land there). The kwok controller manages only nodes with
// that label — never the real node `tern-node` — and fakes their pods' status (no process runs).
import fs from 'node:fs';
import path from 'node:path';
import type { BinaryDirs, StateLayout } from './paths.js';
import { SERVER_IMAGE } from './pod-security.js';
import { KubeError, type KubeHttp } from './kube-http.js';
import { startDetached, type ProcessRecord } from './process-control.js';

/** The taint on kwok nodes; scale-test pods tolerate it. */
export const KWOK_TAINT = { key: 'kwok.x-k8s.io/node', value: 'fake', effect: 'NoSchedule' } as const;
/** A Deployment `name` of `replicas` pods that land only on kwok nodes (no process runs for them). */
export function kwokDeployment(name: string, replicas: number): Record<string, unknown> {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          nodeSelector: { type: 'kwok' },
          tolerations: [{ key: KWOK_TAINT.key, operator: 'Exists', effect: KWOK_TAINT.effect }],
          // Pod Security `restricted` as the test namespaces enforce it (kwok runs nothing: the fields are only checked).
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{ name: 'c', image: SERVER_IMAGE, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
        },
      },
    },
  };
}

/** Pod addresses kwok hands out (fake, never reached). */
export const KWOK_POD_CIDR = '10.0.0.0/16';

/** kwok's own "fast" stages (nodes Ready with leases, pods Running at once), copied from the kwok module into Tern's cache. */
export function kwokStageFiles(bins: Pick<BinaryDirs, 'kwok'>): string[] {
  const stages = path.join(bins.kwok, 'stages');
  return ['node-initialize.yaml', 'node-heartbeat-with-lease.yaml', 'pod-ready.yaml', 'pod-complete.yaml', 'pod-delete.yaml'].map((f) => path.join(stages, f));
}

/** Starts the kwok controller managing nodes labelled type=kwok. */
export function startKwok(layout: StateLayout, bins: BinaryDirs): ProcessRecord {
  const config = path.join(layout.root, 'kwok.yaml');
  fs.writeFileSync(config, kwokStageFiles(bins).map((f) => fs.readFileSync(f, 'utf8')).join('\n---\n'));
  return startDetached('kwok', path.join(bins.kwok, 'kwok'), [
    `--kubeconfig=${layout.kubeconfig}`, `--config=${config}`, '--manage-nodes-with-label-selector=type=kwok',
    `--cidr=${KWOK_POD_CIDR}`, '--node-ip=10.0.255.254', '--node-lease-duration-seconds=40', '--server-address=127.0.0.1:0',
  ], path.join(layout.logs, 'kwok.log'));
}

/** The Node object of kwok node `name`. */
export function kwokNode(name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { type: 'kwok', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/role': 'agent' },
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: { taints: [KWOK_TAINT] },
  };
}

/** Creates nodes kwok-0..count-1 (existing ones are kept). */
export async function createKwokNodes(kube: KubeHttp, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    try {
      await kube.request('POST', '/api/v1/nodes', kwokNode(`kwok-${i}`));
    } catch (err) {
      if (!(err instanceof KubeError && err.status === 409)) throw err;
    }
  }
}
