// The bake after a promotion and the fast restores (failed bake, GitOps revert, `tern undo`), with an
// injected clock and a simulated cluster, including an operator restart in the middle of each.
import type { ModelReleaseSpec } from '../api/model-release-schema.js';
import { plan } from './plan.js';
import { Simulation, SHA_B, SHA_C, contractJudge, newModel, routerScale, newRelease, result } from './testing.js';

const MIN = 60_000;
const STEPS = [{ setWeight: 50, pause: '1m' }, { setWeight: 100, pause: '1m' }];

/** 1.0.0 Healthy (4 replicas), then 1.1.0 walked through every step and promoted: the bake starts. */
function baking(rollout: Partial<ModelReleaseSpec['rollout']> = {}): Simulation {
  const sim = new Simulation(
    newRelease('1.0.0', { spec: { serving: { replicas: 4 } as ModelReleaseSpec['serving'], rollout: { steps: STEPS, ...rollout } as ModelReleaseSpec['rollout'] } }),
  );
  sim.pass();
  sim.pass();
  sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
  sim.pass();
  sim.pass();
  for (let i = 0; i < 10 && sim.status.phase !== 'Healthy'; i++) {
    sim.advance(MIN);
    sim.pass({ measurements: ok(sim) });
  }
  expect(sim.status.phase).toBe('Healthy');
  expect(sim.status.stable?.version).toBe('1.1.0');
  return sim;
}

const ok = (sim: Simulation) => [result('drift', 'Successful', sim.now, 0.01)];
const drift = (sim: Simulation) => [{ ...result('drift', 'Failed', sim.now, 0.31), track: 'stable', threshold: '< 0.1' }];
const inconclusive = (sim: Simulation) => [result('drift', 'Inconclusive', sim.now)];

/** The same release planned by a fresh operator: status and cluster as they are, nothing in memory. */
function restarted(sim: Simulation): Simulation {
  const fresh = new Simulation(JSON.parse(JSON.stringify(sim.release)), sim.now);
  fresh.observed = JSON.parse(JSON.stringify(sim.observed));
  return fresh;
}

