// readBody over a real loopback HTTP server: limits, and the aligned placement that lets binary tensors
// be viewed in place.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpError } from './http-error.js';
import { readBody, readSplitBody } from './body.js';

/** Starts a server that reads each body with `read` and answers its byteOffset and bytes (hex). */
async function serve(read: (req: IncomingMessage) => Promise<Buffer>): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    read(req).then(
      (body) => res.end(JSON.stringify({ offset: body.byteOffset, hex: body.toString('hex') })),
      (err: HttpError) => res.writeHead(err.status).end(err.message),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

function post(port: number, chunks: Buffer[], headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('readBody', () => {
  it.each([0, 1, 2, 3, 109])('places byte %i of a declared-length body on a 4-byte boundary and keeps every byte', async (alignAt) => {
    const { server, port } = await serve((req) => readBody(req, 1 << 20, alignAt));
    try {
      const bytes = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 251));
      const res = await post(port, [bytes.subarray(0, 7), bytes.subarray(7)], { 'content-length': String(bytes.length) });
      const { offset, hex } = JSON.parse(res.text) as { offset: number; hex: string };
      expect((offset + alignAt) % 4).toBe(0);
      expect(hex).toBe(bytes.toString('hex'));
    } finally {
      server.close();
    }
  });

  it('reads chunked bodies (no Content-Length) without alignment and still enforces the limit', async () => {
    const { server, port } = await serve((req) => readBody(req, 10, 3));
    try {
      const ok = await post(port, [Buffer.from('abc'), Buffer.from('de')], { 'transfer-encoding': 'chunked' });
      expect(JSON.parse(ok.text)).toMatchObject({ hex: Buffer.from('abcde').toString('hex') });
      const big = await post(port, [Buffer.alloc(8), Buffer.alloc(8)], { 'transfer-encoding': 'chunked' });
      expect(big.status).toBe(413);
    } finally {
      server.close();
    }
  });

  it('answers 413 before reading a declared body over the limit', async () => {
    const { server, port } = await serve((req) => readBody(req, 10, 0));
    try {
      const res = await post(port, [Buffer.alloc(11)], { 'content-length': '11' });
      expect(res.status).toBe(413);
      expect(res.text).toMatch(/11 bytes is over the 10-byte limit/);
    } finally {
      server.close();
    }
  });
});

describe('readSplitBody', () => {
  it('splits a declared-length body into the header and a tail in the given buffer, whatever the chunking', async () => {
    const given: ArrayBuffer[] = [];
    const { server, port } = await serve(async (req) => {
      const { head, tail } = await readSplitBody(req, 1 << 20, 5, (bytes) => {
        given.push(new ArrayBuffer(bytes));
        return given[given.length - 1] as ArrayBuffer;
      });
      expect(tail.buffer).toBe(given[given.length - 1]);
      expect(tail.byteOffset).toBe(0);
      expect(tail.byteLength).toBe(tail.buffer.byteLength);
      return Buffer.concat([head, Buffer.from('|'), tail]);
    });
    try {
      const bytes = Buffer.from('HEAD!0123456789ab');
      for (const cuts of [[], [3], [5], [7], [1, 5, 6, 16]]) {
        const chunks = [0, ...cuts, bytes.length].slice(1).map((end, i, ends) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end));
        const res = await post(port, chunks, { 'content-length': String(bytes.length) });
        const { hex } = JSON.parse(res.text) as { hex: string };
        expect(Buffer.from(hex, 'hex').toString()).toBe('HEAD!|0123456789ab');
      }
      expect(given.map((b) => b.byteLength)).toEqual([12, 12, 12, 12, 12]);
    } finally {
      server.close();
    }
  });

  it('answers 413 before reading a declared body over the limit', async () => {
    const { server, port } = await serve((req) => readSplitBody(req, 10, 2, (n) => new ArrayBuffer(n)).then(({ head }) => head));
    try {
      const res = await post(port, [Buffer.alloc(12)], { 'content-length': '12' });
      expect(res.status).toBe(413);
    } finally {
      server.close();
    }
  });
});
