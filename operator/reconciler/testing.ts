/**
 * An in-memory cluster for reconciler tests: objects by kind, a KubeClient that applies into it (a
 * resourceVersion per write, managedFields naming the writer) and counts every write, informer-like stores
 * that see only what the operator's informers select, and an EventRecorder whose sink keeps the Events.
 * Not used by the operator itself.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelRelease } from '../api/model-release-schema.js';
import type { MetricsProviders } from '../analysis/factory.js';
import { EventRecorder, type EventSeries, type EventSink, type K8sEvent } from '../runtime/events.js';
import type { KubeClient } from '../runtime/kube-client.js';
import { OperatorMetrics } from './operator-metrics.js';
import type { ResourceType } from '../runtime/resources.js';
import { FakeClock } from '../runtime/testing/fake-clock.js';
import { Reconciler, type ObjectStore, type ReconcilerOptions } from './reconciler.js';

type Obj = KubernetesObject & Record<string, unknown>;

/** A JSON copy (structuredClone's objects come from another realm under jest, and isDeepStrictEqual compares prototypes). */
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A JSON copy with every object's keys sorted, as the apiserver answers custom resources (Go's encoding/json sorts map keys). */
function sortedCopy<T>(v: T): T {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x !== null && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return sort(copy(v)) as T;
}

/** Keeps the Events written, like the apiserver would. */
export class MemoryEventSink implements EventSink {
  readonly created: K8sEvent[] = [];
  readonly seriesUpdates: EventSeries[] = [];
  async create(event: K8sEvent): Promise<void> {
    this.created.push(copy(event));
  }
  async updateSeries(_namespace: string, name: string, series: EventSeries): Promise<boolean> {
    const e = this.created.find((c) => c.metadata.name === name);
    if (!e) return false;
    e.series = series;
    this.seriesUpdates.push(series);
    return true;
  }
}

/** The objects of one cluster and the writes made to them. */
export class MemoryCluster {
  readonly clock = new FakeClock(Date.UTC(2026, 11, 1, 12, 0, 0));
  readonly #objects = new Map<string, Obj>();
  #rv = 100;
  /** Every write request: `verb resource ns/name` (failed ones too). */
  readonly writes: string[] = [];
  /** When set, writes of that resource (plural) throw it. */
  failWrites: Map<string, Error> = new Map();
  readonly events = new MemoryEventSink();

  #key(kind: string, ns: string | undefined, name: string): string {
    return `${kind}/${ns ?? ''}/${name}`;
  }

  get(kind: string, ns: string | undefined, name: string): Obj | undefined {
    return this.#objects.get(this.#key(kind, ns, name));
  }

  /** Stores `obj` as written by `manager` now (a new resourceVersion). */
  put(object: object, manager: string): Obj {
    const obj = object as KubernetesObject;
    const stored = sortedCopy(obj) as Obj;
    const time = new Date(this.clock.now()).toISOString();
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.#rv), managedFields: [...(obj.metadata?.managedFields ?? []).filter((f) => f.manager !== manager), { manager, operation: 'Update', time: time as unknown as Date }] };
    this.#objects.set(this.#key(obj.kind ?? '', obj.metadata?.namespace, obj.metadata?.name ?? ''), stored);
    return stored;
  }

  /**
   * An informer-like store of `kind`, seeing only objects `select` accepts (the operator's label selectors),
   * without managedFields (the operator's informers drop them).
   */
  store<T>(kind: string, select: (o: Obj) => boolean = () => true): ObjectStore<T> {
    return { get: (ns, name) => {
      const o = this.get(kind, ns, name);
      if (!o || !select(o)) return undefined;
      const c = copy(o);
      delete c.metadata?.managedFields;
      return c as unknown as T;
    } };
  }

  /** A KubeClient over this cluster, writing as tern-operator. */
  client(): KubeClient {
    const write = (verb: string, type: ResourceType, obj: KubernetesObject): void => {
      this.writes.push(`${verb} ${type.plural} ${obj.metadata?.namespace}/${obj.metadata?.name}`);
      const fail = this.failWrites.get(type.plural);
      if (fail) throw fail;
    };
    const unsupported = (what: string) => () => Promise.reject(new Error(`MemoryCluster: ${what} is not supported`));
    return {
      get: <T extends KubernetesObject>(type: ResourceType, ns: string | undefined, name: string) => Promise.resolve(this.get(type.kind, ns, name) as T | undefined),
      list: unsupported('list'),
      apply: <T extends KubernetesObject>(type: ResourceType, obj: T) => {
        write('apply', type, obj);
        const old = this.get(type.kind, obj.metadata?.namespace, obj.metadata?.name ?? '');
        return Promise.resolve(this.put({ ...old, ...obj, metadata: { ...old?.metadata, ...obj.metadata } } as KubernetesObject, 'tern-operator') as unknown as T);
      },
      applyStatus: <T extends KubernetesObject>(type: ResourceType, obj: T) => {
        write('apply', { ...type, plural: `${type.plural}/status` }, obj);
        const old = this.get(type.kind, obj.metadata?.namespace, obj.metadata?.name ?? '');
        if (!old) return Promise.reject(new Error('not found'));
        return Promise.resolve(this.put({ ...old, status: (obj as unknown as { status: unknown }).status } as KubernetesObject, 'tern-operator') as unknown as T);
      },
      create: unsupported('create'),
      update: unsupported('update'),
      patch: unsupported('patch'),
      delete: unsupported('delete'),
    };
  }

  /** A Reconciler over this cluster with the operator's informer selections. */
  reconciler(options: Partial<ReconcilerOptions> = {}): { reconciler: Reconciler; recorder: EventRecorder } {
    const owned = (o: Obj) => o.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'tern-operator';
    const recorder = new EventRecorder({ sink: this.events, reportingInstance: 'test', clock: this.clock });
    const noProviders = { for: () => { throw new Error('no measurement expected in this test'); } } as unknown as MetricsProviders;
    const reconciler = new Reconciler({
      client: this.client(),
      stores: {
        releases: this.store<ModelRelease>('ModelRelease'),
        owned: new Map<string, ObjectStore<KubernetesObject>>([
          ['Deployment', this.store('Deployment', owned)],
          ['Service', this.store('Service', owned)],
          ['HTTPRoute', this.store('HTTPRoute', (o) => o.metadata?.labels?.['serving.tern.dev/release'] !== undefined)],
        ]),
      },
      recorder,
      metrics: new OperatorMetrics(),
      providers: noProviders,
      now: () => new Date(this.clock.now()),
      ...options,
    });
    return { reconciler, recorder };
  }

  /** The writes whose text contains `part`. */
  writesOf(part: string): string[] {
    return this.writes.filter((w) => w.includes(part));
  }
}
