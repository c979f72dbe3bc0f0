// The production watch after the bake: alert (default) or rollback, and no status write while steady.
import type { ModelReleaseSpec } from '../api/model-release-schema.js';
import { Simulation, SHA_B, newModel, newRelease, result } from './testing.js';

const MIN = 60_000;

/** 1.0.0 -> 1.1.0 promoted with a 1m bake that ended: 1.1.0 is in production. */
function inProduction(rollout: Partial<ModelReleaseSpec['rollout']> = {}): Simulation {
  const sim = new Simulation(
    newRelease('1.0.0', { spec: { rollout: { steps: [{ setWeight: 100, pause: '1m' }], bakeTime: '1m', ...rollout } as ModelReleaseSpec['rollout'] } }),
  );
  sim.pass();
  sim.pass();
  sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
  sim.pass();
  sim.pass();
  for (let i = 0; i < 6 && !(sim.status.phase === 'Healthy' && !sim.status.bake); i++) {
    sim.advance(MIN);
    sim.pass({ measurements: ok(sim) });
  }
  expect(sim.status).toMatchObject({ phase: 'Healthy', stable: { version: '1.1.0' } });
  expect(sim.status.bake).toBeUndefined();
  return sim;
}

const ok = (sim: Simulation) => [{ ...result('drift', 'Successful', sim.now, 0.01), track: 'stable' }];
const drift = (sim: Simulation) => [{ ...result('drift', 'Failed', sim.now, 0.3), track: 'stable', threshold: '< 0.1' }];

describe('the production watch', () => {
  it('comes back every productionInterval and writes nothing while the checks keep passing', () => {
    const sim = inProduction();
    sim.advance(MIN);
    sim.pass({ measurements: ok(sim) });
    const before = JSON.stringify(sim.status);
    sim.advance(MIN);
    const res = sim.pass({ measurements: ok(sim) });
    expect(JSON.stringify(res.status)).toBe(before);
    expect(res.requeueAfterMs).toBe(MIN);
    expect(res.events).toEqual([]);
  });

  it('writes nothing for inconclusive or erroring measurements of a quiet watch (they hold, and go to the metrics only)', () => {
    const sim = inProduction();
    const before = JSON.stringify(sim.status);
    sim.advance(MIN);
    const res = sim.pass({ measurements: [{ ...result('drift', 'Error', sim.now), track: 'stable' }] });
    expect(JSON.stringify(res.status)).toBe(before);
  });

  it('alerts by default: Degraded, one Warning event and one alarm per episode, traffic stays; recovery clears it', () => {
    const sim = inProduction();
    sim.advance(MIN);
    const res = sim.pass({ measurements: drift(sim) });
    expect(sim.status.phase).toBe('Healthy');
    expect(sim.status.productionAlarm).toMatchObject({ since: sim.now.toISOString(), check: 'drift' });
    expect(sim.status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'ProductionAlarm' });
    expect(res.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'ProductionAlarm' })]);
    expect(res.alarms).toEqual(['drift']);
    expect(res.outcomes).toEqual([]);
    expect(res.desired.weights).toEqual({ stable: 100, candidate: 0, mirror: 0 });
    expect(res.desired.stable?.model.version).toBe('1.1.0');

    sim.advance(MIN);
    const again = sim.pass({ measurements: drift(sim) });
    expect(again.events).toEqual([]);
    expect(again.alarms).toEqual([]);

    sim.advance(MIN);
    const back = sim.pass({ measurements: ok(sim) });
    expect(sim.status.productionAlarm).toBeUndefined();
    expect(back.events.map((e) => e.reason)).toEqual(['ProductionRecovered']);
    expect(sim.status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'False', reason: 'AsExpected' });
  });

  it('onProductionAlarm rollback restores the previous stable model (its pods start again: no longer warm)', () => {
    const sim = inProduction({ onProductionAlarm: 'rollback' });
    sim.advance(MIN);
    const res = sim.pass({ measurements: drift(sim) });
    expect(sim.status).toMatchObject({ phase: 'RolledBack', stable: { version: '1.0.0' }, candidate: { version: '1.1.0' }, restore: { reason: 'drift', warm: false } });
    expect(res.outcomes).toEqual([{ outcome: 'RolledBack', reason: 'drift' }]);
    expect(res.desired.stable?.model.version).toBe('1.0.0');
    expect(sim.status.history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'RolledBack', reason: 'ProductionAlarm', failedCheck: { name: 'drift' } });
    expect(sim.status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'ProductionAlarm' });
  });

  it('rollback with no previous model known (a first release) alerts instead', () => {
    const sim = new Simulation(newRelease('1.0.0', { spec: { rollout: { onProductionAlarm: 'rollback' } as ModelReleaseSpec['rollout'] } }));
    sim.pass();
    sim.pass();
    const res = sim.pass({ measurements: drift(sim) });
    expect(sim.status.phase).toBe('Healthy');
    expect(res.alarms).toEqual(['drift']);
  });

  it('productionInterval 0s turns it off: measurements are not judged and nothing comes back', () => {
    const sim = inProduction({ productionInterval: '0s' });
    sim.advance(MIN);
    const res = sim.pass({ measurements: drift(sim) });
    expect(sim.status.productionAlarm).toBeUndefined();
    expect(res.requeueAfterMs).toBeUndefined();
  });
});
