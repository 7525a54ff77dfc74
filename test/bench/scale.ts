/**
 * Scale benchmark: the week's candidate list over HTTP, `radar rescore` and peak RSS on a store
 * grown synthetically (test/bench/grow-store.ts) from ~4.2k real items, with ratios against the
 * real-sized store (the base) measured in the same run.
 *
 *   npm run bench:scale                                        # base (~4.2k), 10k, 100k; PostgreSQL and PGlite
 *   npm run bench:scale -- --sizes 10000,100000,1000000 --db postgres
 *   npm run bench:scale -- --json
 *
 * Options: --sizes N,N (besides the base), --db postgres|pglite|both, --requests N (per
 * concurrency, default 100), --max-seconds S (per concurrency: no new request after S seconds
 * once 8 answers at concurrency 1 and 16 at 8 are in; default 60), --week YYYY-Www (default 2019-W20, in the middle of the real data
 * and of the grown store's 2018-2019), --rescore-max N (no rescore above N items, default no
 * limit), --rescore-timeout S (default 1800), --seed N.
 *
 * Per database: a fresh store (PostgreSQL: a new database on BENCH_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432; PGlite: a temp folder), backfilled from ../shared/github-sim
 * (2019-03-01..2019-07-31, as `npm run bench`), frozen as the seed, then for each size, smallest
 * first, grown to that size and measured:
 * - list: a child process (test/bench/serve-child.mjs, on the build in dist/, rebuilt at the
 *   start) builds the web app the way `radar serve` does (createApp on
 *   startServer, bearer API token, pool of 10 on PostgreSQL) without the scheduler; this process
 *   sends `GET /api/candidates?week=W` with the token: 5 warm-up requests, then N requests one at
 *   a time, then N with 8 in flight (fewer when --max-seconds is reached; the table gives n): p50/p95/p99 of each, and the child's peak RSS;
 * - then 20 lists, each right after a decision (POST restore of the first item), which the
 *   process ranks again instead of taking it from its cache;
 * - rescore after a poll: a child marks the newest 200 items changed (their revision up, as a
 *   poll that stored them does, and their grouping digest cleared, as if their text changed)
 *   and runs the scoring pass that follows a poll (scores, week scores, and stories regrouped
 *   for what changed): wall time, RSS. The pass right after growing, which regroups the copies
 *   and stores their link keys, is not measured;
 * - rescore: another child runs `rescore --all` (src/ingest/rescore.ts, what `radar rescore`
 *   runs) on the same store: wall time (the database's opening excluded) and peak RSS.
 * Client and server share the machine's cores.
 */
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../../src/config/load.js';
import { GitHub } from '../../src/github/client.js';
import { poll } from '../../src/ingest/poll.js';
import { rescore } from '../../src/ingest/rescore.js';
import { silentLogger } from '../../src/lib/logger.js';
import { openDatabase } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrator.js';
import { growStore, snapshotSeed } from './grow-store.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SELF = new URL(import.meta.url).pathname;
const SERVE_CHILD = join(ROOT, 'test/bench/serve-child.mjs');
const SIM = join(ROOT, '../shared/github-sim/run.sh');
const FROM = '2019-03-01T00:00:00Z';
const END = '2019-08-01T00:00:00Z';
const API_TOKEN = 'bench-scale-token-0123456789abcdef';
const WARMUP = 3;
/** Items a simulated poll changed before the "after a poll" rescore. */
const TOUCHED = 200;
/** Lists read right after a decision (each ranked again). */
const DECISION_SAMPLES = 20;
/** Answers per concurrency at least, whatever --max-seconds says. */
const MIN_SAMPLES = { 1: 8, 8: 16 } as Record<number, number>;

