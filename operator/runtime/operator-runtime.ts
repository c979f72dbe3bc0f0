/**
 * OperatorRuntime wires the mechanics into one running controller process (controller-runtime's
 * Manager, reduced): kubeconfig -> API client (writes counted) -> informers (the watched
 * namespaces) -> work queue -> leader election -> /metrics, /healthz, /readyz -> graceful shutdown.
 *
 * Usage (operator/main.ts):
 *   const rt = OperatorRuntime.create(parseOperatorFlags(process.argv.slice(2)));
 *   const releases = rt.informer<ModelRelease>(MODEL_RELEASES);
 *   const deployments = rt.informer(DEPLOYMENTS, { labelSelector: 'app.kubernetes.io/managed-by=tern-operator' });
 *   await rt.run((key) => reconciler.reconcile(key), (queue) => {
 *     releases.addHandlers(enqueueObject(queue));
 *     deployments.addHandlers(enqueueOwner(queue));
 *   });
 *
 * Every replica runs informers and serves probes (a standby is ready, its cache warm); only the
 * leader's queue runs reconciles. When a leader loses the lease it shuts down and exits 1, so the
 * kubelet restarts it as a fresh standby — it never acts on a view another leader may have changed.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { ApiKubeClient } from './apply.js';
import { EventRecorder, KubeEventSink } from './events.js';
import type { OperatorFlags } from './flags.js';
import { informerChecks, OperatorHttpServer } from './http-server.js';
import { Informer } from './informer.js';
import { loadKubeConfig } from './kubeconfig.js';
import { defaultIdentity, LeaderElector } from './leader-election.js';
import { KubeLeaseStore } from './lease-store.js';
import { KubeListWatch } from './list-watch.js';
import { jsonLogger, type Logger } from './log.js';
import { OperatorMetrics } from './metrics.js';
import type { ResourceType } from './resources.js';
import { RestClient } from './rest-client.js';
import { installShutdown, type ShutdownStep } from './shutdown.js';
import { WorkQueue, type ReconcileFn } from './work-queue.js';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';

/** Options beyond the flags (tests inject these). */
export interface OperatorRuntimeOptions {
  logger?: Logger;
  /** How the process exits after shutdown (default process.exit). */
  exit?: (code: number) => void;
  /** Where SIGTERM/SIGINT come from (default the process). */
  signalSource?: Pick<EventEmitter, 'on' | 'off'>;
  /** How long run() waits for informers to sync before failing (default 120 s). */
  syncTimeoutMs?: number;
}

/** Options of one informer. */
export interface RuntimeInformerOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Watch all namespaces even when --namespaces is set (cluster-scoped types are always global). */
  allNamespaces?: boolean;
  /** The type may not be installed (HTTPRoute without Gateway API): empty until it appears. */
  optional?: boolean;
}

/** The running pieces of a tern-operator process. */
export class OperatorRuntime {
  readonly flags: OperatorFlags;
  readonly identity: string;
  readonly kubeConfig: KubeConfig;
  readonly rest: RestClient;
  readonly client: ApiKubeClient;
  readonly metrics: OperatorMetrics;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly #options: OperatorRuntimeOptions;
  readonly #listWatch: KubeListWatch;
  readonly #informers: Array<Informer<KubernetesObject>> = [];
  #queue: WorkQueue | undefined;
  #elector: LeaderElector | undefined;
  #server: OperatorHttpServer | undefined;
  #metricsPort: number | undefined;
  #shutdown: ((code?: number) => Promise<void>) | undefined;
  #uninstall: (() => void) | undefined;

  private constructor(flags: OperatorFlags, options: OperatorRuntimeOptions) {
    this.flags = flags;
    this.#options = options;
    this.logger = options.logger ?? jsonLogger(flags.logLevel, { component: 'tern-operator' });
    const loaded = loadKubeConfig({ kubeconfigPath: flags.kubeconfig, context: flags.context });
    this.kubeConfig = loaded.kubeConfig;
    this.identity = flags.identity ?? (process.env['POD_NAME'] ? `${process.env['POD_NAME']}_${randomBytes(4).toString('hex')}` : defaultIdentity());
    this.rest = new RestClient(this.kubeConfig);
    this.metrics = new OperatorMetrics();
    this.client = new ApiKubeClient(this.rest, (verb, resource) => this.metrics.countWrite(verb, resource));
    this.events = new EventRecorder({ sink: new KubeEventSink(this.client), reportingInstance: this.identity, logger: this.logger });
    this.#listWatch = new KubeListWatch(this.client, this.kubeConfig);
    this.logger.info('found the cluster', {
      source: loaded.source,
      from: loaded.from,
      server: this.rest.server,
      host: os.hostname(),
      identity: this.identity,
    });
  }

