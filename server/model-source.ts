// Model source: fetches the model file once into the cache (http/https: streamed to disk and hashed, with
// timeouts, retried with backoff for as long as the caller lets it; or file://), verifies its sha256 before
// anything loads it, and returns the local path. Every URL in its errors is redacted.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadTo } from './model-download.js';
import { ModelSourceError } from './model-source-error.js';
import { redactUrl } from './redact.js';

export { ModelSourceError } from './model-source-error.js';

/** A failed try that will be retried: which one, why, and the wait before the next. */
export interface RetryInfo {
  attempt: number;
  error: string;
  delayMs: number;
}

/** Options for fetchModel. */
export interface FetchOptions {
  url: string;
  sha256: string | undefined;
  cacheDir: string;
  maxBytes: number;
  /** Most tries (default: no limit; the server retries for as long as it runs). */
  attempts?: number;
  /** First wait between tries (default 500 ms); it doubles up to maxRetryDelayMs (default 30 s), ±20% jitter. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Longest wait for the response headers (default 10 s) and between body chunks (default 30 s). */
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Stops the fetch at any moment (rejects with reason Aborted). */
  signal?: AbortSignal;
  onRetry?: (retry: RetryInfo) => void;
}

/** sha256 of a file, hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Waits `ms`, or rejects with Aborted as soon as `signal` fires. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (): void => {
      clearTimeout(timer);
      reject(new ModelSourceError('Aborted', 'stopped: tern-server is shutting down'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}

/** Downloads into `path` (through a temporary file), retrying retryable failures; the sha256 of what it saved. */
async function downloadWithRetries(o: FetchOptions, path: string): Promise<string> {
  const attempts = o.attempts ?? Infinity;
  const maxDelay = o.maxRetryDelayMs ?? 30_000;
  let delay = o.retryDelayMs ?? 500;
  const limits = { maxBytes: o.maxBytes, connectTimeoutMs: o.connectTimeoutMs ?? 10_000, idleTimeoutMs: o.idleTimeoutMs ?? 30_000, signal: o.signal };
  for (let attempt = 1; ; attempt++) {
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const { sha256 } = await downloadTo(o.url, tmp, limits);
      await rename(tmp, path);
      return sha256;
    } catch (err) {
      const e = err instanceof ModelSourceError ? err : new ModelSourceError('DownloadFailed', `GET ${redactUrl(o.url)} failed: ${(err as Error).message}`, true);
      if (!e.retryable || attempt >= attempts) {
        if (e.retryable) throw new ModelSourceError(e.reason, `${e.message} (gave up after ${attempt} tries)`);
        throw e;
      }
      const delayMs = Math.round(Math.min(delay, maxDelay) * (0.8 + 0.4 * Math.random()));
      o.onRetry?.({ attempt, error: e.message, delayMs });
      await sleep(delayMs, o.signal);
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}

/**
 * Returns a local path of the verified model. Remote files are cached under cacheDir by URL and sha256; a cached
 * file is re-verified before reuse. A download is hashed while it streams to disk, so it is read only once.
 */
export async function fetchModel(o: FetchOptions): Promise<{ path: string; sha256: string }> {
  const expected = o.sha256?.toLowerCase();
  const shown = redactUrl(o.url);
  let path: string;
  let actual: string | undefined;
  if (o.url.startsWith('file://')) {
    path = fileURLToPath(o.url);
    if (!(await exists(path))) throw new ModelSourceError('NotFound', `model file ${path} does not exist`);
  } else {
    await mkdir(o.cacheDir, { recursive: true });
    // Keyed by URL and expected digest: a different URL is fetched (and verified) even when the digest is cached.
    const urlKey = createHash('sha256').update(o.url).digest('hex').slice(0, 16);
    path = join(o.cacheDir, `${urlKey}-${expected ?? 'unverified'}.onnx`);
    const cachedOk = (await exists(path)) && (expected === undefined || (await sha256File(path)) === expected);
    if (!cachedOk) actual = await downloadWithRetries(o, path);
  }
  actual ??= await sha256File(path);
  if (expected !== undefined && actual !== expected) {
    if (!o.url.startsWith('file://')) await rm(path, { force: true });
    throw new ModelSourceError('Sha256Mismatch', `sha256 mismatch for ${shown}: expected ${expected}, got ${actual}; refusing to load it`);
  }
  return { path, sha256: actual };
}
