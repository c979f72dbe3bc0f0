// The rollout planner, transition by transition, with an injected clock and a simulated cluster.
import { HISTORY_LIMIT } from '../api/model-release-schema.js';
import { ROLLBACK_SCALE_DOWN_DELAY_MS } from './desired.js';
import { plan } from './plan.js';
import { Simulation, SHA_B, SHA_C, contractJudge, newModel, routerScale, newRelease, result, track } from './testing.js';
import type { ResolvedRelease } from '../model/resolved-spec.js';
import type { ModelReleaseSpec } from '../api/model-release-schema.js';

const MIN = 60_000;
const FAST_STEPS = [
  { setWeight: 10, pause: '1m' },
  { setWeight: 50, pause: '1m' },
  { setWeight: 100, pause: '1m' },
];

/** A release Healthy on 1.0.0 with 4 replicas. */
function healthy(spec: Partial<ModelReleaseSpec> = {}): Simulation {
  const sim = new Simulation(
    newRelease('1.0.0', { spec: { serving: { replicas: 4 } as ModelReleaseSpec['serving'], rollout: { steps: FAST_STEPS } as ModelReleaseSpec['rollout'], ...spec } }),
  );
  sim.pass();
  sim.pass();
  expect(sim.status.phase).toBe('Healthy');
  return sim;
}

/** healthy() moved to 1.1.0 and walked into canary step 0. */
function inCanary(spec: Partial<ModelReleaseSpec> = {}): Simulation {
  const sim = healthy(spec);
  sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
  sim.pass(); // Staging, candidate created
  sim.pass(); // candidate ready -> soak 0s -> step 0
  expect(sim.status.phase).toBe('Canary');
  return sim;
}

const ok = (sim: Simulation) => [result('availability', 'Successful', sim.now, 1)];

describe('first release (no stable yet)', () => {
  it('stages on the stable track and goes straight to Healthy', () => {
    const sim = new Simulation(newRelease('1.0.0'));
    const first = sim.pass();
    expect(sim.status.phase).toBe('Staging');
    expect(first.desired.stable).toMatchObject({ model: { version: '1.0.0', baselineScore: 0.8 }, replicas: 2 });
    expect(first.desired.candidate).toBeUndefined();
    expect(first.events.map((e) => e.reason)).toEqual(['RolloutStarted']);
    const second = sim.pass();
    expect(sim.status.phase).toBe('Healthy');
    expect(sim.status.stable?.version).toBe('1.0.0');
    expect(sim.status.history?.[0]).toMatchObject({ version: '1.0.0', outcome: 'Promoted' });
    expect(second.outcomes).toEqual([{ outcome: 'Promoted' }]);
    expect(second.desired.weights).toEqual({ stable: 100, candidate: 0, mirror: 0 });
  });

  it.each([
    ['tpr below minTpr', { metrics: { tpr: 0.5, tnr: 0.95, scoreMean: 0.8 } }, 'tpr 0.5'],
    ['tnr below minTnr', { metrics: { tpr: 0.9, tnr: 0.5, scoreMean: 0.8 } }, 'tnr 0.5'],
    ['no sha256', { sha256: undefined }, 'sha256 is missing'],
  ])('fails with no pods when the offline gate fails: %s', (_name, overrides, text) => {
    const release = newRelease('1.0.0');
    release.spec.model = newModel('1.0.0', overrides);
    const res = plan({ release, observed: {}, now: new Date() }, contractJudge, routerScale(release));
    expect(res.status.phase).toBe('Failed');
    expect(res.status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'StagingGateFailed' });
    expect(res.status.conditions?.find((c) => c.type === 'Degraded')?.message).toContain(text);
    expect(res.outcomes).toEqual([{ outcome: 'Failed', reason: 'StagingGate' }]);
    expect(res.desired.stable?.replicas).toBe(0);
    expect(res.status.history?.[0]?.outcome).toBe('Failed');
  });

  it('lets an unverified artifact through only with allowUnverifiedArtifact', () => {
    const release = newRelease('1.0.0', { spec: { rollout: { staging: { allowUnverifiedArtifact: true } } as ModelReleaseSpec['rollout'] } });
    release.spec.model = newModel('1.0.0', { sha256: undefined });
    const res = plan({ release, observed: {}, now: new Date() }, contractJudge, routerScale(release));
    expect(res.status.phase).toBe('Staging');
  });

  it('checks extra gates on named numbers of the metrics snapshot', () => {
    const release = newRelease('1.0.0', {
      spec: { rollout: { staging: { gates: { minTpr: 0.85, minTnr: 0.9, metrics: [{ name: 'auc', min: 0.9 }] } } } as ModelReleaseSpec['rollout'] },
    });
    release.spec.model = newModel('1.0.0', { metrics: { tpr: 0.9, tnr: 0.95, scoreMean: 0.8, auc: 0.7 } as ModelReleaseSpec['model']['metrics'] });
    const res = plan({ release, observed: {}, now: new Date() }, contractJudge, routerScale(release));
    expect(res.status.message).toContain('auc 0.7 is below the staging gate min 0.9');
  });
});

