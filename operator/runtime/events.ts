/**
 * Kubernetes Events (events.k8s.io/v1) for every transition the operator makes, after client-go's
 * events.EventRecorder:
 * - CamelCase `reason`, a readable sentence as `note` (at most 1 kB), type Normal or Warning,
 *   `regarding` = the ModelRelease (or another object), reportingController
 *   `serving.tern.dev/tern-operator`, reportingInstance = the replica's identity.
 * - Repeats of the same event (same object, type, reason, action and note) within 6 minutes are
 *   aggregated into one Event's `series.count`/`series.lastObservedTime`, written at most once per
 *   30 s per event — a release held by inconclusive analysis does not spam the API.
 * - Recording never throws for API failures and never blocks a reconcile: writes happen in the
 *   background (`flush()` awaits them); failures are logged.
 */
import { randomBytes } from 'node:crypto';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { isNotFound, type KubeClient } from './kube-client.js';
import { microTime } from './leader-election.js';
import { silentLogger, type Logger } from '../../common/log.js';
import { EVENTS } from './resources.js';

/** The reportingController of every operator event. */
export const REPORTING_CONTROLLER = 'serving.tern.dev/tern-operator';

/** Normal for progress, Warning for anything a person should look at. */
export type EventType = 'Normal' | 'Warning';

