// Model source: fetches the model file once into the cache (http/https with retries and a size limit,
// or file://), verifies its sha256 before anything loads it, and returns the local path.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Why a model could not be fetched or verified; `reason` is a short machine-readable word. */
export class ModelSourceError extends Error {
  constructor(
    readonly reason: 'NotFound' | 'DownloadFailed' | 'TooLarge' | 'Sha256Mismatch',
    message: string,
  ) {
    super(message);
  }
}

/** Options for fetchModel. */
export interface FetchOptions {
  url: string;
  sha256: string | undefined;
  cacheDir: string;
  maxBytes: number;
  attempts?: number;
  retryDelayMs?: number;
  log?: (msg: string, fields: Record<string, unknown>) => void;
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

async function download(url: string, maxBytes: number): Promise<Buffer> {
  const res = await fetch(url, { redirect: 'follow' });
  if (res.status === 404) throw new ModelSourceError('NotFound', `model not found: GET ${url} returned 404`);
  if (!res.ok) throw new ModelSourceError('DownloadFailed', `GET ${url} returned ${res.status} ${res.statusText}`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new ModelSourceError('TooLarge', `model at ${url} is ${declared} bytes, over the ${maxBytes}-byte limit (--max-model-bytes)`);
  const chunks: Buffer[] = [];
  let size = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body) {
    size += (chunk as Uint8Array).length;
    if (size > maxBytes) throw new ModelSourceError('TooLarge', `model at ${url} exceeds the ${maxBytes}-byte limit (--max-model-bytes)`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

/**
 * Returns a local path of the verified model. Remote files are cached under cacheDir by URL and sha256; a cached
 * file is re-verified before reuse.
 */
export async function fetchModel(o: FetchOptions): Promise<{ path: string; sha256: string }> {
  const expected = o.sha256?.toLowerCase();
  let path: string;
  if (o.url.startsWith('file://')) {
    path = fileURLToPath(o.url);
    if (!(await exists(path))) throw new ModelSourceError('NotFound', `model file ${path} does not exist`);
  } else {
    await mkdir(o.cacheDir, { recursive: true });
    // Keyed by URL and expected digest: a different URL is fetched (and verified) even when the digest is cached.
    const urlKey = createHash('sha256').update(o.url).digest('hex').slice(0, 16);
    path = join(o.cacheDir, `${urlKey}-${expected ?? 'unverified'}.onnx`);
    const cachedOk = (await exists(path)) && (expected === undefined || (await sha256File(path)) === expected);
    if (!cachedOk) {
      const attempts = o.attempts ?? 5;
      let delay = o.retryDelayMs ?? 500;
      for (let attempt = 1; ; attempt++) {
        try {
          const bytes = await download(o.url, o.maxBytes);
          const tmp = `${path}.${process.pid}.tmp`;
          await writeFile(tmp, bytes);
          await rename(tmp, path);
          break;
        } catch (err) {
          const permanent = err instanceof ModelSourceError && err.reason !== 'DownloadFailed';
          if (permanent || attempt >= attempts) {
            if (err instanceof ModelSourceError) throw err;
            throw new ModelSourceError('DownloadFailed', `GET ${o.url} failed after ${attempt} attempts: ${(err as Error).message}`);
          }
          o.log?.('model download failed, retrying', { url: o.url, attempt, error: (err as Error).message });
          await new Promise((r) => setTimeout(r, delay));
          delay *= 2;
        }
      }
    }
  }
  const actual = await sha256File(path);
  if (expected !== undefined && actual !== expected) {
    if (!o.url.startsWith('file://')) await rm(path, { force: true });
    throw new ModelSourceError('Sha256Mismatch', `sha256 mismatch for ${o.url}: expected ${expected}, got ${actual}; refusing to load it`);
  }
  return { path, sha256: actual };
}
