/**
 * Durations of spec.rollout.analysis in seconds, for the providers' windows. The parsing itself is
 * operator/api/duration.ts, the one parser that agrees with the CRD's DURATION_PATTERN and CEL.
 */
import { durationMs } from '../api/duration.js';

/**
 * Parse a duration such as "10s", "1h30m" or "500ms" into seconds.
 * @throws Error naming the text when it is not a duration.
 */
export function parseDurationSeconds(text: string): number {
  return durationMs(text) / 1000;
}
