/**
 * The measurement flow both providers share: read the track's window (and stable's, for checks judged
 * relative to stable), evaluate the built-in checks, answer the custom checks — and never throw:
 * a backend failure becomes Error results, a track without pods or series becomes Inconclusive.
 */
import type { CheckResult, CustomCheck, ModelRelease } from '../api/model-release-schema.js';
import { analysisOf, baselineOf, enabledBuiltIns } from './analysis-spec.js';
import { evaluateBuiltInChecks, evaluateCustomCheck, type QueryAnswer } from './checks.js';
import { describeError } from './errors.js';
import { sameForAll } from './result.js';
import type { TrackWindow } from './track-window.js';
import type { Track } from './types.js';

/** A window as a provider read it; `emptyReason` says why nothing was found when `window.pods` is 0. */
export interface WindowReading {
  window: TrackWindow;
  emptyReason?: string;
}

/** What a provider supplies to the shared flow. */
export interface MeasureSource {
  /**
   * Read `track`'s window; `forTrack` is the track the measurement is for (stable read for a relative
   * canary measurement keeps its own state in the pods provider). Throws when the backend fails.
   */
  readWindow(release: ModelRelease, track: Track, forTrack: Track): Promise<WindowReading>;
  /** Answer one custom check; undefined when the provider cannot run PromQL. */
  answerCustom?(release: ModelRelease, check: CustomCheck, track: Track): Promise<QueryAnswer>;
  /** The provider's name for messages ("pods", "prometheus at http://..."). */
  readonly description: string;
}


/** Measure every enabled check of `release` for `track` through `source`. Never throws. */
export async function measureChecks(source: MeasureSource, release: ModelRelease, track: Track, now: Date): Promise<CheckResult[]> {
  const objectName = `${release.metadata.namespace ?? 'default'}/${release.metadata.name}`;
  let analysis;
  try {
    analysis = analysisOf(release);
  } catch (err) {
    return sameForAll(['analysis'], track, 'Error', now, () => `${objectName}: cannot read spec.rollout.analysis: ${describeError(err)}`);
  }
  const builtIns = enabledBuiltIns(analysis);
  const results: CheckResult[] = [];
  if (builtIns.length > 0) {
    try {
      const own = await source.readWindow(release, track, track);
      const relative = analysis.checks.relativeToStable && track === 'canary';
      const stable = relative ? await source.readWindow(release, 'stable', track) : undefined;
      const empty = own.window.pods === 0 ? own : stable && stable.window.pods === 0 ? stable : undefined;
      if (empty) {
        const reason = empty.emptyReason ?? `no pods of track ${empty.window.track}`;
        results.push(...sameForAll(builtIns, track, 'Inconclusive', now, (name) => `${name} on ${track}: ${reason} (${objectName})`));
      } else {
        results.push(...evaluateBuiltInChecks({ analysis, baseline: baselineOf(release), window: own.window, stable: stable?.window, now }));
      }
    } catch (err) {
      results.push(...sameForAll(builtIns, track, 'Error', now, (name) => `${name} on ${track}: ${source.description} failed for ${objectName}: ${describeError(err)}`));
    }
  }
  for (const check of analysis.custom ?? []) {
    const answer: QueryAnswer = source.answerCustom
      ? await source.answerCustom(release, check, track).catch((err: unknown) => ({ kind: 'error' as const, message: describeError(err) }))
      : { kind: 'error', message: `custom PromQL checks need spec.rollout.analysis.provider.type prometheus (${objectName} uses ${source.description})` };
    results.push(evaluateCustomCheck(check, answer, track, now));
  }
  return results;
}
