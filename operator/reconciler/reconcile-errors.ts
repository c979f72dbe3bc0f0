/**
 * Reconcile errors made visible on the release itself, not only in the log and tern_reconcile_errors_total:
 * - the condition `Synced` (False, reason `OwnershipConflict`, `OwnedObjectContested`, the apiserver's
 *   reason such as `Forbidden`, or `ReconcileError`; the error as its message). It appears with the first failed pass and turns True (`ReconcileSucceeded`)
 *   after the next good one; a release that never failed has none. Written only when it changes, so an
 *   error that repeats (the queue retries with backoff, 0.5 s doubling to 5 min) writes status once.
 * - a Warning event with the same reason and message, rate-limited per release: the same error repeating
 *   joins one Event's series (count; written at most every 30 s by the EventRecorder), and a different
 *   error gets a new Event at most once per `minNewEventMs` (default 60 s); what is skipped is logged.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Condition } from '../api/model-release-schema.js';
import { describeError } from '../analysis/errors.js';
import { setCondition } from '../planner/conditions.js';

/** Reasons an error may carry (an error with a CamelCase `reason` property keeps its own). */
const CAMEL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const MAX_MESSAGE = 1000;

/**
 * The condition and event reason of a thrown value: its own CamelCase `reason`, else that of its `cause`
 * chain (an apply error wraps the apiserver's, e.g. `Forbidden` when RBAC lacks a verb), else ReconcileError.
 */
export function reconcileErrorReason(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const reason = (current as { reason?: unknown }).reason;
    if (typeof reason === 'string' && CAMEL_CASE.test(reason)) return reason;
    current = (current as { cause?: unknown }).cause;
  }
  return 'ReconcileError';
}

/** The condition and event message of a thrown value (one line, bounded). */
export function reconcileErrorMessage(err: unknown): string {
  const text = describeError(err).replace(/\s+/g, ' ').trim() || 'the reconcile failed';
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 3)}...` : text;
}

/** `conditions` with Synced=False for `err`. */
export function syncedFailed(conditions: Condition[] | undefined, err: unknown, now: Date, generation: number | undefined): Condition[] {
  const update = { type: 'Synced' as const, status: 'False' as const, reason: reconcileErrorReason(err), message: reconcileErrorMessage(err) };
  return setCondition(conditions ?? [], update, now, generation);
}

/** `conditions` after a good pass: a Synced condition that was False turns True; absent stays absent. */
export function syncedSucceeded(conditions: Condition[] | undefined, now: Date, generation: number | undefined): Condition[] | undefined {
  const synced = conditions?.find((c) => c.type === 'Synced');
  if (!conditions || !synced || synced.status === 'True') return conditions;
  return setCondition(conditions, { type: 'Synced', status: 'True', reason: 'ReconcileSucceeded', message: `The last reconcile succeeded (it had failed: ${synced.message})` }, now, generation);
}

/**
 * Whether two condition lists say the same (lastTransitionTime included). Key order does not count: the
 * apiserver answers with sorted keys, so a string comparison would see a change on every retry.
 */
export function sameConditions(a: Condition[] | undefined, b: Condition[] | undefined): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? [])), JSON.parse(JSON.stringify(b ?? [])));
}

/**
 * Decides which reconcile-error events to record (per release key): the same message as the last one
 * recorded always goes through (the EventRecorder folds it into that Event's series); a new message
 * only when `minNewEventMs` has passed since the last new one.
 */
export class ErrorEventLimiter {
  readonly #minNewEventMs: number;
  readonly #last = new Map<string, { note: string; at: number }>();

  constructor(minNewEventMs = 60_000) {
    this.#minNewEventMs = minNewEventMs;
  }

  /** True when an event with `note` about release `key` should be recorded at `nowMs`. */
  allow(key: string, note: string, nowMs: number): boolean {
    const last = this.#last.get(key);
    if (last && last.note === note) return true;
    if (last && nowMs - last.at < this.#minNewEventMs) return false;
    this.#last.set(key, { note, at: nowMs });
    return true;
  }

  /** Forget a release (deleted). */
  forget(key: string): void {
    this.#last.delete(key);
  }
}
