/**
 * What the release control commands (`tern status|promote|abort|retry|pause|resume`) share: finding
 * the cluster like kubectl, reading a ModelRelease and its events, and sending a command annotation.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelRelease } from '../../api/model-release-schema.js';
import { commandPatch, type CommandName } from '../../api/command-annotation.js';
import { ApiKubeClient } from '../../runtime/apply.js';
import type { KubeClient } from '../../runtime/kube-client.js';
import { MODEL_RELEASES } from '../../api/resource.js';
import { EVENTS } from '../../runtime/resources.js';
import { RestClient } from '../../runtime/rest-client.js';
import type { OptionSpec } from '../command.js';
import { loadCliKubeConfig } from '../kubeconfig-access.js';

/** Options every release command takes. */
export const CLUSTER_OPTIONS: Record<string, OptionSpec> = {
  namespace: { type: 'string', short: 'n', value: 'NS', help: 'namespace of the ModelRelease (default: the kubeconfig context\'s, else default)' },
  kubeconfig: { type: 'string', value: 'FILE', help: 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)' },
  context: { type: 'string', value: 'NAME', help: 'kubeconfig context' },
};

export interface ReleaseTarget {
  client: KubeClient;
  namespace: string;
  close(): void;
}

/** Connects to the cluster named by the options (found like kubectl: kubeconfig-access.ts). */
export async function connect(options: Record<string, string | boolean | undefined>): Promise<ReleaseTarget> {
  const kubeconfigPath = typeof options.kubeconfig === 'string' ? options.kubeconfig : undefined;
  const context = typeof options.context === 'string' ? options.context : undefined;
  const access = await loadCliKubeConfig({ ...(kubeconfigPath ? { kubeconfigPath } : {}), ...(context ? { context } : {}) });
  const rest = new RestClient(access);
  const contextNs = access.namespace;
  const namespace = (typeof options.namespace === 'string' ? options.namespace : undefined) ?? contextNs ?? 'default';
  return { client: new ApiKubeClient(rest), namespace, close: () => rest.close() };
}

/** The ModelRelease, or an error saying how to find it. */
export async function getRelease(target: ReleaseTarget, name: string): Promise<ModelRelease> {
  const release = await target.client.get<ModelRelease & KubernetesObject>(MODEL_RELEASES, target.namespace, name);
  if (!release) throw new Error(`ModelRelease ${target.namespace}/${name} not found (kubectl get mr -A lists them; -n picks the namespace)`);
  return release;
}

/** An events.k8s.io/v1 Event as read back. */
export interface EventRecord {
  reason?: string;
  note?: string;
  type?: string;
  eventTime?: string;
  regarding?: { name?: string; kind?: string };
  series?: { count?: number; lastObservedTime?: string };
  metadata?: { creationTimestamp?: string };
}

/** The newest `limit` events about the release, newest last (the namespace's events are read in pages: apply.ts). */
export async function releaseEvents(target: ReleaseTarget, name: string, limit = 8): Promise<EventRecord[]> {
  const { items } = await target.client.list<EventRecord & KubernetesObject>(EVENTS, { namespace: target.namespace });
  const when = (e: EventRecord) => e.series?.lastObservedTime ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
  return items
    .filter((e) => e.regarding?.kind === 'ModelRelease' && e.regarding.name === name)
    .sort((a, b) => when(a).localeCompare(when(b)))
    .slice(-limit);
}

/**
 * Sends `command` (annotation + nonce) and waits up to `waitMs` for the operator to handle it.
 * Returns the release as last seen and whether the nonce was handled.
 */
export async function sendCommand(target: ReleaseTarget, name: string, command: CommandName, waitMs = 15_000): Promise<{ release: ModelRelease; handled: boolean }> {
  await getRelease(target, name);
  const patch = commandPatch(command);
  const nonce = patch.metadata.annotations['serving.tern.dev/command-nonce'];
  await target.client.patch(MODEL_RELEASES, target.namespace, name, patch, { patchType: 'merge' });
  const deadline = Date.now() + waitMs;
  let release = await getRelease(target, name);
  while (release.status?.lastCommandNonce !== nonce && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    release = await getRelease(target, name);
  }
  return { release, handled: release.status?.lastCommandNonce === nonce };
}
