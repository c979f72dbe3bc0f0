/**
 * assess(): the pure judgement of a step's latest measurements (the Assess contract in types.ts).
 *
 * Counters are carried per (check, track) from the previous results:
 *  - Successful: consecutiveSuccesses + 1;
 *  - Failed: failures + 1 and consecutiveSuccesses back to 0;
 *  - Inconclusive / Error: both unchanged — no data is no evidence either way.
 * `failures` counts every failed measurement the planner has kept in `previous` (it passes
 * `undefined` to start afresh, e.g. for a new release), as Argo Rollouts' failureLimit does.
 */
import type { Analysis, CheckResult } from '../api/model-release-schema.js';
import type { AnalysisVerdict, Assess } from './types.js';

const key = (r: Pick<CheckResult, 'name' | 'track'>): string => `${r.name}\u0000${r.track}`;

/** Fresh results with consecutiveSuccesses and failures carried forward from `previous`. */
export function carryCounters(fresh: CheckResult[], previous: CheckResult[] | undefined): CheckResult[] {
  const before = new Map((previous ?? []).map((r) => [key(r), r]));
  return fresh.map((r) => {
    const prev = before.get(key(r));
    const successes = prev?.consecutiveSuccesses ?? 0;
    const failures = prev?.failures ?? 0;
    switch (r.outcome) {
      case 'Successful':
        return { ...r, consecutiveSuccesses: successes + 1, failures };
      case 'Failed':
        return { ...r, consecutiveSuccesses: 0, failures: failures + 1 };
      default:
        return { ...r, consecutiveSuccesses: successes, failures };
    }
  });
}

const describe = (r: CheckResult): string => r.message ?? `${r.name} on ${r.track}: ${r.outcome}`;

/**
 * Judge fresh measurements: Fail when some check has failed more than failureLimit times; else Hold
 * when some check is Inconclusive or Error; else Advance when every check has at least successCount
 * consecutive successes; else Wait. No checks at all advances.
 */
export const assess: Assess = (spec: Analysis, fresh: CheckResult[], previous: CheckResult[] | undefined): AnalysisVerdict => {
  const results = carryCounters(fresh, previous);
  const failed = results.find((r) => (r.failures ?? 0) > spec.failureLimit);
  if (failed) {
    return {
      kind: 'Fail',
      results,
      decisive: failed,
      reason: `${describe(failed)}; failed ${failed.failures} time(s), failureLimit ${spec.failureLimit}`,
    };
  }
  const holding = results.find((r) => r.outcome === 'Inconclusive' || r.outcome === 'Error');
  if (holding) {
    const what = holding.outcome === 'Error' ? 'the metrics backend failed' : 'not enough data';
    return { kind: 'Hold', results, decisive: holding, reason: `${holding.outcome} (${what}): ${describe(holding)}` };
  }
  const lastFailed = results.find((r) => r.outcome === 'Failed');
  if (lastFailed) {
    return {
      kind: 'Wait',
      results,
      decisive: lastFailed,
      reason: `${describe(lastFailed)}; failed ${lastFailed.failures} time(s), within failureLimit ${spec.failureLimit}`,
    };
  }
  const short = results.find((r) => (r.consecutiveSuccesses ?? 0) < spec.successCount);
  if (short) {
    return {
      kind: 'Wait',
      results,
      reason: `${short.name} on ${short.track} has passed ${short.consecutiveSuccesses ?? 0} of ${spec.successCount} consecutive measurements`,
    };
  }
  return {
    kind: 'Advance',
    results,
    reason: results.length === 0 ? 'no analysis checks are enabled' : `all ${results.length} checks passed ${spec.successCount} consecutive measurement(s)`,
  };
};
