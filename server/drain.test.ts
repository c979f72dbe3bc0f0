// The SIGTERM drain against a real loopback server and a slow client: a 16 MB reply in flight when the drain
// starts arrives whole, a request on the way in is answered (with Connection: close), idle keep-alive
// connections are closed, and the drain ends once they are all done.
import { createServer, request, Agent, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Drain } from './drain.js';

const BIG = Buffer.alloc(16 * 1024 * 1024, 0x61);
let server: Server;
let drain: Drain;
let port: number;
let agent: Agent;

beforeEach(async () => {
  server = createServer((req, res) => {
    if (req.url === '/big') res.writeHead(200, { 'content-length': BIG.length }).end(BIG);
    else if (req.url === '/slow') setTimeout(() => res.writeHead(200, { 'content-length': 2 }).end('ok'), 300);
    else res.writeHead(200, { 'content-length': 2 }).end('ok');
  });
  drain = new Drain(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  agent = new Agent({ keepAlive: true });
});

afterEach(() => {
  drain.destroyAll();
  agent.destroy();
});

/** GET `path`; resolves with the response as soon as its headers arrive. */
const get = (path: string): Promise<IncomingMessage> =>
  new Promise((resolve, reject) => request({ host: '127.0.0.1', port, path, agent }, resolve).on('error', reject).end());

/** Reads a response slowly (a pause of 1 ms after every chunk); resolves with the byte count, or -1 when the connection broke. */
function readSlowly(res: IncomingMessage): Promise<number> {
  return new Promise((resolve) => {
    let bytes = 0;
    res.on('data', (c: Buffer) => {
      bytes += c.length;
      res.pause();
      setTimeout(() => res.resume(), 1);
    });
    res.on('end', () => resolve(bytes));
    res.on('error', () => resolve(-1));
    res.on('aborted', () => resolve(-1));
  });
}

describe('Drain', () => {
  it('completes a large reply in flight and a request already received, then ends', async () => {
    const idle = await get('/small');
    idle.resume();
    await new Promise((r) => idle.on('end', r));
    const big = await get('/big');
    const slow = get('/slow');
    await new Promise((r) => setTimeout(r, 50));
    let drained = false;
    const done = drain.drain().then(() => (drained = true));
    const [bytes, slowRes] = await Promise.all([readSlowly(big), slow]);
    expect(bytes).toBe(BIG.length);
    expect(slowRes.statusCode).toBe(200);
    expect(slowRes.headers['connection']).toBe('close');
    slowRes.resume();
    await done;
    expect(drained).toBe(true);
  });

  it('answers a request that arrives on a fresh connection just after the drain started', async () => {
    const { connect } = await import('node:net');
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const done = drain.drain();
    await new Promise((r) => setTimeout(r, 50));
    socket.write('GET /small HTTP/1.1\r\nHost: x\r\n\r\n');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    await new Promise((r) => socket.once('close', r));
    expect(text).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    await done;
  });

  it('ends at once when nothing is in flight, closing idle keep-alive connections', async () => {
    const res = await get('/small');
    res.resume();
    await new Promise((r) => res.on('end', r));
    const started = Date.now();
    await drain.drain();
    expect(Date.now() - started).toBeLessThan(500);
  });
});
