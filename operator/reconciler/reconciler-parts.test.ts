// The reconciler's pure parts: command annotations, when to measure, golden answers, Deployment reading.
import { newModel, newRelease, SHA_B } from '../planner/testing.js';
import { toModelRef } from '../planner/models.js';
import { ANNOTATION_COMMAND, ANNOTATION_COMMAND_NONCE, commandPatch, readCommand } from '../api/command-annotation.js';
import { goldenMismatch } from './golden.js';
import { measuredTrack, measurementDue } from './measure-due.js';
import { observeDeployment } from './observe.js';
import { isOlder, servingPruned } from './reconciler.js';
import { podServing } from '../model/pod-serving.js';
import { desiredObjects } from './desired-objects.js';

describe('command annotations', () => {
  it('round-trips a command with a fresh nonce each time', () => {
    const a = commandPatch('promote-full').metadata.annotations;
    const b = commandPatch('promote-full').metadata.annotations;
    expect(readCommand(a)).toEqual({ name: 'promote-full', nonce: a[ANNOTATION_COMMAND_NONCE] });
    expect(a[ANNOTATION_COMMAND_NONCE]).not.toBe(b[ANNOTATION_COMMAND_NONCE]);
  });
  it('ignores unknown names and missing nonces', () => {
    expect(readCommand({ [ANNOTATION_COMMAND]: 'explode', [ANNOTATION_COMMAND_NONCE]: 'x' })).toBeUndefined();
    expect(readCommand({ [ANNOTATION_COMMAND]: 'abort' })).toBeUndefined();
    expect(readCommand(undefined)).toBeUndefined();
  });
});

describe('measurementDue', () => {
  const now = new Date('2026-01-01T00:01:00Z');
  const release = newRelease('1.1.0');
  const inCanary = { phase: 'Canary' as const, stable: toModelRef(newModel('1.0.0')), candidate: toModelRef(newModel('1.1.0', { sha256: SHA_B })) };
  it.each([
    ['no measurement yet', { ...inCanary }, true],
    ['last one an interval ago', { ...inCanary, analysis: [{ name: 'drift', track: 'canary', outcome: 'Successful' as const, measuredAt: '2026-01-01T00:00:50Z' }] }, true],
    ['last one 5 s ago', { ...inCanary, analysis: [{ name: 'drift', track: 'canary', outcome: 'Successful' as const, measuredAt: '2026-01-01T00:00:55Z' }] }, false],
    ['Healthy, production watch off', { ...inCanary, phase: 'Healthy' as const }, false],
    ['first release staging', { phase: 'Staging' as const, candidate: inCanary.candidate }, false],
    ['Healthy in its bake', { phase: 'Healthy' as const, stable: inCanary.candidate, bake: { since: '2026-01-01T00:00:00Z', until: '2026-01-01T00:30:00Z', warmReplicas: 1 } }, true],
  ])('%s -> %s', (_name, status, due) => {
    const spec = { ...release.spec, rollout: { ...release.spec.rollout, productionInterval: '0s' } };
    expect(measurementDue(spec, status, now)).toBe(due);
  });
  it('in production (Healthy after the bake) every productionInterval by the reconciler\'s own clock', () => {
    const healthy = { phase: 'Healthy' as const, stable: inCanary.stable, analysis: [{ name: 'drift', track: 'stable', outcome: 'Successful' as const, measuredAt: '2026-01-01T00:00:59Z' }] };
    expect(measurementDue(release.spec, healthy, now)).toBe(false); // first seen now: measured one interval later
    expect(measurementDue(release.spec, healthy, now, now.getTime() - 30_000)).toBe(false);
    expect(measurementDue(release.spec, healthy, now, now.getTime() - 60_000)).toBe(true);
    expect(measurementDue(release.spec, { ...healthy, restore: { from: '1.1.0', reason: 'Undo', since: '2026-01-01T00:00:00Z', warm: false } }, now)).toBe(false);
  });
  it('measures the stable track during a bake, the candidate otherwise', () => {
    expect(measuredTrack({ phase: 'Healthy', bake: { since: '2026-01-01T00:00:00Z', until: '2026-01-01T00:30:00Z', warmReplicas: 1 } })).toBe('stable');
    expect(measuredTrack(inCanary)).toBe('canary');
  });
});