interface Options {
  sizes: number[];
  databases: Array<'PostgreSQL' | 'PGlite'>;
  requests: number;
  /** Per concurrency: stop sending after this long, once MIN_SAMPLES answers are in. */
  maxSeconds: number;
  week: string;
  rescoreMax: number;
  rescoreTimeout: number;
  seed: number;
  json: boolean;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const db = value('--db') ?? 'both';
  const databases: Options['databases'] =
    db === 'postgres' ? ['PostgreSQL'] : db === 'pglite' ? ['PGlite'] : ['PostgreSQL', 'PGlite'];
  return {
    sizes: (value('--sizes') ?? '10000,100000').split(',').map((s) => Number(s.replace(/_/g, ''))),
    databases,
    requests: Number(value('--requests') ?? 100),
    maxSeconds: Number(value('--max-seconds') ?? 60),
    week: value('--week') ?? '2019-W20',
    rescoreMax: Number(value('--rescore-max') ?? Number.POSITIVE_INFINITY),
    rescoreTimeout: Number(value('--rescore-timeout') ?? 1800),
    seed: Number(value('--seed') ?? 1),
    json: argv.includes('--json'),
  };
}

interface Store {
  name: 'PostgreSQL' | 'PGlite';
  /** PostgreSQL URL of the bench database, or the PGlite data folder. */
  databaseUrl?: string;
  dataDir: string;
  drop(): Promise<void>;
}

