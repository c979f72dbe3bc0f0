import type { KubernetesObject } from '@kubernetes/client-node';
import { Informer } from './informer.js';
import { KubeApiError } from './kube-client.js';
import { CONFIG_MAPS } from './resources.js';
import { FakeClock, flushPromises } from './testing/fake-clock.js';
import { MemoryListWatch } from './testing/memory-list-watch.js';

type ConfigMap = KubernetesObject & { data?: Record<string, string> };

function cm(namespace: string, name: string, value = 'v'): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name }, data: { value } };
}

function setup(options: { namespaces?: string[]; optional?: boolean } = {}): {
  api: MemoryListWatch;
  clock: FakeClock;
  informer: Informer<ConfigMap>;
  seen: string[];
} {
  const api = new MemoryListWatch();
  const clock = new FakeClock();
  const informer = new Informer<ConfigMap>({
    source: api,
    type: CONFIG_MAPS,
    clock,
    namespaces: options.namespaces,
    optional: options.optional,
    restartBackoff: { baseMs: 1000, maxMs: 8000 },
  });
  const seen: string[] = [];
  informer.addHandlers({
    add: (o) => seen.push(`add ${o.metadata!.namespace}/${o.metadata!.name}=${o.data?.['value']}`),
    update: (old, o) => seen.push(`update ${o.metadata!.namespace}/${o.metadata!.name} ${old.data?.['value']}->${o.data?.['value']}`),
    delete: (o) => seen.push(`delete ${o.metadata!.namespace}/${o.metadata!.name}`),
  });
  return { api, clock, informer, seen };
}

