/**
 * Wires tern-operator together: kubeconfig -> API client -> informers -> work queue -> reconciler,
 * the metrics/probe server, leader election on a Lease, and graceful shutdown. Only the leader runs
 * informers and reconciles; a standby serves /metrics and /healthz and waits for the Lease.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { KIND, type ModelRelease } from './api/model-release-schema.js';
import { MetricsProviders } from './analysis/factory.js';
import { MODEL_RELEASES } from './api/resource.js';
import { LABEL_RELEASE } from './desired/labels.js';
import { OperatorMetrics } from './reconciler/operator-metrics.js';
import { Reconciler, type ReconcilerStores } from './reconciler/reconciler.js';
import { OWNED_KINDS } from './reconciler/owned-kinds.js';
import { listTrackEndpoints } from './reconciler/track-endpoints.js';
import { ApiKubeClient } from './runtime/apply.js';
import { enqueueObject, enqueueOwner } from './runtime/enqueue.js';
import { EventRecorder, KubeEventSink } from './runtime/events.js';
import { informerChecks, OperatorHttpServer, type ProbeCheck } from './runtime/http-server.js';
import { Informer } from './runtime/informer.js';
import { loadKubeConfig } from './runtime/kubeconfig.js';
import { defaultIdentity, LeaderElector } from './runtime/leader-election.js';
import { KubeLeaseStore } from './runtime/lease-store.js';
import { KubeListWatch } from './runtime/list-watch.js';
import type { Logger } from '../common/log.js';
import { RestClient } from './runtime/rest-client.js';
import { installShutdown } from './runtime/shutdown.js';
import { WorkQueue } from './runtime/work-queue.js';
import type { OperatorFlags } from './operator-flags.js';

/** Runs the operator until a signal; resolves once started. */
export async function runOperator(flags: OperatorFlags, log: Logger): Promise<void> {
  const identity = flags.identity ?? defaultIdentity();
  const loaded = loadKubeConfig({ ...(flags.kubeconfig ? { kubeconfigPath: flags.kubeconfig } : {}), ...(flags.context ? { context: flags.context } : {}) });
  log.info('cluster configuration loaded', { source: loaded.source, from: loaded.from, identity });
  const metrics = new OperatorMetrics();
  const rest = new RestClient(loaded.access);
  const client = new ApiKubeClient(rest, (verb, resource) => metrics.countWrite(verb, resource));
  const source = new KubeListWatch(client, rest);
  const recorder = new EventRecorder({ sink: new KubeEventSink(client), reportingInstance: identity, logger: log });
  const providers = new MetricsProviders({
    listTrackEndpoints: (release, track) => listTrackEndpoints(client, release, track),
    ...(flags.prometheusAddress ? { defaultPrometheusAddress: flags.prometheusAddress } : {}),
  });

  const namespaces = flags.namespaces;
  const informerLog = log.child({ component: 'informer' });
  const releases = new Informer<ModelRelease & KubernetesObject>({ source, type: MODEL_RELEASES, namespaces, logger: informerLog });
  // One informer per owned kind, by its own selector. An optional kind's CRD (Gateway API's) may be missing
  // or installed later: a 404 reads as "none yet" (its router then fails with a clear error) and the
  // informer keeps looking for the type. Other errors (a 429 while the apiserver's storage initialises,
  // 403) are retried with backoff.
  const owned = new Map(
    [...OWNED_KINDS.values()].map((k) => [
      k.kind,
      new Informer<KubernetesObject>({ source, type: k.resource, namespaces, labelSelector: k.labelSelector, optional: k.optional ?? false, logger: informerLog }),
    ]),
  );
  const informers: Informer<KubernetesObject>[] = [releases, ...owned.values()];

  const readiness: ProbeCheck[] = [];
  const liveness: ProbeCheck[] = [];
  const server = new OperatorHttpServer({ metrics, readiness, liveness });
  const port = await server.listen(flags.metricsAddr);
  log.info('serving /metrics, /healthz and /readyz', { address: flags.metricsAddr, port });

  let queue: WorkQueue | undefined;
  const startControllers = async (): Promise<void> => {
    const stores: ReconcilerStores = { releases, owned };
    const reconciler = new Reconciler({ client, stores, recorder, metrics, providers, logger: log.child({ component: 'reconciler' }) });
    queue = new WorkQueue({ reconcile: (key) => reconciler.reconcile(key), concurrency: flags.workers, observer: metrics.workQueueObserver(), logger: log.child({ component: 'queue' }) });
    // Status-only updates are the operator's own writes; timed steps come back through requeueAfter.
    releases.addHandlers(enqueueObject(queue, { ignoreStatusOnlyUpdates: true }));
    for (const inf of owned.values()) inf.addHandlers(enqueueOwner(queue, { kind: KIND, label: LABEL_RELEASE }));
    // Pass the informers themselves: `health` is a getter, read at every probe (a copy would stay unsynced forever).
    const checks = informerChecks(informers);
    liveness.push(...checks.liveness);
    readiness.push(...checks.readiness);
    for (const inf of informers) inf.start();
    await Promise.all(informers.map((i) => i.waitForSync()));
    queue.start();
    log.info('reconciling ModelReleases', { namespaces: namespaces.length ? namespaces : 'all', workers: flags.workers });
  };

  const startOrExit = (): void => {
    startControllers().catch((err: unknown) => {
      log.error('could not start the controllers', { err });
      void shutdown(1);
    });
  };
  const elector = flags.leaderElect
    ? new LeaderElector({
        store: new KubeLeaseStore(client, flags.leaseNamespace, flags.leaseName),
        identity,
        logger: log.child({ component: 'leader-election' }),
        onStartedLeading: () => {
          metrics.setLeader(identity, true);
          log.info('leading', { lease: `${flags.leaseNamespace}/${flags.leaseName}` });
          startOrExit();
        },
        onStoppedLeading: () => {
          metrics.setLeader(identity, false);
          // Caches and in-flight decisions may be stale now: exit and let the process restart as a standby.
          log.warn('lost the lease; exiting so a fresh process stands by');
          void shutdown(1);
        },
        onNewLeader: (leader) => log.info('leader observed', { leader }),
      })
    : undefined;
  const { shutdown } = installShutdown({
    logger: log,
    steps: [
      { name: 'drain work queue', run: () => queue?.stop() },
      { name: 'stop informers', run: () => Promise.all(informers.map((i) => i.stop())).then(() => undefined) },
      { name: 'flush events', run: () => recorder.flush() },
      // Last: finish in-flight passes first, then give the Lease up (the next leader starts from settled status).
      { name: 'release the lease', run: () => elector?.stop() },
      { name: 'close metrics server', run: () => server.close() },
      { name: 'close API connections', run: () => rest.close() },
    ],
  });
  metrics.setLeader(identity, false);
  if (!elector) {
    metrics.setLeader(identity, true);
    startOrExit();
    return;
  }
  elector.start();
}
