// The release record in status.history: per step the weight, how long it lasted and each check's last
// value, threshold and outcome; the failing check of a rollback; bounds. Injected clock, simulated cluster.
import { HISTORY_LIMIT, RECORDED_RELEASES, RECORD_STEPS_LIMIT, type ModelReleaseSpec } from '../api/model-release-schema.js';
import { Simulation, SHA_B, SHA_C, newModel, newRelease, result } from './testing.js';

const MIN = 60_000;
const FAST_STEPS = [
  { setWeight: 10, pause: '1m' },
  { setWeight: 50, pause: '1m' },
  { setWeight: 100, pause: '1m' },
];

function healthy(spec: Partial<ModelReleaseSpec> = {}): Simulation {
  const sim = new Simulation(newRelease('1.0.0', { spec: { rollout: { steps: FAST_STEPS } as ModelReleaseSpec['rollout'], ...spec } }));
  sim.pass();
  sim.pass();
  expect(sim.status.phase).toBe('Healthy');
  return sim;
}

/** healthy() moved to `version` and walked into its first canary (or shadow) step. */
function inCanary(sim: Simulation, version = '1.1.0'): Simulation {
  sim.setModel(newModel(version, { sha256: version.endsWith('1.0') ? SHA_B : SHA_C }));
  sim.pass(); // Staging
  sim.pass(); // soak 0s -> the first step
  expect(sim.status.phase).toBe('Canary');
  return sim;
}

const availability = (sim: Simulation, value = 0.999) => result('availability', 'Successful', sim.now, value);
const ok = { name: 'availability', track: 'canary', outcome: 'Successful', threshold: '>= 0.95' };

