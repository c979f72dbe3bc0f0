// The shared polling helper: what it returns, when it stops, and what its errors say.
import { eventually, waitFor } from './poll.js';

describe('eventually', () => {
  it('returns the first value other than undefined; a probe that throws counts as not yet', async () => {
    let calls = 0;
    const value = await eventually('the third call', () => {
      calls += 1;
      if (calls === 1) throw new Error('not listening yet');
      return calls === 3 ? 'ready' : undefined;
    }, 2_000, 1);
    expect({ value, calls }).toEqual({ value: 'ready', calls: 3 });
  });

  it('times out naming what it waited for, how long, the last error and the detail', async () => {
    await expect(
      eventually('the moon', () => {
        throw new Error('connection refused');
      }, 30, 5, { detail: () => '; last status: Pending' }),
    ).rejects.toThrow('timed out after 30 ms waiting for the moon: connection refused; last status: Pending');
  });

  it('stops at once with the reason giveUp gives', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(eventually('a process', () => void (calls += 1), 10_000, 1, { giveUp: () => (calls >= 2 ? 'it exited' : undefined) })).rejects.toThrow(/^it exited$/);
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('waitFor', () => {
  it('resolves once the check is true, and times out while it stays false', async () => {
    let n = 0;
    await waitFor('n to reach 3', () => ++n >= 3, 2_000, 1);
    expect(n).toBe(3);
    await expect(waitFor('never', () => false, 20, 5)).rejects.toThrow('timed out after 20 ms waiting for never');
  });
});