async function freshStore(name: Store['name']): Promise<Store> {
  if (name === 'PGlite') {
    const dir = mkdtempSync(join(tmpdir(), 'radar-bench-scale-'));
    return { name, dataDir: dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const server = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = `radar_bench_scale_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.query(`create database ${database}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${database}`;
  return {
    name,
    databaseUrl: url.toString(),
    dataDir: tmpdir(),
    drop: async () => {
      const again = new pg.Client({ connectionString: server });
      await again.connect();
      await again.query(`drop database if exists ${database} with (force)`);
      await again.end();
    },
  };
}

interface Latency {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  requestsPerSecond: number;
}

interface Row {
  database: string;
  target: number;
  items: number;
  events: number;
  stories: number;
  growSeconds: number;
  listItems: number;
  listStories: number;
  c1: Latency;
  c8: Latency;
  /** The list right after an editor's decision, one client. */
  afterDecision: Latency;
  serveRssMb: number;
  serveIdleRssMb: number;
  /** `rescore` after a poll that changed TOUCHED items. */
  touchedSeconds: number | null;
  touchedRssMb: number | null;
  rescoreSeconds: number | null;
  rescoreRssMb: number | null;
  rescoreNote?: string;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  // The serve child runs the build (dist/), as `radar serve` does: build what is checked out.
  log('building dist/ (npm run build)');
  const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0) throw new Error('npm run build failed');
  const rows: Row[] = [];
  const sim = await simulator();
  try {
    for (const name of options.databases) {
      const store = await freshStore(name);
      try {
        const base = await backfillBase(store, sim.url);
        log(`${name}: backfilled ${base} real items (the base)`);
        for (const target of [0, ...options.sizes.filter((s) => s > base)]) {
          const grown = await withDb(store, (db) => growStore(db, target, { seed: options.seed }));
          log(`${name}: ${grown.items} items, ${grown.events} events (${grown.copies} copies, ${grown.seconds.toFixed(1)} s)`);
          // Copies come without story link keys: the pass after growing regroups every item and
          // stores them, as the first pass after an upgrade does (not measured).
          const settled = await measureRescore(store, options.rescoreTimeout, 'settle');
          log(`${name}: settled (every item regrouped, ${settled.seconds.toFixed(1)} s, RSS ${settled.rssMb} MB)`);
          const list = await measureList(store, options);
          log(
            `${name}: list p95 ${list.c1.p95.toFixed(1)} ms (c=1), ${list.c8.p95.toFixed(1)} ms (c=8), ${list.afterDecision.p95.toFixed(1)} ms after a decision, RSS ${list.rssMb} MB`,
          );
          const touched = await measureRescore(store, options.rescoreTimeout, 'rescore-touched');
          log(`${name}: rescore after a poll (${TOUCHED} items) ${touched.seconds.toFixed(1)} s, RSS ${touched.rssMb} MB`);
          let rescoreSeconds: number | null = null;
          let rescoreRssMb: number | null = null;
          let rescoreNote: string | undefined;
          if (grown.items <= options.rescoreMax) {
            const r = await measureRescore(store, options.rescoreTimeout);
            if (r.timedOut) rescoreNote = `> ${options.rescoreTimeout} s (stopped)`;
            else {
              rescoreSeconds = r.seconds;
              rescoreRssMb = r.rssMb;
            }
            log(`${name}: rescore ${rescoreNote ?? `${r.seconds.toFixed(1)} s`}, RSS ${r.rssMb} MB`);
          } else rescoreNote = `not run (> --rescore-max ${options.rescoreMax})`;
          rows.push({
            database: name,
            target,
            items: grown.items,
            events: grown.events,
            stories: grown.stories,
            growSeconds: grown.seconds,
            listItems: list.items,
            listStories: list.stories,
            c1: list.c1,
            c8: list.c8,
            afterDecision: list.afterDecision,
            serveRssMb: list.rssMb,
            serveIdleRssMb: list.idleRssMb,
            touchedSeconds: touched.timedOut ? null : touched.seconds,
            touchedRssMb: touched.timedOut ? null : touched.rssMb,
            rescoreSeconds,
            rescoreRssMb,
            ...(rescoreNote ? { rescoreNote } : {}),
          });
        }
      } finally {
        await store.drop();
      }
    }
  } finally {
    await sim.close();
  }
  if (options.json)
    process.stdout.write(`${JSON.stringify({ week: options.week, requests: options.requests, rows }, null, 2)}\n`);
  else printTable(rows, options);
}

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

async function withDb<T>(store: Store, work: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>) {
  const handle = await openDatabase({ databaseUrl: store.databaseUrl, dataDir: store.dataDir, logger: silentLogger() });
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

async function backfillBase(store: Store, simUrl: string): Promise<number> {
  const config = loadConfig(join(ROOT, 'config/radar.yaml'));
  return withDb(store, async (db) => {
    await migrateToLatest(db, silentLogger());
    const github = new GitHub({ baseUrl: simUrl, token: 'bench-token', logger: silentLogger() });
    const result = await poll(
      { db, github, config, logger: silentLogger(), clock: { now: () => new Date(END) } },
      { since: new Date(FROM), until: new Date(END), trigger: 'backfill' },
    );
    const failed = result.runs.filter((r) => r.status === 'failed');
    if (failed.length) throw new Error(`backfill: ${failed.length} runs failed`);
    return (await snapshotSeed(db)).items;
  });
}

// ---- the child processes ----

type ChildRequest = { role: 'serve' | 'rescore' | 'rescore-touched' | 'settle'; databaseUrl?: string; dataDir: string };
type ChildMessage =
  | { type: 'ready'; url?: string; rssMb: number }
  | { type: 'rss'; rssMb: number }
  | { type: 'rescored'; seconds: number; rssMb: number };

const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function child(request: ChildRequest) {
  const send = (m: ChildMessage) => process.send?.(m);
  const handle = await openDatabase({ databaseUrl: request.databaseUrl, dataDir: request.dataDir, logger: silentLogger() });
  const config = loadConfig(join(ROOT, 'config/radar.yaml'));
  if (request.role !== 'serve') {
    // After a poll: the items it stored changed (their revision went up, and what grouping
    // reads of them, so each looks up what it could now be linked with); the pass that follows
    // scores and regroups those. A poll of a busy day touches a few hundred.
    if (request.role === 'rescore-touched')
      await sql`update items set revision = revision + 1, link_digest = null
        where id in (select id from items order by occurred_at desc, id desc limit ${TOUCHED})`.execute(handle.db);
    const started = process.hrtime.bigint();
    await rescore({ db: handle.db, config, logger: silentLogger() }, { all: request.role === 'rescore' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await handle.close();
    send({ type: 'rescored', seconds, rssMb: maxRssMb() });
    process.exit(0);
  }
}

function startChild(request: ChildRequest): ChildProcess {
  if (request.role === 'serve')
    return fork(SERVE_CHILD, [JSON.stringify({ ...request, apiToken: API_TOKEN })], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  return fork(SELF, ['--child', JSON.stringify(request)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function nextMessage<T extends ChildMessage['type']>(
  proc: ChildProcess,
  type: T,
  timeoutMs = 600_000,
): Promise<Extract<ChildMessage, { type: T }> | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      resolve(null);
    }, timeoutMs);
    const onMessage = (m: ChildMessage) => {
      if (m.type !== type) return;
      cleanup();
      resolve(m as Extract<ChildMessage, { type: T }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`benchmark child exited (${code}) before '${type}'`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      proc.off('message', onMessage);
      proc.off('exit', onExit);
    };
    proc.on('message', onMessage);
    proc.on('exit', onExit);
  });
}

async function measureList(store: Store, options: Options) {
  const proc = startChild({ role: 'serve', databaseUrl: store.databaseUrl, dataDir: store.dataDir });
  try {
    const ready = await nextMessage(proc, 'ready');
    if (!ready?.url) throw new Error('the web app did not start');
    const url = `${ready.url}/api/candidates?week=${options.week}`;
    const headers = { authorization: `Bearer ${API_TOKEN}` };
    let shape = { items: 0, stories: 0 };
    const once = async () => {
      const started = process.hrtime.bigint();
      const response = await fetch(url, { headers });
      const text = await response.text();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${text.slice(0, 200)}`);
      return { ms, text };
    };
    let firstItem = 0;
    for (let i = 0; i < WARMUP; i++) {
      const body = JSON.parse((await once()).text) as { items: Array<{ id: number }>; stories: unknown[] };
      shape = { items: body.items.length, stories: body.stories.length };
      firstItem = body.items[0]?.id ?? 0;
    }
    const run = async (concurrency: number): Promise<Latency> => {
      const times: number[] = [];
      let next = 0;
      const started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          const deadline = started + BigInt(options.maxSeconds * 1e9);
          const min = MIN_SAMPLES[concurrency] ?? concurrency;
          while (next < options.requests && (next < min || process.hrtime.bigint() < deadline)) {
            next += 1;
            times.push((await once()).ms);
          }
        }),
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return { samples: times.length, ...percentiles(times), requestsPerSecond: times.length / seconds };
    };
    const c1 = await run(1);
    const c8 = await run(8);
    // After an editor's decision (a restore of the list's first item, which changes nothing in
    // it but is a new decision): the list is ranked again, not taken from the process's cache.
    const decided: number[] = [];
    for (let i = 0; i < DECISION_SAMPLES; i++) {
      const answer = await fetch(`${ready.url}/api/items/${firstItem}/restore`, { method: 'POST', headers });
      if (answer.status !== 200) throw new Error(`POST restore: ${answer.status} ${await answer.text()}`);
      decided.push((await once()).ms);
    }
    const afterDecision = { samples: decided.length, ...percentiles(decided), requestsPerSecond: Number.NaN };
    proc.send({ type: 'rss' });
    const rss = await nextMessage(proc, 'rss');
    return { ...shape, c1, c8, afterDecision, rssMb: rss?.rssMb ?? Number.NaN, idleRssMb: ready.rssMb };
  } finally {
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    if (proc.exitCode === null) proc.send({ type: 'stop' });
    await exited;
  }
}

