import type { KyselyPlugin } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { Budget } from '../../src/github/budget.js';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { type Scheduler, type SchedulerJob, startScheduler } from '../../src/scheduler/scheduler.js';
import { loadQuotas, saveQuotas, syncBudget } from '../../src/store/github-budget.js';
import { newHolder } from '../../src/store/leases.js';
import { listRuns } from '../../src/store/runs.js';
import { listSchedules } from '../../src/store/schedules.js';
import { describeEachDialect } from '../tools/db.js';

/**
 * Durable schedules over a real database: several schedulers (as several `radar worker`s would)
 * share the jobs, each due job runs once and never twice at once, an overdue job catches up
 * once, a failing one is recorded and backs off, and a dead process's claim is taken over.
 */
describeEachDialect('durable schedules', (t) => {
  const started: Scheduler[] = [];
  afterEach(async () => {
    for (const scheduler of started.splice(0)) await scheduler.stop();
  });

  const DAILY = '0 3 * * *';
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  function counted(name: string, options: { lastRun?: Date | null; fail?: boolean; ms?: number } = {}) {
    const state = { runs: 0, running: 0, overlapped: false };
    const job: SchedulerJob = {
      name,
      cron: DAILY,
      catchUp: true,
      lastRun: async () => options.lastRun ?? null,
      run: async () => {
        state.runs += 1;
        state.running += 1;
        if (state.running > 1) state.overlapped = true;
        await wait(options.ms ?? 30);
        state.running -= 1;
        if (options.fail) throw new Error(`${name} broke`);
      },
    };
    return { job, state };
  }

  function start(jobs: SchedulerJob[], concurrency = 4, budget?: Budget, budgetReserve = 0) {
    const scheduler = startScheduler(
      jobs,
      { db: t().db, logger: silentLogger(), clock: systemClock, budget },
      new AbortController().signal,
      {
        tickMs: 40,
        concurrency,
        budgetReserve,
      },
    );
    started.push(scheduler);
    return scheduler;
  }

  it('shares the jobs between processes: each due job runs once, never twice at once', async () => {
    // Three processes with the same jobs (each has its own job objects, as separate processes do).
    const workers = [0, 1, 2].map(() => ['poll a', 'poll b', 'poll c', 'poll d', 'poll e'].map((name) => counted(name)));
    for (const jobs of workers)
      start(
        jobs.map((j) => j.job),
        2,
      );
    await wait(800);
    for (const name of ['poll a', 'poll b', 'poll c', 'poll d', 'poll e']) {
      const runs = workers.map((jobs) => jobs.find((j) => j.job.name === name)?.state.runs ?? 0);
      expect(
        runs.reduce((a, b) => a + b, 0),
        `${name} ran ${runs.join('+')} times`,
      ).toBe(1);
    }
    expect(workers.flat().some((j) => j.state.overlapped)).toBe(false);
    const rows = await listSchedules(t().db);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row).toMatchObject({ last_status: 'succeeded', failures: 0, claimed_by: null });
      // Next at 03:00 UTC, within a day.
      expect(row.next_run_at.getUTCHours()).toBe(3);
      expect(row.next_run_at.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    }
  });

  it('catches up once after downtime, and waits for its time when the last run is recent', async () => {
    const overdue = counted('poll overdue', { lastRun: new Date(Date.now() - 3 * 24 * 3600_000) });
    const recent = counted('poll recent', { lastRun: new Date(Date.now() - 3600_000) });
    start([overdue.job, recent.job]);
    await wait(400);
    expect(overdue.state.runs).toBe(1);
    expect(recent.state.runs).toBe(0);
  });

  it('records a failed job as a failed run with its error, and tries again with backoff', async () => {
    const broken = counted('poll broken', { fail: true });
    start([broken.job]);
    await wait(400);
    expect(broken.state.runs).toBe(1);
    const [row] = await listSchedules(t().db);
    expect(row).toMatchObject({ last_status: 'failed', last_error: 'poll broken broke', failures: 1, claimed_by: null });
    const retryIn = (row?.next_run_at.getTime() ?? 0) - Date.now();
    expect(retryIn).toBeGreaterThan(30_000);
    expect(retryIn).toBeLessThanOrEqual(60_000);
    const [run] = await listRuns(t().db, { limit: 1 });
    expect(run).toMatchObject({ trigger: 'schedule', source: 'job: poll broken', status: 'failed', error: 'poll broken broke' });
  });

  it("takes over a dead process's claim at once, and an expired claim of another machine", async () => {
    const due = new Date(Date.now() - 60_000);
    await t()
      .db.insertInto('schedules')
      .values([
        // A pid that cannot exist on this machine.
        {
          name: 'poll dead',
          cron: DAILY,
          next_run_at: due,
          claimed_by: `${newHolder().split(':')[0]}:99999999:x`,
          claimed_until: new Date(Date.now() + 600_000),
        },
        {
          name: 'poll expired',
          cron: DAILY,
          next_run_at: due,
          claimed_by: 'elsewhere:1:y',
          claimed_until: new Date(Date.now() - 1000),
        },
        {
          name: 'poll held',
          cron: DAILY,
          next_run_at: due,
          claimed_by: 'elsewhere:2:z',
          claimed_until: new Date(Date.now() + 600_000),
        },
      ])
      .execute();
    const jobs = ['poll dead', 'poll expired', 'poll held'].map((name) => counted(name));
    start(jobs.map((j) => j.job));
    await wait(400);
    expect(jobs.map((j) => j.state.runs)).toEqual([1, 1, 0]);
  });

  describe('one GitHub budget', () => {
    const inMinutes = (m: number) => new Date(Date.now() + m * 60_000);
    const spent = (credential: string, resetInMinutes: number, remaining = 0) =>
      (['core', 'graphql'] as const).map((resource) => ({
        credential,
        resource,
        limit: 5000,
        remaining,
        resetAt: inMinutes(resetInMinutes),
        observedAt: new Date(),
      }));

    it('defers every job, without running it, when another process saw all credentials spent', async () => {
      // Another worker's report, shared through the database; this process has seen nothing.
      await saveQuotas(t().db, [...spent('token:a', 30), ...spent('token:b', 20)]);
      const job = counted('poll spent');
      start([job.job], 4, new Budget(['token:a', 'token:b']));
      await wait(400);
      expect(job.state.runs).toBe(0);
      const [row] = await listSchedules(t().db);
      expect(row).toMatchObject({ last_status: 'deferred', failures: 0, claimed_by: null });
      expect(row?.last_error).toMatch(
        /every one of 2 credentials is spent or down to its reserve \(github.budgetReserve 0\); waits for the reset/,
      );
      // Waits for the first credential to reset (20 minutes), not for backoff or the next day.
      const waits = (row?.next_run_at.getTime() ?? 0) - Date.now();
      expect(waits).toBeGreaterThan(19 * 60_000);
      expect(waits).toBeLessThan(21 * 60_000);
      const [run] = await listRuns(t().db, { limit: 1 });
      expect(run).toMatchObject({ source: 'job: poll spent', status: 'deferred' });
    });

    it('keeps the reserve for people: defers when every credential is down to it', async () => {
      await saveQuotas(t().db, [...spent('token:a', 30, 80)]);
      const withinReserve = counted('poll reserve');
      start([withinReserve.job], 4, new Budget(['token:a']), 100);
      await wait(300);
      expect(withinReserve.state.runs).toBe(0);
      const again = counted('poll reserve');
      await t().db.deleteFrom('schedules').execute();
      start([again.job], 4, new Budget(['token:a']), 50);
      await wait(300);
      expect(again.state.runs).toBe(1);
    });

    it('runs a job at its reset, without counting a failure, when its runs were deferred', async () => {
      const until = inMinutes(12);
      const job: SchedulerJob = {
        name: 'poll limited',
        cron: DAILY,
        catchUp: true,
        lastRun: async () => null,
        run: async () => ({ status: 'deferred', until, reason: 'GitHub rate limit exceeded on all 2 credentials' }),
      };
      start([job]);
      await wait(300);
      const [row] = await listSchedules(t().db);
      expect(row).toMatchObject({
        last_status: 'deferred',
        failures: 0,
        last_error: 'GitHub rate limit exceeded on all 2 credentials',
      });
      expect(Math.abs((row?.next_run_at.getTime() ?? 0) - until.getTime())).toBeLessThan(10_000);
      // The runs it made are its record; no extra job run is added.
      expect(await listRuns(t().db, { limit: 5 })).toEqual([]);
    });

    it('backs off a job whose runs failed, recording nothing beside the runs', async () => {
      const job: SchedulerJob = {
        name: 'poll failing runs',
        cron: DAILY,
        catchUp: true,
        lastRun: async () => null,
        run: async () => ({ status: 'failed', error: '1 of 2 runs failed; a/b pulls: boom' }),
      };
      start([job]);
      await wait(300);
      const [row] = await listSchedules(t().db);
      expect(row).toMatchObject({ last_status: 'failed', failures: 1, last_error: '1 of 2 runs failed; a/b pulls: boom' });
      expect(await listRuns(t().db, { limit: 5 })).toEqual([]);
    });

    it('shares what each process learnt: the newest report of a credential wins', async () => {
      const mine = new Budget(['token:a', 'token:b']);
      mine.observe('token:a', 'core', { limit: 5000, remaining: 10, resetAt: inMinutes(30), observedAt: new Date() });
      await syncBudget(t().db, mine);
      const theirs = new Budget(['token:a', 'token:b']);
      await syncBudget(t().db, theirs);
      expect(theirs.pick('core', new Date())).toBe('token:b');
      // An older report from a slow process does not undo a newer one.
      await saveQuotas(t().db, [
        {
          credential: 'token:a',
          resource: 'core',
          limit: 5000,
          remaining: 4000,
          resetAt: inMinutes(30),
          observedAt: inMinutes(-5),
        },
      ]);
      expect((await loadQuotas(t().db)).find((q) => q.credential === 'token:a')?.remaining).toBe(10);
    });
  });

  it('stopped while a tick is claiming, leaves no claim behind (nobody would free it on another machine)', async () => {
    // The scheduler's database answers its next query only when told to: stop() comes while a
    // tick waits in the middle of claiming a due job.
    let arm: (() => void) | undefined;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      arm = resolve;
    });
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let armed = false;
    const holdNext: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        if (armed) {
          armed = false;
          arm?.();
          await gate;
        }
        return args.result;
      },
    };
    const { job, state } = counted('poll late', { lastRun: new Date() }); // not due: its last run is recent
    const controller = new AbortController();
    const scheduler = startScheduler(
      [job],
      { db: t().db.withPlugin(holdNext), logger: silentLogger(), clock: systemClock },
      controller.signal,
      { tickMs: 40 },
    );
    await wait(200);
    // From now on the tick in progress waits (whichever of its queries it is at), and the job is due.
    armed = true;
    await t()
      .db.updateTable('schedules')
      .set({ next_run_at: new Date(Date.now() - 1000) })
      .execute();
    await held;
    controller.abort();
    const stopped = scheduler.stop();
    await wait(100);
    release();
    await stopped;
    await wait(200);
    expect(state.runs).toBe(0);
    expect((await listSchedules(t().db)).map((r) => r.claimed_by)).toEqual([null]);
  });
});
