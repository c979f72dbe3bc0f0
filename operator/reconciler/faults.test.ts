// The reconciler under control-plane faults, on an in-memory cluster that counts writes: API errors shown
// on the release (condition Synced, rate-limited Warning events), two releases naming one Service,
// hand-made objects in the way, and an owned object someone keeps editing.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Condition, ModelRelease, ModelReleaseSpec } from '../api/model-release-schema.js';
import { KubeApiError } from '../runtime/kube-client.js';
import { newModel } from '../planner/testing.js';
import { MemoryCluster } from './testing.js';

function release(name: string, uid: string, spec: Partial<ModelReleaseSpec> = {}): ModelRelease {
  return { apiVersion: 'serving.tern.dev/v1alpha1', kind: 'ModelRelease', metadata: { name, namespace: 'ml', uid, generation: 1 }, spec: { model: newModel('1.0.0'), ...spec } };
}

const synced = (c: MemoryCluster, name: string): Condition | undefined =>
  (c.get('ModelRelease', 'ml', name) as unknown as ModelRelease).status?.conditions?.find((x) => x.type === 'Synced');

async function settle(c: MemoryCluster, reconcile: () => Promise<unknown>, passes = 1): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (let i = 0; i < passes; i++) await reconcile().catch((err: unknown) => errors.push(err));
  return errors;
}

describe('reconcile errors reach the user', () => {
  it('writes Synced=False once and one Warning event whose series counts the repeats, however often the pass fails', async () => {
    const c = new MemoryCluster();
    c.put(release('fraud', 'uid-f'), 'kubectl');
    c.failWrites.set('deployments', new KubeApiError('deployments.apps "fraud-stable" is forbidden: exceeded quota: compute', 403, 'Forbidden'));
    const { reconciler, recorder } = c.reconciler();
    const errors = await settle(c, () => reconciler.reconcile('ml/fraud'), 10);
    expect(errors).toHaveLength(10);
    expect(synced(c, 'fraud')).toMatchObject({ status: 'False', reason: 'ReconcileError', message: expect.stringContaining('exceeded quota: compute') });
    expect(c.writesOf('modelreleases/status')).toHaveLength(1);
    await c.clock.advance(31_000);
    await recorder.flush();
    expect(c.events.created).toHaveLength(1);
    expect(c.events.created[0]).toMatchObject({ type: 'Warning', reason: 'ReconcileError', regarding: { kind: 'ModelRelease', name: 'fraud', uid: 'uid-f' } });
    expect(c.events.created[0]?.note).toContain('fraud-stable');
    expect(c.events.created[0]?.series?.count).toBe(10);
  });

  it('records a different error at most once a minute, and turns Synced True after a good pass', async () => {
    const c = new MemoryCluster();
    c.put(release('fraud', 'uid-f'), 'kubectl');
    const { reconciler, recorder } = c.reconciler();
    c.failWrites.set('deployments', new KubeApiError('etcdserver: request timed out', 500, 'InternalError'));
    await settle(c, () => reconciler.reconcile('ml/fraud'));
    c.failWrites.set('deployments', new KubeApiError('etcdserver: leader changed', 500, 'InternalError'));
    await settle(c, () => reconciler.reconcile('ml/fraud'));
    await recorder.flush();
    expect(c.events.created.map((e) => e.note)).toEqual([expect.stringContaining('request timed out')]);
    expect(synced(c, 'fraud')?.message).toContain('leader changed'); // the condition always says the latest
    await c.clock.advance(61_000);
    await settle(c, () => reconciler.reconcile('ml/fraud'));
    await recorder.flush();
    expect(c.events.created).toHaveLength(2);
    c.failWrites.clear();
    await reconciler.reconcile('ml/fraud');
    expect(synced(c, 'fraud')).toMatchObject({ status: 'True', reason: 'ReconcileSucceeded' });
    const writes = c.writes.length;
    await reconciler.reconcile('ml/fraud');
    await reconciler.reconcile('ml/fraud');
    expect(c.writes.slice(writes)).toEqual([]); // converged: Synced=True stays without writes
  });

  it('adds no Synced condition to a release that never failed', async () => {
    const c = new MemoryCluster();
    c.put(release('fraud', 'uid-f'), 'kubectl');
    const { reconciler } = c.reconciler();
    await reconciler.reconcile('ml/fraud');
    expect(synced(c, 'fraud')).toBeUndefined();
  });
});

