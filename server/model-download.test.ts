// Model downloads against hostile loopback HTTP servers: one that never answers, one that stalls mid-body,
// one that fails N times then serves, one that streams past the size limit; SIGTERM (an abort) at any point;
// credentials of a signed URL never in an error.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchModel, type FetchOptions } from './model-source.js';

const MODEL = Buffer.alloc(256 * 1024, 7);
const SHA = createHash('sha256').update(MODEL).digest('hex');
let server: Server;
let base: string;
let dir: string;
const hits = new Map<string, number>();
const stalled: ServerResponse[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tern-model-download-'));
  server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    if (path === '/silent.onnx') stalled.push(res); // never answers
    else if (path === '/stall.onnx') {
      // Headers and half the body, then nothing.
      res.writeHead(200, { 'content-length': MODEL.length });
      res.write(MODEL.subarray(0, MODEL.length / 2));
      stalled.push(res);
    } else if (path === '/outage.onnx' && n <= 8) {
      if (n % 2 === 0) req.socket.destroy();
      else res.writeHead(503).end('down for maintenance');
    } else if (path === '/down.onnx') res.writeHead(503).end('down');
    else if (path === '/outage.onnx' || path === '/model.onnx') res.writeHead(200).end(MODEL);
    else if (path === '/endless.onnx') {
      // Chunked, no Content-Length: only counting while streaming can stop it.
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    } else res.writeHead(404).end('no such model');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of stalled) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const options = (path: string, more: Partial<FetchOptions> = {}): FetchOptions => ({
  url: `${base}${path}`, sha256: SHA, cacheDir: join(dir, 'cache'), maxBytes: 1024 * 1024, retryDelayMs: 5, maxRetryDelayMs: 20,
  connectTimeoutMs: 300, idleTimeoutMs: 300, ...more,
});

describe('model downloads', () => {
  it('gives up on a host that never answers after the connect timeout, and retries it', async () => {
    const retries: string[] = [];
    const started = Date.now();
    await expect(fetchModel(options('/silent.onnx', { attempts: 2, onRetry: (r) => retries.push(r.error) }))).rejects.toMatchObject({
      reason: 'DownloadFailed', message: expect.stringMatching(/no response within 300 ms/),
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(retries).toEqual([expect.stringMatching(/no response within 300 ms/)]);
  });

  it('gives up on a body that stops arriving after the idle timeout', async () => {
    await expect(fetchModel(options('/stall.onnx', { attempts: 1 }))).rejects.toThrow(/no data for 300 ms/);
  });

  it('keeps retrying through an outage with backoff, reporting each wait, then succeeds', async () => {
    const waits: Array<{ attempt: number; delayMs: number }> = [];
    const got = await fetchModel(options('/outage.onnx', { onRetry: ({ attempt, delayMs }) => waits.push({ attempt, delayMs }) }));
    expect(got.sha256).toBe(SHA);
    expect(hits.get('/outage.onnx')).toBe(9);
    expect(waits.map((w) => w.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(waits[0]?.delayMs).toBeLessThan(waits[2]?.delayMs ?? 0);
    expect(Math.max(...waits.map((w) => w.delayMs))).toBeLessThanOrEqual(20 * 1.25);
  });

  it('stops an endless body at the size limit while streaming, and leaves no partial file', async () => {
    await expect(fetchModel(options('/endless.onnx'))).rejects.toMatchObject({ reason: 'TooLarge' });
    expect(readdirSync(join(dir, 'cache')).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('stops at once when aborted, whether waiting for an answer or between tries', async () => {
    for (const path of ['/silent.onnx', '/down.onnx']) {
      const controller = new AbortController();
      const started = Date.now();
      const pending = fetchModel(options(path, { connectTimeoutMs: 60_000, retryDelayMs: 60_000, maxRetryDelayMs: 60_000, signal: controller.signal }));
      setTimeout(() => controller.abort(), 100);
      await expect(pending).rejects.toMatchObject({ reason: 'Aborted' });
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });

  it('never puts the credentials of a signed URL in an error', async () => {
    const url = `${base.replace('http://', 'http://user:hunter22@')}/missing.onnx?X-Amz-Signature=deadbeefcafe&X-Amz-Credential=AKIAEXAMPLE`;
    const err = (await fetchModel(options('', { url })).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/404/);
    expect(err.message).not.toMatch(/deadbeefcafe|AKIAEXAMPLE|hunter22/);
    expect(err.message).toContain('X-Amz-Signature=***');
  });
});
