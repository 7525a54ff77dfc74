import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pLimit from 'p-limit';
import type { Config, WatchedRepo } from '../config/config.js';
import type { RunSummary, RunWarning } from '../domain/run.js';
import type { SourceName } from '../domain/source.js';
import type { GitHub } from '../github/client.js';
import { newMeter, withMeter } from '../github/meter.js';
import type { Clock } from '../lib/clock.js';
import { describeError, ValidationError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Source, SourceCursor, SourceStore } from '../sources/source.js';
import { getCursor, getValidators, saveCursor, saveValidators } from '../store/cursors.js';
import type { Db } from '../store/db.js';
import { findKnownItems, upsertItems } from '../store/items.js';
import { releaseLease, renewLease, tryAcquireLease } from '../store/leases.js';
import { syncRepos } from '../store/repos.js';
import { finishRun, startRun } from '../store/runs.js';
import { readersFor } from './readers.js';

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

/** How long a repo+source lease lives without renewal; renewed after every stored batch. */
const LEASE_TTL_MS = 10 * 60_000;
/** Where a first poll starts when there is neither a cursor nor --since. */
const DEFAULT_LOOKBACK_MS = 14 * 86_400_000;

const HOLDER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/**
 * One poll cycle: every selected repo and source, with bounded concurrency. A failing repo or
 * source is recorded as a failed run and the others go on.
 */
