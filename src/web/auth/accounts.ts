import type { Config } from '../../config/config.js';
import type { Principal, Role } from '../../domain/access.js';
import type { Clock } from '../../lib/clock.js';
import { decoyHash, randomId, sameSecret, tokenHash, verifyPassword } from '../../lib/secrets.js';
import type { Db } from '../../store/db.js';
import { deleteExpiredSessions, deleteSession, findSession, insertSession, touchSession } from '../../store/sessions.js';

/**
 * Who a request comes from: a bearer token (the config's tokens, RADAR_API_TOKEN) or a session
 * cookie set at sign-in. Accounts are read from the config at every request, so removing a user
 * or a token, or changing a role, takes effect at once, for sessions already open too.
 */

export const SESSION_COOKIE = 'radar_session';
/** A session ends after this long without a request... */
export const IDLE_MS = 12 * 3_600_000;
/** ... and in any case this long after sign-in. */
export const ABSOLUTE_MS = 7 * 24 * 3_600_000;
/** Activity is written at most this often (not at every request). */
const TOUCH_MS = 5 * 60_000;

export interface AccountsDeps {
  db: Db;
  config: Config;
  clock: Clock;
  /** RADAR_API_TOKEN: one more token, with the editor role, recorded as "automation". */
  apiToken?: string | undefined;
}

export interface SignedIn {
  principal: Principal;
  /** For a session: its key and CSRF token. */
  session?: { id: string; csrfToken: string };
}

/** A bearer token's account, if the token is one radar knows. */
export function tokenAccount(deps: AccountsDeps, token: string): Principal | undefined {
  if (deps.apiToken && sameSecret(token, deps.apiToken)) return { name: 'automation', role: 'editor', via: 'token' };
  const hash = tokenHash(token);
  const found = deps.config.access.tokens.find((t) => sameSecret(t.hash, hash));
  return found ? { name: found.name, role: found.role, via: 'token' } : undefined;
}

/** The signed-in account of a session cookie's secret, if the session lives and its user still exists. */
export async function sessionAccount(deps: AccountsDeps, secret: string): Promise<SignedIn | undefined> {
  const id = tokenHash(secret);
  const now = deps.clock.now();
  const session = await findSession(deps.db, id, now);
  if (!session) return undefined;
  const user = deps.config.access.users.find((u) => u.name.toLowerCase() === session.account.toLowerCase());
  if (!user) {
    await deleteSession(deps.db, id);
    return undefined;
  }
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_MS) {
    const absolute = session.createdAt.getTime() + ABSOLUTE_MS;
    await touchSession(deps.db, id, now, new Date(Math.min(absolute, now.getTime() + IDLE_MS)));
  }
  return {
    principal: { name: user.name, role: user.role as Role, via: 'session' },
    session: { id, csrfToken: session.csrfToken },
  };
}

/**
 * Checks a name and password; the same work is done for an unknown name, so the answer's
 * timing does not tell which names exist.
 */
export async function checkPassword(deps: AccountsDeps, name: string, password: string): Promise<Principal | undefined> {
  const user = deps.config.access.users.find((u) => u.name.toLowerCase() === name.trim().toLowerCase());
  const ok = await verifyPassword(password, user?.password ?? (await decoyHash()));
  return user && ok ? { name: user.name, role: user.role, via: 'session' } : undefined;
}

/** A new session for an account: the cookie's secret (given to the browser only) and the session's CSRF token. */
export async function openSession(
  deps: AccountsDeps,
  principal: Principal,
  userAgent: string | null,
): Promise<{ secret: string; csrfToken: string; maxAgeSeconds: number }> {
  const secret = randomId();
  const csrfToken = randomId();
  const now = deps.clock.now();
  // Sign-ins are rare: the moment to forget sessions that ended.
  await deleteExpiredSessions(deps.db, now);
  await insertSession(deps.db, {
    id: tokenHash(secret),
    account: principal.name,
    role: principal.role,
    csrfToken,
    userAgent: userAgent?.slice(0, 300) ?? null,
    expiresAt: new Date(now.getTime() + IDLE_MS),
  });
  return { secret, csrfToken, maxAgeSeconds: Math.floor(ABSOLUTE_MS / 1000) };
}

export async function closeSession(deps: AccountsDeps, secret: string): Promise<void> {
  await deleteSession(deps.db, tokenHash(secret));
}
