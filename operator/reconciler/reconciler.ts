/**
 * One reconcile pass of a ModelRelease (after Argo Rollouts' layering): gather the world from the
 * informers' caches, measure when due, call the pure planner, apply what differs (server-side apply,
 * field manager tern-operator), write status once through /status only when it changed, record events
 * and metrics, and say when to come back. It never writes a ModelRelease's spec.
 *
 * A converged, idle release causes zero API writes: owned objects are applied only when a field the
 * operator owns differs (runtime/apply-diff.ts), status only when the planner changed it.
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
import { silentLogger, type Logger } from '../runtime/log.js';
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
import { ownedFieldsMatch, ownedKind } from './owned-kinds.js';

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

  constructor(options: ReconcilerOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#now = options.now ?? (() => new Date());
  }

  /** Reconcile `namespace/name`. Throws (the queue retries with backoff) when the API refuses a write. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace = 'default', name } = splitKey(key);
    const cached = this.#o.stores.releases.get(namespace, name);
    if (!cached) {
      this.#written.delete(key);
      this.#lastProduction.delete(key);
      await this.#o.metrics.forgetRelease(namespace, name);
      return {};
    }
    const release = resolveRelease(this.#fresher(key, cached));
    const now = this.#now();
    const deployments = this.#cache(DEPLOYMENT_KIND.kind) as ObjectStore<KubernetesObject & DeploymentLike>;
    const liveStable = deployments.get(namespace, trackObjectName(name, 'stable'));
    const liveCandidate = deployments.get(namespace, trackObjectName(name, 'canary'));
    const livePrevious = deployments.get(namespace, trackObjectName(name, 'previous'));
    this.#checkOwned(release, liveStable);
    this.#checkOwned(release, liveCandidate);
    this.#checkOwned(release, livePrevious);
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
    for (const wave of waves) await Promise.all(wave.map((obj) => this.#applyIfChanged(obj, release)));
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

  #checkOwned(release: ResolvedRelease, live: KubernetesObject | undefined): void {
    if (!live || !release.metadata.uid) return;
    const owners = live.metadata?.ownerReferences ?? [];
    if (!owners.some((o) => o.uid === release.metadata.uid)) {
      throw new Error(
        `${live.kind ?? 'Deployment'} ${live.metadata?.namespace}/${live.metadata?.name} exists and is not owned by ModelRelease ${release.metadata.namespace}/${release.metadata.name}: delete or rename it`,
      );
    }
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

  async #applyIfChanged(obj: KubeObject, release: ResolvedRelease): Promise<void> {
    const kind = ownedKind(obj.kind);
    const live = this.#cache(obj.kind).get(obj.metadata.namespace, obj.metadata.name);
    if (ownedFieldsMatch(obj, live as unknown as Record<string, unknown> | undefined, release)) return;
    try {
      await this.#o.client.apply(kind.resource, obj as unknown as KubernetesObject);
    } catch (err) {
      const hint = kind.applyErrorHint ? ` (${kind.applyErrorHint})` : '';
      throw new Error(`${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name} apply error: ${(err as Error).message}${hint}`, { cause: err });
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
    const regarding = { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace: ns, ...(release.metadata.uid ? { uid: release.metadata.uid } : {}) } };
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

/** Whether resourceVersion `a` is older than `b` (both etcd revisions; unknown forms count as not older). */
export function isOlder(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}
