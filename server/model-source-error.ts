// Why a model could not be fetched, verified or recognised: a short machine-readable reason (shown first on
// /readyz and in the log), a message with every URL redacted, and whether trying again may help.

/** The reasons, as /readyz shows them. */
export type ModelSourceReason = 'NotFound' | 'DownloadFailed' | 'TooLarge' | 'Sha256Mismatch' | 'NotOnnx' | 'Aborted';

/** A model source failure; `retryable` when a later try may succeed (network errors, timeouts, 5xx, 408, 429). */
export class ModelSourceError extends Error {
  constructor(
    readonly reason: ModelSourceReason,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}
