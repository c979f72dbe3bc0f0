/**
 * The contract between analysis (measuring a track, judging measurements) and the rollout planner.
 *
 * A measurement of one check has four outcomes (Successful, Failed, Inconclusive, Error), never two:
 * Inconclusive (too little data) and Error (the backend failed) hold the step; they never pass it
 * and never roll back by themselves.
 */
import type { Analysis, CheckResult, ModelRelease } from '../api/model-release-schema.js';

export type Track = 'stable' | 'canary';

/** Where measurements come from. One file per implementation (prometheus.ts, pods.ts). */
export interface MetricsProvider {
  readonly type: 'prometheus' | 'pods';
  /** Measure every enabled check of `release` for `track` at `now`. Never throws: failures become Error results. */
  measure(release: ModelRelease, track: Track, now: Date): Promise<CheckResult[]>;
}

/**
 * What the planner does with the latest measurements of a step:
 *  - Advance: every check has passed `successCount` times in a row; the step may end once its pause is over.
 *  - Wait:    passing so far, not yet enough consecutive successes.
 *  - Hold:    some check is Inconclusive or Error; the step is held (status and an event say why).
 *  - Fail:    some check failed more than `failureLimit` times; roll back now.
 */
export interface AnalysisVerdict {
  kind: 'Advance' | 'Wait' | 'Hold' | 'Fail';
  /** The merged results to store in status.analysis (with consecutiveSuccesses/failures carried forward). */
  results: CheckResult[];
  /** A sentence for status and events, e.g. "drift on canary: score mean 0.61 is 0.19 below baseline 0.80 (limit 0.10)". */
  reason: string;
  /** The check that decided a Fail (or the first holding check for Hold). */
  decisive?: CheckResult;
}

/** Pure: judge fresh measurements against the spec, carrying counters from the previous results. */
export type Assess = (spec: Analysis, fresh: CheckResult[], previous: CheckResult[] | undefined) => AnalysisVerdict;
