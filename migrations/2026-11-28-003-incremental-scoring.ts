import { type Kysely, sql } from 'kysely';

/**
 * Scoring after a poll touches only what changed. An item's revision goes up whenever what is
 * stored about it changes (its content, or a new event); scored_revision is the revision its
 * stored score was computed from, so "needs scoring" is a comparison that no clock and no
 * concurrent poll can get wrong. A repo's scoring_fingerprint digests the weights and rules its
 * items were scored with: when the config changes, that repo's items are scored again.
 * Existing items start unscored (scored_revision null), so the first rescore is a full one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('items')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('scored_revision', 'integer')
    .execute();
  await sql`create index items_needing_scoring on items (id) where scored_revision is distinct from revision`.execute(db);
  await db.schema.alterTable('repos').addColumn('scoring_fingerprint', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('repos').dropColumn('scoring_fingerprint').execute();
  await db.schema.dropIndex('items_needing_scoring').execute();
  await db.schema.alterTable('items').dropColumn('revision').dropColumn('scored_revision').execute();
}
