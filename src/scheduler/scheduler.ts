import { createTask, type ScheduledTask, setLogger } from 'node-cron';
import type { WatchedRepo } from '../config/config.js';
import type { RunSummary } from '../domain/run.js';
import type { SourceName } from '../domain/source.js';
import { type Budget, RESOURCES } from '../github/budget.js';
import { coverage } from '../ingest/coverage.js';
import { type IngestDeps, poll, storedSomething } from '../ingest/poll.js';
import { needsRescore, rescore } from '../ingest/rescore.js';
import { newBatchId } from '../ingest/run.js';
import { describeError } from '../lib/errors.js';
import { append } from '../lib/maps.js';
import { WEEK_MS } from '../lib/time.js';
import type { Db } from '../store/db.js';
import { syncBudget } from '../store/github-budget.js';
import { newHolder } from '../store/leases.js';
import { closeAbandonedRuns, finishRun, lastRunOfTrigger, lastSuccessfulRun, startRun } from '../store/runs.js';
import {
  claimDue,
  finishClaim,
  listSchedules,
  registerSchedules,
  releaseClaims,
  renewClaim,
  type ScheduleRow,
} from '../store/schedules.js';
import { firstRunAt, retryAt } from './timing.js';

/**
 * The scheduled work: a job per repo and schedule (sources sharing a cron expression poll
 * together) and the nightly coverage check, on durable schedules that any number of processes
 * share (startScheduler). Ingest's leases per repo+source stay as a second guard: a manual
 * `radar poll` and a scheduled one never move the same cursor at once.
 */

/**
 * How a job's work went when it did not throw: its runs failed (already recorded as runs, so
 * only the schedule backs off), or GitHub's budget ran out and it waits for the reset.
 */
export type JobOutcome = { status: 'failed'; error: string } | { status: 'deferred'; until: Date; reason: string };

export interface SchedulerJob {
  name: string;
  cron: string;
  /** Resolves to nothing when all went well. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a job with nothing to report is a plain async function
  run(): Promise<JobOutcome | undefined | void>;
  /** When it last completed, to decide whether it is overdue at start. */
  lastRun(): Promise<Date | null>;
  /** Run at start when overdue (polls); a nightly check just waits for its time. */
  catchUp: boolean;
}

export interface Scheduler {
  jobs: SchedulerJob[];
  /** Stops scheduling and waits for the runs in flight. */
  stop(): Promise<void>;
}

/**
 * Thrown by a job that the process's shutdown stopped half-way: it is not recorded as run, and
 * stays due, so that another process (or this one, restarted) does the rest at once.
 */
export class JobInterrupted extends Error {
  override name = 'JobInterrupted';
}

export function pollJobs(deps: IngestDeps, signal: AbortSignal): SchedulerJob[] {
  // The polls of one tick (a job per repo and schedule) share one scoring pass, run when they
  // stored something, rather than one pass each: a pass regroups stories over every item.
  const rescoreOnce = coalesce(async () => {
    await rescore(deps);
  });
  const jobs: SchedulerJob[] = [];
  for (const repo of deps.config.repos) {
    for (const [cron, sources] of groupBySchedule(repo)) {
      jobs.push({
        name: `poll ${repo.repo} ${sources.join('+')}`,
        cron,
        run: async () => {
          const result = await poll(deps, { repos: [repo.repo], sources, trigger: 'schedule', signal, rescore: false });
          // Its runs stopped at the shutdown (each after its last stored batch): not done yet.
          if (signal.aborted && result.runs.some((r) => r.status === 'failed'))
            throw new JobInterrupted('stopped by the shutdown before it finished');
          if (storedSomething(result.runs) || (await needsRescore(deps.db, deps.config))) await rescoreOnce();
          return outcomeOfRuns(result.runs, deps.github.budget);
        },
        lastRun: () => lastSuccessfulRun(deps.db, repo.repo, sources),
        catchUp: true,
      });
    }
  }
  return jobs;
}

/**
 * A poll job's outcome from its runs: deferred to the budget's reset when the rate limit stopped
 * one (what the others read is kept), failed when one failed, else nothing to say.
 */
