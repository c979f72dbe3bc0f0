import { customThreshold, evaluateBuiltInChecks, evaluateCustomCheck, type EvaluationInput } from './checks.js';
import { buckets, newAnalysis, newWindow, podDrift, type AnalysisOverrides } from './testing.js';
import type { TrackWindow } from './track-window.js';

const now = new Date('2026-01-01T00:00:00Z');
const onlyCheck = (name: string): AnalysisOverrides => ({
  checks: Object.fromEntries(['drift', 'availability', 'latencyP95', 'errorRate', 'rejectionRatio'].map((c) => [c, { enabled: c === name }])),
});

function evaluate(name: string, window: TrackWindow, extra: Partial<EvaluationInput> & { overrides?: AnalysisOverrides } = {}) {
  const base = onlyCheck(name);
  const analysis = newAnalysis({ ...base, ...extra.overrides, checks: { ...base.checks, ...extra.overrides?.checks } });
  const results = evaluateBuiltInChecks({ analysis, baseline: 0.8, window, now, ...extra });
  expect(results).toHaveLength(1);
  return results[0]!;
}

describe('availability', () => {
  it('passes at or above 0.95 and names value and threshold', () => {
    const r = evaluate('availability', newWindow('canary', { requestsByCode: { '200': 95, '503': 5 } }));
    expect(r).toMatchObject({ name: 'availability', track: 'canary', outcome: 'Successful', value: 0.95, threshold: '>= 0.95', measuredAt: now.toISOString() });
    expect(r.message).toContain('0.95');
  });
  it('fails below 0.95 with a sentence naming value and threshold', () => {
    const r = evaluate('availability', newWindow('canary', { requestsByCode: { '200': 90, '500': 6, '503': 4, '404': 0 } }));
    expect(r.outcome).toBe('Failed');
    expect(r.value).toBeCloseTo(0.9);
    expect(r.message).toBe('availability on canary: 0.9 is below the minimum 0.95 (100 requests)');
  });
  it('counts 4xx as available', () => {
    expect(evaluate('availability', newWindow('canary', { requestsByCode: { '200': 50, '400': 50 } })).value).toBe(1);
  });
  it('is Inconclusive with no traffic, and with fewer requests than minSampleCount', () => {
    const none = evaluate('availability', newWindow('canary'));
    expect(none.outcome).toBe('Inconclusive');
    expect(none.value).toBeUndefined();
    expect(none.message).toContain('0 requests in the window, fewer than minSampleCount 20');
    const few = evaluate('availability', newWindow('canary', { requestsByCode: { '500': 19 } }));
    expect(few.outcome).toBe('Inconclusive');
    const enough = evaluate('availability', newWindow('canary', { requestsByCode: { '500': 3 } }), { overrides: { minSampleCount: 3 } });
    expect(enough.outcome).toBe('Failed');
  });
  it('relative to stable: fails when the candidate is more than 1 - min below stable', () => {
    const overrides = { checks: { relativeToStable: true } };
    const stable = newWindow('stable', { requestsByCode: { '200': 100 } });
    const bad = evaluate('availability', newWindow('canary', { requestsByCode: { '200': 90, '503': 10 } }), { stable, overrides });
    expect(bad).toMatchObject({ outcome: 'Failed', threshold: 'canary - stable >= -0.05' });
    expect(bad.value).toBeCloseTo(-0.1);
    expect(bad.message).toContain('relative to stable: 0.9 - stable 1 = -0.1');
    // Both tracks equally unhealthy: the candidate is not to blame.
    const flaky = newWindow('stable', { requestsByCode: { '200': 88, '503': 12 } });
    expect(evaluate('availability', newWindow('canary', { requestsByCode: { '200': 90, '503': 10 } }), { stable: flaky, overrides }).outcome).toBe('Successful');
    // Without stable traffic there is nothing to compare with.
    const quiet = evaluate('availability', newWindow('canary', { requestsByCode: { '200': 90 } }), { stable: newWindow('stable'), overrides });
    expect(quiet.outcome).toBe('Inconclusive');
    expect(quiet.message).toContain('on stable');
  });
  it('stable itself is judged on its own value even when relativeToStable', () => {
    const r = evaluate('availability', newWindow('stable', { requestsByCode: { '200': 90, '503': 10 } }), { overrides: { checks: { relativeToStable: true } } });
    expect(r).toMatchObject({ outcome: 'Failed', threshold: '>= 0.95' });
  });
});

