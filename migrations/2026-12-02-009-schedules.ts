import { type Kysely, sql } from 'kysely';

/**
 * Durable schedules: each scheduled job (a repo's sources on one cron, the nightly coverage) has
 * its next and last run in the database, and is claimed by one process at a time (FOR UPDATE
 * SKIP LOCKED), so any number of `radar worker`s share the work, a job overdue after downtime
 * runs once, a failing one backs off, and a dead worker's claim runs out.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('schedules')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('cron', 'text', (c) => c.notNull())
    .addColumn('next_run_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_started_at', 'timestamptz')
    .addColumn('last_finished_at', 'timestamptz')
    .addColumn('last_status', 'text')
    .addColumn('last_error', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'timestamptz')
    .execute();
  await sql`create index schedules_due on schedules (next_run_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('schedules').execute();
}
