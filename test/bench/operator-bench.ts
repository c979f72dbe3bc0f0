/**
 * `make bench-operator`: N ModelReleases (default 1,000) on kwok nodes (fake pods: Running and Ready at
 * once, no process) reconciled by one tern-operator installed as users install it (`helm install
 * charts/tern`: a pod of the tern-operator image on the real node, its own ServiceAccount; measured through
 * its container's process) against the local control plane.
 * Prints: time until every release is Healthy (target <= 60 s), the operator's peak RSS (target
 * <= 150 MB), and the API writes the operator makes while every release is converged and idle over a
 * window (target 0; default 300 s). First, in the same run, the cluster floor (cluster-floor.ts): the
 * same objects applied directly with no operator, timed until ready. Needs a local cluster with kwok nodes:
 * `make cluster-up KWOK_NODES=2` (the Makefile target does that).
 *
 *   node dist/test/bench/operator-bench.js [--releases N] [--workers W] [--idle-seconds S] [--timeout-seconds S] [--skip-floor]
 */
import { parseArgs } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { KWOK_TAINT } from '../cluster/kwok.js';
import { attachCluster } from '../cluster/cluster.js';
import { readState } from '../cluster/cluster-state.js';
import type { ModelRelease } from '../../operator/api/model-release-schema.js';
import { Informer } from '../../operator/runtime/informer.js';
import { KubeListWatch } from '../../operator/runtime/list-watch.js';
import { MODEL_RELEASES } from '../../operator/api/resource.js';
import { NAMESPACES } from '../../operator/runtime/resources.js';
import { containerPids } from '../cluster/node/container-processes.js';
import { RESTRICTED_NAMESPACE_LABELS } from '../cluster/pod-security.js';
import { installOperator } from '../observe/operator-pod.js';
import { isAlive } from '../demo/processes.js';
import { apiClient, modelSpec, scrapeMetric } from '../operator/harness.js';
import { waitFor } from '../analysis/processes.js';
import { clusterFloor, pool } from './cluster-floor.js';
import { processCpuSeconds, rssBytes } from './proc-stats.js';

const { values } = parseArgs({
  options: { releases: { type: 'string', default: '1000' }, workers: { type: 'string', default: '8' }, 'skip-floor': { type: 'boolean', default: false }, 'idle-seconds': { type: 'string', default: '300' }, 'timeout-seconds': { type: 'string', default: '300' } },
});
const N = Number(values.releases);
const WORKERS = Number(values.workers);
const IDLE_S = Number(values['idle-seconds']);
const TIMEOUT_S = Number(values['timeout-seconds']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds used so far by each process of the local cluster (apiserver, etcd, controllers, kwok, ...). */
function clusterCpu(cluster: ReturnType<typeof attachCluster>): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of readState(cluster.layout)?.processes ?? []) {
    try {
      out.set(p.name, (out.get(p.name) ?? 0) + processCpuSeconds(p.pid));
    } catch {
      // gone
    }
  }
  return out;
}

/** `after - before` per process, largest first, as `name 12.3 s`. */
function cpuDelta(before: Map<string, number>, after: Map<string, number>): string {
  const rows = [...after].map(([name, s]) => [name, s - (before.get(name) ?? 0)] as const).filter(([, d]) => d >= 0.5);
  const total = rows.reduce((a, [, d]) => a + d, 0);
  return `${total.toFixed(0)} s (${rows.sort((a, b) => b[1] - a[1]).map(([n, d]) => `${n} ${d.toFixed(0)}`).join(', ')})`;
}