describe('errorRate', () => {
  it('is the 5xx share; fails above max', () => {
    const r = evaluate('errorRate', newWindow('canary', { requestsByCode: { '200': 90, '502': 10 } }));
    expect(r).toMatchObject({ outcome: 'Failed', threshold: '<= 0.05' });
    expect(r.value).toBeCloseTo(0.1);
    expect(evaluate('errorRate', newWindow('canary', { requestsByCode: { '200': 96, '500': 4 } })).outcome).toBe('Successful');
  });
});

describe('latencyP95', () => {
  it('takes the 95th percentile of buckets summed across pods; fails above 2 s', () => {
    const slow = buckets([[0.5, 80], [1, 5], [5, 15], [Infinity, 0]]);
    const r = evaluate('latencyP95', newWindow('canary', { latencyBuckets: slow }));
    expect(r.outcome).toBe('Failed');
    expect(r.value).toBeCloseTo(1 + (4 * 10) / 15); // rank 95: 85 below 1 s, 10 of 15 into (1, 5]
    expect(r.threshold).toBe('<= 2');
    expect(r.message).toBe('latencyP95 on canary: 3.667 is above the maximum 2 (100 requests)');
  });
  it('passes below the limit', () => {
    const fast = buckets([[0.05, 99], [0.1, 1], [Infinity, 0]]);
    expect(evaluate('latencyP95', newWindow('canary', { latencyBuckets: fast })).outcome).toBe('Successful');
  });
  it('is Inconclusive with an empty histogram', () => {
    expect(evaluate('latencyP95', newWindow('canary', { latencyBuckets: buckets([[0.1, 0], [Infinity, 0]]) })).outcome).toBe('Inconclusive');
  });
});

describe('rejectionRatio', () => {
  it('is rejected "not a target" inputs over scored inputs; fails above 0.5', () => {
    const r = evaluate('rejectionRatio', newWindow('canary', { inputs: 100, rejectionsByReason: { not_a_target: 60, invalid_input: 30 } }));
    expect(r).toMatchObject({ outcome: 'Failed', value: 0.6, threshold: '<= 0.5' });
    expect(evaluate('rejectionRatio', newWindow('canary', { inputs: 100, rejectionsByReason: { not_a_target: 50 } })).outcome).toBe('Successful');
  });
  it('is Inconclusive without scored inputs', () => {
    expect(evaluate('rejectionRatio', newWindow('canary', { rejectionsByReason: { not_a_target: 5 } })).outcome).toBe('Inconclusive');
  });
});

