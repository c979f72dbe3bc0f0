import { LeaderElector, microTime, defaultIdentity } from './leader-election.js';
import { FakeClock, flushPromises } from './testing/fake-clock.js';
import { MemoryLeaseStore } from './testing/memory-lease-store.js';

interface Candidate {
  elector: LeaderElector;
  events: string[];
}

function candidate(store: MemoryLeaseStore, clock: FakeClock, identity: string): Candidate {
  const events: string[] = [];
  const elector = new LeaderElector({
    store,
    clock,
    identity,
    onStartedLeading: () => events.push(`start@${clock.now()}`),
    onStoppedLeading: () => events.push(`stop@${clock.now()}`),
  });
  return { elector, events };
}

/** Advances in small steps, asserting at every step that at most one elector leads. */
async function advanceChecked(clock: FakeClock, ms: number, electors: LeaderElector[], step = 250): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await clock.advance(Math.min(step, ms - t));
    expect(electors.filter((e) => e.isLeader).length).toBeLessThanOrEqual(1);
  }
}

describe('LeaderElector', () => {
  it('creates the lease, leads, and renews every retry period', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const a = candidate(store, clock, 'a');
    a.elector.start();
    await flushPromises();
    expect(a.elector.isLeader).toBe(true);
    expect(store.peek()).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
    const acquired = store.peek()!.acquireTime;
    await clock.advance(10_000);
    expect(store.writes).toBe(1 + 5);
    expect(store.peek()!.acquireTime).toBe(acquired);
    expect(store.peek()!.renewTime).toBe(microTime(clock.now()));
    await a.elector.stop();
  });

  it('lets exactly one of two candidates lead', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const a = candidate(store, clock, 'a');
    const b = candidate(store, clock, 'b');
    a.elector.start();
    b.elector.start();
    await advanceChecked(clock, 30_000, [a.elector, b.elector]);
    expect([a.elector.isLeader, b.elector.isLeader].filter(Boolean)).toHaveLength(1);
    await a.elector.stop();
    await b.elector.stop();
  });

  it('hands over within one retry period when the leader stops gracefully (lease released)', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const a = candidate(store, clock, 'a');
    a.elector.start();
    await flushPromises();
    const b = candidate(store, clock, 'b');
    b.elector.start();
    await advanceChecked(clock, 5_000, [a.elector, b.elector]);
    expect(b.elector.isLeader).toBe(false);
    const stoppedAt = clock.now();
    await a.elector.stop();
    expect(store.peek()!.holderIdentity).toBe('');
    expect(a.events.at(-1)).toBe(`stop@${stoppedAt}`);
    await advanceChecked(clock, 2_000, [a.elector, b.elector]);
    expect(b.elector.isLeader).toBe(true);
    const startedAt = Number(b.events[0]!.split('@')[1]);
    expect(startedAt - stoppedAt).toBeLessThanOrEqual(2_000);
    expect(store.peek()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await b.elector.stop();
  });

  it('takes over a dead leader within leaseDuration + retryPeriod, never before the lease expires', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const a = candidate(store, clock, 'a');
    a.elector.start();
    await flushPromises();
    const b = candidate(store, clock, 'b');
    b.elector.start();
    await advanceChecked(clock, 4_000, [a.elector, b.elector]);
    const diedAt = clock.now();
    await a.elector.abandon();
    await advanceChecked(clock, 14_000, [b.elector]);
    expect(b.elector.isLeader).toBe(false);
    await advanceChecked(clock, 3_000, [b.elector]);
    expect(b.elector.isLeader).toBe(true);
    const startedAt = Number(b.events[0]!.split('@')[1]);
    expect(startedAt - diedAt).toBeGreaterThanOrEqual(15_000 - 2_000);
    expect(startedAt - diedAt).toBeLessThanOrEqual(15_000 + 2_000);
    await b.elector.stop();
  });

  it('stops leading after the renew deadline when the apiserver is unreachable, before anyone could take over', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const a = candidate(store, clock, 'a');
    a.elector.start();
    await flushPromises();
    const lastRenewAt = clock.now();
    store.failWith = new Error('connection refused');
    await clock.advance(9_000);
    expect(a.elector.isLeader).toBe(true);
    await clock.advance(2_000);
    expect(a.elector.isLeader).toBe(false);
    const stoppedAt = Number(a.events[1]!.split('@')[1]);
    expect(stoppedAt - lastRenewAt).toBeGreaterThanOrEqual(10_000);
    expect(stoppedAt - lastRenewAt).toBeLessThan(15_000);
    await a.elector.stop();
  });

  it('stops leading at once when it sees another holder in the lease', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const a = candidate(store, clock, 'a');
    a.elector.start();
    await flushPromises();
    const rec = (await store.get())!;
    await store.update({ ...rec.spec, holderIdentity: 'intruder' }, rec.resourceVersion);
    await clock.advance(2_000);
    expect(a.elector.isLeader).toBe(false);
    expect(a.events).toHaveLength(2);
    await a.elector.stop();
  });

  it('refuses a renew deadline that is not shorter than the lease', () => {
    expect(
      () => new LeaderElector({ store: new MemoryLeaseStore(), timing: { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 } }),
    ).toThrow(/renewDeadline must be shorter/);
  });

  it('writes MicroTime with six fractional digits and a unique identity', () => {
    expect(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05.678000Z');
    expect(defaultIdentity()).toMatch(/^.+_[0-9a-f]{8}$/);
    expect(defaultIdentity()).not.toBe(defaultIdentity());
  });
});
