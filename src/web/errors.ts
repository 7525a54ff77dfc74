import type { Context } from 'hono';
import { RadarError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { asDatabaseUnavailable } from '../store/db-errors.js';

/**
 * The answer to a request that threw, for the pages and the API alike: a RadarError is its
 * status and message; a lost database is a 503 and one log line; a client that went away before
 * its body arrived is one log line and no answer worth writing; anything else is a bug, logged
 * with its stack and answered 500 without details.
 */
export function errorResponse(caught: unknown, c: Context, logger: Logger, asPage: boolean): Response {
  if (clientWentAway(caught, c)) {
    logger.info({ path: c.req.path, method: c.req.method }, 'client went away before the request was read');
    return c.body(null, 400);
  }
  const unavailable = asDatabaseUnavailable(caught);
  if (unavailable) logger.warn({ path: c.req.path, error: (caught as Error).message }, 'request failed: database unavailable');
  const error = unavailable ?? caught;
  if (error instanceof RadarError) {
    if (asPage) return c.text(error.message, error.httpStatus as 400);
    return c.json({ error: error.message }, error.httpStatus as 400);
  }
  logger.error({ err: error, path: c.req.path }, 'request failed');
  return c.json({ error: 'internal error (see the server log)' }, 500);
}

function clientWentAway(error: unknown, c: Context): boolean {
  if (c.req.raw.signal?.aborted) return true;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'ECONNRESET' && message === 'aborted';
}
