// The replicas router: weight -> candidate share of ready pods, never an empty Service.
import type { ModelReleaseSpec } from '../api/model-release-schema.js';
import { newModel, newRelease, SHA_B, Simulation, result } from '../planner/testing.js';
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
    // rollback from 100 % with no warm fallback: stable has no ready pod yet, so the candidate track (alone) keeps serving until it has
    expect(selectorAt(0, { stable: 0, candidate: 2 })).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'canary' });
  });

  it('selects the previous track alone during a warm restore, while it has ready pods', () => {
    const release = newRelease();
    const restore = { stable: 0, candidate: 0, mirror: 0, previous: 100 };
    const selector = (ready: { stable: number; candidate: number; previous: number }) =>
      replicasRouter.routingObjects(release, restore, ready).find((o) => o.metadata.name === 'species')?.spec?.selector;
    expect(selector({ stable: 2, candidate: 0, previous: 1 })).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'previous' });
    expect(selector({ stable: 2, candidate: 0, previous: 0 })).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'stable' });
  });

  it('selects the candidate track alone at weight 100: never the warm previous pod of the old model', () => {
    const release = newRelease();
    const selectorAt = (ready: { stable: number; candidate: number; previous?: number }) =>
      replicasRouter.routingObjects(release, w(100), ready).find((o) => o.metadata.name === 'species')?.spec?.selector;
    expect(selectorAt({ stable: 0, candidate: 2, previous: 1 })).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'canary' });
    expect(selectorAt({ stable: 2, candidate: 2, previous: 1 })).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'canary' });
    // no candidate pod ready (yet): the stable track's, never an empty Service
    expect(selectorAt({ stable: 2, candidate: 0, previous: 1 })).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'stable' });
  });

  it('walking a release to promotion, the release Service selects only ready pods of the intended model', () => {
    // 1.0.0 Healthy -> 1.1.0 at 50 %, 100 %, promotion (stable re-templated while 1.0.0 is warm on the previous track), bake.
    const steps = [{ setWeight: 50, pause: '1m' }, { setWeight: 100, pause: '1m' }];
    const sim = new Simulation(newRelease('1.0.0', { spec: { serving: { replicas: 2 } as ModelReleaseSpec['serving'], rollout: { steps } as ModelReleaseSpec['rollout'] } }));
    sim.pass();
    sim.pass();
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    const served: string[] = [];
    for (let i = 0; i < 20 && !(sim.status.phase === 'Healthy' && sim.status.stable?.version === '1.1.0'); i++) {
      sim.advance(30_000);
      const res = sim.pass({ measurements: [result('availability', 'Successful', sim.now, 1)] });
      // What the cluster has now (the pass converged it): each track's ready pods and the version they run.
      const o = sim.observed;
      const ready = { stable: o.stable?.readyReplicas ?? 0, candidate: o.candidate?.readyReplicas ?? 0, previous: o.previous?.readyReplicas ?? 0 };
      const selector = replicasRouter.routingObjects(sim.release, res.desired.weights, ready)[0]?.spec?.selector as Record<string, string>;
      const track = selector['serving.tern.dev/track'];
      const pods = (['stable', 'canary', 'previous'] as const)
        .filter((t) => track === undefined || track === t)
        .flatMap((t) => {
          const obs = t === 'canary' ? o.candidate : o[t];
          return Array.from({ length: obs?.readyReplicas ?? 0 }, () => obs?.version ?? '?');
        });
      const weight = res.desired.weights.candidate;
      const intended = weight >= 100 ? ['1.1.0'] : weight <= 0 ? [sim.status.stable?.version] : ['1.0.0', '1.1.0'];
      served.push(`${sim.status.phase}@${weight}:${[...new Set(pods)].sort().join('+')}`);
      expect({ phase: sim.status.phase, weight, pods: [...new Set(pods)].filter((v) => !intended.includes(v)) }).toEqual({ phase: sim.status.phase, weight, pods: [] });
    }
    expect(served).toEqual(expect.arrayContaining(['Canary@100:1.1.0', 'Promoting@100:1.1.0']));
  });
});
