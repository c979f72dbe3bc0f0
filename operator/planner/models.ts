/**
 * Models as the operator runs them (status.stable / status.candidate / status.previousStable): the model
 * artifact and the pod serving config it was released with, and how to tell two apart.
 */
import type { Model, ModelRef } from '../api/model-release-schema.js';
import { podServing, revisionOf, sameServing, servingChanges } from '../model/pod-serving.js';
import type { ResolvedSpec } from '../model/resolved-spec.js';
import type { ObservedTrack } from './types.js';

/** The ModelRef of a spec.model; `since` marks when it started running in its role. */
export function toModelRef(model: Model, since?: string): ModelRef {
  return {
    name: model.name,
    version: model.version,
    weightsUrl: model.weightsUrl,
    ...(model.sha256 ? { sha256: model.sha256 } : {}),
    baselineScore: model.metrics.scoreMean,
    ...(since ? { since } : {}),
  };
}

/** What spec asks to run: spec.model with the pod serving config of spec.serving. */
export function releaseRef(spec: ResolvedSpec, since?: string): ModelRef {
  return { ...toModelRef(spec.model, since), serving: podServing(spec.serving) };
}

/** Whether `a` and `b` are the same artifact (name, version, URL and digest); `since` does not count. */
export function sameModel(a: Pick<ModelRef, 'name' | 'version' | 'weightsUrl' | 'sha256'> | undefined, b: Pick<ModelRef, 'name' | 'version' | 'weightsUrl' | 'sha256'> | undefined): boolean {
  if (!a || !b) return false;
  return a.name === b.name && a.version === b.version && a.weightsUrl === b.weightsUrl && (a.sha256 ?? '') === (b.sha256 ?? '');
}

/**
 * Whether `a` and `b` run the same pods: the same artifact and the same pod serving config. A ref
 * without a serving config (recorded before it was kept; plan.ts fills it in) matches on the model alone.
 */
export function sameRelease(a: ModelRef | undefined, b: ModelRef | undefined): boolean {
  if (!sameModel(a, b)) return false;
  return a?.serving === undefined || b?.serving === undefined || sameServing(a.serving, b.serving);
}

/**
 * Whether an observed Deployment's template runs `ref`: its version, and its revision when both sides
 * know one (a Deployment written before revisions existed matches on the version alone).
 */
export function runs(track: ObservedTrack | undefined, ref: ModelRef): boolean {
  if (!track || track.version !== ref.version) return false;
  return track.revision === undefined || ref.serving === undefined || track.revision === revisionOf(ref, ref.serving);
}

/**
 * What releasing `to` changes against `from`: "model 1.0.0 -> 1.1.0", "serving: rejectionThreshold 0.5 ->
 * 0.9", or both ("model 1.0.0 -> 1.1.0; serving: image a -> b"). Undefined when nothing is known to change.
 */
export function describeChange(from: ModelRef | undefined, to: ModelRef): string | undefined {
  if (!from) return undefined;
  const parts: string[] = [];
  if (!sameModel(from, to)) parts.push(from.version === to.version ? `model ${to.version} (new artifact)` : `model ${from.version} -> ${to.version}`);
  const serving = servingChanges(from.serving, to.serving);
  if (serving.length > 0) parts.push(`serving: ${serving.join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** Whether `ref`'s release changed the serving config only (same model artifact as what it replaced). */
export function isServingChange(ref: Pick<ModelRef, 'change'> | undefined): boolean {
  return !!ref?.change?.startsWith('serving:');
}

/** "species-classifier 1.1.0": how messages name a model. */
export function describeModel(model: Pick<ModelRef, 'name' | 'version'>): string {
  return `${model.name} ${model.version}`;
}

/** How status messages name the model a release runs: "1.1.0", or for a serving change "1.0.0 (serving: rejectionThreshold 0.5 -> 0.9)". */
export function releaseLabel(ref: Pick<ModelRef, 'version' | 'change'>): string {
  return isServingChange(ref) ? `${ref.version} (${ref.change})` : ref.version;
}

/** How messages name a release: "species-classifier 1.1.0", or for a serving change "species-classifier 1.0.0 (serving: rejectionThreshold 0.5 -> 0.9)". */
export function describeRelease(ref: Pick<ModelRef, 'name' | 'version' | 'change'>): string {
  return isServingChange(ref) ? `${describeModel(ref)} (${ref.change})` : describeModel(ref);
}
