import { FakeClock, flushPromises } from './testing/fake-clock.js';
import { WorkQueue, type ReconcileFn } from './work-queue.js';

/** A reconcile whose calls the test resolves by hand, recording the order of starts. */
function gatedReconcile(): {
  fn: ReconcileFn;
  started: string[];
  release: (key: string, outcome?: { requeueAfterMs?: number } | Error) => void;
  running: () => string[];
} {
  const started: string[] = [];
  const waiting = new Map<string, Array<(o: { requeueAfterMs?: number } | Error | undefined) => void>>();
  const fn: ReconcileFn = (key) => {
    started.push(key);
    return new Promise((resolve, reject) => {
      const list = waiting.get(key) ?? [];
      list.push((o) => (o instanceof Error ? reject(o) : resolve(o)));
      waiting.set(key, list);
    });
  };
  return {
    fn,
    started,
    release: (key, outcome) => {
      const list = waiting.get(key);
      const next = list?.shift();
      if (!next) throw new Error(`no reconcile of ${key} is running`);
      next(outcome);
    },
    running: () => [...waiting.entries()].filter(([, l]) => l.length > 0).map(([k]) => k),
  };
}

describe('WorkQueue', () => {
  it('deduplicates a key added many times before it runs', async () => {
    const calls: string[] = [];
    const q = new WorkQueue({ reconcile: async (k) => void calls.push(k), clock: new FakeClock() });
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    expect(q.depth).toBe(2);
    q.start();
    await flushPromises();
    expect(calls).toEqual(['ns/a', 'ns/b']);
    expect(q.depth).toBe(0);
  });

  it('runs one reconcile per key at a time and re-runs a key added while it was processing', async () => {
    const g = gatedReconcile();
    const q = new WorkQueue({ reconcile: g.fn, concurrency: 4, clock: new FakeClock() });
    q.start();
    q.add('ns/a');
    await flushPromises();
    q.add('ns/a');
    q.add('ns/a');
    await flushPromises();
    expect(g.started).toEqual(['ns/a']);
    expect(g.running()).toEqual(['ns/a']);
    g.release('ns/a');
    await flushPromises();
    expect(g.started).toEqual(['ns/a', 'ns/a']);
    g.release('ns/a');
    await flushPromises();
    expect(g.started).toEqual(['ns/a', 'ns/a']);
    expect(q.processing).toBe(0);
  });

  it('runs different keys concurrently up to the concurrency limit', async () => {
    const g = gatedReconcile();
    const q = new WorkQueue({ reconcile: g.fn, concurrency: 2, clock: new FakeClock() });
    q.start();
    for (const k of ['a', 'b', 'c']) q.add(k);
    await flushPromises();
    expect(g.started).toEqual(['a', 'b']);
    expect(q.depth).toBe(1);
    g.release('b');
    await flushPromises();
    expect(g.started).toEqual(['a', 'b', 'c']);
    g.release('a');
    g.release('c');
    await flushPromises();
    expect(q.processing).toBe(0);
  });

  it('retries a failing key with exponential backoff and resets it after success', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    let failuresLeft = 4;
    const q = new WorkQueue({
      clock,
      retryBackoff: { baseMs: 500, maxMs: 3000, factor: 2 },
      reconcile: async () => {
        times.push(clock.now());
        if (failuresLeft-- > 0) throw new Error('boom');
      },
    });
    const t0 = clock.now();
    q.start();
    q.add('ns/a');
    await flushPromises();
    expect(q.failures('ns/a')).toBe(1);
    await clock.advance(10_000);
    // Runs at 0, +500, +1000, +2000, +3000 (capped): the fifth succeeds.
    expect(times.map((t) => t - t0)).toEqual([0, 500, 1500, 3500, 6500]);
    expect(q.failures('ns/a')).toBe(0);
    expect(q.delayed).toBe(0);
  });

  it('schedules timed requeues; the earliest of several wins', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const q = new WorkQueue({ clock, reconcile: async () => void times.push(clock.now()) });
    const t0 = clock.now();
    q.start();
    q.addAfter('ns/a', 5000);
    q.addAfter('ns/a', 2000);
    q.addAfter('ns/a', 8000);
    expect(q.delayed).toBe(1);
    await clock.advance(10_000);
    expect(times.map((t) => t - t0)).toEqual([2000]);
  });

  it('requeues after the delay a reconcile returns', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const q = new WorkQueue({
      clock,
      reconcile: async () => {
        times.push(clock.now());
        return times.length < 3 ? { requeueAfterMs: 1000 } : {};
      },
    });
    const t0 = clock.now();
    q.start();
    q.add('ns/a');
    await clock.advance(5000);
    expect(times.map((t) => t - t0)).toEqual([0, 1000, 2000]);
  });

  it('cancels a pending timed run when the key runs earlier, so an idle key is not re-run', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const q = new WorkQueue({ clock, reconcile: async () => void runs++ });
    q.start();
    q.addAfter('ns/a', 5000);
    q.add('ns/a');
    await clock.advance(10_000);
    expect(runs).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('holds keys until started', async () => {
    let runs = 0;
    const q = new WorkQueue({ clock: new FakeClock(), reconcile: async () => void runs++ });
    q.add('a');
    await flushPromises();
    expect(runs).toBe(0);
    q.start();
    await flushPromises();
    expect(runs).toBe(1);
  });

  it('stop() waits for in-flight reconciles, drops queued keys and cancels timers', async () => {
    const g = gatedReconcile();
    const clock = new FakeClock();
    const q = new WorkQueue({ reconcile: g.fn, concurrency: 1, clock });
    q.start();
    q.add('a');
    q.add('b');
    q.addAfter('c', 1000);
    await flushPromises();
    let stopped = false;
    const stopping = q.stop().then(() => (stopped = true));
    await flushPromises();
    expect(stopped).toBe(false);
    q.add('d');
    g.release('a');
    await stopping;
    expect(stopped).toBe(true);
    await clock.advance(5000);
    expect(g.started).toEqual(['a']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reports each reconcile and the depth to its observer', async () => {
    const seen: Array<[string, boolean]> = [];
    const depths: number[] = [];
    const q = new WorkQueue({
      clock: new FakeClock(),
      reconcile: async (k) => {
        if (k === 'bad') throw new Error('x');
      },
      observer: {
        onReconciled: (k, _s, err) => seen.push([k, err !== undefined]),
        onDepthChanged: (d) => depths.push(d),
      },
    });
    q.add('good');
    q.add('bad');
    q.start();
    await flushPromises();
    expect(seen).toEqual([
      ['good', false],
      ['bad', true],
    ]);
    expect(depths.slice(0, 2)).toEqual([1, 2]);
    expect(depths.at(-1)).toBe(0);
    await q.stop();
  });
});
