import { backoffDelay, DEFAULT_RETRY_BACKOFF } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from 500 ms and caps at 5 minutes by default', () => {
    const delays = [1, 2, 3, 4, 10, 11, 1000].map((n) => backoffDelay(DEFAULT_RETRY_BACKOFF, n));
    expect(delays).toEqual([500, 1000, 2000, 4000, 256_000, 300_000, 300_000]);
  });

  it('is zero before any failure', () => {
    expect(backoffDelay(DEFAULT_RETRY_BACKOFF, 0)).toBe(0);
  });

  it('jitters downward by at most the jitter fraction', () => {
    const policy = { baseMs: 1000, maxMs: 10_000, jitter: 0.5 };
    expect(backoffDelay(policy, 1, () => 0)).toBe(1000);
    expect(backoffDelay(policy, 1, () => 1)).toBe(500);
  });
});