describe('drift', () => {
  it('fails when the score mean is 0.10 or more below the baseline, naming mean, drop and baseline', () => {
    const r = evaluate('drift', newWindow('canary', { drift: [podDrift('a', 0.61, 100)] }));
    expect(r).toMatchObject({ outcome: 'Failed', threshold: '< 0.1' });
    expect(r.value).toBeCloseTo(0.19);
    expect(r.message).toBe('drift on canary: score mean 0.61 is 0.19 below baseline 0.8 (limit 0.1)');
    expect(evaluate('drift', newWindow('canary', { drift: [podDrift('a', 0.7, 100)] })).outcome).toBe('Failed');
  });
  it('passes a small drop and a rise', () => {
    expect(evaluate('drift', newWindow('canary', { drift: [podDrift('a', 0.75, 100)] })).outcome).toBe('Successful');
    const up = evaluate('drift', newWindow('canary', { drift: [podDrift('a', 0.9, 100)] }));
    expect(up.outcome).toBe('Successful');
    expect(up.message).toContain('above baseline');
  });
  it('weights each pod by its window size', () => {
    // (0.9 * 300 + 0.5 * 100) / 400 = 0.8
    const r = evaluate('drift', newWindow('canary', { pods: 2, drift: [podDrift('a', 0.9, 300), podDrift('b', 0.5, 100)] }));
    expect(r.outcome).toBe('Successful');
    expect(r.value).toBeCloseTo(0);
  });
  it('fails when any pod raises the server drift alarm, even with few samples', () => {
    const r = evaluate('drift', newWindow('canary', { pods: 2, drift: [podDrift('a', 0.79, 5), podDrift('b', 0.6, 5, true)] }));
    expect(r.outcome).toBe('Failed');
    expect(r.message).toContain("the server's drift alarm is active on b");
  });
  it('is Inconclusive with fewer scores than minSampleCount, or only NaN means', () => {
    expect(evaluate('drift', newWindow('canary', { drift: [podDrift('a', 0.5, 10)] })).outcome).toBe('Inconclusive');
    const nan = evaluate('drift', newWindow('canary', { drift: [podDrift('a', NaN, 0)] }));
    expect(nan.outcome).toBe('Inconclusive');
    expect(nan.value).toBeUndefined();
  });
  it("falls back to the pods' exported baseline, and is Inconclusive without any", () => {
    const withGauge = newWindow('canary', { drift: [{ ...podDrift('a', 0.5, 100), baseline: 0.55 }] });
    expect(evaluate('drift', withGauge, { baseline: undefined }).outcome).toBe('Successful');
    const none = evaluate('drift', newWindow('canary', { drift: [podDrift('a', 0.5, 100)] }), { baseline: undefined });
    expect(none.outcome).toBe('Inconclusive');
    expect(none.message).toContain('spec.model.metrics.scoreMean');
  });
  it("relative to stable: stable's live mean is the baseline and the servers' alarms are ignored", () => {
    const overrides = { checks: { relativeToStable: true } };
    const stable = newWindow('stable', { drift: [podDrift('s', 0.6, 100, true)] });
    const r = evaluate('drift', newWindow('canary', { drift: [podDrift('c', 0.58, 100, true)] }), { stable, overrides });
    expect(r.outcome).toBe('Successful');
    const worse = evaluate('drift', newWindow('canary', { drift: [podDrift('c', 0.45, 100)] }), { stable, overrides });
    expect(worse.outcome).toBe('Failed');
    expect(worse.message).toContain("below stable's score mean 0.6");
  });
});

describe('all built-ins', () => {
  it('evaluates every enabled check in a fixed order, skipping disabled ones', () => {
    const analysis = newAnalysis({ checks: { latencyP95: { enabled: false } } });
    const names = evaluateBuiltInChecks({ analysis, baseline: 0.8, window: newWindow('canary'), now }).map((r) => r.name);
    expect(names).toEqual(['drift', 'availability', 'errorRate', 'rejectionRatio']);
  });
  it('uses thresholds from the spec', () => {
    const analysis = newAnalysis({ checks: { availability: { min: 0.99 } } });
    const w = newWindow('canary', { requestsByCode: { '200': 98, '500': 2 } });
    const r = evaluateBuiltInChecks({ analysis, baseline: 0.8, window: w, now }).find((x) => x.name === 'availability');
    expect(r).toMatchObject({ outcome: 'Failed', threshold: '>= 0.99' });
  });
});

describe('custom checks', () => {
  const check = { name: 'p99', query: 'x', min: 1, max: 5 };
  it('passes inside [min, max] and fails outside', () => {
    expect(evaluateCustomCheck(check, { kind: 'value', value: 3 }, 'canary', now)).toMatchObject({ outcome: 'Successful', value: 3, threshold: '>= 1 and <= 5' });
    const low = evaluateCustomCheck(check, { kind: 'value', value: 0.5 }, 'canary', now);
    expect(low).toMatchObject({ outcome: 'Failed', message: 'p99 on canary: 0.5 is below the minimum 1' });
    expect(evaluateCustomCheck(check, { kind: 'value', value: 6 }, 'canary', now).outcome).toBe('Failed');
  });
  it('maps no values and NaN to Inconclusive, a failed query to Error', () => {
    expect(evaluateCustomCheck(check, { kind: 'empty' }, 'canary', now).outcome).toBe('Inconclusive');
    expect(evaluateCustomCheck(check, { kind: 'value', value: NaN }, 'canary', now).outcome).toBe('Inconclusive');
    const err = evaluateCustomCheck(check, { kind: 'error', message: 'cannot reach Prometheus' }, 'canary', now);
    expect(err).toMatchObject({ outcome: 'Error', message: 'p99 on canary: cannot reach Prometheus' });
  });
  it('writes the threshold text for one or no bound', () => {
    expect(customThreshold({ name: 'a', query: 'x', max: 2 })).toBe('<= 2');
    expect(customThreshold({ name: 'a', query: 'x' })).toBe('any value');
  });
});
