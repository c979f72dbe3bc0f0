/**
 * Leader election on a coordination.k8s.io/v1 Lease, after client-go's leaderelection package
 * (client-node has none). Several operator replicas run an elector each; exactly one leads.
 *
 * - A candidate tries every `retryPeriod` (2 s): create the lease if missing; take it when its
 *   holder is empty (released) or has not renewed for `leaseDuration` (15 s) as observed on *our*
 *   clock (not the holder's renewTime, so clock skew between nodes does not matter).
 * - The leader renews every `retryPeriod`, each write conditional on the resourceVersion it read
 *   (optimistic concurrency: two writers cannot both win). If it cannot renew for `renewDeadline`
 *   (10 s), or sees another holder, it stops leading — before any candidate may take over
 *   (renewDeadline < leaseDuration), so two leaders never act at once.
 * - `stop()` releases the lease (holder cleared, duration 1 s) so a standby takes over within one
 *   retry period instead of waiting for expiry. A killed leader is replaced within
 *   leaseDuration + retryPeriod.
 * After `onStoppedLeading` the elector becomes a candidate again; an operator should stop its work
 * queue there (its view may be stale) and normally exit, as client-go controllers do.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { LeaseConflictError, type LeaseRecord, type LeaseSpec, type LeaseStore } from './lease-store.js';
import { silentLogger, type Logger } from '../../common/log.js';

/** Timing of the election (milliseconds). */
export interface LeaderElectionTiming {
  /** How long a lease is valid after its last renewal as observed by candidates (default 15 s). */
  leaseDurationMs: number;
  /** How long the leader keeps trying to renew before giving up leadership (default 10 s). */
  renewDeadlineMs: number;
  /** Time between attempts (default 2 s). */
  retryPeriodMs: number;
}

/** client-go's defaults. */
export const DEFAULT_LEADER_ELECTION_TIMING: LeaderElectionTiming = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** Options of a {@link LeaderElector}. */
export interface LeaderElectorOptions {
  store: LeaseStore;
  /** This replica's name in the lease (default {@link defaultIdentity}). */
  identity?: string;
  timing?: Partial<LeaderElectionTiming>;
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
  /** Called when the observed holder changes (including to ourselves). */
  onNewLeader?: (identity: string) => void;
  clock?: Clock;
  logger?: Logger;
}

/** `hostname_<8 hex>`: unique per process even when two replicas share a host. */
export function defaultIdentity(): string {
  return `${os.hostname()}_${randomBytes(4).toString('hex')}`;
}

/** RFC 3339 with microseconds, as Kubernetes MicroTime is written. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

type Attempt = 'acquired' | 'held-by-other' | 'failed';

/** Runs leader election for one replica. */
export class LeaderElector {
  readonly identity: string;
  readonly #store: LeaseStore;
  readonly #timing: LeaderElectionTiming;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #onStarted: () => void;
  readonly #onStopped: () => void;
  readonly #onNewLeader: (identity: string) => void;

