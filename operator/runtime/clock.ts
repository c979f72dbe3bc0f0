/**
 * Time as the runtime sees it: the current instant and one-shot timers. Everything time-based in
 * operator/runtime (the work queue's backoff, leader election, event aggregation, informer restarts)
 * takes a Clock so that tests can drive time by hand (see testing/fake-clock.ts).
 */

/** An opaque handle for a timer started by a {@link Clock}. */
export interface TimerHandle {
  readonly __timer: unique symbol;
}

/** The current time and one-shot timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds (0 or less: on the next turn). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The wall clock and Node's timers. Timers are unref'd so that they never keep a process alive on their own. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return t as unknown as TimerHandle;
  },
  clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout),
};

/** Resolves after `ms` milliseconds of the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
