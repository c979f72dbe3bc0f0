// The reconciler under control-plane faults, over the in-memory apiserver of the reconciler fixture
// (testing/fixture.ts), counting writes: API errors shown on the release (condition Synced, rate-limited
// Warning events), two releases naming one Service, hand-made objects in the way, and an owned object
// someone keeps editing.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Condition, ModelRelease, ModelReleaseSpec } from '../api/model-release-schema.js';
import { MODEL_RELEASES } from '../api/resource.js';
import { KubeApiError } from '../runtime/kube-client.js';
import { DEPLOYMENTS, SERVICES } from '../runtime/resources.js';
import { newModel } from '../planner/testing.js';
import { newFixture, type ReconcilerFixture } from './testing/fixture.js';

function release(name: string, uid: string, spec: Partial<ModelReleaseSpec> = {}): ModelRelease {
  return { apiVersion: 'serving.tern.dev/v1alpha1', kind: 'ModelRelease', metadata: { name, namespace: 'ml', uid, generation: 1 }, spec: { model: newModel('1.0.0'), ...spec } };
}

const synced = (f: ReconcilerFixture, name: string): Condition | undefined => f.statusOf(name).conditions?.find((x) => x.type === 'Synced');

/** Every write so far (`apply Service scoring`, `apply ModelRelease/status beta`) that `match` accepts. */
const writes = (f: ReconcilerFixture, match: RegExp): string[] => f.allWrites().filter((w) => match.test(w));

/** From now on every apply of a Deployment answers `error`. */
const failDeployments = (f: ReconcilerFixture, error: KubeApiError): void => f.cluster.failNext({ verb: 'apply', resource: 'deployments' }, error, Infinity);

describe('reconcile errors reach the user', () => {
  it('writes Synced=False once and one Warning event whose series counts the repeats, however often the pass fails', async () => {
    const f = newFixture({ release: release('fraud', 'uid-f') });
    failDeployments(f, new KubeApiError('deployments.apps "fraud-stable" is forbidden: exceeded quota: compute', 403, 'Forbidden'));
    const errors = await f.runPasses(10);
    expect(errors).toHaveLength(10);
    expect(synced(f, 'fraud')).toMatchObject({ status: 'False', reason: 'Forbidden', message: expect.stringContaining('exceeded quota: compute') });
    expect(writes(f, /^apply ModelRelease\/status /)).toHaveLength(1);
    await f.advance(31_000);
    await f.flushEvents();
    expect(f.sink.created).toHaveLength(1);
    expect(f.sink.created[0]).toMatchObject({ type: 'Warning', reason: 'Forbidden', regarding: { kind: 'ModelRelease', name: 'fraud', uid: 'uid-f' } });
    expect(f.sink.created[0]?.note).toContain('fraud-stable');
    expect(f.sink.created[0]?.series?.count).toBe(10);
  });

  it('records a different error at most once a minute, and turns Synced True after a good pass', async () => {
    const f = newFixture({ release: release('fraud', 'uid-f') });
    failDeployments(f, new KubeApiError('etcdserver: request timed out', 500, 'InternalError'));
    await f.runPasses(1);
    f.cluster.clearFailures();
    failDeployments(f, new KubeApiError('etcdserver: leader changed', 500, 'InternalError'));
    await f.runPasses(1);
    await f.flushEvents();
    expect(f.sink.created.map((e) => e.note)).toEqual([expect.stringContaining('request timed out')]);
    expect(synced(f, 'fraud')?.message).toContain('leader changed'); // the condition always says the latest
    await f.advance(61_000);
    await f.runPasses(1);
    await f.flushEvents();
    expect(f.sink.created).toHaveLength(2);
    f.cluster.clearFailures();
    await f.run();
    expect(synced(f, 'fraud')).toMatchObject({ status: 'True', reason: 'ReconcileSucceeded' });
    const before = f.allWrites().length;
    await f.run();
    await f.run();
    expect(f.allWrites().slice(before)).toEqual([]); // converged: Synced=True stays without writes
  });

  it('adds no Synced condition to a release that never failed', async () => {
    const f = newFixture({ release: release('fraud', 'uid-f') });
    await f.run();
    expect(synced(f, 'fraud')).toBeUndefined();
  });
});

