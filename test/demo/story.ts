/**
 * The demo's story, end to end on this machine: local control plane with the real node + Prometheus
 * (reused when one is running), the model host (on the node's address), tern-operator installed by
 * `helm install charts/tern` as a pod, the demo gateway and the traffic generator; then three acts
 * through the GitOps path (registry `active` -> render -> apply):
 * species-1.0.0 first release, species-1.1.0 through staging and every canary step to Healthy, and
 * species-1.2.0, which drifts on live traffic and is rolled back by the operator on its own.
 * Everything started is registered in the Teardown, so Ctrl-C at any moment stops it all.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelRelease } from '../../operator/api/model-release-schema.js';
import { connect } from '../../operator/cli/commands/release-client.js';
import { KubeListWatch } from '../../operator/runtime/list-watch.js';
import { ApiKubeClient } from '../../operator/runtime/apply.js';
import { loadKubeConfig } from '../../operator/runtime/kubeconfig.js';
import { RestClient } from '../../operator/runtime/rest-client.js';
import { NAMESPACES, PODS } from '../../operator/runtime/resources.js';
import { isNotFound } from '../../operator/runtime/kube-client.js';
import { containerPids, podContainerPids } from '../cluster/node/container-processes.js';
import { IN_CLUSTER_PROMETHEUS_URL } from '../cluster/node/addons.js';
import { startNodeModelHost } from '../observe/node-model-host.js';
import { RESTRICTED_NAMESPACE_LABELS } from '../cluster/pod-security.js';
import { installOperator } from '../observe/operator-pod.js';
import { attachCluster, isClusterAlive, startCluster, stopCluster, type LocalCluster } from '../cluster/cluster.js';
import { readState } from '../cluster/cluster-state.js';
import { stateLayout } from '../cluster/paths.js';
import { startGateway, type Gateway, type RouterKind } from './gateway.js';
import { GitOpsRepo, overlaySpec } from './gitops.js';
import { startObserver, type Observer } from './observer.js';
import type { Teardown } from './processes.js';
import { spawnLogged, spawnLoggedCommand } from './processes.js';
import type { Act } from './summary.js';

/** Demo settings (flags of main.ts). */
export interface DemoOptions {
  root: string;
  router: RouterKind;
  replicas: number;
  /** Requests per second the traffic generator sends through the gateway. */
  rate: number;
  provider: 'pods' | 'prometheus';
  /** Upper bound of the whole story (also bounds the traffic). */
  timeoutMs: number;
}

/** What the story reports to the view while it runs. */
export interface StoryHooks {
  log(text: string): void;
  act(title: string): void;
  /** Called before the demo starts a cluster of its own (so that Ctrl-C and failures stop it). */
  ownsCluster(): void;
  /** Called once the observer and gateway exist (the view reads them). */
  attach(observer: Observer, gateway: Gateway | undefined): void;
}

/** What happened (the summary and the test read it). */
export interface DemoResult {
  acts: Act[];
  release?: ModelRelease;
  namespace: string;
  name: string;
  kubeconfig: string;
  kubectl: string;
  prometheusUrl?: string;
  logsDir: string;
  manifestFile: string;
  /** The demo's registry copy (`active` moves there; `tern registry record` can write the outcome into it). */
  registryFile: string;
  ownsCluster: boolean;
  observer: Observer;
  gateway?: Gateway;
}

export const DEMO_NAMESPACE = 'tern-demo';
export const RELEASE_NAME = 'species';

const port = (url: string): number => Number(new URL(url).port);

