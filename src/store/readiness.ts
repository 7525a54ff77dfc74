import { sql } from 'kysely';
import type { Db } from './db.js';
import { pendingMigrations } from './migrator.js';

export interface Readiness {
  ok: boolean;
  database: 'reachable' | 'unreachable' | 'timeout';
  /** Migrations not applied yet (empty when the schema is current or the database did not answer). */
  pendingMigrations: string[];
  /** What is wrong, for the probe's answer; never a connection string. */
  error: string | null;
  ms: number;
}

/**
 * Whether this process can do its work: the database answers `select 1` and has every
 * migration applied, within `timeoutMs`. A database that hangs (a server failing over, a full
 * pool) counts as unreachable once the time is up, so the probe answers in bounded time; the
 * query left behind finishes or fails on its own.
 */
export async function checkReadiness(db: Db, timeoutMs: number): Promise<Readiness> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const check = (async () => {
    await sql`select 1`.execute(db);
    return pendingMigrations(db);
  })();
  try {
    const outcome = await Promise.race([check, timeout]);
    const ms = Date.now() - started;
    if (outcome === 'timeout') {
      // The check may still reject later: nobody listens any more.
      check.catch(() => undefined);
      return {
        ok: false,
        database: 'timeout',
        pendingMigrations: [],
        error: `the database did not answer within ${timeoutMs} ms`,
        ms,
      };
    }
    if (outcome.length > 0)
      return {
        ok: false,
        database: 'reachable',
        pendingMigrations: outcome,
        error: `${outcome.length} migration(s) not applied: run \`radar migrate\``,
        ms,
      };
    return { ok: true, database: 'reachable', pendingMigrations: [], error: null, ms };
  } catch (error) {
    return {
      ok: false,
      database: 'unreachable',
      pendingMigrations: [],
      error: (error as Error).message,
      ms: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
  }
}
