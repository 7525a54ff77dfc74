import { sql } from 'kysely';
import type { RunSummary, RunWarning } from '../domain/run.js';
import type { Db } from './db.js';
import { jsonb } from './json.js';

export interface NewRun {
  batchId: string;
  trigger: string;
  repoId: number | null;
  source: string | null;
}

export async function startRun(db: Db, run: NewRun): Promise<number> {
  const row = await db
    .insertInto('runs')
    .values({ batch_id: run.batchId, trigger: run.trigger, repo_id: run.repoId, source: run.source, status: 'running' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface RunFigures {
  status: 'succeeded' | 'failed' | 'partial';
  requests: number;
  notModified: number;
  graphqlPoints: number;
  rateLimitRemaining: number | null;
  itemsNew: number;
  itemsUpdated: number;
  error: string | null;
  details: Record<string, unknown>;
}

export async function finishRun(db: Db, runId: number, figures: RunFigures): Promise<void> {
  await db
    .updateTable('runs')
    .set({
      status: figures.status,
      finished_at: new Date(),
      requests: figures.requests,
      not_modified: figures.notModified,
      graphql_points: figures.graphqlPoints,
      rate_limit_remaining: figures.rateLimitRemaining,
      items_new: figures.itemsNew,
      items_updated: figures.itemsUpdated,
      error: figures.error,
      details: jsonb(figures.details),
    })
    .where('id', '=', runId)
    .execute();
}

export interface RunQuery {
  limit: number;
  repo?: string | undefined;
  source?: string | undefined;
  trigger?: string | undefined;
}

export async function listRuns(db: Db, query: RunQuery): Promise<RunSummary[]> {
  let q = db
    .selectFrom('runs')
    .leftJoin('repos', 'repos.id', 'runs.repo_id')
    .select([
      'runs.id',
      'repos.full_name',
      'runs.source',
      'runs.trigger',
      'runs.status',
      'runs.items_new',
      'runs.items_updated',
      'runs.requests',
      'runs.not_modified',
      'runs.graphql_points',
      'runs.rate_limit_remaining',
      'runs.started_at',
      'runs.finished_at',
      'runs.error',
      'runs.details',
    ])
    .orderBy('runs.id', 'desc')
    .limit(query.limit);
  if (query.repo) q = q.where((eb) => eb(eb.fn('lower', ['repos.full_name']), '=', query.repo?.toLowerCase() ?? ''));
  if (query.source) {
    // A run's source is a label such as "pulls+issues" or "coverage:pulls": match its parts,
    // and a part's kind ("coverage" lists coverage:pulls, coverage:releases...).
    const kind = `${query.source.replace(/[\\%_]/g, (c) => `\\${c}`)}:%`;
    q = q.where(
      sql<boolean>`exists (select 1 from unnest(string_to_array(runs.source, '+')) as part where part = ${query.source} or part like ${kind})`,
    );
  }
  if (query.trigger) q = q.where('runs.trigger', '=', query.trigger);
  const rows = await q.execute();
  return rows.map((row) => ({
    id: row.id,
    repo: row.full_name ?? '',
    source: row.source ?? '',
    trigger: row.trigger,
    status: row.status as RunSummary['status'],
    itemsNew: row.items_new,
    itemsUpdated: row.items_updated,
    requests: row.requests,
    notModified: row.not_modified,
    graphqlPoints: row.graphql_points,
    rateLimitRemaining: row.rate_limit_remaining,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    warnings: ((row.details as { warnings?: RunWarning[] }).warnings ?? []) as RunWarning[],
  }));
}

/** Marks runs left "running" by a process that died (kill -9) as failed, so `radar runs` tells the truth. */
export async function closeAbandonedRuns(db: Db, olderThan: Date): Promise<number> {
  const result = await db
    .updateTable('runs')
    .set({ status: 'failed', finished_at: new Date(), error: 'interrupted: the process stopped before the run finished' })
    .where('status', '=', 'running')
    .where('started_at', '<', olderThan)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** When the last run started by a trigger (e.g. the nightly coverage) finished. */
export async function lastRunOfTrigger(db: Db, trigger: string): Promise<Date | null> {
  const row = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.max('finished_at').as('finished'))
    .where('trigger', '=', trigger)
    .executeTakeFirst();
  return row?.finished ? new Date(row.finished) : null;
}

/** When the last successful run of a repo and any of these sources finished. */
export async function lastSuccessfulRun(db: Db, repo: string, sources: readonly string[]): Promise<Date | null> {
  const row = await db
    .selectFrom('runs')
    .innerJoin('repos', 'repos.id', 'runs.repo_id')
    .select((eb) => eb.fn.max('runs.finished_at').as('finished'))
    .where((eb) => eb(eb.fn('lower', ['repos.full_name']), '=', repo.toLowerCase()))
    .where('runs.status', '=', 'succeeded')
    // "pulls" is a part of the label "pulls+issues"; "coverage:pulls" is another kind of run.
    .where(sql<boolean>`string_to_array(runs.source, '+') && ${sql.val([...sources])}::text[]`)
    .executeTakeFirst();
  return row?.finished ? new Date(row.finished) : null;
}
