// tern-server's logging over the shared JSON-line logger (common/log.ts): `log()` for a one-off line (every
// level is written: --log-inputs lines are debug) and `rateLimitedLog` for a failure that recurs per request.
import { jsonLogger, type LogFields, type LogLevel } from '../common/log.js';

const logger = jsonLogger('debug');

/** Writes one log line. */
export function log(level: LogLevel, msg: string, fields: LogFields = {}): void {
  logger[level](msg, fields);
}

/**
 * A logger for one recurring failure: the first occurrence at once, then at most one line per `intervalMs`
 * with how many were not logged in between (a failing model must not flood the log at the request rate).
 */
export function rateLimitedLog(level: LogLevel, msg: string, intervalMs: number, now: () => number = Date.now): (error: string) => void {
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
