/**
 * Quantiles from Prometheus histogram buckets, computed as PromQL's histogram_quantile() does, so that
 * the pods provider and the Prometheus provider agree on latencyP95.
 */

/** One cumulative bucket: `count` observations were <= `le` (seconds). `le` may be Infinity (+Inf). */
export interface HistogramBucket {
  le: number;
  count: number;
}

/**
 * Add buckets of several pods (or several label sets) bucket by bucket (`sum by (le)`).
 * Buckets are matched by their upper bound; the result is sorted by `le`.
 */
export function sumBuckets(...sets: HistogramBucket[][]): HistogramBucket[] {
  const byLe = new Map<number, number>();
  for (const set of sets) for (const b of set) byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.count);
  return [...byLe.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/** The number of observations in a histogram: the count of its +Inf bucket (0 when it has none). */
export function observationCount(buckets: HistogramBucket[]): number {
  const inf = buckets.find((b) => b.le === Infinity);
  return inf ? inf.count : 0;
}

/**
 * The q-quantile (0 <= q <= 1) of cumulative buckets, with PromQL's rules: linear interpolation inside
 * the bucket that holds the rank (the lowest bucket starts at 0 when its bound is positive); a rank in
 * the +Inf bucket answers the highest finite bound. NaN when there is no +Inf bucket, fewer than two
 * buckets, or no observations — "no answer", which the caller turns into Inconclusive.
 */
export function histogramQuantile(q: number, input: HistogramBucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const buckets = [...input].sort((a, b) => a.le - b.le);
  if (buckets.length < 2 || buckets[buckets.length - 1]?.le !== Infinity) return NaN;
  // Counts must not decrease with le; Prometheus fixes small inconsistencies the same way.
  for (let i = 1; i < buckets.length; i++) {
    const prev = buckets[i - 1] as HistogramBucket;
    const cur = buckets[i] as HistogramBucket;
    if (cur.count < prev.count) buckets[i] = { le: cur.le, count: prev.count };
  }
  const total = (buckets[buckets.length - 1] as HistogramBucket).count;
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let i = buckets.findIndex((b) => b.count >= rank);
  if (i < 0) i = buckets.length - 1;
  if (i === buckets.length - 1) return (buckets[buckets.length - 2] as HistogramBucket).le;
  const upper = buckets[i] as HistogramBucket;
  if (i === 0 && upper.le <= 0) return upper.le;
  const lowerLe = i === 0 ? 0 : (buckets[i - 1] as HistogramBucket).le;
  const lowerCount = i === 0 ? 0 : (buckets[i - 1] as HistogramBucket).count;
  const inBucket = upper.count - lowerCount;
  if (inBucket <= 0) return upper.le;
  return lowerLe + (upper.le - lowerLe) * ((rank - lowerCount) / inBucket);
}
