// The lean load client: request encoding, and response counting however the bytes are chunked, against
// real node:http servers over loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeRequest, LeanConnection, ResponseCounter } from './http-load-client.js';

describe('ResponseCounter', () => {
  const two = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');

  it('counts responses whatever the chunking', () => {
    for (let size = 1; size <= two.length; size++) {
      const counter = new ResponseCounter();
      const seen: number[] = [];
      for (let at = 0; at < two.length; at += size) seen.push(...counter.push(two.subarray(at, at + size)));
      expect(seen).toEqual([200, 404]);
    }
  });

  it('refuses chunked responses and responses without Content-Length', () => {
    expect(() => new ResponseCounter().push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'))).toThrow(/chunked/);
    expect(() => new ResponseCounter().push(Buffer.from('HTTP/1.1 200 OK\r\nX: y\r\n\r\n'))).toThrow(/Content-Length/);
  });
});

describe('LeanConnection', () => {
  let server: Server;
  let port: number;
  const bodies: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(`${req.method} ${req.url} ${req.headers['x-test']} ${body}`);
        res.statusCode = req.url === '/missing' ? 404 : 200;
        res.end('x'.repeat(100_000));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('sends pre-encoded requests on one keep-alive connection and resolves with each status', async () => {
    const conn = await LeanConnection.open(port);
    const post = encodeRequest('POST', '/a', '127.0.0.1', { 'x-test': 'yes' }, Buffer.from('payload'));
    const missing = encodeRequest('GET', '/missing', '127.0.0.1', {});
    expect(await conn.send(post)).toBe(200);
    expect(await conn.send(missing)).toBe(404);
    expect(await conn.send(post)).toBe(200);
    conn.close();
    expect(bodies).toEqual(['POST /a yes payload', 'GET /missing undefined ', 'POST /a yes payload']);
    expect(() => encodeRequest('GET', '/', 'h', { bad: 'a\r\nb' })).toThrow(/line break/);
  });
});
