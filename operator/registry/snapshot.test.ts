// Metrics reports -> registry snapshots: aliases, nesting, what is carried along and what is refused.
import { METRIC_ALIASES, SNAPSHOT_MAX_METRICS, snapshotFromReport, snapshotPathProblem } from './snapshot.js';

describe('snapshotFromReport', () => {
  it('takes the registry names as they are and carries every other number along', () => {
    expect(snapshotFromReport({ tpr: 0.9, tnr: 0.8, score_mean: 0.7, f1: 0.85 })).toEqual({ ok: true, metrics: { tpr: 0.9, tnr: 0.8, score_mean: 0.7, f1: 0.85 } });
  });

  it('reads a nested report: anti_fraud.tpr/tnr, cetacean_score_mean, nested numbers joined with "_", strings and lists left out', () => {
    const report = {
      generated_at: '2026-04-15T13:15:39+00:00',
      model_version: 'effb4-arcface-v1',
      mean_cetacean_score: 0.66,
      anti_fraud: { tpr: 0.95, tnr: 0.9, roc_auc: 0.98, ok: true },
      identification: { top1_accuracy: 0.22 },
      per_class: [0.4, 0.5],
      note: null,
    };
    expect(snapshotFromReport(report)).toEqual({
      ok: true,
      metrics: { tpr: 0.95, tnr: 0.9, score_mean: 0.66, anti_fraud_roc_auc: 0.98, identification_top1_accuracy: 0.22 },
    });
  });

  it.each(Object.entries(METRIC_ALIASES).flatMap(([name, aliases]) => aliases.map((alias) => [name, alias] as const)))('finds %s under %s', (name, alias) => {
    const report: Record<string, unknown> = { tpr: 0.9, tnr: 0.8, score_mean: 0.7 };
    delete report[name];
    const [group, key] = alias.includes('.') ? alias.split('.') : [undefined, alias];
    if (group === undefined) report[key as string] = 0.5;
    else report[group] = { [key as string]: 0.5 };
    const result = snapshotFromReport(report);
    expect(result.ok && result.metrics[name]).toBe(0.5);
  });

  it.each([
    ['not an object', [1, 2], 'must hold a JSON object of metrics'],
    ['no tnr', { tpr: 0.9, score_mean: 0.7 }, 'has no tnr (looked for tnr, true_negative_rate, anti_fraud.tnr)'],
    ['score mean out of range', { tpr: 0.9, tnr: 0.9, cetacean_score_mean: -0.1 }, 'cetacean_score_mean must be within 0..1, got -0.1'],
    ['two names for score_mean', { tpr: 0.9, tnr: 0.9, score_mean: 0.7, mean_cetacean_score: 0.7 }, 'has score_mean and mean_cetacean_score, all meaning score_mean: keep one'],
    ['a key that cannot name a metric', { tpr: 0.9, tnr: 0.9, score_mean: 0.7, 'mAP@0.5': 0.6 }, 'key "mAP@0.5" cannot be a metric name (letters, digits and "_", starting with a letter)'],
    ['a group that cannot start a metric name', { tpr: 0.9, tnr: 0.9, score_mean: 0.7, 'per class': { whale: 0.6 } }, 'key "per class" cannot start a metric name (letters, digits and "_", starting with a letter)'],
    ['an infinite number (1e999 parses to Infinity)', { tpr: 0.9, tnr: 0.9, score_mean: 0.7, big: Infinity }, 'big must be a finite number'],
    ['two numbers with one metric name', { tpr: 0.9, tnr: 0.9, score_mean: 0.7, a_b: 1, a: { b: 2 } }, 'a_b and a.b would both be the metric "a_b": rename one'],
    ['nesting too deep', { tpr: 0.9, tnr: 0.9, score_mean: 0.7, a: { b: { c: { d: { e: 1 } } } } }, 'a.b.c.d is nested more than 4 objects deep'],
    [
      'more numbers than a ModelRelease keeps',
      { tpr: 0.9, tnr: 0.9, score_mean: 0.7, ...Object.fromEntries(Array.from({ length: SNAPSHOT_MAX_METRICS }, (_, i) => [`m${i}`, i])) },
      `holds ${SNAPSHOT_MAX_METRICS + 3} numbers; a ModelRelease keeps at most ${SNAPSHOT_MAX_METRICS} metrics: leave some out`,
    ],
  ])('refuses %s', (_, report, message) => expect(snapshotFromReport(report)).toEqual({ ok: false, message }));
});

describe('snapshotPathProblem', () => {
  it.each(['reports/metrics_baseline.json', 'metrics.json', './reports/../reports/m.json'])('accepts %s', (path) => expect(snapshotPathProblem(path)).toBeUndefined());
  it.each([
    ['../reports/m.json', 'must stay inside'],
    ['a/../../m.json', 'must stay inside'],
    ['/etc/passwd', 'not an absolute one'],
    ['C:\\reports\\m.json', 'not an absolute one'],
    ['file:///etc/passwd', 'not a URL'],
    ['m\0.json', 'NUL'],
  ])('refuses %j', (path, part) => expect(snapshotPathProblem(path)).toContain(part));
});
