import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './db.js';

/**
 * The stored side of incremental story grouping (migration 012, src/scoring/story-keys.ts):
 * items' hashed link keys, and the lookups a scoring pass regroups what changed with.
 */

const BATCH = 500;
const KEYS_PER_LOOKUP = 2000;

/** An item found by a link key or as a member of a story, with the story it is in. */
export interface LinkedItem {
  id: number;
  storyId: number | null;
}

/**
 * Items holding any of these hashed keys, through the GIN index items_link_keys. The planner
 * overrates an array overlap on a GIN index and scans the table instead (46 ms against 4.5 ms
 * by the index for 200 keys at 4k items, seconds at 100k): within the pass's transaction, table
 * scans are off for these lookups.
 */
export async function findByLinkKeys(db: Db, hashes: readonly number[]): Promise<LinkedItem[]> {
  const found: LinkedItem[] = [];
  if (hashes.length === 0) return found;
  await sql`set local enable_seqscan = off`.execute(db);
  try {
    for (let start = 0; start < hashes.length; start += KEYS_PER_LOOKUP) {
      const chunk = hashes.slice(start, start + KEYS_PER_LOOKUP);
      const rows = await db
        .selectFrom('items')
        .select(['id', 'story_id'])
        .where(sql<boolean>`link_keys && ${sql.val(`{${chunk.join(',')}}`)}::integer[]`)
        .execute();
      for (const row of rows) found.push({ id: row.id, storyId: row.story_id });
    }
  } finally {
    await sql`set local enable_seqscan = on`.execute(db);
  }
  return found;
}

/** The members of these stories. */
export async function loadStoryMembers(db: Db, storyIds: readonly number[]): Promise<LinkedItem[]> {
  const found: LinkedItem[] = [];
  for (let start = 0; start < storyIds.length; start += BATCH) {
    const rows = await db
      .selectFrom('items')
      .select(['id', 'story_id'])
      .where('story_id', 'in', storyIds.slice(start, start + BATCH))
      .execute();
    for (const row of rows) found.push({ id: row.id, storyId: row.story_id });
  }
  return found;
}

/** Stores items' link keys (sorted hashes) and grouping digests. */
export async function saveLinkKeys(
  db: Db,
  rows: ReadonlyArray<{ id: number; keys: readonly number[]; digest: number }>,
): Promise<void> {
  for (let start = 0; start < rows.length; start += BATCH) {
    const values = sql.join(
      rows
        .slice(start, start + BATCH)
        .map((r) => sql`(${r.id}::integer, ${sql.val(`{${r.keys.join(',')}}`)}::integer[], ${r.digest}::integer)`),
    );
    await sql`update items set link_keys = v.keys, link_digest = v.digest
      from (values ${values}) as v(id, keys, digest) where items.id = v.id`.execute(db);
  }
}

/**
 * Whether the stored link keys let a pass regroup only what changed: they were computed under
 * this grouping revision, and every item without keys is one the pass regroups anyway (stored
 * by a poll since the last pass). Else (an upgrade, items copied in without keys) the pass
 * regroups everything and stores the keys.
 */
export async function linkKeysComplete(db: Db, revision: number, regrouped: ReadonlySet<number>): Promise<boolean> {
  const state = await db.selectFrom('scoring_state').select('grouping_revision').executeTakeFirst();
  if (state?.grouping_revision !== revision) return false;
  // Through the partial index items_without_link_keys: as many rows as items the pass regroups.
  const missing = await db
    .selectFrom('items')
    .select('id')
    .where('link_keys', 'is', null)
    .orderBy('id')
    .limit(regrouped.size + 1)
    .execute();
  return missing.every((row) => regrouped.has(row.id));
}

/** Records that every item's keys are of this revision (in the pass that stored them). */
export async function saveGroupingRevision(db: Db, revision: number): Promise<void> {
  // The pass renews the generation after this; a first pass finds no row yet.
  await db
    .insertInto('scoring_state')
    .values({ id: 1, generation: randomUUID(), grouping_revision: revision })
    .onConflict((oc) => oc.column('id').doUpdateSet({ grouping_revision: revision }))
    .execute();
}
