/**
 * What one measurement of one track consists of, whichever provider took it: the traffic counted in
 * the measurement window (counter increases, summed across the track's pods) and the drift gauges of
 * each pod at the end of the window. The check evaluation (checks.ts) reads only this.
 */
import type { HistogramBucket } from './histogram.js';
import type { Track } from './types.js';

/** Routes whose requests count as inference traffic; probes, /metrics and /v1/drift-stats do not. */
export const INFERENCE_ROUTES = ['/v1/predict', '/v2/models/:name/infer', '/v2/models/:name/versions/:version/infer'] as const;

/** The rejection reason the rejectionRatio check counts (docs/conventions.md). */
export const NOT_A_TARGET = 'not_a_target';

/** Server metric names (docs/conventions.md) the providers read. */
export const SERVER_METRICS = {
  requests: 'tern_server_http_requests_total',
  duration: 'tern_server_http_request_duration_seconds',
  rejections: 'tern_server_rejections_total',
  targetScore: 'tern_server_target_score',
  scoreMean: 'tern_server_target_score_mean',
  baseline: 'tern_server_drift_baseline_score',
  windowSize: 'tern_server_drift_window_size',
  alarmActive: 'tern_server_drift_alarm_active',
} as const;

/** The drift monitor of one pod, read at the end of the window (gauges, not increases). */
export interface PodDrift {
  pod: string;
  /** Mean target score of the pod's drift window; NaN when the window is empty. */
  scoreMean: number;
  /** Scores in the pod's drift window. */
  windowSize: number;
  alarmActive: boolean;
  /** The baseline the server compares with, when it exports one. */
  baseline?: number;
}

/** One measurement of one track, aggregated across its pods. */
export interface TrackWindow {
  track: Track;
  /** Pods that answered (pods provider) or had series (Prometheus). */
  pods: number;
  /** Inference requests answered in the window, by HTTP status code ("200", "503", ...). */
  requestsByCode: Record<string, number>;
  /** Inference request latency, cumulative buckets of the window, summed across pods. */
  latencyBuckets: HistogramBucket[];
  /** Inputs rejected in the window, by reason. */
  rejectionsByReason: Record<string, number>;
  /** Inputs scored in the window (the target-score histogram's count): the rejection ratio's denominator. */
  inputs: number;
  drift: PodDrift[];
}

/** An empty window of `track` (no pods, no traffic). */
export function emptyWindow(track: Track): TrackWindow {
  return { track, pods: 0, requestsByCode: {}, latencyBuckets: [], rejectionsByReason: {}, inputs: 0, drift: [] };
}
