/**
 * Owned objects edited by someone else. When a field the operator owns differs from what it last applied,
 * and the object changed after that write (its resourceVersion is newer: not just a cache that lags), a
 * person or another controller edited it; the operator sets it back (one write) and says so in an event.
 * When the same object has to be set back `limit` times within `windowMs` (default 3 in 5 min), something
 * keeps fighting over it: the operator stops writing it until the window has passed and reports the
 * release as OwnedObjectContested, naming the other field manager, instead of flapping with it.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { isOlder } from './resource-version.js';

/** Thrown instead of a write to a contested object; its reason names the Synced condition's reason. */
export class OwnedObjectContestedError extends Error {
  readonly reason = 'OwnedObjectContested';
  constructor(message: string) {
    super(message);
    this.name = 'OwnedObjectContestedError';
  }
}

/** The verdict on a write the reconciler is about to make. */
export type WriteKind =
  /** The operator wants something new (or it has no memory of the object): an ordinary write. */
  | { kind: 'change' }
  /** Someone else changed what the operator last applied: a revert, `by` names their field manager. */
  | { kind: 'revert'; by: string };

interface Applied {
  desired: string;
  resourceVersion: string | undefined;
}

/** The most recent field manager of `live` other than `self` (who edited it), or `someone`. */
export function lastOtherManager(live: KubernetesObject | undefined, self = 'tern-operator'): string {
  const entries = (live?.metadata?.managedFields ?? []).filter((f) => f.manager && f.manager !== self);
  entries.sort((a, b) => String(b.time ?? '').localeCompare(String(a.time ?? '')));
  return entries[0]?.manager ?? 'someone';
}

export interface ContestGuardOptions {
  limit?: number;
  windowMs?: number;
}

/** Remembers the operator's last write of each object and counts reverts per object. */
export class ContestGuard {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #applied = new Map<string, Applied>();
  readonly #reverts = new Map<string, number[]>();

  constructor(options: ContestGuardOptions = {}) {
    this.#limit = options.limit ?? 3;
    this.#windowMs = options.windowMs ?? 5 * 60_000;
  }

  /**
   * Before writing `desired` (JSON) over `live` (which differs in an owned field). Throws
   * OwnedObjectContestedError when the object was set back `limit` times within the window. `editor`
   * names who changed it, asked only for a revert (informer caches drop managedFields: it may read).
   */
  async beforeWrite(key: string, what: string, desired: string, live: KubernetesObject | undefined, nowMs: number, editor: () => Promise<string>): Promise<WriteKind> {
    const last = this.#applied.get(key);
    if (!live || !last || last.desired !== desired) return { kind: 'change' };
    const rv = live.metadata?.resourceVersion;
    if (!rv || !last.resourceVersion || rv === last.resourceVersion || isOlder(rv, last.resourceVersion)) return { kind: 'change' };
    const by = await editor();
    const recent = (this.#reverts.get(key) ?? []).filter((t) => nowMs - t < this.#windowMs);
    this.#reverts.set(key, recent);
    if (recent.length >= this.#limit) {
      const again = Math.ceil((this.#windowMs - (nowMs - (recent[0] ?? nowMs))) / 1000);
      throw new OwnedObjectContestedError(
        `${what} keeps being changed by ${by}: tern-operator set its fields back ${recent.length} times in ${Math.round(this.#windowMs / 1000)} s and leaves it alone for ${again} s; stop the other writer (the fields tern-operator applies are its own)`,
      );
    }
    recent.push(nowMs);
    return { kind: 'revert', by };
  }

  /** After a successful write of `desired`; `written` is the apiserver's answer. */
  written(key: string, desired: string, written: KubernetesObject | undefined): void {
    this.#applied.set(key, { desired, resourceVersion: written?.metadata?.resourceVersion });
  }

  /** Forget every object of a release (deleted): keys start with `prefix` (the reconciler uses `<release key>|`). */
  forget(prefix: string): void {
    for (const k of [...this.#applied.keys()]) if (k.startsWith(prefix)) this.#applied.delete(k);
    for (const k of [...this.#reverts.keys()]) if (k.startsWith(prefix)) this.#reverts.delete(k);
  }
}