async function measureRescore(store: Store, timeoutSeconds: number, role: 'rescore' | 'rescore-touched' | 'settle' = 'rescore') {
  const proc = startChild({ role, databaseUrl: store.databaseUrl, dataDir: store.dataDir });
  const done = await nextMessage(proc, 'rescored', timeoutSeconds * 1000);
  if (!done) {
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
    return { timedOut: true, seconds: Number.NaN, rssMb: Number.NaN };
  }
  await new Promise((resolve) => (proc.exitCode === null ? proc.once('exit', resolve) : resolve(null)));
  return { timedOut: false, seconds: done.seconds, rssMb: done.rssMb };
}

/** Nearest-rank percentiles, in milliseconds. */
function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  return { p50: at(50), p95: at(95), p99: at(99) };
}

// ---- output ----

function printTable(rows: Row[], options: Options) {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const ms = (v: number) => v.toFixed(1);
  const ratio = (v: number | null, b: number | null | undefined) =>
    v === null || b === null || b === undefined || !b ? '-' : `${(v / b).toFixed(1)}x`;
  out(
    `week ${options.week}, up to ${options.requests} requests (or ${options.maxSeconds} s) per concurrency after ${WARMUP} warm-up; times in ms; n = answers`,
  );
  out(
    [
      'database'.padEnd(10),
      'items'.padStart(8),
      'events'.padStart(8),
      'list'.padStart(9),
      'c1 p50/p95/p99 (n)'.padStart(26),
      'c8 p50/p95/p99 (n)'.padStart(28),
      'c8 req/s'.padStart(8),
      'after decision p50/p95'.padStart(22),
      'serve RSS'.padStart(9),
      'after poll'.padStart(10),
      'poll RSS'.padStart(9),
      'rescore'.padStart(9),
      'rescore RSS'.padStart(11),
    ].join('  '),
  );
  for (const r of rows) {
    out(
      [
        r.database.padEnd(10),
        String(r.items).padStart(8),
        String(r.events).padStart(8),
        `${r.listItems}/${r.listStories}`.padStart(9),
        `${ms(r.c1.p50)}/${ms(r.c1.p95)}/${ms(r.c1.p99)} (${r.c1.samples})`.padStart(26),
        `${ms(r.c8.p50)}/${ms(r.c8.p95)}/${ms(r.c8.p99)} (${r.c8.samples})`.padStart(28),
        r.c8.requestsPerSecond.toFixed(1).padStart(8),
        `${ms(r.afterDecision.p50)}/${ms(r.afterDecision.p95)}`.padStart(22),
        `${r.serveRssMb} MB`.padStart(9),
        (r.touchedSeconds === null ? '-' : `${r.touchedSeconds.toFixed(1)} s`).padStart(10),
        (r.touchedRssMb === null ? '-' : `${r.touchedRssMb} MB`).padStart(9),
        (r.rescoreSeconds === null ? (r.rescoreNote ?? '-') : `${r.rescoreSeconds.toFixed(1)} s`).padStart(9),
        (r.rescoreRssMb === null ? '-' : `${r.rescoreRssMb} MB`).padStart(11),
      ].join('  '),
    );
  }
  out('');
  out('growth against the base (the real ~4.2k items) of the same database, same run:');
  out(
    [
      'database'.padEnd(10),
      'items'.padStart(8),
      'c1 p95'.padStart(8),
      'c8 p95'.padStart(8),
      'serve RSS'.padStart(9),
      'after poll'.padStart(10),
      'rescore'.padStart(8),
      'rescore RSS'.padStart(11),
    ].join('  '),
  );
  for (const r of rows) {
    const base = rows.find((b) => b.database === r.database && b.target === 0);
    if (!base || r === base) continue;
    out(
      [
        r.database.padEnd(10),
        ratio(r.items, base.items).padStart(8),
        ratio(r.c1.p95, base.c1.p95).padStart(8),
        ratio(r.c8.p95, base.c8.p95).padStart(8),
        ratio(r.serveRssMb, base.serveRssMb).padStart(9),
        ratio(r.touchedSeconds, base.touchedSeconds).padStart(10),
        ratio(r.rescoreSeconds, base.rescoreSeconds).padStart(8),
        ratio(r.rescoreRssMb, base.rescoreRssMb).padStart(11),
      ].join('  '),
    );
  }
}

async function simulator(): Promise<{ url: string; close(): Promise<void> }> {
  if (process.env.GITHUB_API_URL) return { url: process.env.GITHUB_API_URL.replace(/\/$/, ''), close: async () => {} };
  if (!existsSync(SIM)) throw new Error(`set GITHUB_API_URL to a github-sim (none found at ${SIM})`);
  const proc: ChildProcess = spawn(SIM, ['--port', '0', '--clock', END], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d) => {
      out += d;
      const match = /listening on (http\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    proc.on('exit', (code) => reject(new Error(`github-sim exited (${code}) before listening`)));
  });
  return { url, close: async () => void proc.kill('SIGTERM') };
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) await child(JSON.parse(process.argv[childAt + 1] as string) as ChildRequest);
else await main();
