import { histogramQuantile, observationCount, sumBuckets } from './histogram.js';
import { buckets } from './testing.js';

describe('histogramQuantile (PromQL semantics)', () => {
  const b = buckets([
    [0.1, 50],
    [0.5, 40],
    [1, 0],
    [2.5, 10],
    [Infinity, 0],
  ]);

  it('interpolates linearly inside the bucket that holds the rank', () => {
    // rank 95 of 100 lies in (1, 2.5]: 90 below, 10 inside -> 1 + 1.5 * 5/10
    expect(histogramQuantile(0.95, b)).toBeCloseTo(1.75, 10);
    // rank 50 is exactly the first bucket's count -> its upper bound
    expect(histogramQuantile(0.5, b)).toBeCloseTo(0.1, 10);
    // the lowest bucket starts at 0
    expect(histogramQuantile(0.25, b)).toBeCloseTo(0.05, 10);
  });

  it('answers the highest finite bound when the rank falls in +Inf', () => {
    expect(histogramQuantile(0.95, buckets([[0.1, 1], [Infinity, 99]]))).toBe(0.1);
  });

  it('is NaN without observations, without +Inf, or with a single bucket', () => {
    expect(histogramQuantile(0.95, buckets([[0.1, 0], [Infinity, 0]]))).toBeNaN();
    expect(histogramQuantile(0.95, buckets([[0.1, 3], [1, 3]]))).toBeNaN();
    expect(histogramQuantile(0.95, buckets([[Infinity, 3]]))).toBeNaN();
    expect(histogramQuantile(0.95, [])).toBeNaN();
  });

  it('repairs non-monotonic counts like Prometheus', () => {
    const broken = [
      { le: 0.1, count: 10 },
      { le: 1, count: 8 },
      { le: Infinity, count: 10 },
    ];
    expect(histogramQuantile(0.5, broken)).toBeCloseTo(0.05, 10);
  });

  it('sums pods bucket by bucket before the quantile (not an average of quantiles)', () => {
    const fast = buckets([[0.1, 100], [1, 0], [5, 0], [Infinity, 0]]);
    const slow = buckets([[0.1, 0], [1, 0], [5, 10], [Infinity, 0]]);
    const all = sumBuckets(fast, slow);
    expect(observationCount(all)).toBe(110);
    // rank 104.5: 100 below 1 s, 10 in (1, 5] -> 1 + 4 * 4.5/10
    expect(histogramQuantile(0.95, all)).toBeCloseTo(2.8, 10);
  });
});
