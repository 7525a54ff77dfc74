import { sql } from 'kysely';
import type { Db } from './db.js';

/**
 * What /metrics reads from the runs table. Every worker process records its runs there, so
 * figures computed from it are the same whichever process is scraped, and survive restarts.
 *
 * A finished run never changes again, so the caller folds runs up to a settled id once and asks
 * only for newer ones afterwards: each scrape reads the runs since the oldest one still running
 * (a range of the primary key), not the whole table.
 */

/** Upper bounds (seconds) of the run-duration histogram: a 304-only poll to a long backfill. */
export const DURATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;

export interface RunGroupRow {
  repoId: number | null;
  /** The run's label: "pulls", "pulls+issues", "coverage:pulls"... */
  source: string;
  status: string;
  /** Whether every run of this group has an id at or below the settled id (may be folded for good). */
  settled: boolean;
  runs: number;
  requests: number;
  notModified: number;
  graphqlPoints: number;
  itemsNew: number;
  itemsUpdated: number;
  /** Summed durations of the group's finished runs. */
  seconds: number;
  /** Finished runs that took at most each DURATION_BUCKETS bound (cumulative, as Prometheus wants). */
  buckets: number[];
  lastFinishedAt: Date | null;
  /** The newest figure of the group: [run id, value]. */
  coreRemaining: [number, number] | null;
  graphqlRemaining: [number, number] | null;
  /** The newest coverage figures of the group: [run id, captured, expected]. */
  coverage: [number, number, number] | null;
}

export interface RunWindow {
  /** The highest run id in the table (lower than the caller's watermark: the table was replaced). */
  maxId: number;
  /**
   * Runs up to this id are finished and visible for good: below the oldest running run, and
   * started over a minute ago (an id is taken when a run's insert starts, and becomes visible
   * when it commits; a minute covers that gap).
   */
  settledId: number;
  groups: RunGroupRow[];
}

/** Runs with an id above `after`, grouped by repo, source, status and whether they are settled. */
export async function runsAfter(db: Db, after: number): Promise<RunWindow> {
  const bounds = await sql<{ max_id: number | null; first_running: number | null; settled: number | null }>`
    select (select max(id) from runs) as max_id,
      min(id) filter (where status = 'running') as first_running,
      max(id) filter (where started_at < now() - interval '1 minute') as settled
    from runs where id > ${after}`.execute(db);
  const row = bounds.rows[0];
  const maxId = row?.max_id ?? 0;
  let settledId = row?.settled ?? after;
  if (row?.first_running != null) settledId = Math.min(settledId, row.first_running - 1);
  settledId = Math.max(settledId, after);
  if (maxId <= after) return { maxId, settledId: after, groups: [] };

  const bucketColumns = sql.join(
    DURATION_BUCKETS.map((bound, i) => sql`count(*) filter (where duration <= ${bound}::float8) as ${sql.ref(`le_${i}`)}`),
  );
  const result = await sql<Record<string, unknown>>`
    select repo_id, source, status, settled,
      count(*) as runs,
      coalesce(sum(requests), 0) as requests,
      coalesce(sum(not_modified), 0) as not_modified,
      coalesce(sum(graphql_points), 0) as graphql_points,
      coalesce(sum(items_new), 0) as items_new,
      coalesce(sum(items_updated), 0) as items_updated,
      coalesce(sum(duration), 0)::float8 as seconds,
      ${bucketColumns},
      max(finished_at) as last_finished_at,
      (array_agg(array[id::float8, rate_limit_remaining::float8] order by id desc)
        filter (where rate_limit_remaining is not null))[1:1] as core,
      (array_agg(array[id::float8, (details->>'graphqlRemaining')::float8] order by id desc)
        filter (where jsonb_typeof(details->'graphqlRemaining') = 'number'))[1:1] as graphql,
      (array_agg(array[id::float8, (details->>'captured')::float8, (details->>'expected')::float8] order by id desc)
        filter (where source like 'coverage:%' and jsonb_typeof(details->'captured') = 'number'
          and jsonb_typeof(details->'expected') = 'number'))[1:1] as coverage
    from (
      select *, greatest(extract(epoch from finished_at - started_at), 0)::float8 as duration, id <= ${settledId} as settled
      from runs where id > ${after}
    ) as recent
    group by repo_id, source, status, settled`.execute(db);
  return { maxId, settledId, groups: result.rows.map(toGroup) };
}

function toGroup(row: Record<string, unknown>): RunGroupRow {
  const num = (value: unknown) => Number(value ?? 0);
  return {
    repoId: row.repo_id == null ? null : Number(row.repo_id),
    source: String(row.source ?? ''),
    status: String(row.status),
    settled: row.settled === true,
    runs: num(row.runs),
    requests: num(row.requests),
    notModified: num(row.not_modified),
    graphqlPoints: num(row.graphql_points),
    itemsNew: num(row.items_new),
    itemsUpdated: num(row.items_updated),
    seconds: num(row.seconds),
    buckets: DURATION_BUCKETS.map((_, i) => num(row[`le_${i}`])),
    lastFinishedAt: row.last_finished_at == null ? null : new Date(row.last_finished_at as string | Date),
    coreRemaining: firstTuple(row.core, 2) as [number, number] | null,
    graphqlRemaining: firstTuple(row.graphql, 2) as [number, number] | null,
    coverage: firstTuple(row.coverage, 3) as [number, number, number] | null,
  };
}

/** `(array_agg(array[...]))[1:1]` is a one-row 2-D array, or null. */
function firstTuple(value: unknown, length: number): number[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const first = value[0] as unknown;
  if (!Array.isArray(first) || first.length !== length) return null;
  return first.map(Number);
}

/** Repository names by id (the watch list: a few rows). */
export async function repoNames(db: Db): Promise<Map<number, string>> {
  const rows = await db.selectFrom('repos').select(['id', 'full_name']).execute();
  return new Map(rows.map((r) => [r.id, r.full_name]));
}
