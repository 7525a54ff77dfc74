import { type Kysely, sql } from 'kysely';

/**
 * The week's candidate list is read from stored scores rather than scored per request: an
 * item's score for each ISO week it did something in (the week it happened, and each week of a
 * later event: a KEP's transitions, a design issue closed), kept by the scoring pass whenever
 * the item changes. `lists` says whether that week puts the item on the list by itself (it
 * happened then, or a KEP or tracking issue moved); other weeks only decide how a carried-over
 * item scores. The list of a week reads the rows of the week and its carry-over weeks through
 * item_week_scores_week; `chore` (the score says it is a chore, which the list puts last) spares it
 * reading the reasons of every row. Existing items are scored again at the next start or poll (the scoring
 * revision goes up), which fills the table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('item_week_scores')
    .addColumn('item_id', 'integer', (c) => c.notNull().references('items.id').onDelete('cascade'))
    .addColumn('week_start', 'timestamptz', (c) => c.notNull())
    .addColumn('lists', 'boolean', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('chore', 'boolean', (c) => c.notNull())
    .addColumn('reasons', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('item_week_scores_pkey', ['item_id', 'week_start'])
    .execute();
  await sql`create index item_week_scores_week on item_week_scores (week_start, item_id)`.execute(db);
  // A new token at the end of every scoring pass: a process that keeps a ranked week list keeps
  // it only while the token is the one it was ranked under.
  await db.schema
    .createTable('scoring_state')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('generation', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scoring_state').execute();
  await db.schema.dropTable('item_week_scores').execute();
}
