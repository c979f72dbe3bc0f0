// Waiting for a state instead of asserting a moment: the one polling helper of the tests, the benchmarks and
// the local cluster's tooling (it lives in test/cluster because the tooling compiles that folder alone).
// A probe that throws counts as "not yet"; the timeout error names what was awaited, for how long, and the
// probe's last error.

export interface PollOptions {
  /** Checked after every miss: a reason to stop waiting now (e.g. the awaited process exited), thrown as is. */
  giveUp?: () => string | undefined;
  /** Appended to the timeout error (e.g. the last status seen, or where the log is). */
  detail?: () => string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `everyMs` until it returns a value other than undefined; throws naming `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  everyMs = 250,
  options: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    const reason = options.giveUp?.();
    if (reason !== undefined) throw new Error(reason);
    if (Date.now() >= deadline) {
      const error = last instanceof Error ? `: ${last.message}` : last !== undefined ? `: ${String(last)}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${error}${options.detail?.() ?? ''}`);
    }
    await sleep(Math.max(0, Math.min(everyMs, deadline - Date.now())));
  }
}

/** Polls `check` every `everyMs` until it is true; throws naming `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  everyMs = 100,
  options: PollOptions = {},
): Promise<void> {
  await eventually(what, async () => ((await check()) ? true : undefined), timeoutMs, everyMs, options);
}