async function main(): Promise<void> {
  const cluster = attachCluster();
  process.env.KUBECONFIG = cluster.kubeconfig;
  const { client, rest, close } = apiClient();
  const nodes = await client.list<KubernetesObject>({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false }, { labelSelector: 'type=kwok' });
  if (nodes.items.length === 0) throw new Error('no kwok nodes: start the cluster with `make cluster-up KWOK_NODES=2`');
  const ns = `bench-op-${Date.now().toString(36)}`;
  const model = modelSpec('1.0.0', 'http://127.0.0.1:9/');
  const release = (i: number, namespace: string): ModelRelease => ({
    apiVersion: 'serving.tern.dev/v1alpha1',
    kind: 'ModelRelease',
    metadata: { name: `m${i}`, namespace },
    spec: {
      model,
      serving: { replicas: 1, nodeSelector: { type: 'kwok' }, tolerations: [{ ...KWOK_TAINT, operator: 'Equal' }] } as unknown as ModelRelease['spec']['serving'],
    },
  });
  const deleteNamespace = async (namespace: string): Promise<void> => {
    await client.delete(NAMESPACES, undefined, namespace).catch(() => undefined);
    // Wait until it is gone: deleting thousands of objects loads the cluster, and what runs next would
    // be measured against that.
    await waitFor(`namespace ${namespace} deleted`, async () => (await client.get(NAMESPACES, undefined, namespace)) === undefined, 180_000, 1000).catch((err: unknown) =>
      process.stderr.write(`bench-operator: ${(err as Error).message}\n`),
    );
  };

  // First the floor: what the cluster alone needs for the same objects, before the operator exists.
  let floorS: number | undefined;
  let floorCpu = '-';
  if (!values['skip-floor']) {
    const floorNs = `${ns}-floor`;
    await client.apply(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: floorNs } });
    process.stderr.write(`bench-operator: cluster floor: ${N} releases' objects applied directly, no operator\n`);
    const cpuBefore = clusterCpu(cluster);
    try {
      floorS = await clusterFloor(client, rest, floorNs, Array.from({ length: N }, (_, i) => release(i, floorNs)), WORKERS, TIMEOUT_S);
      floorCpu = cpuDelta(cpuBefore, clusterCpu(cluster));
    } finally {
      await deleteNamespace(floorNs);
    }
  }

  await client.apply(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: RESTRICTED_NAMESPACE_LABELS } });
  const operator = await installOperator(cluster, ns, 'bench', { set: ['leaderElection.enabled=false', `workers=${WORKERS}`, 'logLevel=warn'] });
  // The container's one process (node, pid 1 in the pod): its RSS and CPU are the operator's.
  const [pid = 0] = containerPids(operator.containerId);
  if (pid === 0) throw new Error(`no process found for the operator's container ${operator.containerId}`);
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssBytes(pid));
    } catch {
      // the process is gone
    }
  }, 500);
  let watched: Informer<ModelRelease & KubernetesObject> | undefined;
  try {
    // The releases are watched, not listed every second: listing 1,000 custom resources is costly for
    // the apiserver the operator shares the machine with.
    watched = new Informer<ModelRelease & KubernetesObject>({ source: new KubeListWatch(client, rest), type: MODEL_RELEASES, namespaces: [ns] });
    watched.start();
    await watched.waitForSync();
    const cpuAtStart = clusterCpu(cluster);
    const t0 = Date.now();
    await pool(Array.from({ length: N }, (_, i) => i), 16, async (i) => {
      await client.apply(MODEL_RELEASES, release(i, ns) as unknown as KubernetesObject);
    });
    const createdS = (Date.now() - t0) / 1000;
    let healthy = 0;
    const progress: string[] = []; // Healthy count every 10 s: where the time goes
    let nextMark = 10;
    while (Date.now() - t0 < TIMEOUT_S * 1000) {
      if (!isAlive(pid)) {
        throw new Error(`tern-operator (pod ${operator.identity}) exited during the bench; its log (tail):\n${operator.output().slice(-4000)}`);
      }
      healthy = watched.list().filter((r) => r.status?.phase === 'Healthy').length;
      if (healthy === N) break;
      if ((Date.now() - t0) / 1000 >= nextMark) {
        progress.push(`${nextMark} s ${healthy}`);
        process.stderr.write(`bench-operator: ${healthy}/${N} Healthy after ${nextMark} s\n`);
        nextMark += 10;
      }
      await sleep(250);
    }
    const convergeS = (Date.now() - t0) / 1000;
    const convergeCpuS = processCpuSeconds(pid);
    const operatorRunCpu = cpuDelta(cpuAtStart, clusterCpu(cluster));
    if (healthy < N) {
      const { items } = await client.list<ModelRelease & KubernetesObject>(MODEL_RELEASES, { namespace: ns });
      const phases = new Map<string, number>();
      for (const r of items) phases.set(r.status?.phase ?? '(none)', (phases.get(r.status?.phase ?? '(none)') ?? 0) + 1);
      const stuck = items.find((r) => r.status?.phase !== 'Healthy');
      process.stdout.write(
        `\nbench-operator: only ${healthy}/${N} Healthy after ${TIMEOUT_S} s; idle writes not measured (the releases are not converged)\n` +
          `phases: ${[...phases].map(([p, n]) => `${p} ${n}`).join(', ')}\n` +
          `e.g. ${stuck?.metadata?.name}: ${stuck?.status?.message ?? '(no status message)'}\n` +
          `peak RSS ${(peakRss / 1024 / 1024).toFixed(1)} MB\noperator log (tail):\n${operator.output().slice(-3000)}\n`,
      );
      process.exitCode = 1;
      return;
    }
    await sleep(10_000); // in-flight passes and late informer events settle
    const writes = async () => (await scrapeMetric(operator.metricsUrl, 'tern_api_writes_total')) ?? 0;
    const before = await writes();
    const rssAtIdleStart = rssBytes(pid);
    const heapAtIdleStart = (await scrapeMetric(operator.metricsUrl, 'nodejs_heap_size_used_bytes')) ?? 0;
    await sleep(IDLE_S * 1000);
    const idleWrites = (await writes()) - before;
    const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
    const lines = [
      `releases                    ${N} (created in ${createdS.toFixed(1)} s)`,
      `all Healthy after           ${healthy === N ? `${convergeS.toFixed(1)} s` : `NOT within ${TIMEOUT_S} s (${healthy}/${N})`}   target <= 60 s   ${healthy === N && convergeS <= 60 ? 'ok' : 'MISSED'}`,
      `cluster floor               ${floorS === undefined ? (values['skip-floor'] ? 'skipped' : `NOT within ${TIMEOUT_S} s`) : `${floorS.toFixed(1)} s for the same objects applied directly, no operator; operator / floor = ${(convergeS / floorS).toFixed(2)}x`}`,
      `Healthy over time           ${progress.join(', ') || '-'}`,
      `cluster CPU, floor          ${floorCpu}`,
      `cluster CPU, operator run   ${operatorRunCpu}`,
      `operator CPU to converge    ${convergeCpuS.toFixed(1)} s (${((convergeCpuS / N) * 1000).toFixed(1)} ms per release; the cluster's own processes share the 2 cores)`,
      `operator peak RSS           ${mb(peakRss)} MB (${mb(rssAtIdleStart)} MB when idle, ${mb(heapAtIdleStart)} MB of it JS heap in use)   target <= 150 MB   ${peakRss <= 150 * 1024 * 1024 ? 'ok' : 'MISSED'}`,
      `API writes while idle       ${idleWrites} over ${IDLE_S} s for ${N} converged releases   target 0   ${idleWrites === 0 ? 'ok' : 'MISSED'}`,
    ];
    process.stdout.write(`\nbench-operator (${new Date().toISOString()})\n${lines.join('\n')}\n`);
  } finally {
    clearInterval(sampler);
    await watched?.stop();
    await operator.stop();
    await deleteNamespace(ns);
    close();
    cluster.kube.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-operator: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