describe('two releases naming one Service', () => {
  it('leaves the Service to its owner and tells the other release, without a single write to it', async () => {
    const scoring = { traffic: { serviceName: 'scoring' } as ModelReleaseSpec['traffic'] };
    const f = newFixture({ release: release('alpha', 'uid-a', scoring), objects: [[MODEL_RELEASES, release('beta', 'uid-b', scoring) as ModelRelease & KubernetesObject]] });
    await f.run();
    const before = f.object<KubernetesObject>(SERVICES, 'scoring');
    expect(before?.metadata?.ownerReferences?.[0]?.uid).toBe('uid-a');
    const errors = await f.runPasses(8, 'ml/beta');
    expect(errors).toHaveLength(8);
    expect(writes(f, / Service scoring$/)).toEqual(['apply Service scoring']); // alpha's create, nothing from beta
    expect(writes(f, / beta/)).toEqual(['apply ModelRelease/status beta']); // not even its own Deployments: all is checked first
    expect(f.object(SERVICES, 'scoring')).toEqual(before);
    expect(synced(f, 'beta')).toMatchObject({
      status: 'False',
      reason: 'OwnershipConflict',
      message: 'Service ml/scoring is owned by ModelRelease ml/alpha, not by ModelRelease ml/beta: choose another spec.traffic.serviceName, or delete or rename that object',
    });
    const alphaWrites = writes(f, / alpha/).length;
    await f.run();
    expect(writes(f, / alpha/)).toHaveLength(alphaWrites); // the owner is not disturbed either
    expect(synced(f, 'alpha')).toBeUndefined();
  });

  it('never takes over a hand-made Service of that name (one the informers do not see)', async () => {
    const handMade = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fraud', namespace: 'ml' }, spec: { selector: { app: 'legacy' } } } as KubernetesObject;
    const f = newFixture({ release: release('fraud', 'uid-f'), objects: [[SERVICES, handMade]] });
    await f.runPasses(3);
    expect(writes(f, / Service fraud$/)).toEqual([]);
    expect(f.object<{ spec?: { selector?: unknown } }>(SERVICES, 'fraud')?.spec?.selector).toEqual({ app: 'legacy' });
    expect(synced(f, 'fraud')).toMatchObject({ reason: 'OwnershipConflict', message: expect.stringContaining('Service ml/fraud exists and is not owned by ModelRelease ml/fraud (made by hand or another tool)') });
  });

  it('two gatewayAPI releases adopting one HTTPRoute: the second is refused', async () => {
    const gw = (name: string, uid: string) => release(name, uid, { traffic: { router: 'gatewayAPI', gatewayAPI: { httpRouteName: 'public' } } as ModelReleaseSpec['traffic'] });
    const f = newFixture({ release: gw('alpha', 'uid-a'), objects: [[MODEL_RELEASES, gw('beta', 'uid-b') as ModelRelease & KubernetesObject]] });
    await f.run();
    expect(writes(f, / HTTPRoute public$/)).toHaveLength(1);
    await f.runPasses(4, 'ml/beta');
    expect(writes(f, / HTTPRoute public$/)).toHaveLength(1);
    expect(synced(f, 'beta')).toMatchObject({ reason: 'OwnershipConflict', message: expect.stringContaining('HTTPRoute ml/public is managed by ModelRelease ml/alpha') });
  });
});

