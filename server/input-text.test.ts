// Error messages quote client input bounded and without walking it.
import { describeValue, MAX_ECHO_CHARS, quoteInput } from './input-text.js';

describe('input-text', () => {
  it('quotes short strings whole and cuts long ones', () => {
    expect(quoteInput('NaN')).toBe('"NaN"');
    const long = quoteInput('x'.repeat(10_000_000));
    expect(long).toBe(`"${'x'.repeat(MAX_ECHO_CHARS)}…"`);
  });

  it('describes values by kind without serialising them', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(describeValue(deep)).toBe('an array (of 1)');
    expect(describeValue({ a: deep })).toBe('an object');
    expect([null, true, 1.5, undefined].map(describeValue)).toEqual(['null', 'true', '1.5', 'undefined']);
  });
});