/** The object an event is about (fields of an ObjectReference). */
export interface EventRegarding {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

/** events.k8s.io/v1 EventSeries. */
export interface EventSeries {
  count: number;
  lastObservedTime: string;
}

/** An events.k8s.io/v1 Event as written. */
export interface K8sEvent {
  apiVersion: 'events.k8s.io/v1';
  kind: 'Event';
  metadata: { name: string; namespace: string };
  eventTime: string;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  note: string;
  type: EventType;
  regarding: { apiVersion?: string; kind?: string; name: string; namespace?: string; uid?: string };
  series?: EventSeries;
}

/** Where events go: create one, or update the series of one already written. */
export interface EventSink {
  create(event: K8sEvent): Promise<void>;
  /** Updates the series; resolves false when the event no longer exists (expired), so a new one is created. */
  updateSeries(namespace: string, name: string, series: EventSeries): Promise<boolean>;
}

/** An EventSink over a KubeClient (writes count as `events` in tern_api_writes_total). */
export class KubeEventSink implements EventSink {
  readonly #client: KubeClient;
  constructor(client: KubeClient) {
    this.#client = client;
  }
  async create(event: K8sEvent): Promise<void> {
    await this.#client.create(EVENTS, event);
  }
  async updateSeries(namespace: string, name: string, series: EventSeries): Promise<boolean> {
    try {
      await this.#client.patch(EVENTS, namespace, name, { series }, { patchType: 'merge' });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}

/** Options of an {@link EventRecorder}. */
export interface EventRecorderOptions {
  sink: EventSink;
  /** This replica's identity (reportingInstance). */
  reportingInstance: string;
  reportingController?: string;
  /** Repeats within this window join a series (default 6 min, as client-go). */
  seriesWindowMs?: number;
  /** Least time between two writes of one series (default 30 s, as client-go). */
  seriesFlushMs?: number;
  clock?: Clock;
  logger?: Logger;
}

interface SeriesState {
  namespace: string;
  name: string;
  count: number;
  writtenCount: number;
  lastObservedAt: number;
  lastWriteAt: number;
  flushTimer: TimerHandle | undefined;
  /** The create request; series updates wait for it. */
  created: Promise<boolean>;
  template: K8sEvent;
}

const CAMEL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const MAX_NOTE_BYTES = 1024;

function truncateNote(note: string): string {
  if (Buffer.byteLength(note) <= MAX_NOTE_BYTES) return note;
  let cut = note.slice(0, MAX_NOTE_BYTES - 3);
  while (Buffer.byteLength(cut) > MAX_NOTE_BYTES - 3) cut = cut.slice(0, -1);
  return cut + '...';
}

/** Records events, aggregating repeats into series. */
export class EventRecorder {
  readonly #sink: EventSink;
  readonly #instance: string;
  readonly #controller: string;
  readonly #windowMs: number;
  readonly #flushMs: number;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #series = new Map<string, SeriesState>();
  readonly #pending = new Set<Promise<unknown>>();
  #lastEviction = 0;

  constructor(options: EventRecorderOptions) {
    this.#sink = options.sink;
    this.#instance = options.reportingInstance;
    this.#controller = options.reportingController ?? REPORTING_CONTROLLER;
    this.#windowMs = options.seriesWindowMs ?? 6 * 60_000;
    this.#flushMs = options.seriesFlushMs ?? 30_000;
    this.#clock = options.clock ?? realClock;
    this.#log = options.logger ?? silentLogger;
  }

  /**
   * Records an event about `regarding`. `reason` must be CamelCase (a programming error throws);
   * `action` says what the operator did or tried (default `Reconcile`).
   */
  event(regarding: EventRegarding, type: EventType, reason: string, note: string, action = 'Reconcile'): void {
    if (!CAMEL_CASE.test(reason)) throw new Error(`event reason "${reason}" must be CamelCase (e.g. CanaryStepStarted)`);
    if (!CAMEL_CASE.test(action)) throw new Error(`event action "${action}" must be CamelCase (e.g. Reconcile)`);
    const name = regarding.metadata?.name;
    const namespace = regarding.metadata?.namespace ?? 'default';
    if (!name) throw new Error(`event ${reason}: the regarding object has no metadata.name`);
    const now = this.#clock.now();
    this.#evictOld(now);
    const text = truncateNote(note);
    const key = JSON.stringify([regarding.metadata?.uid ?? '', regarding.kind ?? '', namespace, name, type, reason, action, text]);
    const existing = this.#series.get(key);
    if (existing && now - existing.lastObservedAt < this.#windowMs) {
      existing.count++;
      existing.lastObservedAt = now;
      this.#scheduleFlush(existing);
      return;
    }
    const event: K8sEvent = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace },
      eventTime: microTime(now),
      reportingController: this.#controller,
      reportingInstance: this.#instance,
      action,
      reason,
      note: text,
      type,
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name,
        namespace: regarding.metadata?.namespace,
        uid: regarding.metadata?.uid,
      },
    };
    const state: SeriesState = {
      namespace,
      name: event.metadata.name,
      count: 1,
      writtenCount: 1,
      lastObservedAt: now,
      lastWriteAt: now,
      flushTimer: undefined,
      created: this.#track(
        this.#sink.create(event).then(
          () => true,
          (err: unknown) => {
            this.#log.warn('could not record event', { reason, regarding: `${namespace}/${name}`, err });
            return false;
          },
        ),
      ),
      template: event,
    };
    this.#series.set(key, state);
  }

  /** Convenience: a Normal event. */
  normal(regarding: EventRegarding, reason: string, note: string, action?: string): void {
    this.event(regarding, 'Normal', reason, note, action);
  }

  /** Convenience: a Warning event. */
  warning(regarding: EventRegarding, reason: string, note: string, action?: string): void {
    this.event(regarding, 'Warning', reason, note, action);
  }

  /** Writes pending series counts now and waits for every write in flight (graceful shutdown, tests). */
  async flush(): Promise<void> {
    for (const state of this.#series.values()) {
      if (state.flushTimer !== undefined) {
        this.#clock.clearTimeout(state.flushTimer);
        state.flushTimer = undefined;
        void this.#track(this.#writeSeries(state));
      }
    }
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #scheduleFlush(state: SeriesState): void {
    if (state.flushTimer !== undefined) return;
    const wait = Math.max(0, state.lastWriteAt + this.#flushMs - this.#clock.now());
    state.flushTimer = this.#clock.setTimeout(() => {
      state.flushTimer = undefined;
      void this.#track(this.#writeSeries(state));
    }, wait);
  }

  async #writeSeries(state: SeriesState): Promise<void> {
    if (state.count === state.writtenCount) return;
    const created = await state.created;
    const count = state.count;
    const series: EventSeries = { count, lastObservedTime: microTime(state.lastObservedAt) };
    state.lastWriteAt = this.#clock.now();
    try {
      const exists = created && (await this.#sink.updateSeries(state.namespace, state.name, series));
      if (!exists) {
        // The first write failed or the event expired: write it again, carrying the series.
        const fresh: K8sEvent = { ...state.template, metadata: { ...state.template.metadata }, series };
        await this.#sink.create(fresh);
        state.created = Promise.resolve(true);
      }
      state.writtenCount = count;
    } catch (err) {
      this.#log.warn('could not update event series', { event: `${state.namespace}/${state.name}`, err });
    }
  }

  #evictOld(now: number): void {
    if (now - this.#lastEviction < 60_000) return;
    this.#lastEviction = now;
    for (const [key, state] of this.#series) {
      if (now - state.lastObservedAt >= this.#windowMs && state.flushTimer === undefined) this.#series.delete(key);
    }
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#pending.add(p);
    p.finally(() => this.#pending.delete(p)).catch(() => undefined);
    return p;
  }
}