  /** Loads the kubeconfig (like kubectl) and builds the client, metrics and event recorder. */
  static create(flags: OperatorFlags, options: OperatorRuntimeOptions = {}): OperatorRuntime {
    return new OperatorRuntime(flags, options);
  }

  /** An informer over the watched namespaces (register before run()). */
  informer<T extends KubernetesObject>(type: ResourceType, options: RuntimeInformerOptions = {}): Informer<T> {
    const informer = new Informer<T>({
      source: this.#listWatch,
      type,
      namespaces: type.namespaced && !options.allNamespaces ? this.flags.namespaces : undefined,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      optional: options.optional,
      logger: this.logger,
    });
    this.#informers.push(informer as unknown as Informer<KubernetesObject>);
    return informer;
  }

  /** The work queue (after run() was called). */
  get queue(): WorkQueue | undefined {
    return this.#queue;
  }

  /** True when this replica reconciles (leader, or leader election off). */
  get isLeader(): boolean {
    return this.#elector ? this.#elector.isLeader : this.#queue !== undefined;
  }

  /** The bound port of the metrics server, once listening. */
  get metricsPort(): number | undefined {
    return this.#metricsPort;
  }

  /**
   * Starts everything: `wire(queue)` registers informer handlers, then informers start, probes
   * listen, and once synced the queue runs — at once, or when this replica becomes leader.
   * Resolves when started; the process then runs until SIGTERM/SIGINT or a lost lease.
   * Rejects when the informers do not sync within `syncTimeoutMs` (e.g. RBAC forbids a list):
   * log the error and call `stop(1)`.
   */
  async run(reconcile: ReconcileFn, wire: (queue: WorkQueue) => void): Promise<void> {
    if (this.#queue) throw new Error('OperatorRuntime.run was already called');
    const queue = new WorkQueue({
      reconcile,
      concurrency: this.flags.concurrency,
      observer: this.metrics.workQueueObserver(),
      logger: this.logger,
    });
    this.#queue = queue;
    wire(queue);
    const steps: ShutdownStep[] = [
      { name: 'stop the work queue (wait for in-flight reconciles)', run: () => queue.stop() },
      { name: 'release the leader lease', run: () => this.#elector?.stop() },
      { name: 'stop informers', run: async () => void (await Promise.all(this.#informers.map((i) => i.stop()))) },
      { name: 'flush events', run: () => this.events.flush() },
      { name: 'close the metrics server', run: () => this.#server?.close() },
      { name: 'close API connections', run: () => this.rest.close() },
    ];
    const { shutdown, uninstall } = installShutdown({
      steps,
      logger: this.logger,
      exit: this.#options.exit,
      signalSource: this.#options.signalSource,
    });
    this.#shutdown = shutdown;
    this.#uninstall = uninstall;

    if (this.flags.metricsAddr && this.flags.metricsAddr !== '0') {
      this.#server = new OperatorHttpServer({ metrics: this.metrics, ...informerChecks(this.#informers) });
      this.#metricsPort = await this.#server.listen(this.flags.metricsAddr);
      this.logger.info('serving /metrics, /healthz, /readyz', { address: this.flags.metricsAddr, port: this.#metricsPort });
    }
    for (const informer of this.#informers) informer.start();
    const timeout = this.#options.syncTimeoutMs ?? 120_000;
    await Promise.all(this.#informers.map((i) => i.waitForSync(timeout)));
    this.logger.info('informers synced', { informers: this.#informers.map((i) => i.health.resource) });

    if (!this.flags.leaderElect) {
      this.metrics.setLeader(this.identity, true);
      queue.start();
      return;
    }
    this.metrics.setLeader(this.identity, false);
    this.#elector = new LeaderElector({
      store: new KubeLeaseStore(this.client, this.flags.leaseNamespace, this.flags.leaseName),
      identity: this.identity,
      timing: {
        leaseDurationMs: this.flags.leaseDurationMs,
        renewDeadlineMs: this.flags.renewDeadlineMs,
        retryPeriodMs: this.flags.retryPeriodMs,
      },
      logger: this.logger,
      onStartedLeading: () => {
        this.metrics.setLeader(this.identity, true);
        queue.start();
      },
      onStoppedLeading: () => {
        this.metrics.setLeader(this.identity, false);
        this.logger.error('lost the leader lease; shutting down so a fresh replica takes over');
        void shutdown(1);
      },
    });
    this.#elector.start();
  }

  /** Runs the shutdown sequence (as on SIGTERM) and exits with `code` through the exit hook. */
  async stop(code = 0): Promise<void> {
    if (this.#shutdown) await this.#shutdown(code);
    this.#uninstall?.();
  }
}
