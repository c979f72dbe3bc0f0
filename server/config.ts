// tern-server configuration: command-line flags with `TERN_*` environment twins (flags win), parsed
// into one typed object. Pure: `parseConfig(argv, env, readFile)` has no other inputs. See docs/conventions.md.
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { redactUrl } from './redact.js';

/** Execution providers the server can ask onnxruntime for. */
export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';

/** Everything the server needs to know at start. */
export interface ServerConfig {
  modelUrl: string;
  sha256: string | undefined;
  modelName: string;
  modelVersion: string;
  baselineScore: number | undefined;
  host: string;
  port: number;
  executionProvider: ExecutionProvider;
  maxBatchSize: number;
  maxBatchDelayMs: number;
  workers: number;
  intraOpThreads: number;
  workerNice: number;
  cacheDir: string;
  rejectionThreshold: number;
  driftWindow: number;
  driftMinSamples: number;
  driftAlarmDrop: number;
  maxBodyBytes: number;
  maxModelBytes: number;
  maxRowsPerRequest: number;
  maxReplyBytes: number;
  fetchTimeoutMs: number;
  fetchIdleTimeoutMs: number;
  fetchRetryMaxMs: number;
  fault5xxRatio: number;
  /** TEST ONLY: extra delay before every inference answer (0 = off). */
  faultDelayMs: number;
  /** TEST ONLY: exit with code 1 on the Nth inference request (0 = off). */
  faultExitAfter: number;
  /** TEST ONLY: the fault flags apply only when --model-version is this one (empty: always). */
  faultVersion: string;
  logInputs: boolean;
  shutdownTimeoutMs: number;
}

/** A configuration problem; the message names the flag and what to do. */
export class ConfigError extends Error {}

interface FlagSpec {
  key: keyof ServerConfig;
  kind: 'string' | 'number' | 'int' | 'bool' | 'provider';
  help: string;
}

/** Every flag: name (without `--`) -> spec. The environment twin is TERN_ + upper snake case. */
export const FLAGS: Record<string, FlagSpec> = {
  'model-url': { key: 'modelUrl', kind: 'string', help: 'where the ONNX model is (https://, http://, file://)' },
  sha256: { key: 'sha256', kind: 'string', help: 'expected sha256 of the model file (hex); verified before loading' },
  'model-name': { key: 'modelName', kind: 'string', help: 'model name served under /v2/models/{name} (default: species)' },
  'model-version': { key: 'modelVersion', kind: 'string', help: 'model version reported in responses and metrics' },
  'baseline-score': { key: 'baselineScore', kind: 'number', help: 'drift baseline: the held-out target score mean' },
  host: { key: 'host', kind: 'string', help: 'listen address (default 0.0.0.0)' },
  port: { key: 'port', kind: 'int', help: 'listen port (default 8080)' },
  'execution-provider': { key: 'executionProvider', kind: 'provider', help: 'cpu | cuda | webgpu (falls back to cpu)' },
  'max-batch-size': { key: 'maxBatchSize', kind: 'int', help: 'most inputs in one session.run (default 64)' },
  'max-batch-delay-ms': { key: 'maxBatchDelayMs', kind: 'number', help: 'longest wait to fill a batch (default 1)' },
  workers: { key: 'workers', kind: 'int', help: 'inference worker threads, one session each (default: cores - 1, min 1; 2 on 2 cores)' },
  'intra-op-threads': { key: 'intraOpThreads', kind: 'int', help: 'onnxruntime threads per worker (default: cores / workers)' },
  'worker-nice': { key: 'workerNice', kind: 'int', help: 'nice value of inference threads, below the HTTP thread (default 5; 0 = off)' },
  'cache-dir': { key: 'cacheDir', kind: 'string', help: 'where downloaded models are cached' },
  'rejection-threshold': { key: 'rejectionThreshold', kind: 'number', help: 'inputs with target score below it are rejected (0 accepts all; default 0.5)' },
  'drift-window': { key: 'driftWindow', kind: 'int', help: 'drift window size (default 1000)' },
  'drift-min-samples': { key: 'driftMinSamples', kind: 'int', help: 'scores needed before the alarm can fire (default 50)' },
  'drift-alarm-drop': { key: 'driftAlarmDrop', kind: 'number', help: 'alarm when baseline - window mean >= this (default 0.10)' },
  'max-body-bytes': { key: 'maxBodyBytes', kind: 'int', help: 'largest request body; larger gets 413 (default 64 MiB)' },
  'max-rows-per-request': { key: 'maxRowsPerRequest', kind: 'int', help: 'most rows (batch entries) in one inference request; more gets 413 (default 4096)' },
  'max-reply-bytes': { key: 'maxReplyBytes', kind: 'int', help: 'largest inference reply; a larger one is answered 413 instead (default 64 MiB)' },
  'max-model-bytes': { key: 'maxModelBytes', kind: 'int', help: 'largest model download (default 2 GiB)' },
  'fetch-timeout-ms': { key: 'fetchTimeoutMs', kind: 'int', help: 'model download: longest wait for the response headers (default 10000)' },
  'fetch-idle-timeout-ms': { key: 'fetchIdleTimeoutMs', kind: 'int', help: 'model download: longest wait between body bytes (default 30000)' },
  'fetch-retry-max-ms': { key: 'fetchRetryMaxMs', kind: 'int', help: 'model download: longest wait between tries; retried until it works (default 30000)' },
  'fault-5xx-ratio': { key: 'fault5xxRatio', kind: 'number', help: 'TEST ONLY: share of inference requests answered 503 (default 0)' },
  'fault-delay-ms': { key: 'faultDelayMs', kind: 'int', help: 'TEST ONLY: extra delay before every inference answer, in ms (default 0)' },
  'fault-exit-after': { key: 'faultExitAfter', kind: 'int', help: 'TEST ONLY: exit with code 1 on the Nth inference request, a crash (default 0 = off)' },
  'fault-version': { key: 'faultVersion', kind: 'string', help: 'TEST ONLY: the fault flags apply only when --model-version is this (default: any)' },
  'log-inputs': { key: 'logInputs', kind: 'bool', help: 'log request inputs (default false)' },
  'shutdown-timeout-ms': { key: 'shutdownTimeoutMs', kind: 'int', help: 'longest SIGTERM drain (default 25000)' },
};

