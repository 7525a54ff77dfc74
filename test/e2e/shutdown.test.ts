import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bench, childEnv, configFile, startBench } from '../tools/crash-suite.js';
import { BACKFILL_SINCE, CONTAINERD, KUBERNETES, worldConfig } from '../tools/github-world.js';
import { jobSpans, OVERLAPPING_RUNS_SQL, overlappingSpans } from '../tools/job-spans.js';
import { queryPostgres } from '../tools/pg-query.js';
import {
  describeExit,
  hasStackTrace,
  humanLines,
  type RadarExit,
  type RadarProcess,
  removeTempDirs,
  runRadar,
  startRadar,
} from '../tools/radar-process.js';
import { compareDumps, dumpStore, runsLeftRunning, type StoreDump } from '../tools/store-dump.js';
import { CRASH_DIALECTS, openStores, type Store, type Stores } from '../tools/stores.js';

/**
 * Stopping radar on purpose, as a supervisor does (a Kubernetes rollout, systemd, Ctrl-C): the
 * real `radar` command over the fake GitHub world (test/tools/github-world.ts), its answers
 * slowed down so that the signal lands in the middle of the work.
 *
 * - `radar backfill` gets SIGTERM or SIGINT half-way: it stops after the batch in hand within a
 *   bound, exits 0 (README "Command line": stopped on request, run it again), leaves no run
 *   `running` and only whole batches (items with their content, cursors after them); the same
 *   backfill run again then leaves the store of an uninterrupted one.
 * - Three `radar worker` processes on one PostgreSQL (TEST_DATABASE_URL) share the due jobs:
 *   each job runs once and no job twice at the same time (the `schedules` claims, the `runs`
 *   table, the workers' logs); a worker stopped with SIGTERM in the middle of a job exits 0 and
 *   frees its claim, and another worker finishes the job; a worker killed with -9 has its claim
 *   taken over at once (a dead process of the same machine), and its job finished by another.
 *   The store they leave is the one three workers leave undisturbed.
 */

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a stop may take: the request in flight, the batch in hand, closing the database. */
const STOP_BOUND_MS = 15_000;
/** Every GitHub answer this late, so that the work is well under way when the signal comes. */
const SLOW_MS = 80;

const SIGNALS = [
  { signal: 'SIGTERM', code: 0 },
  { signal: 'SIGINT', code: 0 },
] as const;