describe('two releases naming one Service', () => {
  it('leaves the Service to its owner and tells the other release, without a single write to it', async () => {
    const c = new MemoryCluster();
    c.put(release('alpha', 'uid-a', { traffic: { serviceName: 'scoring' } as ModelReleaseSpec['traffic'] }), 'kubectl');
    c.put(release('beta', 'uid-b', { traffic: { serviceName: 'scoring' } as ModelReleaseSpec['traffic'] }), 'kubectl');
    const { reconciler } = c.reconciler();
    await reconciler.reconcile('ml/alpha');
    const before = c.get('Service', 'ml', 'scoring');
    expect(before?.metadata?.ownerReferences?.[0]?.uid).toBe('uid-a');
    const errors = await settle(c, async () => {
      await reconciler.reconcile('ml/beta');
    }, 8);
    expect(errors).toHaveLength(8);
    expect(c.writesOf('services ml/scoring')).toHaveLength(1); // alpha's create, nothing from beta
    expect(c.writesOf('ml/beta')).toEqual(['apply modelreleases/status ml/beta']); // not even its own Deployments: all is checked first
    expect(c.get('Service', 'ml', 'scoring')).toEqual(before);
    expect(synced(c, 'beta')).toMatchObject({
      status: 'False',
      reason: 'OwnershipConflict',
      message: 'Service ml/scoring is owned by ModelRelease ml/alpha, not by ModelRelease ml/beta: choose another spec.traffic.serviceName, or delete or rename that object',
    });
    expect(c.writesOf('modelreleases/status ml/beta')).toHaveLength(1); // Synced=False, once
    const alphaWrites = c.writesOf('ml/alpha').length;
    await reconciler.reconcile('ml/alpha');
    expect(c.writesOf('ml/alpha')).toHaveLength(alphaWrites); // the owner is not disturbed either
    expect(synced(c, 'alpha')).toBeUndefined();
  });

  it('never takes over a hand-made Service of that name (one the informers do not see)', async () => {
    const c = new MemoryCluster();
    const handMade: KubernetesObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fraud', namespace: 'ml' }, spec: { selector: { app: 'legacy' } } } as KubernetesObject;
    c.put(handMade, 'kubectl-create');
    c.put(release('fraud', 'uid-f'), 'kubectl');
    const { reconciler } = c.reconciler();
    await settle(c, () => reconciler.reconcile('ml/fraud'), 3);
    expect(c.writesOf('services ml/fraud ')).toHaveLength(0);
    expect(c.writes.filter((w) => w === 'apply services ml/fraud')).toHaveLength(0);
    expect((c.get('Service', 'ml', 'fraud') as { spec?: { selector?: unknown } }).spec?.selector).toEqual({ app: 'legacy' });
    expect(synced(c, 'fraud')).toMatchObject({ reason: 'OwnershipConflict', message: expect.stringContaining('Service ml/fraud exists and is not owned by ModelRelease ml/fraud (made by hand or another tool)') });
  });

  it('two gatewayAPI releases adopting one HTTPRoute: the second is refused', async () => {
    const c = new MemoryCluster();
    const gw = (name: string, uid: string) => release(name, uid, { traffic: { router: 'gatewayAPI', gatewayAPI: { httpRouteName: 'public' } } as ModelReleaseSpec['traffic'] });
    c.put(gw('alpha', 'uid-a'), 'kubectl');
    c.put(gw('beta', 'uid-b'), 'kubectl');
    const { reconciler } = c.reconciler();
    await reconciler.reconcile('ml/alpha');
    expect(c.writesOf('httproutes ml/public')).toHaveLength(1);
    await settle(c, () => reconciler.reconcile('ml/beta'), 4);
    expect(c.writesOf('httproutes ml/public')).toHaveLength(1);
    expect(synced(c, 'beta')).toMatchObject({ reason: 'OwnershipConflict', message: expect.stringContaining('HTTPRoute ml/public is managed by ModelRelease ml/alpha') });
  });
});

