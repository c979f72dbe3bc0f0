// An HTTP error with a status code and a message that tells the client what was wrong.

/** The reason of an HttpError that is a fault of this server (answered 500, counted as an internal error). */
export const INTERNAL_ERROR = 'internal_error';

/** Thrown by request parsing; the route answers `{ error: message }` with `status`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Rejection reason counted in tern_server_rejections_total, when the request was an inference input. */
    readonly reason: string = 'invalid_input',
  ) {
    super(message);
  }
}
