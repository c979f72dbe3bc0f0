/**
 * An in-memory KubeClient with the apiserver's rules that matter to a controller, for unit tests of
 * code above the KubeClient interface (the reconciler's fixture): objects per resource type, uid,
 * resourceVersion (unchanged by a write that changes nothing, as for a server-side apply no-op) and
 * generation (bumped when anything but metadata and status changes), equality label selectors,
 * 404/409 answers as KubeApiError, and a log of every request.
 *
 * Server-side apply is modelled for one field manager: an apply merges its object into the live one
 * (maps key by key, lists replaced whole) after removing the fields its previous apply set and this
 * one no longer sends, so fields other writers set (seeded objects, `edit`) stay. `status` is never
 * changed by an apply of the object, only through the status subresource (`applyStatus`, `patch`).
 * Resource types listed in `missing` answer 404 to every request (a CRD that is not installed).
 *
 * Like the apiserver, every write that changes an object records its writer in metadata.managedFields
 * (manager, operation, time; `tern-operator` for the client's own requests, a name given for `seed`
 * and `edit`), and objects come back with their keys sorted (Go's encoding/json sorts the map keys of
 * custom resources; code that compares by key order must meet that here).
 *
 * Like the apiserver, the resource quantities of Pods and workloads (Deployments, ReplicaSets,
 * StatefulSets, DaemonSets, Jobs: containers' requests and limits, emptyDir sizeLimits) are stored in
 * their canonical form (1024Mi reads back as 1Gi, 1000m as 1), and an invalid one answers 422.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import {
  KubeApiError,
  type ApplyOptions,
  type DeleteOptions,
  type KubeClient,
  type ListOptions,
  type ObjectList,
  type PatchOptions,
} from '../kube-client.js';
import { apiVersionOf, resourceLabel, type ResourceType } from '../resources.js';
import { canonicalQuantity, QuantityError } from '../../api/quantity.js';
import { rewriteObjectQuantities } from '../../desired/pod-quantities.js';

type Json = Record<string, unknown>;

/**
 * A deep copy as JSON (what the apiserver sends). Not structuredClone: under jest its copies come from
 * another realm, and node:util's isDeepStrictEqual (used by the reconciler) then sees different prototypes.
 */
function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** A copy with every map's keys sorted, as the apiserver answers custom resources. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isMap(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
}

/** An object without metadata.managedFields (what a write's no-op check compares). */
function withoutManagedFields(obj: Json): Json {
  const { managedFields: _mf, ...metadata } = (obj['metadata'] ?? {}) as Json;
  return { ...obj, metadata };
}

