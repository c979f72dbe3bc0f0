// BinnedHistogram renders exactly what prom-client's Histogram renders for the same observations.
import { Histogram, Registry } from 'prom-client';
import { BinnedHistogram } from './binned-histogram.js';

const BUCKETS = [0.05, 0.1, 0.2, 0.5, 0.9, 1];

describe('BinnedHistogram', () => {
  it('gives the same exposition text as prom-client Histogram, edges and overflow included', async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const reference = new Histogram({ name: 'x_score', help: 'a score', buckets: BUCKETS, registers: [theirs] });
    const binned = new BinnedHistogram({ name: 'x_score', help: 'a score', buckets: BUCKETS, registers: [ours] });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    // Values that are exact in binary so both sums agree to the bit; bounds themselves fall into their bucket.
    for (const v of [0, 0.125, 0.5, 0.5, 0.75, 1, 1.5, 2, -0.25, 0.0625]) {
      reference.observe(v);
      binned.observe(v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    ours.resetMetrics();
    theirs.resetMetrics();
    binned.observe(0.1);
    reference.observe(0.1);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('refuses non-finite values as prom-client does', () => {
    const h = new BinnedHistogram({ name: 'y', help: 'y', buckets: BUCKETS, registers: [] });
    expect(() => h.observe(NaN)).toThrow(TypeError);
  });
});
