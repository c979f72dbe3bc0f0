// Structured logging: one JSON object per line on stderr (level, time, msg, fields).

type Level = 'debug' | 'info' | 'warn' | 'error';

/** Writes one log line. */
export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })}\n`);
}
