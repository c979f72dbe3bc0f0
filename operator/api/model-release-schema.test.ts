// Smoke test of the ModelRelease schema module: names and defaults that every other part relies on.
import { API_VERSION, DEFAULT_STEPS, PHASES } from './model-release-schema.js';

describe('ModelRelease schema', () => {
  it('names the API group and version', () => {
    expect(API_VERSION).toBe('serving.tern.dev/v1alpha1');
  });
  it('defaults to the runbook steps 1, 5, 25, 50, 100 %', () => {
    expect(DEFAULT_STEPS.map((s) => s.setWeight)).toEqual([1, 5, 25, 50, 100]);
  });
  it('lists every phase of DESIGN.md', () => {
    expect(PHASES).toContain('RolledBack');
  });
});
