import type { KyselyPlugin } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { type Scheduler, type SchedulerJob, startScheduler } from '../../src/scheduler/scheduler.js';
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

  function start(jobs: SchedulerJob[], concurrency = 4) {
    const scheduler = startScheduler(
      jobs,
      { db: t().db, logger: silentLogger(), clock: systemClock },
      new AbortController().signal,
      {
        tickMs: 40,
        concurrency,
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
