/**
 * Makes each measurement visible as operator metrics (docs/conventions.md):
 * tern_analysis_check_value, tern_analysis_check_threshold and tern_analysis_check_outcome
 * (1 for the last outcome, 0 for the other three), labelled namespace, release, check, track.
 *
 * It takes gauges through a minimal interface, so prom-client Gauges (operator/runtime/metrics.ts)
 * or anything else with set/remove fit.
 */
import { OUTCOMES, type CheckResult } from '../api/model-release-schema.js';

/** The part of a prom-client Gauge used here. */
export interface LabelledGauge {
  set(labels: Record<string, string>, value: number): void;
  remove?(labels: Record<string, string>): void;
}

/** The three analysis gauges. */
export interface AnalysisGauges {
  checkValue: LabelledGauge;
  checkThreshold: LabelledGauge;
  checkOutcome: LabelledGauge;
}

/** The number in a threshold text (">= 0.95" -> 0.95; ">= 1 and <= 5" -> 1); NaN when there is none. */
export function thresholdNumber(threshold: string | undefined): number {
  const match = /-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/i.exec(threshold ?? '');
  return match ? Number(match[0]) : NaN;
}

/** Record the results of one measurement of `namespace/release`. */
export function recordCheckResults(gauges: AnalysisGauges, namespace: string, release: string, results: CheckResult[]): void {
  for (const r of results) {
    const labels = { namespace, release, check: r.name, track: r.track };
    // A check without a value (Inconclusive, Error) shows NaN rather than a stale number.
    gauges.checkValue.set(labels, r.value ?? NaN);
    const threshold = thresholdNumber(r.threshold);
    if (!Number.isNaN(threshold)) gauges.checkThreshold.set(labels, threshold);
    for (const outcome of OUTCOMES) gauges.checkOutcome.set({ ...labels, outcome }, outcome === r.outcome ? 1 : 0);
  }
}

/** Remove the series of checks of `namespace/release` (when the release is deleted). */
export function forgetCheckResults(gauges: AnalysisGauges, namespace: string, release: string, results: Pick<CheckResult, 'name' | 'track'>[]): void {
  for (const r of results) {
    const labels = { namespace, release, check: r.name, track: r.track };
    gauges.checkValue.remove?.(labels);
    gauges.checkThreshold.remove?.(labels);
    for (const outcome of OUTCOMES) gauges.checkOutcome.remove?.({ ...labels, outcome });
  }
}
