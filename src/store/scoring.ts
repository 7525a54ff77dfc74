import { randomUUID } from 'node:crypto';
import { type RawBuilder, type Selectable, sql } from 'kysely';
import type { ScoreReason } from '../domain/candidate.js';
import type { ItemKind } from '../domain/source.js';
import { append } from '../lib/maps.js';
import { LISTING_EVENTS } from '../scoring/appearances.js';
import type { Db } from './db.js';
import { jsonb } from './json.js';
import type { StoriesTable } from './schema.js';

/** What scoring and story grouping read of a stored item. */
export interface StoredForScoring {
  id: number;
  kind: ItemKind;
  repoId: number;
  repo: string;
  previousNames: string[];
  project: string;
  key: string;
  number: number | null;
  tag: string | null;
  title: string;
  url: string;
  body: string | null;
  author: string | null;
  state: string;
  labels: string[];
  occurredAt: Date;
  details: Record<string, unknown>;
  storyId: number | null;
  score: number | null;
  /** The grouping digest its stored link keys were computed from (null until a pass did). */
  linkDigest: number | null;
}

export interface StoredEvent {
  itemId: number;
  type: string;
  from: string | null;
  to: string | null;
  commitSha: string | null;
  occurredAt: Date;
}

const BATCH = 500;

/**
 * Unscored items read per query, in id order: with ORDER BY id and a LIMIT the planner reads the
 * partial index items_unscored_or_ungrouped, where without them it scans every item (it cannot
 * estimate "scored_revision is distinct from revision" and expects a third of the items).
 */
export const UNSCORED_READ_LIMIT = 100_000;

/** The condition of the partial index items_unscored_or_ungrouped: changed since scored, or in no story. */
export const UNSCORED = sql<boolean>`(scored_revision is distinct from revision or story_id is null)`;

/** How much of an item's text and details a read takes (scoring reads more than grouping). */
interface ItemProjection {
  body: RawBuilder<string | null>;
  details: RawBuilder<Record<string, unknown>>;
}

/**
 * Scoring reads the start of a description (topics, references), and a KEP's whole document
 * (its API design, the releases it names).
 */
const FOR_SCORING: ItemProjection = {
  body: sql<string | null>`case when items.kind = 'kep' then items.body else left(items.body, 4000) end`,
  details: sql<Record<string, unknown>>`items.details`,
};

function itemQuery(db: Db, projection: ItemProjection = FOR_SCORING) {
  return db
    .selectFrom('items')
    .innerJoin('repos', 'repos.id', 'items.repo_id')
    .select([
      'items.id',
      'items.kind',
      'items.repo_id',
      'repos.full_name',
      'repos.previous_names',
      'repos.project',
      'items.key',
      'items.number',
      'items.tag',
      'items.title',
      'items.url',
      projection.body.as('body'),
      'items.author',
      'items.state',
      'items.labels',
      'items.occurred_at',
      projection.details.as('details'),
      'items.story_id',
      'items.score',
      // A digest counts only with the keys it was stored with.
      sql<number | null>`case when items.link_keys is null then null else items.link_digest end`.as('link_digest'),
    ]);
}

type ItemRow = Awaited<ReturnType<ReturnType<typeof itemQuery>['execute']>>[number];

function toStored(row: ItemRow): StoredForScoring {
  return {
    id: row.id,
    kind: row.kind as ItemKind,
    repoId: row.repo_id,
    repo: row.full_name,
    previousNames: row.previous_names,
    project: row.project,
    key: row.key,
    number: row.number,
    tag: row.tag,
    title: row.title,
    url: row.url,
    body: row.body,
    author: row.author,
    state: row.state,
    labels: row.labels,
    occurredAt: row.occurred_at,
    details: row.details,
    storyId: row.story_id,
    score: row.score,
    linkDigest: row.link_digest,
  };
}

