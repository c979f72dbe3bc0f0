/**
 * A controller's own Prometheus metrics (docs/conventions.md, "Operator metrics"), whatever it
 * reconciles: reconcile passes, the work queue, leadership and API writes, in a private prom-client
 * Registry that the reconciler's release metrics (reconciler/operator-metrics.ts) extend. Names and
 * labels here are the contract with the chart's alerts and dashboards; change them only together with
 * docs/conventions.md.
 */
import client from 'prom-client';
import type { WriteVerb } from './apply.js';
import type { WorkQueueObserver } from './work-queue.js';

/** Reconcile duration buckets (seconds): most passes take milliseconds; slow API calls show at the top. */
const RECONCILE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Options of {@link ControllerMetrics}. */
export interface ControllerMetricsOptions {
  /** Also export process_* and nodejs_* metrics (RSS, event-loop lag; default true). */
  processMetrics?: boolean;
}

/** The controller's metrics, in their own registry (subclasses add theirs to `registry`). */
export class ControllerMetrics {
  readonly registry = new client.Registry();

  readonly #reconcileDuration = new client.Histogram({
    name: 'tern_reconcile_duration_seconds',
    help: 'Time one reconcile pass of a ModelRelease took, by result.',
    labelNames: ['result'] as const,
    buckets: RECONCILE_BUCKETS,
    registers: [this.registry],
  });
  readonly #reconcileErrors = new client.Counter({
    name: 'tern_reconcile_errors_total',
    help: 'Reconcile passes that failed (each is retried with backoff).',
    registers: [this.registry],
  });
  readonly #queueDepth = new client.Gauge({
    name: 'tern_workqueue_depth',
    help: 'Keys waiting in the work queue to be reconciled.',
    registers: [this.registry],
  });
  readonly #leader = new client.Gauge({
    name: 'tern_leader',
    help: '1 while this replica holds the leader lease, 0 while it stands by.',
    labelNames: ['identity'] as const,
    registers: [this.registry],
  });
  readonly #apiWrites = new client.Counter({
    name: 'tern_api_writes_total',
    help: 'Write requests sent to the Kubernetes API, by verb and resource (subresources as resource/status).',
    labelNames: ['verb', 'resource'] as const,
    registers: [this.registry],
  });
  constructor(options: ControllerMetricsOptions = {}) {
    if (options.processMetrics ?? true) client.collectDefaultMetrics({ register: this.registry });
    this.#queueDepth.set(0);
    this.#reconcileErrors.inc(0);
  }

  /** The text exposition for `/metrics`. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content-Type of {@link ControllerMetrics.metrics}. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** One reconcile pass ended (an error also counts in tern_reconcile_errors_total). */
  observeReconcile(durationSeconds: number, failed: boolean): void {
    this.#reconcileDuration.observe({ result: failed ? 'error' : 'success' }, durationSeconds);
    if (failed) this.#reconcileErrors.inc();
  }

  /** Sets tern_workqueue_depth. */
  setQueueDepth(depth: number): void {
    this.#queueDepth.set(depth);
  }

  /** A WorkQueueObserver that feeds the reconcile and queue metrics. */
  workQueueObserver(): WorkQueueObserver {
    return {
      onReconciled: (_key, seconds, error) => this.observeReconcile(seconds, error !== undefined),
      onDepthChanged: (depth) => this.setQueueDepth(depth),
    };
  }

  /** Sets tern_leader for this replica. */
  setLeader(identity: string, leading: boolean): void {
    this.#leader.set({ identity }, leading ? 1 : 0);
  }

  /** Counts one write request (wire as ApiKubeClient's onWrite). */
  countWrite(verb: WriteVerb, resource: string): void {
    this.#apiWrites.inc({ verb, resource });
  }
}
