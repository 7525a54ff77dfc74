import { type Kysely, sql } from 'kysely';

/**
 * Story grouping redone for what changed, not for the whole store: each item keeps the hashed
 * keys it can be linked to other items by (src/scoring/story-keys.ts), so that a scoring pass
 * finds, through a GIN index, the stored items a changed item could now share a story with.
 * `link_keys` is null until a pass has computed it; while any item lacks it, or the keys were
 * computed by other grouping rules (scoring_state.grouping_revision), the pass regroups every
 * item and stores the keys, as before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('items').addColumn('link_keys', sql`integer[]`).execute();
  // A digest of everything grouping reads of the item: an item that changed in other ways (a
  // new score, a comment) keeps its links, and is regrouped without looking anything up.
  await db.schema.alterTable('items').addColumn('link_digest', 'integer').execute();
  await sql`create index items_link_keys on items using gin (link_keys)`.execute(db);
  await sql`create index items_without_link_keys on items (id) where link_keys is null`.execute(db);
  await db.schema.alterTable('scoring_state').addColumn('grouping_revision', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('scoring_state').dropColumn('grouping_revision').execute();
  await sql`drop index items_without_link_keys`.execute(db);
  await sql`drop index items_link_keys`.execute(db);
  await db.schema.alterTable('items').dropColumn('link_digest').execute();
  await db.schema.alterTable('items').dropColumn('link_keys').execute();
}