/**
 * Every stored item as story grouping reads it (src/scoring/stories.ts), oldest first: the start
 * of a pull request's or issue's description (for its references), no KEP document, and of the
 * details only what grouping reads, so a regrouping holds little more than titles in memory.
 * Read in pages of ids.
 */
export async function loadItemsForGrouping(db: Db): Promise<StoredForScoring[]> {
  const items: StoredForScoring[] = [];
  const page = 5000;
  let after = 0;
  for (;;) {
    const rows = await itemQuery(db, FOR_GROUPING).where('items.id', '>', after).orderBy('items.id').limit(page).execute();
    items.push(...rows.map(toStored));
    if (rows.length < page) break;
    after = rows.at(-1)?.id as number;
  }
  return items.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.id - b.id);
}

/** Items as story grouping reads them (see loadItemsForGrouping), by id. */
export async function loadItemsForGroupingById(db: Db, ids: readonly number[]): Promise<StoredForScoring[]> {
  const result: StoredForScoring[] = [];
  for (let start = 0; start < ids.length; start += BATCH) {
    const rows = await itemQuery(db, FOR_GROUPING)
      .where('items.id', 'in', ids.slice(start, start + BATCH))
      .execute();
    result.push(...rows.map(toStored));
  }
  return result;
}

/** Items in no story (a poll stored them, or their story went), read through the partial index. */
export async function loadUngroupedIds(db: Db): Promise<number[]> {
  const ids: number[] = [];
  for (let after = 0; ; ) {
    const page = await db
      .selectFrom('items')
      .select('id')
      .where(sql<boolean>`${UNSCORED} and story_id is null`)
      .where('id', '>', after)
      .orderBy('id')
      .limit(UNSCORED_READ_LIMIT)
      .execute();
    ids.push(...page.map((row) => row.id));
    if (page.length < UNSCORED_READ_LIMIT) return ids;
    after = page.at(-1)?.id as number;
  }
}

/**
 * Grouping reads a description only for its references ("Fixes #N", links to issues and pull
 * requests): one with neither a "#<digit>" nor a github.com link has none. Of the details, only
 * what grouping reads.
 */
const FOR_GROUPING: ItemProjection = {
  body: sql<string | null>`case when items.kind in ('pull', 'issue') and left(items.body, 4000) ~ '#[0-9]|github\.com/'
    then left(items.body, 4000) end`,
  details: sql<Record<string, unknown>>`jsonb_strip_nulls(jsonb_build_object(${sql.join(
    [
      'kepNumber',
      'featureGates',
      'location',
      'owningSig',
      'participatingSigs',
      'references',
      'releaseNote',
      'baseRef',
      'prerelease',
      'version',
      'tracking',
    ].map((key) => sql`${key}::text, items.details->${key}::text`),
  )}, 'files', ${sql`case when jsonb_typeof(items.details->'files') = 'array' then (
    select coalesce(jsonb_agg(f), '[]'::jsonb) from jsonb_array_elements(items.details->'files') f where f->>'path' like 'keps/%') end`}))`,
};

/**
 * Items that are candidates in a window: those that happened in it, and KEPs with a transition
 * in it (a KEP's item date is its latest transition; an older one may have happened here).
 */
export async function loadItemsInWindow(db: Db, from: Date, to: Date): Promise<StoredForScoring[]> {
  // A union rather than "occurred_at in range or id in (...)": each half is then read through its
  // own index (items_occurred_at, item_events_occurred_at) instead of a scan of every item.
  const rows = await itemQuery(db)
    .where('items.id', 'in', (eb) =>
      eb
        .selectFrom('items as w')
        .select('w.id')
        .where('w.occurred_at', '>=', from)
        .where('w.occurred_at', '<', to)
        .union(
          eb
            .selectFrom('item_events')
            .select('item_events.item_id as id')
            .where('item_events.occurred_at', '>=', from)
            .where('item_events.occurred_at', '<', to)
            .where('item_events.type', 'in', [...LISTING_EVENTS]),
        ),
    )
    .orderBy('items.occurred_at', 'desc')
    .orderBy('items.id', 'desc')
    .execute();
  return rows.map(toStored);
}