/** Flags that take a file and set other values: metrics snapshot (baseline) and rejection config (threshold). */
const FILE_FLAGS = ['metrics-snapshot', 'rejection-config'] as const;

const envName = (flag: string): string => `TERN_${flag.toUpperCase().replace(/-/g, '_')}`;

function defaults(cores: number): ServerConfig {
  // cores - 1 single-threaded sessions leave a core to the HTTP thread; on 2 cores, two single-threaded
  // sessions (niced below the HTTP thread) beat one two-threaded session, whose threads stall on each other
  // whenever the HTTP thread takes a core (make bench-server; figures in docs/benchmarks.md).
  const workers = cores === 2 ? 2 : Math.max(1, Math.min(4, cores - 1));
  return {
    modelUrl: '', sha256: undefined, modelName: 'species', modelVersion: '0.0.0', baselineScore: undefined,
    host: '0.0.0.0', port: 8080, executionProvider: 'cpu', maxBatchSize: 64, maxBatchDelayMs: 1, workers,
    intraOpThreads: Math.max(1, Math.floor(cores / workers)), workerNice: 5, cacheDir: join(tmpdir(), 'tern-model-cache'),
    rejectionThreshold: 0.5, driftWindow: 1000, driftMinSamples: 50, driftAlarmDrop: 0.1,
    maxBodyBytes: 64 * 1024 * 1024, maxModelBytes: 2 * 1024 * 1024 * 1024, maxRowsPerRequest: 4096, maxReplyBytes: 64 * 1024 * 1024,
    fetchTimeoutMs: 10_000, fetchIdleTimeoutMs: 30_000, fetchRetryMaxMs: 30_000, fault5xxRatio: 0, faultDelayMs: 0, faultExitAfter: 0, faultVersion: '', logInputs: false,
    shutdownTimeoutMs: 25000,
  };
}

function convert(flag: string, spec: FlagSpec, raw: string): unknown {
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'bool':
      if (['', 'true', '1', 'yes'].includes(raw)) return true;
      if (['false', '0', 'no'].includes(raw)) return false;
      throw new ConfigError(`--${flag}: expected true or false, got "${raw}"`);
    case 'provider':
      if (raw === 'cpu' || raw === 'cuda' || raw === 'webgpu') return raw;
      throw new ConfigError(`--${flag}: expected cpu, cuda or webgpu, got "${raw}"`);
    default: {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n))) {
        throw new ConfigError(`--${flag}: expected ${spec.kind === 'int' ? 'an integer' : 'a number'}, got "${raw}"`);
      }
      return n;
    }
  }
}

/** Reads the drift baseline from a metrics-snapshot file: a registry entry or a bare snapshot (JSON or YAML). */
export function baselineFromSnapshot(text: string, path: string): number {
  const doc = parseYaml(text) as Record<string, unknown> | null;
  const snap = (doc?.['metrics_snapshot'] ?? doc?.['metrics'] ?? doc) as Record<string, unknown> | null;
  const score = snap?.['score_mean'] ?? snap?.['scoreMean'];
  if (typeof score !== 'number') throw new ConfigError(`--metrics-snapshot ${path}: no numeric score_mean found`);
  return score;
}

/** Reads the rejection threshold from a config file like anti_fraud_threshold.yaml (`threshold: 0.5`). */
export function thresholdFromFile(text: string, path: string): number {
  const doc = parseYaml(text) as Record<string, unknown> | null;
  const t = doc?.['threshold'] ?? doc?.['rejection_threshold'];
  if (typeof t !== 'number') throw new ConfigError(`--rejection-config ${path}: no numeric "threshold" found`);
  return t;
}

