import { bodyLimit } from 'hono/body-limit';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './ApiError.ts';
import { errorBody } from './errorBody.ts';

/**
 * The request-body limit of every route that takes a body (`/v1/*` and the CDS Hooks services):
 * larger bodies get 413 `payload_too_large` in the API's error shape, naming the limit and the
 * `--max-body` option that sets it.
 */
export function payloadLimit(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    // The rest of the body is never read, so the connection closes after the 413: a client that
    // reused it for its next request saw "fetch failed" (a flaky API test under load).
    onError: (c) => {
      c.header('Connection', 'close');
      return c.json(
        errorBody(
          new ApiError(
            413,
            'payload_too_large',
            `request body is larger than the server's limit of ${formatBytes(maxBytes)} (--max-body)`,
            null,
          ),
        ),
        413,
      );
    },
  });
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
