/**
 * Pure evaluation of the built-in checks (drift, availability, latencyP95, errorRate, rejectionRatio)
 * and of custom PromQL answers: from a TrackWindow (and the stable track's, when judged relative to
 * stable) to a CheckResult with one of four outcomes. No I/O, no clock: `now` is given.
 *
 * Sample counts: availability, errorRate and latencyP95 count inference requests in the window,
 * rejectionRatio counts scored inputs, drift counts scores in the pods' drift windows. Fewer than
 * minSampleCount, or a value that is NaN, is Inconclusive — no data passes or fails nothing.
 */
import type { Analysis, CheckResult, CustomCheck } from '../api/model-release-schema.js';
import { checksOf, enabledBuiltIns, type BuiltInCheck } from './analysis-spec.js';
import { histogramQuantile, observationCount } from './histogram.js';
import { checkResult, fmt } from './result.js';
import { emptyWindow, NOT_A_TARGET, type TrackWindow } from './track-window.js';
import type { Track } from './types.js';

/** What the built-in checks of one track are judged on. */
export interface EvaluationInput {
  /** spec.rollout.analysis with defaults filled in (analysisOf). */
  analysis: Analysis;
  /** The drift baseline (spec.model.metrics.scoreMean); the pods' exported baseline is the fallback. */
  baseline: number | undefined;
  /** The measured track. */
  window: TrackWindow;
  /** The stable track's window of the same moment; used when checks.relativeToStable and the track is canary. */
  stable?: TrackWindow;
  now: Date;
}

/** A number read from a window and how many samples it rests on. */
interface Reading {
  value: number;
  samples: number;
  unit: string;
}

interface Bound {
  op: '>=' | '<=';
  limit: number;
}

const sum = (values: Iterable<number>): number => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

function requestShares(w: TrackWindow): { total: number; errors: number } {
  const total = sum(Object.values(w.requestsByCode));
  const errors = sum(Object.entries(w.requestsByCode).filter(([code]) => code.startsWith('5')).map(([, n]) => n));
  return { total, errors };
}

/** Share of inference requests not answered with 5xx. */
export function availabilityOf(w: TrackWindow): Reading {
  const { total, errors } = requestShares(w);
  return { value: total > 0 ? (total - errors) / total : NaN, samples: total, unit: 'requests' };
}

/** Share of inference requests answered with 5xx. */
export function errorRateOf(w: TrackWindow): Reading {
  const { total, errors } = requestShares(w);
  return { value: total > 0 ? errors / total : NaN, samples: total, unit: 'requests' };
}

/** 95th percentile latency (seconds) of inference requests, from buckets summed across pods. */
export function latencyP95Of(w: TrackWindow): Reading {
  return { value: histogramQuantile(0.95, w.latencyBuckets), samples: observationCount(w.latencyBuckets), unit: 'requests' };
}

/** Share of scored inputs rejected as "not a target". */
export function rejectionRatioOf(w: TrackWindow): Reading {
  const rejected = w.rejectionsByReason[NOT_A_TARGET] ?? 0;
  return { value: w.inputs > 0 ? rejected / w.inputs : NaN, samples: w.inputs, unit: 'inputs' };
}

/** Mean target score across pods, each pod's drift-window mean weighted by its window size. */
export function scoreMeanOf(w: TrackWindow): Reading {
  const pods = w.drift.filter((p) => p.windowSize > 0 && Number.isFinite(p.scoreMean));
  const samples = sum(pods.map((p) => p.windowSize));
  const value = samples > 0 ? sum(pods.map((p) => p.scoreMean * p.windowSize)) / samples : NaN;
  return { value, samples, unit: 'scores' };
}

const READERS: Record<Exclude<BuiltInCheck, 'drift'>, (w: TrackWindow) => Reading> = {
  availability: availabilityOf,
  errorRate: errorRateOf,
  latencyP95: latencyP95Of,
  rejectionRatio: rejectionRatioOf,
};

