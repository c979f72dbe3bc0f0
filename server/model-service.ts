// The served model: its lifecycle (loading -> ready | failed, with the reason), the batcher in front of
// the worker pool, and the bookkeeping every inference feeds (predictions, scores, drift, batch sizes).
import { Batcher, type BatchRunner, type BodyShape } from './batcher.js';
import type { ServerConfig } from './config.js';
import { DriftMonitor, type DriftStats } from './drift-monitor.js';
import { HttpError } from './http-error.js';
import { rateLimitedLog } from './log.js';
import type { ServerMetrics } from './metrics.js';
import { PredictResponseEncoder } from './predict-response.js';
import { classLabel, NON_FINITE_OUTPUT, type Prediction } from './prediction.js';
import type { ModelSpec } from './model-spec.js';
import type { InferRequest } from './oip.js';
import { elementCount, type Feeds, type Outputs } from './tensor.js';

/** Lifecycle state shown on /readyz; `retryAt` (epoch ms) while waiting to fetch the model again. */
export type ModelState =
  | { phase: 'loading'; reason: string; retryAt?: number }
  | { phase: 'ready' }
  | { phase: 'failed'; reason: string };

/** Why the model is not ready, as /readyz and 503s say it ("retrying: ..., next try in 4 s"). */
export function stateReason(state: ModelState, now = Date.now()): string {
  if (state.phase === 'ready') return 'ready';
  if (state.phase === 'failed' || state.retryAt === undefined) return state.reason;
  const seconds = Math.ceil((state.retryAt - now) / 1000);
  return `${state.reason}, ${seconds > 0 ? `next try in ${seconds} s` : 'trying again now'}`;
}

/** The model as the routes see it. */
export class ModelService {
  state: ModelState = { phase: 'loading', reason: 'model not loaded yet' };
  spec: ModelSpec | undefined;
  provider = 'cpu';
  sha256 = '';
  readonly drift: DriftMonitor;
  /** Encodes /v1/predict answers. */
  readonly predictEncoder: PredictResponseEncoder;
  #batcher: Batcher | undefined;
  #runner: BatchRunner | undefined;
  readonly #failureLog = rateLimitedLog('error', 'inference failed (the model or its worker; answered 500)', 1000);

  constructor(
    readonly config: ServerConfig,
    readonly metrics: ServerMetrics,
    onDriftAlarm: (stats: DriftStats) => void,
  ) {
    this.predictEncoder = new PredictResponseEncoder(config.modelName, config.modelVersion, config.rejectionThreshold);
    this.drift = new DriftMonitor(config.driftWindow, config.driftMinSamples, config.baselineScore, config.driftAlarmDrop, (s) => {
      metrics.driftAlarms.inc();
      onDriftAlarm(s);
    });
    if (config.baselineScore !== undefined) metrics.driftBaseline.set(config.baselineScore);
    metrics.modelReady.set(0);
    metrics.rejectionThreshold.set(config.rejectionThreshold);
    metrics.driftWindowSize.set(0);
    metrics.driftAlarmActive.set(0);
    metrics.driftAlarms.inc(0);
    metrics.availability.set(1);
    metrics.inferenceErrors.inc({ model: config.modelName }, 0);
    metrics.rejections.inc({ reason: 'not_a_target' }, 0);
    metrics.rejections.inc({ reason: 'invalid_input' }, 0);
    metrics.rejections.inc({ reason: NON_FINITE_OUTPUT }, 0);
    metrics.internalErrors.inc(0);
  }

