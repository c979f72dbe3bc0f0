/**
 * A ModelRelease whose spec has every default filled in (operator/api's withDefaults): the planner, the
 * builders, the routers and the reconciler read this shape, never the raw spec, so a default lives in
 * exactly one place (the schema). In operator/model, below all of them.
 */
import { withDefaults, type ResolvedModelReleaseSpec } from '../api/defaults.js';
import type { ModelRelease, ModelReleaseSpec } from '../api/model-release-schema.js';

/** The spec after defaults: serving, traffic and rollout are always present. */
export type ResolvedSpec = ResolvedModelReleaseSpec;

/** A ModelRelease whose spec has its defaults applied. */
export interface ResolvedRelease extends Omit<ModelRelease, 'spec'> {
  spec: ResolvedSpec;
}

/** Apply the schema's defaults to `spec` (a copy; the input is not changed). */
export function resolveSpec(spec: ModelReleaseSpec): ResolvedSpec {
  return withDefaults(spec);
}

/** `release` with its spec resolved. */
export function resolveRelease(release: ModelRelease): ResolvedRelease {
  return { ...release, spec: resolveSpec(release.spec) };
}
