/**
 * One reconcile pass of a ModelRelease (after Argo Rollouts' layering): gather the world from the
 * informers' caches, measure when due, call the pure planner, apply what differs (server-side apply,
 * field manager tern-operator), write status once through /status only when it changed, record events
 * and metrics, and say when to come back. It never writes a ModelRelease's spec.
 *
 * A converged, idle release causes zero API writes: owned objects are applied only when a field the
 * operator owns differs (runtime/apply-diff.ts), status only when the planner changed it.
 *
 * Under faults: an object of the release's name owned by someone else is never written (ownership.ts);
 * an owned object someone keeps editing is set back at most 3 times in 5 minutes (contest-guard.ts); a
 * failed pass shows on the release as condition Synced=False and a rate-limited Warning event
 * (reconcile-errors.ts) before the queue retries it with backoff.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, KIND, type CheckResult, type ModelRelease } from '../api/model-release-schema.js';
import { assess } from '../analysis/assess.js';
import type { MetricsProviders } from '../analysis/factory.js';
import { thresholdNumber } from '../analysis/record-metrics.js';
import { DEPLOYMENT_KIND } from '../desired/deployment.js';
import type { KubeObject } from '../desired/kube-object.js';
import { trackObjectName } from '../desired/labels.js';
import { scaleOf } from '../routers/factory.js';
import { httpRouteName } from '../routers/gateway-api.js';
import { plan } from '../planner/plan.js';
import { resolveRelease, type ResolvedRelease } from '../model/resolved-spec.js';
import { goldenQueriesPending } from '../planner/staging.js';
import { runs } from '../planner/models.js';
import type { GoldenResult, ObservedTrack, PlanInput, PlanResult, PodProblem } from '../planner/types.js';
import type { EventRecorder } from '../runtime/events.js';
import type { KubeClient } from '../runtime/kube-client.js';
import { silentLogger, type Logger } from '../../common/log.js';
import type { OperatorMetrics } from './operator-metrics.js';
import { splitKey } from '../runtime/object-key.js';
import { MODEL_RELEASES } from '../api/resource.js';
import type { ReconcileResult } from '../runtime/work-queue.js';
import { readCommand } from '../api/command-annotation.js';
import { desiredObjects } from './desired-objects.js';
import { runGoldenQueries } from './golden.js';
import { inProductionWatch, measuredTrack, measurementDue } from './measure-due.js';
import { observeDeployment, type DeploymentLike } from './observe.js';
import { trackProblems } from './pod-problems.js';
import { listTrackEndpoints } from './track-endpoints.js';
import { ownedFieldsMatch, ownedKind, resourceOf } from './owned-kinds.js';
import { ContestGuard, lastOtherManager } from './contest-guard.js';
import { OwnershipConflictError, ownershipConflict } from './ownership.js';
import { ErrorReporter, regardingOf } from './error-reporter.js';
import { syncedSucceeded } from './reconcile-errors.js';
import { isOlder } from './resource-version.js';

/** A read-only object cache (an Informer's store). */
export interface ObjectStore<T> {
  get(namespace: string | undefined, name: string): T | undefined;
}

export interface ReconcilerStores {
  releases: ObjectStore<ModelRelease>;
  /** One cache per owned kind (owned-kinds.ts's OWNED_KINDS), by kind; an optional kind's is empty while its CRD is missing. */
  owned: ReadonlyMap<string, ObjectStore<KubernetesObject>>;
}

export interface ReconcilerOptions {
  client: KubeClient;
  stores: ReconcilerStores;
  recorder: EventRecorder;
  metrics: OperatorMetrics;
  providers: MetricsProviders;
  logger?: Logger;
  now?: () => Date;
  fetch?: typeof fetch;
  /** Least time between two different ReconcileError events of one release (default 60 s). */
  minNewErrorEventMs?: number;
  /** Set-backs of one owned object allowed within contestWindowMs before the operator stops writing it (default 3 in 5 min). */
  contestLimit?: number;
  contestWindowMs?: number;
}


export class Reconciler {
  readonly #o: ReconcilerOptions;
  readonly #log: Logger;
  readonly #now: () => Date;
  /** The object as this replica last wrote it (its /status answer), until the informer's cache has caught up. */
  readonly #written = new Map<string, ModelRelease>();
  /** When the production watch last measured each release (pacing only: a restart measures at once). */
  readonly #lastProduction = new Map<string, number>();
  /** Whether the cluster's CRD pruned status.*.serving from a write (it predates serving changes as releases). */
  #servingPruned = false;
  readonly #errors: ErrorReporter;
  readonly #contest: ContestGuard;