/** Built-in kinds whose pod quantities the apiserver parses and stores canonical, by API group. */
const POD_KINDS: Readonly<Record<string, readonly string[]>> = { '': ['Pod'], apps: ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'], batch: ['Job'] };

/** `obj` with its pod quantities as the apiserver stores them; a 422 for one it cannot parse. */
function canonicalQuantities(type: ResourceType, obj: Json): Json {
  if (!POD_KINDS[type.group]?.includes(type.kind)) return obj;
  return rewriteObjectQuantities({ ...obj, kind: type.kind }, (text, field) => {
    try {
      return canonicalQuantity(text);
    } catch (err) {
      if (!(err instanceof QuantityError)) throw err;
      throw new KubeApiError(`${type.kind} "${String((obj['metadata'] as Json | undefined)?.['name'])}" is invalid: ${type.kind === 'Pod' ? 'spec' : 'spec.template.spec'}.${field}: ${err.message}`, 422, 'Invalid');
    }
  });
}

/** The field manager of the client's own requests. */
const SELF = 'tern-operator';

/** What a request did, as recorded in {@link MemoryKubeClient.actions}. */
export type ActionVerb = 'get' | 'list' | 'apply' | 'create' | 'update' | 'patch' | 'delete';

/** One request to the fake apiserver. */
export interface Action {
  verb: ActionVerb;
  /** `deployments`, `modelreleases/status`. */
  resource: string;
  kind: string;
  namespace: string | undefined;
  /** Empty for a list. */
  name: string;
  /** The object or patch sent (a copy), for writes. */
  body?: unknown;
  /** True when the request was answered with an error. */
  failed?: boolean;
}

/** Which requests an injected failure answers (every given field must match). */
export interface FailureMatch {
  verb?: ActionVerb;
  /** As in {@link Action.resource}, e.g. `modelreleases/status`. */
  resource?: string;
  kind?: string;
  name?: string;
}

interface Stored {
  type: ResourceType;
  obj: Json;
  /** The body of the last server-side apply per subresource ('' for the object, 'status'). */
  applied: Map<string, Json>;
}

interface Failure {
  match: FailureMatch;
  error: KubeApiError;
  times: number;
}

const WRITES: ReadonlySet<ActionVerb> = new Set(['apply', 'create', 'update', 'patch', 'delete']);

function isMap(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `over` merged into `base`: maps key by key, everything else (lists included) replaced. */
function merge(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return clone(over);
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** `live` without the fields `before` set that `after` does not set (SSA: a manager's dropped fields go). */
function dropUnsent(live: unknown, before: unknown, after: unknown): unknown {
  if (!isMap(live) || !isMap(before)) return live;
  const out: Json = { ...live };
  for (const [k, v] of Object.entries(before)) {
    if (!isMap(after) || !(k in after)) delete out[k];
    else if (isMap(v)) out[k] = dropUnsent(out[k], v, after[k]);
  }
  return out;
}

/** Equality-based selectors (`a=b`, `a==b`, `a!=b`, `a`, `!a`), comma-separated. */
export function matchesLabelSelector(labels: Record<string, string> | undefined, selector: string | undefined): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  return selector.split(',').every((raw) => {
    const term = raw.trim();
    if (term === '') return true;
    if (/\s(in|notin)\s|\(/.test(term)) throw new Error(`memory client: set-based selector "${term}" is not supported`);
    const ne = term.split('!=');
    if (ne.length === 2) return l[ne[0]!.trim()] !== ne[1]!.trim();
    const eq = term.split(/==?/);
    if (eq.length === 2) return l[eq[0]!.trim()] === eq[1]!.trim();
    if (term.startsWith('!')) return !(term.slice(1) in l);
    return term in l;
  });
}

/** A fake apiserver behind the KubeClient interface. */
export class MemoryKubeClient implements KubeClient {
  readonly #objects = new Map<string, Stored>();
  readonly #missing: Set<string>;
  readonly #now: () => Date;
  #failures: Failure[] = [];
  #rv = 1000;
  #uid = 0;
  /** Every request, in the order made. */
  readonly actions: Action[] = [];

  /**
   * @param missing resource types whose every request answers 404 (CRDs not installed)
   * @param now the time written into managedFields (default a fixed instant)
   */
  constructor(options: { missing?: ResourceType[]; now?: () => Date } = {}) {
    this.#missing = new Set((options.missing ?? []).map((t) => t.plural));
    this.#now = options.now ?? (() => new Date('2026-01-01T00:00:00Z'));
  }

  /** The write requests made (apply, create, update, patch, delete), in order. */
  get writes(): Action[] {
    return this.actions.filter((a) => WRITES.has(a.verb));
  }

  /** Answer the next `times` requests matching `match` (Infinity: until `clearFailures`) with `error` (a KubeApiError, or its HTTP status). */
  failNext(match: FailureMatch, error: KubeApiError | number, times = 1): void {
    const err = typeof error === 'number' ? new KubeApiError(`injected failure (HTTP ${error})`, error, error === 409 ? 'Conflict' : 'InternalError') : error;
    this.#failures.push({ match, error: err, times });
  }

  /** Forget every injected failure. */
  clearFailures(): void {
    this.#failures = [];
  }

  /** Create or replace an object as another writer (field manager `manager`) would; returns the stored copy. */
  seed<T extends KubernetesObject>(type: ResourceType, obj: T, manager = 'kubectl'): T {
    const key = this.#key(type, obj.metadata?.namespace, obj.metadata?.name ?? '');
    const existing = this.#objects.get(key);
    const stored = this.#store(type, key, clone(obj) as unknown as Json, existing, manager);
    return clone(stored.obj) as unknown as T;
  }

  /** Change a stored object in place as another writer (field manager `manager`) would: kubectl edit, a controller updating status. */
  edit(type: ResourceType, namespace: string | undefined, name: string, change: (obj: Json) => void, manager = 'kubectl-edit'): void {
    const stored = this.#objects.get(this.#key(type, namespace, name));
    if (!stored) throw new Error(`memory client: no ${type.plural} ${namespace ?? ''}/${name} to edit`);
    const obj = clone(stored.obj);
    change(obj);
    this.#store(type, this.#key(type, namespace, name), obj, stored, manager);
  }

  /** Remove an object without a request being logged (someone else deleted it). */
  remove(type: ResourceType, namespace: string | undefined, name: string): void {
    this.#objects.delete(this.#key(type, namespace, name));
  }

  /** The stored object (a copy), or undefined. */
  peek<T = Json>(type: ResourceType, namespace: string | undefined, name: string): T | undefined {
    const stored = this.#objects.get(this.#key(type, namespace, name));
    return stored ? (clone(stored.obj) as T) : undefined;
  }

  /** Every stored object of `type` (copies), optionally filtered by a label selector. */
  all<T = Json>(type: ResourceType, labelSelector?: string): T[] {
    return [...this.#objects.values()]
      .filter((s) => s.type.plural === type.plural && matchesLabelSelector((s.obj['metadata'] as Json | undefined)?.['labels'] as Record<string, string>, labelSelector))
      .map((s) => clone(s.obj) as T);
  }

  async get<T extends KubernetesObject>(type: ResourceType, namespace: string | undefined, name: string): Promise<T | undefined> {
    this.#request({ verb: 'get', type, namespace, name });
    return this.peek<T>(type, namespace, name);
  }

  async list<T extends KubernetesObject>(type: ResourceType, options: ListOptions = {}): Promise<ObjectList<T>> {
    this.#request({ verb: 'list', type, namespace: options.namespace, name: '' });
    if (options.fieldSelector) throw new Error('memory client: field selectors are not supported');
    const items = this.all<T>(type, options.labelSelector).filter((o) => !options.namespace || o.metadata?.namespace === options.namespace);
    return { items, resourceVersion: String(this.#rv) };
  }

  async apply<T extends KubernetesObject>(type: ResourceType, obj: T, _options?: ApplyOptions): Promise<T> {
    return this.#apply(type, obj, '');
  }

  async applyStatus<T extends KubernetesObject>(type: ResourceType, obj: T, _options?: ApplyOptions): Promise<T> {
    return this.#apply(type, obj, 'status');
  }

  async create<T extends KubernetesObject>(type: ResourceType, obj: T): Promise<T> {
    const { namespace, name } = this.#nameOf(type, obj);
    this.#request({ verb: 'create', type, namespace, name, body: obj });
    const key = this.#key(type, namespace, name);
    if (this.#objects.has(key)) throw new KubeApiError(`create ${type.plural} ${namespace}/${name}: already exists`, 409, 'AlreadyExists');
    return clone(this.#store(type, key, clone(obj) as unknown as Json, undefined, SELF).obj) as unknown as T;
  }

  async update<T extends KubernetesObject>(type: ResourceType, obj: T): Promise<T> {
    const { namespace, name } = this.#nameOf(type, obj);
    this.#request({ verb: 'update', type, namespace, name, body: obj });
    const key = this.#key(type, namespace, name);
    const stored = this.#objects.get(key);
    if (!stored) throw new KubeApiError(`update ${type.plural} ${namespace}/${name}: not found`, 404, 'NotFound');
    const rv = obj.metadata?.resourceVersion;
    if (rv && rv !== (stored.obj['metadata'] as Json)['resourceVersion']) {
      throw new KubeApiError(`update ${type.plural} ${namespace}/${name}: the object has been modified`, 409, 'Conflict');
    }
    const next = { ...(clone(obj) as unknown as Json), ...(stored.obj['status'] !== undefined ? { status: stored.obj['status'] } : {}) };
    return clone(this.#store(type, key, next, stored, SELF).obj) as unknown as T;
  }

  async patch<T extends KubernetesObject>(type: ResourceType, namespace: string | undefined, name: string, patch: unknown, options: PatchOptions = {}): Promise<T> {
    this.#request({ verb: 'patch', type, namespace, name, body: patch, subresource: options.subresource });
    if ((options.patchType ?? 'merge') !== 'merge') throw new Error(`memory client: ${options.patchType} patches are not supported`);
    const key = this.#key(type, namespace, name);
    const stored = this.#objects.get(key);
    if (!stored) throw new KubeApiError(`patch ${type.plural} ${namespace}/${name}: not found`, 404, 'NotFound');
    const body = patch as Json;
    const next = options.subresource === 'status' ? { ...stored.obj, status: merge(stored.obj['status'], body['status']) } : merge(stored.obj, body) as Json;
    return clone(this.#store(type, key, next, stored, SELF).obj) as unknown as T;
  }

  async delete(type: ResourceType, namespace: string | undefined, name: string, _options?: DeleteOptions): Promise<boolean> {
    this.#request({ verb: 'delete', type, namespace, name });
    return this.#objects.delete(this.#key(type, namespace, name));
  }

  #apply<T extends KubernetesObject>(type: ResourceType, obj: T, subresource: '' | 'status'): T {
    const { namespace, name } = this.#nameOf(type, obj);
    this.#request({ verb: 'apply', type, namespace, name, body: obj, subresource });
    const key = this.#key(type, namespace, name);
    const stored = this.#objects.get(key);
    const sent = clone(obj) as unknown as Json;
    if (subresource === 'status') {
      if (!stored) throw new KubeApiError(`apply status of ${type.plural} ${namespace}/${name}: not found`, 404, 'NotFound');
      const before = stored.applied.get('status')?.['status'];
      const status = merge(dropUnsent(stored.obj['status'], before, sent['status']), sent['status']);
      const next = this.#store(type, key, { ...stored.obj, status }, stored, SELF, 'Apply');
      next.applied.set('status', { status: sent['status'] });
      return clone(next.obj) as unknown as T;
    }
    const { status: _ignored, ...owned } = sent;
    const { resourceVersion: _rv, managedFields: _mf, ...metadata } = (owned['metadata'] ?? {}) as Json;
    const body: Json = { ...owned, metadata, apiVersion: owned['apiVersion'] ?? apiVersionOf(type), kind: owned['kind'] ?? type.kind };
    const base = stored ? dropUnsent(stored.obj, stored.applied.get(''), body) : {};
    const next = this.#store(type, key, { ...(merge(base, body) as Json), ...(stored?.obj['status'] !== undefined ? { status: stored.obj['status'] } : {}) }, stored, SELF, 'Apply');
    next.applied.set('', body);
    return clone(next.obj) as unknown as T;
  }

  /**
   * Stores `obj` as the new state of `key` written by `manager`, keeping server metadata: uid,
   * resourceVersion, generation and managedFields as the apiserver sets them, keys sorted.
   */
  #store(type: ResourceType, key: string, written: Json, existing: Stored | undefined, manager: string, operation: 'Apply' | 'Update' = 'Update'): Stored {
    const obj = canonicalQuantities(type, written);
    const meta = { ...((obj['metadata'] ?? {}) as Json) };
    const old = existing?.obj;
    const oldMeta = (old?.['metadata'] ?? {}) as Json;
    meta['uid'] = oldMeta['uid'] ?? meta['uid'] ?? `uid-${++this.#uid}`;
    meta['creationTimestamp'] = oldMeta['creationTimestamp'] ?? meta['creationTimestamp'] ?? '2026-01-01T00:00:00Z';
    meta['generation'] = (oldMeta['generation'] as number | undefined) ?? (meta['generation'] as number | undefined) ?? 1;
    meta['resourceVersion'] = oldMeta['resourceVersion'];
    const managedFields = (oldMeta['managedFields'] ?? []) as Json[];
    delete meta['managedFields'];
    const next: Json = { ...obj, apiVersion: obj['apiVersion'] ?? apiVersionOf(type), kind: obj['kind'] ?? type.kind, metadata: meta };
    if (old && isDeepStrictEqual(next, withoutManagedFields(old))) return existing;
    const specOf = (o: Json | undefined) => {
      if (!o) return undefined;
      const { metadata: _m, status: _s, ...rest } = o;
      return rest;
    };
    if (old && !isDeepStrictEqual(specOf(next), specOf(old))) meta['generation'] = (meta['generation'] as number) + 1;
    meta['resourceVersion'] = String(++this.#rv);
    meta['managedFields'] = [...managedFields.filter((f) => f['manager'] !== manager), { manager, operation, apiVersion: next['apiVersion'], time: this.#now().toISOString() }];
    const stored: Stored = { type, obj: sortKeys(next) as Json, applied: existing?.applied ?? new Map() };
    this.#objects.set(key, stored);
    return stored;
  }

  #request(r: { verb: ActionVerb; type: ResourceType; namespace: string | undefined; name: string; body?: unknown; subresource?: string | undefined }): void {
    const action: Action = {
      verb: r.verb,
      resource: resourceLabel(r.type, r.subresource || undefined),
      kind: r.type.kind,
      namespace: r.namespace,
      name: r.name,
      ...(r.body !== undefined ? { body: clone(r.body) } : {}),
    };
    this.actions.push(action);
    if (this.#missing.has(r.type.plural)) {
      action.failed = true;
      throw new KubeApiError(`${r.verb} ${r.type.plural}: the server could not find the requested resource`, 404, 'NotFound');
    }
    const failure = this.#failures.find((f) => Object.entries(f.match).every(([k, v]) => (action as unknown as Json)[k] === v));
    if (!failure) return;
    if (--failure.times <= 0) this.#failures = this.#failures.filter((f) => f !== failure);
    action.failed = true;
    throw failure.error;
  }

  #nameOf(type: ResourceType, obj: KubernetesObject): { namespace: string | undefined; name: string } {
    const name = obj.metadata?.name;
    if (!name) throw new Error(`memory client: ${type.plural} object has no metadata.name`);
    const namespace = type.namespaced ? obj.metadata?.namespace : undefined;
    if (type.namespaced && !namespace) throw new Error(`memory client: ${type.plural} ${name} has no metadata.namespace`);
    return { namespace, name };
  }

  #key(type: ResourceType, namespace: string | undefined, name: string): string {
    return `${type.plural}|${type.namespaced ? (namespace ?? '') : ''}|${name}`;
  }
}
