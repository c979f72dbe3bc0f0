/**
 * withDefaults: a ModelRelease spec with every schema default applied, as the apiserver stores it.
 * The operator reads specs through it so that objects built in tests, or created before a default was
 * added to the CRD, look the same as freshly admitted ones.
 */
import { newSchemaAjv } from './ajv.js';
import { ModelReleaseSpecSchema, type ModelReleaseSpec, type Rollout, type Serving, type Traffic } from './model-release-schema.js';
import { toPlainSchema } from './structural.js';

/** A spec whose defaulted sections are all present. */
export type ResolvedModelReleaseSpec = ModelReleaseSpec & { serving: Serving; traffic: Traffic; rollout: Rollout };

let applyDefaults: ((data: unknown) => boolean) | undefined;

/** The spec with every default of the schema applied; the input is not changed. Invalid parts are left as they are. */
export function withDefaults(spec: ModelReleaseSpec): ResolvedModelReleaseSpec {
  applyDefaults ??= newSchemaAjv({ useDefaults: true }).compile(toPlainSchema(ModelReleaseSpecSchema, 'offline'));
  const copy = structuredClone(spec);
  applyDefaults(copy);
  return copy as ResolvedModelReleaseSpec;
}
