// The planner with operator/analysis's real assess: failureLimit, successCount and holds as the spec says.
import type { ModelReleaseSpec } from '../api/model-release-schema.js';
import { assess } from '../analysis/assess.js';
import { plan } from './plan.js';
import { newModel, newRelease, result, routerScale, SHA_B, Simulation } from './testing.js';

/** A release in canary step 0 of 1.1.0 against stable 1.0.0, with the given analysis settings. */
function canary(analysis: Record<string, unknown>): Simulation {
  const sim = new Simulation(newRelease('1.0.0', { spec: { rollout: { steps: [{ setWeight: 10, pause: '30s' }, { setWeight: 60, pause: '30s' }], analysis } as unknown as ModelReleaseSpec['rollout'] } }));
  sim.pass();
  sim.pass();
  sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
  sim.pass();
  sim.pass();
  expect(sim.status.phase).toBe('Canary');
  return sim;
}

const step = (sim: Simulation, outcome: 'Successful' | 'Failed' | 'Inconclusive', value = 0.5) => {
  sim.advance(10_000);
  const res = plan({ release: sim.release, observed: sim.observed, now: sim.now, measurements: [{ ...result('availability', outcome, sim.now, value), threshold: '>= 0.95' }] }, assess, routerScale(sim.release));
  sim.release = { ...sim.release, status: res.status };
  sim.converge(res.desired);
  return res;
};

describe('planner + real assess', () => {
  it('tolerates failureLimit failures and rolls back on the next one, naming check, value and threshold', () => {
    const sim = canary({ failureLimit: 1 });
    step(sim, 'Failed', 0.9);
    expect(sim.status.phase).toBe('Canary');
    const res = step(sim, 'Failed', 0.8);
    expect(sim.status.phase).toBe('RolledBack');
    expect(res.outcomes).toEqual([{ outcome: 'RolledBack', reason: 'availability' }]);
    const degraded = sim.status.conditions?.find((c) => c.type === 'Degraded');
    expect(degraded?.message).toContain('availability');
    expect(degraded?.message).toContain('0.8');
    expect(degraded?.message).toContain('0.95');
  });

  it('needs successCount consecutive successes before a step may end', () => {
    const sim = canary({ successCount: 3 });
    step(sim, 'Successful', 0.99);
    step(sim, 'Successful', 0.99);
    step(sim, 'Successful', 0.99); // 30 s: pause over, but only now the third success
    expect(sim.status.currentStep).toBe(1);
  });

  it('holds on Inconclusive and never advances past the pause', () => {
    const sim = canary({});
    for (let i = 0; i < 6; i++) step(sim, 'Inconclusive');
    expect(sim.status).toMatchObject({ phase: 'Canary', currentStep: 0, lastVerdict: 'Hold' });
    expect(sim.status.heldSince).toBeDefined();
  });

  it('production watch: failureLimit counts failures in a row, a passing measurement clears the alarm, a steady watch writes nothing', () => {
    const sim = new Simulation(newRelease('1.0.0', { spec: { rollout: { analysis: { failureLimit: 1 } } as unknown as ModelReleaseSpec['rollout'] } }));
    sim.pass();
    sim.pass();
    expect(sim.status.phase).toBe('Healthy');
    step(sim, 'Successful', 0.99);
    const steady = JSON.stringify(sim.status);
    step(sim, 'Successful', 0.98);
    expect(JSON.stringify(sim.status)).toBe(steady);
    step(sim, 'Failed', 0.5);
    step(sim, 'Successful', 0.99);
    expect(step(sim, 'Failed', 0.5).alarms).toEqual([]); // not two in a row
    const alarm = step(sim, 'Failed', 0.5);
    expect(alarm.alarms).toEqual(['availability']);
    expect(sim.status.productionAlarm?.message).toContain('0.5');
    const cleared = step(sim, 'Successful', 0.99);
    expect(cleared.events.map((e) => e.reason)).toEqual(['ProductionRecovered']);
    expect(sim.status.productionAlarm).toBeUndefined();
  });
});
