/**
 * Tells the user about a failed reconcile pass, on the release itself (the rules are in
 * reconcile-errors.ts): a rate-limited Warning event and condition Synced=False, written through /status
 * only when it changes. A failure to say so is only logged: the original error is what the queue retries.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, KIND, type ModelRelease } from '../api/model-release-schema.js';
import type { EventRecorder } from '../runtime/events.js';
import type { KubeClient } from '../runtime/kube-client.js';
import type { Logger } from '../../common/log.js';
import { MODEL_RELEASES } from '../api/resource.js';
import { ErrorEventLimiter, reconcileErrorMessage, reconcileErrorReason, sameConditions, syncedFailed } from './reconcile-errors.js';

/** The ModelRelease as an event's `regarding`. */
export function regardingOf(release: Pick<ModelRelease, 'metadata'>) {
  const { name, namespace, uid } = release.metadata;
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace: namespace ?? 'default', ...(uid ? { uid } : {}) } };
}

export interface ErrorReporterOptions {
  client: KubeClient;
  recorder: EventRecorder;
  logger: Logger;
  /** Least time between two different error events of one release (default 60 s). */
  minNewEventMs?: number;
}

export class ErrorReporter {
  readonly #o: ErrorReporterOptions;
  readonly #limiter: ErrorEventLimiter;

  constructor(options: ErrorReporterOptions) {
    this.#o = options;
    this.#limiter = new ErrorEventLimiter(options.minNewEventMs);
  }

  /** Reports `err` of the pass over `release` (key `namespace/name`); resolves with the release as written, if it was. */
  async report(key: string, release: ModelRelease, err: unknown, now: Date): Promise<ModelRelease | undefined> {
    const reason = reconcileErrorReason(err);
    const message = reconcileErrorMessage(err);
    if (this.#limiter.allow(key, `${reason}: ${message}`, now.getTime())) this.#o.recorder.event(regardingOf(release), 'Warning', reason, message);
    else this.#o.logger.info('reconcile error event skipped (at most one new error event per release per minute)', { release: key, reason });
    const conditions = syncedFailed(release.status?.conditions, err, now, release.metadata.generation);
    if (sameConditions(conditions, release.status?.conditions)) return undefined;
    try {
      const body = { apiVersion: API_VERSION, kind: KIND, metadata: { name: release.metadata.name, namespace: release.metadata.namespace ?? 'default' }, status: { ...(release.status ?? {}), conditions } };
      const written = await this.#o.client.applyStatus<ModelRelease & KubernetesObject>(MODEL_RELEASES, body as unknown as ModelRelease & KubernetesObject);
      return written?.metadata?.resourceVersion ? written : undefined;
    } catch (writeErr) {
      this.#o.logger.warn('could not write condition Synced=False', { release: key, err: writeErr });
      return undefined;
    }
  }

  /** Forget a deleted release. */
  forget(key: string): void {
    this.#limiter.forget(key);
  }
}
