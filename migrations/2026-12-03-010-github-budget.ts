import { type Kysely, sql } from 'kysely';

/**
 * One GitHub budget for every radar process: what each credential (a token's fingerprint or an
 * app installation, never a token) had left of each rate-limit resource when GitHub last said,
 * so that workers pick the credential with most left and defer, rather than fail, when all
 * are spent. A run the rate limit stopped on every credential is `deferred`, not failed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('github_budget')
    .addColumn('credential', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('quota_limit', 'integer', (c) => c.notNull())
    .addColumn('remaining', 'integer', (c) => c.notNull())
    .addColumn('reset_at', 'timestamptz', (c) => c.notNull())
    .addColumn('observed_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('github_budget_pkey', ['credential', 'resource'])
    .execute();
  await sql`alter table runs drop constraint runs_status_check`.execute(db);
  await sql`alter table runs add constraint runs_status_check
    check (status in ('running', 'succeeded', 'failed', 'deferred', 'partial'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update runs set status = 'failed' where status = 'deferred'`.execute(db);
  await sql`alter table runs drop constraint runs_status_check`.execute(db);
  await sql`alter table runs add constraint runs_status_check
    check (status in ('running', 'succeeded', 'failed', 'partial'))`.execute(db);
  await db.schema.dropTable('github_budget').execute();
}
