/**
 * Where leader election keeps its lock: a narrow get/create/update interface over one
 * coordination.k8s.io/v1 Lease, with resourceVersion as the optimistic-concurrency token.
 * KubeLeaseStore is the real one; tests use testing/memory-lease-store.ts (same conflict rules).
 */
import { isConflict, isNotFound, type KubeClient } from './kube-client.js';
import { LEASES } from './resources.js';

/** The fields of a Lease that leader election reads and writes. Times are RFC 3339 (micro) strings. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** A Lease as read: its spec and the resourceVersion an update must carry. */
export interface LeaseRecord {
  spec: LeaseSpec;
  resourceVersion: string;
}

/** Thrown by {@link LeaseStore} when a create finds the lease exists or an update carries a stale resourceVersion. */
export class LeaseConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseConflictError';
  }
}

/** One lease's storage. */
export interface LeaseStore {
  /** A human name for logs (`ns/name`). */
  readonly describe: string;
  /** The lease, or undefined when it does not exist. */
  get(): Promise<LeaseRecord | undefined>;
  /** Creates the lease; LeaseConflictError when it already exists. */
  create(spec: LeaseSpec): Promise<LeaseRecord>;
  /** Replaces the spec if `resourceVersion` is current; LeaseConflictError otherwise. */
  update(spec: LeaseSpec, resourceVersion: string): Promise<LeaseRecord>;
}

interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: LeaseSpec;
}

function toRecord(obj: LeaseObject, what: string): LeaseRecord {
  const rv = obj.metadata?.resourceVersion;
  if (!rv) throw new Error(`lease ${what}: the apiserver answered without a resourceVersion`);
  return { spec: obj.spec ?? {}, resourceVersion: rv };
}

/** A Lease in the cluster, read and written through a KubeClient (writes count as `leases` in tern_api_writes_total). */
export class KubeLeaseStore implements LeaseStore {
  readonly describe: string;
  readonly #client: KubeClient;
  readonly #namespace: string;
  readonly #name: string;

  constructor(client: KubeClient, namespace: string, name: string) {
    this.#client = client;
    this.#namespace = namespace;
    this.#name = name;
    this.describe = `${namespace}/${name}`;
  }

  async get(): Promise<LeaseRecord | undefined> {
    const obj = await this.#client.get<LeaseObject>(LEASES, this.#namespace, this.#name);
    return obj ? toRecord(obj, this.describe) : undefined;
  }

  async create(spec: LeaseSpec): Promise<LeaseRecord> {
    try {
      const obj = await this.#client.create<LeaseObject>(LEASES, {
        metadata: { name: this.#name, namespace: this.#namespace, labels: { 'app.kubernetes.io/managed-by': 'tern-operator' } },
        spec,
      });
      return toRecord(obj, this.describe);
    } catch (err) {
      if (isConflict(err)) throw new LeaseConflictError(`lease ${this.describe} was created by someone else`);
      throw err;
    }
  }

  async update(spec: LeaseSpec, resourceVersion: string): Promise<LeaseRecord> {
    try {
      const obj = await this.#client.update<LeaseObject>(LEASES, {
        metadata: { name: this.#name, namespace: this.#namespace, resourceVersion },
        spec,
      });
      return toRecord(obj, this.describe);
    } catch (err) {
      if (isConflict(err)) throw new LeaseConflictError(`lease ${this.describe} changed since it was read`);
      if (isNotFound(err)) throw new LeaseConflictError(`lease ${this.describe} was deleted`);
      throw err;
    }
  }
}
