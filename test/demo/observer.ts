/**
 * Watches the demo's ModelRelease from the outside, as a person would with `tern status --watch`:
 * polls the release and its events, keeps the latest for the view, and records every change of
 * phase, step, weight or models with its time (the summary's timeline). Reads only.
 */
import type { ModelRelease } from '../../operator/api/model-release-schema.js';
import { getRelease, releaseEvents, type EventRecord, type ReleaseTarget } from '../../operator/cli/commands/release-client.js';
import { candidateWeight } from './view.js';

/** One observed state of the release. */
export interface TimelineEntry {
  at: number;
  phase: string;
  stable?: string;
  candidate?: string;
  step?: number;
  weight: number;
  message?: string;
}

/** A running observer. */
export interface Observer {
  release(): ModelRelease | undefined;
  events(): EventRecord[];
  timeline(): TimelineEntry[];
  /** Resolves with the release once `predicate` holds; rejects after `timeoutMs` or when `failWhen` says why. */
  waitFor(what: string, predicate: (r: ModelRelease) => boolean, timeoutMs: number, failWhen?: (r: ModelRelease) => string | undefined): Promise<ModelRelease>;
  stop(): Promise<void>;
}

/** Starts polling `target.namespace/name` every `everyMs`. */
export function startObserver(target: ReleaseTarget, name: string, everyMs = 500): Observer {
  let latest: ModelRelease | undefined;
  let events: EventRecord[] = [];
  const timeline: TimelineEntry[] = [];
  let stopped = false;
  let lastError = '';
  const loop = (async () => {
    let round = 0;
    while (!stopped) {
      try {
        latest = await getRelease(target, name);
        if (round % 2 === 0) events = await releaseEvents(target, name, 12);
        lastError = '';
        const st = latest.status ?? {};
        const entry: TimelineEntry = {
          at: Date.now(),
          phase: st.phase ?? 'Pending',
          ...(st.stable ? { stable: st.stable.version } : {}),
          ...(st.candidate ? { candidate: st.candidate.version } : {}),
          ...(st.currentStep !== undefined && candidateWeight(latest) > 0 ? { step: st.currentStep } : {}),
          weight: candidateWeight(latest),
          ...(st.message ? { message: st.message } : {}),
        };
        const prev = timeline[timeline.length - 1];
        if (!prev || prev.phase !== entry.phase || prev.stable !== entry.stable || prev.candidate !== entry.candidate || prev.step !== entry.step || prev.weight !== entry.weight) timeline.push(entry);
      } catch (err) {
        lastError = (err as Error).message;
      }
      round += 1;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    release: () => latest,
    events: () => events,
    timeline: () => timeline,
    waitFor: async (what, predicate, timeoutMs, failWhen) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (latest) {
          if (predicate(latest)) return latest;
          const why = failWhen?.(latest);
          if (why) throw new Error(`${target.namespace}/${name}: ${why}`);
        }
        if (Date.now() > deadline) {
          const st = latest?.status;
          throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${target.namespace}/${name} ${what} (phase ${st?.phase ?? '-'}: ${st?.message ?? lastError})`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
