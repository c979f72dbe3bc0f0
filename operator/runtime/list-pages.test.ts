// Lists read page by page (limit/continue) from a fake apiserver that pages like the real one, and answers
// bounded in size (ApiKubeClient.list over RestClient).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiKubeClient } from './apply.js';
import { KubeClusterAccess } from './cluster-access.js';
import { KubeApiError } from './kube-client.js';
import { CONFIG_MAPS } from './resources.js';
import { RestClient } from './rest-client.js';

interface Fake {
  url: string;
  /** The query of every request, in order. */
  queries: URLSearchParams[];
  close(): Promise<void>;
}

/**
 * A collection of `count` ConfigMaps served in pages of `limit` (the server's own cap when the client sends
 * none: a client that does not follow `continue` sees only the first page). `expire(token)` answers 410 once.
 */
async function fakeApiserver(count: number, options: { serverCap?: number; expireOnce?: string; huge?: boolean } = {}): Promise<Fake> {
  const queries: URLSearchParams[] = [];
  let expired = false;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    queries.push(url.searchParams);
    res.setHeader('Content-Type', 'application/json');
    const token = url.searchParams.get('continue');
    if (token !== null && token === options.expireOnce && !expired) {
      expired = true;
      res.statusCode = 410;
      res.end(JSON.stringify({ kind: 'Status', reason: 'Expired', message: 'The provided continue parameter is too old' }));
      return;
    }
    const start = token === null ? 0 : Number(token.replace('t', ''));
    const limit = Number(url.searchParams.get('limit') ?? options.serverCap ?? count);
    const end = Math.min(count, start + limit);
    const items = Array.from({ length: end - start }, (_, i) => ({
      metadata: { name: `cm-${start + i}`, namespace: 'ns' },
      data: options.huge ? { blob: 'x'.repeat(4096) } : {},
    }));
    res.end(JSON.stringify({ kind: 'ConfigMapList', metadata: { resourceVersion: token === null ? '100' : '999', ...(end < count ? { continue: `t${end}` } : {}) }, items }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const clientFor = (url: string, maxAnswerBytes?: number): { client: ApiKubeClient; rest: RestClient } => {
  const rest = new RestClient(new KubeClusterAccess(url, { rejectUnauthorized: true }, { token: 't' }, undefined), maxAnswerBytes ? { maxAnswerBytes } : {});
  return { client: new ApiKubeClient(rest), rest };
};

describe('ApiKubeClient.list pages', () => {
  it('follows continue until the last page, with limit on every request and the first page resourceVersion', async () => {
    const fake = await fakeApiserver(7, { serverCap: 3 });
    const { client, rest } = clientFor(fake.url);
    try {
      const list = await client.list(CONFIG_MAPS, { namespace: 'ns', labelSelector: 'a=b', pageSize: 3 });
      expect(list.items.map((i) => i.metadata?.name)).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
      expect(list.items[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
      expect(list.resourceVersion).toBe('100');
      expect(fake.queries.map((q) => [q.get('limit'), q.get('continue'), q.get('labelSelector')])).toEqual([
        ['3', null, 'a=b'],
        ['3', 't3', 'a=b'],
        ['3', 't6', 'a=b'],
      ]);
    } finally {
      rest.close();
      await fake.close();
    }
  });

  it('asks for 500 objects a page by default', async () => {
    const fake = await fakeApiserver(1201, { serverCap: 50 });
    const { client, rest } = clientFor(fake.url);
    try {
      expect((await client.list(CONFIG_MAPS)).items).toHaveLength(1201);
      expect(fake.queries.map((q) => q.get('limit'))).toEqual(['500', '500', '500']);
    } finally {
      rest.close();
      await fake.close();
    }
  });

  it('lists again from the start once when a continue token has expired (410)', async () => {
    const fake = await fakeApiserver(5, { expireOnce: 't2' });
    const { client, rest } = clientFor(fake.url);
    try {
      const list = await client.list(CONFIG_MAPS, { pageSize: 2 });
      expect(list.items.map((i) => i.metadata?.name)).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4']);
      expect(fake.queries.map((q) => q.get('continue'))).toEqual([null, 't2', null, 't2', 't4']);
    } finally {
      rest.close();
      await fake.close();
    }
  });

  it('refuses a page size that is not a positive integer', async () => {
    const { client, rest } = clientFor('http://127.0.0.1:9');
    await expect(client.list(CONFIG_MAPS, { pageSize: 0 })).rejects.toThrow(/pageSize must be a positive integer, not 0/);
    rest.close();
  });
});

describe('RestClient answer bound', () => {
  it('cuts off an answer larger than maxAnswerBytes, naming the bound', async () => {
    const fake = await fakeApiserver(40, { huge: true });
    const { client, rest } = clientFor(fake.url, 64 * 1024);
    try {
      const err = await client.list(CONFIG_MAPS, { pageSize: 40 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeApiError);
      expect((err as KubeApiError).reason).toBe('AnswerTooLarge');
      expect((err as Error).message).toMatch(/list configmaps: the answer is larger than 65536 bytes/);
      // Pages small enough pass under the same bound.
      expect((await client.list(CONFIG_MAPS, { pageSize: 10 })).items).toHaveLength(40);
    } finally {
      rest.close();
      await fake.close();
    }
  });

  it('cuts off a watch event larger than the bound', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`{"type":"ADDED","object":{"data":"${'y'.repeat(10_000)}`); // never ends its line
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { rest } = clientFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 4096);
    try {
      const ended = await new Promise<unknown>((resolve, reject) => {
        rest.watch({ path: '/api/v1/configmaps', what: 'watch configmaps', onEvent: () => undefined, onDone: resolve }).catch(reject);
      });
      expect(ended).toBeInstanceOf(KubeApiError);
      expect((ended as Error).message).toMatch(/watch configmaps: a watch event is larger than 4096 bytes/);
    } finally {
      rest.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
