/**
 * Test builders for analysis: a ModelRelease with chosen analysis settings, and TrackWindows with
 * chosen traffic. Used by the unit tests beside this file and by test/ benchmarks.
 */
import type { Analysis, ModelRelease } from '../api/model-release-schema.js';
import { withDefaults } from './analysis-spec.js';
import type { HistogramBucket } from './histogram.js';
import { emptyWindow, type PodDrift, type TrackWindow } from './track-window.js';
import type { Track } from './types.js';

/** Partial analysis settings; `checks` entries are merged over the defaults. */
export type AnalysisOverrides = Omit<Partial<Analysis>, 'checks'> & { checks?: Record<string, unknown> };

/** A ModelRelease `ns/name` (default `default/demo`) whose analysis has `overrides` over the defaults. */
export function newModelRelease(overrides: AnalysisOverrides = {}, opts: { name?: string; namespace?: string; scoreMean?: number } = {}): ModelRelease {
  return {
    apiVersion: 'serving.tern.dev/v1alpha1',
    kind: 'ModelRelease',
    metadata: { name: opts.name ?? 'demo', namespace: opts.namespace ?? 'default' },
    spec: {
      model: {
        name: 'species-classifier',
        version: '1.1.0',
        weightsUrl: 'http://127.0.0.1/m.onnx',
        metrics: { tpr: 0.9, tnr: 0.95, scoreMean: opts.scoreMean ?? 0.8 },
      },
      rollout: { analysis: withDefaults(overrides as Partial<Analysis>) } as ModelRelease['spec']['rollout'],
    },
  };
}

/** Analysis settings with the defaults filled in. */
export function newAnalysis(overrides: AnalysisOverrides = {}): Analysis {
  return withDefaults(overrides as Partial<Analysis>);
}

/** Cumulative latency buckets from observation counts per upper bound. */
export function buckets(counts: [number, number][]): HistogramBucket[] {
  let total = 0;
  return counts.map(([le, n]) => ({ le, count: (total += n) }));
}

/** A window of `track` with the given traffic; unspecified parts are empty, one pod by default. */
export function newWindow(track: Track, parts: Partial<Omit<TrackWindow, 'track'>> = {}): TrackWindow {
  return { ...emptyWindow(track), pods: 1, ...parts };
}

/** One pod's drift gauges. */
export function podDrift(pod: string, scoreMean: number, windowSize: number, alarmActive = false): PodDrift {
  return { pod, scoreMean, windowSize, alarmActive };
}
