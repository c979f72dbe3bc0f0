import { createMetricsProvider, MetricsProviders } from './factory.js';
import { newModelRelease } from './testing.js';

const deps = { listTrackEndpoints: () => Promise.resolve([]) };

describe('createMetricsProvider', () => {
  it('defaults to pods', () => {
    expect(createMetricsProvider(undefined, deps).type).toBe('pods');
    expect(createMetricsProvider({ type: 'pods' }, deps).type).toBe('pods');
  });
  it('uses the spec address, else the operator default', () => {
    expect(createMetricsProvider({ type: 'prometheus', address: 'http://127.0.0.1:9090' }, deps).type).toBe('prometheus');
    expect(createMetricsProvider({ type: 'prometheus' }, { ...deps, defaultPrometheusAddress: 'http://127.0.0.1:9090' }).type).toBe('prometheus');
  });
  it('answers Error for every check when prometheus has no address', async () => {
    const p = createMetricsProvider({ type: 'prometheus' }, deps);
    const results = await p.measure(newModelRelease(), 'canary', new Date());
    expect(results).toHaveLength(5);
    expect(results.every((r) => r.outcome === 'Error')).toBe(true);
    expect(results[0]?.message).toContain('default/demo: provider type prometheus needs spec.rollout.analysis.provider.address');
  });
});

describe('MetricsProviders', () => {
  it('shares one provider per kind and address', () => {
    const set = new MetricsProviders(deps);
    expect(set.for(undefined)).toBe(set.for({ type: 'pods' }));
    expect(set.for({ type: 'prometheus', address: 'http://a' })).toBe(set.for({ type: 'prometheus', address: 'http://a' }));
    expect(set.for({ type: 'prometheus', address: 'http://a' })).not.toBe(set.for({ type: 'prometheus', address: 'http://b' }));
  });
});
