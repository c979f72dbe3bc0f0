import type { CheckResult, Outcome } from '../api/model-release-schema.js';
import { assess } from './assess.js';
import { newAnalysis } from './testing.js';

const at = '2026-01-01T00:00:00.000Z';
const r = (name: string, outcome: Outcome, extra: Partial<CheckResult> = {}): CheckResult => ({
  name,
  track: 'canary',
  outcome,
  measuredAt: at,
  value: 0.9,
  threshold: '>= 0.95',
  message: `${name} on canary: 0.9 vs >= 0.95`,
  ...extra,
});

describe('assess', () => {
  it('advances when every check has successCount consecutive successes', () => {
    const spec = newAnalysis({ successCount: 2 });
    const first = assess(spec, [r('availability', 'Successful'), r('drift', 'Successful')], undefined);
    expect(first.kind).toBe('Wait');
    expect(first.reason).toContain('1 of 2');
    const second = assess(spec, [r('availability', 'Successful'), r('drift', 'Successful')], first.results);
    expect(second.kind).toBe('Advance');
    expect(second.results.map((x) => x.consecutiveSuccesses)).toEqual([2, 2]);
  });

  it('fails once failures exceed failureLimit, naming check, track, value and threshold', () => {
    const spec = newAnalysis({ failureLimit: 1 });
    const once = assess(spec, [r('availability', 'Failed')], undefined);
    expect(once.kind).toBe('Wait');
    expect(once.results[0]).toMatchObject({ failures: 1, consecutiveSuccesses: 0 });
    const twice = assess(spec, [r('availability', 'Failed')], once.results);
    expect(twice.kind).toBe('Fail');
    expect(twice.decisive?.name).toBe('availability');
    expect(twice.reason).toBe('availability on canary: 0.9 vs >= 0.95; failed 2 time(s), failureLimit 1');
  });

  it('fails on the first failure with the default failureLimit 0', () => {
    const v = assess(newAnalysis(), [r('availability', 'Successful'), r('drift', 'Failed')], undefined);
    expect(v.kind).toBe('Fail');
    expect(v.decisive?.name).toBe('drift');
  });

  it('holds on Inconclusive or Error, saying which check and why', () => {
    const inconclusive = assess(newAnalysis(), [r('availability', 'Successful'), r('drift', 'Inconclusive', { message: 'drift on canary: 3 scores' })], undefined);
    expect(inconclusive.kind).toBe('Hold');
    expect(inconclusive.reason).toBe('Inconclusive (not enough data): drift on canary: 3 scores');
    const error = assess(newAnalysis(), [r('availability', 'Error', { message: 'cannot reach Prometheus' })], undefined);
    expect(error).toMatchObject({ kind: 'Hold', reason: 'Error (the metrics backend failed): cannot reach Prometheus' });
  });

  it('prefers Fail over Hold', () => {
    expect(assess(newAnalysis(), [r('a', 'Error'), r('b', 'Failed')], undefined).kind).toBe('Fail');
  });

  it('keeps counters through Inconclusive and Error, resets successes on Failed', () => {
    const spec = newAnalysis({ successCount: 3, failureLimit: 5 });
    const prev = [r('a', 'Successful', { consecutiveSuccesses: 2, failures: 1 })];
    expect(assess(spec, [r('a', 'Inconclusive')], prev).results[0]).toMatchObject({ consecutiveSuccesses: 2, failures: 1 });
    expect(assess(spec, [r('a', 'Error')], prev).results[0]).toMatchObject({ consecutiveSuccesses: 2, failures: 1 });
    expect(assess(spec, [r('a', 'Failed')], prev).results[0]).toMatchObject({ consecutiveSuccesses: 0, failures: 2 });
    expect(assess(spec, [r('a', 'Successful')], prev)).toMatchObject({ kind: 'Advance' });
  });

  it('carries counters per check and track', () => {
    const prev = [r('a', 'Successful', { consecutiveSuccesses: 4, track: 'stable' })];
    expect(assess(newAnalysis({ successCount: 2 }), [r('a', 'Successful')], prev).results[0]?.consecutiveSuccesses).toBe(1);
  });

  it('advances when no check is enabled', () => {
    expect(assess(newAnalysis(), [], undefined)).toMatchObject({ kind: 'Advance', reason: 'no analysis checks are enabled' });
  });
});
