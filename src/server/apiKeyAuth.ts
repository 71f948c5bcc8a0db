import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './ApiError.ts';
import { errorBody } from './errorBody.ts';

/**
 * Middleware that requires `Authorization: Bearer <key>` or `x-api-key: <key>`. Keys are compared
 * as SHA-256 digests in constant time, so neither the key's length nor its prefix leaks through
 * response timing.
 *
 * @param key - the expected key (non-empty).
 */
export function apiKeyAuth(key: string): MiddlewareHandler {
  const expected = digest(key);
  return async (c, next) => {
    const auth = c.req.header('authorization');
    const given = auth !== undefined && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : c.req.header('x-api-key');
    if (given === undefined || given === '' || !timingSafeEqual(digest(given), expected)) {
      const err = new ApiError(
        401,
        'unauthorized',
        'this server requires an API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"',
        null,
      );
      return c.json(errorBody(err), 401, { 'WWW-Authenticate': 'Bearer' });
    }
    await next();
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
