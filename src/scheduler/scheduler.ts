import { createTask, type ScheduledTask, setLogger } from 'node-cron';
import type { WatchedRepo } from '../config/config.js';
import type { SourceName } from '../domain/source.js';
import { coverage } from '../ingest/coverage.js';
import { type IngestDeps, poll, storedSomething } from '../ingest/poll.js';
import { needsRescore, rescore } from '../ingest/rescore.js';
import { describeError } from '../lib/errors.js';
import { append } from '../lib/maps.js';
import { WEEK_MS } from '../lib/time.js';
import { closeAbandonedRuns, lastRunOfTrigger, lastSuccessfulRun } from '../store/runs.js';

/**
 * node-cron wiring: one task per repo and schedule (sources sharing a cron expression poll
 * together). Several schedulers may run against one PostgreSQL: ingest takes a lease per
 * repo+source, so a tick another process is already serving is skipped there.
 */

export interface SchedulerJob {
  name: string;
  cron: string;
  run(): Promise<void>;
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
          // Runs a dead process (or a lost database) left `running` are closed as soon as it answers.
          const closed = await closeAbandonedRuns(deps.db);
          if (closed > 0) deps.logger.warn({ runs: closed }, 'interrupted runs marked failed');
          const result = await poll(deps, { repos: [repo.repo], sources, trigger: 'schedule', signal, rescore: false });
          if (storedSomething(result.runs) || (await needsRescore(deps.db, deps.config))) await rescoreOnce();
        },
        lastRun: () => lastSuccessfulRun(deps.db, repo.repo, sources),
        catchUp: true,
      });
    }
  }
  return jobs;
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

export function startScheduler(jobs: SchedulerJob[], deps: Pick<IngestDeps, 'logger' | 'clock'>, signal: AbortSignal): Scheduler {
  const logger = deps.logger.child({ component: 'scheduler' });
  setLogger({
    info: (message) => logger.debug({ detail: message }, 'node-cron'),
    warn: (message) => logger.warn({ detail: message }, 'node-cron warning'),
    error: (message) => logger.error({ detail: String(message) }, 'node-cron error'),
    debug: () => {},
  });
  const inFlight = new Set<Promise<void>>();
  const running = new Set<string>();

  const execute = (job: SchedulerJob, reason: string) => {
    if (signal.aborted || running.has(job.name)) return; // never overlap a job with itself
    running.add(job.name);
    const started = Date.now();
    logger.info({ job: job.name, reason }, 'job started');
    const promise = job
      .run()
      .then(() => logger.info({ job: job.name, ms: Date.now() - started }, 'job finished'))
      .catch((error) => logger.error({ job: job.name, error: describeError(error) }, 'job failed'))
      .finally(() => {
        running.delete(job.name);
        inFlight.delete(promise);
      });
    inFlight.add(promise);
  };

  const tasks: ScheduledTask[] = jobs.map((job) =>
    createTask(job.cron, () => execute(job, 'schedule'), { name: job.name, timezone: 'UTC', noOverlap: true }),
  );
  for (const task of tasks) void task.start();

  // Catch up at start: a job whose last completed run is older than its period runs now,
  // instead of waiting up to a day for its next tick.
  void (async () => {
    for (const [index, job] of jobs.entries()) {
      const task = tasks[index];
      if (!task || signal.aborted || !job.catchUp) continue;
      const [next, after] = task.getNextRuns(2);
      const period = next && after ? after.getTime() - next.getTime() : 0;
      const last = await job.lastRun().catch(() => null);
      if (!last || deps.clock.now().getTime() - last.getTime() > period) execute(job, last ? 'overdue' : 'never run');
    }
  })();

  logger.info(
    { jobs: jobs.map((job, i) => ({ job: job.name, cron: job.cron, next: tasks[i]?.getNextRun()?.toISOString() ?? null })) },
    'scheduler started',
  );

  return {
    jobs,
    stop: async () => {
      for (const task of tasks) await task.destroy();
      await Promise.allSettled([...inFlight]);
      logger.info('scheduler stopped');
    },
  };
}