describe('the bake after a promotion', () => {
  it('keeps the previous model warm on its own track (1 pod) and records the bake in status', () => {
    const sim = baking();
    const res = sim.last!;
    expect(sim.status.previousStable?.version).toBe('1.0.0');
    expect(sim.status.bake).toEqual({ since: sim.now.toISOString(), until: new Date(sim.now.getTime() + 30 * MIN).toISOString(), warmReplicas: 1 });
    expect(res.desired.previous).toMatchObject({ model: { version: '1.0.0' }, replicas: 1 });
    expect(res.desired.stable).toMatchObject({ model: { version: '1.1.0' }, replicas: 4 });
    expect(res.desired.weights).toEqual({ stable: 100, candidate: 0, mirror: 0 });
    expect(res.events.map((e) => e.reason)).toEqual(expect.arrayContaining(['Promoted', 'BakeStarted']));
    expect(sim.status.message).toContain('baking until');
  });

  it('promotion re-templates the stable track only once the previous model is warm, and never flips it back', () => {
    const sim = new Simulation(newRelease('1.0.0', { spec: { rollout: { steps: [{ setWeight: 100, pause: '1m' }] } as ModelReleaseSpec['rollout'] } }));
    sim.pass();
    sim.pass();
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.pass();
    sim.notReady.previous = true;
    sim.pass(); // step 0 (100 %): the previous track is created, not ready yet
    expect(sim.last?.desired.previous).toMatchObject({ model: { version: '1.0.0' }, replicas: 1 });
    sim.advance(MIN);
    const waiting = sim.pass({ measurements: ok(sim) }); // -> Promoting
    expect(sim.status.phase).toBe('Promoting');
    expect(waiting.desired.stable?.model.version).toBe('1.0.0'); // not re-templated before the fallback is warm
    sim.pass();
    expect(sim.status.message).toContain('starting 1.0.0 on the previous track (the fallback)');
    sim.notReady.previous = false;
    sim.converge(sim.last!.desired);
    expect(sim.pass().desired.stable?.model.version).toBe('1.1.0');
    // The fallback pod goes away mid-promotion: the stable track is not flipped back; the bake waits for it.
    sim.notReady.previous = true;
    sim.converge(sim.last!.desired);
    const again = sim.pass();
    expect(again.desired.stable?.model.version).toBe('1.1.0');
    expect(sim.status.message).toContain('waiting for 1.0.0 to be warm on the previous track for the bake');
    sim.notReady.previous = false;
    sim.converge(again.desired);
    sim.pass();
    expect(sim.status.phase).toBe('Healthy');
    expect(sim.status.bake).toBeDefined();
  });

  it('measures the new stable like a canary step and, on a Fail, puts all traffic on the warm previous model in the same pass', () => {
    const sim = baking();
    sim.advance(10_000);
    sim.pass({ measurements: ok(sim) });
    expect(sim.status.phase).toBe('Healthy');
    sim.advance(10_000);
    sim.notReady.stable = true; // the stable track is still being rebuilt on 1.0.0
    const res = sim.pass({ measurements: drift(sim) });
    expect(sim.status.phase).toBe('RolledBack');
    expect(sim.status.stable?.version).toBe('1.0.0');
    expect(sim.status.candidate?.version).toBe('1.1.0');
    expect(sim.status.bake).toBeUndefined();
    expect(sim.status.restore).toMatchObject({ from: '1.1.0', reason: 'drift', warm: true, trafficMovedAt: sim.now.toISOString() });
    expect(res.desired.weights).toEqual({ stable: 0, candidate: 0, mirror: 0, previous: 100 });
    expect(res.desired.previous).toMatchObject({ model: { version: '1.0.0' }, replicas: 4 });
    expect(res.desired.stable).toMatchObject({ model: { version: '1.0.0' }, replicas: 4 });
    expect(sim.status.history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'RolledBack', reason: 'BakeFailed', failedCheck: { name: 'drift', value: 0.31, threshold: '< 0.1' } });
    expect(res.outcomes).toEqual([{ outcome: 'RolledBack', reason: 'drift' }]);
    expect(res.events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'RolledBack' }));
    expect(sim.status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'BakeFailed' });
    expect(sim.status.conditions?.find((c) => c.type === 'Degraded')?.message).toContain('drift');

    // Stable pods on 1.0.0 are ready: traffic goes back to the stable track, the previous track to 0.
    sim.advance(5_000);
    sim.notReady.stable = false;
    sim.converge(res.desired);
    const done = sim.pass();
    expect(sim.status.restore).toBeUndefined();
    expect(sim.status.lastRestore).toMatchObject({ from: '1.1.0', to: '1.0.0', reason: 'drift', finishedAt: sim.now.toISOString() });
    expect(done.desired.weights).toEqual({ stable: 100, candidate: 0, mirror: 0 });
    expect(done.desired.previous?.replicas).toBe(0);
    expect(done.events.map((e) => e.reason)).toEqual(['RestoreFinished']);
    // spec.model still names 1.1.0: nothing restarts it.
    sim.advance(MIN);
    sim.pass();
    expect(sim.status.phase).toBe('RolledBack');
  });

  it('ends cleanly after bakeTime: the previous model is scaled to 0 and the bake recorded', () => {
    const sim = baking({ bakeTime: '5m' });
    for (let i = 0; i < 4; i++) {
      sim.advance(MIN);
      sim.pass({ measurements: ok(sim) });
      expect(sim.status.bake).toBeDefined();
    }
    sim.advance(MIN);
    const res = sim.pass({ measurements: ok(sim) });
    expect(sim.status.bake).toBeUndefined();
    expect(sim.status.phase).toBe('Healthy');
    expect(res.desired.previous).toMatchObject({ model: { version: '1.0.0' }, replicas: 0 });
    expect(res.events.map((e) => e.reason)).toEqual(['BakeFinished']);
    expect(sim.status.history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'Promoted', reason: 'baked 5m' });
    expect(sim.status.previousStable?.version).toBe('1.0.0'); // kept: a later revert is still a fast restore
    // After the bake the production watch takes over: by default it alerts, it does not roll back.
    sim.advance(MIN);
    sim.pass({ measurements: drift(sim) });
    expect(sim.status).toMatchObject({ phase: 'Healthy', stable: { version: '1.1.0' }, productionAlarm: { check: 'drift' } });
  });

  it('is held past its end while analysis cannot judge, up to the progress deadline', () => {
    const sim = baking({ bakeTime: '1m', analysis: { progressDeadline: '2m' } as NonNullable<ModelReleaseSpec['rollout']>['analysis'] });
    sim.advance(MIN + 1_000);
    sim.pass({ measurements: inconclusive(sim) });
    expect(sim.status.bake).toBeDefined();
    sim.advance(2 * MIN);
    const res = sim.pass({ measurements: inconclusive(sim) });
    expect(sim.status.bake).toBeUndefined();
    expect(res.events.map((e) => e.reason)).toEqual(['BakeInconclusive', 'BakeFinished']);
  });

  it('bakeTime 0s turns it off: no previous track, no analysis after the promotion', () => {
    const sim = baking({ bakeTime: '0s' });
    expect(sim.status.bake).toBeUndefined();
    expect(sim.last?.desired.previous?.replicas).toBe(0); // it was the fallback during promotion only
    expect(sim.status.previousStable?.version).toBe('1.0.0');
  });

  it('a new spec.model during the bake ends it (previous to 0) and starts a full release', () => {
    const sim = baking();
    sim.advance(MIN);
    sim.setModel(newModel('1.2.0', { sha256: SHA_C }));
    const res = sim.pass();
    expect(sim.status.phase).toBe('Staging');
    expect(sim.status.bake).toBeUndefined();
    expect(res.desired.previous?.replicas).toBe(0);
    expect(res.events.map((e) => e.reason)).toEqual(['BakeEnded', 'RolloutStarted']);
  });

  it('resumes after an operator restart in the middle of the bake: same tracks, same end, a Fail still restores', () => {
    const sim = baking({ bakeTime: '10m' });
    sim.advance(4 * MIN);
    const before = sim.pass({ measurements: ok(sim) });
    const fresh = restarted(sim);
    fresh.advance(1_000);
    const after = fresh.pass();
    expect(after.desired).toEqual(before.desired);
    expect(fresh.status.bake).toEqual(sim.status.bake);
    expect(after.requeueAfterMs).toBeLessThanOrEqual(10_000);
    fresh.advance(10_000);
    fresh.pass({ measurements: drift(fresh) });
    expect(fresh.status).toMatchObject({ phase: 'RolledBack', stable: { version: '1.0.0' }, restore: { warm: true } });
  });
});