for (const dialect of CRASH_DIALECTS) {
  describe(`radar backfill stopped by a signal half-way [${dialect}]`, () => {
    let stores: Stores;
    let bench: Bench;
    let reference: StoreDump;
    let referenceRequests: number;
    const config = configFile(worldConfig());
    const backfill = ['backfill', '--since', BACKFILL_SINCE];

    beforeAll(async () => {
      stores = await openStores(dialect);
      bench = await startBench();
      const store = await stores.fresh();
      bench.github.reset();
      const exit = await runRadar(backfill, childEnv(bench, store, config));
      if (exit.code !== 0) throw new Error(`the uninterrupted backfill failed: ${describeExit(exit)}`);
      referenceRequests = bench.github.requests.length;
      reference = await dumpStore(store.location);
      await stores.remove(store);
    });

    afterAll(async () => {
      await bench?.close();
      await stores?.dispose();
      removeTempDirs();
    });

    for (const { signal, code } of SIGNALS)
      it(`${signal}: stops after its batch in hand, exits ${code}, and the same backfill completes the store`, async () => {
        expect(reference.items.size, 'the fixture backfill stores a few dozen items').toBeGreaterThan(60);
        expect(referenceRequests, 'over several pages and batches').toBeGreaterThan(40);
        const store = await stores.fresh();
        const env = childEnv(bench, store, config);
        // The signal goes when a third of the uninterrupted backfill's requests have been made.
        const signalAt = Math.floor(referenceRequests / 3);
        let signalledAt: number | null = null;
        let proc: RadarProcess | undefined;
        bench.github.reset();
        bench.github.tap = {
          received: async (exchange) => {
            if (exchange.n === signalAt) {
              signalledAt = Date.now();
              proc?.child.kill(signal);
            }
            await wait(SLOW_MS);
            return undefined;
          },
        };
        proc = startRadar(backfill, env);
        const exit = await proc.exited;
        bench.github.tap = null;
        const requests = bench.github.requests.length;

        expect(signalledAt, `the backfill ended before its request ${signalAt}: ${describeExit(exit)}`).not.toBeNull();
        const stoppedIn = Date.now() - (signalledAt as unknown as number);
        expect(exit.signal, 'ended by itself, not by the signal').toBeNull();
        expect(exit.code, describeExit(exit)).toBe(code);
        expect(stoppedIn, `stopped within ${STOP_BOUND_MS} ms of the signal`).toBeLessThan(STOP_BOUND_MS);
        // It stopped instead of carrying on: what was in flight, not the rest of the backfill.
        expect(requests, `${requests} requests of the uninterrupted ${referenceRequests}`).toBeLessThan(
          signalAt + (referenceRequests - signalAt) / 2,
        );
        expect(hasStackTrace(exit.stderr) || hasStackTrace(exit.stdout), 'a stack trace').toBe(false);
        expect(humanLines(exit.stderr)).toContain(
          `radar backfill: stopped by ${signal} after the last stored batch: run the same command again to continue`,
        );

        // What it left: no run "running", the runs cut short failed naming the signal, whole batches only.
        const stopped = await dumpStore(store.location);
        expect(runsLeftRunning(stopped)).toEqual([]);
        const cut = stopped.runs.filter((r) => r.status === 'failed');
        expect(cut.length, 'runs cut short').toBeGreaterThan(0);
        for (const run of cut) expect(run.error, `run ${run.repo} ${run.source}`).toBe(`interrupted by ${signal}`);
        expect(stopped.items.size, 'batches stored before the signal').toBeGreaterThan(0);
        expect(stopped.items.size, 'the backfill was half-way').toBeLessThan(reference.items.size);
        const partial = compareDumps(reference, stopped);
        expect(partial.duplicates).toBe(0);
        const notWhole = [...stopped.items.values()]
          .filter((item) => reference.items.get(item.name)?.content !== item.content)
          .map((item) => item.name);
        expect(notWhole, 'items stored unlike the uninterrupted backfill stores them').toEqual([]);
        expect(stopped.cursors.size, 'a cursor after the batches stored').toBeGreaterThan(0);

        // The same command again continues from the cursors: the store of an uninterrupted backfill.
        bench.github.reset();
        const resumed = await runRadar(backfill, env);
        expect(resumed.code, describeExit(resumed)).toBe(0);
        expect(bench.github.requests.length, 'the rerun continued rather than starting over').toBeLessThan(referenceRequests);
        const dump = await dumpStore(store.location);
        await stores.remove(store);
        expect(compareDumps(reference, dump).problems.join('\n')).toBe('');
        expect(runsLeftRunning(dump)).toEqual([]);
      }, 120_000);

    // Reads give up when the process stops (src/github/client.ts, "stopping"): a rate-limit wait
    // must not outlast a SIGTERM's grace period (Kubernetes gives 30 s, then -9).
    it('SIGTERM during a 40 s secondary rate-limit wait: stops at once, exits 0, store consistent', async () => {
      const store = await stores.fresh();
      const env = childEnv(bench, store, config);
      const limitedAt = Math.floor(referenceRequests / 3);
      let proc: RadarProcess | undefined;
      let signalledAt = 0;
      bench.github.reset();
      bench.github.tap = {
        received: (exchange) => {
          if (exchange.n !== limitedAt) return undefined;
          setTimeout(() => {
            signalledAt = Date.now();
            proc?.child.kill('SIGTERM');
          }, 500);
          return {
            kind: 'answer',
            status: 403,
            headers: { 'retry-after': '40' },
            body: {
              message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
              documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
            },
            label: '403 secondary rate limit, Retry-After: 40',
          };
        },
      };
      proc = startRadar(backfill, env);
      const exit = await proc.exited;
      bench.github.tap = null;
      expect(signalledAt, 'the signal was sent').toBeGreaterThan(0);
      expect(exit.code, describeExit(exit)).toBe(0);
      expect(Date.now() - signalledAt, 'stopped well within a 30 s grace period, not after the 40 s wait').toBeLessThan(10_000);
      const dump = await dumpStore(store.location);
      expect(runsLeftRunning(dump)).toEqual([]);
      expect(compareDumps(reference, dump).duplicates).toBe(0);
      await stores.remove(store);
    }, 120_000);
  });
}