describe('a new spec.model with a stable', () => {
  it('walks staging, every step, promotion and ends Healthy on the new model with history', () => {
    const sim = healthy();
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    let res = sim.pass();
    expect(sim.status.phase).toBe('Staging');
    expect(sim.status.observedGeneration).toBe(2);
    expect(res.desired.weights.candidate).toBe(0);
    expect(res.desired.candidate).toMatchObject({ model: { version: '1.1.0' }, replicas: 1 }); // replicas router: 1 staging pod
    expect(res.desired.stable).toMatchObject({ model: { version: '1.0.0' }, replicas: 4 });

    res = sim.pass();
    expect(sim.status).toMatchObject({ phase: 'Canary', currentStep: 0, canaryWeight: 10 });
    expect(res.events.map((e) => e.reason)).toEqual(['CandidateReady', 'StagingPassed', 'StepStarted']);

    const weights: number[] = [];
    for (let i = 0; i < 20 && sim.status.phase !== 'Healthy'; i++) {
      sim.advance(MIN);
      res = sim.pass({ measurements: ok(sim) });
      weights.push(res.desired.weights.candidate);
      if (sim.status.phase === 'Promoting') {
        expect(res.desired.stable?.model.version).toBe('1.1.0');
        expect(sim.status.stable?.version).toBe('1.0.0');
      }
    }
    expect(weights).toEqual([50, 100, 100, 0]);
    expect(sim.status.phase).toBe('Healthy');
    expect(sim.status.stable?.version).toBe('1.1.0');
    expect(sim.status.candidate).toBeUndefined();
    expect(res.desired.candidate?.replicas).toBe(0);
    expect(res.desired.stable).toMatchObject({ model: { version: '1.1.0' }, replicas: 4 });
    expect(sim.status.history?.map((h) => `${h.version}:${h.outcome}`)).toEqual(['1.1.0:Promoted', '1.0.0:Promoted']);
    expect(sim.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'RolloutComplete' });
  });

  it('shares ready pods by weight with the replicas router and never drops stable before candidate pods are ready', () => {
    const sim = inCanary();
    sim.advance(MIN);
    sim.notReady.candidate = true;
    const res = sim.pass({ measurements: ok(sim) });
    expect(sim.status.canaryWeight).toBe(50);
    expect(res.desired.candidate?.replicas).toBe(2);
    expect(res.desired.stable?.replicas).toBe(3); // only the 1 ready candidate pod has replaced a stable pod
    sim.notReady.candidate = false;
    sim.converge(res.desired);
    const next = sim.pass();
    expect(next.desired.stable?.replicas).toBe(2);
  });

  it('keeps every track at full size with the gatewayAPI router (exact weights on the route)', () => {
    const sim = inCanary({ traffic: { router: 'gatewayAPI' } });
    expect(sim.last?.desired).toMatchObject({ stable: { replicas: 4 }, candidate: { replicas: 4 }, weights: { stable: 90, candidate: 10 } });
  });

  it('waits in staging for ready pods, golden queries and the soak time', () => {
    const sim = healthy();
    Object.assign(sim.release.spec.rollout.staging, { minDuration: '2m', goldenQueries: [{ input: [1, 2, 3, 4], expectClassIndex: 0 }] });
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.notReady.candidate = true;
    sim.pass();
    sim.pass();
    expect(sim.status.message).toContain('waiting for 1 pod(s) to be ready (0 ready)');
    sim.notReady.candidate = false;
    sim.converge(sim.last!.desired);
    sim.pass();
    expect(sim.status.message).toContain('golden queries');
    sim.pass({ golden: { outcome: 'Successful', message: '1/1 passed' } });
    expect(sim.status.message).toContain('soaking for 2m');
    expect(sim.last?.requeueAfterMs).toBe(10_000); // the analysis interval comes before the soak's end
    sim.advance(2 * MIN);
    sim.pass();
    expect(sim.status.phase).toBe('Canary');
  });

  it('rolls back when a golden query fails', () => {
    const sim = healthy();
    sim.release.spec.rollout.staging.goldenQueries = [{ input: [1], expectClassIndex: 0 }];
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.pass();
    sim.pass({ golden: { outcome: 'Failed', message: 'query 1: expected class 0, got 2' } });
    expect(sim.status.phase).toBe('RolledBack');
    expect(sim.last?.outcomes).toEqual([{ outcome: 'RolledBack', reason: 'GoldenQueries' }]);
  });

  it('rolls back a candidate whose pods never become ready within the progress deadline', () => {
    const sim = healthy();
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.notReady.candidate = true;
    sim.pass();
    sim.advance(11 * MIN);
    sim.pass();
    expect(sim.status.phase).toBe('RolledBack');
    expect(sim.status.conditions?.find((c) => c.type === 'Degraded')?.reason).toBe('CandidateNotReady');
  });

  it('refuses a candidate failing its offline gate without starting pods, stable untouched', () => {
    const sim = healthy();
    sim.setModel(newModel('1.1.0', { metrics: { tpr: 0.2, tnr: 0.95, scoreMean: 0.8 } }));
    const res = sim.pass();
    expect(sim.status.phase).toBe('RolledBack');
    expect(res.desired.stable?.model.version).toBe('1.0.0');
    expect(res.desired.candidate).toBeUndefined();
  });

  it('mirrors traffic in a shadow step with gatewayAPI, then starts the steps', () => {
    const sim = healthy({ traffic: { router: 'gatewayAPI' }, rollout: { steps: FAST_STEPS, shadow: { mirrorPercent: 30, duration: '1m' } } as ModelReleaseSpec['rollout'] });
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.pass();
    const res = sim.pass();
    expect(sim.status.phase).toBe('Canary');
    expect(res.desired.weights).toEqual({ stable: 100, candidate: 0, mirror: 30 });
    sim.advance(MIN);
    sim.pass({ measurements: ok(sim) });
    expect(sim.status).toMatchObject({ currentStep: 0, canaryWeight: 10, mirrorPercent: 0 });
  });

  it('skips the shadow step with a warning on the replicas router', () => {
    const sim = healthy({ rollout: { steps: FAST_STEPS, shadow: { mirrorPercent: 30, duration: '1m' } } as ModelReleaseSpec['rollout'] });
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.pass();
    const res = sim.pass();
    expect(res.events.map((e) => e.reason)).toContain('ShadowSkipped');
    expect(sim.status.currentStep).toBe(0);
  });
});

