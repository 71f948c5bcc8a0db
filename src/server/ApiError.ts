/**
 * An error answered to an HTTP caller: status, machine-readable code, message and the request
 * field it concerns. The server turns every error into `{ "error": { "code", "message", "path" } }`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  /**
   * @param status - HTTP status (4xx: the caller can fix it; 5xx: the server or its model).
   * @param code - stable machine-readable code, for example `invalid_json` or `unknown_task`.
   * @param message - what was wrong and what was expected (never patient content).
   * @param path - the request field concerned (`predictionTime`, `bundle.entry`), or null.
   */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path: string | null = null,
  ) {
    super(message);
  }
}
