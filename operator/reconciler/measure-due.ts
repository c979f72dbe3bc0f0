/**
 * When the reconciler measures: while a candidate is judged (Staging with a stable, Canary, Paused,
 * Promoting) or a
 * promoted model bakes (Healthy with status.bake; its stable track is measured), once the last
 * measurement is at least one analysis interval old. Pure.
 */
import type { ModelReleaseStatus } from '../api/model-release-schema.js';
import { durationMs } from '../api/duration.js';
import type { ResolvedSpec } from '../planner/resolved-spec.js';
import type { Track } from '../analysis/types.js';
import { GOLDEN_CHECK } from '../planner/staging.js';

/** Whether a measurement is due at `now`. */
export function measurementDue(spec: ResolvedSpec, status: ModelReleaseStatus | undefined, now: Date): boolean {
  const phase = status?.phase;
  const baking = phase === 'Healthy' && status?.bake !== undefined;
  if (!status?.stable || (!status.candidate && !baking)) return false;
  if (phase !== 'Staging' && phase !== 'Canary' && phase !== 'Paused' && phase !== 'Promoting' && !baking) return false;
  const times = (status.analysis ?? []).filter((r) => r.name !== GOLDEN_CHECK).map((r) => Date.parse(r.measuredAt));
  if (times.length === 0) return true;
  return Math.max(...times) + durationMs(spec.rollout.analysis.interval) <= now.getTime();
}

/** The track a measurement judges: the stable track during a bake, else the candidate's. */
export function measuredTrack(status: ModelReleaseStatus | undefined): Track {
  return status?.phase === 'Healthy' && status.bake ? 'stable' : 'canary';
}
