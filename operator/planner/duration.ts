/**
 * Go-style durations ("30s", "5m", "1h30m", "500ms") as milliseconds, the way spec.rollout writes them.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in `text`; throws with the offending text when it is not a duration. */
export function durationMs(text: string): number {
  const parts = [...text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`"${text}" is not a duration: write e.g. 30s, 5m, 1h30m or 500ms`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] ?? 's'] ?? 0), 0);
}
