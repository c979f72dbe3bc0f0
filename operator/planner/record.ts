/**
 * The release record: each finished canary or shadow step (weight, how long it lasted, each check's last
 * value, threshold and outcome in it) and what a history entry keeps of it. Pure helpers over status;
 * bounded by RECORD_STEPS_LIMIT, RECORD_CHECKS_LIMIT and RECORDED_RELEASES so the object stays small.
 */
import {
  RECORD_CHECKS_LIMIT, RECORD_STEPS_LIMIT, RECORDED_RELEASES,
  type CheckRecord, type CheckResult, type HistoryEntry, type ModelReleaseStatus, type StepRecord,
} from '../api/model-release-schema.js';

/** A check result as the record keeps it. */
export function checkRecord(result: CheckResult): CheckRecord {
  return {
    name: result.name,
    track: result.track,
    outcome: result.outcome,
    ...(result.value === undefined ? {} : { value: result.value }),
    ...(result.threshold === undefined ? {} : { threshold: result.threshold }),
  };
}

/**
 * Records the canary or shadow step in force as finished at `now` (into status.stepRecords, the last
 * RECORD_STEPS_LIMIT kept) and ends it (stepSince is removed), so that it is recorded once. Checks are
 * those measured during the step. Does nothing outside Canary and Paused.
 */
export function recordStep(status: ModelReleaseStatus, now: Date): void {
  const { phase, stepSince, currentStep } = status;
  const shadow = currentStep === undefined;
  if ((phase !== 'Canary' && phase !== 'Paused') || stepSince === undefined) return;
  if (shadow && (status.mirrorPercent ?? 0) === 0) return;
  const started = Date.parse(stepSince);
  const checks = (status.analysis ?? []).filter((r) => Date.parse(r.measuredAt) >= started).slice(0, RECORD_CHECKS_LIMIT).map(checkRecord);
  const step: StepRecord = {
    ...(shadow ? { shadow: true } : { step: currentStep + 1 }),
    weight: shadow ? (status.mirrorPercent ?? 0) : (status.canaryWeight ?? 0),
    startedAt: stepSince,
    seconds: Math.max(0, (now.getTime() - started) / 1000),
    checks,
  };
  status.stepRecords = [...(status.stepRecords ?? []), step].slice(-RECORD_STEPS_LIMIT);
  delete status.stepSince;
}

/** `entry` with the steps of the release that just ended (status.stepRecords), when it had any. */
export function withSteps(entry: HistoryEntry, status: ModelReleaseStatus): HistoryEntry {
  const steps = status.stepRecords ?? [];
  return steps.length === 0 ? entry : { ...entry, steps };
}

/** History with only the newest RECORDED_RELEASES entries keeping their steps. */
export function trimRecords(history: HistoryEntry[]): HistoryEntry[] {
  return history.map((entry, i) => {
    if (i < RECORDED_RELEASES || entry.steps === undefined) return entry;
    const { steps: _dropped, ...rest } = entry;
    return rest;
  });
}
