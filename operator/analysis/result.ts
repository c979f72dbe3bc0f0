/**
 * Building CheckResults: one place for number formatting, threshold text and the results that
 * say "no data" (Inconclusive) or "the backend failed" (Error).
 */
import type { CheckResult, Outcome } from '../api/model-release-schema.js';
import type { Track } from './types.js';

/** A number as people read it in status and events: at most 4 significant digits. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** Fields of a result besides name, track, outcome and time. */
export interface ResultFields {
  value?: number;
  threshold?: string;
  message: string;
}

/** A CheckResult; a value that JSON cannot carry (NaN, ±Infinity) is left out. */
export function checkResult(name: string, track: Track, outcome: Outcome, now: Date, fields: ResultFields): CheckResult {
  const result: CheckResult = { name, track, outcome, measuredAt: now.toISOString(), message: fields.message };
  if (fields.value !== undefined && Number.isFinite(fields.value)) result.value = Number(fields.value.toPrecision(6));
  if (fields.threshold !== undefined) result.threshold = fields.threshold;
  return result;
}

/** The same outcome and message for every named check (e.g. Error when the backend is down). */
export function sameForAll(names: string[], track: Track, outcome: Outcome, now: Date, message: (name: string) => string): CheckResult[] {
  return names.map((name) => checkResult(name, track, outcome, now, { message: message(name) }));
}