const url = process.env.TEST_DATABASE_URL;

/** The watch list with a job per repo and cron, each due once (never run, then next at New Year). */
const WORKER_CONFIG = `github:
  concurrency: 1
  pageSize: 3
schedule:
  pulls: "0 0 1 1 *"
  issues: "0 0 1 1 *"
  releases: "30 0 1 1 *"
  coverage: "0 1 1 1 *"
projects:
  - name: Kubernetes
    conventions: kubernetes
    repos:
      - repo: ${KUBERNETES}
        sources: [pulls, issues, releases]
  - name: containerd
    conventions: containerd
    repos:
      - repo: ${CONTAINERD}
        sources: [pulls, releases]
`;

/** The jobs due when the workers start (by their cron in WORKER_CONFIG); the coverage check waits for its time. */
const DUE: Record<string, string> = {
  [`poll ${KUBERNETES} pulls+issues`]: '0 0 1 1 *',
  [`poll ${KUBERNETES} releases`]: '30 0 1 1 *',
  [`poll ${CONTAINERD} pulls`]: '0 0 1 1 *',
  [`poll ${CONTAINERD} releases`]: '30 0 1 1 *',
};
const DUE_JOBS = Object.keys(DUE);
/** The longest job: the one stopped in the middle. */
const LONG_JOB = `poll ${KUBERNETES} pulls+issues`;
const LONG_LISTING = `/repos/${KUBERNETES}/issues`;

const INTERRUPTED = 'job interrupted by the shutdown: left due for another process';

interface Worker {
  name: string;
  proc: RadarProcess;
}

/** A worker's last log lines that say what it did, for failure messages. */
function describeLogs(worker: Worker): string {
  const lines = worker.proc.output.stderr.split('\n').filter((l) => /job |scheduler|error|warn|"level":[45]0/.test(l));
  return lines.slice(-8).join('\n  ').slice(-3000);
}

function query<T extends pg.QueryResultRow>(store: Store, text: string, values: unknown[] = []): Promise<T[]> {
  return queryPostgres<T>(store.env.DATABASE_URL as string, text, values);
}

interface ScheduleState {
  name: string;
  claimed_by: string | null;
  last_status: string | null;
  failures: number;
}

function schedules(store: Store): Promise<ScheduleState[]> {
  return query<ScheduleState>(store, 'select name, claimed_by, last_status, failures from schedules order by name');
}

/** Runs of one repo+source whose times overlap: two processes polling it at once. */
async function overlappingRuns(store: Store): Promise<string[]> {
  const rows = await query<{ a: number; b: number; repo: string; source: string }>(store, OVERLAPPING_RUNS_SQL);
  return rows.map((r) => `runs ${r.a} and ${r.b} of ${r.repo} ${r.source} overlap`);
}

/** The pid in a holder id ("host:pid:nonce"). */
function holderPid(holder: string | null): number | null {
  const pid = holder?.split(':')[1];
  return pid ? Number(pid) : null;
}