describe('an owned object edited by someone else', () => {
  const OWN_SELECTOR = { 'serving.tern.dev/release': 'fraud', 'serving.tern.dev/track': 'stable' };

  /** `manager` points the Service at another track (replacing the selector map). */
  function editSelector(f: ReconcilerFixture, manager: string): void {
    f.cluster.edit(SERVICES, 'ml', 'fraud', (svc) => {
      (svc['spec'] as { selector: Record<string, string> }).selector = { ...OWN_SELECTOR, 'serving.tern.dev/track': 'hand-edited' };
    }, manager);
  }

  it('is set back with one write and a Warning naming the editor; a fight stops after 3 set-backs in 5 minutes', async () => {
    const f = newFixture({ release: release('fraud', 'uid-f') });
    await f.run();
    const applies = () => writes(f, /^apply Service fraud$/).length;
    expect(applies()).toBe(1);

    editSelector(f, 'kubectl-edit');
    await f.run();
    expect(applies()).toBe(2);
    expect(f.object<{ spec: { selector: Record<string, string> } }>(SERVICES, 'fraud')?.spec.selector).toEqual(OWN_SELECTOR);

    for (let i = 0; i < 6; i++) {
      await f.advance(5_000);
      editSelector(f, 'legacy-controller');
      await f.runPasses(1);
    }
    expect(applies()).toBe(4); // the create, then 3 set-backs; the next 4 edits are left alone
    expect(synced(f, 'fraud')).toMatchObject({ status: 'False', reason: 'OwnedObjectContested', message: expect.stringContaining('Service ml/fraud keeps being changed by legacy-controller') });
    await f.flushEvents();
    expect(f.sink.created.filter((e) => e.reason === 'OwnedObjectReverted').map((e) => e.note)).toEqual([
      'Service ml/fraud was changed by kubectl-edit; tern-operator set the fields it owns back',
      'Service ml/fraud was changed by legacy-controller; tern-operator set the fields it owns back',
    ]);

    await f.advance(5 * 60_000);
    await f.run();
    expect(applies()).toBe(5); // after the window the operator's fields win again
    expect(synced(f, 'fraud')).toMatchObject({ status: 'True', reason: 'ReconcileSucceeded' });
  });

  it('does not count a cache that lags behind the operator\'s own write as an edit', async () => {
    const f = newFixture({ release: release('fraud', 'uid-f') });
    await f.run();
    const lagging = f.object<KubernetesObject & { spec: { selector: Record<string, string> } }>(SERVICES, 'fraud')!;
    lagging.spec.selector = { old: 'selector' };
    lagging.metadata = { ...lagging.metadata, resourceVersion: '1' };
    delete lagging.metadata.managedFields; // as the informers keep it
    f.restart((stores) => ({ ...stores, owned: new Map([...stores.owned, ['Service', { get: () => lagging }]]) }));
    await f.runPasses(5);
    await f.flushEvents();
    expect(f.sink.created.filter((e) => e.reason === 'OwnedObjectReverted')).toHaveLength(0);
    expect(synced(f, 'fraud')).toBeUndefined();
  });
});

describe('resource quantities the apiserver writes another way', () => {
  const serving = { resources: { requests: { memory: '1024Mi', cpu: '0.5' }, limits: { memory: '1536Mi', cpu: '1000m', 'ephemeral-storage': '2000k' } } } as unknown as ModelReleaseSpec['serving'];

  it('are no edit: a release asking 1024Mi (read back as 1Gi) converges, is never set back and its Deployment stays managed', async () => {
    const f = newFixture({ release: release('fraud', 'uid-f', { serving }) });
    await f.runUntil(() => f.statusOf('fraud').phase === 'Healthy');
    const applies = () => writes(f, /^apply Deployment fraud-stable$/).length;
    const first = applies();
    for (let i = 0; i < 6; i++) {
      // The Deployment controller keeps updating status (a newer resourceVersion each time), as on a cluster.
      await f.advance(5_000);
      f.cluster.edit(DEPLOYMENTS, 'ml', 'fraud-stable', (d) => {
        d['status'] = { ...(d['status'] as object), conditions: [{ type: 'Available', status: 'True', lastUpdateTime: f.now.toISOString() }] };
      }, 'kube-controller-manager');
      await f.runPasses(1);
    }
    expect(applies()).toBe(first);
    await f.flushEvents();
    expect(f.sink.created.filter((e) => e.reason === 'OwnedObjectReverted')).toEqual([]);
    expect(synced(f, 'fraud')).toBeUndefined();
    const container = f.object<{ spec: { template: { spec: { containers: Array<{ resources: unknown }> } } } }>(DEPLOYMENTS, 'fraud-stable')?.spec.template.spec.containers[0];
    expect(container?.resources).toEqual({ requests: { memory: '1Gi', cpu: '500m' }, limits: { memory: '1536Mi', cpu: '1', 'ephemeral-storage': '2M' } });
  });
});
