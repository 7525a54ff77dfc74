import type { Kysely } from 'kysely';

/**
 * radar drafts an entry's title and blurb from the current facts of its items, at every render.
 * Once published, an issue must read as published, whatever upstream changes after: the drafts
 * (in every language) are kept with the issue when it is published, and dropped when it is
 * reopened.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('digest_issues').addColumn('published_drafts', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('digest_issues').dropColumn('published_drafts').execute();
}