async function until<T>(what: () => Promise<T | undefined | false>, timeoutMs: number, waitingFor: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await what();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${waitingFor()}`);
    await wait(200);
  }
}

describe.skipIf(!url)(
  'radar worker processes sharing one PostgreSQL, stopped and killed in the middle of a job [postgres]',
  () => {
    let stores: Stores;
    let bench: Bench;
    /** Backfilled up to a week in: the workers' polls read the rest, page by page. */
    let prepared: Store;
    let reference: StoreDump | undefined;
    const config = configFile(WORKER_CONFIG);
    const running: Worker[] = [];

    beforeAll(async () => {
      stores = await openStores('postgres');
      bench = await startBench();
      prepared = await stores.fresh();
      const exit = await runRadar(
        ['backfill', '--since', BACKFILL_SINCE, '--until', '2019-05-08'],
        childEnv(bench, prepared, config),
      );
      if (exit.code !== 0) throw new Error(`the preparing backfill failed: ${describeExit(exit)}`);
      // Its polls are due now (the backfill just read these sources, so they would wait for New Year).
      for (const [name, cron] of Object.entries(DUE))
        await query(prepared, 'insert into schedules (name, cron, next_run_at) values ($1, $2, now())', [name, cron]);
    });

    afterAll(async () => {
      await Promise.all(running.splice(0).map((w) => w.proc.kill()));
      await bench?.close();
      await stores?.dispose();
      removeTempDirs();
    });

    function startWorkers(store: Store, names: string[]): Worker[] {
      const workers = names.map((name) => ({
        name,
        proc: startRadar(['worker'], childEnv(bench, store, config, { RADAR_SCHEDULER_TICK_MS: '250' })),
      }));
      running.push(...workers);
      return workers;
    }

    async function stopAll(workers: Worker[]): Promise<RadarExit[]> {
      return Promise.all(
        workers.map(async (w) => {
          if (w.proc.child.exitCode === null && w.proc.child.signalCode === null) w.proc.child.kill('SIGTERM');
          const exit = await w.proc.exited;
          running.splice(running.indexOf(w), 1);
          return exit;
        }),
      );
    }

    /** Every due job done and no claim held. */
    function allDone(store: Store, workers: Worker[]) {
      let rows: ScheduleState[] = [];
      return until(
        async () => {
          rows = await schedules(store);
          const due = rows.filter((r) => DUE_JOBS.includes(r.name));
          return due.length === DUE_JOBS.length && due.every((r) => r.last_status === 'succeeded' && r.claimed_by === null);
        },
        45_000,
        () =>
          `every due job to succeed: ${JSON.stringify(rows)}\n${workers.map((w) => `${w.name}: ${describeLogs(w)}`).join('\n')}`,
      );
    }

    /**
     * What the workers must have done: each due job finished once, by one worker, and before that
     * at most cut short in the worker that was stopped (`stopped`, which must have cut `LONG_JOB`);
     * no job and no repo+source run twice at once; no run left running, no claim held.
     */
    async function checkShared(
      store: Store,
      workers: Worker[],
      stop?: { worker: string; how: 'SIGTERM' | 'SIGKILL'; at: number },
    ) {
      const spans = jobSpans(
        workers.map((w) => ({ name: w.name, stderr: w.proc.output.stderr })),
        new Map(stop?.how === 'SIGKILL' ? [[stop.worker, stop.at]] : []),
      );
      const cutShort = stop && `${stop.worker}: ${stop.how === 'SIGKILL' ? 'killed' : INTERRUPTED}`;
      for (const job of DUE_JOBS) {
        const mine = spans.filter((s) => s.job === job);
        const finished = mine.filter((s) => s.end === 'job finished');
        expect(finished.length, `${job} finished by ${finished.map((s) => s.process).join(', ') || 'none'}`).toBe(1);
        const cut = mine.filter((s) => s.end !== 'job finished').map((s) => `${s.process}: ${s.end}`);
        if (job === LONG_JOB && cutShort) expect(cut, `${job} cut short`).toEqual([cutShort]);
        else
          expect(
            cut.filter((c) => c !== cutShort),
            `${job}: neither finished nor cut short by the stop`,
          ).toEqual([]);
      }
      expect(overlappingSpans(spans)).toEqual([]);
      expect(await overlappingRuns(store)).toEqual([]);
      const dump = await dumpStore(store.location);
      expect(runsLeftRunning(dump)).toEqual([]);
      const rows = await schedules(store);
      for (const row of rows.filter((r) => DUE_JOBS.includes(r.name)))
        expect(row, row.name).toMatchObject({ last_status: 'succeeded', failures: 0, claimed_by: null });
      return dump;
    }

    /** Three workers started at once, undisturbed, until every due job is done: the reference store. */
    async function undisturbed(): Promise<StoreDump> {
      const store = await stores.copy(prepared);
      const workers = startWorkers(store, ['w1', 'w2', 'w3']);
      bench.github.tap = { received: () => wait(SLOW_MS).then(() => undefined) };
      await allDone(store, workers);
      const exits = await stopAll(workers);
      bench.github.tap = null;
      for (const exit of exits) expect(exit.code, describeExit(exit)).toBe(0);
      const dump = await checkShared(store, workers);
      await stores.remove(store);
      return dump;
    }

    it('three workers: each due job runs once, never twice at once; SIGTERM when idle exits 0', async () => {
      reference = await undisturbed();
      expect(reference.items.size, 'the workers stored the rest of the history').toBeGreaterThan(60);
    }, 120_000);

    for (const how of ['SIGTERM', 'SIGKILL'] as const) {
      it(`${how} to the worker in the middle of a job: ${how === 'SIGTERM' ? 'it exits 0 and frees its claim' : 'its claim is taken over at once'}, another worker finishes the job`, async () => {
        reference ??= await undisturbed();
        const store = await stores.copy(prepared);
        // One worker first: it claims every due job; the other two start once it is under way.
        let listed = 0;
        let hit: (() => void) | undefined;
        const halfway = new Promise<void>((resolve) => {
          hit = resolve;
        });
        bench.github.tap = {
          received: async (exchange) => {
            if (exchange.url.pathname === LONG_LISTING && ++listed === 8) hit?.();
            await wait(SLOW_MS);
            return undefined;
          },
        };
        const [first] = startWorkers(store, ['w1']) as [Worker];
        await first.proc.waitForLog('radar started');
        const others = startWorkers(store, ['w2', 'w3']);
        await Promise.all(others.map((w) => w.proc.waitForLog('scheduler started')));
        await halfway;
        const [claim] = (await schedules(store)).filter((r) => r.name === LONG_JOB);
        expect(holderPid(claim?.claimed_by ?? null), `${LONG_JOB} is claimed by the first worker`).toBe(first.proc.child.pid);

        const signalledAt = Date.now();
        first.proc.child.kill(how);
        const exit = await first.proc.exited;
        running.splice(running.indexOf(first), 1);
        const stoppedAt = Date.now();
        if (how === 'SIGTERM') {
          expect(exit.code, describeExit(exit)).toBe(0);
          expect(Date.now() - signalledAt, `stopped within ${STOP_BOUND_MS} ms`).toBeLessThan(STOP_BOUND_MS);
          const left = (await schedules(store)).filter((r) => holderPid(r.claimed_by) === first.proc.child.pid);
          expect(left, 'claims the stopped worker still holds').toEqual([]);
          expect.soft(first.proc.output.stderr).toContain(`"msg":"${INTERRUPTED}"`);
          expect.soft(first.proc.output.stderr).toContain('"msg":"scheduler stopped"');
        } else expect(exit.signal).toBe('SIGKILL');

        // Another worker takes the job over at once (a claim runs out only after 10 minutes) and finishes it.
        await until(
          async () => (await schedules(store)).find((r) => r.name === LONG_JOB && r.last_status === 'succeeded'),
          60_000,
          () => `another worker to finish ${LONG_JOB}`,
        );
        await allDone(store, others);
        const exits = await stopAll(others);
        bench.github.tap = null;
        for (const other of exits) expect(other.code, describeExit(other)).toBe(0);
        const dump = await checkShared(store, [first, ...others], { worker: 'w1', how, at: stoppedAt });
        const cut = dump.runs.filter((r) => r.repo === KUBERNETES && r.source === 'pulls+issues');
        expect(cut.map((r) => r.status)).toEqual(['succeeded', 'failed', 'succeeded']);
        expect(cut[1]?.error).toBe(
          how === 'SIGTERM' ? 'interrupted by SIGTERM' : 'interrupted: the run stopped before it could record its end',
        );
        await stores.remove(store);
        expect(compareDumps(reference, dump).problems.join('\n')).toBe('');
      }, 180_000);
    }
  },
);
