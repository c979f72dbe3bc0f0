// tern-server's log lines: the shared JSON-line format, and a recurring failure logged at most once per interval.
import { jest } from '@jest/globals';
import { log, rateLimitedLog } from './log.js';

/** The JSON lines written to stderr while `fn` runs. */
function stderrOf(fn: () => void): Array<Record<string, unknown>> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('server log', () => {
  it('writes {time, level, msg, ...fields}, debug included (--log-inputs)', () => {
    const [line] = stderrOf(() => log('debug', 'predict input', { rows: 2 }));
    expect(Object.keys(line!)).toEqual(['time', 'level', 'msg', 'rows']);
    expect(line).toMatchObject({ level: 'debug', msg: 'predict input', rows: 2 });
  });

  it('rateLimitedLog: the first failure at once, then one line per interval saying how many were not logged', () => {
    let t = 0;
    const failed = rateLimitedLog('warn', 'inference failed', 1_000, () => t);
    const lines = stderrOf(() => {
      failed('a');
      t = 500;
      failed('b');
      failed('c');
      t = 1_200;
      failed('d');
    });
    expect(lines.map(({ msg, error, not_logged_since_last }) => ({ msg, error, not_logged_since_last }))).toEqual([
      { msg: 'inference failed', error: 'a', not_logged_since_last: undefined },
      { msg: 'inference failed', error: 'd', not_logged_since_last: 2 },
    ]);
  });
});