export async function loadItemsById(db: Db, ids: readonly number[]): Promise<StoredForScoring[]> {
  const result: StoredForScoring[] = [];
  for (let start = 0; start < ids.length; start += BATCH) {
    const rows = await itemQuery(db)
      .where('items.id', 'in', ids.slice(start, start + BATCH))
      .execute();
    result.push(...rows.map(toStored));
  }
  return result;
}

/** The items of one story, oldest first. */
export async function loadStoryItems(db: Db, storyId: number): Promise<StoredForScoring[]> {
  const rows = await itemQuery(db)
    .where('items.story_id', '=', storyId)
    .orderBy('items.occurred_at')
    .orderBy('items.id')
    .execute();
  return rows.map(toStored);
}

export async function loadEvents(db: Db, itemIds: readonly number[]): Promise<Map<number, StoredEvent[]>> {
  const byItem = new Map<number, StoredEvent[]>();
  for (let start = 0; start < itemIds.length; start += BATCH) {
    const rows = await db
      .selectFrom('item_events')
      .select(['item_id', 'type', 'from_value', 'to_value', 'commit_sha', 'occurred_at'])
      .where('item_id', 'in', itemIds.slice(start, start + BATCH))
      .orderBy('occurred_at')
      .orderBy('id')
      .execute();
    for (const row of rows) {
      append(byItem, row.item_id, {
        itemId: row.item_id,
        type: row.type,
        from: row.from_value,
        to: row.to_value,
        commitSha: row.commit_sha,
        occurredAt: row.occurred_at,
      });
    }
  }
  return byItem;
}

/** Releases of every repo of the given projects, with the project they belong to. */
export async function loadReleasesOfProjects(db: Db, projects: readonly string[]) {
  if (projects.length === 0) return [];
  const rows = await db
    .selectFrom('items')
    .innerJoin('repos', 'repos.id', 'items.repo_id')
    .select(['items.repo_id', 'repos.project', 'items.details', 'items.occurred_at'])
    .where('items.kind', '=', 'release')
    .where('repos.project', 'in', [...projects])
    .execute();
  return rows.map((row) => ({ repoId: row.repo_id, project: row.project, details: row.details, occurredAt: row.occurred_at }));
}

/** A pull request of a KEP's repo that adds or changes the KEP's document, as scoring reads it. */
export interface StoredProposal {
  kepId: number;
  number: number | null;
  labels: string[];
  details: Record<string, unknown>;
}

/**
 * The pull requests (of the KEPs' own repo) whose files include each KEP's document: the
 * Markdown file of a 2019 KEP, or anything in the folder of a kep.yaml KEP.
 */
export async function loadKepProposals(db: Db, kepIds: readonly number[]): Promise<StoredProposal[]> {
  const result: StoredProposal[] = [];
  for (let start = 0; start < kepIds.length; start += BATCH) {
    const rows = await sql<{ kep_id: number; number: number | null; labels: string[]; details: Record<string, unknown> }>`
      select k.id as kep_id, p.number, p.labels, p.details
      from items k
      join items p on p.repo_id = k.repo_id and p.kind = 'pull'
      where k.id in (${sql.join(kepIds.slice(start, start + BATCH))}) and k.kind = 'kep'
        and exists (
          select 1 from jsonb_array_elements(case when jsonb_typeof(p.details->'files') = 'array' then p.details->'files' else '[]'::jsonb end) f
          where f->>'path' = k.details->>'path' or f->>'path' like (k.details->>'location') || '/%')`.execute(db);
    for (const row of rows.rows) result.push({ kepId: row.kep_id, number: row.number, labels: row.labels, details: row.details });
  }
  return result;
}

/**
 * Writes scores and records the revision each was computed from; an item that changed again
 * since it was read keeps a newer revision, so it stays to be scored.
 */
