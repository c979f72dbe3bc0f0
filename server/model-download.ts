// One HTTP(S) download of a model file, streamed to disk while it is hashed (never held whole in memory):
// a connect timeout (until the response headers), an idle timeout (between body chunks), the size limit
// counted while streaming, redirects followed (at most 5), credentials in the URL sent as basic auth, and an
// abort signal (SIGTERM) that stops it at any moment. Errors are ModelSourceErrors with redacted URLs.
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { ModelSourceError } from './model-source-error.js';
import { redactIn, redactUrl } from './redact.js';

/** Limits of one download. */
export interface DownloadOptions {
  maxBytes: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  signal?: AbortSignal | undefined;
}

const MAX_REDIRECTS = 5;

const aborted = (): ModelSourceError => new ModelSourceError('Aborted', 'stopped: tern-server is shutting down');

/** Sends GET `target`; resolves with the response once its headers arrive. */
function get(target: URL, o: DownloadOptions, shown: string, original: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) {
      reject(aborted());
      return;
    }
    const send = target.protocol === 'https:' ? https.get : http.get;
    let settled = false;
    const fail = (err: ModelSourceError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(err);
    };
    const onAbort = (): void => fail(aborted());
    // A connection of its own (no keep-alive pool): it closes with the download, idle timeout and all.
    const req = send(target, { agent: false, headers: { 'user-agent': 'tern-server' } }, (res) => {
      if (settled) {
        res.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve(res);
    });
    const timer = setTimeout(() => fail(new ModelSourceError('DownloadFailed', `GET ${shown}: no response within ${o.connectTimeoutMs} ms`, true)), o.connectTimeoutMs);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => fail(new ModelSourceError('DownloadFailed', `GET ${shown} failed: ${redactIn(err.message, original)}`, true)));
  });
}

/** Streams `res` into `file`, hashing it; the sha256 and size. */
async function save(res: IncomingMessage, file: string, o: DownloadOptions, shown: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let stopped: ModelSourceError | undefined;
  const stop = (err: ModelSourceError): void => {
    stopped ??= err;
    res.destroy(err);
  };
  const onAbort = (): void => stop(aborted());
  o.signal?.addEventListener('abort', onAbort, { once: true });
  res.setTimeout(o.idleTimeoutMs, () => stop(new ModelSourceError('DownloadFailed', `GET ${shown}: no data for ${o.idleTimeoutMs} ms after ${bytes} bytes`, true)));
  const fh = await open(file, 'w');
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > o.maxBytes) {
        stop(new ModelSourceError('TooLarge', `model at ${shown} exceeds the ${o.maxBytes}-byte limit (--max-model-bytes)`));
        break;
      }
      hash.update(chunk);
      await fh.write(chunk);
    }
    if (stopped) throw stopped;
    if (!res.complete) throw new ModelSourceError('DownloadFailed', `GET ${shown}: the connection closed after ${bytes} bytes`, true);
    return { sha256: hash.digest('hex'), bytes };
  } catch (err) {
    if (stopped) throw stopped;
    if (err instanceof ModelSourceError) throw err;
    throw new ModelSourceError('DownloadFailed', `GET ${shown} failed after ${bytes} bytes: ${(err as Error).message}`, true);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    if (!res.complete) res.destroy();
    await fh.close();
  }
}

/**
 * Downloads `url` into `file` (created or replaced; removed again on failure) and returns its sha256. Throws
 * ModelSourceError: NotFound (404), TooLarge, Aborted, or DownloadFailed (retryable for network errors,
 * timeouts, 5xx, 408 and 429; not for other statuses).
 */
export async function downloadTo(url: string, file: string, o: DownloadOptions): Promise<{ sha256: string; bytes: number }> {
  const shown = redactUrl(url);
  let target = new URL(url);
  try {
    for (let redirects = 0; ; redirects++) {
      const res = await get(target, o, shown, url);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        res.resume();
        if (redirects === MAX_REDIRECTS) throw new ModelSourceError('DownloadFailed', `GET ${shown}: more than ${MAX_REDIRECTS} redirects`);
        target = new URL(location, target);
        continue;
      }
      if (status !== 200) {
        res.resume();
        if (status === 404) throw new ModelSourceError('NotFound', `model not found: GET ${shown} returned 404`);
        const retryable = status >= 500 || status === 408 || status === 429;
        throw new ModelSourceError('DownloadFailed', `GET ${shown} returned ${status} ${res.statusMessage ?? ''}`.trimEnd(), retryable);
      }
      const declared = Number(res.headers['content-length'] ?? '0');
      if (declared > o.maxBytes) {
        res.destroy();
        throw new ModelSourceError('TooLarge', `model at ${shown} is ${declared} bytes, over the ${o.maxBytes}-byte limit (--max-model-bytes)`);
      }
      return await save(res, file, o, shown);
    }
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
}
