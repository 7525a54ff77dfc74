import type { Db } from './db.js';

/** Sign-in sessions of the web UI (migrations 007). Keys are digests of the cookie's secret. */

export interface SessionRow {
  id: string;
  account: string;
  role: string;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export async function insertSession(
  db: Db,
  session: { id: string; account: string; role: string; csrfToken: string; userAgent: string | null; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: session.id,
      account: session.account,
      role: session.role,
      csrf_token: session.csrfToken,
      user_agent: session.userAgent,
      expires_at: session.expiresAt,
    })
    .execute();
}

/** The session with this key, if it has not expired at `now`. */
export async function findSession(db: Db, id: string, now: Date): Promise<SessionRow | undefined> {
  const row = await db
    .selectFrom('sessions')
    .select(['id', 'account', 'role', 'csrf_token', 'created_at', 'last_seen_at', 'expires_at'])
    .where('id', '=', id)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        account: row.account,
        role: row.role,
        csrfToken: row.csrf_token,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        expiresAt: row.expires_at,
      }
    : undefined;
}

/** Records activity and moves the idle expiry on, never past the absolute one. */
export async function touchSession(db: Db, id: string, now: Date, expiresAt: Date): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

/** Ends every session of an account (removed, or its role changed). */
export async function deleteSessionsOf(db: Db, account: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('account', '=', account).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
