/**
 * A Clock for tests: time moves only when the test calls `advance`, firing due timers in order.
 * Promise callbacks queued by fired timers are flushed between timers so that async code sees a
 * consistent sequence (a timer that resolves a promise lets its awaiting code run before the next).
 */
import type { Clock, TimerHandle } from '../clock.js';

interface PendingTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** Resolves once microtasks and already-queued macrotasks have run. */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A hand-driven clock. */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: PendingTimer[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.push({ id, at: this.#now + Math.max(0, ms), fn });
    return id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const id = handle as unknown as number;
    this.#timers = this.#timers.filter((t) => t.id !== id);
  }

  /** Number of timers not yet fired. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing each due timer at its own instant, flushing promises after each. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flushPromises();
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t.id !== due.id);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
      await flushPromises();
    }
    this.#now = target;
    await flushPromises();
  }
}
