/**
 * From server samples to a TrackWindow, shared by both providers: counter increases of the window
 * (already deltas, summed over any number of pods) and each pod's drift gauges.
 */
import { sumBuckets, type HistogramBucket } from './histogram.js';
import { parsePromValue, type PromSample } from './prom-text.js';
import { INFERENCE_ROUTES, SERVER_METRICS as M, type PodDrift, type TrackWindow } from './track-window.js';
import type { Track } from './types.js';

/** Names of the cumulative series a window is built from (the pods provider takes their deltas). */
export const WINDOW_COUNTERS: ReadonlySet<string> = new Set([
  M.requests,
  `${M.duration}_bucket`,
  M.rejections,
  `${M.targetScore}_count`,
]);

const inferenceRoutes: ReadonlySet<string> = new Set(INFERENCE_ROUTES);
const isInference = (s: PromSample): boolean => s.labels.route === undefined || inferenceRoutes.has(s.labels.route);

function addTo(map: Record<string, number>, key: string, value: number): void {
  if (Number.isFinite(value)) map[key] = (map[key] ?? 0) + value;
}

/**
 * A pod's drift monitor from its gauges; undefined when the pod exports none of them
 * (e.g. the server has not scored anything yet and leaves them out).
 */
export function podDriftOf(pod: string, gauges: PromSample[]): PodDrift | undefined {
  const read = (name: string): number | undefined => gauges.find((s) => s.name === name)?.value;
  const scoreMean = read(M.scoreMean);
  const windowSize = read(M.windowSize);
  const alarm = read(M.alarmActive);
  const baseline = read(M.baseline);
  if (scoreMean === undefined && windowSize === undefined && alarm === undefined) return undefined;
  const drift: PodDrift = { pod, scoreMean: scoreMean ?? NaN, windowSize: windowSize ?? 0, alarmActive: (alarm ?? 0) >= 1 };
  if (baseline !== undefined && Number.isFinite(baseline) && baseline > 0) drift.baseline = baseline;
  return drift;
}

/**
 * Sum counter increases (any pods, any label sets) into a TrackWindow.
 * Only inference routes count toward requests and latency; samples of other names are ignored.
 */
export function windowFromSamples(track: Track, pods: number, increases: PromSample[], drift: PodDrift[]): TrackWindow {
  const requestsByCode: Record<string, number> = {};
  const rejectionsByReason: Record<string, number> = {};
  const bucketSets: HistogramBucket[][] = [];
  let inputs = 0;
  for (const s of increases) {
    switch (s.name) {
      case M.requests:
        if (isInference(s)) addTo(requestsByCode, s.labels.code ?? 'unknown', s.value);
        break;
      case `${M.duration}_bucket`:
        if (isInference(s) && s.labels.le !== undefined && Number.isFinite(s.value)) {
          bucketSets.push([{ le: parsePromValue(s.labels.le), count: s.value }]);
        }
        break;
      case M.rejections:
        addTo(rejectionsByReason, s.labels.reason ?? 'unknown', s.value);
        break;
      case `${M.targetScore}_count`:
        if (Number.isFinite(s.value)) inputs += s.value;
        break;
      default:
        break;
    }
  }
  return { track, pods, requestsByCode, latencyBuckets: sumBuckets(...bucketSets), rejectionsByReason, inputs, drift };
}
