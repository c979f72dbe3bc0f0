import { DriftMonitor, type DriftStats } from './drift-monitor.js';

describe('DriftMonitor', () => {
  it('stays quiet until the window holds min-samples scores, then fires once per episode', () => {
    const alarms: DriftStats[] = [];
    const m = new DriftMonitor(1000, 50, 0.8, 0.1, (s) => alarms.push(s));
    for (let i = 0; i < 49; i++) m.add(0.5);
    expect(m.stats()).toMatchObject({ window_size: 49, active: false, alarms_total: 0 });
    m.add(0.5);
    expect(m.stats()).toMatchObject({ window_size: 50, active: true, alarms_total: 1 });
    m.add(0.5);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.mean).toBeCloseTo(0.5);
  });

  it('fires at exactly the alarm drop despite floating point (0.8 - 0.7 = 0.1)', () => {
    const m = new DriftMonitor(100, 1, 0.8, 0.1);
    m.add(0.7);
    expect(m.stats().active).toBe(true);
    const below = new DriftMonitor(100, 1, 0.8, 0.1);
    below.add(0.7001);
    expect(below.stats().active).toBe(false);
  });

  it('never fires without a baseline (never learnt silently)', () => {
    const m = new DriftMonitor(1000, 50, undefined, 0.1);
    for (let i = 0; i < 200; i++) m.add(0);
    expect(m.stats()).toMatchObject({ baseline: null, active: false, alarms_total: 0, mean: 0 });
  });

  it('rolls the window: old scores leave, the mean recovers, a second drop counts a second alarm', () => {
    const m = new DriftMonitor(100, 50, 0.8, 0.1);
    for (let i = 0; i < 100; i++) m.add(0.6);
    expect(m.stats()).toMatchObject({ active: true, alarms_total: 1, window_size: 100 });
    for (let i = 0; i < 100; i++) m.add(0.8);
    expect(m.stats().mean).toBeCloseTo(0.8, 10);
    expect(m.stats().active).toBe(false);
    for (let i = 0; i < 100; i++) m.add(0.65);
    expect(m.stats()).toMatchObject({ active: true, alarms_total: 2 });
  });

  it('keeps an exact mean over many laps', () => {
    const m = new DriftMonitor(1000, 50, 0.5, 0.1);
    for (let i = 0; i < 25_000; i++) m.add((i % 7) / 10);
    let sum = 0;
    for (let i = 25_000 - 1000; i < 25_000; i++) sum += (i % 7) / 10;
    expect(m.stats().mean).toBeCloseTo(sum / 1000, 12);
  });
});
