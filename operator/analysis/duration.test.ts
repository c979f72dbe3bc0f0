import { parseDurationSeconds } from './duration.js';

describe('parseDurationSeconds', () => {
  it.each([
    ['10s', 10],
    ['1m30s', 90],
    ['500ms', 0.5],
    ['1h', 3600],
    ['1.5s', 1.5],
  ])('%s is %d s', (text, seconds) => expect(parseDurationSeconds(text)).toBeCloseTo(seconds, 10));

  it('rejects text that is not a duration, naming it', () => {
    expect(() => parseDurationSeconds('10')).toThrow('"10" is not a duration');
    expect(() => parseDurationSeconds('ten seconds')).toThrow(/not a duration/);
  });
});
