// The benchmark's bare node:http server: it answers each request with the reply configured for its body
// size (status, headers and bytes as given), over keep-alive, and 404s a size it has no reply for.
import type { Server } from 'node:http';
import { startBareServer } from './bare-http-server.js';
import { encodeRequest, LeanConnection } from './http-load-client.js';

describe('startBareServer', () => {
  let server: Server;
  let port: number;
  const binary = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));
  beforeAll(async () => {
    ({ server, port } = await startBareServer([
      { requestBytes: 5, status: 200, headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{"ok":true}').toString('base64') },
      { requestBytes: 200_000, status: 200, headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': '2' }, body: binary.toString('base64') },
    ]));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('answers by request body size with the configured status, headers and bytes', async () => {
    const small = await fetch(`http://127.0.0.1:${port}/v1/predict`, { method: 'POST', body: 'hello' });
    expect(small.status).toBe(200);
    expect(small.headers.get('content-type')).toBe('application/json');
    expect(await small.text()).toBe('{"ok":true}');
    const large = await fetch(`http://127.0.0.1:${port}/v2/models/m/infer`, { method: 'POST', body: Buffer.alloc(200_000, 7) });
    expect(large.headers.get('inference-header-content-length')).toBe('2');
    expect(Buffer.from(await large.arrayBuffer())).toEqual(binary);
  });

  it('404s a body size it has no reply for', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/x`, { method: 'POST', body: 'four' });
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/no reply configured for a 4-byte request body/);
  });

  it('keeps one connection alive across requests for the lean load client', async () => {
    const conn = await LeanConnection.open(port);
    const request = encodeRequest('POST', '/v2/models/m/infer', `127.0.0.1:${port}`, {}, Buffer.alloc(200_000));
    try {
      for (let i = 0; i < 5; i++) expect(await conn.send(request)).toBe(200);
    } finally {
      conn.close();
    }
  });
});
