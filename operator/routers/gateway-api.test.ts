// The gatewayAPI router: HTTPRoute backendRefs weights, RequestMirror, create vs adopt.
import type { ModelReleaseSpec } from '../api/model-release-schema.js';
import { newRelease } from '../planner/testing.js';
import { buildHttpRoute, gatewayApiRouter, routeWeights } from './gateway-api.js';
import { routerFor } from './factory.js';

const w = (candidate: number, mirror = 0) => ({ stable: 100 - candidate, candidate, mirror });
const ready = { stable: 2, candidate: 2 };

describe('gatewayAPI router', () => {
  it('writes exact weights to the per-track Services and reads them back', () => {
    const release = newRelease('1.0.0', { spec: { traffic: { router: 'gatewayAPI', gatewayAPI: { parentRefs: [{ name: 'gw' }] } } } });
    const objects = gatewayApiRouter.routingObjects(release, w(5), ready);
    const route = objects.find((o) => o.kind === 'HTTPRoute');
    expect(route?.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route?.metadata.ownerReferences?.[0]?.kind).toBe('ModelRelease');
    expect(route?.spec).toEqual({
      parentRefs: [{ name: 'gw' }],
      rules: [{ backendRefs: [{ name: 'species-stable', port: 80, weight: 95 }, { name: 'species-canary', port: 80, weight: 5 }] }],
    });
    expect(routeWeights(route!, release)).toEqual(w(5));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/species', 'Service/species-stable', 'Service/species-canary', 'HTTPRoute/species']);
  });

  it('adds a RequestMirror filter for a shadow step', () => {
    const release = newRelease('1.0.0', { spec: { traffic: { router: 'gatewayAPI' } } });
    const route = gatewayApiRouter.routingObjects(release, w(0, 30), ready).find((o) => o.kind === 'HTTPRoute')!;
    const rule = (route.spec?.rules as Record<string, unknown>[])[0];
    expect(rule?.filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'species-canary', port: 80 }, percent: 30 } }]);
    expect(routeWeights(route, release)).toEqual(w(0, 30));
  });

  it('adopts a named route without an ownerReference and without parentRefs it was not given', () => {
    const traffic = { router: 'gatewayAPI', gatewayAPI: { httpRouteName: 'public' } } as ModelReleaseSpec['traffic'];
    const release = newRelease('1.0.0', { spec: { traffic } });
    const route = gatewayApiRouter.routingObjects(release, w(0), ready).find((o) => o.kind === 'HTTPRoute')!;
    expect(route.metadata.name).toBe('public');
    expect(route.metadata.ownerReferences).toBeUndefined();
    expect(route.spec).not.toHaveProperty('parentRefs');
    expect(route.metadata.annotations).toBeUndefined();
  });

  it('keeps both tracks at the planned size', () => {
    const planned = { stable: 4, candidate: 4 };
    expect(gatewayApiRouter.scale({ total: 4, planned, weights: w(1), stage: 'canary', ready })).toEqual(planned);
  });

  it('is picked by name; an unknown name is an error naming the known ones', () => {
    expect(routerFor('gatewayAPI')).toBe(gatewayApiRouter);
    expect(() => routerFor('istio')).toThrow('use one of replicas, gatewayAPI');
  });

  it('sends all traffic to the previous track\'s Service during a warm restore', () => {
    const release = newRelease('1.0.0', { spec: { traffic: { router: 'gatewayAPI' } as ModelReleaseSpec['traffic'] } });
    const restore = { stable: 0, candidate: 0, mirror: 0, previous: 100 };
    const route = buildHttpRoute(release, restore);
    expect((route.spec?.rules as { backendRefs: unknown[] }[])[0]?.backendRefs).toEqual([
      { name: 'species-stable', port: 80, weight: 0 },
      { name: 'species-canary', port: 80, weight: 0 },
      { name: 'species-previous', port: 80, weight: 100 },
    ]);
    expect(routeWeights(route, release)).toEqual(restore);
  });
});
