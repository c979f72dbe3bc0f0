// The server benchmark's transport floor: a bare node:http server that reads every request body to its end
// (counting bytes, copying nothing) and answers a pre-encoded reply chosen by the request's Content-Length:
// the reply tern-server gives to that very request. Measured with the same client, bodies and replies as
// tern-server, its CPU per request is what loopback HTTP on node:http costs on this machine before any
// parsing, batching, inference or metrics: no server built on node:http spends less.
// Run as a program (`node bare-http-server.js <replies.json>`) it listens on 127.0.0.1, an ephemeral port,
// and prints {"port":N} on stdout; the replies file is a list of BareReply.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The reply to give to requests whose body is `requestBytes` long. */
export interface BareReply {
  requestBytes: number;
  status: number;
  headers: Record<string, string>;
  /** The reply body, base64. */
  body: string;
}

/** Starts the bare server on 127.0.0.1:`port` (0: any free port). Requests of other sizes get a 404; /healthz a 200. */
export async function startBareServer(replies: BareReply[], port = 0): Promise<{ server: Server; port: number }> {
  const bySize = new Map(replies.map((r) => [r.requestBytes, { ...r, bytes: Buffer.from(r.body, 'base64') }]));
  const server = createServer((req, res) => {
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    req.on('end', () => {
      if (req.url === '/healthz') {
        // For the benchmark's /healthz probe: what a probe waits for when node:http alone carries the load.
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '2' }).end('ok');
        return;
      }
      const reply = bySize.get(received);
      if (!reply) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`no reply configured for a ${received}-byte request body`);
        return;
      }
      res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(reply.bytes.length) }).end(reply.bytes);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: bare-http-server.js <replies.json>');
    process.exit(2);
  }
  const { port } = await startBareServer(JSON.parse(readFileSync(file, 'utf8')) as BareReply[]);
  console.log(JSON.stringify({ port }));
  const stop = (): void => process.exit(0);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
