/**
 * Turning thrown values into short sentences. Duck-typed on purpose: errors from fetch (undici) may
 * come from another realm (e.g. under jest's VM modules), where `instanceof Error` is false.
 */

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

const asErrorLike = (err: unknown): ErrorLike | undefined => (typeof err === 'object' && err !== null ? (err as ErrorLike) : undefined);

/** Whether `err` is a fetch timeout or abort (AbortSignal.timeout). */
export function isTimeout(err: unknown): boolean {
  const name = asErrorLike(err)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** A short description: the system error code of a failed connection (ECONNREFUSED), else the message. */
export function describeError(err: unknown): string {
  const e = asErrorLike(err);
  if (!e) return String(err);
  if (isTimeout(err)) return 'timed out';
  const cause = asErrorLike(e.cause);
  if (cause) {
    const code = typeof cause.code === 'string' ? cause.code : undefined;
    const msg = typeof cause.message === 'string' ? cause.message : undefined;
    const own = typeof e.message === 'string' ? e.message : 'failed';
    const detail = code ?? msg;
    // A wrapper that already quotes its cause (the reconciler's "apply error: <cause>") is not repeated.
    if (detail) return own.includes(detail) ? own : `${own}: ${detail}`;
  }
  if (typeof e.code === 'string') return e.code;
  return typeof e.message === 'string' ? e.message : String(err);
}