describe('analysis during a step', () => {
  it('rolls back on Fail in the same pass: weight 0, stable untouched, Degraded names the check', () => {
    const sim = inCanary();
    sim.advance(30_000);
    const res = sim.pass({ measurements: [result('drift', 'Failed', sim.now, 0.61)] });
    expect(sim.status.phase).toBe('RolledBack');
    expect(res.desired.weights).toEqual({ stable: 100, candidate: 0, mirror: 0 });
    expect(res.desired.stable).toMatchObject({ model: { version: '1.0.0' }, replicas: 4 });
    expect(res.desired.candidate?.replicas).toBe(1); // drains for a moment
    expect(res.outcomes).toEqual([{ outcome: 'RolledBack', reason: 'drift' }]);
    expect(res.events.find((e) => e.reason === 'RolledBack')).toMatchObject({ type: 'Warning' });
    const degraded = sim.status.conditions?.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'AnalysisFailed' });
    expect(degraded?.message).toContain('drift on canary: 0.61 vs >= 0.95');
    expect(sim.status.history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'RolledBack' });
    expect(res.requeueAfterMs).toBe(ROLLBACK_SCALE_DOWN_DELAY_MS);
    sim.advance(ROLLBACK_SCALE_DOWN_DELAY_MS);
    const later = sim.pass({ measurements: ok(sim) });
    expect(later.desired.candidate?.replicas).toBe(0);
    expect(sim.status.phase).toBe('RolledBack'); // no automatic retry
  });

  it('does not advance on Wait or without a verdict, even after the pause', () => {
    const sim = inCanary();
    sim.advance(2 * MIN);
    sim.pass();
    expect(sim.status.currentStep).toBe(0);
    expect(sim.status.message).toContain('waiting for analysis to pass');
  });

  it.each([
    ['Pause', 'Paused', undefined],
    ['Abort', 'RolledBack', 'ProgressDeadline'],
  ])('holds on Inconclusive, visibly, and past the progress deadline does %s', (onProgressDeadline, phase, metricReason) => {
    const sim = inCanary({ rollout: { steps: FAST_STEPS, analysis: { progressDeadline: '5m', onProgressDeadline } } as ModelReleaseSpec['rollout'] });
    sim.advance(MIN);
    const held = sim.pass({ measurements: [result('latencyP95', 'Inconclusive', sim.now)] });
    expect(held.events.map((e) => e.reason)).toContain('AnalysisHeld');
    expect(sim.status.heldSince).toBe(sim.now.toISOString());
    expect(sim.status.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('AnalysisHeld');
    expect(sim.status.currentStep).toBe(0);
    sim.advance(6 * MIN);
    const res = sim.pass({ measurements: [result('latencyP95', 'Error', sim.now)] });
    expect(sim.status.phase).toBe(phase);
    if (metricReason) expect(res.outcomes).toEqual([{ outcome: 'RolledBack', reason: metricReason }]);
    else expect(res.desired.weights.candidate).toBe(10);
  });

  it('clears the hold once analysis passes again', () => {
    const sim = inCanary();
    sim.advance(MIN);
    sim.pass({ measurements: [result('availability', 'Error', sim.now)] });
    sim.advance(10_000);
    sim.pass({ measurements: ok(sim) });
    expect(sim.status.heldSince).toBeUndefined();
    expect(sim.status.currentStep).toBe(1);
  });
});

