// tern-server entry point: parse flags, listen at once (live, not ready), then fetch, verify, load and warm
// up the model in the background; ready only after that. SIGTERM/SIGINT: stop accepting, drain, exit.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { AvailabilityWindow } from './availability.js';
import { ConfigError, parseConfig, usage, type ServerConfig } from './config.js';
import { createApp } from './app.js';
import { log } from './log.js';
import { ServerMetrics } from './metrics.js';
import { missingNodeFlags } from './node-options.js';
import { fetchModel, ModelSourceError } from './model-source.js';
import { ModelService } from './model-service.js';
import { buildModelSpec } from './model-spec.js';
import { readOnnxMetadata } from './onnx-metadata.js';
import { WorkerPool } from './worker-pool.js';

/** Reported by GET /v2. */
const SERVER_VERSION = '0.1.0';

async function loadModel(service: ModelService, config: ServerConfig): Promise<WorkerPool | undefined> {
  const started = Date.now();
  try {
    service.state = { phase: 'loading', reason: `fetching ${config.modelUrl}` };
    const { path, sha256 } = await fetchModel({
      url: config.modelUrl, sha256: config.sha256, cacheDir: config.cacheDir, maxBytes: config.maxModelBytes,
      log: (msg, fields) => log('warn', msg, fields),
    });
    if (config.sha256 === undefined) log('warn', 'no --sha256 given: the model is loaded unverified', { sha256 });
    service.state = { phase: 'loading', reason: 'loading the model into onnxruntime' };
    const metadata = readOnnxMetadata(await readFile(path));
    const pool = new WorkerPool(config.workers, { modelPath: path, provider: config.executionProvider, intraOpThreads: config.intraOpThreads, nice: config.workerNice }, 2,
      (why) => log('error', 'inference worker lost; replacing it', { error: why }));
    let loaded;
    try {
      loaded = await pool.load();
    } catch (err) {
      await pool.close();
      throw new Error(`onnxruntime could not load ${config.modelUrl}: ${(err as Error).message}`);
    }
    if (loaded.warning) log('warn', loaded.warning, { requested: config.executionProvider, provider: loaded.provider });
    const spec = buildModelSpec(loaded.inputs, loaded.outputs, metadata);
    service.attach(spec, pool, loaded.provider, sha256);
    service.state = { phase: 'loading', reason: 'warming up' };
    await service.warmUp();
    service.markReady();
    log('info', 'model ready', {
      model: config.modelName, version: config.modelVersion, provider: loaded.provider, sha256, workers: config.workers,
      batchable: spec.batchable, classifier: spec.classifier !== undefined, load_ms: Date.now() - started,
    });
    return pool;
  } catch (err) {
    const reason = err instanceof ModelSourceError ? `${err.reason}: ${err.message}` : `LoadFailed: ${(err as Error).message}`;
    service.markFailed(reason);
    log('error', 'model not loaded; staying not ready', { model: config.modelName, version: config.modelVersion, reason });
    return undefined;
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
  let draining = false;
  const app = createApp(service, { serverVersion: SERVER_VERSION, isDraining: () => draining, availability: new AvailabilityWindow() });
  const server = app.listen(config.port, config.host);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  log('info', 'listening (live, not ready until the model is loaded)', { host: address.address, port: address.port, model_url: config.modelUrl });
  const missing = missingNodeFlags(process.execArgv);
  if (missing.length > 0) {
    log('warn', 'node runs without some of tern-server\'s V8 flags: under load it spends more CPU on garbage collection; run bin/tern-server.js itself (its first line passes them) or give node these flags', { missing });
  }

  const poolPromise = loadModel(service, config);

  const shutdown = (signal: string): void => {
    if (draining) return;
    draining = true;
    log('info', 'draining: no new connections, finishing in-flight requests', { signal });
    const force = setTimeout(() => {
      log('warn', 'drain timed out; closing remaining connections', { timeout_ms: config.shutdownTimeoutMs });
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    force.unref();
    // Keep-alive connections become idle as their last response finishes: close them as they do.
    const reaper = setInterval(() => server.closeIdleConnections(), 50);
    reaper.unref();
    server.close(() => {
      clearInterval(reaper);
      void poolPromise.then(async (pool) => {
        await pool?.close();
        log('info', 'stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  log('error', 'tern-server failed to start', { error: (err as Error).stack ?? String(err) });
  process.exit(1);
});