export function outcomeOfRuns(runs: readonly RunSummary[], budget: Budget): JobOutcome | undefined {
  const deferred = runs.filter((r) => r.status === 'deferred');
  if (deferred.length > 0) {
    return { status: 'deferred', until: resumeAt(budget), reason: deferred[0]?.error ?? 'GitHub rate limit spent' };
  }
  const failed = runs.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    const first = failed[0] as RunSummary;
    return {
      status: 'failed',
      error: `${failed.length} of ${runs.length} runs failed; ${first.repo} ${first.source}: ${first.error}`,
    };
  }
  return undefined;
}

/** When a rate-limited run did not leave a reset time behind, the job waits this long. */
const DEFERRAL_FALLBACK_MS = 15 * 60_000;

/** When a job the rate limit stopped may go on: the first reset of a spent credential. */
function resumeAt(budget: Budget): Date {
  return budget.exhaustedUntil(RESOURCES, new Date()) ?? new Date(Date.now() + DEFERRAL_FALLBACK_MS);
}

/**
 * At start: what a killed process left unscored or ungrouped is scored now, not at the first
 * poll that stores something.
 */
export async function catchUpScoring(deps: IngestDeps): Promise<void> {
  try {
    if (await needsRescore(deps.db, deps.config)) await rescore(deps);
  } catch (error) {
    deps.logger.error({ error: describeError(error) }, 'scoring catch-up failed');
  }
}

/** The nightly completeness check: the last 7 days of every repo and source, figures recorded on runs. */
export function coverageJob(deps: IngestDeps): SchedulerJob {
  return {
    name: 'coverage (last 7 days)',
    cron: deps.config.schedule.coverage,
    run: async () => {
      const to = deps.clock.now();
      const reports = await coverage(deps, { period: { from: new Date(to.getTime() - WEEK_MS), to }, trigger: 'schedule' });
      if (reports.some((r) => r.deferred)) {
        const reason = 'GitHub rate limit spent on every credential during the coverage check';
        return { status: 'deferred', until: resumeAt(deps.github.budget), reason };
      }
      const missing = reports.filter((r) => r.missing.length > 0);
      const log = missing.length > 0 ? deps.logger.warn.bind(deps.logger) : deps.logger.info.bind(deps.logger);
      log(
        {
          checked: reports.length,
          incomplete: missing.map((r) => ({
            repo: r.repo,
            source: r.source,
            captured: r.captured,
            expected: r.expected,
            missing: r.missing.map((m) => m.key),
          })),
        },
        missing.length > 0 ? 'coverage check found missing items' : 'coverage check complete',
      );
      return undefined;
    },
    lastRun: () => lastRunOfTrigger(deps.db, 'coverage'),
    catchUp: false,
  };
}

/**
 * Runs `work` at most once at a time: asked while it runs, it runs once more after it (however
 * often it was asked meanwhile), so what was stored during a pass is not left for the next tick.
 */
export function coalesce(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const start = (): Promise<void> => {
    running = work().finally(() => {
      running = null;
    });
    return running;
  };
  return () => {
    if (!running) return start();
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return start();
      });
    return queued;
  };
}

function groupBySchedule(repo: WatchedRepo): Map<string, SourceName[]> {
  const groups = new Map<string, SourceName[]>();
  for (const source of repo.sources) {
    const cron = repo.schedule[source];
    append(groups, cron, source);
  }
  return groups;
}

export interface SchedulerOptions {
  /** How often due jobs are claimed. */
  tickMs?: number;
  /** How long a claim lasts without renewal (renewed every quarter of it while the job runs). */
  claimTtlMs?: number;
  /** Jobs this process runs at once. */
  concurrency?: number;
  /**
   * GitHub requests (or GraphQL points) left to people: a job is deferred to the reset, without
   * a request, when every credential has this little left (config github.budgetReserve).
   */
  budgetReserve?: number;
}

/**
 * Runs the jobs on their schedules, which live in the database (src/store/schedules.ts): every
 * tick, this process claims the jobs that are due and claimed by nobody, runs them, and records
 * when each runs next. Several processes on one PostgreSQL share the jobs (each due job goes to
 * one of them); a job overdue after downtime runs once; a failing job is tried again with
 * backoff; a dead process's claims run out (or are freed at once on the same machine).
 */