describe('the release record in status.history', () => {
  it('records every step of a promoted release: weight, seconds, each check\'s last value and threshold', () => {
    const sim = inCanary(healthy());
    sim.advance(30_000);
    sim.pass({ measurements: [availability(sim, 0.991)] });
    sim.advance(30_000);
    sim.pass({ measurements: [availability(sim, 0.998)] }); // step 1 over after 60 s
    expect(sim.status.stepRecords).toEqual([{ step: 1, weight: 10, startedAt: '2026-01-01T00:00:00.000Z', seconds: 60, checks: [{ ...ok, value: 0.998 }] }]);
    for (let i = 0; i < 6 && sim.status.phase !== 'Healthy'; i++) {
      sim.advance(MIN);
      sim.pass({ measurements: [availability(sim)] });
    }
    expect(sim.status.phase).toBe('Healthy');
    const [latest, first] = sim.status.history ?? [];
    expect(latest).toMatchObject({ version: '1.1.0', outcome: 'Promoted' });
    expect(latest?.steps).toEqual([
      { step: 1, weight: 10, startedAt: '2026-01-01T00:00:00.000Z', seconds: 60, checks: [{ ...ok, value: 0.998 }] },
      { step: 2, weight: 50, startedAt: '2026-01-01T00:01:00.000Z', seconds: 60, checks: [{ ...ok, value: 0.999 }] },
      { step: 3, weight: 100, startedAt: '2026-01-01T00:02:00.000Z', seconds: 60, checks: [{ ...ok, value: 0.999 }] },
    ]);
    expect(latest?.failedCheck).toBeUndefined();
    expect(first).toEqual({ version: '1.0.0', outcome: 'Promoted', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:00.000Z' });
    expect(sim.status.stepRecords).toBeUndefined();
  });

  it('records the failing check of a rollback with its value and threshold, and the step it failed in', () => {
    const sim = inCanary(healthy());
    sim.advance(MIN);
    sim.pass({ measurements: [availability(sim)] }); // step 2
    sim.advance(20_000);
    sim.pass({ measurements: [availability(sim), result('drift', 'Failed', sim.now, 0.41)] });
    expect(sim.status.phase).toBe('RolledBack');
    const entry = sim.status.history?.[0];
    expect(entry).toMatchObject({ version: '1.1.0', outcome: 'RolledBack', reason: 'AnalysisFailed' });
    expect(entry?.failedCheck).toEqual({ name: 'drift', track: 'canary', outcome: 'Failed', value: 0.41, threshold: '>= 0.95' });
    expect(entry?.steps?.map((s) => [s.step, s.weight, s.seconds, s.checks.map((c) => `${c.name}:${c.outcome}:${c.value}`)])).toEqual([
      [1, 10, 60, ['availability:Successful:0.999']],
      [2, 50, 20, ['availability:Successful:0.999', 'drift:Failed:0.41']],
    ]);
  });

  it('keeps no failing check for a manual abort, and records the step it was aborted in', () => {
    const sim = inCanary(healthy());
    sim.advance(5_000);
    sim.pass({ command: { name: 'abort', nonce: 'a1' } });
    const entry = sim.status.history?.[0];
    expect(entry).toMatchObject({ outcome: 'RolledBack', reason: 'ManualAbort', steps: [{ step: 1, weight: 10, seconds: 5, checks: [] }] });
    expect(entry?.failedCheck).toBeUndefined();
  });

  it('records the shadow step with the mirrored percent', () => {
    const sim = inCanary(healthy({ traffic: { router: 'gatewayAPI' }, rollout: { steps: FAST_STEPS, shadow: { mirrorPercent: 30, duration: '1m' } } as ModelReleaseSpec['rollout'] }));
    sim.advance(MIN);
    sim.pass({ measurements: [availability(sim)] });
    expect(sim.status.stepRecords).toEqual([{ shadow: true, weight: 30, startedAt: '2026-01-01T00:00:00.000Z', seconds: 60, checks: [{ ...ok, value: 0.999 }] }]);
  });

  it('gives a superseded release its steps and starts the next one with an empty record', () => {
    const sim = inCanary(healthy());
    sim.advance(MIN);
    sim.pass({ measurements: [availability(sim)] });
    sim.advance(10_000);
    sim.setModel(newModel('1.2.0', { sha256: SHA_C }));
    sim.pass();
    expect(sim.status.history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'Superseded' });
    expect(sim.status.history?.[0]?.steps?.map((s) => [s.step, s.seconds])).toEqual([[1, 60], [2, 10]]);
    expect(sim.status.stepRecords).toBeUndefined();
    expect(sim.status.phase).toBe('Staging');
  });

  it('leaves out checks measured before the step (staging)', () => {
    const sim = healthy();
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.pass({ measurements: [availability(sim, 0.5)] }); // staging
    sim.advance(1_000);
    sim.pass();
    sim.advance(MIN);
    sim.pass({ command: { name: 'promote', nonce: 'p1' } });
    expect(sim.status.stepRecords?.[0]?.checks).toEqual([]);
  });

  it(`keeps steps on the newest ${RECORDED_RELEASES} history entries only, and at most ${RECORD_STEPS_LIMIT} steps each`, () => {
    const steps = Array.from({ length: RECORD_STEPS_LIMIT + 2 }, (_, i) => ({ setWeight: i + 1 }));
    const sim = healthy({ rollout: { steps } as ModelReleaseSpec['rollout'] });
    for (let i = 1; i <= RECORDED_RELEASES + 2; i++) {
      inCanary(sim, `1.${i}.0`);
      for (let s = 0; s < steps.length; s++) {
        sim.advance(1_000);
        sim.pass({ command: { name: 'promote', nonce: `p${i}-${s}` } });
      }
      sim.pass(); // the previous track is warm: the stable track is re-templated
      sim.pass();
      expect(sim.status.phase).toBe('Healthy');
    }
    const history = sim.status.history ?? [];
    expect(history.length).toBeLessThanOrEqual(HISTORY_LIMIT);
    expect(history.map((h) => h.steps?.length ?? 0)).toEqual([...Array<number>(RECORDED_RELEASES).fill(RECORD_STEPS_LIMIT), 0, 0, 0]);
    expect(history[0]?.steps?.[0]?.step).toBe(3); // the last RECORD_STEPS_LIMIT of 14
  });
});
