/**
 * Small helpers the rollback benchmarks share: command-line flags, polling with the last status seen
 * in the error, and min/median/max.
 */

/** `--name value` from the command line, else `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** The last status each release showed, for error messages. */
export const lastSeen = new Map<string, unknown>();

/** Poll `probe` every `everyMs` until it gives a value; throws naming `what` and the last statuses seen after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last status seen: ${JSON.stringify(Object.fromEntries(lastSeen))}`);
    await sleep(everyMs);
  }
}

/** min, median and max of `xs` (not empty). */
export function stats(xs: number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number };
}
