/** Test builders for registry files: a valid two-entry registry, fresh on each call, and copies of the runbook-shaped one. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** The registry in the EcoMarineAI runbook's shape (free-form entry names, "1.0", dates, snapshot paths). */
export const RUNBOOK_DIR = 'operator/registry/testdata/runbook';

/** The runbook registry file as a plain document. */
export type RunbookDocument = Record<string, unknown> & { models: Record<string, unknown>[] };

/**
 * A copy of RUNBOOK_DIR (registry.json and its reports/) in a fresh temporary folder, after `change` has
 * edited the registry document (and, through `dir`, any file beside it). Returns the registry's path.
 */
export function runbookCopy(change: (registry: RunbookDocument, dir: string) => void = () => undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'tern-runbook-'));
  cpSync(RUNBOOK_DIR, dir, { recursive: true });
  const file = join(dir, 'registry.json');
  const registry = JSON.parse(readFileSync(file, 'utf8')) as RunbookDocument;
  change(registry, dir);
  writeFileSync(file, `${JSON.stringify(registry, null, 2)}\n`);
  return file;
}
