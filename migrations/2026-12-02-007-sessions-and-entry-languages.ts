import { type Kysely, sql } from 'kysely';

/**
 * Sign-in for the web UI: sessions live in the database, so they survive a restart and can be
 * ended by removing the account. The key is the SHA-256 of the cookie's secret: a copy of the
 * table signs nobody in. Each session has its own CSRF token.
 *
 * Entries get an editor's text per language (`texts`: {"en": {"title", "blurb"}, ...}): a blurb
 * written for the English issue does not replace the Chinese one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();
  await db.schema
    .alterTable('issue_entries')
    .addColumn('texts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('issue_entries').dropColumn('texts').execute();
  await db.schema.dropTable('sessions').execute();
}