describe('fast restore of the previous stable model', () => {
  it('spec.model changed back during the bake: traffic on the warm pods at once, no staging, no steps', () => {
    const sim = baking();
    sim.advance(MIN);
    sim.setModel(newModel('1.0.0'));
    sim.notReady.stable = true;
    const res = sim.pass();
    expect(sim.status.phase).toBe('Healthy');
    expect(sim.status.stable?.version).toBe('1.0.0');
    expect(sim.status.candidate).toBeUndefined();
    expect(res.desired.weights.previous).toBe(100);
    expect(res.desired.candidate?.replicas ?? 0).toBe(0);
    expect(res.events.map((e) => e.reason)).toEqual(['GitOpsRevert']);
    expect(res.outcomes).toEqual([{ outcome: 'RolledBack', reason: 'GitOpsRevert' }]);
    expect(sim.status.history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'RolledBack', reason: 'GitOpsRevert' });
    expect(sim.status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'False', reason: 'GitOpsRevert' });
    expect(sim.status.restore).toMatchObject({ from: '1.1.0', reason: 'GitOpsRevert', warm: true });
  });

  it('resumes a fast restore after an operator restart: traffic stays on the previous track until stable is rebuilt', () => {
    const sim = baking();
    sim.setModel(newModel('1.0.0'));
    sim.notReady.stable = true;
    const first = sim.pass();
    const fresh = restarted(sim);
    fresh.notReady.stable = true;
    fresh.advance(2_000);
    const again = fresh.pass();
    expect(again.desired).toEqual(first.desired);
    expect(again.events).toEqual([]);
    fresh.notReady.stable = false;
    fresh.converge(again.desired);
    fresh.advance(2_000);
    const done = fresh.pass();
    expect(done.desired.weights.previous ?? 0).toBe(0);
    expect(fresh.status.lastRestore).toMatchObject({ from: '1.1.0', to: '1.0.0', reason: 'GitOpsRevert' });
  });

  it('keeps traffic on the previous track while it is scaled up (a new generation the controller has not seen yet)', () => {
    const sim = baking();
    sim.setModel(newModel('1.0.0'));
    sim.notReady.stable = true;
    sim.pass();
    sim.observed.previous = { replicas: 4, readyReplicas: 1, updatedReplicas: 1, generation: 2, observedGeneration: 1, version: '1.0.0', pods: 1 };
    const res = sim.pass();
    expect(res.desired.weights.previous).toBe(100);
  });

  it('waits for the stable pods to have no old pod left before traffic leaves the previous track', () => {
    const sim = baking();
    sim.setModel(newModel('1.0.0'));
    sim.notReady.stable = true;
    sim.pass();
    // The stable Deployment reports 4 ready pods, but 2 of them still run the old template.
    sim.observed.stable = { replicas: 4, readyReplicas: 4, updatedReplicas: 4, generation: 2, observedGeneration: 2, version: '1.0.0', pods: 6 };
    const res = sim.pass();
    expect(res.desired.weights.previous).toBe(100);
    expect(sim.status.restore).toBeDefined();
  });

  it('after the bake (nothing warm): the stable track goes back to the model at once, no staging', () => {
    const sim = baking({ bakeTime: '1m' });
    sim.advance(MIN + 1);
    sim.pass({ measurements: ok(sim) });
    expect(sim.status.bake).toBeUndefined();
    sim.advance(MIN);
    sim.setModel(newModel('1.0.0'));
    const res = sim.pass();
    expect(sim.status).toMatchObject({ phase: 'Healthy', stable: { version: '1.0.0' }, restore: { warm: false } });
    expect(res.desired.stable).toMatchObject({ model: { version: '1.0.0' }, replicas: 4 });
    expect(res.desired.weights).toEqual({ stable: 100, candidate: 0, mirror: 0 });
    expect(res.desired.previous?.replicas ?? 0).toBe(0);
  });

  it('`tern undo` restores without Git and says Git should follow; spec.model does not restart the undone model', () => {
    const sim = baking();
    sim.advance(MIN);
    const res = sim.pass({ command: { name: 'undo', nonce: 'n1' } });
    expect(sim.status).toMatchObject({ phase: 'RolledBack', stable: { version: '1.0.0' }, candidate: { version: '1.1.0' }, restore: { reason: 'Undo', warm: true } });
    expect(sim.status.message).toContain('Change spec.model to 1.0.0 in Git');
    expect(res.outcomes).toEqual([{ outcome: 'RolledBack', reason: 'Undo' }]);
    sim.advance(MIN);
    sim.pass();
    expect(sim.status.phase).toBe('RolledBack');
    // Git follows: Healthy on 1.0.0.
    sim.setModel(newModel('1.0.0'));
    sim.pass();
    expect(sim.status).toMatchObject({ phase: 'Healthy', stable: { version: '1.0.0' } });
  });

  it('`tern undo` is ignored with a reason while a rollout is in flight or nothing was promoted before', () => {
    const sim = new Simulation(newRelease('1.0.0'));
    sim.pass();
    sim.pass();
    const res = sim.pass({ command: { name: 'undo', nonce: 'n1' } });
    expect(res.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'CommandIgnored' })]);
    const direct = plan({ release: sim.release, observed: sim.observed, now: sim.now, command: { name: 'undo', nonce: 'n2' } }, contractJudge, routerScale(sim.release));
    expect(direct.status.phase).toBe('Healthy');
  });
});