export async function saveScores(
  db: Db,
  scores: ReadonlyArray<{ id: number; revision: number; score: number; reasons: ScoreReason[] }>,
): Promise<void> {
  const now = new Date();
  for (let start = 0; start < scores.length; start += BATCH) {
    const chunk = scores.slice(start, start + BATCH);
    const values = sql.join(
      chunk.map((s) => sql`(${s.id}::integer, ${s.revision}::integer, ${s.score}::double precision, ${jsonb(s.reasons)}::jsonb)`),
    );
    await sql`
      update items set score = v.score, score_reasons = v.reasons, scored_at = ${now}, scored_revision = v.revision
      from (values ${values}) as v(id, revision, score, reasons)
      where items.id = v.id`.execute(db);
  }
}

/** Items whose stored score is missing or older than what is stored about them, with their revision. */
export async function loadRevisionsNeedingScoring(db: Db): Promise<Map<number, number>> {
  // The release context: a new or changed release can change how its repo's other releases
  // score (which one is the first pre-release of a new minor), so they are scored again too.
  // Both read through the partial index of unscored items (their condition includes the
  // index's), so this costs nothing when no release changed.
  const changedReleases = await sql<{ repo_id: number }>`
    select distinct repo_id from (
      select repo_id from items
      where ${UNSCORED}
        and kind = 'release' and scored_revision is distinct from revision
      order by id limit ${UNSCORED_READ_LIMIT}) changed`.execute(db);
  if (changedReleases.rows.length > 0)
    await db
      .updateTable('items')
      .set({ scored_revision: null })
      .where('kind', '=', 'release')
      .where('scored_revision', 'is not', null)
      .where(
        'repo_id',
        'in',
        changedReleases.rows.map((r) => r.repo_id),
      )
      .execute();
  // Read in id order through the partial index, a page at a time (see UNSCORED_READ_LIMIT).
  const rows: Array<{ id: number; revision: number }> = [];
  for (let after = 0; ; ) {
    const page = await db
      .selectFrom('items')
      .select(['id', 'revision'])
      .where(sql<boolean>`${UNSCORED} and scored_revision is distinct from revision`)
      .where('id', '>', after)
      .orderBy('id')
      .limit(UNSCORED_READ_LIMIT)
      .execute();
    rows.push(...page);
    if (page.length < UNSCORED_READ_LIMIT) break;
    after = page.at(-1)?.id as number;
  }
  return new Map(rows.map((row) => [row.id, row.revision]));
}

/** Whether any item is unscored since it last changed, or in no story (index items_unscored_or_ungrouped). */
export async function hasItemsNeedingScoring(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('items')
    .select('id')
    .where(UNSCORED)
    // In id order, so that the planner reads the partial index rather than scanning the table
    // (it cannot estimate the condition and expects a third of all items to match).
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Every repo with the digest of the weights and rules its items were last scored with. */
export async function loadScoringFingerprints(db: Db) {
  return db.selectFrom('repos').select(['id', 'full_name', 'previous_names', 'scoring_fingerprint']).execute();
}

/** A new token for the pass that is ending (in its transaction). */
export async function saveScoringGeneration(db: Db): Promise<void> {
  await db
    .insertInto('scoring_state')
    .values({ id: 1, generation: randomUUID() })
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ generation: eb.ref('excluded.generation') })))
    .execute();
}

/** Marks every item of a repo (or of all repos) to be scored again. */
export async function markForScoring(db: Db, repoId?: number): Promise<void> {
  let query = db.updateTable('items').set({ scored_revision: null }).where('scored_revision', 'is not', null);
  if (repoId !== undefined) query = query.where('repo_id', '=', repoId);
  await query.execute();
}

export async function saveScoringFingerprint(db: Db, repoId: number, fingerprint: string): Promise<void> {
  await db.updateTable('repos').set({ scoring_fingerprint: fingerprint }).where('id', '=', repoId).execute();
}

