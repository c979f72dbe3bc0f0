/**
 * operator/runtime against a real kube-apiserver (the local control plane of test/cluster/):
 * the informer follows add/update/delete and recovers after its watch is broken; two electors give
 * exactly one leader and fail over after a graceful stop and after SIGKILL; server-side apply is
 * idempotent and handles conflicts; status goes through the /status subresource; events aggregate
 * into a series. Nothing here is mocked: every request reaches the apiserver.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClusterAccess } from '../operator/runtime/cluster-access.js';
import { startCluster, type LocalCluster } from './cluster/cluster.js';
import { repoRoot } from './cluster/paths.js';
import { waitFor } from './cluster/poll.js';
import { startBreakableProxy, type BreakableProxy } from './fixtures/breakable-proxy.js';
import { ApiKubeClient } from '../operator/runtime/apply.js';
import { appliedFieldsMatch } from '../operator/runtime/apply-diff.js';
import { EventRecorder, KubeEventSink, type K8sEvent } from '../operator/runtime/events.js';
import { Informer } from '../operator/runtime/informer.js';
import { FIELD_MANAGER, isConflict } from '../operator/runtime/kube-client.js';
import { loadKubeConfig } from '../operator/runtime/kubeconfig.js';
import { LeaderElector } from '../operator/runtime/leader-election.js';
import { KubeLeaseStore } from '../operator/runtime/lease-store.js';
import { KubeListWatch } from '../operator/runtime/list-watch.js';
import { ControllerMetrics } from '../operator/runtime/metrics.js';
import { CONFIG_MAPS, DEPLOYMENTS, EVENTS, LEASES, NAMESPACES, type ResourceType } from '../operator/runtime/resources.js';
import { RestClient } from '../operator/runtime/rest-client.js';

const ROOT = repoRoot();
const STATE_DIR = path.join(ROOT, '.tern', 'runtime-test');
const NS = `runtime-${randomBytes(3).toString('hex')}`;

type ConfigMap = KubernetesObject & { data?: Record<string, string> };

let cluster: LocalCluster;
let access: ClusterAccess;
let rest: RestClient;
let metrics: ControllerMetrics;
let client: ApiKubeClient;

/** Polls `fn` until it returns true (test/cluster/poll.ts); fails with `what` after `timeoutMs`. */
const eventually = (what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 15_000, everyMs = 50): Promise<void> => waitFor(what, fn, timeoutMs, everyMs);

function configMap(name: string, data: Record<string, string>, labels: Record<string, string> = {}): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels }, data };
}