function boundOf(name: Exclude<BuiltInCheck, 'drift'>, analysis: Analysis, relative: boolean): Bound {
  const c = checksOf(analysis);
  switch (name) {
    // Relative to stable, availability may fall at most (1 - min) below stable's.
    case 'availability':
      return { op: '>=', limit: relative ? c.availability.min - 1 : c.availability.min };
    case 'errorRate':
      return { op: '<=', limit: c.errorRate.max };
    case 'latencyP95':
      return { op: '<=', limit: c.latencyP95.maxSeconds };
    case 'rejectionRatio':
      return { op: '<=', limit: c.rejectionRatio.max };
  }
}

const thresholdText = (b: Bound): string => `${b.op} ${fmt(b.limit)}`;
const passes = (value: number, b: Bound): boolean => (b.op === '>=' ? value >= b.limit : value <= b.limit);

function tooFew(name: string, track: Track, r: Reading, min: number, now: Date, threshold: string, whose = ''): CheckResult {
  return checkResult(name, track, 'Inconclusive', now, {
    threshold,
    message: `${name} on ${track}: ${r.samples} ${r.unit}${whose} in the window, fewer than minSampleCount ${min}; holding until there is more traffic`,
  });
}

function thresholdCheck(name: Exclude<BuiltInCheck, 'drift'>, input: EvaluationInput, relativeTo: TrackWindow | undefined): CheckResult {
  const { analysis, window, now } = input;
  const track = window.track;
  const min = analysis.minSampleCount;
  const bound = boundOf(name, analysis, relativeTo !== undefined);
  const own = READERS[name](window);
  const label = relativeTo ? `${name} on ${track} relative to stable` : `${name} on ${track}`;
  const threshold = relativeTo ? `${track} - stable ${thresholdText(bound)}` : thresholdText(bound);
  if (own.samples < min) return tooFew(name, track, own, min, now, threshold);
  let value = own.value;
  let shown = fmt(own.value);
  if (relativeTo) {
    const base = READERS[name](relativeTo);
    if (base.samples < min) return tooFew(name, track, base, min, now, threshold, ' on stable');
    value = own.value - base.value;
    shown = `${fmt(own.value)} - stable ${fmt(base.value)} = ${fmt(value)}`;
  }
  if (Number.isNaN(value)) {
    return checkResult(name, track, 'Inconclusive', now, { threshold, message: `${label}: the value is NaN (no usable data in the window)` });
  }
  const ok = passes(value, bound);
  const side = bound.op === '>=' ? 'below the minimum' : 'above the maximum';
  const message = ok
    ? `${label}: ${shown} is within ${thresholdText(bound)} (${own.samples} ${own.unit})`
    : `${label}: ${shown} is ${side} ${fmt(bound.limit)} (${own.samples} ${own.unit})`;
  return checkResult(name, track, ok ? 'Successful' : 'Failed', now, { value, threshold, message });
}

// Floating-point slack so that a drop of exactly the limit (0.8 - 0.7) counts as reaching it.
const EPSILON = 1e-9;

