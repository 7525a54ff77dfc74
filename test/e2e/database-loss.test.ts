import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../tools/build.js';
import { type Bench, childEnv, configFile, referenceRun, startBench } from '../tools/crash-suite.js';
import { BACKFILL_SINCE, CONTAINERD } from '../tools/github-world.js';
import { describeRequest } from '../tools/kill-points.js';
import {
  describeExit,
  hasStackTrace,
  humanLines,
  type RadarProcess,
  removeTempDirs,
  runRadar,
  startRadar,
} from '../tools/radar-process.js';
import { compareDumps, dumpStore, runsLeftRunning } from '../tools/store-dump.js';
import { adminQuery, openStores, type Store, type Stores } from '../tools/stores.js';

/**
 * Losing the PostgreSQL server under a running radar, as a restart of the server looks to its
 * clients: every connection terminated ("terminating connection due to administrator command"),
 * while radar is idle and while a run is writing; and, for a backfill, the database refusing
 * connections for a while. radar must stay up, answer its health check, reconnect for the next
 * work, leave no run "running" for ever, and a command that cannot go on must say so in one line
 * with a documented exit code. Only with TEST_DATABASE_URL (the server is shared: nothing here
 * stops it; only the test's own databases are touched).
 */

const url = process.env.TEST_DATABASE_URL;

/** Where the PostgreSQL server in a team lives: the tests' own database only. */
async function terminateConnections(database: string): Promise<number> {
  const result = await adminQuery<{ pid: number }>(
    'select pg_terminate_backend(pid), pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [database],
  );
  return result.rowCount ?? 0;
}

async function runsOf(
  store: Store,
): Promise<Array<{ id: number; source: string; status: string; started_at: Date; error: string | null }>> {
  const client = new pg.Client({ connectionString: store.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query('select id, source, status, started_at, error from runs order by id')).rows;
  } finally {
    await client.end();
  }
}

