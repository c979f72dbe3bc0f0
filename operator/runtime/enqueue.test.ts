import type { KubernetesObject } from '@kubernetes/client-node';
import { enqueueObject, enqueueOwner, ownerKey } from './enqueue.js';

function sink(): { keys: string[]; add: (k: string) => void } {
  const keys: string[] = [];
  return { keys, add: (k) => keys.push(k) };
}

const release = (rv: string, extra: Partial<NonNullable<KubernetesObject['metadata']>> = {}): KubernetesObject => ({
  metadata: { namespace: 'ml', name: 'fraud', resourceVersion: rv, generation: 1, ...extra },
});

describe('enqueueObject', () => {
  it('queues the object on add, changed update and delete', () => {
    const q = sink();
    const h = enqueueObject(q);
    h.add!(release('1'));
    h.update!(release('1'), release('1'));
    h.update!(release('1'), release('2'));
    h.delete!(release('2'));
    expect(q.keys).toEqual(['ml/fraud', 'ml/fraud', 'ml/fraud']);
  });

  it('can skip status-only updates but not spec or annotation changes', () => {
    const q = sink();
    const h = enqueueObject(q, { ignoreStatusOnlyUpdates: true });
    h.update!(release('1'), release('2'));
    expect(q.keys).toEqual([]);
    h.update!(release('2'), release('3', { generation: 2 }));
    h.update!(release('3'), release('4', { annotations: { 'serving.tern.dev/promote': 'true' } }));
    expect(q.keys).toEqual(['ml/fraud', 'ml/fraud']);
  });
});

describe('enqueueOwner', () => {
  const owner = { kind: 'ModelRelease', label: 'serving.tern.dev/release' };
  const owned = (rv: string, owner?: string, label?: string): KubernetesObject => ({
    metadata: {
      namespace: 'ml',
      name: 'fraud-canary',
      resourceVersion: rv,
      ...(owner ? { ownerReferences: [{ apiVersion: 'serving.tern.dev/v1alpha1', kind: 'ModelRelease', name: owner, uid: 'u', controller: true }] } : {}),
      ...(label ? { labels: { 'serving.tern.dev/release': label } } : {}),
    },
  });

  it('finds the owner by controller reference, else by release label', () => {
    expect(ownerKey(owned('1', 'fraud'), owner)).toBe('ml/fraud');
    expect(ownerKey(owned('1', undefined, 'spam'), owner)).toBe('ml/spam');
    expect(ownerKey(owned('1'), owner)).toBeUndefined();
  });

  it('queues the owner, and the previous owner when the label moves', () => {
    const q = sink();
    const h = enqueueOwner(q, owner);
    h.add!(owned('1', undefined, 'a'));
    h.update!(owned('1', undefined, 'a'), owned('2', undefined, 'b'));
    h.delete!(owned('2'));
    expect(q.keys).toEqual(['ml/a', 'ml/b', 'ml/a']);
  });
});