describe('manual commands', () => {
  const cmd = (name: 'promote' | 'promote-full' | 'abort' | 'retry' | 'pause' | 'resume', nonce: string = name) => ({ command: { name, nonce } });

  it('promote ends a step without a pause; the same nonce is handled once', () => {
    const sim = inCanary({ rollout: { steps: [{ setWeight: 20 }, { setWeight: 60 }] } as ModelReleaseSpec['rollout'] });
    sim.advance(10 * MIN);
    sim.pass({ measurements: ok(sim) });
    expect(sim.status.message).toContain('waiting for `tern promote`');
    sim.pass(cmd('promote', 'n1'));
    expect(sim.status).toMatchObject({ currentStep: 1, canaryWeight: 60, lastCommandNonce: 'n1' });
    sim.pass(cmd('promote', 'n1'));
    expect(sim.status.currentStep).toBe(1);
    sim.pass(cmd('promote', 'n2'));
    expect(sim.status.phase).toBe('Promoting');
  });

  it('promote --full skips every remaining step', () => {
    const sim = inCanary();
    const promoting = sim.pass(cmd('promote-full'));
    expect(sim.status.phase).toBe('Promoting');
    // The stable track keeps 1.0.0 until 1.0.0 is warm on the previous track (the fallback during promotion).
    expect(promoting.desired).toMatchObject({ stable: { model: { version: '1.0.0' } }, previous: { model: { version: '1.0.0' }, replicas: 1 } });
    expect(sim.pass().desired.stable?.model.version).toBe('1.1.0');
    sim.pass();
    expect(sim.status.phase).toBe('Healthy');
    expect(sim.status.stable?.version).toBe('1.1.0');
  });

  it('pause holds the step past its pause; resume restarts the pause', () => {
    const sim = inCanary();
    sim.pass(cmd('pause'));
    expect(sim.status.phase).toBe('Paused');
    expect(sim.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'RolloutPaused' });
    sim.advance(5 * MIN);
    const paused = sim.pass({ measurements: ok(sim) });
    expect(sim.status.phase).toBe('Paused');
    expect(paused.desired.weights.candidate).toBe(10);
    sim.pass(cmd('resume'));
    expect(sim.status).toMatchObject({ phase: 'Canary', currentStep: 0, stepSince: sim.now.toISOString() });
  });

  it('a Fail still rolls back while paused', () => {
    const sim = inCanary();
    sim.pass(cmd('pause'));
    sim.pass({ measurements: [result('availability', 'Failed', sim.now, 0.5)] });
    expect(sim.status.phase).toBe('RolledBack');
  });

  it('abort rolls back with reason Manual; retry starts the same model again', () => {
    const sim = inCanary();
    const res = sim.pass(cmd('abort'));
    expect(sim.status.phase).toBe('RolledBack');
    expect(res.outcomes).toEqual([{ outcome: 'RolledBack', reason: 'Manual' }]);
    expect(sim.status.conditions?.find((c) => c.type === 'Degraded')?.reason).toBe('ManualAbort');
    sim.advance(MIN);
    sim.pass();
    expect(sim.status.phase).toBe('RolledBack');
    sim.pass(cmd('retry'));
    expect(sim.status.phase).toBe('Staging');
    expect(sim.status.candidate?.version).toBe('1.1.0');
  });

  it('abort during Promoting puts the old model back on the stable track', () => {
    const sim = inCanary();
    sim.notReady.stable = true;
    sim.pass(cmd('promote-full'));
    sim.pass();
    expect(sim.status.phase).toBe('Promoting');
    const res = sim.pass(cmd('abort'));
    expect(res.desired.stable?.model.version).toBe('1.0.0');
  });

  it.each(['promote', 'pause', 'resume', 'abort', 'retry'] as const)('%s while Healthy is ignored with a Warning event', (name) => {
    const sim = healthy();
    const res = sim.pass(cmd(name));
    expect(res.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'CommandIgnored' })]);
    expect(sim.status.phase).toBe('Healthy');
  });
});