describe('Informer', () => {
  it('lists, syncs, then follows the watch with add/update/delete', async () => {
    const { api, informer, seen } = setup();
    api.upsert(cm('a', 'one'));
    informer.start();
    await informer.waitForSync(1000);
    expect(informer.hasSynced).toBe(true);
    expect(seen).toEqual(['add a/one=v']);
    api.upsert(cm('a', 'two'));
    api.upsert(cm('a', 'one', 'w'));
    api.remove('a/two');
    expect(seen).toEqual(['add a/one=v', 'add a/two=v', 'update a/one v->w', 'delete a/two']);
    expect(informer.get('a', 'one')?.data).toEqual({ value: 'w' });
    expect(informer.list().map((o) => o.metadata!.name)).toEqual(['one']);
    await informer.stop();
    expect(informer.alive).toBe(false);
  });

  it('restarts after a broken watch and delivers what changed meanwhile (relist diff)', async () => {
    const { api, clock, informer, seen } = setup();
    api.upsert(cm('a', 'keep'));
    api.upsert(cm('a', 'change'));
    api.upsert(cm('a', 'gone'));
    informer.start();
    await informer.waitForSync(1000);
    api.breakWatches();
    await flushPromises();
    expect(api.activeWatches).toBe(0);
    // While nobody watches: one added, one changed, one deleted.
    api.upsert(cm('a', 'new'));
    api.upsert(cm('a', 'change', 'x'));
    api.remove('a/gone');
    seen.length = 0;
    await clock.advance(1000);
    expect(api.activeWatches).toBe(1);
    expect(api.lists).toBe(2);
    expect(seen.sort()).toEqual(['add a/new=v', 'delete a/gone', 'update a/change v->x']);
    expect(informer.health.restarts).toBe(1);
    expect(informer.alive).toBe(true);
    api.upsert(cm('a', 'after'));
    expect(seen).toContain('add a/after=v');
    await informer.stop();
  });

  it('re-watches from the last resourceVersion after a clean close, without relisting', async () => {
    const { api, clock, informer, seen } = setup();
    informer.start();
    await informer.waitForSync(1000);
    api.upsert(cm('a', 'one'));
    await clock.advance(5000);
    api.closeWatches();
    api.upsert(cm('a', 'two'));
    await flushPromises();
    expect(api.lists).toBe(1);
    expect(api.watches).toBe(2);
    expect(seen).toEqual(['add a/one=v', 'add a/two=v']);
    await informer.stop();
  });

  it('relists on 410 Gone', async () => {
    const { api, clock, informer, seen } = setup();
    api.upsert(cm('a', 'one'));
    informer.start();
    await informer.waitForSync(1000);
    api.upsert(cm('a', 'two'));
    api.compact();
    api.expireWatches();
    await clock.advance(10);
    expect(api.lists).toBe(2);
    expect(seen).toEqual(['add a/one=v', 'add a/two=v']);
    expect(api.activeWatches).toBe(1);
    await informer.stop();
  });

  it('retries failed lists with backoff and reports the error until synced', async () => {
    const { api, clock, informer } = setup();
    api.failLists = 3;
    informer.start();
    await flushPromises();
    expect(informer.hasSynced).toBe(false);
    expect(informer.health.lastError).toBe('connection refused');
    await clock.advance(1000);
    expect(api.lists).toBe(2);
    await clock.advance(2000);
    expect(api.lists).toBe(3);
    await clock.advance(4000);
    expect(api.lists).toBe(4);
    expect(informer.hasSynced).toBe(true);
    await informer.stop();
  });

  it('watches only the given namespaces and syncs when all are listed', async () => {
    const { api, informer, seen } = setup({ namespaces: ['a', 'b'] });
    api.upsert(cm('a', 'x'));
    api.upsert(cm('c', 'x'));
    informer.start();
    await informer.waitForSync(1000);
    api.upsert(cm('b', 'y'));
    api.upsert(cm('c', 'y'));
    expect(seen.sort()).toEqual(['add a/x=v', 'add b/y=v']);
    expect(informer.list('b')).toHaveLength(1);
    await informer.stop();
  });

  it('delivers cached objects as adds to handlers registered late', async () => {
    const { api, informer } = setup();
    api.upsert(cm('a', 'x'));
    informer.start();
    await informer.waitForSync(1000);
    const late: string[] = [];
    informer.addHandlers({ add: (o) => late.push(o.metadata!.name!) });
    expect(late).toEqual(['x']);
    await informer.stop();
  });

  it('waitForSync rejects with what is missing', async () => {
    const { api, clock, informer } = setup({ namespaces: ['a'] });
    api.failLists = 100;
    informer.start();
    const waiting = informer.waitForSync(5000);
    const check = expect(waiting).rejects.toThrow(/not synced after 5000 ms \(namespaces a; last error: connection refused\)/);
    await clock.advance(5000);
    await check;
    await informer.stop();
  });

  it('treats a resource type that is not served as synced and empty when optional, and picks it up later', async () => {
    const { api, clock, informer, seen } = setup({ optional: true });
    api.listError = new KubeApiError('list httproutes: 404 NotFound: the server could not find the requested resource', 404, 'NotFound');
    api.failLists = 2;
    informer.start();
    await informer.waitForSync(1000);
    expect(informer.list()).toEqual([]);
    expect(informer.health.restarts).toBe(0);
    api.upsert(cm('a', 'x'));
    await clock.advance(8000);
    expect(seen).toEqual([]);
    await clock.advance(8000);
    expect(seen).toEqual(['add a/x=v']);
    await informer.stop();
  });

  it('treats a 404 as an error when not optional', async () => {
    const { api, informer } = setup();
    api.listError = new KubeApiError('404', 404, 'NotFound');
    api.failLists = 1;
    informer.start();
    await flushPromises();
    expect(informer.hasSynced).toBe(false);
    expect(informer.health.restarts).toBe(1);
    await informer.stop();
  });

  it('drops managedFields from cached objects by default', async () => {
    const { api, informer } = setup();
    api.upsert({ ...cm('a', 'x'), metadata: { namespace: 'a', name: 'x', managedFields: [{ manager: 'kubectl', operation: 'Apply' }] } });
    informer.start();
    await informer.waitForSync(1000);
    api.upsert({ ...cm('a', 'y'), metadata: { namespace: 'a', name: 'y', managedFields: [{ manager: 'kubectl', operation: 'Apply' }] } });
    expect(informer.get('a', 'x')?.metadata?.managedFields).toBeUndefined();
    expect(informer.get('a', 'y')?.metadata?.managedFields).toBeUndefined();
    expect(informer.get('a', 'y')?.metadata?.resourceVersion).toBeDefined();
    await informer.stop();
  });
});
