/**
 * Cross-site request forgery, refused for every state-changing request that a session cookie
 * would authorise (pages and JSON API alike; bearer tokens are not sent by browsers on their own,
 * so they need none of this):
 *
 * - the Origin header (or, when a browser sends none, the Referer) must be this server's origin;
 * - the body must be JSON or a form: a `text/plain` POST, which a cross-site page can send
 *   without asking, is refused whatever it carries;
 * - the session's CSRF token must come with it, in the X-CSRF-Token header (scripts) or the
 *   `_csrf` field of a form.
 *
 * Pure: the caller reads the request and decides what to answer.
 */

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CsrfRequest {
  method: string;
  /** The URL the server was asked for (its origin is this server's, as the client addressed it). */
  url: string;
  origin: string | undefined;
  referer: string | undefined;
  contentType: string | undefined;
  /** The token sent with the request, from the header or the form. */
  token: string | undefined;
}

/** Why a request is refused, or null when it may go on. */
export function csrfProblem(request: CsrfRequest, expectedToken: string): string | null {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  const own = new URL(request.url).origin;
  const from = request.origin ?? (request.referer ? safeOrigin(request.referer) : undefined);
  if (!from) return 'a state-changing request must say where it comes from (Origin header)';
  if (from !== own) return `cross-origin request refused (from ${from.slice(0, 100)})`;
  const type = (request.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== '' && !['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'].includes(type))
    return `content type ${type.slice(0, 60)} refused: send JSON or a form`;
  if (!request.token || !sameToken(request.token, expectedToken)) return 'missing or wrong CSRF token';
  return null;
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