describe('a failure at 100 % or during promotion leaves traffic on ready pods of the known-good model', () => {
  /** 1.0.0 Healthy on 4 replicas (replicas router), 1.1.0 at its last step, 100 %. */
  function atFullWeight(): Simulation {
    const sim = new Simulation(
      newRelease('1.0.0', { spec: { serving: { replicas: 4 } as ModelReleaseSpec['serving'], rollout: { steps: STEPS, bakeTime: '0s' } as ModelReleaseSpec['rollout'] } }),
    );
    sim.pass();
    sim.pass();
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.pass();
    sim.pass();
    sim.advance(MIN);
    sim.pass({ measurements: ok(sim) });
    const res = sim.pass(); // the candidate pods for 100 % are ready: stable goes to 0
    expect(sim.status).toMatchObject({ phase: 'Canary', canaryWeight: 100 });
    expect(res.desired.stable?.replicas).toBe(0); // the replicas router: all pods are candidates
    expect(res.desired.previous).toMatchObject({ model: { version: '1.0.0' }, replicas: 1 });
    return sim;
  }

  it('at the 100 % step (stable scaled to 0): all traffic to the warm 1.0.0 pod at once, then back to the stable track', () => {
    const sim = atFullWeight();
    sim.advance(10_000);
    sim.notReady.stable = true;
    const res = sim.pass({ measurements: drift(sim) });
    expect(sim.status.phase).toBe('RolledBack');
    expect(res.desired.weights).toEqual({ stable: 0, candidate: 0, mirror: 0, previous: 100 });
    expect(res.desired.stable).toMatchObject({ model: { version: '1.0.0' }, replicas: 4 });
    sim.notReady.stable = false;
    sim.converge(res.desired);
    sim.advance(5_000);
    const done = sim.pass();
    expect(done.desired.weights).toEqual({ stable: 100, candidate: 0, mirror: 0 });
    expect(done.desired.previous?.replicas).toBe(0);
    expect(sim.status.lastRestore).toMatchObject({ from: '1.1.0', to: '1.0.0', reason: 'drift' });
  });

  it('during promotion analysis still runs; a Fail puts the stable track back on 1.0.0 behind the warm pod', () => {
    const sim = atFullWeight();
    sim.advance(MIN);
    sim.notReady.stable = true; // the stable track is being re-templated to 1.1.0
    sim.pass({ measurements: ok(sim) });
    expect(sim.status.phase).toBe('Promoting');
    sim.pass();
    expect(sim.last?.desired.stable?.model.version).toBe('1.1.0');
    sim.advance(10_000);
    const res = sim.pass({ measurements: drift(sim) });
    expect(sim.status).toMatchObject({ phase: 'RolledBack', stable: { version: '1.0.0' }, restore: { from: '1.1.0', reason: 'drift', warm: true } });
    expect(res.desired.stable?.model.version).toBe('1.0.0');
    expect(res.desired.weights.previous).toBe(100);
    expect(res.outcomes).toEqual([{ outcome: 'RolledBack', reason: 'drift' }]);
  });

  it('below 100 % nothing extra runs: stable pods are still there to fall back to', () => {
    const sim = new Simulation(newRelease('1.0.0', { spec: { serving: { replicas: 4 } as ModelReleaseSpec['serving'], rollout: { steps: STEPS } as ModelReleaseSpec['rollout'] } }));
    sim.pass();
    sim.pass();
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.pass();
    const res = sim.pass();
    expect(sim.status).toMatchObject({ phase: 'Canary', canaryWeight: 50 });
    expect(res.desired.previous).toBeUndefined();
    const back = sim.pass({ measurements: drift(sim) });
    expect(back.desired.weights).toEqual({ stable: 100, candidate: 0, mirror: 0 });
    expect(sim.status.restore).toBeUndefined();
  });
});
