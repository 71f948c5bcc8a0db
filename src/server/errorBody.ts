import type { ApiError } from './ApiError.ts';

/** The JSON body of every error response: `{ "error": { "code", "message", "path" } }`. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly path: string | null };
}

/** The error body of an {@link ApiError}. */
export function errorBody(err: ApiError): ErrorBody {
  return { error: { code: err.code, message: err.message, path: err.path } };
}