/** Runs the story; every resource goes into `teardown` as soon as it exists. */
export async function runStory(o: DemoOptions, teardown: Teardown, hooks: StoryHooks): Promise<DemoResult> {
  const layout = stateLayout();
  const demoDir = path.join(layout.root, 'demo');
  const logsDir = path.join(demoDir, 'logs');
  fs.mkdirSync(logsDir, { recursive: true });
  const acts: Act[] = [];
  const act = (title: string) => {
    const prev = acts[acts.length - 1];
    if (prev && prev.endedAt === undefined) prev.endedAt = Date.now();
    acts.push({ title, startedAt: Date.now() });
    hooks.act(title);
  };

  // --- Setup: cluster, model host, operator --------------------------------------------------
  act('setup: local cluster, model host, operator');
  let cluster: LocalCluster;
  const ownsCluster = !isClusterAlive(layout);
  if (ownsCluster) {
    // Registered before it starts: Ctrl-C during the start stops what has started so far (by pid).
    teardown.add('local cluster', () => stopCluster(layout));
    hooks.ownsCluster();
    hooks.log('starting the local control plane, the real node and Prometheus (make cluster-up reuses them across runs)');
    cluster = await startCluster({ realNode: true, log: (l) => (/ cached in /.test(l) ? undefined : hooks.log(`cluster: ${l}`)) });
    for (const p of readState(layout)?.processes ?? []) teardown.trackPid(p.name, p.pid);
    teardown.trackPort('kube-apiserver', port(cluster.server));
    if (cluster.prometheusUrl) teardown.trackPort('prometheus', port(cluster.prometheusUrl));
  } else {
    cluster = attachCluster();
    hooks.log(`reusing the local cluster already running at ${cluster.server} (left running at the end)`);
  }
  cluster.kube.close();

  const rest = new RestClient(loadKubeConfig({ kubeconfigPath: cluster.kubeconfig }).access);
  const client = new ApiKubeClient(rest, () => undefined, 'tern-demo');
  teardown.add('API client', async () => rest.close());

  await recreateNamespace(client, DEMO_NAMESPACE, hooks);
  if (!ownsCluster) teardown.add(`namespace ${DEMO_NAMESPACE}`, () => deleteNamespace(client, DEMO_NAMESPACE));

  const host = await startNodeModelHost(path.join(o.root, 'models', 'species'));
  teardown.add('model host', () => host.close());
  teardown.trackPort('model host', host.port);
  hooks.log(`model host serving models/species at ${host.url}`);

  // The pods' containers (tern-server, CoreDNS) are processes of this machine too: when the demo stops, each
  // must be gone. Steps run newest first: this one after the operator's uninstall (its own processes are
  // tracked when it starts), before the namespace and the cluster go.
  teardown.add('track the pods\' containers', async () => {
    const { items } = await client.list<KubernetesObject & { status?: { containerStatuses?: { containerID?: string }[] } }>(PODS, ownsCluster ? {} : { namespace: DEMO_NAMESPACE });
    for (const pod of items) for (const pid of podContainerPids(pod)) teardown.trackPid(`pod ${pod.metadata?.namespace}/${pod.metadata?.name}`, pid);
  });

  // The operator as users install it: `helm install charts/tern`, a pod with its own ServiceAccount.
  hooks.log('helm install tern-demo charts/tern (the operator as a pod of the tern-operator image)');
  const operator = await installOperator(cluster, DEMO_NAMESPACE, 'tern-demo', {
    set: o.provider === 'prometheus' && cluster.prometheusUrl ? [`prometheusAddress=${IN_CLUSTER_PROMETHEUS_URL}`] : [],
  });
  const follower = spawnLoggedCommand('tern-operator log', cluster.kubectl, ['--kubeconfig', cluster.kubeconfig, '-n', DEMO_NAMESPACE, 'logs', '-f', operator.identity], path.join(logsDir, 'tern-operator.log'), { cwd: o.root });
  teardown.add('tern-operator', async () => {
    await operator.stop();
    await follower.stop(2_000);
  });
  teardown.trackPid('tern-operator log', follower.pid);
  for (const pid of containerPids(operator.containerId)) teardown.trackPid('tern-operator', pid);
  hooks.log(`tern-operator running (pod ${operator.identity}, metrics ${operator.metricsUrl}, log ${path.relative(o.root, follower.log)})`);

  const target = await connect({ kubeconfig: cluster.kubeconfig, namespace: DEMO_NAMESPACE });
  teardown.add('status reader', async () => target.close());
  const observer = startObserver(target, RELEASE_NAME);
  teardown.add('observer', () => observer.stop());

  const repo = new GitOpsRepo({
    root: o.root,
    dir: demoDir,
    namespace: DEMO_NAMESPACE,
    weightsBaseUrl: host.url,
    overlay: overlaySpec({ replicas: o.replicas, router: o.router, ...(o.provider === 'prometheus' && cluster.prometheusUrl ? { prometheusAddress: IN_CLUSTER_PROMETHEUS_URL } : {}) }),
  });
  const release = (entry: string) => {
    repo.setActive(entry);
    repo.render();
    repo.apply(cluster.kubectl, cluster.kubeconfig);
    hooks.log(`registry active = ${entry} -> tern registry render -> kubectl apply -f ${path.relative(o.root, repo.manifestFile)}`);
  };
  const result: DemoResult = {
    acts, namespace: DEMO_NAMESPACE, name: RELEASE_NAME, kubeconfig: cluster.kubeconfig, kubectl: cluster.kubectl, logsDir, manifestFile: repo.manifestFile, registryFile: repo.registryFile, ownsCluster, observer,
    ...(cluster.prometheusUrl ? { prometheusUrl: cluster.prometheusUrl } : {}),
  };
  hooks.attach(observer, undefined);
  const deadline = Date.now() + o.timeoutMs;
  const left = (capMs: number) => Math.max(1_000, Math.min(capMs, deadline - Date.now()));

  // --- Act 1: the first release ----------------------------------------------------------------
  act('1/3 first release: species-1.0.0');
  release('species-1.0.0');
  await observer.waitFor('Healthy on 1.0.0', (r) => r.status?.phase === 'Healthy' && r.status.stable?.version === '1.0.0', left(180_000), failed);
  hooks.log('species 1.0.0 is Healthy: stable serves 100 %');

  const source = new KubeListWatch(client, rest);
  const gateway = await startGateway({ source, namespace: DEMO_NAMESPACE, release: RELEASE_NAME, router: o.router });
  teardown.add('gateway', () => gateway.close());
  teardown.trackPort('demo gateway', gateway.port);
  result.gateway = gateway;
  hooks.attach(observer, gateway);
  const trafficSeconds = Math.ceil(o.timeoutMs / 1000);
  const traffic = spawnLogged(
    'tern-traffic',
    [path.join(o.root, 'bin', 'tern-traffic.js'), '--url', gateway.url, '--rate', String(o.rate), '--concurrency', '4', '--batch', '4', '--count', String(o.rate * trafficSeconds), '--duration-s', String(trafficSeconds), '--json'],
    path.join(logsDir, 'tern-traffic.log'),
    { cwd: o.root },
  );
  teardown.add('tern-traffic', () => traffic.stop(2_000));
  teardown.trackPid('tern-traffic', traffic.pid);
  hooks.log(`gateway ${gateway.url} routes like a ${o.router === 'replicas' ? 'Service (ready EndpointSlice addresses)' : 'Gateway API implementation (HTTPRoute weights)'}; tern-traffic sends ${o.rate} req/s (4 inputs each) through it`);
  await new Promise((r) => setTimeout(r, 3_000));

  // --- Act 2: a good model goes all the way -----------------------------------------------------
  act('2/3 release species-1.1.0 (good)');
  release('species-1.1.0');
  await observer.waitFor(
    'Healthy on 1.1.0',
    (r) => r.status?.phase === 'Healthy' && r.status.stable?.version === '1.1.0',
    left(300_000),
    (r) => (r.status?.history?.[0]?.version === '1.1.0' && r.status.history[0].outcome !== 'Promoted' ? `1.1.0 ended ${r.status.history[0].outcome}: ${r.status.history[0].reason ?? r.status.message ?? ''}` : failed(r)),
  );
  hooks.log('species 1.1.0 promoted: Healthy, stable serves 100 %');

  // --- Act 3: a drifting model is rolled back -------------------------------------------------
  act('3/3 release species-1.2.0 (drifts on live traffic)');
  release('species-1.2.0');
  const rolledBack = await observer.waitFor(
    'RolledBack from 1.2.0',
    (r) => r.status?.phase === 'RolledBack' && r.status.history?.[0]?.version === '1.2.0' && r.status.history[0].outcome === 'RolledBack',
    left(300_000),
    (r) => (r.status?.phase === 'Healthy' && r.status.stable?.version === '1.2.0' ? '1.2.0 was promoted although it drifts' : failed(r)),
  );
  hooks.log(`species 1.2.0 rolled back by the operator: ${rolledBack.status?.history?.[0]?.reason ?? ''}; stable still ${rolledBack.status?.stable?.version}`);
  const last = acts[acts.length - 1];
  if (last) last.endedAt = Date.now();
  result.release = rolledBack;
  return result;
}