export function startScheduler(
  jobs: SchedulerJob[],
  deps: Pick<IngestDeps, 'db' | 'logger' | 'clock'> & { budget?: Budget | undefined },
  signal: AbortSignal,
  options: SchedulerOptions = {},
): Scheduler {
  const { tickMs = 15_000, claimTtlMs = 10 * 60_000, concurrency = 4, budgetReserve = 0 } = options;
  const { db, clock, budget } = deps;
  const logger = deps.logger.child({ component: 'scheduler' });
  setLogger({
    info: (message) => logger.debug({ detail: message }, 'node-cron'),
    warn: (message) => logger.warn({ detail: message }, 'node-cron warning'),
    error: (message) => logger.error({ detail: String(message) }, 'node-cron error'),
    debug: () => {},
  });
  const holder = newHolder();
  const byName = new Map(jobs.map((job) => [job.name, job]));
  const times = cronTimes();
  const firstReasons = new Map<string, string>();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  const run = (row: ScheduleRow) => {
    const job = byName.get(row.name) as SchedulerJob;
    const now = clock.now();
    const late = now.getTime() - row.next_run_at.getTime() > 2 * tickMs;
    const reason = firstReasons.get(job.name) ?? (row.failures > 0 ? 'retry' : late ? 'overdue' : 'schedule');
    firstReasons.delete(job.name);
    const started = Date.now();
    logger.info({ job: job.name, reason }, 'job started');
    const renewal = setInterval(
      () => void renewClaim(db, job.name, holder, new Date(clock.now().getTime() + claimTtlMs)).catch(() => false),
      claimTtlMs / 4,
    );
    renewal.unref();
    const finish = (outcome: JobOutcome | { status: 'succeeded' }) => {
      const at = clock.now();
      const next = times.of(job.cron).next;
      if (outcome.status === 'deferred') {
        // The reset is GitHub's wall time; the schedule runs on radar's clock.
        const nextRunAt = new Date(at.getTime() + Math.max(outcome.until.getTime() - Date.now(), 0) + DEFERRAL_SLACK_MS);
        return finishClaim(db, job.name, holder, {
          status: 'deferred',
          error: outcome.reason,
          nextRunAt,
          failures: row.failures,
          at,
        });
      }
      const failures = outcome.status === 'failed' ? row.failures + 1 : 0;
      const nextRunAt = outcome.status === 'failed' ? retryAt(at, failures, next) : next;
      const error = outcome.status === 'failed' ? outcome.error : null;
      return finishClaim(db, job.name, holder, { status: outcome.status, error, nextRunAt, failures, at });
    };
    const spentUntil = budget?.exhaustedUntil(RESOURCES, new Date(), budgetReserve) ?? null;
    const work: Promise<JobOutcome | undefined> = spentUntil
      ? deferWithoutRequests(db, job.name, holder, spentUntil, budget as Budget, budgetReserve)
      : job.run().then((outcome) => outcome ?? undefined);
    const promise = work
      .then(async (outcome) => {
        if (outcome?.status === 'deferred')
          logger.warn({ job: job.name, until: outcome.until.toISOString(), reason: outcome.reason }, 'job deferred');
        else if (outcome?.status === 'failed')
          logger.warn({ job: job.name, error: outcome.error }, 'job finished with failed runs');
        else logger.info({ job: job.name, ms: Date.now() - started }, 'job finished');
        await finish(outcome ?? { status: 'succeeded' });
      })
      .catch(async (caught) => {
        if (caught instanceof JobInterrupted) {
          // Left due: stop() frees the claim, and the next process to claim it polls on from the cursors.
          logger.info(
            { job: job.name, ms: Date.now() - started },
            'job interrupted by the shutdown: left due for another process',
          );
          return;
        }
        const error = describeError(caught);
        logger.error({ job: job.name, error }, 'job failed');
        await recordJobOutcome(db, job.name, holder, 'failed', error).catch(() => undefined);
        await finish({ status: 'failed', error });
      })
      .catch((caught) =>
        logger.warn({ job: job.name, error: describeError(caught) }, 'could not record the job (its claim runs out)'),
      )
      .finally(() => {
        clearInterval(renewal);
        inFlight.delete(promise);
      });
    inFlight.add(promise);
  };

  // The tick in progress, which stop() waits for: a claim taken after stop() freed this
  // process's claims would be held by nobody until it ran out (10 minutes on another machine).
  let ticking: Promise<void> | null = null;
  const tick = (): Promise<void> => {
    if (stopped || signal.aborted) return Promise.resolve();
    ticking ??= claimAndRun().finally(() => {
      ticking = null;
    });
    return ticking;
  };
  const claimAndRun = async () => {
    try {
      // What the other processes learnt of GitHub's budget, before deciding what to start.
      if (budget)
        await syncBudget(db, budget).catch((error) =>
          logger.warn({ error: describeError(error) }, 'could not share the GitHub budget'),
        );
      const free = concurrency - inFlight.size;
      const claimed = await claimDue(db, [...byName.keys()], holder, clock.now(), claimTtlMs, free);
      // Once per tick that starts work, not per job: runs a dead process (or a lost database)
      // left `running` are closed as soon as the database answers again.
      if (claimed.length > 0) {
        const closed = await closeAbandonedRuns(db);
        if (closed > 0) logger.warn({ runs: closed }, 'interrupted runs marked failed');
      }
      for (const row of claimed) if (!stopped) run(row);
    } catch (error) {
      logger.warn({ error: describeError(error) }, 'could not claim due jobs (tried again at the next tick)');
    }
  };

  const ready = (async () => {
    const now = clock.now();
    const entries = [];
    for (const job of jobs) {
      const { next, periodMs } = times.of(job.cron);
      const lastRun = job.catchUp ? await job.lastRun().catch(() => null) : null;
      const first = firstRunAt({ now, lastRun, nextCron: next, periodMs, catchUp: job.catchUp });
      if (first.reason) firstReasons.set(job.name, first.reason);
      entries.push({ name: job.name, cron: job.cron, firstRunAt: first.at });
    }
    await registerSchedules(db, entries);
    const stored = new Map((await listSchedules(db)).map((row) => [row.name, row]));
    logger.info(
      {
        jobs: jobs.map((job) => ({
          job: job.name,
          cron: job.cron,
          next: stored.get(job.name)?.next_run_at.toISOString() ?? null,
        })),
      },
      'scheduler started',
    );
    await tick();
  })().catch((error) =>
    logger.error({ error: describeError(error) }, 'could not start the schedules (retried at the next tick)'),
  );
  const timer = setInterval(() => void ready.then(tick), tickMs);

  return {
    jobs,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await ready;
      await ticking;
      await Promise.allSettled([...inFlight]);
      await releaseClaims(db, holder).catch(() => undefined);
      times.close();
      logger.info('scheduler stopped');
    },
  };
}

