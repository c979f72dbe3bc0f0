// tern-server entry point: parse flags, listen at once (live, not ready), then fetch (retrying until it
// works), verify, check, load and warm up the model in the background; ready only after that.
// SIGTERM/SIGINT at any moment: stop loading, stop accepting, finish every in-flight response (drain.ts),
// exit 0, all within --shutdown-timeout-ms.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AvailabilityWindow } from './availability.js';
import { ConfigError, parseConfig, usage, type ServerConfig } from './config.js';
import { createApp } from './app.js';
import { Drain } from './drain.js';
import { log } from './log.js';
import { ServerMetrics } from './metrics.js';
import { missingNodeFlags } from './node-options.js';
import { fetchModel, ModelSourceError } from './model-source.js';
import { parseVisibleDevices, VISIBLE_DEVICES_ENV, type GpuDevices } from './gpu-devices.js';
import { ModelService } from './model-service.js';
import { notOnnxReason } from './model-format.js';
import { buildModelSpec } from './model-spec.js';
import { readOnnxMetadataFile } from './onnx-metadata.js';
import { redactIn, redactUrl } from './redact.js';
import { WorkerPool } from './worker-pool.js';

/** Reported by GET /v2. */
const SERVER_VERSION = '0.1.0';

/** What loading has created so far, for shutdown to stop. */
interface Loading {
  controller: AbortController;
  pool: WorkerPool | undefined;
}

/**
 * Fetches (retrying until it works), verifies, checks, loads and warms up the model; ready after that, failed
 * with the reason otherwise. Stops quietly when `loading.controller` aborts (SIGTERM).
 */
async function loadModel(service: ModelService, config: ServerConfig, loading: Loading): Promise<void> {
  const started = Date.now();
  const shown = redactUrl(config.modelUrl);
  const { signal } = loading.controller;
  try {
    service.state = { phase: 'loading', reason: `fetching ${shown}` };
    const { path, sha256 } = await fetchModel({
      url: config.modelUrl, sha256: config.sha256, cacheDir: config.cacheDir, maxBytes: config.maxModelBytes, signal,
      connectTimeoutMs: config.fetchTimeoutMs, idleTimeoutMs: config.fetchIdleTimeoutMs, maxRetryDelayMs: config.fetchRetryMaxMs,
      onRetry: ({ attempt, error, delayMs }) => {
        service.state = { phase: 'loading', reason: `retrying: ${error} (try ${attempt} failed)`, retryAt: Date.now() + delayMs };
        log('warn', 'model download failed; retrying', { url: shown, attempt, error, retry_in_ms: delayMs });
      },
    });
    if (config.sha256 === undefined) log('warn', 'no --sha256 given: the model is loaded unverified', { sha256 });
    const notOnnx = await notOnnxReason(path);
    if (notOnnx !== undefined) {
      throw new ModelSourceError('NotOnnx', `${shown} is ${notOnnx}; tern-server can load ONNX models only (export the model to ONNX first, e.g. with torch.onnx.export)`);
    }
    service.state = { phase: 'loading', reason: 'loading the model into onnxruntime' };
    const metadata = await readOnnxMetadataFile(path);
    if (signal.aborted) return;
    const pool = new WorkerPool(config.workers, { modelPath: path, provider: config.executionProvider, intraOpThreads: config.intraOpThreads, nice: config.workerNice }, 2,
      (why) => log('error', 'inference worker lost; replacing it', { error: why }));
    loading.pool = pool;
    let loaded;
    try {
      loaded = await pool.load();
    } catch (err) {
      await pool.close();
      loading.pool = undefined;
      throw new Error(`onnxruntime could not load ${shown}: ${redactIn((err as Error).message, config.modelUrl)}`);
    }
    if (signal.aborted) return;
    if (loaded.warning) log('warn', loaded.warning, { requested: config.executionProvider, provider: loaded.provider });
    const spec = buildModelSpec(loaded.inputs, loaded.outputs, metadata);
    service.attach(spec, pool, loaded.provider, sha256);
    service.state = { phase: 'loading', reason: 'warming up' };
    await service.warmUp();
    if (signal.aborted) return;
    service.markReady((Date.now() - started) / 1000);
    log('info', 'model ready', {
      model: config.modelName, version: config.modelVersion, provider: loaded.provider, sha256, workers: config.workers,
      batchable: spec.batchable, classifier: spec.classifier !== undefined, load_ms: Date.now() - started,
    });
  } catch (err) {
    if (signal.aborted) return;
    const reason = err instanceof ModelSourceError ? `${err.reason}: ${err.message}` : `LoadFailed: ${redactIn((err as Error).message, config.modelUrl)}`;
    service.markFailed(reason);
    log('error', 'model not loaded; staying not ready', { model: config.modelName, version: config.modelVersion, reason });
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage());
    return;
  }
  let config: ServerConfig;
  try {
    config = parseConfig(argv, process.env, (p) => readFileSync(p, 'utf8'));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tern-server: ${err.message}\n\n${usage()}`);
      process.exit(2);
    }
    throw err;
  }
  const metrics = new ServerMetrics();
  const service = new ModelService(config, metrics, (s) =>
    log('warn', 'drift alarm: target score mean fell below the baseline', { mean: s.mean, baseline: s.baseline, alarm_drop: s.alarm_drop, window_size: s.window_size }));
  let gpus: GpuDevices | undefined;
  try {
    gpus = parseVisibleDevices(process.env[VISIBLE_DEVICES_ENV]);
    if (gpus) log('info', 'GPU devices given to this pod', { visible_devices: gpus.visibleDevices, count: gpus.count ?? 'all' });
  } catch (err) {
    log('warn', `${VISIBLE_DEVICES_ENV} not understood; not reporting GPUs`, { error: (err as Error).message });
  }
  let draining = false;
  const app = createApp(service, { serverVersion: SERVER_VERSION, isDraining: () => draining, availability: new AvailabilityWindow(), gpus });
  const server = createServer(app);
  const drain = new Drain(server);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  log('info', 'listening (live, not ready until the model is loaded)', { host: address.address, port: address.port, model_url: redactUrl(config.modelUrl) });
  const missing = missingNodeFlags(process.execArgv);
  if (missing.length > 0) {
    log('warn', 'node runs without some of tern-server\'s V8 flags: under load it spends more CPU on garbage collection; run bin/tern-server.js itself (its first line passes them) or give node these flags', { missing });
  }

  const loading: Loading = { controller: new AbortController(), pool: undefined };
  void loadModel(service, config, loading);

  const shutdown = (signal: string): void => {
    if (draining) return;
    draining = true;
    const deadline = Date.now() + config.shutdownTimeoutMs;
    // Stops a model download, a wait between tries or the loading at whatever point it is.
    loading.controller.abort();
    log('info', 'draining: no new connections, finishing in-flight requests', { signal });
    const force = setTimeout(() => {
      log('warn', 'drain timed out; closing remaining connections', { timeout_ms: config.shutdownTimeoutMs });
      drain.destroyAll();
      process.exit(0);
    }, config.shutdownTimeoutMs);
    void drain.drain().then(async () => {
      const pool = loading.pool;
      // Workers stop at once unless stuck in native code; the deadline bounds that too.
      if (pool) await Promise.race([pool.close(), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
      clearTimeout(force);
      log('info', 'stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  log('error', 'tern-server failed to start', { error: (err as Error).stack ?? String(err) });
  process.exit(1);
});