describe('spec changes mid-rollout', () => {
  it('GitOps revert (spec.model back to stable) aborts at once and starts nothing', () => {
    const sim = inCanary();
    sim.setModel(newModel('1.0.0'));
    const res = sim.pass();
    expect(sim.status.phase).toBe('Healthy');
    expect(res.desired.weights.candidate).toBe(0);
    expect(res.desired.candidate?.replicas).toBe(0);
    expect(res.outcomes).toEqual([{ outcome: 'RolledBack', reason: 'GitOpsRevert' }]);
    expect(res.events.map((e) => e.reason)).toEqual(['GitOpsRevert']);
    expect(sim.status.history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'RolledBack', reason: 'GitOpsRevert' });
    sim.pass();
    expect(sim.status.phase).toBe('Healthy');
  });

  it('a third model supersedes the candidate: history, weight back to 0, staging again', () => {
    const sim = inCanary();
    sim.advance(MIN);
    sim.pass({ measurements: ok(sim) });
    expect(sim.status.canaryWeight).toBe(50);
    sim.setModel(newModel('1.2.0', { sha256: SHA_C }));
    const res = sim.pass();
    expect(sim.status).toMatchObject({ phase: 'Staging', candidate: { version: '1.2.0' } });
    expect(res.desired.weights.candidate).toBe(0);
    expect(res.outcomes).toEqual([{ outcome: 'Superseded' }]);
    expect(sim.status.history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'Superseded' });
  });

  it('after a rollback, spec.model back to stable is Healthy; a new model starts again', () => {
    const sim = inCanary();
    sim.pass({ command: { name: 'abort', nonce: 'x' } });
    sim.setModel(newModel('1.0.0'));
    sim.pass();
    expect(sim.status.phase).toBe('Healthy');
    sim.setModel(newModel('1.2.0', { sha256: SHA_C }));
    sim.pass();
    expect(sim.status.phase).toBe('Staging');
  });

  it('fewer steps than the step in force: promotes without changing the weight first', () => {
    const sim = inCanary();
    sim.advance(MIN);
    sim.pass({ measurements: ok(sim) }); // step 1 (50 %)
    sim.release.spec.rollout.steps = [{ setWeight: 10, pause: '1m' }];
    const res = sim.pass();
    expect(sim.status.phase).toBe('Promoting');
    expect(res.desired.weights.candidate).toBe(50);
  });
});