/**
 * Next times of cron expressions, by node-cron's own parser (UTC): a task per expression,
 * never started, asked for its next runs.
 */
function cronTimes() {
  const tasks = new Map<string, ScheduledTask>();
  return {
    of(cron: string): { next: Date; periodMs: number } {
      let task = tasks.get(cron);
      if (!task) {
        task = createTask(cron, () => {}, { timezone: 'UTC' });
        tasks.set(cron, task);
      }
      const [next, after] = task.getNextRuns(2);
      const at = next ?? new Date(Date.now() + 60_000);
      return { next: at, periodMs: next && after ? after.getTime() - next.getTime() : 60_000 };
    },
    close() {
      for (const task of tasks.values()) void task.destroy();
    },
  };
}

/** Started this long after the reset, so that the first request meets the new window. */
const DEFERRAL_SLACK_MS = 5_000;

/**
 * Every credential is spent (as far as any radar process knows): the job waits for the reset
 * without sending a request, and says so in `radar runs`.
 */
async function deferWithoutRequests(
  db: Db,
  job: string,
  holder: string,
  until: Date,
  budget: Budget,
  reserve: number,
): Promise<JobOutcome> {
  const credentials = budget.credentials.length;
  const reason = `GitHub budget spent: every one of ${credentials} credential${credentials === 1 ? '' : 's'} is spent or down to its reserve (github.budgetReserve ${reserve}); waits for the reset at ${until.toISOString()}`;
  await recordJobOutcome(db, job, holder, 'deferred', reason);
  return { status: 'deferred', until, reason };
}

/** A job that failed or waited outside any run (before or after its polls) shows in `radar runs` too. */
async function recordJobOutcome(
  db: Db,
  job: string,
  holder: string,
  status: 'failed' | 'deferred',
  error: string,
): Promise<void> {
  const id = await startRun(db, { batchId: newBatchId(), trigger: 'schedule', repoId: null, source: `job: ${job}`, holder });
  await finishRun(db, id, {
    status,
    requests: 0,
    notModified: 0,
    graphqlPoints: 0,
    rateLimitRemaining: null,
    itemsNew: 0,
    itemsUpdated: 0,
    error,
    details: { job },
  });
}
