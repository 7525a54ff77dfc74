import pLimit from 'p-limit';
import type { Config, WatchedRepo } from '../config/config.js';
import type { RunSummary, RunWarning } from '../domain/run.js';
import type { SourceName } from '../domain/source.js';
import type { GitHub } from '../github/client.js';
import type { Clock } from '../lib/clock.js';
import { describeError, ValidationError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { hasUnstorable } from '../lib/storable.js';
import type { Source, SourceBatch, SourceCursor, SourceStore } from '../sources/source.js';
import { getCursor, getValidators, saveCursor, saveValidators } from '../store/cursors.js';
import type { Db } from '../store/db.js';
import { syncBudget } from '../store/github-budget.js';
import { findKnownItems, findKnownKeps, upsertItems } from '../store/items.js';
import { syncRepos } from '../store/repos.js';
import type { RepoRow } from '../store/schema.js';
import { readersFor } from './readers.js';
import { checkRepoIdentity } from './repo-identity.js';
import { needsRescore, rescore } from './rescore.js';
import { type ActiveRun, newBatchId, type RunContext, recordRun } from './run.js';

export interface IngestDeps {
  db: Db;
  github: GitHub;
  config: Config;
  logger: Logger;
  clock: Clock;
}

export interface PollOptions {
  /** owner/name filters; all watched repos when absent. */
  repos?: string[] | undefined;
  sources?: SourceName[] | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  trigger: 'poll' | 'backfill' | 'schedule';
  /**
   * Score and regroup what was stored, at the end (default). The scheduler turns it off and
   * runs one rescore for all the polls of a tick.
   */
  rescore?: boolean | undefined;
  /** Called after every stored batch, for progress bars. */
  onProgress?: ((progress: PollProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
}

export interface PollProgress {
  repo: string;
  source: string;
  done: number;
  total: number | null;
  itemsNew: number;
  itemsUpdated: number;
  finished: boolean;
}

export interface PollResult {
  batchId: string;
  runs: RunSummary[];
}

/** Whether runs stored new or changed items (which then need scoring). */
export function storedSomething(runs: readonly RunSummary[]): boolean {
  return runs.some((r) => r.itemsNew + r.itemsUpdated > 0);
}

/** Where a first poll starts when there is neither a cursor nor --since. */
const DEFAULT_LOOKBACK_MS = 14 * 86_400_000;
/** GraphQL aliases per query. */
const GRAPHQL_BATCH = 50;

/**
 * One poll cycle: every selected repo and source, with bounded concurrency. Each repo's identity
 * is checked first (a renamed or moved repo is followed); a failing repo or source is recorded
 * as a failed run and the others go on.
 */
export async function poll(deps: IngestDeps, options: PollOptions): Promise<PollResult> {
  const { config, db, logger } = deps;
  const selected = selectRepos(config, options.repos);
  const repoRows = await syncRepos(db, config.repos);
  // Start from what every radar process knows of the budget; share what this poll learnt.
  await shareBudget(deps);
  const batchId = newBatchId();
  const limit = pLimit(config.github.concurrency);
  const context = (repo: WatchedRepo, row: RepoRow, source: string, leaseKeys?: string[]): RunContext => ({
    deps,
    batchId,
    trigger: options.trigger,
    repo: row.full_name,
    repoId: row.id,
    source,
    leaseKeys,
    logger: logger.child({ repo: row.full_name, source }),
    configName: repo.repo,
  });

  // First who each repo is now (quick), then every reader, the long ones first so that the
  // poll is not left waiting on a big repo started last.
  const checked = selected.map(async (repo, repoIndex) => {
    const row = repoRows.get(repo.repo.toLowerCase());
    if (!row) throw new Error(`repo ${repo.repo} is not in the store after sync`);
    const wanted = repo.sources.filter((s) => !options.sources || options.sources.includes(s));
    const readers = readersFor(wanted);
    if (readers.length === 0) return { identity: null, order: repoIndex * 100, jobs: [] };

    let current = row;
    const identity = await limit(() =>
      recordRun(context(repo, row, 'repo'), async (run) => {
        const check = await checkRepoIdentity(db, deps.github, row);
        current = check.repo;
        if (check.movedFrom) {
          run.warn({
            message: `repository ${check.movedFrom} is now ${check.repo.full_name} (renamed or transferred): polling it under its new name; update ${config.file}`,
            movedFrom: check.movedFrom,
            movedTo: check.repo.full_name,
          });
        }
      }),
    );
    if (identity?.status === 'failed' || identity?.status === 'deferred') return { identity, order: repoIndex * 100, jobs: [] };
    const followed: WatchedRepo = { ...repo, repo: current.full_name };
    const jobs = readers.map(({ reader, sources }, readerIndex) => ({
      weight: reader.weight,
      order: repoIndex * 100 + readerIndex + 1,
      start: () =>
        recordRun(context(repo, current, reader.label(sources), cursorKeysOf(reader, sources)), (run) =>
          readInto(run, options, followed, current, reader, sources),
        ),
    }));
    return { identity, order: repoIndex * 100, jobs };
  });
  const identities = await Promise.all(checked);
  const jobs = identities.flatMap((c) => c.jobs).sort((a, b) => b.weight - a.weight);
  const readerRuns = await Promise.all(jobs.map(async (job) => ({ order: job.order, run: await limit(job.start) })));
  // Reported in config order: each repo's identity check, then its sources.
  const runs = [...identities.map((c) => ({ order: c.order, run: c.identity })), ...readerRuns]
    .sort((a, b) => a.order - b.order)
    .map((entry) => entry.run)
    .filter((r): r is RunSummary => r !== null);
  await shareBudget(deps);
  // What changed is scored and regrouped into stories at once (from the store, no requests).
  // So is what an interrupted run or pass left unscored (a kill after the last batch).
  if ((options.rescore ?? true) && (storedSomething(runs) || (await needsRescore(db, config))))
    await rescore({ db, config, logger });
  const total = (key: 'itemsNew' | 'itemsUpdated' | 'requests' | 'notModified' | 'graphqlPoints') =>
    runs.reduce((n, r) => n + r[key], 0);
  logger.info(
    {
      batchId,
      trigger: options.trigger,
      runs: runs.length,
      failed: runs.filter((r) => r.status === 'failed').length,
      deferred: runs.filter((r) => r.status === 'deferred').length,
      itemsNew: total('itemsNew'),
      itemsUpdated: total('itemsUpdated'),
      requests: total('requests'),
      notModified: total('notModified'),
      graphqlPoints: total('graphqlPoints'),
    },
    'poll finished',
  );
  return { batchId, runs };
}

async function shareBudget(deps: IngestDeps): Promise<void> {
  await syncBudget(deps.db, deps.github.budget).catch((error) =>
    deps.logger.warn({ error: describeError(error) }, 'could not share the GitHub budget (shared at the next poll)'),
  );
}

function selectRepos(config: Config, names: string[] | undefined): WatchedRepo[] {
  if (!names || names.length === 0) return [...config.repos];
  return names.map((name) => {
    const repo = config.repos.find((r) => r.repo.toLowerCase() === name.toLowerCase());
    if (!repo) {
      throw new ValidationError(
        `--repo ${name}: not in the watch list (${config.repos.map((r) => r.repo).join(', ')}); add it with radar repos add`,
      );
    }
    return repo;
  });
}

/** Reads one source of one repo and stores it batch by batch. */
async function readInto(
  run: ActiveRun,
  options: PollOptions,
  repo: WatchedRepo,
  row: RepoRow,
  reader: Source,
  sources: SourceName[],
): Promise<void> {
  const { db, config, github, clock } = run.deps;
  const cursorKeys = cursorKeysOf(reader, sources);
  // An ETag says "this answer was read", for the cursors that read it: a pulls-only run and an
  // issues-only run send the same listing request but keep different things from it.
  const scope = `${cursorKeys.join('+')} `;
  const store: SourceStore = {
    validators: async (key) => {
      const stored = await getValidators(db, scope + key);
      return stored ? { etag: stored.etag, lastModified: stored.lastModified } : undefined;
    },
    knownItems: (kind, keys) => findKnownItems(db, row.id, kind, keys),
    knownKeps: (locations) => findKnownKeps(db, row.id, locations),
  };
  const batches = reader.read({
    repo,
    defaultBranch: row.default_branch ?? 'master',
    sources,
    cursor: await combinedCursor(db, row.id, cursorKeys),
    since: options.since,
    until: options.until,
    defaultSince: new Date(clock.now().getTime() - DEFAULT_LOOKBACK_MS),
    github,
    store,
    logger: run.logger,
    pageSize: config.github.pageSize,
    batchSize: GRAPHQL_BATCH,
    signal: options.signal,
  });
  try {
    await storeBatches(run, options, row, cursorKeys, scope, batches);
  } finally {
    options.onProgress?.({
      repo: run.repo,
      source: run.source,
      done: 0,
      total: 0,
      itemsNew: run.itemsNew,
      itemsUpdated: run.itemsUpdated,
      finished: true,
    });
  }
}

async function storeBatches(
  run: ActiveRun,
  options: PollOptions,
  row: RepoRow,
  cursorKeys: string[],
  validatorScope: string,
  batches: AsyncGenerator<SourceBatch>,
): Promise<void> {
  const { db } = run.deps;
  for await (const batch of batches) {
    // Items, cursor and ETags move together: a run killed between two batches resumes exactly
    // after the last one stored.
    const started = performance.now();
    const stored = await db.transaction().execute(async (trx) => {
      const outcome = await upsertItems(trx, row.id, batch.items);
      for (const key of cursorKeys) await saveCursor(trx, row.id, key, batch.cursor);
      for (const v of batch.validators)
        await saveValidators(trx, validatorScope + v.requestKey, { repoId: row.id, source: run.source }, v);
      return outcome;
    });
    run.logger.debug({ items: batch.items.length, ms: Math.round(performance.now() - started) }, 'batch stored');
    run.count(stored.inserted, stored.updated);
    for (const warning of batch.warnings) run.warn(warning as RunWarning);
    const replaced = batch.items.filter((entry) => hasUnstorable(entry));
    if (replaced.length > 0)
      run.warn({
        message: 'text PostgreSQL cannot store (NUL, lone surrogates) replaced with U+FFFD',
        items: replaced.slice(0, 20).map(({ item }) => `${item.kind} ${item.key}`),
        count: replaced.length,
      });
    await run.heartbeat();
    options.onProgress?.({
      repo: run.repo,
      source: run.source,
      done: batch.progress?.done ?? 0,
      total: batch.progress?.total ?? null,
      itemsNew: run.itemsNew,
      itemsUpdated: run.itemsUpdated,
      finished: false,
    });
  }
}

/** The cursors a reader moves for these sources, in a stable order. */
function cursorKeysOf(reader: Source, sources: readonly SourceName[]): string[] {
  return [...new Set(sources.map((s) => reader.cursorKey(s)))].sort();
}

/**
 * Sources read together share one pass, so it starts where the least advanced of them stands;
 * a source never polled before means starting afresh.
 */
async function combinedCursor(db: Db, repoId: number, keys: string[]): Promise<SourceCursor | null> {
  const cursors = await Promise.all(keys.map((key) => getCursor(db, repoId, key)));
  if (cursors.some((c) => c === null)) return null;
  const present = cursors as SourceCursor[];
  const at = (c: SourceCursor) => c.since?.getTime() ?? Number.NEGATIVE_INFINITY;
  return present.reduce((earliest, c) => (at(c) < at(earliest) ? c : earliest));
}