describe('an owned object edited by someone else', () => {
  function editSelector(c: MemoryCluster, manager: string): void {
    const svc = c.get('Service', 'ml', 'fraud') as unknown as KubernetesObject & { spec: { selector: Record<string, string> } };
    c.put({ ...svc, spec: { ...svc.spec, selector: { app: 'hand-edited' } } } as KubernetesObject, manager);
  }

  it('is set back with one write and a Warning naming the editor; a fight stops after 3 set-backs in 5 minutes', async () => {
    const c = new MemoryCluster();
    c.put(release('fraud', 'uid-f'), 'kubectl');
    const { reconciler, recorder } = c.reconciler();
    await reconciler.reconcile('ml/fraud');
    const applies = () => c.writes.filter((w) => w === 'apply services ml/fraud').length;
    expect(applies()).toBe(1);

    editSelector(c, 'kubectl-edit');
    await reconciler.reconcile('ml/fraud');
    expect(applies()).toBe(2);
    expect((c.get('Service', 'ml', 'fraud') as { spec: { selector: Record<string, string> } }).spec.selector).toEqual({ 'serving.tern.dev/release': 'fraud', 'serving.tern.dev/track': 'stable' });

    for (let i = 0; i < 6; i++) {
      await c.clock.advance(5_000);
      editSelector(c, 'legacy-controller');
      await settle(c, () => reconciler.reconcile('ml/fraud'));
    }
    expect(applies()).toBe(4); // the create, then 3 set-backs; the next 4 edits are left alone
    expect(synced(c, 'fraud')).toMatchObject({ status: 'False', reason: 'OwnedObjectContested', message: expect.stringContaining('Service ml/fraud keeps being changed by legacy-controller') });
    await recorder.flush();
    expect(c.events.created.filter((e) => e.reason === 'OwnedObjectReverted').map((e) => e.note)).toEqual([
      'Service ml/fraud was changed by kubectl-edit; tern-operator set the fields it owns back',
      'Service ml/fraud was changed by legacy-controller; tern-operator set the fields it owns back',
    ]);

    await c.clock.advance(5 * 60_000);
    await reconciler.reconcile('ml/fraud');
    expect(applies()).toBe(5); // after the window the operator's fields win again
    expect(synced(c, 'fraud')).toMatchObject({ status: 'True', reason: 'ReconcileSucceeded' });
  });

  it('does not count a cache that lags behind the operator\'s own write as an edit', async () => {
    const c = new MemoryCluster();
    c.put(release('fraud', 'uid-f'), 'kubectl');
    const stale = c.reconciler();
    await stale.reconciler.reconcile('ml/fraud');
    const svc = c.get('Service', 'ml', 'fraud');
    const lagging = JSON.parse(JSON.stringify(svc)) as KubernetesObject & { spec: { selector: Record<string, string> } };
    lagging.spec.selector = { old: 'selector' };
    lagging.metadata = { ...lagging.metadata, resourceVersion: '1' };
    const laggingStore = { get: () => lagging };
    const { reconciler, recorder } = c.reconciler({ stores: { releases: c.store('ModelRelease'), owned: new Map([['Deployment', c.store('Deployment')], ['Service', laggingStore as never]]) } });
    for (let i = 0; i < 5; i++) await reconciler.reconcile('ml/fraud');
    await recorder.flush();
    expect(c.events.created.filter((e) => e.reason === 'OwnedObjectReverted')).toHaveLength(0);
    expect(synced(c, 'fraud')).toBeUndefined();
  });
});