  /** Connects the loaded model; the service is not ready until `markReady`. */
  attach(spec: ModelSpec, runner: BatchRunner, provider: string, sha256: string): void {
    this.spec = spec;
    this.provider = provider;
    this.sha256 = sha256;
    this.#runner = runner;
    this.#batcher = new Batcher(runner, {
      maxBatchSize: this.config.maxBatchSize,
      maxBatchDelayMs: this.config.maxBatchDelayMs,
      batchable: spec.batchable,
      onBatch: (rows) => this.metrics.batchSize.observe(rows),
    });
    this.metrics.modelInfo.set({ model: this.config.modelName, version: this.config.modelVersion, provider, sha256 }, 1);
    // Every class starts at 0 so that rate() and ratios work from the first scrape.
    const view = spec.classifier;
    if (view) this.metrics.predictionLabel = (index) => classLabel(view, index);
    for (const label of view?.labels ?? []) this.metrics.predictions.inc({ class: label }, 0);
  }

  /** Runs one zero-filled inference so the first real request does not pay for lazy initialisation. */
  async warmUp(): Promise<void> {
    if (!this.#batcher) throw new Error('warmUp before attach');
    await this.#batcher.submit(this.warmupFeeds());
  }

  /** Ready; `loadSeconds` (start to ready) becomes tern_server_model_load_seconds. */
  markReady(loadSeconds?: number): void {
    this.state = { phase: 'ready' };
    this.metrics.modelReady.set(1);
    if (loadSeconds !== undefined) this.metrics.modelLoadSeconds.set(loadSeconds);
  }

  markFailed(reason: string): void {
    this.state = { phase: 'failed', reason };
    this.metrics.modelReady.set(0);
  }

  /** 503 unless ready. */
  requireReady(): { spec: ModelSpec; batcher: Batcher } {
    if (this.state.phase !== 'ready' || !this.spec || !this.#batcher) {
      throw new HttpError(503, `model ${this.config.modelName} is not ready: ${this.state.phase === 'ready' ? 'shutting down' : stateReason(this.state)}`, 'not_ready');
    }
    return { spec: this.spec, batcher: this.#batcher };
  }

  /**
   * An ArrayBuffer of `bytes` (a multiple of 4) for a request's tensor: one the workers handed back when the
   * runner keeps them, else a new one. The request then gives it to `infer`, which takes ownership.
   */
  tensorBuffer(bytes: number): ArrayBuffer {
    return this.#runner?.allocate?.(bytes / 4).buffer as ArrayBuffer | undefined ?? new ArrayBuffer(bytes);
  }

  /** Runs feeds through the batcher (which takes ownership of their buffers); inference failures count and become 500s. */
  async infer(feeds: Feeds): Promise<Outputs> {
    const { batcher } = this.requireReady();
    try {
      return await batcher.submit(feeds);
    } catch (err) {
      throw this.#inferenceFailed(err);
    }
  }

  /** True when /v1/predict bodies can go to the runner unparsed (`inferBody`): the worker pool parses them. */
  get parsesBodies(): boolean {
    return this.#batcher?.takesBodies ?? false;
  }

  /**
   * Runs an unparsed /v1/predict body through the batcher; the runner parses it off the event loop. Resolves
   * with its rows and outputs; throws the body's HttpError (as parsing on this thread would), or a 500 when
   * the inference failed.
   */
  async inferBody(body: Uint8Array, estimatedRows: number, shape: BodyShape): Promise<{ rows: number; outputs: Outputs }> {
    const { batcher } = this.requireReady();
    let outcome;
    try {
      outcome = await batcher.submitBody(body, estimatedRows, shape);
    } catch (err) {
      throw this.#inferenceFailed(err);
    }
    if ('status' in outcome) throw new HttpError(outcome.status, outcome.message, outcome.reason);
    return outcome;
  }

  /** True when OIP JSON bodies can be parsed by the runner (`parseInferJson`): the worker pool parses them. */
  get parsesInferJson(): boolean {
    return this.#runner?.parseInferJson !== undefined;
  }

  /**
   * Parses an OIP JSON infer request body in the runner, off the event loop (the same code and errors as
   * parseInferJson on this thread): resolves with the request, throws its HttpError, or a 500 when the worker
   * failed. With `ownsMemory` (nothing else uses the body's ArrayBuffer) it is transferred, not copied.
   */
  async parseInferJson(body: Buffer, ownsMemory = false): Promise<InferRequest> {
    const { spec } = this.requireReady();
    const runner = this.#runner;
    if (!runner?.parseInferJson) throw new Error('this runner does not parse OIP bodies');
    // The body's memory goes to the worker as it is when the caller says the body owns all of it (readBody's
    // own buffer for a declared Content-Length); otherwise it may be shared (node's chunks), and a copy goes.
    const whole = ownsMemory && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
    const bytes = whole ? (body.buffer as ArrayBuffer) : (body.buffer.slice(body.byteOffset, body.byteOffset + body.length) as ArrayBuffer);
    try {
      return await runner.parseInferJson(bytes, spec, this.config.maxRowsPerRequest);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw this.#inferenceFailed(err);
    }
  }

  /** Counts and logs (at most once a second) a failed inference; the 500 to answer. */
  #inferenceFailed(err: unknown): HttpError {
    this.metrics.inferenceErrors.inc({ model: this.config.modelName });
    const message = (err as Error).message;
    this.#failureLog(message);
    return new HttpError(500, `inference failed: ${message}`, 'inference_error');
  }

  /**
   * Records what a classifier said (all routes call this for classifier models) and marks the predictions
   * below `threshold` rejected, in place; returns the same array.
   */
  observe(predictions: Prediction[], threshold: number): Prediction[] {
    const m = this.metrics;
    let rejected = 0;
    let nonFinite = 0;
    for (let i = 0; i < predictions.length; i++) {
      const p = predictions[i] as Prediction;
      const score = p.target_score;
      if (score === null) {
        nonFinite++;
        continue;
      }
      m.targetScore.observe(score);
      this.drift.add(score);
      if (score < threshold) {
        rejected++;
        p.rejected = true;
        p.reason = 'not_a_target';
        continue;
      }
      // Counted by class index; added to the labelled counter when it is read (see ClassTally).
      m.pendingPredictions.add(p.class_index as number);
      m.confidence.observe(p.confidence as number);
    }
    if (rejected > 0) m.rejections.inc({ reason: 'not_a_target' }, rejected);
    if (nonFinite > 0) m.rejections.inc({ reason: NON_FINITE_OUTPUT }, nonFinite);
    const stats = this.drift.stats();
    m.targetScoreMean.set(stats.mean ?? 0);
    m.driftWindowSize.set(stats.window_size);
    m.driftAlarmActive.set(stats.active ? 1 : 0);
    return predictions;
  }

  /** Zero-filled feeds of batch 1 for the warm-up inference. */
  warmupFeeds(): Feeds {
    const feeds: Feeds = {};
    for (const input of this.spec?.inputs ?? []) {
      const dims = input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
      feeds[input.name] = { dims, data: new Float32Array(elementCount(dims)) };
    }
    return feeds;
  }
}
