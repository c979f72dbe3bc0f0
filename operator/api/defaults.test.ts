// withDefaults: the runbook's defaults, filled without touching the input or overriding what is set.
import { withDefaults } from './defaults.js';
import type { ModelReleaseSpec } from './model-release-schema.js';

const spec = (): ModelReleaseSpec => ({
  model: { name: 'species', version: '1.0.0', weightsUrl: 'file:///m.onnx', metrics: { tpr: 0.9, tnr: 0.95, scoreMean: 0.8 } },
});

describe('withDefaults', () => {
  it('fills every section with the runbook defaults', () => {
    const s = withDefaults(spec());
    expect(s.rollout.steps.map((x) => x.setWeight)).toEqual([1, 5, 25, 50, 100]);
    expect(s.rollout.staging.gates).toEqual({ minTpr: 0.85, minTnr: 0.9 });
    expect(s.rollout.staging.allowUnverifiedArtifact).toBe(false);
    expect(s.rollout.analysis.provider).toEqual({ type: 'pods' });
    expect(s.rollout.analysis.checks.availability).toEqual({ enabled: true, min: 0.95 });
    expect(s.rollout.analysis.checks.latencyP95).toEqual({ enabled: true, maxSeconds: 2 });
    expect(s.rollout.analysis.checks.drift).toEqual({ enabled: true, maxScoreDrop: 0.1 });
    expect(s.rollout.analysis.checks.rejectionRatio).toEqual({ enabled: true, max: 0.5 });
    expect(s.serving).toMatchObject({ replicas: 2, gpu: 0, executionProvider: 'cpu', port: 8080 });
    expect(s.traffic).toEqual({ router: 'replicas' });
    expect(s.rollout.shadow).toBeUndefined();
  });

  it('keeps what is set and leaves the input alone', () => {
    const input = spec();
    input.rollout = { steps: [{ setWeight: 50 }] } as ModelReleaseSpec['rollout'];
    const before = JSON.stringify(input);
    const s = withDefaults(input);
    expect(s.rollout.steps).toEqual([{ setWeight: 50 }]);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('gives fresh default objects each call', () => {
    const a = withDefaults(spec());
    a.rollout.steps[0]!.setWeight = 99;
    expect(withDefaults(spec()).rollout.steps[0]!.setWeight).toBe(1);
  });
});
