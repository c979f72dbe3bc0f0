/**
 * The one JSON-line logger of both programs (the operator and tern-server): one JSON object per line on
 * stderr (`{"time","level","msg",...fields}`; an Error field is written as its message), so their logs
 * read the same as local processes, in a pod and in CI. A Logger is passed in everywhere so tests
 * can capture or silence it. common/ is below both programs: it imports nothing of the repository.
 */

/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Key/value context attached to a log line (e.g. `{ key: 'ns/name', err }`). */
export type LogFields = Record<string, unknown>;

/** A structured logger. `child` returns one that adds fields to every line. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function serialise(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  return value;
}

/** A logger writing JSON lines to `write` (stderr by default) at `level` and above. */
export function jsonLogger(
  level: LogLevel = 'info',
  base: LogFields = {},
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields): void => {
    if (ORDER[lvl] < ORDER[level]) return;
    const record: LogFields = { time: new Date().toISOString(), level: lvl, msg, ...base };
    for (const [k, v] of Object.entries(fields ?? {})) record[k] = serialise(v);
    write(JSON.stringify(record));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => jsonLogger(level, { ...base, ...fields }, write),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
