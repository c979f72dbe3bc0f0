// The server's Prometheus metrics (names in docs/conventions.md), in a private prom-client Registry. The two
// per-prediction histograms are BinnedHistograms, and predictions by class are tallied by index until the
// counter is read (same exposition, cheaper per prediction).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BinnedHistogram } from './binned-histogram.js';
import { ClassTally } from './class-tally.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];
const RATIO_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/** Every tern_server_* metric. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'tern_server_http_requests_total', help: 'HTTP requests by route pattern, method and status code',
    labelNames: ['route', 'method', 'code'] as const, registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'tern_server_http_request_duration_seconds', help: 'HTTP request latency by route pattern, method and status code',
    labelNames: ['route', 'method', 'code'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  /**
   * Where the hot path counts predictions (by class index); they reach `predictions` whenever it is read.
   * `predictionLabel` names a class index (the model service sets it when a model is attached).
   */
  readonly pendingPredictions = new ClassTally();
  predictionLabel: (index: number) => string = (index) => `class_${index}`;
  readonly predictions = new Counter({
    name: 'tern_server_predictions_total', help: 'Predictions by predicted class label',
    labelNames: ['class'] as const, registers: [this.registry],
    collect: () => this.flushPredictions(),
  });
  readonly rejections = new Counter({
    name: 'tern_server_rejections_total', help: 'Rejected inputs by reason (not_a_target, invalid_input)',
    labelNames: ['reason'] as const, registers: [this.registry],
  });
  readonly confidence = new BinnedHistogram({
    name: 'tern_server_prediction_confidence', help: 'Probability of the predicted class',
    buckets: RATIO_BUCKETS, registers: [this.registry],
  });
  readonly targetScore = new BinnedHistogram({
    name: 'tern_server_target_score', help: 'The "is this a target" score of every input',
    buckets: RATIO_BUCKETS, registers: [this.registry],
  });
  readonly targetScoreMean = new Gauge({
    name: 'tern_server_target_score_mean', help: 'Mean target score over the drift window', registers: [this.registry],
  });
  readonly driftBaseline = new Gauge({
    name: 'tern_server_drift_baseline_score', help: 'Drift baseline (the metrics snapshot score mean)', registers: [this.registry],
  });
  readonly driftWindowSize = new Gauge({
    name: 'tern_server_drift_window_size', help: 'Scores currently in the drift window', registers: [this.registry],
  });
  readonly driftAlarmActive = new Gauge({
    name: 'tern_server_drift_alarm_active', help: '1 while the drift alarm is active', registers: [this.registry],
  });
  readonly driftAlarms = new Counter({
    name: 'tern_server_drift_alarms_total', help: 'Drift alarms fired', registers: [this.registry],
  });
  readonly availability = new Gauge({
    name: 'tern_server_availability_ratio', help: 'Share of inference requests without a 5xx over the last 5 minutes',
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'tern_server_batch_size', help: 'Inputs per session.run', buckets: BATCH_BUCKETS, registers: [this.registry],
  });
  readonly inferenceErrors = new Counter({
    name: 'tern_server_inference_errors_total', help: 'Failed session.run calls (the model failed; answered 500)',
    labelNames: ['model'] as const, registers: [this.registry],
  });
  readonly internalErrors = new Counter({
    name: 'tern_server_internal_errors_total', help: 'Requests answered 500 because tern-server itself failed (neither the input nor the model)',
    registers: [this.registry],
  });
  readonly modelReady = new Gauge({
    name: 'tern_server_model_ready', help: '1 when the model is loaded and warmed up', registers: [this.registry],
  });
  readonly modelLoadSeconds = new Gauge({
    name: 'tern_server_model_load_seconds', help: 'Seconds the model took from start to ready: download, checks, onnxruntime load, warm-up (0 until ready)',
    registers: [this.registry],
  });
  readonly rejectionThreshold = new Gauge({
    name: 'tern_server_rejection_threshold', help: 'The rejection threshold in force: inputs with a target score below it are rejected as not_a_target',
    registers: [this.registry],
  });
  readonly modelInfo = new Gauge({
    name: 'tern_server_model_info', help: 'The served model (always 1)',
    labelNames: ['model', 'version', 'provider', 'sha256'] as const, registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tern_server_' });
  }

  /**
   * tern_server_gpu_devices: the GPUs the device plugin gave this pod (NVIDIA_VISIBLE_DEVICES). Registered only
   * when that count is known, so that a pod without a device plugin (or with "all") shows no made-up 0.
   */
  reportGpuDevices(count: number): void {
    const name = 'tern_server_gpu_devices';
    const gauge = (this.registry.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help: 'GPUs the device plugin gave this pod (NVIDIA_VISIBLE_DEVICES)', registers: [this.registry] });
    gauge.set(count);
  }

  /** Adds the pending prediction counts to `predictions` (its collect hook calls this before every read). */
  flushPredictions(): void {
    this.pendingPredictions.drain(this.predictionLabel, (label, n) => this.predictions.inc({ class: label }, n));
  }
}