/** Parses argv (without node and script) and the environment; throws ConfigError with a helpful message. */
export function parseConfig(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  readFile: (path: string) => string,
  cores: number = availableParallelism(),
): ServerConfig {
  const raw = new Map<string, string>();
  for (const flag of [...Object.keys(FLAGS), ...FILE_FLAGS]) {
    const v = env[envName(flag)];
    if (v !== undefined && v !== '') raw.set(flag, v);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}"; flags look like --model-url URL`);
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!(flag in FLAGS) && !(FILE_FLAGS as readonly string[]).includes(flag)) {
      throw new ConfigError(`unknown flag --${flag}; known: ${[...Object.keys(FLAGS), ...FILE_FLAGS].join(', ')}`);
    }
    if (eq > 0) raw.set(flag, arg.slice(eq + 1));
    else if (FLAGS[flag]?.kind === 'bool' && (argv[i + 1] === undefined || argv[i + 1]?.startsWith('--'))) raw.set(flag, 'true');
    else {
      const next = argv[++i];
      if (next === undefined) throw new ConfigError(`--${flag} needs a value`);
      raw.set(flag, next);
    }
  }
  const config = defaults(cores);
  const workersGiven = raw.has('workers');
  for (const [flag, value] of raw) {
    const spec = FLAGS[flag];
    if (spec) (config as unknown as Record<string, unknown>)[spec.key] = convert(flag, spec, value);
  }
  const snapshot = raw.get('metrics-snapshot');
  if (snapshot !== undefined && !raw.has('baseline-score')) config.baselineScore = baselineFromSnapshot(readFile(snapshot), snapshot);
  const rejection = raw.get('rejection-config');
  if (rejection !== undefined && !raw.has('rejection-threshold')) config.rejectionThreshold = thresholdFromFile(readFile(rejection), rejection);
  if (workersGiven && !raw.has('intra-op-threads')) config.intraOpThreads = Math.max(1, Math.floor(cores / config.workers));

  if (!config.modelUrl) throw new ConfigError('--model-url (or TERN_MODEL_URL) is required: https://, http:// or file:// URL of an ONNX model');
  if (!/^(https?|file):\/\//.test(config.modelUrl)) throw new ConfigError(`--model-url ${redactUrl(config.modelUrl)}: only https://, http:// and file:// are supported`);
  if (config.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(config.sha256)) throw new ConfigError('--sha256: expected 64 hex digits');
  if (config.port < 0 || config.port > 65535) throw new ConfigError(`--port ${config.port}: expected 0..65535`);
  if (config.maxBatchSize < 1) throw new ConfigError('--max-batch-size: must be at least 1');
  if (config.maxBatchDelayMs < 0) throw new ConfigError('--max-batch-delay-ms: must not be negative');
  if (config.workerNice < 0 || config.workerNice > 19) throw new ConfigError('--worker-nice: expected 0..19');
  if (config.fetchTimeoutMs < 1 || config.fetchIdleTimeoutMs < 1 || config.fetchRetryMaxMs < 1) throw new ConfigError('--fetch-timeout-ms, --fetch-idle-timeout-ms and --fetch-retry-max-ms must be at least 1');
  if (config.maxRowsPerRequest < 1 || config.maxReplyBytes < 1) throw new ConfigError('--max-rows-per-request and --max-reply-bytes must be at least 1');
  if (config.workers < 1) throw new ConfigError('--workers: must be at least 1');
  if (config.rejectionThreshold < 0 || config.rejectionThreshold > 1) throw new ConfigError('--rejection-threshold: expected 0..1');
  if (config.fault5xxRatio < 0 || config.fault5xxRatio > 1) throw new ConfigError('--fault-5xx-ratio: expected 0..1');
  if (config.faultDelayMs < 0 || config.faultDelayMs > 600_000) throw new ConfigError('--fault-delay-ms: expected 0..600000');
  if (config.faultExitAfter < 0) throw new ConfigError('--fault-exit-after: must not be negative');
  if (config.driftWindow < 1 || config.driftMinSamples < 1) throw new ConfigError('--drift-window and --drift-min-samples must be at least 1');
  return config;
}

/** The `--help` text, generated from FLAGS. */
export function usage(): string {
  const lines = Object.entries(FLAGS).map(([flag, s]) => `  --${flag.padEnd(22)} ${envName(flag).padEnd(28)} ${s.help}`);
  lines.push(`  --${'metrics-snapshot'.padEnd(22)} ${envName('metrics-snapshot').padEnd(28)} file with score_mean (registry entry or snapshot) for the baseline`);
  lines.push(`  --${'rejection-config'.padEnd(22)} ${envName('rejection-config').padEnd(28)} YAML file with "threshold: X" (like anti_fraud_threshold.yaml)`);
  return `usage: tern-server --model-url URL [flags]\n\nflags (environment twin in the second column):\n${lines.join('\n')}\n`;
}
