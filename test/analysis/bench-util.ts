/**
 * Small helpers the rollback benchmarks share: polling with the last status seen in the error, and
 * min/median/max.
 */
import { eventually as poll } from '../cluster/poll.js';

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** The last status each release showed, for error messages. */
export const lastSeen = new Map<string, unknown>();

/** Polls `probe` (test/cluster/poll.ts); the timeout error carries the last status of every release. */
export const eventually = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs: number): Promise<T> =>
  poll(what, probe, timeoutMs, everyMs, { detail: () => `; last status seen: ${JSON.stringify(Object.fromEntries(lastSeen))}` });

/** min, median and max of `xs` (not empty). */
export function stats(xs: number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number };
}