async function writeCount(verb: string, resource: string): Promise<number> {
  const text = await metrics.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`tern_api_writes_total{verb="${verb}",resource="${resource}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

beforeAll(async () => {
  cluster = await startCluster({ prometheus: false, stateDir: STATE_DIR });
  access = loadKubeConfig({ kubeconfigPath: cluster.kubeconfig }).access;
  rest = new RestClient(access);
  metrics = new ControllerMetrics({ processMetrics: false });
  client = new ApiKubeClient(rest, (verb, resource) => metrics.countWrite(verb, resource));
  await client.apply(NAMESPACES, { metadata: { name: NS } });
}, 600_000);

afterAll(async () => {
  rest?.close();
  await cluster?.stop();
}, 120_000);

describe('informer against the apiserver', () => {
  let proxy: BreakableProxy;
  let informer: Informer<ConfigMap>;
  const seen: string[] = [];

  beforeAll(async () => {
    proxy = await startBreakableProxy(cluster.server);
    const viaProxy = new RestClient(access.withServer(proxy.url));
    informer = new Informer<ConfigMap>({
      source: new KubeListWatch(new ApiKubeClient(viaProxy), viaProxy),
      type: CONFIG_MAPS,
      namespaces: [NS],
      labelSelector: 'runtime-test=informer',
      restartBackoff: { baseMs: 200, maxMs: 1000 },
    });
    informer.addHandlers({
      add: (o) => seen.push(`add ${o.metadata?.name}=${o.data?.['v']}`),
      update: (_old, o) => seen.push(`update ${o.metadata?.name}=${o.data?.['v']}`),
      delete: (o) => seen.push(`delete ${o.metadata?.name}`),
    });
    informer.start();
    await informer.waitForSync(15_000);
  }, 30_000);

  afterAll(async () => {
    await informer?.stop();
    await proxy?.close();
  });

  it('sees add, update and delete', async () => {
    await client.apply(CONFIG_MAPS, configMap('a', { v: '1' }, { 'runtime-test': 'informer' }));
    await eventually('add a', () => seen.includes('add a=1'));
    await client.apply(CONFIG_MAPS, configMap('a', { v: '2' }, { 'runtime-test': 'informer' }));
    await eventually('update a', () => seen.includes('update a=2'));
    await client.apply(CONFIG_MAPS, configMap('unlabelled', { v: '1' }));
    await client.delete(CONFIG_MAPS, NS, 'a');
    await eventually('delete a', () => seen.includes('delete a'));
    expect(seen).toEqual(['add a=1', 'update a=2', 'delete a']);
    expect(informer.get(NS, 'a')).toBeUndefined();
  }, 30_000);

  it('recovers after its watch is broken and delivers what changed meanwhile', async () => {
    await client.apply(CONFIG_MAPS, configMap('b', { v: '1' }, { 'runtime-test': 'informer' }));
    await eventually('add b', () => seen.includes('add b=1'));
    const restartsBefore = informer.health.restarts;
    // Drop every connection and refuse new ones: the watch breaks and relists fail for a while.
    proxy.refuse(true);
    proxy.breakConnections();
    await eventually('the informer notices the broken watch', () => informer.health.restarts > restartsBefore, 10_000);
    await client.apply(CONFIG_MAPS, configMap('c', { v: '1' }, { 'runtime-test': 'informer' }));
    await client.apply(CONFIG_MAPS, configMap('b', { v: '2' }, { 'runtime-test': 'informer' }));
    await new Promise((r) => setTimeout(r, 1000));
    expect(seen).not.toContain('add c=1');
    proxy.refuse(false);
    await eventually('missed changes delivered after recovery', () => seen.includes('add c=1') && seen.includes('update b=2'), 15_000);
    expect(informer.alive).toBe(true);
    expect(informer.hasSynced).toBe(true);
    // The watch is live again: a new change arrives without another restart.
    const restarts = informer.health.restarts;
    await client.delete(CONFIG_MAPS, NS, 'c');
    await eventually('delete c after recovery', () => seen.includes('delete c'));
    expect(informer.health.restarts).toBe(restarts);
  }, 60_000);
});

describe('leader election against the apiserver', () => {
  const timing = { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 };

  it('gives exactly one leader of two, and hands over within a retry period on graceful stop', async () => {
    const store = (): KubeLeaseStore => new KubeLeaseStore(client, NS, 'in-process');
    const a = new LeaderElector({ store: store(), identity: 'a', timing });
    const b = new LeaderElector({ store: store(), identity: 'b', timing });
    a.start();
    b.start();
    await eventually('a leader', () => a.isLeader || b.isLeader, 10_000);
    for (let i = 0; i < 40; i++) {
      expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 100));
    }
    const [leader, standby] = a.isLeader ? [a, b] : [b, a];
    const stoppedAt = Date.now();
    await leader.stop();
    const lease = await client.get<KubernetesObject & { spec?: { holderIdentity?: string } }>(
      LEASES,
      NS,
      'in-process',
    );
    expect(lease?.spec?.holderIdentity ?? '').not.toBe(leader.identity);
    await eventually('the standby leads', () => standby.isLeader, timing.leaseDurationMs);
    const handover = Date.now() - stoppedAt;
    expect(handover).toBeLessThanOrEqual(timing.retryPeriodMs + 1000);
    await standby.stop();
  }, 30_000);

  describe('a leader killed with SIGKILL', () => {
    const fixtureDir = path.join(ROOT, 'dist', 'runtime-fixture');
    const fixture = path.join(fixtureDir, 'test', 'fixtures', 'lease-holder.js');
    const children: ChildProcess[] = [];
    const lines: Array<{ event: string; identity: string; at: number }> = [];

    beforeAll(() => {
      // Compile the fixture and what it imports (operator/runtime) to plain JS for a child process.
      execFileSync(
        path.join(ROOT, 'node_modules', '.bin', 'tsc'),
        [
          '--outDir', fixtureDir, '--rootDir', ROOT, '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
          '--target', 'ES2022', '--strict', '--skipLibCheck', '--esModuleInterop', '--resolveJsonModule', '--types', 'node',
          path.join(ROOT, 'test', 'fixtures', 'lease-holder.ts'),
        ],
        { stdio: 'inherit' },
      );
    }, 120_000);

    afterAll(() => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });

    function holder(identity: string): ChildProcess {
      const child = spawn(
        process.execPath,
        [fixture, cluster.kubeconfig, NS, 'killed', identity, String(timing.leaseDurationMs), String(timing.renewDeadlineMs), String(timing.retryPeriodMs)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.push(child);
      readline.createInterface({ input: child.stdout! }).on('line', (line) => lines.push(JSON.parse(line) as (typeof lines)[number]));
      return child;
    }

    it('is replaced within leaseDuration + retryPeriod, not before its lease expired', async () => {
      const p1 = holder('p1');
      const p2 = holder('p2');
      await eventually('a leader process', () => lines.some((l) => l.event === 'started-leading'), 15_000);
      await new Promise((r) => setTimeout(r, 2 * timing.retryPeriodMs));
      const first = lines.filter((l) => l.event === 'started-leading');
      expect(first).toHaveLength(1);
      const [dead, survivor] = first[0]!.identity === 'p1' ? [p1, p2] : [p2, p1];
      const killedAt = Date.now();
      dead.kill('SIGKILL');
      // The dead leader's last renewal, read before the survivor can have written (it waits a lease).
      const lastRenewal = await client.get<KubernetesObject & { spec?: { holderIdentity?: string; renewTime?: string } }>(LEASES, NS, 'killed');
      expect(lastRenewal?.spec?.holderIdentity).toBe(first[0]!.identity);
      const renewedAt = Date.parse(lastRenewal!.spec!.renewTime!);
      await eventually(
        'the survivor leads',
        () => lines.filter((l) => l.event === 'started-leading').length === 2,
        timing.leaseDurationMs + timing.retryPeriodMs + 5000,
      );
      const took = lines.filter((l) => l.event === 'started-leading')[1]!;
      const failover = took.at - killedAt;
      expect(took.identity).not.toBe(first[0]!.identity);
      // Never before the lease expired (the survivor counts from when it saw the last renewal, which
      // is after the renewal was stamped), and at most one retry period after that.
      expect(took.at).toBeGreaterThanOrEqual(renewedAt + timing.leaseDurationMs);
      expect(failover).toBeLessThanOrEqual(timing.leaseDurationMs + timing.retryPeriodMs + 1500);
      // Graceful stop of the survivor releases the lease.
      survivor.kill('SIGTERM');
      await eventually('the survivor exits', () => lines.some((l) => l.event === 'exited'), 10_000);
      const lease = await client.get<KubernetesObject & { spec?: { holderIdentity?: string } }>(
        LEASES,
        NS,
        'killed',
      );
      expect(lease?.spec?.holderIdentity).toBe('');
      process.stdout.write(`leader failover after SIGKILL: ${failover} ms (lease ${timing.leaseDurationMs} ms, retry ${timing.retryPeriodMs} ms)\n`);
    }, 60_000);
  });
});

describe('server-side apply against the apiserver', () => {
  it('applying the same object twice changes no resourceVersion and is counted', async () => {
    const before = await writeCount('apply', 'configmaps');
    const desired = configMap('ssa', { model: 'fraud', version: '1.0.0' });
    const first = await client.apply(CONFIG_MAPS, desired);
    const second = await client.apply(CONFIG_MAPS, desired);
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    expect(second.metadata?.managedFields?.map((m) => `${m.manager}:${m.operation}`)).toEqual([`${FIELD_MANAGER}:Apply`]);
    expect(await writeCount('apply', 'configmaps')).toBe(before + 2);
  });

  it('a Deployment read back matches what was applied (the skip-write check holds against real defaults)', async () => {
    const desired = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ssa-deploy', namespace: NS, labels: { 'app.kubernetes.io/name': 'tern-server' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { 'serving.tern.dev/release': 'ssa-deploy' } },
        template: {
          metadata: { labels: { 'serving.tern.dev/release': 'ssa-deploy' } },
          spec: {
            containers: [
              {
                name: 'server',
                image: 'ghcr.io/tern-dev/tern-server:0.1.0',
                ports: [{ name: 'http', containerPort: 8080 }],
                resources: { limits: { 'nvidia.com/gpu': 1, cpu: '500m' }, requests: { cpu: '500m' } },
                readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
              },
            ],
          },
        },
      },
    };
    await client.apply(DEPLOYMENTS, desired);
    // Let the deployment controller finish writing its status (it has seen this generation and reports the
    // rollout complete, as `kubectl rollout status` reads it), then compare and re-apply. An unchanged
    // resourceVersion over one poll alone is not that state: the controller may not have started yet.
    type DeploymentStatus = { observedGeneration?: number; conditions?: Array<{ type: string; reason?: string }> };
    let last = '';
    await eventually(
      'the Deployment settles',
      async () => {
        const d = await client.get<KubernetesObject & { status?: DeploymentStatus }>(DEPLOYMENTS, NS, 'ssa-deploy');
        const rv = d?.metadata?.resourceVersion ?? '';
        const complete =
          d?.status?.observedGeneration === d?.metadata?.generation &&
          d?.status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'NewReplicaSetAvailable') === true;
        const stable = complete && rv === last;
        last = rv;
        return stable;
      },
      20_000,
      500,
    );
    const live = await client.get<KubernetesObject & Record<string, unknown>>(DEPLOYMENTS, NS, 'ssa-deploy');
    expect(appliedFieldsMatch(desired, live)).toBe(true);
    expect(appliedFieldsMatch({ ...desired, spec: { ...desired.spec, replicas: 1 } }, live)).toBe(false);
    const again = await client.apply<KubernetesObject>(DEPLOYMENTS, desired);
    expect(again.metadata?.resourceVersion).toBe(live?.metadata?.resourceVersion);
  }, 40_000);

  it('forces only when asked: a field another manager owns conflicts without force and is taken with it', async () => {
    const other = new ApiKubeClient(rest, undefined, 'someone-else');
    await other.apply(CONFIG_MAPS, configMap('shared', { owned: 'theirs', theirs: 'x' }));
    const err = await client.apply(CONFIG_MAPS, configMap('shared', { owned: 'ours' }), { force: false }).catch((e: unknown) => e);
    expect(isConflict(err)).toBe(true);
    expect(String(err)).toMatch(/configmaps .*\/shared.*409 Conflict/);
    const taken = await client.apply(CONFIG_MAPS, configMap('shared', { owned: 'ours' }));
    expect(taken.data).toEqual({ owned: 'ours', theirs: 'x' });
  });
});

describe('status subresource against the apiserver', () => {
  const WIDGETS: ResourceType = { group: 'runtime.test.tern.dev', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true };
  type Widget = KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

  beforeAll(async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.runtime.test.tern.dev' },
      spec: {
        group: WIDGETS.group,
        scope: 'Namespaced',
        names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                },
              },
            },
          },
        ],
      },
    };
    const CRDS: ResourceType = {
      group: 'apiextensions.k8s.io',
      version: 'v1',
      kind: 'CustomResourceDefinition',
      plural: 'customresourcedefinitions',
      namespaced: false,
    };
    await client.apply(CRDS, crd);
    await eventually('the CRD is established', async () => {
      const live = await client.get<KubernetesObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>(
        CRDS,
        undefined,
        crd.metadata.name,
      );
      return live?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    });
    // Discovery of a new CRD takes a moment after Established.
    await eventually('widgets are served', async () => (await client.list(WIDGETS, { namespace: NS }).then(() => true, () => false)), 15_000, 200);
  }, 30_000);

  it('writes status only through /status, leaving spec and generation alone', async () => {
    const w = { metadata: { name: 'w1', namespace: NS }, spec: { size: 1 }, status: { phase: 'IgnoredOnMainResource' } };
    const created = await client.apply<Widget>(WIDGETS, w);
    expect(created.status).toBeUndefined();
    expect(created.metadata?.generation).toBe(1);

    const status = { metadata: { name: 'w1', namespace: NS }, status: { phase: 'Ready', observedGeneration: 1 } };
    const withStatus = await client.applyStatus<Widget>(WIDGETS, status);
    expect(withStatus.status).toEqual({ phase: 'Ready', observedGeneration: 1 });
    expect(withStatus.spec).toEqual({ size: 1 });
    expect(withStatus.metadata?.generation).toBe(1);

    const again = await client.applyStatus<Widget>(WIDGETS, status);
    expect(again.metadata?.resourceVersion).toBe(withStatus.metadata?.resourceVersion);

    const patched = await client.patch<Widget>(WIDGETS, NS, 'w1', { status: { message: 'all good' } }, { subresource: 'status' });
    expect(patched.status).toEqual({ phase: 'Ready', observedGeneration: 1, message: 'all good' });
    expect(patched.metadata?.generation).toBe(1);

    expect(await writeCount('apply', 'widgets/status')).toBe(2);
    expect(await writeCount('patch', 'widgets/status')).toBe(1);
  });
});

describe('events against the apiserver', () => {
  it('writes events.k8s.io/v1 Events the apiserver accepts, aggregating repeats into a series', async () => {
    const recorder = new EventRecorder({ sink: new KubeEventSink(client), reportingInstance: 'runtime-test_0', seriesFlushMs: 300 });
    const regarding = (await client.get(CONFIG_MAPS, NS, 'ssa'))!;
    for (let i = 0; i < 3; i++) {
      recorder.warning(regarding, 'AnalysisInconclusive', 'drift on canary: only 12 samples, need 50.');
      await new Promise((r) => setTimeout(r, 150));
    }
    recorder.normal(regarding, 'CanaryStepStarted', 'Step 1 of 5: 1% of traffic to 1.1.0.');
    await recorder.flush();
    const { items } = await client.list<K8sEvent & KubernetesObject>(EVENTS, { namespace: NS });
    const warnings = items.filter((e) => e.reason === 'AnalysisInconclusive');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      type: 'Warning',
      reportingController: 'serving.tern.dev/tern-operator',
      reportingInstance: 'runtime-test_0',
      regarding: { kind: 'ConfigMap', name: 'ssa', namespace: NS },
      series: { count: 3 },
    });
    expect(items.filter((e) => e.reason === 'CanaryStepStarted')).toHaveLength(1);
  }, 20_000);
});