async function until<T>(what: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await what().catch(() => undefined);
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The exit codes README.md documents ("Exit codes: 0 success, 1 a run failed, ..."). */
function documentedExitCodes(): number[] {
  const readme = readFileSync(`${PROJECT_ROOT}/README.md`, 'utf8').replace(/\s+/g, ' ');
  const sentence = /Exit codes: ([^.]+)\./.exec(readme)?.[1] ?? '';
  return [...sentence.matchAll(/(\d+) [a-z]/g)].map((m) => Number(m[1]));
}

/** How a process ended: its exit code and the last things it said. */
function ending(proc: RadarProcess): string {
  const human = humanLines(proc.output.stderr);
  const errors = human.filter((l) => /error/i.test(l) && !/^\s+at /.test(l));
  const said = errors.length ? errors.slice(0, 3) : proc.output.stderr.trim().split('\n').slice(-2);
  return `exit ${proc.child.exitCode ?? proc.child.signalCode}, saying: ${said.join(' | ').slice(0, 600)}`;
}

function alive(proc: RadarProcess): boolean {
  return proc.child.exitCode === null && proc.child.signalCode === null;
}

const SERVE_CONFIG = `github:
  concurrency: 1
  pageSize: 3
schedule:
  pulls: "*/2 * * * * *"
  releases: "*/2 * * * * *"
  coverage: "0 0 1 1 *"
projects:
  - name: containerd
    conventions: containerd
    repos:
      - repo: ${CONTAINERD}
        sources: [pulls, releases]
`;

describe.skipIf(!url)('the PostgreSQL server going away [postgres]', () => {
  let stores: Stores;
  let bench: Bench;
  const config = configFile(SERVE_CONFIG);

  beforeAll(async () => {
    stores = await openStores('postgres');
    bench = await startBench();
  });

  afterAll(async () => {
    await bench?.close();
    await stores?.dispose();
    removeTempDirs();
  });

  it('radar serve stays up when its connections are terminated, idle and during a run, reconnects, and leaves no run running', async () => {
    const store = await stores.fresh();
    const backfill = await runRadar(['backfill', '--since', BACKFILL_SINCE], childEnv(bench, store, config));
    expect(backfill.code, describeExit(backfill)).toBe(0);
    const serve = startRadar(['serve'], childEnv(bench, store, config, { PORT: '0' }));
    try {
      const started = await serve.waitForLog('radar started');
      const base = String(started.url);
      await serve.waitForLog('job finished', 30_000);

      // 1. Idle: nothing in flight; the pool's idle clients lose their server.
      const idleAt = new Date();
      const idleTerminated = await terminateConnections(store.name);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect
        .soft(alive(serve), `radar serve exited after ${idleTerminated} idle connections were terminated: ${ending(serve)}`)
        .toBe(true);
      const health = await fetch(`${base}/api/health`)
        .then((r) => r.status)
        .catch((e: Error) => e.message);
      expect.soft(health, '/api/health after idle connections were terminated').toBe(200);
      const afterIdle = await until(
        async () => (await runsOf(store)).find((r) => r.status === 'succeeded' && r.started_at > idleAt),
        20_000,
      );
      expect.soft(afterIdle, 'a scheduled poll succeeds after idle connections were terminated').toBeDefined();

      // 2. During a run: a poll that has something to store is held on a lock of the items table,
      // its query in flight, when every connection is terminated.
      if (alive(serve)) {
        const lock = new pg.Client({ connectionString: store.env.DATABASE_URL });
        lock.on('error', () => undefined); // it is terminated too
        await lock.connect();
        await lock.query('begin');
        await lock.query('lock table items in access exclusive mode');
        bench.world.version = 2;
        const blocked = await until(async () => {
          const rows = await adminQuery<{ pid: number; query: string }>(
            "select pid, query from pg_stat_activity where datname = $1 and wait_event_type = 'Lock' and pid <> $2",
            [store.name, (lock as unknown as { processID: number }).processID],
          );
          return rows.rows[0];
        }, 20_000);
        expect.soft(blocked, 'a scheduled poll reaches the locked items table').toBeDefined();
        const activeAt = new Date();
        const activeTerminated = await terminateConnections(store.name);
        await lock.end().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect
          .soft(
            alive(serve),
            `radar serve exited when ${activeTerminated} connections were terminated during a run (${blocked?.query.slice(0, 60)}): ${ending(serve)}`,
          )
          .toBe(true);
        if (alive(serve)) {
          const healthAfter = await fetch(`${base}/api/health`)
            .then((r) => r.status)
            .catch((e: Error) => e.message);
          expect.soft(healthAfter, '/api/health after connections were terminated during a run').toBe(200);
          const stored = await until(async () => {
            const client = new pg.Client({ connectionString: store.env.DATABASE_URL });
            await client.connect();
            try {
              const found = await client.query("select 1 from items where key = '3400'");
              return found.rowCount ? true : undefined;
            } finally {
              await client.end();
            }
          }, 20_000);
          expect.soft(stored, 'the next scheduled poll stores what the interrupted one could not').toBe(true);
          const interrupted = await until(async () => {
            const left = (await runsOf(store)).filter((r) => r.status === 'running' && r.started_at < activeAt);
            return left.length === 0 ? [] : undefined;
          }, 10_000);
          expect.soft(interrupted, 'the run interrupted by the lost connection is not left running (10 s after)').toEqual([]);
        }
      }
    } finally {
      bench.world.version = 1;
      serve.child.kill('SIGTERM');
      const stopped = await Promise.race([serve.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000))]);
      if (!stopped) await serve.kill();
    }
    // Whatever the serve process did, the next start must not leave a run "running" for ever.
    const next = await runRadar(['poll'], childEnv(bench, store, config));
    const left = (await runsOf(store)).filter((r) => r.status === 'running');
    expect
      .soft(
        left.map((r) => `run ${r.id} ${r.source} since ${r.started_at.toISOString()}`),
        `runs still "running" after the next start (radar poll: exit ${next.code})`,
      )
      .toEqual([]);
  }, 180_000);

  it('radar backfill with the database refusing connections mid-way exits with a documented code and a one-line message; the next backfill completes', async () => {
    const referenceStore = await stores.fresh();
    await referenceRun(bench, ['backfill', '--since', BACKFILL_SINCE], childEnv(bench, referenceStore, config));
    const reference = await dumpStore(referenceStore.location);

    const store = await stores.fresh();
    let lostAt = '';
    bench.github.reset();
    bench.github.tap = {
      received: async (exchange) => {
        if (exchange.n !== 8) return undefined;
        lostAt = describeRequest(exchange);
        // What a server going down looks like: connections cut, new ones refused.
        await adminQuery(`alter database ${store.name} with allow_connections false`);
        await terminateConnections(store.name);
        return undefined;
      },
    };
    const cut = await runRadar(['backfill', '--since', BACKFILL_SINCE], childEnv(bench, store, config));
    bench.github.tap = null;
    await adminQuery(`alter database ${store.name} with allow_connections true`);

    const codes = documentedExitCodes();
    expect(codes.length, 'README.md lists the exit codes').toBeGreaterThan(3);
    const where = `the database lost at request 8 (${lostAt}) of a backfill`;
    expect.soft(cut.code, `${where}: exit code ${cut.code}, documented: ${codes.join(', ')}`).not.toBe(70);
    expect
      .soft(
        codes.includes(cut.code ?? -1) && cut.code !== 0,
        `${where}: exit code ${cut.code} is a documented failure (${codes.join(', ')})`,
      )
      .toBe(true);
    expect.soft(hasStackTrace(cut.stderr), `${where}: no stack trace on stderr:\n${cut.stderr.slice(-1500)}`).toBe(false);
    const message = humanLines(cut.stderr);
    expect.soft(message.length, `${where}: one line for a person on stderr, got:\n${message.slice(0, 8).join('\n')}`).toBe(1);
    expect.soft(message.join('\n'), `${where}: the message says the database is unreachable`).toMatch(/database|postgres/i);

    const rerun = await runRadar(['backfill', '--since', BACKFILL_SINCE], childEnv(bench, store, config));
    expect.soft(rerun.code, `the backfill after the database is back: ${describeExit(rerun)}`).toBe(0);
    const dump = await dumpStore(store.location);
    expect
      .soft(
        compareDumps(reference, dump).problems.join('\n'),
        'the store after the database came back and the backfill ran again',
      )
      .toBe('');
    expect
      .soft(runsLeftRunning(dump), 'runs the lost database interrupted are marked failed once it is back, or at the next start')
      .toEqual([]);
  }, 180_000);
});
