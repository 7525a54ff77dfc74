import { randomUUID } from 'node:crypto';
import type { RunSummary, RunWarning } from '../domain/run.js';
import { newMeter, withMeter } from '../github/meter.js';
import { describeError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { isDatabaseUnavailable } from '../store/db-errors.js';
import { giveUpHolder, leaseHolder, newHolder, releaseLease, renewLease, tryAcquireLease } from '../store/leases.js';
import { finishRun, startRun } from '../store/runs.js';
import { classifyFailure } from './failure.js';
import type { IngestDeps } from './poll.js';

/**
 * The bookkeeping every run shares: a lease so one process at a time works on a repo+source, a
 * run record with what GitHub charged (every request made inside is metered), the items it
 * stored, its warnings, and its error if it failed. The job runner is one of the places that
 * catch: a failed run is recorded and the others go on.
 */

export interface RunContext {
  deps: IngestDeps;
  batchId: string;
  trigger: string;
  /** owner/name as polled (after following a rename). */
  repo: string;
  repoId: number;
  source: string;
  /**
   * What the run writes (its cursor keys): one holder at a time per key, so a combined
   * pulls+issues run and a pulls run never move the same cursor at once. Default: the source.
   */
  leaseKeys?: readonly string[];
  logger: Logger;
  /** The name in the config, when it differs (a moved repo). */
  configName?: string;
}

export interface ActiveRun {
  deps: IngestDeps;
  repo: string;
  source: string;
  logger: Logger;
  itemsNew: number;
  itemsUpdated: number;
  /** Figures a run kind adds to its record (coverage: captured/expected/missing). */
  details: Record<string, unknown>;
  count(inserted: number, updated: number): void;
  warn(warning: RunWarning): void;
  /** Renews the lease; call after every stored batch. */
  heartbeat(): Promise<void>;
}

/** How long a lease lives without renewal; renewed every quarter of that, and after every stored batch. */
export const LEASE_TTL_MS = 10 * 60_000;

export function newBatchId(): string {
  return randomUUID();
}

export async function recordRun(ctx: RunContext, body: (run: ActiveRun) => Promise<void>): Promise<RunSummary> {
  const { db, clock } = ctx.deps;
  const leases = [...new Set(ctx.leaseKeys ?? [ctx.source])].sort().map((key) => `run:${ctx.repoId}:${key}`);
  const holder = newHolder();
  const blocked = await acquireAll(db, leases, holder);
  if (blocked) {
    const holder = (await leaseHolder(db, blocked))?.holder ?? 'another process';
    ctx.logger.warn({ lease: blocked, holder }, 'skipped: another radar process is working on this repo and source');
    const now = clock.now();
    return {
      id: 0,
      repo: ctx.repo,
      source: ctx.source,
      trigger: ctx.trigger,
      status: 'skipped',
      itemsNew: 0,
      itemsUpdated: 0,
      requests: 0,
      notModified: 0,
      graphqlPoints: 0,
      rateLimitRemaining: null,
      startedAt: now,
      finishedAt: now,
      error: `skipped: ${holder} is working on it`,
      warnings: [],
    };
  }
  // Renewed on a timer, not only between batches: a rate-limit wait can outlast the lease.
  let lost: string | null = null;
  const renew = async () => {
    for (const lease of leases) {
      if (lost) return;
      if (!(await renewLease(db, lease, holder, LEASE_TTL_MS).catch(() => true))) lost = lease;
    }
  };
  const renewal = setInterval(() => void renew(), LEASE_TTL_MS / 4);
  renewal.unref();
  const startedAt = clock.now();
  let runId: number;
  try {
    runId = await startRun(db, { batchId: ctx.batchId, trigger: ctx.trigger, repoId: ctx.repoId, source: ctx.source, holder });
  } catch (error) {
    clearInterval(renewal);
    await giveUp(db, leases, holder);
    throw error;
  }
  const meter = newMeter();
  const warnings: RunWarning[] = [];
  const run: ActiveRun = {
    deps: ctx.deps,
    repo: ctx.repo,
    source: ctx.source,
    logger: ctx.logger,
    itemsNew: 0,
    itemsUpdated: 0,
    details: {},
    count(inserted, updated) {
      run.itemsNew += inserted;
      run.itemsUpdated += updated;
    },
    warn(warning) {
      warnings.push(warning);
      ctx.logger.warn(warning, 'run warning');
    },
    heartbeat: async () => {
      await renew();
      // Another process took over (this one stalled past the lease): stop before writing more.
      if (lost) throw new Error(`lost the lease ${lost} to another radar process; stopped so as not to write beside it`);
    },
  };
  let error: string | null = null;
  let failure: RunSummary['failure'];
  try {
    await withMeter(meter, () => body(run));
  } catch (caught) {
    error = describeError(caught);
    failure = classifyFailure(caught);
    // A lost database is a fault like GitHub's, not a bug: its message, without a stack; a spent
    // budget is no fault at all.
    if (failure === 'rate-limited') ctx.logger.warn({ error }, 'run deferred: GitHub rate limit spent on every credential');
    else if (isDatabaseUnavailable(caught)) ctx.logger.error({ error }, 'run failed: database unavailable');
    else ctx.logger.error({ err: caught }, 'run failed');
  } finally {
    clearInterval(renewal);
  }
  // A spent rate limit is not a failure: the cursor kept what was read, the rest waits for the reset.
  const status = error ? (failure === 'rate-limited' ? 'deferred' : 'failed') : 'succeeded';
  // Recorded before the leases go, so that no one sees a running run nobody holds; a database
  // restarting is given a few seconds to come back.
  await retryWhileUnavailable(() =>
    finishRun(db, runId, {
      status,
      requests: meter.requests,
      notModified: meter.notModified,
      graphqlPoints: meter.graphqlPoints,
      rateLimitRemaining: meter.remaining.core,
      itemsNew: run.itemsNew,
      itemsUpdated: run.itemsUpdated,
      error,
      details: {
        ...run.details,
        warnings,
        graphqlQueries: meter.graphqlQueries,
        graphqlRemaining: meter.remaining.graphql,
        failedAttempts: meter.failedAttempts,
        ...(ctx.configName && ctx.configName.toLowerCase() !== ctx.repo.toLowerCase() ? { configName: ctx.configName } : {}),
      },
    }),
  ).catch(async (failure) => {
    // The database went away (or refused the record): the run is closed when it answers again.
    await giveUp(db, leases, holder);
    ctx.logger.error({ runId, error: describeError(failure) }, 'could not record the end of the run');
    throw failure;
  });
  for (const lease of leases) await releaseLease(db, lease, holder).catch(() => undefined);
  const finishedAt = clock.now();
  const summary: RunSummary = {
    id: runId,
    repo: ctx.repo,
    source: ctx.source,
    trigger: ctx.trigger,
    status,
    itemsNew: run.itemsNew,
    itemsUpdated: run.itemsUpdated,
    requests: meter.requests,
    notModified: meter.notModified,
    graphqlPoints: meter.graphqlPoints,
    rateLimitRemaining: meter.remaining.core,
    startedAt,
    finishedAt,
    error,
    failure,
    warnings,
  };
  const { itemsNew, itemsUpdated, requests, notModified, graphqlPoints } = summary;
  const ms = finishedAt.getTime() - startedAt.getTime();
  ctx.logger.info({ runId, status, itemsNew, itemsUpdated, requests, notModified, graphqlPoints, ms }, 'run finished');
  return summary;
}

async function retryWhileUnavailable<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= FINISH_ATTEMPTS || !isDatabaseUnavailable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, attempt * 1000));
    }
  }
}

const FINISH_ATTEMPTS = 4;

/** Releases what it can and marks the holder given up, so that its leases and run are not left to expire. */
async function giveUp(db: IngestDeps['db'], leases: readonly string[], holder: string): Promise<void> {
  giveUpHolder(holder);
  for (const lease of leases) await releaseLease(db, lease, holder).catch(() => undefined);
}

/** Takes every lease or none; returns the first one held by someone else. */
async function acquireAll(db: IngestDeps['db'], leases: readonly string[], holder: string): Promise<string | null> {
  const taken: string[] = [];
  for (const lease of leases) {
    if (await tryAcquireLease(db, lease, holder, LEASE_TTL_MS)) {
      taken.push(lease);
      continue;
    }
    for (const mine of taken) await releaseLease(db, mine, holder).catch(() => undefined);
    return lease;
  }
  return null;
}
