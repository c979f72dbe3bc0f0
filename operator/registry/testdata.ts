/** Test builders for registry files: a valid two-entry registry, fresh on each call. */
import type { Registry } from './registry-schema.js';

export function goodRegistry(): Registry {
  return {
    schema_version: 1,
    active: 'species-1.0.0',
    models: [
      {
        name: 'species-1.0.0',
        display_name: 'Species classifier',
        version: '1.0.0',
        architecture: 'mlp-32',
        weights_url: 'https://models.tern.dev/species/1.0.0/species-1.0.0.onnx',
        sha256: 'b'.repeat(64),
        trained_at: '2026-09-01T09:00:00Z',
        metrics_snapshot: { tpr: 0.88, tnr: 0.92, score_mean: 0.81 },
      },
      {
        name: 'species-1.1.0',
        version: '1.1.0',
        weights_url: 'https://models.tern.dev/species/1.1.0/species-1.1.0.onnx',
        sha256: null,
        metrics_snapshot: { tpr: 0.91, tnr: 0.94, score_mean: 0.83, f1_score: 0.9, accuracy: 0.93 },
      },
    ],
  };
}