  constructor(options: ReconcilerOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#now = options.now ?? (() => new Date());
    this.#errors = new ErrorReporter({ client: options.client, recorder: options.recorder, logger: this.#log, ...(options.minNewErrorEventMs !== undefined ? { minNewEventMs: options.minNewErrorEventMs } : {}) });
    this.#contest = new ContestGuard({ ...(options.contestLimit !== undefined ? { limit: options.contestLimit } : {}), ...(options.contestWindowMs !== undefined ? { windowMs: options.contestWindowMs } : {}) });
  }

  /**
   * Reconcile `namespace/name`. Throws (the queue retries with backoff) when the API refuses a write or
   * an object is in the way; the release says so first (condition Synced, a Warning event).
   */
  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace = 'default', name } = splitKey(key);
    const cached = this.#o.stores.releases.get(namespace, name);
    if (!cached) {
      this.#written.delete(key);
      this.#lastProduction.delete(key);
      this.#errors.forget(key);
      this.#contest.forget(`${key}|`);
      await this.#o.metrics.forgetRelease(namespace, name);
      return {};
    }
    const fresh = this.#fresher(key, cached);
    try {
      return await this.#pass(key, resolveRelease(fresh));
    } catch (err) {
      const written = await this.#errors.report(key, fresh, err, this.#now());
      if (written) this.#written.set(key, written);
      throw err;
    }
  }

  async #pass(key: string, release: ResolvedRelease): Promise<ReconcileResult> {
    const namespace = release.metadata.namespace ?? 'default';
    const name = release.metadata.name;
    const now = this.#now();
    const deployments = this.#cache(DEPLOYMENT_KIND.kind) as ObjectStore<KubernetesObject & DeploymentLike>;
    const liveStable = deployments.get(namespace, trackObjectName(name, 'stable'));
    const liveCandidate = deployments.get(namespace, trackObjectName(name, 'canary'));
    const livePrevious = deployments.get(namespace, trackObjectName(name, 'previous'));
    for (const live of [liveStable, liveCandidate, livePrevious]) {
      const conflict = ownershipConflict({ kind: 'Deployment', metadata: { name: live?.metadata?.name ?? '', namespace, ownerReferences: [{ apiVersion: API_VERSION, kind: KIND, name, uid: release.metadata.uid ?? '' }] } }, live, release);
      if (conflict) throw new OwnershipConflictError(conflict);
    }
    const observed = {
      ...(liveStable ? { stable: observeDeployment(liveStable) } : {}),
      ...(liveCandidate ? { candidate: observeDeployment(liveCandidate) } : {}),
      ...(livePrevious ? { previous: observeDeployment(livePrevious) } : {}),
    };

    const production = inProductionWatch(release.spec, release.status);
    const due = measurementDue(release.spec, release.status, now, production ? this.#lastProduction.get(key) : undefined);
    if (production && (due || !this.#lastProduction.has(key))) this.#lastProduction.set(key, now.getTime());
    const measurements = due ? await this.#measure(release, now) : undefined;
    const golden = await this.#golden(release, observed.candidate);
    const candidateProblems = await this.#candidateProblems(release, observed);
    const result = plan(
      { release, observed, now, ...(this.#servingPruned ? { servingInStatus: false } : {}), ...(candidateProblems ? { candidateProblems } : {}), ...(measurements ? { measurements } : {}), ...(golden ? { golden } : {}), ...(readCommand(release.metadata.annotations) ? { command: readCommand(release.metadata.annotations) } : {}) },
      assess,
      scaleOf(release.spec.traffic.router),
    );

    const ready = { stable: observed.stable?.readyReplicas ?? 0, candidate: observed.candidate?.readyReplicas ?? 0, previous: observed.previous?.readyReplicas ?? 0 };
    const waves = desiredObjects(release, result.desired, ready, { stable: liveStable?.spec?.replicas, candidate: liveCandidate?.spec?.replicas, previous: livePrevious?.spec?.replicas });
    // Every object is checked before the first write: a release whose names are taken writes nothing at all.
    const objects = waves.flat();
    const live = new Map(await Promise.all(objects.map(async (obj) => [obj, await this.#liveOf(obj)] as const)));
    for (const [obj, current] of live) {
      const conflict = ownershipConflict(obj, current, release);
      if (conflict) throw new OwnershipConflictError(conflict);
    }
    for (const wave of waves) await Promise.all(wave.map((obj) => this.#applyIfChanged(key, obj, live.get(obj), release)));
    const conditions = syncedSucceeded(result.status.conditions, now, release.metadata.generation);
    if (conditions) result.status.conditions = conditions;
    await this.#writeStatus(key, release, result);
    this.#record(release, result);
    return result.requeueAfterMs === undefined ? {} : { requeueAfterMs: result.requeueAfterMs };
  }

  /**
   * The cached release, or the one this replica just wrote when the cache has not caught up yet: a pass
   * that planned from stale status would repeat the last transition (events twice, a needless write).
   * resourceVersions are etcd revisions; an older one in the cache means our write is not there yet.
   */
  #fresher(key: string, cached: ModelRelease): ModelRelease {
    const written = this.#written.get(key);
    if (!written) return cached;
    if (isOlder(cached.metadata.resourceVersion, written.metadata.resourceVersion)) return written;
    this.#written.delete(key);
    return cached;
  }

  async #measure(release: ResolvedRelease, now: Date): Promise<CheckResult[]> {
    const provider = this.#o.providers.for(release.spec.rollout.analysis.provider);
    const results = await provider.measure(release as ModelRelease, measuredTrack(release.status), now);
    const ns = release.metadata.namespace ?? 'default';
    for (const r of results) {
      const threshold = thresholdNumber(r.threshold);
      this.#o.metrics.setCheck(ns, release.metadata.name, r.name, r.track === 'stable' ? 'stable' : 'canary', {
        outcome: r.outcome,
        ...(r.value !== undefined ? { value: r.value } : {}),
        ...(Number.isFinite(threshold) ? { threshold } : {}),
      });
    }
    return results;
  }

  async #golden(release: ResolvedRelease, candidate: ObservedTrack | undefined): Promise<GoldenResult | undefined> {
    const st = release.status;
    if (st?.phase !== 'Staging' || !st.stable || !st.candidate || (candidate?.readyReplicas ?? 0) < 1 || !runs(candidate, st.candidate)) return undefined;
    if (!goldenQueriesPending(release.spec, st)) return undefined;
    const endpoints = await listTrackEndpoints(this.#o.client, release as ModelRelease, 'canary');
    return runGoldenQueries(release.spec.rollout.staging.goldenQueries ?? [], endpoints, this.#o.fetch);
  }

  /** The cache of an owned kind (operator.ts starts one informer per OWNED_KINDS entry). */
  #cache(kind: string): ObjectStore<KubernetesObject> {
    const store = this.#o.stores.owned.get(kind);
    if (!store) throw new Error(`no cache of owned kind ${kind}: start one informer per entry of OWNED_KINDS`);
    return store;
  }

  /** In Canary, and in Staging while the candidate's track is not ready: candidate pods not ready or restarted. */
  async #candidateProblems(release: ResolvedRelease, observed: PlanInput['observed']): Promise<PodProblem[] | undefined> {
    const st = release.status;
    if ((st?.phase !== 'Staging' && st?.phase !== 'Canary') || !st.candidate) return undefined;
    const track = st.stable ? 'canary' : 'stable';
    const live = observed[track === 'canary' ? 'candidate' : 'stable'];
    const ready = live && live.version === st.candidate.version && live.readyReplicas >= Math.max(live.replicas, 1);
    if (st.phase === 'Staging' && ready) return undefined;
    try {
      return await trackProblems(this.#o.client, release as ModelRelease, track, st.candidate.version, this.#o.fetch);
    } catch (err) {
      // Only a diagnosis: staging goes on (with its progress deadline) without it.
      this.#log.warn('cannot read the candidate pods', { release: `${release.metadata.namespace}/${release.metadata.name}`, error: (err as Error).message });
      return undefined;
    }
  }

  /**
   * The live object of `obj`'s name: from the informer's cache, else read (the informers see only objects
   * carrying the operator's labels, so a hand-made one of that name is found only this way).
   */
  async #liveOf(obj: KubeObject): Promise<KubernetesObject | undefined> {
    return this.#o.stores.owned.get(obj.kind)?.get(obj.metadata.namespace, obj.metadata.name) ?? (await this.#read(resourceOf(obj), obj, `${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}`));
  }

  /** Applies `obj` when an owned field differs from `live` (ownership already checked). */
  async #applyIfChanged(key: string, obj: KubeObject, live: KubernetesObject | undefined, release: ResolvedRelease): Promise<void> {
    const kind = ownedKind(obj.kind);
    const type = kind.resource;
    const what = `${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}`;
    if (ownedFieldsMatch(obj, live as unknown as Record<string, unknown> | undefined, release)) return;
    const guardKey = `${key}|${what}`;
    const desired = JSON.stringify(obj);
    // Who edited it: the informers drop managedFields, so read the object (only for a revert, which is rare).
    const editor = async () => lastOtherManager(live?.metadata?.managedFields ? live : await this.#read(type, obj, what).catch(() => live));
    const write = await this.#contest.beforeWrite(guardKey, what, desired, live, this.#now().getTime(), editor);
    if (write.kind === 'revert') {
      this.#o.recorder.event(regardingOf(release), 'Warning', 'OwnedObjectReverted', `${what} was changed by ${write.by}; tern-operator set the fields it owns back`);
    }
    try {
      const written = await this.#o.client.apply(type, obj as unknown as KubernetesObject);
      this.#contest.written(guardKey, desired, written);
    } catch (err) {
      const hint = kind.applyErrorHint ? ` (${kind.applyErrorHint})` : '';
      throw new Error(`${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name} apply error: ${(err as Error).message}${hint}`, { cause: err });
    }
  }

  async #read(type: ReturnType<typeof resourceOf>, obj: KubeObject, what: string): Promise<KubernetesObject | undefined> {
    try {
      return await this.#o.client.get<KubernetesObject>(type, obj.metadata.namespace, obj.metadata.name);
    } catch (err) {
      const hint = obj.kind === 'HTTPRoute' ? ' (router gatewayAPI needs the Gateway API CRDs installed)' : '';
      throw new Error(`${what} read error: ${(err as Error).message}${hint}`, { cause: err });
    }
  }

  async #writeStatus(key: string, release: ResolvedRelease, result: PlanResult): Promise<void> {
    // Compared as JSON: undefined-valued keys and key order do not count as a change.
    const status = JSON.parse(JSON.stringify(result.status)) as PlanResult['status'];
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(release.status ?? {})), status)) return;
    const body = {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name: release.metadata.name, namespace: release.metadata.namespace ?? 'default' },
      status,
    };
    const written = await this.#o.client.applyStatus<ModelRelease & KubernetesObject>(MODEL_RELEASES, body as unknown as ModelRelease & KubernetesObject);
    if (written?.metadata?.resourceVersion) this.#written.set(key, written);
    if (!this.#servingPruned && servingPruned(status, written?.status)) {
      this.#servingPruned = true;
      this.#log.error('the ModelRelease CRD in the cluster is older than this operator: it prunes status.stable.serving, so spec.serving changes apply directly instead of being released; apply crds/modelrelease.yaml', { release: key });
    }
  }

  #record(release: ResolvedRelease, result: PlanResult): void {
    const ns = release.metadata.namespace ?? 'default';
    const name = release.metadata.name;
    const regarding = regardingOf(release);
    for (const e of result.events) {
      this.#o.recorder.event(regarding, e.type, e.reason, e.note);
      this.#log.info(e.note, { release: `${ns}/${name}`, reason: e.reason, type: e.type });
    }
    if (result.status.phase) this.#o.metrics.setReleasePhase(ns, name, result.status.phase);
    this.#o.metrics.setCanaryWeight(ns, name, result.desired.weights.candidate);
    for (const o of result.outcomes) {
      this.#o.metrics.countRollout(ns, name, o.outcome);
      if (o.outcome === 'RolledBack' && o.reason) this.#o.metrics.countRollback(ns, name, o.reason);
    }
    for (const check of result.alarms) this.#o.metrics.countProductionAlarm(ns, name, check);
  }
}

/** The HTTPRoute name a release uses (for informers that want to watch it). */
export { httpRouteName };

/** Whether the apiserver dropped a serving config the operator wrote into status (a CRD without the field prunes it). */
export function servingPruned(sent: PlanResult['status'], stored: PlanResult['status'] | undefined): boolean {
  return stored !== undefined && sent.stable?.serving !== undefined && stored.stable !== undefined && stored.stable.serving === undefined;
}

export { isOlder };
