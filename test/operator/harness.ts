/**
 * What the operator's end-to-end tests share (the operator itself is installed by the chart:
 * test/observe/operator-pod.ts; the model host on the node's address: test/observe/node-model-host.ts):
 * an API client, and ModelRelease builders from models/registry.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelRelease, ModelReleaseSpec } from '../../operator/api/model-release-schema.js';
import { releaseFromRegistry } from '../../operator/registry/render.js';
import type { Registry } from '../../operator/registry/registry-schema.js';
import { ApiKubeClient } from '../../operator/runtime/apply.js';
import { loadKubeConfig } from '../../operator/runtime/kubeconfig.js';
import { RestClient } from '../../operator/runtime/rest-client.js';
import { MODEL_RELEASES } from '../../operator/api/resource.js';
import { DEPLOYMENTS, NAMESPACES } from '../../operator/runtime/resources.js';
import { ROOT } from '../analysis/processes.js';
import type { LocalCluster } from '../cluster/cluster.js';
import { withClusterLogs } from '../cluster/test-env.js';
import type { OperatorPod } from '../observe/operator-pod.js';

/** An API client on the test cluster (KUBECONFIG from the jest global setup), or on the one of `kubeconfigPath`. */
export function apiClient(kubeconfigPath?: string): { client: ApiKubeClient; rest: RestClient; close(): void } {
  const rest = new RestClient(loadKubeConfig(kubeconfigPath === undefined ? {} : { kubeconfigPath }).access);
  return { client: new ApiKubeClient(rest), rest, close: () => rest.close() };
}

/**
 * Runs `body`; on failure, rethrows with the tails of the cluster's logs and of each operator's output
 * appended (operators are read when the failure happens, so ones started later are included).
 */
export function withOperatorLogs<T>(cluster: LocalCluster, operators: () => OperatorPod[], body: () => Promise<T>, chars = 6000): Promise<T> {
  return withClusterLogs(cluster, async () => {
    try {
      return await body();
    } catch (err) {
      if (err instanceof Error) for (const o of operators()) err.message += `\n\n==== tern-operator ${o.identity} ====\n${o.output().slice(-chars)}`;
      throw err;
    }
  });
}

/** A metric's value from a /metrics text (sum over series matching every given label). */
export async function scrapeMetric(url: string, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await fetch(url).then((r) => r.text());
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const ls = m[2] ?? '';
    if (!Object.entries(labels).every(([k, v]) => ls.includes(`${k}="${v}"`))) continue;
    sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

/** models/registry.json. */
export function registry(): Registry {
  return JSON.parse(readFileSync(join(ROOT, 'models/registry.json'), 'utf8')) as Registry;
}

/** spec.model of registry entry `species-<version>`, weights served by `modelBaseUrl`. */
export function modelSpec(version: string, modelBaseUrl: string): ModelReleaseSpec['model'] {
  return releaseFromRegistry(registry(), { entry: `species-${version}`, weightsBaseUrl: modelBaseUrl }).spec.model;
}

/** A ModelRelease for the e2e tests: analysis checks off (no traffic here; analysis has its own e2e), short steps. */
export function e2eRelease(name: string, namespace: string, model: ModelReleaseSpec['model'], extra: Partial<ModelReleaseSpec> = {}): ModelRelease {
  const off = { enabled: false };
  return {
    apiVersion: 'serving.tern.dev/v1alpha1',
    kind: 'ModelRelease',
    metadata: { name, namespace },
    spec: {
      model,
      serving: { replicas: 2 } as ModelReleaseSpec['serving'],
      rollout: {
        steps: [
          { setWeight: 50, pause: '6s' },
          { setWeight: 100, pause: '3s' },
        ],
        analysis: { interval: '2s', checks: { drift: off, availability: off, latencyP95: off, errorRate: off, rejectionRatio: off } },
      } as ModelReleaseSpec['rollout'],
      ...extra,
    },
  };
}

/** Creates a namespace for one test file, with `labels` (e.g. test/cluster/pod-security.ts's Pod Security enforcement). */
export async function createNamespace(client: ApiKubeClient, name: string, labels: Record<string, string> = {}): Promise<void> {
  await client.apply(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
}

export async function getRelease(client: ApiKubeClient, namespace: string, name: string): Promise<ModelRelease> {
  const r = await client.get<ModelRelease & KubernetesObject>(MODEL_RELEASES, namespace, name);
  if (!r) throw new Error(`ModelRelease ${namespace}/${name} is gone`);
  return r;
}

export interface DeploymentState {
  replicas: number;
  ready: number;
  version: string | undefined;
}

export async function deploymentState(client: ApiKubeClient, namespace: string, name: string): Promise<DeploymentState | undefined> {
  const d = await client.get<KubernetesObject & { spec?: { replicas?: number; template?: { metadata?: { labels?: Record<string, string> } } }; status?: { readyReplicas?: number } }>(DEPLOYMENTS, namespace, name);
  if (!d) return undefined;
  return { replicas: d.spec?.replicas ?? 0, ready: d.status?.readyReplicas ?? 0, version: d.spec?.template?.metadata?.labels?.['serving.tern.dev/version'] };
}
