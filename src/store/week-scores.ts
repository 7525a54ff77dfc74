import { sql } from 'kysely';
import type { ScoreReason } from '../domain/candidate.js';
import type { ItemKind } from '../domain/source.js';
import { LISTING_EVENTS } from '../scoring/appearances.js';
import type { Db } from './db.js';
import { jsonb } from './json.js';
import { type StoredForScoring, UNSCORED, UNSCORED_READ_LIMIT } from './scoring.js';

/** One stored score of an item for one ISO week it appears in (src/scoring/appearances.ts). */
export interface WeekScore {
  itemId: number;
  weekStart: Date;
  lists: boolean;
  score: number;
  reasons: ScoreReason[];
}

const BATCH = 500;

/** Replaces the week scores of these items (all of them: a week it no longer appears in goes). */
export async function replaceWeekScores(db: Db, itemIds: readonly number[], rows: readonly WeekScore[]): Promise<void> {
  for (let start = 0; start < itemIds.length; start += BATCH) {
    await db
      .deleteFrom('item_week_scores')
      .where('item_id', 'in', itemIds.slice(start, start + BATCH))
      .execute();
  }
  for (let start = 0; start < rows.length; start += BATCH) {
    await db
      .insertInto('item_week_scores')
      .values(
        rows.slice(start, start + BATCH).map((r) => ({
          item_id: r.itemId,
          week_start: r.weekStart,
          lists: r.lists,
          score: r.score,
          chore: r.reasons.some((reason) => reason.signal === 'chore'),
          reasons: jsonb(r.reasons),
        })),
      )
      .execute();
  }
}

/**
 * What ranking the candidate list needs of an item: no text (its title, link and reasons are
 * read for the items the answer shows, by loadListedTexts).
 */
export type ListedItem = Pick<
  StoredForScoring,
  'id' | 'kind' | 'repoId' | 'repo' | 'previousNames' | 'project' | 'occurredAt' | 'storyId'
> & {
  /** An enhancement tracking issue (its story is a KEP's). */
  tracking: boolean;
};

/** What the answer shows of a listed item besides its rank. */
export type ListedText = Pick<StoredForScoring, 'number' | 'tag' | 'title' | 'url' | 'author'> & {
  reasons: ScoreReason[];
};

/** A listed item with its stored score for its latest appearance in the window. */
export interface StoredListing {
  item: ListedItem;
  weekStart: Date;
  score: number;
  /** Whether its score says it is a chore (the list puts chores last). */
  chore: boolean;
}

/**
 * The items listed in a window of whole ISO weeks (its first week's Monday .. the last week's
 * Monday, inclusive), each with the stored score of its latest appearance in it; read through
 * item_week_scores_week, so the cost follows the window, not the store. Reasons and texts stay
 * in the database.
 */
export async function loadWeekListings(db: Db, firstWeek: Date, lastWeek: Date): Promise<StoredListing[]> {
  const rows = await sql<{
    item_id: number;
    week_start: Date;
    score: number;
    chore: boolean;
    kind: ItemKind;
    repo_id: number;
    occurred_at: Date;
    story_id: number | null;
    tracking: boolean;
  }>`
    with window_rows as (
      select item_id, week_start, lists, score, chore
      from item_week_scores
      where week_start >= ${firstWeek} and week_start <= ${lastWeek}
    ), latest as (
      select distinct on (item_id) item_id, week_start, score, chore
      from window_rows
      where item_id in (select item_id from window_rows where lists)
      order by item_id, week_start desc
    )
    select l.item_id, l.week_start, l.score, l.chore, i.kind, i.repo_id, i.occurred_at, i.story_id,
      (i.kind = 'issue' and jsonb_typeof(i.details->'tracking') = 'object') as tracking
    from latest l
    join items i on i.id = l.item_id`.execute(db);
  // Repos are few: joined here rather than repeated on every row.
  const repos = new Map(
    (await db.selectFrom('repos').select(['id', 'full_name', 'previous_names', 'project']).execute()).map((r) => [r.id, r]),
  );
  return rows.rows.map((row) => {
    const repo = repos.get(row.repo_id);
    return {
      item: {
        id: row.item_id,
        kind: row.kind,
        repoId: row.repo_id,
        repo: repo?.full_name ?? '',
        previousNames: repo?.previous_names ?? [],
        project: repo?.project ?? '',
        occurredAt: row.occurred_at,
        storyId: row.story_id,
        tracking: row.tracking,
      },
      weekStart: row.week_start,
      score: row.score,
      chore: row.chore,
    };
  });
}

