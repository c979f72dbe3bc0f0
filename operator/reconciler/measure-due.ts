/**
 * When the reconciler measures: while a candidate is judged (Staging with a stable, Canary, Paused,
 * Promoting) or a promoted model bakes (Healthy with status.bake; its stable track is measured), once
 * the last measurement is at least one analysis interval old; and in production (Healthy after the bake)
 * every spec.rollout.productionInterval, paced by the reconciler's own clock (`lastProductionMs`), since
 * a steady production watch does not write its measurements into status. Pure.
 */
import type { ModelReleaseStatus } from '../api/model-release-schema.js';
import { durationMs } from '../api/duration.js';
import type { ResolvedSpec } from '../model/resolved-spec.js';
import type { Track } from '../analysis/types.js';
import { GOLDEN_CHECK } from '../planner/staging.js';

/** Whether the stable model is in production under the watch (Healthy, no bake, no restore, watch on). */
export function inProductionWatch(spec: ResolvedSpec, status: ModelReleaseStatus | undefined): boolean {
  return status?.phase === 'Healthy' && !!status.stable && !status.bake && !status.restore && durationMs(spec.rollout.productionInterval) > 0;
}

/**
 * Whether a measurement is due at `now`. `lastProductionMs`: when the production watch last measured, or
 * first saw the release in production, in this process (undefined: not yet seen, so not due: the first
 * measurement comes one productionInterval after the release reached production or the operator started).
 */
export function measurementDue(spec: ResolvedSpec, status: ModelReleaseStatus | undefined, now: Date, lastProductionMs?: number): boolean {
  if (inProductionWatch(spec, status)) return lastProductionMs !== undefined && lastProductionMs + durationMs(spec.rollout.productionInterval) <= now.getTime();
  const phase = status?.phase;
  const baking = phase === 'Healthy' && status?.bake !== undefined;
  if (!status?.stable || (!status.candidate && !baking)) return false;
  if (phase !== 'Staging' && phase !== 'Canary' && phase !== 'Paused' && phase !== 'Promoting' && !baking) return false;
  const times = (status.analysis ?? []).filter((r) => r.name !== GOLDEN_CHECK).map((r) => Date.parse(r.measuredAt));
  if (times.length === 0) return true;
  return Math.max(...times) + durationMs(spec.rollout.analysis.interval) <= now.getTime();
}

/** The track a measurement judges: the stable track once promoted (bake and production watch), else the candidate's. */
export function measuredTrack(status: ModelReleaseStatus | undefined): Track {
  return status?.phase === 'Healthy' ? 'stable' : 'canary';
}