export async function poll(deps: IngestDeps, options: PollOptions): Promise<PollResult> {
  const { config, db, logger } = deps;
  const selected = selectRepos(config, options.repos);
  const repoRows = await syncRepos(db, config.repos);
  const batchId = randomUUID();
  const limit = pLimit(config.github.concurrency);
  const jobs: Array<Promise<RunSummary | null>> = [];
  for (const repo of selected) {
    const wanted = repo.sources.filter((s) => !options.sources || options.sources.includes(s));
    for (const { reader, sources } of readersFor(wanted)) {
      const repoRow = repoRows.get(repo.repo.toLowerCase());
      if (!repoRow) throw new Error(`repo ${repo.repo} is not in the store after sync`);
      jobs.push(limit(() => runReader(deps, options, { batchId, repo, repoId: repoRow.id, reader, sources })));
    }
  }
  const runs = (await Promise.all(jobs)).filter((run): run is RunSummary => run !== null);
  logger.info(
    {
      batchId,
      trigger: options.trigger,
      runs: runs.length,
      failed: runs.filter((r) => r.status === 'failed').length,
      itemsNew: sum(runs, 'itemsNew'),
      itemsUpdated: sum(runs, 'itemsUpdated'),
      requests: sum(runs, 'requests'),
      notModified: sum(runs, 'notModified'),
      graphqlPoints: sum(runs, 'graphqlPoints'),
    },
    'poll finished',
  );
  return { batchId, runs };
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

interface ReaderJob {
  batchId: string;
  repo: WatchedRepo;
  repoId: number;
  reader: Source;
  sources: SourceName[];
}

async function runReader(deps: IngestDeps, options: PollOptions, job: ReaderJob): Promise<RunSummary | null> {
  const { db, logger, clock } = deps;
  const sourceLabel = job.sources.join('+');
  const log = logger.child({ repo: job.repo.repo, source: sourceLabel });
  const leaseName = `ingest:${job.repo.repo.toLowerCase()}:${job.reader.cursorName}`;
  if (!(await tryAcquireLease(db, leaseName, HOLDER, LEASE_TTL_MS))) {
    log.warn({ lease: leaseName }, 'skipped: another radar process is polling this repo and source');
    return null;
  }
  const startedAt = clock.now();
  const runId = await startRun(db, { batchId: job.batchId, trigger: options.trigger, repoId: job.repoId, source: sourceLabel });
  const meter = newMeter();
  const warnings: RunWarning[] = [];
  let itemsNew = 0;
  let itemsUpdated = 0;
  let error: string | null = null;

  const store: SourceStore = {
    validators: async (key) => {
      const stored = await getValidators(db, key);
      return stored ? { etag: stored.etag, lastModified: stored.lastModified } : undefined;
    },
    knownItems: (kind, keys) => findKnownItems(db, job.repoId, kind, keys),
  };

  try {
    const cursor = await combinedCursor(db, job.repoId, job.sources);
    await withMeter(meter, async () => {
      const batches = job.reader.read({
        repo: job.repo,
        sources: job.sources,
        cursor,
        since: options.since,
        until: options.until,
        defaultSince: new Date(clock.now().getTime() - DEFAULT_LOOKBACK_MS),
        github: deps.github,
        store,
        logger: log,
        pageSize: deps.config.github.pageSize,
        batchSize: 50,
        signal: options.signal,
      });
      for await (const batch of batches) {
        // Items, cursor and ETags move together: a run killed between two batches resumes
        // exactly after the last one stored.
        const stored = await db.transaction().execute(async (trx) => {
          const outcome = await upsertItems(trx, job.repoId, batch.items);
          for (const source of job.sources) await saveCursor(trx, job.repoId, source, batch.cursor);
          for (const v of batch.validators) {
            await saveValidators(trx, v.requestKey, { repoId: job.repoId, source: sourceLabel }, v);
          }
          return outcome;
        });
        itemsNew += stored.inserted;
        itemsUpdated += stored.updated;
        warnings.push(...batch.warnings);
        for (const warning of batch.warnings) log.warn(warning, 'source warning');
        await renewLease(db, leaseName, HOLDER, LEASE_TTL_MS);
        options.onProgress?.({
          repo: job.repo.repo,
          source: sourceLabel,
          done: batch.progress?.done ?? 0,
          total: batch.progress?.total ?? null,
          itemsNew,
          itemsUpdated,
          finished: false,
        });
      }
    });
  } catch (caught) {
    error = describeError(caught);
    log.error({ err: caught }, 'run failed');
  } finally {
    await releaseLease(db, leaseName, HOLDER).catch(() => undefined);
  }

  const status = error ? 'failed' : 'succeeded';
  await finishRun(db, runId, {
    status,
    requests: meter.requests,
    notModified: meter.notModified,
    graphqlPoints: meter.graphqlPoints,
    rateLimitRemaining: meter.remaining.core,
    itemsNew,
    itemsUpdated,
    error,
    details: {
      warnings,
      graphqlQueries: meter.graphqlQueries,
      graphqlRemaining: meter.remaining.graphql,
      failedAttempts: meter.failedAttempts,
    },
  });
  options.onProgress?.({
    repo: job.repo.repo,
    source: sourceLabel,
    done: 0,
    total: null,
    itemsNew,
    itemsUpdated,
    finished: true,
  });
  log.info(
    {
      runId,
      status,
      itemsNew,
      itemsUpdated,
      requests: meter.requests,
      notModified: meter.notModified,
      graphqlPoints: meter.graphqlPoints,
    },
    'run finished',
  );
  return {
    id: runId,
    repo: job.repo.repo,
    source: sourceLabel,
    trigger: options.trigger,
    status,
    itemsNew,
    itemsUpdated,
    requests: meter.requests,
    notModified: meter.notModified,
    graphqlPoints: meter.graphqlPoints,
    rateLimitRemaining: meter.remaining.core,
    startedAt,
    finishedAt: clock.now(),
    error,
    warnings,
  };
}

/**
 * Sources read together share one pass, so it starts where the least advanced of them stands;
 * a source never polled before means starting afresh.
 */
async function combinedCursor(db: Db, repoId: number, sources: SourceName[]): Promise<SourceCursor | null> {
  const cursors = await Promise.all(sources.map((s) => getCursor(db, repoId, s)));
  if (cursors.some((c) => c === null || c.since === null)) return null;
  const present = cursors as Array<{ since: Date; position: Record<string, unknown> }>;
  return present.reduce((earliest, c) => (c.since < earliest.since ? c : earliest));
}

function sum(runs: RunSummary[], key: 'itemsNew' | 'itemsUpdated' | 'requests' | 'notModified' | 'graphqlPoints'): number {
  return runs.reduce((total, run) => total + run[key], 0);
}
