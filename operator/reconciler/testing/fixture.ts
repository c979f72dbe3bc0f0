/**
 * The reconciler's test fixture (after Argo Rollouts' controller fixture: `f := newFixture(t)`, expected
 * API actions, `f.run(key)`): one Reconciler over an in-memory apiserver (runtime/testing's
 * MemoryKubeClient), informer-like caches of every owned kind with its informer's selector (OWNED_KINDS),
 * scripted analysis, a hand-moved clock, a Deployment "controller" (`settle`) and an event sink that keeps
 * the Events as the apiserver would. A test states the objects, runs a pass and checks the writes that
 * pass made (verb, kind, name and the bodies), the status it left and the Events; `restart` gives a new
 * Reconciler over the same cluster (an operator restart), optionally with some stores replaced.
 *
 *   const f = newFixture({ release: newRelease('1.0.0') });
 *   await f.run();
 *   expect(f.writes()).toEqual(['apply Deployment species-stable', ..., 'apply ModelRelease/status species']);
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { CheckResult, ModelRelease, ModelReleaseStatus, Outcome } from '../../api/model-release-schema.js';
import { analysisOf, enabledCheckNames } from '../../analysis/analysis-spec.js';
import { MetricsProviders } from '../../analysis/factory.js';
import { sameForAll } from '../../analysis/result.js';
import type { MetricsProvider, Track } from '../../analysis/types.js';
import { EventRecorder, type EventRegarding, type EventType } from '../../runtime/events.js';
import { OperatorMetrics } from '../operator-metrics.js';
import { DEPLOYMENTS, type ResourceType } from '../../runtime/resources.js';
import { MODEL_RELEASES } from '../../api/resource.js';
import { MemoryKubeClient, type Action } from '../../runtime/testing/memory-kube-client.js';
import { FakeClock } from '../../runtime/testing/fake-clock.js';
import { MemoryEventSink } from '../../runtime/testing/memory-event-sink.js';
import type { ReconcileResult } from '../../runtime/work-queue.js';
import { OWNED_KINDS } from '../owned-kinds.js';
import { Reconciler, type ObjectStore, type ReconcilerStores } from '../reconciler.js';

/**
 * An informer's cache of one resource type: what the apiserver held at the last `sync`, filtered by its
 * label selector, without metadata.managedFields (the operator's informers drop them).
 */
export class CacheStore<T extends KubernetesObject = KubernetesObject> implements ObjectStore<T> {
  #items = new Map<string, T>();
  constructor(
    private readonly cluster: MemoryKubeClient,
    readonly type: ResourceType,
    private readonly labelSelector?: string,
  ) {}

  sync(): void {
    this.#items = new Map(this.cluster.all<T>(this.type, this.labelSelector).map((o) => {
      delete o.metadata?.managedFields;
      return [`${o.metadata?.namespace}/${o.metadata?.name}`, o];
    }));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    const found = this.#items.get(`${namespace}/${name}`);
    return found ? (JSON.parse(JSON.stringify(found)) as T) : undefined;
  }
}

/** An EventRecorder that also keeps every call, before the recorder folds repeats into a series. */
class RecordingEventRecorder extends EventRecorder {
  readonly recorded: string[] = [];
  override event(regarding: EventRegarding, type: EventType, reason: string, note: string, action?: string): void {
    this.recorded.push(`${type}/${reason}`);
    super.event(regarding, type, reason, note, action);
  }
}