  #leading = false;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #wake: { handle: TimerHandle; resolve: () => void } | undefined;
  /** The last lease we read or wrote, and when (our clock) we saw it change. */
  #observed: LeaseRecord | undefined;
  #observedAt = 0;
  #lastLeader: string | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#store = options.store;
    this.identity = options.identity ?? defaultIdentity();
    this.#timing = { ...DEFAULT_LEADER_ELECTION_TIMING, ...options.timing };
    if (this.#timing.renewDeadlineMs >= this.#timing.leaseDurationMs) {
      throw new Error('leader election: renewDeadline must be shorter than leaseDuration');
    }
    this.#clock = options.clock ?? realClock;
    this.#log = (options.logger ?? silentLogger).child({ lease: this.#store.describe, identity: this.identity });
    this.#onStarted = options.onStartedLeading ?? (() => undefined);
    this.#onStopped = options.onStoppedLeading ?? (() => undefined);
    this.#onNewLeader = options.onNewLeader ?? (() => undefined);
  }

  /** True while this replica holds the lease. */
  get isLeader(): boolean {
    return this.#leading;
  }

  /** The holder last observed in the lease ('' when released). */
  get observedLeader(): string | undefined {
    return this.#lastLeader;
  }

  /** Starts campaigning (returns at once). */
  start(): void {
    if (this.#loop) return;
    this.#loop = this.#run().catch((err: unknown) => this.#log.error('leader election loop crashed', { err }));
  }

  /**
   * Stops campaigning. A leader releases the lease (holder cleared) so a standby takes over at once,
   * then `onStoppedLeading` is called.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelSleep();
    await this.#loop;
    if (this.#leading) {
      await this.#release();
      this.#setLeading(false);
    }
  }

  /** Stops without releasing the lease, as if the process had died (tests of failover). */
  async abandon(): Promise<void> {
    this.#stopped = true;
    this.#cancelSleep();
    await this.#loop;
    this.#leading = false;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      while (!this.#stopped) {
        if ((await this.#tryAcquireOrRenew()) === 'acquired') break;
        await this.#sleep(this.#timing.retryPeriodMs);
      }
      if (this.#stopped) break;
      this.#setLeading(true);
      let lastRenew = this.#clock.now();
      while (!this.#stopped) {
        await this.#sleep(this.#timing.retryPeriodMs);
        if (this.#stopped) break;
        const left = this.#timing.renewDeadlineMs - (this.#clock.now() - lastRenew);
        const attempt = left > 0 ? await this.#withDeadline(this.#tryAcquireOrRenew(), left) : 'failed';
        if (attempt === 'acquired') {
          lastRenew = this.#clock.now();
          continue;
        }
        if (attempt === 'held-by-other' || this.#clock.now() - lastRenew >= this.#timing.renewDeadlineMs) {
          this.#log.warn('lost the lease', { reason: attempt === 'held-by-other' ? 'another holder' : 'renew deadline passed' });
          break;
        }
      }
      if (this.#stopped) break;
      this.#setLeading(false);
    }
  }

  #setLeading(leading: boolean): void {
    if (this.#leading === leading) return;
    this.#leading = leading;
    this.#log.info(leading ? 'started leading' : 'stopped leading');
    try {
      (leading ? this.#onStarted : this.#onStopped)();
    } catch (err) {
      this.#log.error('leader election callback threw', { err });
    }
  }

  /** One attempt, never throwing: create, renew, or take over an expired or released lease. */
  async #tryAcquireOrRenew(): Promise<Attempt> {
    const now = this.#clock.now();
    const mine: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.#timing.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    try {
      const current = await this.#store.get();
      if (!current) {
        this.#remember(await this.#store.create(mine));
        return 'acquired';
      }
      this.#remember(current);
      const holder = current.spec.holderIdentity ?? '';
      const iHold = holder === this.identity;
      const expired = this.#observedAt + this.#leaseDurationOf(current.spec) <= this.#clock.now();
      if (holder !== '' && !iHold && !expired) return 'held-by-other';
      const next: LeaseSpec = {
        ...mine,
        acquireTime: iHold ? (current.spec.acquireTime ?? mine.acquireTime) : mine.acquireTime,
        leaseTransitions: (current.spec.leaseTransitions ?? 0) + (iHold ? 0 : 1),
      };
      this.#remember(await this.#store.update(next, current.resourceVersion));
      return 'acquired';
    } catch (err) {
      if (err instanceof LeaseConflictError) {
        this.#log.debug('lease write conflicted; someone else wrote first', { err });
      } else {
        this.#log.warn('lease attempt failed', { err });
      }
      return 'failed';
    }
  }

  #leaseDurationOf(spec: LeaseSpec): number {
    return (spec.leaseDurationSeconds ?? this.#timing.leaseDurationMs / 1000) * 1000;
  }

  /** Records a lease read/write; the expiry clock restarts only when the lease actually changed. */
  #remember(record: LeaseRecord): void {
    if (!this.#observed || this.#observed.resourceVersion !== record.resourceVersion) {
      this.#observed = record;
      this.#observedAt = this.#clock.now();
    }
    const holder = record.spec.holderIdentity ?? '';
    if (holder !== this.#lastLeader) {
      this.#lastLeader = holder;
      if (holder) {
        this.#log.info('new leader observed', { leader: holder });
        this.#onNewLeader(holder);
      }
    }
  }

  async #release(): Promise<void> {
    try {
      const current = await this.#store.get();
      if (!current || current.spec.holderIdentity !== this.identity) return;
      const now = this.#clock.now();
      await this.#store.update(
        { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now) },
        current.resourceVersion,
      );
      this.#log.info('released the lease');
    } catch (err) {
      this.#log.warn('could not release the lease; a standby takes over when it expires', { err });
    }
  }

  #withDeadline(attempt: Promise<Attempt>, ms: number): Promise<Attempt> {
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(() => resolve('failed'), ms);
      void attempt.then((a) => {
        this.#clock.clearTimeout(timer);
        resolve(a);
      });
    });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.#clock.setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = { handle, resolve };
    });
  }

  #cancelSleep(): void {
    if (!this.#wake) return;
    this.#clock.clearTimeout(this.#wake.handle);
    this.#wake.resolve();
    this.#wake = undefined;
  }
}
