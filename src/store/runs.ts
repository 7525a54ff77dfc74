import { sql } from 'kysely';
import type { RunSummary, RunWarning } from '../domain/run.js';
import type { Db } from './db.js';
import { jsonb } from './json.js';
import { isDeadHolder } from './leases.js';

export interface NewRun {
  batchId: string;
  trigger: string;
  repoId: number | null;
  source: string | null;
  /** The holder of the run's leases (src/store/leases.ts). */
  holder: string;
}

export async function startRun(db: Db, run: NewRun): Promise<number> {
  const row = await db
    .insertInto('runs')
    .values({
      batch_id: run.batchId,
      trigger: run.trigger,
      repo_id: run.repoId,
      source: run.source,
      status: 'running',
      holder: run.holder,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface RunFigures {
  status: 'succeeded' | 'failed' | 'deferred' | 'partial';
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
    coverage: coverageOf(row.details),
  }));
}

/** The captured/expected figures a coverage run records in its details (src/ingest/coverage.ts). */
function coverageOf(details: unknown): RunSummary['coverage'] {
  const { captured, expected } = (details ?? {}) as { captured?: unknown; expected?: unknown };
  return typeof captured === 'number' && typeof expected === 'number' ? { captured, expected } : undefined;
}

/**
 * Closes as failed the runs left `running` by work that stopped before recording its end: a
 * process that died (kill -9, power loss) or a run whose database went away at that moment, so
 * `radar runs` and the health page tell the truth. A run is abandoned when its holder is a dead
 * process of this machine or was given up by this one, or when it holds no live lease any more
 * (a process on another machine that died: its leases expired). With `all` (the embedded
 * database, which only this process opens), every running run is.
 */
export async function closeAbandonedRuns(db: Db, options: { all?: boolean } = {}): Promise<number> {
  const now = new Date();
  const running = await db
    .selectFrom('runs')
    .select(['id', 'holder', 'started_at'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('leases')
            .select('leases.name')
            .whereRef('leases.holder', '=', 'runs.holder')
            .where('leases.expires_at', '>', now),
        )
        .as('leased'),
    )
    .where('status', '=', 'running')
    .execute();
  const abandoned = running
    .filter((run) => {
      if (options.all) return true;
      // Runs from before holders were recorded: only when clearly over.
      if (run.holder === null) return now.getTime() - run.started_at.getTime() > DAY_MS;
      return isDeadHolder(run.holder) || (!run.leased && now.getTime() - run.started_at.getTime() > GRACE_MS);
    })
    .map((run) => run.id);
  if (abandoned.length === 0) return 0;
  const result = await db
    .updateTable('runs')
    .set({ status: 'failed', finished_at: now, error: 'interrupted: the run stopped before it could record its end' })
    .where('id', 'in', abandoned)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

const DAY_MS = 24 * 60 * 60_000;
/** A run takes its leases before it is recorded: a moment without one is no abandonment. */
const GRACE_MS = 60_000;

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
