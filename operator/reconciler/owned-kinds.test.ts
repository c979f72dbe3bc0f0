// The owned kinds: one declaration per kind, every object the reconciler applies has one, and ownedFieldsMatch
// (a converged object is left alone; a dropped selector label or mirror filter is not).
import { newRelease } from '../planner/testing.js';
import { replicasRouter } from '../routers/replicas.js';
import { gatewayApiRouter } from '../routers/gateway-api.js';
import { allRouters } from '../routers/factory.js';
import { SERVICES } from '../runtime/resources.js';
import { toModelRef } from '../planner/models.js';
import { newModel } from '../planner/testing.js';
import { desiredObjects } from './desired-objects.js';
import { gatherOwnedKinds, OWNED_KINDS, ownedFieldsMatch, ownedKind, resourceOf } from './owned-kinds.js';

const w = (candidate: number, mirror = 0) => ({ stable: 100 - candidate, candidate, mirror });
const ready = { stable: 2, candidate: 1 };
/** What the apiserver returns: our fields plus defaults and server metadata. */
const asLive = (o: object) => ({ ...(JSON.parse(JSON.stringify(o)) as object), metadata: { ...(o as { metadata: object }).metadata, resourceVersion: '7', uid: 'x' }, status: {} }) as Record<string, unknown>;

describe('ownedFieldsMatch', () => {
  const release = newRelease();
  it('matches a converged Service and sees a selector that must lose the track label', () => {
    const [idle] = replicasRouter.routingObjects(release, w(0), ready);
    const [live] = replicasRouter.routingObjects(release, w(25), ready);
    expect(ownedFieldsMatch(idle!, asLive(idle!), release)).toBe(true);
    expect(ownedFieldsMatch(live!, asLive(idle!), release)).toBe(false);
  });

  it('sees weight changes and a mirror filter that must go', () => {
    const gw = newRelease('1.0.0', { spec: { traffic: { router: 'gatewayAPI' } } });
    const route = (weights: ReturnType<typeof w>) => gatewayApiRouter.routingObjects(gw, weights, ready).find((o) => o.kind === 'HTTPRoute')!;
    expect(ownedFieldsMatch(route(w(5)), asLive(route(w(5))), gw)).toBe(true);
    expect(ownedFieldsMatch(route(w(25)), asLive(route(w(5))), gw)).toBe(false);
    expect(ownedFieldsMatch(route(w(0)), asLive(route(w(0, 50))), gw)).toBe(false);
  });

  it('reads Deployment quantities by value: 1Gi read back for 1024Mi is no change, 2Gi is', () => {
    const stable = desiredObjects(release, { stable: { model: toModelRef(newModel('1.0.0')), replicas: 2 }, weights: w(0) }, ready, {}).flat().find((o) => o.kind === 'Deployment')!;
    const withMemory = (memory: string) => {
      const obj = JSON.parse(JSON.stringify(stable)) as typeof stable & { spec: { template: { spec: { containers: Array<{ resources: unknown }> } } } };
      obj.spec.template.spec.containers[0]!.resources = { requests: { memory, cpu: '0.5' } };
      return obj;
    };
    expect(ownedFieldsMatch(withMemory('1024Mi'), asLive(withMemory('1Gi')), release)).toBe(true);
    expect(ownedFieldsMatch(withMemory('1Gi'), asLive(withMemory('1073741824')), release)).toBe(true);
    expect(ownedFieldsMatch(withMemory('1024Mi'), asLive(withMemory('2Gi')), release)).toBe(false);
  });

  it('is false when the object does not exist', () => {
    const [svc] = replicasRouter.routingObjects(release, w(0), ready);
    expect(ownedFieldsMatch(svc!, undefined, release)).toBe(false);
  });
});

describe('OWNED_KINDS', () => {
  it.each(allRouters().map((r) => [r.name]))('declares every kind the %s router and the tracks apply', (router) => {
    const release = newRelease('1.1.0', { spec: { traffic: { router } } });
    const model = toModelRef(newModel('1.1.0'));
    const desired = { stable: { model, replicas: 2 }, candidate: { model, replicas: 1 }, previous: { model, replicas: 1 }, weights: { stable: 90, candidate: 10, mirror: 0 } };
    const kinds = new Set(desiredObjects(release, desired, { stable: 2, candidate: 1, previous: 1 }, {}).flat().map((o) => o.kind));
    for (const kind of kinds) expect(OWNED_KINDS.get(kind)?.kind).toBe(kind);
  });

  it('names the fix for a kind nothing declares', () => {
    expect(() => ownedKind('VirtualService')).toThrow('VirtualService is not an owned kind: declare it (desired/owned-kind.ts) in its router\'s ownedKinds');
  });

  it('refuses one kind declared twice', () => {
    const a = { kind: 'Service', resource: SERVICES, labelSelector: 'x' };
    expect(() => gatherOwnedKinds([a, { ...a }])).toThrow('owned kind Service is declared twice');
    expect(gatherOwnedKinds([a, a]).size).toBe(1);
  });

  it('applies each kind through its declared resource', () => {
    const [svc] = replicasRouter.routingObjects(newRelease(), w(0), ready);
    expect(resourceOf(svc!)).toBe(SERVICES);
  });
});
