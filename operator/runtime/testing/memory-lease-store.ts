/**
 * An in-memory LeaseStore with the apiserver's optimistic-concurrency rules, for unit tests of
 * leader election (several electors may share one store).
 */
import { LeaseConflictError, type LeaseRecord, type LeaseSpec, type LeaseStore } from '../lease-store.js';

/** An in-memory LeaseStore with the apiserver's conflict rules (tests; several electors may share one). */
export class MemoryLeaseStore implements LeaseStore {
  readonly describe = 'memory/lease';
  #record: LeaseRecord | undefined;
  #version = 0;
  /** Writes seen (create + update). */
  writes = 0;
  /** When set, every call fails with this error (an unreachable apiserver). */
  failWith: Error | undefined;

  async get(): Promise<LeaseRecord | undefined> {
    if (this.failWith) throw this.failWith;
    return this.#record ? { spec: { ...this.#record.spec }, resourceVersion: this.#record.resourceVersion } : undefined;
  }

  async create(spec: LeaseSpec): Promise<LeaseRecord> {
    if (this.failWith) throw this.failWith;
    if (this.#record) throw new LeaseConflictError('exists');
    this.writes++;
    this.#record = { spec: { ...spec }, resourceVersion: String(++this.#version) };
    return this.get() as Promise<LeaseRecord>;
  }

  async update(spec: LeaseSpec, resourceVersion: string): Promise<LeaseRecord> {
    if (this.failWith) throw this.failWith;
    if (!this.#record || this.#record.resourceVersion !== resourceVersion) throw new LeaseConflictError('stale');
    this.writes++;
    this.#record = { spec: { ...spec }, resourceVersion: String(++this.#version) };
    return this.get() as Promise<LeaseRecord>;
  }

  /** The stored spec (assertions). */
  peek(): LeaseSpec | undefined {
    return this.#record?.spec;
  }
}
