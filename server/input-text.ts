// How client input appears in error messages: bounded and never walked. A 10 MB string comes back as its
// first characters and "…"; an array or object (however deeply nested) as its kind, never serialised.

/** Most characters of a client string quoted back in an error message. */
export const MAX_ECHO_CHARS = 64;

/** `text` cut after MAX_ECHO_CHARS characters with "…" (for names shown unquoted). */
export function cutInput(text: string): string {
  return text.length > MAX_ECHO_CHARS ? `${text.slice(0, MAX_ECHO_CHARS)}…` : text;
}

/** `text` cut as cutInput does, JSON-quoted. */
export function quoteInput(text: string): string {
  return JSON.stringify(cutInput(text));
}

/** A parsed JSON value for an error message: numbers, booleans and null as written, strings quoted and cut, others by kind. */
export function describeValue(x: unknown): string {
  if (typeof x === 'string') return quoteInput(x);
  if (typeof x === 'number' || typeof x === 'boolean' || x === null || x === undefined) return String(x);
  return Array.isArray(x) ? `an array (of ${x.length})` : 'an object';
}
