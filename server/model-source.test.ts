// Model source against a real loopback HTTP server: retries, size limit, sha256 check, cache reuse.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchModel, ModelSourceError } from './model-source.js';

const MODEL = Buffer.from('pretend this is an ONNX model');
const SHA = createHash('sha256').update(MODEL).digest('hex');
let server: Server;
let base: string;
let dir: string;
const hits = new Map<string, number>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tern-model-source-'));
  server = createServer((req, res) => {
    const n = (hits.get(req.url ?? '') ?? 0) + 1;
    hits.set(req.url ?? '', n);
    if (req.url === '/flaky.onnx' && n < 3) res.writeHead(503).end('busy');
    else if (req.url === '/model.onnx' || req.url === '/flaky.onnx') res.writeHead(200).end(MODEL);
    else if (req.url === '/big.onnx') res.writeHead(200).end(Buffer.alloc(4096));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const options = (path: string, sha256: string | undefined = SHA) => ({
  url: `${base}${path}`, sha256, cacheDir: join(dir, 'cache'), maxBytes: 1024, retryDelayMs: 5,
});

describe('fetchModel', () => {
  it('downloads, verifies and then serves from the cache', async () => {
    const first = await fetchModel(options('/model.onnx'));
    expect(first.sha256).toBe(SHA);
    await fetchModel(options('/model.onnx'));
    expect(hits.get('/model.onnx')).toBe(1);
  });

  it('retries transient failures', async () => {
    await expect(fetchModel(options('/flaky.onnx'))).resolves.toMatchObject({ sha256: SHA });
    expect(hits.get('/flaky.onnx')).toBe(3);
  });

  it('refuses a sha256 mismatch, a 404 and a file over the size limit, with the reason', async () => {
    const wrong = 'a'.repeat(64);
    await expect(fetchModel(options('/model.onnx', wrong))).rejects.toMatchObject({ reason: 'Sha256Mismatch' });
    await expect(fetchModel(options('/missing.onnx'))).rejects.toMatchObject({ reason: 'NotFound' });
    await expect(fetchModel(options('/big.onnx'))).rejects.toMatchObject({ reason: 'TooLarge' });
    await expect(fetchModel(options('/missing.onnx'))).rejects.toBeInstanceOf(ModelSourceError);
    expect(hits.get('/missing.onnx')).toBe(2); // a 404 is not retried
  });

  it('reads file:// URLs in place and verifies them too', async () => {
    const path = join(dir, 'local.onnx');
    writeFileSync(path, MODEL);
    await expect(fetchModel({ ...options(''), url: `file://${path}` })).resolves.toEqual({ path, sha256: SHA });
    await expect(fetchModel({ ...options('', 'b'.repeat(64)), url: `file://${path}` })).rejects.toThrow(/sha256 mismatch/);
    await expect(fetchModel({ ...options(''), url: `file://${dir}/nope.onnx` })).rejects.toMatchObject({ reason: 'NotFound' });
  });
});
