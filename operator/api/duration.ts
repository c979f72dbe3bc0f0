/**
 * Durations as ModelRelease manifests write them ("30s", "5m", "1h30m", "500ms"): the subset of Go's
 * time.ParseDuration that DURATION_PATTERN admits, so CEL's duration() in the apiserver and this parser
 * agree on every value the schema lets through.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const COMPONENT = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;
const WHOLE = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/**
 * Milliseconds in a duration string, or undefined when it is not one (e.g. "5", "1d", "-1s").
 * @example parseDurationMs('1h30m') === 5_400_000
 */
export function parseDurationMs(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(COMPONENT)) {
    const [, amount, unit] = match;
    total += Number(amount) * (UNIT_MS[unit as string] as number);
  }
  return total;
}

/** Like parseDurationMs, but throws with the offending text: for values already validated by the schema. */
export function durationMs(text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new Error(`"${text}" is not a duration such as "30s", "5m" or "1h30m"`);
  return ms;
}
