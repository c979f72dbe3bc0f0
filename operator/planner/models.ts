/**
 * Models as the operator runs them (status.stable / status.candidate) and how to tell two apart.
 */
import type { Model, ModelRef } from '../api/model-release-schema.js';

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

/** Whether `a` and `b` are the same artifact (name, version, URL and digest); `since` does not count. */
export function sameModel(a: Pick<ModelRef, 'name' | 'version' | 'weightsUrl' | 'sha256'> | undefined, b: Pick<ModelRef, 'name' | 'version' | 'weightsUrl' | 'sha256'> | undefined): boolean {
  if (!a || !b) return false;
  return a.name === b.name && a.version === b.version && a.weightsUrl === b.weightsUrl && (a.sha256 ?? '') === (b.sha256 ?? '');
}

/** "species-classifier 1.1.0": how messages name a model. */
export function describeModel(model: Pick<ModelRef, 'name' | 'version'>): string {
  return `${model.name} ${model.version}`;
}
