/**
 * Go-style durations ("10s", "1m30s", "500ms") as written in ModelRelease specs, in seconds.
 */

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * Parse a duration such as "10s", "1h30m" or "500ms" into seconds.
 * @throws Error naming the text when it is not a duration.
 */
export function parseDurationSeconds(text: string): number {
  const parts = /^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+$/.test(text) ? text.match(/[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h)/g) : null;
  if (!parts) throw new Error(`"${text}" is not a duration; write e.g. "10s", "1m30s" or "500ms"`);
  let seconds = 0;
  for (const part of parts) {
    const [, amount, unit] = /^([0-9.]+)(ms|s|m|h)$/.exec(part) as RegExpExecArray;
    seconds += Number(amount) * (UNIT_SECONDS[unit as string] as number);
  }
  return seconds;
}
