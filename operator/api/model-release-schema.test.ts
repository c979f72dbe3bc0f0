// Smoke test of the ModelRelease schema module: names and defaults that every other part relies on.
import { readFileSync } from 'node:fs';
import { API_VERSION, DEFAULT_STEPS, PHASES } from './model-release-schema.js';

/** The first column of the table under "## Phases" in docs/architecture.md, without backticks. */
function documentedPhases(): string[] {
  const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Phases\n')) ?? '';
  return [...section.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1] ?? '');
}

describe('ModelRelease schema', () => {
  it('names the API group and version', () => {
    expect(API_VERSION).toBe('serving.tern.dev/v1alpha1');
  });
  it('defaults to the runbook steps 1, 5, 25, 50, 100 %', () => {
    expect(DEFAULT_STEPS.map((s) => s.setWeight)).toEqual([1, 5, 25, 50, 100]);
  });
  it('has exactly the phases of the phase table in docs/architecture.md, in its order', () => {
    expect(documentedPhases()).toEqual([...PHASES]);
  });
});
