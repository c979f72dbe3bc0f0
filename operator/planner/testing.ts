/**
 * Test builders for the planner and the builders (newRelease, observed tracks, a simulated cluster),
 * so tests state only what matters to them. Not used by the operator itself.
 */
import type { CheckResult, ModelReleaseSpec, ModelReleaseStatus } from '../api/model-release-schema.js';
import type { AnalysisVerdict } from '../analysis/types.js';
import { resolveRelease, type ResolvedRelease } from '../model/resolved-spec.js';
import type { Scale } from '../model/traffic.js';
import { scaleOf } from '../routers/factory.js';
import { plan } from './plan.js';
import { podServing, revisionOf } from '../model/pod-serving.js';
import type { Command, Desired, GoldenResult, Judge, ObservedTrack, PlanResult, PodProblem } from './types.js';

export const SHA_A = 'a'.repeat(64);
export const SHA_B = 'b'.repeat(64);
export const SHA_C = 'c'.repeat(64);

/** A species-classifier model entry at `version`. */
export function newModel(version: string, overrides: Partial<ModelReleaseSpec['model']> = {}): ModelReleaseSpec['model'] {
  return {
    name: 'species-classifier',
    version,
    weightsUrl: `http://127.0.0.1:9000/species-classifier/${version}/model.onnx`,
    sha256: SHA_A,
    metrics: { tpr: 0.93, tnr: 0.95, scoreMean: 0.8 },
    ...overrides,
  };
}

export interface ReleaseOptions {
  spec?: Partial<ModelReleaseSpec>;
  status?: ModelReleaseStatus;
  generation?: number;
}

/** A ModelRelease "species" in namespace "ml" (defaults applied), serving `version`. */
export function newRelease(version = '1.0.0', options: ReleaseOptions = {}): ResolvedRelease {
  return resolveRelease({
    apiVersion: 'serving.tern.dev/v1alpha1',
    kind: 'ModelRelease',
    metadata: { name: 'species', namespace: 'ml', uid: 'uid-1', generation: options.generation ?? 1 },
    spec: { model: newModel(version), ...options.spec },
    ...(options.status ? { status: options.status } : {}),
  });
}

/** An observed Deployment running `version` with `ready` of `replicas` pods ready and up to date. */
export function track(version: string, replicas: number, ready = replicas): ObservedTrack {
  return { replicas, readyReplicas: ready, updatedReplicas: replicas, generation: 1, observedGeneration: 1, version };
}

/** A check result for tests. */
export function result(name: string, outcome: CheckResult['outcome'], at: Date, value?: number): CheckResult {
  return { name, track: 'canary', outcome, measuredAt: at.toISOString(), ...(value !== undefined ? { value, threshold: '>= 0.95' } : {}) };
}

/**
 * A judge with assess's contract for planner tests: any Failed -> Fail, any Inconclusive/Error -> Hold,
 * otherwise Advance. (The real assess lives in operator/analysis and is tested there.)
 */
/** The pod scaling of the release's own router (spec.traffic.router), as the reconciler injects it. */
export function routerScale(release: ResolvedRelease): Scale {
  return scaleOf(release.spec.traffic.router);
}

export const contractJudge: Judge = (_spec, fresh): AnalysisVerdict => {
  const failed = fresh.find((r) => r.outcome === 'Failed');
  if (failed) return { kind: 'Fail', results: fresh, reason: `${failed.name} on canary: ${failed.value} vs ${failed.threshold}`, decisive: failed };
  const holding = fresh.find((r) => r.outcome === 'Inconclusive' || r.outcome === 'Error');
  if (holding) return { kind: 'Hold', results: fresh, reason: `${holding.name} is ${holding.outcome}`, decisive: holding };
  return { kind: 'Advance', results: fresh, reason: 'all checks passed' };
};

/**
 * A release driven pass after pass against a simulated cluster whose Deployments become exactly what
 * the last pass desired (all pods ready unless `notReady` says otherwise).
 */
export class Simulation {
  release: ResolvedRelease;
  now: Date;
  last?: PlanResult;
  observed: { stable?: ObservedTrack; candidate?: ObservedTrack; previous?: ObservedTrack } = {};
  notReady = { stable: false, candidate: false, previous: false };

  constructor(release: ResolvedRelease, now = new Date('2026-01-01T00:00:00Z')) {
    this.release = release;
    this.now = now;
  }

  /** One pass; measurements/golden/command/candidate pod problems as given. The new status is written back. */
  pass(extra: { measurements?: CheckResult[]; golden?: GoldenResult; command?: Command; candidateProblems?: PodProblem[] } = {}): PlanResult {
    const result = plan({ release: this.release, observed: this.observed, now: this.now, ...extra }, contractJudge, routerScale(this.release));
    this.release = { ...this.release, status: result.status };
    this.last = result;
    this.converge(result.desired);
    return result;
  }

  /** Let the cluster become what `desired` says. */
  converge(desired: Desired): void {
    // What buildDeployment writes: the revision of the model with the serving config it runs.
    const make = (t: Desired['stable'], notReady: boolean): ObservedTrack | undefined =>
      t ? { ...track(t.model.version, t.replicas, notReady ? 0 : t.replicas), revision: revisionOf(t.model, t.model.serving ?? podServing(this.release.spec.serving)) } : undefined;
    const stable = make(desired.stable, this.notReady.stable);
    const candidate = make(desired.candidate, this.notReady.candidate);
    const previous = make(desired.previous, this.notReady.previous);
    this.observed = { ...(stable ? { stable } : {}), ...(candidate ? { candidate } : {}), ...(previous ? { previous } : {}) };
  }

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }

  /** Change spec.serving (as a GitOps commit would): generation goes up. */
  setServing(serving: Partial<ModelReleaseSpec['serving']>): void {
    const generation = (this.release.metadata.generation ?? 1) + 1;
    this.release = resolveRelease({ ...this.release, metadata: { ...this.release.metadata, generation }, spec: { ...this.release.spec, serving: { ...this.release.spec.serving, ...serving } } } as Parameters<typeof resolveRelease>[0]);
  }

  /** Change spec (as a GitOps commit would): generation goes up. */
  setModel(model: ModelReleaseSpec['model']): void {
    const generation = (this.release.metadata.generation ?? 1) + 1;
    this.release = { ...this.release, metadata: { ...this.release.metadata, generation }, spec: { ...this.release.spec, model } };
  }

  get status(): ModelReleaseStatus {
    return this.release.status ?? {};
  }
}
