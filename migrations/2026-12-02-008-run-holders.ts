import { type Kysely, sql } from 'kysely';

/**
 * A run records who works on it (the holder of its leases, "host:pid:nonce"), so that a run left
 * `running` by a process that died, or by a run whose database went away before it could be
 * closed, is found and closed as failed, on a shared server as on the embedded database.
 *
 * The items a scoring pass has still to score, or to group, are found through one partial index:
 * every poll asks.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('holder', 'text').execute();
  await sql`create index runs_running on runs (started_at) where status = 'running'`.execute(db);
  // It replaces migration 003's index on the first half of the condition: a query on that half
  // alone (loadRevisionsNeedingScoring) is implied by this predicate and uses it too.
  await sql`create index items_unscored_or_ungrouped on items (id) where scored_revision is distinct from revision or story_id is null`.execute(
    db,
  );
  await sql`drop index items_needing_scoring`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index items_needing_scoring on items (id) where scored_revision is distinct from revision`.execute(db);
  await sql`drop index items_unscored_or_ungrouped`.execute(db);
  await sql`drop index runs_running`.execute(db);
  await db.schema.alterTable('runs').dropColumn('holder').execute();
}
