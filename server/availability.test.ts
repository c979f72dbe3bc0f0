import { AvailabilityWindow } from './availability.js';

describe('AvailabilityWindow', () => {
  it('is the non-5xx share of the last window and forgets older requests', () => {
    let now = 1_000_000;
    const w = new AvailabilityWindow(300, () => now);
    expect(w.ratio()).toBe(1);
    for (let i = 0; i < 90; i++) w.record(200);
    for (let i = 0; i < 5; i++) w.record(404);
    for (let i = 0; i < 5; i++) w.record(503);
    expect(w.ratio()).toBeCloseTo(0.95);
    now += 200_000;
    for (let i = 0; i < 100; i++) w.record(200);
    expect(w.ratio()).toBeCloseTo(195 / 200);
    now += 150_000; // the first burst is now older than 300 s
    expect(w.ratio()).toBe(1);
  });
});
