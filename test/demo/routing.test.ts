// The demo gateway's routing decisions: ready EndpointSlice addresses (replicas router) and HTTPRoute
// weights (gatewayAPI router).
import { gatewayPools, pickBackend, readyBackends, replicasPools, type Cursor, type EndpointSliceLike } from './routing.js';

const slice = (service: string, eps: Array<[string, boolean?, boolean?]>, port = 8080): EndpointSliceLike => ({
  metadata: { labels: { 'kubernetes.io/service-name': service } },
  ports: [{ name: 'http', port, protocol: 'TCP' }],
  endpoints: eps.map(([ip, ready, terminating]) => ({ addresses: [ip], conditions: { ...(ready === undefined ? {} : { ready }), ...(terminating ? { terminating } : {}) }, targetRef: { kind: 'Pod', name: `pod-${ip}` } })),
});

describe('readyBackends', () => {
  it('keeps ready (or unset) endpoints of the named Service only, skipping terminating ones', () => {
    const slices = [slice('species', [['198.18.0.2', true], ['198.18.0.3', false], ['198.18.0.4'], ['198.18.0.5', true, true]]), slice('other', [['198.18.0.9', true]])];
    expect(readyBackends(slices, 'species')).toEqual([
      { address: '198.18.0.2', port: 8080, service: 'species', pod: 'pod-198.18.0.2' },
      { address: '198.18.0.4', port: 8080, service: 'species', pod: 'pod-198.18.0.4' },
    ]);
  });
});

describe('pickBackend', () => {
  it('replicas router: round-robin over the ready pods, so the ready-pod split is the traffic split', () => {
    const pools = replicasPools([slice('species', [['10.0.0.1', true], ['10.0.0.2', true], ['10.0.0.3', true], ['10.0.0.4', true]])], 'species');
    const cursor: Cursor = new Map();
    const hits = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const b = pickBackend(pools, Math.random(), cursor);
      hits.set(b?.address ?? 'none', (hits.get(b?.address ?? 'none') ?? 0) + 1);
    }
    expect([...hits.values()]).toEqual([100, 100, 100, 100]);
  });

  it('gatewayAPI router: the HTTPRoute weights decide the Service, whatever the pod counts', () => {
    const slices = [slice('species-stable', [['10.0.0.1', true], ['10.0.0.2', true]]), slice('species-canary', [['10.0.1.1', true], ['10.0.1.2', true]])];
    const route = { spec: { rules: [{ backendRefs: [{ name: 'species-stable', port: 8080, weight: 90 }, { name: 'species-canary', port: 8080, weight: 10 }] }] } };
    const pools = gatewayPools(slices, route);
    const cursor: Cursor = new Map();
    let canary = 0;
    for (let i = 0; i < 1000; i++) if (pickBackend(pools, i / 1000, cursor)?.service === 'species-canary') canary++;
    expect(canary).toBe(100);
  });

  it('no ready pod in the drawn pool, or all weights 0: no backend (the gateway answers 503)', () => {
    const cursor: Cursor = new Map();
    expect(pickBackend(replicasPools([slice('species', [['10.0.0.1', false]])], 'species'), 0.5, cursor)).toBeUndefined();
    const route = { spec: { rules: [{ backendRefs: [{ name: 'a', weight: 0 }] }] } };
    expect(pickBackend(gatewayPools([slice('a', [['10.0.0.1', true]])], route), 0.5, cursor)).toBeUndefined();
  });

  it('a retry goes to another pod of the pool when there is one', () => {
    const pools = replicasPools([slice('species', [['10.0.0.1', true], ['10.0.0.2', true]])], 'species');
    const first = pickBackend(pools, 0, new Map());
    const retry = pickBackend(pools, 0, new Map(), first);
    expect(retry?.address).not.toBe(first?.address);
  });
});
