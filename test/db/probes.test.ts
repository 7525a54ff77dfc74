import { createServer, type Socket } from 'node:net';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { fixedClock } from '../../src/lib/clock.js';
import type { Db } from '../../src/store/db.js';
import { checkReadiness } from '../../src/store/readiness.js';
import { syncRepos } from '../../src/store/repos.js';
import { writeConfig } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';
import { EDITORIAL_CONFIG } from '../tools/editorial.js';
import { parseExposition } from '../tools/prometheus.js';
import { startWeb, type WebTest } from '../tools/web.js';

const METRICS_TOKEN = 'radar_test-metrics-token-0123456789';

/** /livez, /readyz and /metrics of the web app, over real HTTP, from seeded run records. */
describeEachDialect('probes and metrics', (t) => {
  let web: WebTest | undefined;
  afterEach(async () => {
    await web?.close();
    web = undefined;
  });

  async function start(options: { metricsToken?: string } = {}) {
    const config = loadConfig(writeConfig(EDITORIAL_CONFIG));
    const repos = await syncRepos(t().db, config.repos);
    web = await startWeb({ db: t().db, config, clock: fixedClock('2019-06-21T12:00:00Z'), ...options });
    const id = (name: string) => repos.get(name)?.id as number;
    return { web, id };
  }

  /** A request without an account; the body is read, so no connection stays busy. */
  async function anonymous(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${web?.url}${path}`, { headers, redirect: 'manual' });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
  }

  interface SeedRun {
    repoId: number | null;
    source: string;
    status: 'succeeded' | 'failed' | 'partial' | 'running';
    /** Seconds before now the run started (a minute or more: settled). */
    startedAgo?: number;
    seconds?: number;
    requests?: number;
    notModified?: number;
    graphqlPoints?: number;
    rateLimitRemaining?: number | null;
    itemsNew?: number;
    itemsUpdated?: number;
    details?: Record<string, unknown>;
    trigger?: string;
  }

  /** Runs as the run recorder leaves them, with chosen start and end times (database clock). */
  async function seed(db: Db, runs: SeedRun[]): Promise<number[]> {
    const ids: number[] = [];
    for (const run of runs) {
      const ago = run.startedAgo ?? 3600;
      const row = await db
        .insertInto('runs')
        .values({
          batch_id: 'b',
          trigger: run.trigger ?? 'schedule',
          repo_id: run.repoId,
          source: run.source,
          status: run.status,
          holder: 'test:1:x',
          started_at: sql`now() - make_interval(secs => ${ago})`,
          finished_at: run.status === 'running' ? null : sql`now() - make_interval(secs => ${ago - (run.seconds ?? 1)})`,
          requests: run.requests ?? 0,
          not_modified: run.notModified ?? 0,
          graphql_points: run.graphqlPoints ?? 0,
          rate_limit_remaining: run.rateLimitRemaining ?? null,
          items_new: run.itemsNew ?? 0,
          items_updated: run.itemsUpdated ?? 0,
          details: JSON.stringify(run.details ?? {}),
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(row.id);
    }
    return ids;
  }

  async function scrape(headers: Record<string, string> = {}) {
    const response = await anonymous('/metrics', headers);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(response.text);
  }

  it('answers /livez and /readyz without an account, and /metrics with radar and process metrics', async () => {
    await start();
    const live = await anonymous('/livez');
    expect(live.status).toBe(200);
    expect(live.json()).toEqual({ ok: true });
    const ready = await anonymous('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({ ok: true, database: 'reachable', pending_migrations: [] });
    const metrics = await scrape();
    expect(metrics.types.get('radar_runs_total')).toBe('counter');
    expect(metrics.types.get('radar_run_duration_seconds')).toBe('histogram');
    expect(metrics.types.get('radar_github_rate_limit_remaining')).toBe('gauge');
    expect(metrics.value('radar_database_up')).toBe(1);
    expect(metrics.series('process_cpu_user_seconds_total')).toHaveLength(1);
    // No runs yet: no series, rather than made-up zeros.
    expect(metrics.series('radar_runs_total')).toEqual([]);
  });

  it('reports the seeded runs: requests, 304s, points, items, outcomes, durations, last success, coverage, rate limits', async () => {
    const { id } = await start();
    const k8s = id('kubernetes/kubernetes');
    const knative = id('knative/serving');
    await seed(t().db, [
      {
        repoId: k8s,
        source: 'pulls',
        status: 'succeeded',
        startedAgo: 7200,
        seconds: 0.4,
        requests: 5,
        notModified: 2,
        graphqlPoints: 10,
        itemsNew: 4,
        itemsUpdated: 1,
        rateLimitRemaining: 4000,
        details: { graphqlRemaining: 4900 },
      },
      {
        repoId: k8s,
        source: 'pulls',
        status: 'succeeded',
        startedAgo: 3600,
        seconds: 3,
        requests: 3,
        notModified: 1,
        graphqlPoints: 2,
        itemsNew: 1,
        itemsUpdated: 2,
        rateLimitRemaining: 3990,
        details: { graphqlRemaining: 4890 },
      },
      { repoId: k8s, source: 'pulls', status: 'failed', startedAgo: 1800, seconds: 45, requests: 1 },
      {
        repoId: k8s,
        source: 'releases',
        status: 'succeeded',
        startedAgo: 1700,
        seconds: 2,
        requests: 1,
        notModified: 1,
        rateLimitRemaining: 3980,
      },
      {
        repoId: knative,
        source: 'coverage:pulls',
        status: 'succeeded',
        startedAgo: 900,
        seconds: 20,
        requests: 4,
        trigger: 'coverage',
        details: { expected: 10, captured: 9, missing: ['12'] },
      },
      { repoId: knative, source: 'pulls', status: 'running', startedAgo: 30 },
    ]);
    const m = await scrape();
    const pulls = { repo: 'kubernetes/kubernetes', source: 'pulls' };
    expect(m.value('radar_github_requests_total', pulls)).toBe(9);
    expect(m.value('radar_github_not_modified_total', pulls)).toBe(3);
    expect(m.value('radar_github_graphql_points_total', pulls)).toBe(12);
    expect(m.value('radar_items_new_total', pulls)).toBe(5);
    expect(m.value('radar_items_updated_total', pulls)).toBe(3);
    expect(m.value('radar_runs_total', { ...pulls, status: 'succeeded' })).toBe(2);
    expect(m.value('radar_runs_total', { ...pulls, status: 'failed' })).toBe(1);
    expect(m.value('radar_runs_running', { repo: 'knative/serving', source: 'pulls' })).toBe(1);
    expect(m.value('radar_run_duration_seconds_count', pulls)).toBe(3);
    expect(m.value('radar_run_duration_seconds_sum', pulls)).toBeCloseTo(48.4, 3);
    expect(m.value('radar_run_duration_seconds_bucket', { ...pulls, le: '0.5' })).toBe(1);
    expect(m.value('radar_run_duration_seconds_bucket', { ...pulls, le: '5' })).toBe(2);
    expect(m.value('radar_run_duration_seconds_bucket', { ...pulls, le: '60' })).toBe(3);
    expect(m.value('radar_run_duration_seconds_bucket', { ...pulls, le: '+Inf' })).toBe(3);
    const lastSuccess = m.value('radar_run_last_success_timestamp_seconds', pulls) as number;
    // The second run finished 3597 s ago (database clock, close to this one).
    expect(Math.abs(lastSuccess - (Date.now() / 1000 - 3597))).toBeLessThan(30);
    expect(m.value('radar_coverage_ratio', { repo: 'knative/serving', source: 'pulls' })).toBeCloseTo(0.9, 6);
    expect(m.value('radar_github_requests_total', { repo: 'knative/serving', source: 'coverage:pulls' })).toBe(4);
    expect(m.value('radar_github_rate_limit_remaining', { resource: 'core' })).toBe(3980);
    expect(m.value('radar_github_rate_limit_remaining', { resource: 'graphql' })).toBe(4890);
    // Labels stay bounded: repo, source, status, and the rate limit's resource.
    for (const sample of m.samples.filter((s) => s.name.startsWith('radar_')))
      expect(
        Object.keys(sample.labels).every((l) => ['repo', 'source', 'status', 'le', 'resource'].includes(l)),
        sample.name,
      ).toBe(true);
  });

  it('keeps counting across scrapes: runs that finish later, and new runs, are added once', async () => {
    const { id } = await start();
    const k8s = id('kubernetes/kubernetes');
    const pulls = { repo: 'kubernetes/kubernetes', source: 'pulls' };
    const [, running] = await seed(t().db, [
      { repoId: k8s, source: 'pulls', status: 'succeeded', startedAgo: 7200, requests: 5 },
      { repoId: k8s, source: 'pulls', status: 'running', startedAgo: 5000 },
      { repoId: k8s, source: 'pulls', status: 'succeeded', startedAgo: 4000, requests: 7 },
    ]);
    const first = await scrape();
    expect(first.value('radar_github_requests_total', pulls)).toBe(12);
    expect(first.value('radar_runs_running', pulls)).toBe(1);
    // The old run ends (as the run recorder records it), then a new one is recorded.
    await t()
      .db.updateTable('runs')
      .set({ status: 'succeeded', finished_at: new Date(), requests: 11 })
      .where('id', '=', running as number)
      .execute();
    await seed(t().db, [{ repoId: k8s, source: 'pulls', status: 'failed', startedAgo: 10, requests: 2 }]);
    const second = await scrape();
    expect(second.value('radar_github_requests_total', pulls)).toBe(25);
    expect(second.value('radar_runs_total', { ...pulls, status: 'succeeded' })).toBe(3);
    expect(second.value('radar_runs_total', { ...pulls, status: 'failed' })).toBe(1);
    expect(second.value('radar_runs_running', pulls)).toBeUndefined();
    const third = await scrape();
    expect(third.value('radar_github_requests_total', pulls)).toBe(25);
  });

  it('answers /readyz 503 while a migration is not applied', async () => {
    await start();
    const { db } = t();
    const last = await sql<{
      name: string;
      timestamp: string;
    }>`select name, timestamp from kysely_migration order by name desc limit 1`.execute(db);
    const row = last.rows[0] as { name: string; timestamp: string };
    await sql`delete from kysely_migration where name = ${row.name}`.execute(db);
    try {
      const ready = await anonymous('/readyz');
      expect(ready.status).toBe(503);
      const body = ready.json();
      expect(body).toMatchObject({ ok: false, database: 'reachable', pending_migrations: [row.name] });
      expect(body.error).toMatch(/1 migration\(s\) not applied: run `radar migrate`/);
      expect((await anonymous('/livez')).status).toBe(200);
    } finally {
      await sql`insert into kysely_migration (name, timestamp) values (${row.name}, ${row.timestamp})`.execute(db);
    }
    expect((await anonymous('/readyz')).status).toBe(200);
  });

  it('asks for RADAR_METRICS_TOKEN on /metrics when one is set, and only there', async () => {
    await start({ metricsToken: METRICS_TOKEN });
    const refused = await anonymous('/metrics');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await anonymous('/metrics', { authorization: 'Bearer radar_test-editor-token-0123456789abcdef' })).status).toBe(401);
    expect((await scrape({ authorization: `Bearer ${METRICS_TOKEN}` })).value('radar_database_up')).toBe(1);
    expect((await anonymous('/livez')).status).toBe(200);
    expect((await anonymous('/readyz')).status).toBe(200);
  });
});

it('reports a database that does not answer as not ready, within the timeout', async () => {
  // A server that accepts connections and never says a word: a PostgreSQL hung or failing over.
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  const db = new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: `postgres://radar@127.0.0.1:${port}/radar` }) }),
  }) as unknown as Db;
  try {
    const started = Date.now();
    const readiness = await checkReadiness(db, 300);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(readiness).toMatchObject({ ok: false, database: 'timeout', error: 'the database did not answer within 300 ms' });
  } finally {
    for (const socket of sockets) socket.destroy();
    await db.destroy().catch(() => undefined);
    silent.close();
  }
});

it('reports a database that refuses connections as unreachable', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const db = new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: `postgres://radar@127.0.0.1:${port}/radar` }) }),
  }) as unknown as Db;
  try {
    const readiness = await checkReadiness(db, 2000);
    expect(readiness).toMatchObject({ ok: false, database: 'unreachable' });
    expect(readiness.error).toMatch(/ECONNREFUSED/);
  } finally {
    await db.destroy().catch(() => undefined);
  }
});
