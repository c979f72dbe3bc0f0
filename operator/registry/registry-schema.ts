/**
 * The registry file format (models/registry.json), as the runbook writes it: snake_case keys, one entry
 * per model version. models/registry.schema.json is generated from this (`make crds`); the semantic
 * checks a JSON Schema cannot make (active names an entry, unique names) live in registry.ts.
 */
import { Type, type Static } from '@sinclair/typebox';
import { SEMVER_PATTERN, SHA256_PATTERN, WEIGHTS_URL_PATTERN } from '../api/model-release-schema.js';

export const REGISTRY_SCHEMA_VERSION = 1;
export const ENTRY_NAME_PATTERN = '^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$';

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

export const RegistryEntrySchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 63,
      pattern: ENTRY_NAME_PATTERN,
      description: 'Unique entry name, by convention <family>-<version> (e.g. "species-1.1.0").',
    }),
    display_name: Type.Optional(Type.String({ maxLength: 256, description: 'A human-readable name.' })),
    version: Type.String({ pattern: SEMVER_PATTERN, maxLength: 63, description: 'Semantic version (e.g. "1.1.0").' }),
    architecture: Type.Optional(Type.String({ maxLength: 128, description: 'Network architecture, informational (e.g. "mlp-32").' })),
    weights_url: Type.String({ pattern: WEIGHTS_URL_PATTERN, maxLength: 2048, description: 'Where the ONNX weights are: https://, http:// or file://.' }),
    // One node with type [string, null] (not a union) so a bad digest gets one clear error.
    sha256: Type.Unsafe<string | null>({
      type: ['string', 'null'],
      pattern: SHA256_PATTERN,
      description:
        'SHA-256 of the weights (64 lowercase hex digits), or null when unknown. A release of an entry without one stops in staging unless its ModelRelease sets spec.rollout.staging.allowUnverifiedArtifact.',
    }),
    trained_at: Type.Optional(Type.String({ format: 'date-time', description: 'When the model was trained (RFC 3339).' })),
    metrics_snapshot: MetricsSnapshotSchema,
  },
  { additionalProperties: false, description: 'One model version.' },
);

export const RegistrySchema = Type.Object(
  {
    schema_version: Type.Literal(REGISTRY_SCHEMA_VERSION, { description: 'Version of this file format.' }),
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

export type MetricsSnapshot = Static<typeof MetricsSnapshotSchema>;
export type RegistryEntry = Static<typeof RegistryEntrySchema>;
export type Registry = Static<typeof RegistrySchema>;

/** models/registry.schema.json, byte for byte (TypeBox's symbol keys dropped, two-space indent). */
export function renderRegistrySchemaJson(): string {
  const { $schema, $id, title, description, ...rest } = JSON.parse(JSON.stringify(RegistrySchema)) as Record<string, unknown>;
  return `${JSON.stringify({ $schema, $id, title, description, ...rest }, null, 2)}\n`;
}
