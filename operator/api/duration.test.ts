// Durations: the forms the schema admits, in milliseconds.
import { durationMs, parseDurationMs } from './duration.js';

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500], ['30s', 30_000], ['5m', 300_000], ['1h30m', 5_400_000], ['1.5s', 1500], ['0s', 0],
  ])('%s is %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['5', '1d', '-1s', '', '1 m', 's'])('%j is not a duration', (text) => expect(parseDurationMs(text)).toBeUndefined());

  it('durationMs throws with the text', () => expect(() => durationMs('soon')).toThrow('"soon"'));
});
