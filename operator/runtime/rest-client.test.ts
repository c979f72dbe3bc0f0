// RestClient.watch against a loopback HTTP server that streams watch events the way the apiserver does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClusterAccess } from './cluster-access.js';
import { KubeApiError } from './kube-client.js';
import { RestClient } from './rest-client.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const clientFor = (url: string) => new RestClient(new KubeClusterAccess(url, { rejectUnauthorized: true }, { token: 'tok' }, undefined));

/** Runs a watch until onDone; resolves with the events and how it ended. */
function watchAll(rest: RestClient): Promise<{ events: unknown[]; err: unknown }> {
  const events: unknown[] = [];
  return new Promise((resolve, reject) => {
    rest
      .watch({ path: '/api/v1/configmaps', query: { resourceVersion: '5' }, what: 'watch configmaps', onEvent: (e) => events.push(e), onDone: (err) => resolve({ events, err }) })
      .catch(reject);
  });
}

describe('RestClient.watch', () => {
  it('decodes events split across chunks, sends credentials and watch=1, and ends cleanly when the server closes', async () => {
    let seen: { url?: string; auth?: string } = {};
    const srv = await serve((req, res) => {
      seen = { url: req.url ?? '', auth: req.headers.authorization ?? '' };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const lines = `${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } })}\n${JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'a', labels: { x: 'é' } } } })}\n`;
      const bytes = Buffer.from(lines);
      res.write(bytes.subarray(0, 17));
      setTimeout(() => {
        res.write(bytes.subarray(17, bytes.length - 40));
        res.end(bytes.subarray(bytes.length - 40));
      }, 20);
    });
    const rest = clientFor(srv.url);
    try {
      const { events, err } = await watchAll(rest);
      expect(err).toBeUndefined();
      expect(events).toEqual([
        { type: 'ADDED', object: { metadata: { name: 'a' } } },
        { type: 'MODIFIED', object: { metadata: { name: 'a', labels: { x: 'é' } } } },
      ]);
      expect(seen.url).toBe('/api/v1/configmaps?resourceVersion=5&watch=1');
      expect(seen.auth).toBe('Bearer tok');
    } finally {
      rest.close();
      await srv.close();
    }
  });

  it('rejects with the apiserver status when the watch cannot start', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(410, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', reason: 'Expired', message: 'too old resource version: 5 (90)' }));
    });
    const rest = clientFor(srv.url);
    try {
      const err = await watchAll(rest).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeApiError);
      expect((err as KubeApiError).statusCode).toBe(410);
      expect((err as Error).message).toBe('watch configmaps: 410 Expired: too old resource version: 5 (90)');
    } finally {
      rest.close();
      await srv.close();
    }
  });

  it('only rejects when the apiserver cannot be reached: onDone follows a started watch alone', async () => {
    const rest = clientFor('http://127.0.0.1:1');
    const done: unknown[] = [];
    try {
      const err = await rest.watch({ path: '/api/v1/pods', what: 'watch pods', onEvent: () => undefined, onDone: (e) => done.push(e) }).catch((e: unknown) => e);
      expect((err as KubeApiError).reason).toBe('ConnectionError');
      await new Promise((r) => setTimeout(r, 20));
      expect(done).toEqual([]);
    } finally {
      rest.close();
    }
  });

  it('ends with an error on a line that is not JSON, and on a dropped connection', async () => {
    const srv = await serve((req, res) => {
      res.writeHead(200);
      if (req.url?.includes('resourceVersion=5')) res.end('{"type":"ADDED","object":{}}\nnot json\n');
      else {
        res.write('{"type":"ADDED","object":{}}\n');
        setTimeout(() => req.socket.destroy(), 20);
      }
    });
    const rest = clientFor(srv.url);
    try {
      const bad = await watchAll(rest);
      expect(bad.events).toHaveLength(1);
      expect((bad.err as Error).message).toMatch(/sent a line that is not JSON: not json/);
      const dropped = await new Promise<unknown>((resolve, reject) => {
        rest.watch({ path: '/api/v1/configmaps', query: { resourceVersion: '6' }, what: 'watch configmaps', onEvent: () => undefined, onDone: resolve }).catch(reject);
      });
      expect(dropped).toBeInstanceOf(KubeApiError);
    } finally {
      rest.close();
      await srv.close();
    }
  });

  it('calls nothing after abort', async () => {
    let timer: NodeJS.Timeout | undefined;
    const srv = await serve((_req, res) => {
      res.writeHead(200);
      timer = setInterval(() => res.write('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}\n'), 5);
    });
    const rest = clientFor(srv.url);
    const calls: string[] = [];
    try {
      const handle = await rest.watch({ path: '/api/v1/pods', what: 'watch pods', onEvent: () => calls.push('event'), onDone: () => calls.push('done') });
      await new Promise((r) => setTimeout(r, 30));
      handle.abort();
      const before = calls.length;
      await new Promise((r) => setTimeout(r, 50));
      expect(calls.length).toBe(before);
      expect(calls).not.toContain('done');
    } finally {
      clearInterval(timer);
      rest.close();
      await srv.close();
    }
  });
});