describe('golden answers', () => {
  const answer = { label: 'setosa', class_index: 0, confidence: 0.91 };
  it.each([
    [{ input: [1], expectClassIndex: 0 }, undefined],
    [{ input: [1], expectClassIndex: 2 }, 'expected class 2, got 0 (setosa)'],
    [{ input: [1], expectLabel: 'virginica' }, 'expected label virginica, got setosa'],
    [{ input: [1], minConfidence: 0.95 }, 'confidence 0.910 is below 0.95'],
  ])('%j -> %s', (query, mismatch) => {
    expect(goldenMismatch(query, answer)).toBe(mismatch);
  });
  it('fails, without throwing, an answer whose model output was not finite (tern-server answers confidence null)', () => {
    const broken = { label: 'setosa', class_index: 0, confidence: null, reason: 'non_finite_output' };
    expect(goldenMismatch({ input: [1], minConfidence: 0.5 }, broken)).toBe('the answer has no finite confidence (non_finite_output)');
    expect(goldenMismatch({ input: [1], expectClassIndex: 0 }, broken)).toBe('the answer has no finite confidence (non_finite_output)');
  });
});

describe('observeDeployment', () => {
  it('reads replicas, readiness, generations and the model version label', () => {
    const d = {
      metadata: { generation: 3 },
      spec: { replicas: 2, template: { metadata: { labels: { 'serving.tern.dev/version': '1.1.0' } } } },
      status: { replicas: 3, readyReplicas: 1, updatedReplicas: 2, observedGeneration: 2 },
    };
    expect(observeDeployment(d)).toEqual({ replicas: 2, readyReplicas: 1, updatedReplicas: 2, generation: 3, observedGeneration: 2, pods: 3, version: '1.1.0' });
    expect(observeDeployment(undefined)).toBeUndefined();
  });
});

describe('servingPruned (is the CRD older than the operator?)', () => {
  const ref = toModelRef(newModel('1.0.0'));
  const withServing = { phase: 'Healthy' as const, stable: { ...ref, serving: podServing(newRelease().spec.serving) } };
  it('is true only when a serving config sent in status came back without it', () => {
    expect(servingPruned(withServing, { phase: 'Healthy', stable: ref })).toBe(true);
    expect(servingPruned(withServing, withServing)).toBe(false);
    expect(servingPruned({ phase: 'Healthy', stable: ref }, { phase: 'Healthy', stable: ref })).toBe(false);
    expect(servingPruned(withServing, undefined)).toBe(false);
  });
});

describe('isOlder (is the informer cache behind our own status write?)', () => {
  it.each([
    ['41', '42', true],
    ['42', '42', false],
    ['100', '99', false],
    [undefined, '5', false],
    ['abc', '5', false],
  ])('%s older than %s -> %s', (a, b, older) => {
    expect(isOlder(a, b)).toBe(older);
  });
});

describe('desiredObjects waves', () => {
  it('grows Deployments before routing and shrinks them after', () => {
    const release = newRelease('1.1.0');
    const desired = {
      stable: { model: toModelRef(newModel('1.0.0')), replicas: 1 },
      candidate: { model: toModelRef(newModel('1.1.0', { sha256: SHA_B })), replicas: 1 },
      weights: { stable: 50, candidate: 50, mirror: 0 },
    };
    const waves = desiredObjects(release, desired, { stable: 2, candidate: 0 }, { stable: 2, candidate: 0 });
    expect(waves.map((w) => w.map((o) => `${o.kind}/${o.metadata.name}`))).toEqual([
      ['Deployment/species-canary'],
      ['Service/species', 'Service/species-stable', 'Service/species-canary'],
      ['Deployment/species-stable'],
    ]);
  });

  const names = (waves: ReturnType<typeof desiredObjects>) => waves.flat().map((o) => `${o.kind}/${o.metadata.name}`);
  const stableOnly = { stable: { model: toModelRef(newModel('1.0.0')), replicas: 1 }, weights: { stable: 100, candidate: 0, mirror: 0 } };

  it('gives a release that never had a candidate no canary Service (replicas router)', () => {
    expect(names(desiredObjects(newRelease('1.0.0'), stableOnly, { stable: 1, candidate: 0 }, { stable: 1 }))).toEqual([
      'Deployment/species-stable',
      'Service/species',
      'Service/species-stable',
    ]);
  });

  it('keeps both track Services for gatewayAPI (its HTTPRoute names them), each once', () => {
    const gw = newRelease('1.0.0', { spec: { traffic: { router: 'gatewayAPI' } } as never });
    const all = names(desiredObjects(gw, stableOnly, { stable: 1, candidate: 0 }, { stable: 1 }));
    expect(all).toEqual(expect.arrayContaining(['Service/species-stable', 'Service/species-canary', 'HTTPRoute/species']));
    expect(new Set(all).size).toBe(all.length);
  });
});
