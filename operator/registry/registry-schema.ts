/**
 * The registry file format (models/registry.json), as the runbook writes it: snake_case keys, one entry
 * per model version. models/registry.schema.json is generated from this (`make crds`); the semantic
 * checks a JSON Schema cannot make (active names an entry, unique names, real dates) live in registry.ts,
 * and metrics snapshots kept in files are read by snapshot.ts.
 */
import { Type, type Static } from '@sinclair/typebox';
import { SEMVER_PATTERN, SHA256_PATTERN, WEIGHTS_URL_PATTERN } from '../api/model-release-schema.js';
import { RELEASE_NAME_MAX_LENGTH, RELEASE_NAME_PATTERN } from '../api/rules.js';

/** The values of schema_version that mean format version 1: the runbook writes "1.0", Tern wrote 1. */
export const REGISTRY_SCHEMA_VERSIONS = [1, '1.0'] as const;
export const ENTRY_NAME_PATTERN = '^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$';
/** A date ("2022-04-18") or an RFC 3339 date-time ("2026-03-01T12:00:00Z"); registry.ts also checks that it is a real one. */
export const DATE_OR_DATE_TIME_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$';
/** The stages `tern registry record` writes into an entry. */
export const STAGES = ['production', 'rolled_back', 'retired'] as const;
/** Longest metrics_snapshot path. */
export const SNAPSHOT_PATH_MAX_LENGTH = 1024;

const ratio = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });

const MetricsSnapshotObject = Type.Object(
  {
    tpr: ratio('True-positive rate on held-out data.'),
    tnr: ratio('True-negative rate on held-out data.'),
    score_mean: ratio('Mean target score on held-out data: the drift baseline.'),
  },
  {
    additionalProperties: Type.Number(),
    description: 'Metrics recorded at training time: tpr, tnr and score_mean (0..1) are required; any other numbers may be added.',
  },
);
/** Typed so that the extra numbers are visible to TypeScript. */
export const MetricsSnapshotSchema = Type.Unsafe<Static<typeof MetricsSnapshotObject> & { [metric: string]: number }>(MetricsSnapshotObject);
export type MetricsSnapshot = Static<typeof MetricsSnapshotSchema>;

/**
 * metrics_snapshot as written: the object inline, or the path of a JSON file holding it. One node with
 * type [object, string] (not a union), so each shape gets only its own errors: properties and required
 * apply to objects only, minLength and maxLength to strings only.
 */
const MetricsSnapshotField = Type.Unsafe<MetricsSnapshot | string>({
  ...JSON.parse(JSON.stringify(MetricsSnapshotObject)),
  type: ['object', 'string'],
  minLength: 1,
  maxLength: SNAPSHOT_PATH_MAX_LENGTH,
  description:
    'Metrics recorded at training time: an object (tpr, tnr and score_mean, each 0..1, are required; any other numbers may be added), or the path of a JSON file holding them, relative to the registry file and inside its folder (e.g. "reports/metrics_baseline.json"; a metrics report may use aliases and nesting, see docs/api.md).',
});

export const RegistryEntrySchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 63,
      pattern: ENTRY_NAME_PATTERN,
      description: 'Unique entry name: <family>-<version> (e.g. "species-1.1.0") or free-form (e.g. "effb4_15k", then set release_name).',
    }),
    display_name: Type.Optional(Type.String({ maxLength: 256, description: 'A human-readable name.' })),
    version: Type.String({ pattern: SEMVER_PATTERN, maxLength: 63, description: 'Semantic version (e.g. "1.1.0").' }),
    architecture: Type.Optional(Type.String({ maxLength: 128, description: 'Network architecture, informational (e.g. "mlp-32").' })),
    weights_url: Type.String({ pattern: WEIGHTS_URL_PATTERN, maxLength: 2048, description: 'Where the weights are: https://, http:// or file://.' }),
    // One node with type [string, null] (not a union) so a bad digest gets one clear error.
    sha256: Type.Unsafe<string | null>({
      type: ['string', 'null'],
      pattern: SHA256_PATTERN,
      description:
        'SHA-256 of the weights (64 lowercase hex digits), or null when unknown. A release of an entry without one stops in staging unless its ModelRelease sets spec.rollout.staging.allowUnverifiedArtifact.',
    }),
    trained_at: Type.Optional(
      Type.String({ pattern: DATE_OR_DATE_TIME_PATTERN, maxLength: 64, description: 'When the model was trained: a date ("2022-04-18", rendered as midnight UTC) or an RFC 3339 date-time.' }),
    ),
    metrics_snapshot: MetricsSnapshotField,
    stage: Type.Optional(
      Type.Unsafe<(typeof STAGES)[number]>({
        type: 'string',
        enum: [...STAGES],
        description: 'Where the model stands after its last release, written by `tern registry record`; ignored by render.',
      }),
    ),
    release_results: Type.Optional(
      Type.Object({}, {
        additionalProperties: true,
        description: 'Outcome of its last release (steps, check values, failing check), written by `tern registry record`; ignored by render.',
      }),
    ),
  },
  { additionalProperties: false, description: 'One model version.' },
);

export const RegistrySchema = Type.Object(
  {
    schema_version: Type.Unsafe<(typeof REGISTRY_SCHEMA_VERSIONS)[number]>({
      enum: [...REGISTRY_SCHEMA_VERSIONS],
      description: 'Version of this file format: 1 (also written "1.0").',
    }),
    release_name: Type.Optional(
      Type.String({
        pattern: RELEASE_NAME_PATTERN,
        maxLength: RELEASE_NAME_MAX_LENGTH,
        description:
          'The ModelRelease name and served model name, the same whichever entry is active. Needed when entry names are not <family>-<version>; otherwise the family name is used.',
      }),
    ),
    active: Type.String({ minLength: 1, description: 'The name of the entry that should serve production.' }),
    models: Type.Array(RegistryEntrySchema, { minItems: 1, description: 'Every registered model version.' }),
  },
  {
    additionalProperties: false,
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://tern.dev/schemas/registry.schema.json',
    title: 'Tern model registry (models/registry.json)',
    description: 'The model registry: the source of truth for what runs. `tern registry validate` checks a file against this schema and more.',
  },
);

/** A registry file as written (metrics_snapshot inline or a path). */
export type RegistryFile = Static<typeof RegistrySchema>;
/** An entry once its metrics snapshot is read: what rendering works on. */
export type RegistryEntry = Omit<Static<typeof RegistryEntrySchema>, 'metrics_snapshot'> & { metrics_snapshot: MetricsSnapshot };
/** A registry once every metrics snapshot is read (loadRegistry's result). */
export type Registry = Omit<RegistryFile, 'models'> & { models: RegistryEntry[] };

/** models/registry.schema.json, byte for byte (TypeBox's symbol keys dropped, two-space indent). */
export function renderRegistrySchemaJson(): string {
  const { $schema, $id, title, description, ...rest } = JSON.parse(JSON.stringify(RegistrySchema)) as Record<string, unknown>;
  return `${JSON.stringify({ $schema, $id, title, description, ...rest }, null, 2)}\n`;
}
