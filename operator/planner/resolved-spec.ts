/**
 * A ModelRelease spec with every default filled in: the planner and the builders read this shape,
 * never the raw spec, so a default lives in exactly one place (the schema).
 */
import { Value } from '@sinclair/typebox/value';
import {
  ModelReleaseSpecSchema,
  ServingSchema,
  TrafficSchema,
  RolloutSchema,
  type ModelRelease,
  type ModelReleaseSpec,
  type Rollout,
  type Serving,
  type Traffic,
} from '../api/model-release-schema.js';

/** The spec after defaults: serving, traffic and rollout are always present. */
export interface ResolvedSpec extends ModelReleaseSpec {
  serving: Serving;
  traffic: Traffic;
  rollout: Rollout;
}

/** A ModelRelease whose spec has its defaults applied. */
export interface ResolvedRelease extends Omit<ModelRelease, 'spec'> {
  spec: ResolvedSpec;
}

/** Apply the schema's defaults to `spec` (a copy; the input is not changed). */
export function resolveSpec(spec: ModelReleaseSpec): ResolvedSpec {
  const copy = structuredClone(spec) as ModelReleaseSpec;
  const serving = Value.Default(ServingSchema, copy.serving ?? {}) as Serving;
  const traffic = Value.Default(TrafficSchema, copy.traffic ?? {}) as Traffic;
  const rollout = Value.Default(RolloutSchema, copy.rollout ?? {}) as Rollout;
  const resolved = Value.Default(ModelReleaseSpecSchema, { ...copy, serving, traffic, rollout });
  return resolved as ResolvedSpec;
}

/** `release` with its spec resolved. */
export function resolveRelease(release: ModelRelease): ResolvedRelease {
  return { ...release, spec: resolveSpec(release.spec) };
}
