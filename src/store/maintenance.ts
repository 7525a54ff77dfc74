import { sql } from 'kysely';
import type { Logger } from '../lib/logger.js';
import type { Db } from './db.js';

/** The tables polls and scoring passes rewrite rows of. */
const REWRITTEN = ['items', 'item_events', 'item_week_scores', 'stories'] as const;

/**
 * Vacuums (and analyzes) the tables that scoring rewrites when no autovacuum runs: the embedded
 * database (PGlite, single-user PostgreSQL) has no autovacuum launcher, so without this its
 * dead row versions would pile up for ever, and with them the entries of the GIN index story
 * grouping looks links up in (lookups 16x slower at 100k items). A server's autovacuum does this
 * itself, tuned by its operator; there this does nothing. Autovacuum's own rule decides which
 * table: dead rows over 50 + 20% of the live ones.
 */
export async function vacuumWithoutAutovacuum(db: Db, logger: Logger): Promise<string[]> {
  const launcher = await sql<{ running: boolean }>`
    select exists (select 1 from pg_stat_activity where backend_type = 'autovacuum launcher') as running`.execute(db);
  if (launcher.rows[0]?.running) return [];
  const stats = await sql<{ relname: string; live: string; dead: string }>`
    select relname, n_live_tup as live, n_dead_tup as dead from pg_stat_user_tables
    where schemaname = current_schema() and relname in (${sql.join([...REWRITTEN])})`.execute(db);
  const vacuumed: string[] = [];
  for (const table of stats.rows) {
    const dead = Number(table.dead);
    if (dead <= 50 + 0.2 * Number(table.live)) continue;
    const started = Date.now();
    await sql`vacuum (analyze) ${sql.table(table.relname)}`.execute(db);
    logger.info({ table: table.relname, deadRows: dead, ms: Date.now() - started }, 'vacuumed');
    vacuumed.push(table.relname);
  }
  return vacuumed;
}