/** Scripted analysis: every enabled check answers `outcome` (a value of 1 when Successful). */
class ScriptedProvider implements MetricsProvider {
  readonly type = 'pods' as const;
  outcome: Outcome = 'Successful';
  readonly measured: Track[] = [];
  measure(release: ModelRelease, track: Track, now: Date): Promise<CheckResult[]> {
    this.measured.push(track);
    return Promise.resolve(sameForAll(enabledCheckNames(analysisOf(release)), track, this.outcome, now, (check) => `${check}: scripted ${this.outcome}`));
  }
  isOnline(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

class ScriptedProviders extends MetricsProviders {
  constructor(readonly provider: ScriptedProvider) {
    super({ listTrackEndpoints: () => Promise.resolve([]) });
  }
  override for(): MetricsProvider {
    return this.provider;
  }
}

export interface FixtureOptions {
  /** The ModelRelease (stored as given; give metadata.uid to match owned objects' ownerReferences). */
  release: ModelRelease;
  /** Other objects already in the cluster (written by someone else, not the operator; more releases too). */
  objects?: Array<[ResourceType, KubernetesObject]>;
  /** Resource types the cluster does not serve (e.g. HTTP_ROUTES: no Gateway API CRDs). */
  missing?: ResourceType[];
  now?: Date;
}

/** What the Deployment controller would report for one track. */
export interface SettleOptions {
  /** Tracks whose pods never become ready (`stable`, `canary`, `previous`). */
  notReady?: string[];
}

/** A Reconciler wired to fakes, and what each pass did. */
export class ReconcilerFixture {
  readonly cluster: MemoryKubeClient;
  readonly metrics = new OperatorMetrics({ processMetrics: false });
  readonly analysis = new ScriptedProvider();
  /** The Events written (after the recorder folded repeats into series; see `flushEvents`). */
  readonly sink = new MemoryEventSink();
  readonly key: string;
  now: Date;
  reconciler: Reconciler;
  #recorder: RecordingEventRecorder;
  readonly #clock: FakeClock;
  readonly #caches: CacheStore[];
  readonly #stores: ReconcilerStores;
  readonly #name: string;
  readonly #namespace: string;
  /** Index into cluster.actions where the last pass began. */
  #from = 0;

  constructor(options: FixtureOptions) {
    this.now = options.now ?? new Date('2026-01-01T00:00:00Z');
    this.#clock = new FakeClock(this.now.getTime());
    this.cluster = new MemoryKubeClient({ ...(options.missing ? { missing: options.missing } : {}), now: () => this.now });
    this.#namespace = options.release.metadata.namespace ?? 'default';
    this.#name = options.release.metadata.name;
    this.key = `${this.#namespace}/${this.#name}`;
    this.cluster.seed(MODEL_RELEASES, options.release as ModelRelease & KubernetesObject);
    for (const [type, obj] of options.objects ?? []) this.cluster.seed(type, obj);
    const releases = new CacheStore<ModelRelease & KubernetesObject>(this.cluster, MODEL_RELEASES);
    // One cache per owned kind with its informer's selector, as operator.ts starts them.
    const owned = new Map([...OWNED_KINDS.values()].map((k) => [k.kind, new CacheStore(this.cluster, k.resource, k.labelSelector)]));
    this.#caches = [releases, ...owned.values()];
    this.#stores = { releases, owned };
    this.#recorder = this.#newRecorder();
    this.reconciler = this.#newReconciler(this.#stores);
  }

  #newRecorder(): RecordingEventRecorder {
    return new RecordingEventRecorder({ sink: this.sink, reportingInstance: 'fixture', clock: this.#clock });
  }

  #newReconciler(stores: ReconcilerStores): Reconciler {
    return new Reconciler({
      client: this.cluster,
      stores,
      recorder: this.#recorder,
      metrics: this.metrics,
      providers: new ScriptedProviders(this.analysis),
      now: () => this.now,
    });
  }

  /**
   * The operator restarts: a new Reconciler (and event recorder) over the same cluster, remembering
   * nothing of the old one's writes; `stores` may replace some of the informers' stores.
   */
  restart(stores: (current: ReconcilerStores) => ReconcilerStores = (s) => s): void {
    this.#recorder = this.#newRecorder();
    this.reconciler = this.#newReconciler(stores(this.#stores));
  }

  /**
   * One reconcile pass of the release (or of `key`, another release), after the caches caught up with
   * the cluster (`staleCaches`: the informers have not seen the last writes yet). Rejects with the pass's error.
   */
  async run(options: { staleCaches?: boolean; key?: string } = {}): Promise<ReconcileResult> {
    if (!options.staleCaches) for (const c of this.#caches) c.sync();
    this.#from = this.cluster.actions.length;
    return this.reconciler.reconcile(options.key ?? this.key);
  }

  /** `passes` passes of `key` (default the release), each allowed to fail; resolves to their errors. */
  async runPasses(passes: number, key = this.key): Promise<Error[]> {
    const errors: Error[] = [];
    for (let i = 0; i < passes; i++) await this.run({ key }).catch((err: unknown) => errors.push(err as Error));
    return errors;
  }

  /** One pass that must fail; resolves to its error. */
  async runError(): Promise<Error> {
    try {
      await this.run();
    } catch (err) {
      return err as Error;
    }
    throw new Error(`reconcile ${this.key} succeeded; expected an error`);
  }

  /**
   * Passes until `done()` holds: each pass is followed by `settle()` and by moving the clock to when the
   * pass asked to come back (as the work queue would). Throws after `maxPasses`.
   */
  async runUntil(done: () => boolean, maxPasses = 100): Promise<number> {
    for (let i = 1; i <= maxPasses; i++) {
      const result = await this.run();
      this.settle();
      if (done()) return i;
      await this.advance(result.requeueAfterMs ?? 0);
    }
    throw new Error(`not done after ${maxPasses} passes; status ${JSON.stringify(this.status)}`);
  }

  /** The writes of the last pass, as `verb Kind name` (`apply ModelRelease/status species` for status). */
  writes(): string[] {
    return describeWrites(this.lastActions());
  }

  /** Every write since the fixture began (all passes), as in `writes`. */
  allWrites(): string[] {
    return describeWrites(this.cluster.actions);
  }

  /** The requests of the last pass. */
  lastActions(): Action[] {
    return this.cluster.actions.slice(this.#from);
  }

  /** The body the last pass sent for `kind name` (the last such write), or undefined. */
  written<T = Record<string, unknown>>(kind: string, name: string): T | undefined {
    const found = this.lastActions().filter((a) => a.kind === kind && a.name === name && a.body !== undefined && a.verb !== 'get');
    return found.at(-1)?.body as T | undefined;
  }

  /** The Deployment controller catches up: every Deployment of the release runs its spec, all pods ready unless `notReady`. */
  settle(options: SettleOptions = {}): void {
    for (const d of this.cluster.all<KubernetesObject & { spec?: { replicas?: number } }>(DEPLOYMENTS, `serving.tern.dev/release=${this.#name}`)) {
      const track = d.metadata?.labels?.['serving.tern.dev/track'] ?? '';
      const replicas = d.spec?.replicas ?? 0;
      const ready = options.notReady?.includes(track) ? 0 : replicas;
      this.cluster.edit(DEPLOYMENTS, d.metadata?.namespace, d.metadata?.name ?? '', (obj) => {
        const generation = (obj['metadata'] as { generation?: number }).generation ?? 1;
        obj['status'] = { replicas, readyReplicas: ready, updatedReplicas: replicas, availableReplicas: ready, observedGeneration: generation };
      });
    }
  }

  /** Moves the reconciler's clock (and the event recorder's) forward; resolves once the timers due have run. */
  async advance(ms: number): Promise<void> {
    this.now = new Date(this.now.getTime() + ms);
    await this.#clock.advance(ms);
  }

  /** Hands the events the recorder holds back (rate limits, series) to the sink. */
  async flushEvents(): Promise<void> {
    await this.#recorder.flush();
  }

  /** Change spec.model as a GitOps commit would (generation goes up). */
  setModel(model: ModelRelease['spec']['model']): void {
    this.cluster.edit(MODEL_RELEASES, this.#namespace, this.#name, (obj) => {
      (obj['spec'] as ModelRelease['spec']).model = model;
    });
  }

  /** The release as the apiserver holds it. */
  get release(): ModelRelease {
    const found = this.cluster.peek<ModelRelease>(MODEL_RELEASES, this.#namespace, this.#name);
    if (!found) throw new Error(`${this.key} is gone`);
    return found;
  }

  get status(): ModelReleaseStatus {
    return this.release.status ?? {};
  }

  /** The status of another release of the namespace, as the apiserver holds it. */
  statusOf(name: string): ModelReleaseStatus {
    return this.object<ModelRelease>(MODEL_RELEASES, name)?.status ?? {};
  }

  /** Every event the reconciler recorded so far, in order (`Normal/Promoted`); repeats are not folded. */
  get events(): string[] {
    return [...this.#recorder.recorded];
  }

  /** A stored object of the release's namespace. */
  object<T = Record<string, unknown>>(type: ResourceType, name: string): T | undefined {
    return this.cluster.peek<T>(type, this.#namespace, name);
  }
}

/** Write requests as `verb Kind name` (`apply ModelRelease/status species` for status, ` (failed)` when answered with an error). */
function describeWrites(actions: Action[]): string[] {
  return actions
    .filter((a) => a.verb !== 'get' && a.verb !== 'list')
    .map((a) => `${a.verb} ${a.kind}${a.resource.includes('/') ? `/${a.resource.split('/')[1]}` : ''} ${a.name}${a.failed ? ' (failed)' : ''}`);
}

/** A fixture for `options.release`. */
export function newFixture(options: FixtureOptions): ReconcilerFixture {
  return new ReconcilerFixture(options);
}
