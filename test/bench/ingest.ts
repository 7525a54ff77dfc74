/**
 * Ingestion benchmark: what a backfill, a repoll and a week of polling cost against a
 * GitHub-compatible server with request accounting (github-sim), with ratios against a bare
 * listing of the same pages measured in the same run.
 *
 *   npm run bench                                  # starts ../shared/github-sim when GITHUB_API_URL is unset
 *   GITHUB_API_URL=http://127.0.0.1:PORT npm run bench
 *   BENCH_DATABASE_URL=postgres://... npm run bench   # also on a PostgreSQL server
 *
 * It runs radar's sources (through tsx), in process, on fresh databases. Prints a table; --json for JSON.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import pg from 'pg';
import { loadConfig } from '../../src/config/load.js';
import { GitHub } from '../../src/github/client.js';
import { poll } from '../../src/ingest/poll.js';
import type { Clock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { openDatabase } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrator.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SIM = join(ROOT, '../shared/github-sim/run.sh');
const TOKEN = process.env.GITHUB_TOKEN || 'bench-token';
const FROM = '2019-03-01T00:00:00Z';
const END = '2019-08-01T00:00:00Z';
const json = process.argv.includes('--json');
const REPEAT_BASELINE = 5;
const REPEAT_BACKFILL = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

interface SimStats {
  requests: number;
  restCounted: number;
  notModified: number;
  graphqlPoints: number;
  graphqlQueries: number;
  byRoute: Record<string, number>;
}

async function main() {
  const sim = await simulator();
  const control = async (path: string, body?: unknown) => {
    const response = await fetch(
      `${sim.url}/_sim/${path}`,
      body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) },
    );
    return response.json() as Promise<unknown>;
  };
  const stats = () => control('stats') as Promise<SimStats>;
  const resetStats = () => control('stats/reset', {});
  const setClock = (now: string) => control('clock', { now });
  const config = loadConfig(join(ROOT, 'config/radar.yaml'));
  const databases: Array<{ name: string; url?: string }> = [{ name: 'PGlite' }];
  if (process.env.BENCH_DATABASE_URL) databases.push({ name: 'PostgreSQL', url: process.env.BENCH_DATABASE_URL });
  const results: Record<string, unknown>[] = [];

  try {
    await control('reset', {});
    await setClock(END);

    // Baseline: the same list pages radar reads, fetched bare (no ETag, no store), at the same concurrency.
    // Timings on a shared 2-core machine wander: each case is the median of several runs.
    const listings: number[] = [];
    let pages = 0;
    let listingRequests = 0;
    for (let i = 0; i < REPEAT_BASELINE; i++) {
      await resetStats();
      const listing = await timed(() => bareListing(sim.url, config.repos, config.github.concurrency));
      listings.push(listing.seconds);
      pages = listing.value;
      listingRequests = (await stats()).restCounted;
    }
    const listing = { seconds: median(listings) };
    results.push({
      case: `bare listing of the backfill pages (baseline, median of ${REPEAT_BASELINE})`,
      seconds: listing.seconds,
      pages,
      requests: listingRequests,
    });

    for (const database of databases) {
      const github = new GitHub({ baseUrl: sim.url, token: TOKEN, logger: silentLogger() });
      const clock: Clock = { now: () => new Date(END) };
      // Backfill of every watched repo over the whole data window, on fresh databases; the
      // last one stays for the repoll.
      const seconds: number[] = [];
      const sent: SentRequest[] = [];
      let last: {
        fresh: Awaited<ReturnType<typeof freshDatabase>>;
        result: Awaited<ReturnType<typeof poll>>;
        stats: SimStats;
      } | null = null;
      for (let i = 0; i < REPEAT_BACKFILL; i++) {
        if (last) await last.fresh.close();
        const fresh = await freshDatabase(database.url);
        await resetStats();
        const backfill = await recording(sent, () =>
          timed(() =>
            poll(
              { db: fresh.db, github, config, logger: silentLogger(), clock },
              { since: new Date(FROM), until: new Date(END), trigger: 'backfill' },
            ),
          ),
        );
        seconds.push(backfill.seconds);
        last = { fresh, result: backfill.value, stats: await stats() };
      }
      if (!last) throw new Error('no backfill ran');
      try {
        const took = median(seconds);
        const stored = last.result.runs.reduce((n, r) => n + r.itemsNew, 0);
        results.push({
          case: `backfill ${FROM.slice(0, 10)}..${END.slice(0, 10)} [${database.name}, median of ${REPEAT_BACKFILL}]`,
          seconds: took,
          items: stored,
          itemsPerSecond: Math.round(stored / took),
          requests: last.stats.restCounted,
          graphqlPoints: last.stats.graphqlPoints,
          budget: last.stats.restCounted + last.stats.graphqlPoints,
          vsBareListing: `${(took / listing.seconds).toFixed(2)}x`,
          failedRuns: last.result.runs.filter((r) => r.status === 'failed').length,
        });

        // Second baseline: every request of one backfill replayed bare (same URLs and bodies, no
        // store), at the same concurrency: the floor the server and the network set.
        const once = sent.slice(0, sent.length / REPEAT_BACKFILL);
        const replays: number[] = [];
        for (let i = 0; i < REPEAT_BASELINE; i++)
          replays.push((await timed(() => replay(once, config.github.concurrency))).seconds);
        const replayed = median(replays);
        results.push({
          case: `the same ${once.length} requests replayed bare [median of ${REPEAT_BASELINE}]`,
          seconds: replayed,
          backfillVsReplay: `${(took / replayed).toFixed(2)}x`,
        });

        // Poll again at once: nothing changed.
        await resetStats();
        const repoll = await timed(() =>
          poll({ db: last.fresh.db, github, config, logger: silentLogger(), clock }, { trigger: 'poll' }),
        );
        const r = await stats();
        results.push({
          case: `repoll, nothing changed [${database.name}]`,
          seconds: repoll.seconds,
          requests: r.restCounted,
          graphqlPoints: r.graphqlPoints,
          answered304: r.notModified,
        });
      } finally {
        await last.fresh.close();
      }

      // A week of upstream activity: history to 2019-07-24, then the clock moves 7 days and radar polls.
      const weekly = await freshDatabase(database.url);
      let now = new Date('2019-07-24T00:00:00Z');
      const weekDeps = { db: weekly.db, github, config, logger: silentLogger(), clock: { now: () => now } };
      try {
        await setClock(now.toISOString());
        await poll(weekDeps, { since: new Date(FROM), trigger: 'backfill' });
        now = new Date(END);
        await setClock(END);
        await resetStats();
        const week = await timed(() => poll(weekDeps, { trigger: 'poll' }));
        const w = await stats();
        const fresh = week.value.runs.reduce((n, run) => n + run.itemsNew, 0);
        results.push({
          case: `one simulated week 2019-07-24..31 [${database.name}]`,
          seconds: week.seconds,
          items: fresh,
          requests: w.restCounted,
          graphqlPoints: w.graphqlPoints,
          requestsPerNewItem: fresh ? ((w.restCounted + w.graphqlPoints) / fresh).toFixed(3) : 'n/a',
        });
      } finally {
        await weekly.close();
        await setClock(END);
      }
    }
  } finally {
    await sim.close();
  }

  if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else printTable(results);
}

interface SentRequest {
  url: string;
  method: string;
  body: string | undefined;
}

/** Records every request sent through fetch while `work` runs. */
async function recording<T>(into: SentRequest[], work: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    into.push({ url, method: init?.method ?? 'GET', body: typeof init?.body === 'string' ? init.body : undefined });
    return original(input, init);
  };
  try {
    return await work();
  } finally {
    globalThis.fetch = original;
  }
}