export interface StoryRow {
  key: string;
  title: string;
  project: string | null;
  leadItemId: number;
  members: number[];
  score: number;
  firstOccurredAt: Date;
  lastOccurredAt: Date;
}

/**
 * Stores the stories (upsert by key, so a story keeps its id while it keeps its lead) and points
 * each item at its story; stories left without members are deleted. Only what changed is
 * written: a regrouping that changes nothing costs one read. `scope` is the stories a partial
 * regrouping started from (every member of each was regrouped); without it, every story.
 */
export async function saveStories(
  db: Db,
  /** Each item's story now (as loaded for the regrouping). */
  current: ReadonlyMap<number, number | null>,
  stories: readonly StoryRow[],
  scope?: readonly number[],
): Promise<{ stories: number; moved: number }> {
  const columns = ['id', 'key', 'title', 'project', 'lead_item_id', 'score', 'first_occurred_at', 'last_occurred_at'] as const;
  const existing = new Map<string, Pick<Selectable<StoriesTable>, (typeof columns)[number]>>();
  if (scope === undefined) for (const row of await db.selectFrom('stories').select(columns).execute()) existing.set(row.key, row);
  else
    for (let start = 0; start < scope.length; start += BATCH)
      for (const row of await db
        .selectFrom('stories')
        .select(columns)
        .where('id', 'in', scope.slice(start, start + BATCH))
        .execute())
        existing.set(row.key, row);
  const idByKey = new Map<string, number>([...existing].map(([key, row]) => [key, row.id]));
  const changed = stories.filter((s) => {
    const row = existing.get(s.key);
    return (
      !row ||
      row.title !== s.title ||
      row.project !== s.project ||
      row.lead_item_id !== s.leadItemId ||
      row.score !== s.score ||
      row.first_occurred_at?.getTime() !== s.firstOccurredAt.getTime() ||
      row.last_occurred_at?.getTime() !== s.lastOccurredAt.getTime()
    );
  });
  const now = new Date();
  for (let start = 0; start < changed.length; start += BATCH) {
    const chunk = changed.slice(start, start + BATCH);
    const rows = await db
      .insertInto('stories')
      .values(
        chunk.map((s) => ({
          key: s.key,
          title: s.title,
          project: s.project,
          lead_item_id: s.leadItemId,
          score: s.score,
          first_occurred_at: s.firstOccurredAt,
          last_occurred_at: s.lastOccurredAt,
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          title: eb.ref('excluded.title'),
          project: eb.ref('excluded.project'),
          lead_item_id: eb.ref('excluded.lead_item_id'),
          score: eb.ref('excluded.score'),
          first_occurred_at: eb.ref('excluded.first_occurred_at'),
          last_occurred_at: eb.ref('excluded.last_occurred_at'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .returning(['id', 'key'])
      .execute();
    for (const row of rows) idByKey.set(row.key, row.id);
  }
  const assignments = stories
    .flatMap((s) => s.members.map((itemId) => ({ itemId, storyId: idByKey.get(s.key) as number })))
    .filter((a) => current.get(a.itemId) !== a.storyId);
  for (let start = 0; start < assignments.length; start += BATCH) {
    const chunk = assignments.slice(start, start + BATCH);
    const values = sql.join(chunk.map((a) => sql`(${a.itemId}::integer, ${a.storyId}::integer)`));
    await sql`
      update items set story_id = v.story_id
      from (values ${values}) as v(item_id, story_id)
      where items.id = v.item_id`.execute(db);
  }
  const keys = new Set(stories.map((s) => s.key));
  const orphans = [...existing.values()].filter((row) => !keys.has(row.key)).map((row) => row.id);
  for (let start = 0; start < orphans.length; start += BATCH) {
    await db
      .deleteFrom('stories')
      .where('id', 'in', orphans.slice(start, start + BATCH))
      .execute();
  }
  return { stories: stories.length, moved: assignments.length };
}