function driftCheck(input: EvaluationInput, relativeTo: TrackWindow | undefined): CheckResult {
  const { analysis, window, now } = input;
  const track = window.track;
  const maxDrop = checksOf(analysis).drift.maxScoreDrop;
  const threshold = `< ${fmt(maxDrop)}`;
  const own = scoreMeanOf(window);
  const describe = (baseline: number, drop: number, baseName: string): string =>
    `score mean ${fmt(own.value)} is ${fmt(Math.abs(drop))} ${drop >= 0 ? 'below' : 'above'} ${baseName} ${fmt(baseline)} (limit ${fmt(maxDrop)})`;

  if (relativeTo) {
    // Relative to stable: the stable track's live score mean is the baseline; the servers' own
    // alarms (which compare with the recorded baseline) are not used, so a shift in the inputs of
    // both tracks does not fail the candidate.
    const base = scoreMeanOf(relativeTo);
    if (own.samples < analysis.minSampleCount) return tooFew('drift', track, own, analysis.minSampleCount, now, threshold);
    if (base.samples < analysis.minSampleCount) return tooFew('drift', track, base, analysis.minSampleCount, now, threshold, ' on stable');
    const drop = base.value - own.value;
    const failed = drop >= maxDrop - EPSILON;
    return checkResult('drift', track, failed ? 'Failed' : 'Successful', now, {
      value: drop,
      threshold,
      message: `drift on ${track} relative to stable: ${describe(base.value, drop, "stable's score mean")}`,
    });
  }

  const baseline = input.baseline ?? window.drift.find((p) => p.baseline !== undefined && Number.isFinite(p.baseline))?.baseline;
  const drop = baseline !== undefined ? baseline - own.value : NaN;
  const alarmed = window.drift.filter((p) => p.alarmActive).map((p) => p.pod);
  if (alarmed.length > 0) {
    const detail = baseline !== undefined && Number.isFinite(drop) ? `; ${describe(baseline, drop, 'baseline')}` : '';
    return checkResult('drift', track, 'Failed', now, {
      value: drop,
      threshold,
      message: `drift on ${track}: the server's drift alarm is active on ${alarmed.join(', ')}${detail}`,
    });
  }
  if (own.samples < analysis.minSampleCount) return tooFew('drift', track, own, analysis.minSampleCount, now, threshold);
  if (baseline === undefined) {
    return checkResult('drift', track, 'Inconclusive', now, {
      threshold,
      message: `drift on ${track}: no baseline score; set spec.model.metrics.scoreMean`,
    });
  }
  if (Number.isNaN(drop)) {
    return checkResult('drift', track, 'Inconclusive', now, { threshold, message: `drift on ${track}: the score mean is NaN` });
  }
  const failed = drop >= maxDrop - EPSILON;
  return checkResult('drift', track, failed ? 'Failed' : 'Successful', now, {
    value: drop,
    threshold,
    message: `drift on ${track}: ${describe(baseline, drop, 'baseline')}`,
  });
}

/**
 * Evaluate every enabled built-in check of one track. With checks.relativeToStable, the canary track
 * is judged on its value minus stable's (availability: at most 1 - min below stable; errorRate,
 * latencyP95, rejectionRatio: at most the limit above stable; drift: stable's score mean is the baseline).
 */
export function evaluateBuiltInChecks(input: EvaluationInput): CheckResult[] {
  const relative = input.analysis.checks.relativeToStable && input.window.track === 'canary';
  const relativeTo = relative ? (input.stable ?? emptyWindow('stable')) : undefined;
  return enabledBuiltIns(input.analysis).map((name) => (name === 'drift' ? driftCheck(input, relativeTo) : thresholdCheck(name, input, relativeTo)));
}

/** What a PromQL query answered. */
export type QueryAnswer = { kind: 'value'; value: number } | { kind: 'empty'; detail?: string } | { kind: 'error'; message: string };

/** The threshold text of a custom check: ">= 1", "<= 5", ">= 1 and <= 5", or "any value". */
export function customThreshold(check: CustomCheck): string {
  const parts = [check.min !== undefined ? `>= ${fmt(check.min)}` : '', check.max !== undefined ? `<= ${fmt(check.max)}` : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(' and ') : 'any value';
}

/** Judge a custom check's answer against its min/max. */
export function evaluateCustomCheck(check: CustomCheck, answer: QueryAnswer, track: Track, now: Date): CheckResult {
  const threshold = customThreshold(check);
  const label = `${check.name} on ${track}`;
  if (answer.kind === 'error') return checkResult(check.name, track, 'Error', now, { threshold, message: `${label}: ${answer.message}` });
  if (answer.kind === 'empty') {
    return checkResult(check.name, track, 'Inconclusive', now, {
      threshold,
      message: `${label}: the query returned no values${answer.detail ? ` (${answer.detail})` : ''}`,
    });
  }
  const { value } = answer;
  if (Number.isNaN(value)) return checkResult(check.name, track, 'Inconclusive', now, { threshold, message: `${label}: the query returned NaN` });
  const low = check.min !== undefined && value < check.min;
  const high = check.max !== undefined && value > check.max;
  const message = low
    ? `${label}: ${fmt(value)} is below the minimum ${fmt(check.min as number)}`
    : high
      ? `${label}: ${fmt(value)} is above the maximum ${fmt(check.max as number)}`
      : `${label}: ${fmt(value)} is within ${threshold}`;
  return checkResult(check.name, track, low || high ? 'Failed' : 'Successful', now, { value, threshold, message });
}
