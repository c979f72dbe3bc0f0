// `tern status` text: phase, step, weights, checks against thresholds, conditions, events, next action.
import { Simulation, newModel, newRelease, result, SHA_B } from '../../planner/testing.js';
import type { ModelRelease } from '../../api/model-release-schema.js';
import { renderStatus } from './status-view.js';

describe('tern status view', () => {
  it('shows a canary step with its weight, checks, conditions and events', () => {
    const sim = new Simulation(newRelease('1.0.0'));
    sim.pass();
    sim.pass();
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.pass();
    sim.pass();
    sim.advance(10_000);
    sim.pass({ measurements: [result('availability', 'Successful', sim.now, 0.998)] });
    const text = renderStatus(sim.release as ModelRelease, [{ reason: 'StepStarted', type: 'Normal', note: 'step 1/5: 1% of live traffic to 1.1.0', eventTime: sim.now.toISOString() }], sim.now);
    expect(text).toContain('Phase:     Canary');
    expect(text).toContain('Step:      1/5 (setWeight 1%, pause 1m');
    expect(text).toContain('Traffic:   stable 99%, candidate 1%  (router replicas)');
    expect(text).toMatch(/availability\s+canary\s+Successful\s+0\.998\s+>= 0\.95/);
    expect(text).toMatch(/Progressing\s+True\s+RolloutCanary/);
    expect(text).toMatch(/Normal\s+StepStarted\s+step 1\/5/);
    expect(text).toContain('Next: wait, or `tern promote species` (next step)');
  });

  it('shows the record of the last releases: outcome, failing check, and per step weight, time and check values', () => {
    const sim = new Simulation(newRelease('1.0.0'));
    sim.pass();
    sim.pass();
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.pass();
    sim.pass();
    sim.advance(60_000);
    sim.pass({ measurements: [result('availability', 'Successful', sim.now, 0.998)] });
    sim.advance(12_000);
    sim.pass({ measurements: [result('availability', 'Successful', sim.now, 0.997), result('drift', 'Failed', sim.now, 0.41)] });
    const text = renderStatus(sim.release as ModelRelease, [], sim.now);
    const record = text.slice(text.indexOf('Releases (newest 3'));
    expect(record.split('\n').slice(1, 6)).toEqual([
      '  1.1.0  RolledBack (AnalysisFailed)  ended 2026-01-01T00:01:12.000Z, took 72s; failed: drift Failed 0.41 (>= 0.95)',
      '    step 1 1%  60s  availability Successful 0.998 (>= 0.95)',
      '    step 2 5%  12s  availability Successful 0.997 (>= 0.95), drift Failed 0.41 (>= 0.95)',
      '  1.0.0  Promoted  ended 2026-01-01T00:00:00.000Z, took 0s',
      '',
    ]);
  });

  it('shows the bake (time left, the previous model kept warm) and the last fast restore', () => {
    const sim = new Simulation(newRelease('1.0.0', { spec: { rollout: { steps: [{ setWeight: 100, pause: '1m' }] } as ModelRelease['spec']['rollout'] } }));
    sim.pass();
    sim.pass();
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.pass();
    sim.pass();
    sim.advance(60_000);
    sim.pass({ measurements: [result('drift', 'Successful', sim.now, 0.01)] });
    sim.pass();
    sim.advance(10 * 60_000);
    let text = renderStatus(sim.release as ModelRelease, [], sim.now);
    expect(text).toContain('Bake:      1.1.0 under analysis for 20m more');
    expect(text).toContain('1.0.0 kept warm (1 pod)');
    expect(text).toContain('Next: wait for the bake to end, or `tern undo species` (back to 1.0.0 at once)');
    sim.setModel(newModel('1.0.0'));
    sim.pass();
    sim.advance(4_000);
    sim.pass();
    text = renderStatus(sim.release as ModelRelease, [], sim.now);
    expect(text).toContain('Last restore: 1.1.0 -> 1.0.0 (GitOpsRevert) 0s ago; traffic moved in 0s, stable track rebuilt in 4s');
  });

  it('says a release is a serving change and what it changes, in the candidate line and the record', () => {
    const sim = new Simulation(newRelease('1.0.0', { spec: { serving: { rejectionThreshold: 0.5 } as ModelRelease['spec']['serving'] } }));
    sim.pass();
    sim.pass();
    sim.setServing({ rejectionThreshold: 1 });
    sim.pass();
    sim.pass();
    const running = renderStatus(sim.release as ModelRelease, [], sim.now);
    expect(running).toContain('Candidate: species-classifier 1.0.0  (serving change: rejectionThreshold 0.5 -> 1)');
    expect(running).toContain('Message:   Canary step 1/5: 1% of live traffic to 1.0.0 (serving: rejectionThreshold 0.5 -> 1)');
    sim.advance(10_000);
    sim.pass({ measurements: [{ ...result('rejectionRatio', 'Failed', sim.now, 1), threshold: '<= 0.5' }] });
    const text = renderStatus(sim.release as ModelRelease, [], sim.now);
    expect(text).toContain('  1.0.0  [serving: rejectionThreshold 0.5 -> 1]  RolledBack (AnalysisFailed)');
  });
});
