// ownedFieldsMatch: a converged object is left alone; a dropped selector label or mirror filter is not.
import { newRelease } from '../planner/testing.js';
import { replicasRouter } from '../routers/replicas.js';
import { gatewayApiRouter } from '../routers/gateway-api.js';
import { ownedFieldsMatch } from './owned-diff.js';

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

  it('is false when the object does not exist', () => {
    const [svc] = replicasRouter.routingObjects(release, w(0), ready);
    expect(ownedFieldsMatch(svc!, undefined, release)).toBe(false);
  });
});
