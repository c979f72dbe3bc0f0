/**
 * Exponential backoff with a cap: the delay policy shared by the work queue (per-key retries), the
 * informer (restarts after a broken watch) and anything else that retries against the apiserver.
 * Pure: a policy maps a failure count to a delay.
 */

/** How retries are spaced: `baseMs * factor^(failures-1)`, capped at `maxMs`, optionally jittered. */
export interface BackoffPolicy {
  /** Delay after the first failure. */
  baseMs: number;
  /** Largest delay. */
  maxMs: number;
  /** Growth per failure (default 2). */
  factor?: number;
  /** Fraction (0–1) of the delay randomised downward to spread retries (default 0). */
  jitter?: number;
}

/** The work queue's default: 500 ms doubling to 5 minutes (like client-go's item exponential limiter, slower start). */
export const DEFAULT_RETRY_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 5 * 60_000, factor: 2 };

/**
 * The delay before retry number `failures` (1 = after the first failure). `random` is injectable for tests.
 */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const factor = policy.factor ?? 2;
  // Exponent capped so that the power never overflows to Infinity for a long-failing key.
  const raw = policy.baseMs * Math.pow(factor, Math.min(failures - 1, 64));
  const capped = Math.min(policy.maxMs, raw);
  const jitter = policy.jitter ?? 0;
  return jitter > 0 ? Math.round(capped * (1 - jitter * random())) : capped;
}
