// The replicas router: weight -> candidate share of ready pods, never an empty Service.
import { newRelease } from '../planner/testing.js';
import { candidatePodsFor, replicasRouter } from './replicas.js';

const w = (candidate: number, mirror = 0) => ({ stable: 100 - candidate, candidate, mirror });

describe('replicas router', () => {
  it.each([
    [1, 2, 1],
    [50, 2, 1],
    [99, 2, 1],
    [100, 2, 2],
    [1, 20, 1],
    [5, 20, 1],
    [25, 20, 5],
    [50, 4, 2],
    [90, 4, 3],
    [0, 4, 0],
    [60, 1, 1],
  ])('weight %i%% of %i replicas -> %i candidate pods', (weight, total, pods) => {
    expect(candidatePodsFor(weight, total)).toBe(pods);
  });

  it('shrinks stable only by the candidate pods already ready', () => {
    const base = { total: 4, planned: { stable: 4, candidate: 4 }, weights: w(50), stage: 'canary' as const };
    expect(replicasRouter.scale({ ...base, ready: { stable: 4, candidate: 0 } })).toEqual({ stable: 4, candidate: 2 });
    expect(replicasRouter.scale({ ...base, ready: { stable: 4, candidate: 1 } })).toEqual({ stable: 3, candidate: 2 });
    expect(replicasRouter.scale({ ...base, ready: { stable: 3, candidate: 2 } })).toEqual({ stable: 2, candidate: 2 });
  });

  it('runs one staging pod and leaves promotion and rollback as planned', () => {
    const planned = { stable: 4, candidate: 4 };
    const ready = { stable: 4, candidate: 4 };
    expect(replicasRouter.scale({ total: 4, planned, weights: w(0), stage: 'staging', ready })).toEqual({ stable: 4, candidate: 1 });
    expect(replicasRouter.scale({ total: 4, planned, weights: w(100), stage: 'promoting', ready })).toEqual(planned);
    expect(replicasRouter.scale({ total: 4, planned: { stable: 4, candidate: 0 }, weights: w(0), stage: 'rollback', ready })).toEqual({ stable: 4, candidate: 0 });
  });

  it('selects the stable track alone at weight 0, both tracks otherwise', () => {
    const release = newRelease();
    const selectorAt = (weight: number, ready = { stable: 2, candidate: 1 }) =>
      replicasRouter.routingObjects(release, w(weight), ready).find((o) => o.metadata.name === 'species')?.spec?.selector;
    expect(selectorAt(0)).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'stable' });
    expect(selectorAt(25)).toEqual({ 'serving.tern.dev/release': 'species' });
    // rollback from 100 %: stable has no ready pod yet, so the candidate keeps serving until it has
    expect(selectorAt(0, { stable: 0, candidate: 2 })).toEqual({ 'serving.tern.dev/release': 'species' });
  });

  it('selects the previous track alone during a warm restore, while it has ready pods', () => {
    const release = newRelease();
    const restore = { stable: 0, candidate: 0, mirror: 0, previous: 100 };
    const selector = (ready: { stable: number; candidate: number; previous: number }) =>
      replicasRouter.routingObjects(release, restore, ready).find((o) => o.metadata.name === 'species')?.spec?.selector;
    expect(selector({ stable: 2, candidate: 0, previous: 1 })).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'previous' });
    expect(selector({ stable: 2, candidate: 0, previous: 0 })).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'stable' });
  });
});