describe('restarts and idleness', () => {
  it('an operator restarted mid-step resumes the same step with the same weight and writes nothing new', () => {
    const sim = inCanary();
    sim.advance(MIN);
    sim.pass({ measurements: ok(sim) });
    const saved = structuredClone(sim.status);
    // A new process: only the object from the API (status included) and what the informers see.
    const fresh: ResolvedRelease = { ...sim.release, status: saved };
    sim.advance(10_000);
    const res = plan({ release: fresh, observed: sim.observed, now: sim.now }, contractJudge, routerScale(fresh));
    expect(res.desired.weights.candidate).toBe(50);
    expect(res.status).toEqual(saved);
    expect(res.events).toEqual([]);
  });

  it('a converged Healthy release plans an identical status (zero writes)', () => {
    const sim = healthy();
    const before = structuredClone(sim.status);
    sim.advance(60 * MIN);
    const res = sim.pass();
    expect(res.status).toEqual(before);
    expect(res.events).toEqual([]);
    expect(res.requeueAfterMs).toBe(60_000); // the production watch's next measurement (productionInterval 1m)
  });

  it('moves lastTransitionTime only when a condition flips', () => {
    const sim = healthy();
    const readySince = sim.status.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
    sim.advance(MIN);
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.pass();
    const ready = sim.status.conditions?.find((c) => c.type === 'Ready');
    const progressing = sim.status.conditions?.find((c) => c.type === 'Progressing');
    expect(ready?.lastTransitionTime).toBe(readySince);
    expect(progressing).toMatchObject({ status: 'True', lastTransitionTime: sim.now.toISOString(), observedGeneration: 2 });
  });

  it('keeps at most HISTORY_LIMIT history entries, newest first', () => {
    const sim = healthy();
    for (let i = 1; i <= HISTORY_LIMIT + 3; i++) {
      sim.setModel(newModel(`1.${i}.0`, { sha256: i % 2 ? SHA_B : SHA_C }));
      sim.pass();
      sim.pass({ command: { name: 'promote-full', nonce: `p${i}` } });
      sim.pass(); // the previous track is warm: the stable track is re-templated
      sim.pass();
    }
    expect(sim.status.history).toHaveLength(HISTORY_LIMIT);
    expect(sim.status.history?.[0]?.version).toBe(`1.${HISTORY_LIMIT + 3}.0`);
  });

  it('an observed stable with no ready pod makes Ready False', () => {
    const release = newRelease('1.0.0');
    const sim = new Simulation(release);
    sim.pass();
    sim.pass();
    const res = plan({ release: sim.release, observed: { stable: track('1.0.0', 2, 0) }, now: sim.now }, contractJudge, routerScale(sim.release));
    expect(res.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'StableNotReady' });
  });
});
