import { type Selectable, sql } from 'kysely';
import type { Db } from './db.js';
import { isDeadHolder } from './leases.js';
import type { SchedulesTable } from './schema.js';

export type ScheduleRow = Selectable<SchedulesTable>;

/**
 * Adds the jobs not scheduled yet, at their first run; a job already scheduled keeps its next
 * run, unless its cron changed and the new one comes sooner.
 */
export async function registerSchedules(
  db: Db,
  entries: ReadonlyArray<{ name: string; cron: string; firstRunAt: Date }>,
): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('schedules')
    .values(entries.map((e) => ({ name: e.name, cron: e.cron, next_run_at: e.firstRunAt })))
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        cron: (eb) => eb.ref('excluded.cron'),
        next_run_at: sql`case when schedules.cron <> excluded.cron then least(schedules.next_run_at, excluded.next_run_at) else schedules.next_run_at end`,
      }),
    )
    .execute();
}

/**
 * Claims up to `limit` of these jobs that are due and claimed by nobody (or by a claim that ran
 * out, or by a dead process of this machine), for `ttlMs`. Rows another process is claiming at
 * this moment are skipped, not waited for: each due job goes to exactly one claimer.
 */
export async function claimDue(
  db: Db,
  names: readonly string[],
  holder: string,
  now: Date,
  ttlMs: number,
  limit: number,
): Promise<ScheduleRow[]> {
  if (names.length === 0 || limit <= 0) return [];
  await freeDeadClaims(db, names);
  const until = new Date(now.getTime() + ttlMs);
  const result = await sql<ScheduleRow>`
    with due as (
      select name from schedules
      where name in (${sql.join(names)}) and next_run_at <= ${now}
        and (claimed_until is null or claimed_until < ${now})
      order by next_run_at
      limit ${limit}
      for update skip locked
    )
    update schedules set claimed_by = ${holder}, claimed_until = ${until}, last_started_at = ${now}
    from due where schedules.name = due.name
    returning schedules.*`.execute(db);
  return result.rows;
}

/** A claim of a process that died on this machine is free at once, not when it runs out. */
async function freeDeadClaims(db: Db, names: readonly string[]): Promise<void> {
  const claimed = await db
    .selectFrom('schedules')
    .select(['name', 'claimed_by'])
    .where('name', 'in', names)
    .where('claimed_by', 'is not', null)
    .execute();
  for (const row of claimed)
    if (row.claimed_by && isDeadHolder(row.claimed_by))
      await db
        .updateTable('schedules')
        .set({ claimed_by: null, claimed_until: null })
        .where('name', '=', row.name)
        .where('claimed_by', '=', row.claimed_by)
        .execute();
}

export async function renewClaim(db: Db, name: string, holder: string, until: Date): Promise<boolean> {
  const result = await db
    .updateTable('schedules')
    .set({ claimed_until: until })
    .where('name', '=', name)
    .where('claimed_by', '=', holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records how the claimed run went and when the job runs next, and frees the claim. */
export async function finishClaim(
  db: Db,
  name: string,
  holder: string,
  outcome: { status: 'succeeded' | 'failed' | 'deferred'; error: string | null; nextRunAt: Date; failures: number; at: Date },
): Promise<void> {
  await db
    .updateTable('schedules')
    .set({
      last_status: outcome.status,
      last_error: outcome.error,
      last_finished_at: outcome.at,
      next_run_at: outcome.nextRunAt,
      failures: outcome.failures,
      claimed_by: null,
      claimed_until: null,
    })
    .where('name', '=', name)
    .where('claimed_by', '=', holder)
    .execute();
}

/** Frees this holder's claims (a clean stop), leaving their next runs as they are. */
export async function releaseClaims(db: Db, holder: string): Promise<void> {
  await db.updateTable('schedules').set({ claimed_by: null, claimed_until: null }).where('claimed_by', '=', holder).execute();
}

export async function listSchedules(db: Db): Promise<ScheduleRow[]> {
  return db.selectFrom('schedules').selectAll().orderBy('name').execute();
}