/** The texts and stored reasons of listed items, each for the week it is listed as. */
export async function loadListedTexts(
  db: Db,
  listed: ReadonlyArray<{ itemId: number; weekStart: Date }>,
): Promise<Map<number, ListedText>> {
  const texts = new Map<number, ListedText>();
  for (let start = 0; start < listed.length; start += BATCH) {
    const pairs = sql.join(
      listed.slice(start, start + BATCH).map((l) => sql`(${l.itemId}::integer, ${l.weekStart}::timestamptz)`),
    );
    const rows = await sql<{
      id: number;
      number: number | null;
      tag: string | null;
      title: string;
      url: string;
      author: string | null;
      reasons: ScoreReason[];
    }>`
      select i.id, i.number, i.tag, i.title, i.url, i.author, s.reasons
      from (values ${pairs}) as p(item_id, week_start)
      join item_week_scores s on s.item_id = p.item_id and s.week_start = p.week_start
      join items i on i.id = p.item_id`.execute(db);
    for (const row of rows.rows) {
      const { id, reasons, ...text } = row;
      // jsonb keeps its own key order; reasons read back as they were written.
      texts.set(id, {
        ...text,
        reasons: reasons.map((r) => ({ signal: r.signal, value: r.value, contribution: r.contribution })),
      });
    }
  }
  return texts;
}

/** What decides whether a ranked list a process keeps is still the list (one round trip). */
export interface ListState {
  /** The token of the last scoring pass. */
  generation: string;
  /**
   * Items changed since their score or in no story (weights changes not counted), counted up to
   * UNSCORED_READ_LIMIT.
   */
  waiting: number;
  repos: Array<{ id: number; fullName: string; previousNames: string[]; project: string; scoringFingerprint: string | null }>;
  /** Changes with every decision, issue entry added or removed, and issue published or reopened. */
  editorialVersion: string;
  /**
   * Items of the window whose stored week scores are missing: stored by a poll whose scoring pass
   * has not run yet (or was killed). The list scores them itself.
   */
  unscored: number[];
}

/**
 * The list's state in one query. Each part is read through an index: the unscored items through
 * the partial index of unscored items (nothing to read when everything is scored), the counts
 * of decisions and entries through their primary keys.
 */
export async function loadListState(db: Db, from: Date, to: Date): Promise<ListState> {
  const row = (
    await sql<{
      generation: string | null;
      waiting: string;
      repos: Array<[number, string, string[], string, string | null]> | null;
      decisions: string;
      entries: string;
      issues: string | null;
    }>`
      select
        (select generation from scoring_state where id = 1) as generation,
        (select count(*) from (
          select id from items where ${UNSCORED}
          order by id limit ${UNSCORED_READ_LIMIT}) w) as waiting,
        (select json_agg(json_build_array(id, full_name, previous_names, project, scoring_fingerprint) order by id) from repos) as repos,
        (select count(*) || ':' || coalesce(max(id), 0) from decisions) as decisions,
        (select count(*) || ':' || coalesce(max(id), 0) from issue_entries) as entries,
        (select string_agg(id || ':' || status || ':' || coalesce(published_at::text, ''), ',' order by id) from digest_issues) as issues`.execute(
      db,
    )
  ).rows[0];
  if (!row) throw new Error('the list state query returned no row');
  const waiting = Number(row.waiting);
  return {
    generation: row.generation ?? '',
    waiting,
    repos: (row.repos ?? []).map(([id, fullName, previousNames, project, scoringFingerprint]) => ({
      id,
      fullName,
      previousNames,
      project,
      scoringFingerprint,
    })),
    editorialVersion: `${row.decisions}|${row.entries}|${row.issues ?? ''}`,
    // Only when something waits for the pass (a poll just stored it): nothing to read otherwise.
    unscored: waiting > 0 ? await loadUnscoredIdsInWindow(db, from, to) : [],
  };
}

async function loadUnscoredIdsInWindow(db: Db, from: Date, to: Date): Promise<number[]> {
  const rows = await sql<{ id: number }>`
    select i.id from (
      select id, occurred_at from items
      where ${UNSCORED}
      order by id limit ${UNSCORED_READ_LIMIT}) i
    where not exists (select 1 from item_week_scores s where s.item_id = i.id)
      and (
        (i.occurred_at >= ${from} and i.occurred_at < ${to})
        or exists (
          select 1 from item_events e
          where e.item_id = i.id and e.occurred_at >= ${from} and e.occurred_at < ${to}
            and e.type in (${sql.join([...LISTING_EVENTS])})))
    order by i.id`.execute(db);
  return rows.rows.map((r) => r.id);
}

/**
 * How many items wait for the scoring pass: changed since their score (or in no story), or in a
 * repo whose weights or rules changed since its items were scored (`staleRepoIds`).
 */
export async function countItemsWaitingForScores(db: Db, staleRepoIds: readonly number[]): Promise<number> {
  // Two counts, so that the first is read through the partial index of unscored items.
  const changed = await sql<{ n: string }>`
    select count(*) as n from (
      select id from items
      where ${UNSCORED}
        ${staleRepoIds.length > 0 ? sql`and repo_id not in (${sql.join([...staleRepoIds])})` : sql``}
      order by id limit ${UNSCORED_READ_LIMIT}) w`.execute(db);
  const reweighted =
    staleRepoIds.length === 0
      ? 0
      : Number(
          (
            await sql<{ n: string }>`select count(*) as n from items where repo_id in (${sql.join([...staleRepoIds])})`.execute(
              db,
            )
          ).rows[0]?.n ?? 0,
        );
  return Number(changed.rows[0]?.n ?? 0) + reweighted;
}