function failed(r: ModelRelease): string | undefined {
  return r.status?.phase === 'Failed' ? `phase Failed: ${r.status.message ?? ''}` : undefined;
}

/** Deletes the namespace and waits until it and its pods are gone (bounded). */
export async function deleteNamespace(client: ApiKubeClient, name: string, timeoutMs = 60_000): Promise<void> {
  try {
    await client.delete(NAMESPACES, undefined, name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ns = await client.get(NAMESPACES, undefined, name);
    if (!ns) return;
    const { items } = await client.list(PODS, { namespace: name });
    if (items.length === 0) return; // its pods (our server processes) are gone; the namespace itself may linger a while
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`namespace ${name} still there after ${Math.round(timeoutMs / 1000)} s (kubectl get all -n ${name})`);
}

async function recreateNamespace(client: ApiKubeClient, name: string, hooks: StoryHooks): Promise<void> {
  if (await client.get(NAMESPACES, undefined, name)) {
    hooks.log(`namespace ${name} is left from an earlier run: deleting it first`);
    await deleteNamespace(client, name, 120_000);
    const deadline = Date.now() + 120_000;
    while ((await client.get(NAMESPACES, undefined, name)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  }
  // Pod Security `restricted`: the operator's pod and every tern-server pod it makes must comply.
  await client.apply(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: RESTRICTED_NAMESPACE_LABELS } });
}
