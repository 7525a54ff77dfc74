import { type Kysely, sql } from 'kysely';

/**
 * An entry's title and blurb are either text an editor wrote (kept as written when rendered) or
 * text radar took or drafted from GitHub (untrusted: escaped when rendered). The first schema
 * did not say which; editor text was assumed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('issue_entries')
    .addColumn('title_trusted', 'boolean', (c) => c.notNull().defaultTo(sql`true`))
    .addColumn('blurb_trusted', 'boolean', (c) => c.notNull().defaultTo(sql`true`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('issue_entries').dropColumn('title_trusted').dropColumn('blurb_trusted').execute();
}