async function replay(requests: SentRequest[], concurrency: number): Promise<void> {
  const limit = pLimit(concurrency);
  const headers = { authorization: `token ${TOKEN}`, accept: 'application/vnd.github+json', 'content-type': 'application/json' };
  await Promise.all(
    requests.map((r) => limit(async () => (await fetch(r.url, { method: r.method, body: r.body, headers })).arrayBuffer())),
  );
}

/** Every listing page a backfill reads, with plain fetch: issues since FROM, releases, commits on keps/. */
async function bareListing(
  base: string,
  repos: readonly { repo: string; sources: readonly string[] }[],
  concurrency: number,
): Promise<number> {
  const limit = pLimit(concurrency);
  const headers = { authorization: `token ${TOKEN}`, accept: 'application/vnd.github+json' };
  const walk = async (url: string | null): Promise<number> => {
    let pages = 0;
    while (url) {
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      pages += 1;
      url = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1] ?? null;
    }
    return pages;
  };
  const jobs: Array<Promise<number>> = [];
  for (const { repo, sources } of repos) {
    jobs.push(limit(() => walk(`${base}/repos/${repo}`)));
    if (sources.some((s) => s !== 'releases')) {
      jobs.push(
        limit(() => walk(`${base}/repos/${repo}/issues?state=all&sort=updated&direction=asc&since=${FROM}&per_page=100`)),
      );
    }
    if (sources.includes('releases')) jobs.push(limit(() => walk(`${base}/repos/${repo}/releases?per_page=100`)));
    if (sources.includes('keps'))
      jobs.push(limit(() => walk(`${base}/repos/${repo}/commits?path=keps&since=${FROM}&per_page=100`)));
  }
  return (await Promise.all(jobs)).reduce((a, b) => a + b, 0);
}

async function freshDatabase(serverUrl: string | undefined) {
  const logger = silentLogger();
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'radar-bench-'));
    const handle = await openDatabase({ dataDir: dir, logger });
    await migrateToLatest(handle.db, logger);
    return {
      db: handle.db,
      close: async () => {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `radar_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: tmpdir(), logger });
  await migrateToLatest(handle.db, logger);
  return {
    db: handle.db,
    close: async () => {
      await handle.close();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function simulator(): Promise<{ url: string; close(): Promise<void> }> {
  if (process.env.GITHUB_API_URL) return { url: process.env.GITHUB_API_URL.replace(/\/$/, ''), close: async () => {} };
  if (!existsSync(SIM)) throw new Error(`set GITHUB_API_URL to a github-sim (none found at ${SIM})`);
  const child: ChildProcess = spawn(SIM, ['--port', '0', '--clock', END], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const match = /listening on (http\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`github-sim exited (${code}) before listening`)));
  });
  return { url, close: async () => void child.kill('SIGTERM') };
}

function printTable(rows: Record<string, unknown>[]) {
  for (const row of rows) {
    const { case: name, ...figures } = row;
    const text = Object.entries(figures)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(2)) : v}`)
      .join('  ');
    process.stdout.write(`${String(name).padEnd(52)} ${text}\n`);
  }
}

await main();
