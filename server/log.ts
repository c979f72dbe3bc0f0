// Structured logging: one JSON object per line on stderr (level, time, msg, fields).

type Level = 'debug' | 'info' | 'warn' | 'error';

/** Writes one log line. */
export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })}\n`);
}

/**
 * A logger for one recurring failure: the first occurrence at once, then at most one line per `intervalMs`
 * with how many were not logged in between (a failing model must not flood the log at the request rate).
 */
export function rateLimitedLog(level: Level, msg: string, intervalMs: number, now: () => number = Date.now): (error: string) => void {
  let last = -Infinity;
  let skipped = 0;
  return (error) => {
    const t = now();
    if (t - last < intervalMs) {
      skipped++;
      return;
    }
    last = t;
    log(level, msg, skipped > 0 ? { error, not_logged_since_last: skipped } : { error });
    skipped = 0;
  };
}
