import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { defaultWeights } from '../../src/scoring/signals.js';
import { getCursor, saveCursor } from '../../src/store/cursors.js';
import { openDatabase, openInMemory } from '../../src/store/db.js';
import { upsertItems } from '../../src/store/items.js';
import { migrateToLatest } from '../../src/store/migrator.js';
import { syncRepos } from '../../src/store/repos.js';
import { describeEachDialect } from '../tools/db.js';
import { pullItem } from '../tools/items.js';

const REPOS = [
  {
    repo: 'kubernetes/kubernetes',
    project: 'Kubernetes',
    sources: ['pulls' as const],
    schedule: {} as never,
    conventions: 'kubernetes',
    weights: defaultWeights(),
  },
];

describe('migrations from an empty database', () => {
  const expectedTables = [
    'decisions',
    'digest_issues',
    'github_budget',
    'http_validators',
    'issue_entries',
    'item_events',
    'item_week_scores',
    'items',
    'leases',
    'poll_cursors',
    'repos',
    'runs',
    'schedules',
    'scoring_state',
    'sessions',
    'stories',
  ];

  async function tablesOf(db: Parameters<typeof migrateToLatest>[0]): Promise<string[]> {
    const result = await sql<{
      table_name: string;
    }>`select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'kysely_%' order by table_name`.execute(
      db,
    );
    return result.rows.map((r) => r.table_name);
  }

  it('runs on a fresh PGlite, and a second run applies nothing', async () => {
    const handle = await openInMemory();
    try {
      const first = await migrateToLatest(handle.db, silentLogger());
      expect(first.applied.length).toBeGreaterThan(0);
      expect(await tablesOf(handle.db)).toEqual(expectedTables);
      expect((await migrateToLatest(handle.db, silentLogger())).applied).toEqual([]);
    } finally {
      await handle.close();
    }
  });

  it.runIf(process.env.TEST_DATABASE_URL)('runs on a fresh PostgreSQL database', async () => {
    const url = process.env.TEST_DATABASE_URL as string;
    const name = `radar_migrate_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    const handle = await openDatabase({ databaseUrl: target.toString(), dataDir: '/nonexistent', logger: silentLogger() });
    try {
      expect((await migrateToLatest(handle.db, silentLogger())).applied.length).toBeGreaterThan(0);
      expect(await tablesOf(handle.db)).toEqual(expectedTables);
      expect((await migrateToLatest(handle.db, silentLogger())).applied).toEqual([]);
    } finally {
      await handle.close();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});

describeEachDialect('item store', (t) => {
  it('upserts idempotently: the same items twice store each once', async () => {
    const { db } = t();
    const repo = (await syncRepos(db, REPOS)).get('kubernetes/kubernetes')!;
    const batch = [1, 2, 3].map((n) => ({ item: pullItem('kubernetes/kubernetes', n), events: [] }));
    const first = await upsertItems(db, repo.id, batch);
    expect(first).toMatchObject({ inserted: 3, updated: 0 });
    const second = await upsertItems(db, repo.id, batch);
    expect(second).toMatchObject({ inserted: 0, updated: 0 });
    expect(second.ids).toEqual(first.ids);
    const rows = await db.selectFrom('items').select(['key', 'labels', 'details', 'raw']).orderBy('key').execute();
    expect(rows.map((r) => r.key)).toEqual(['1', '2', '3']);
    expect(rows[0]?.labels).toEqual(['kind/feature']);
    expect(rows[0]?.details).toMatchObject({ type: 'pull', mergedAt: '2019-05-02T10:00:00Z' });
    expect(rows[0]?.raw).toEqual({ number: 1 });
  });

  it('updates a changed item in place and counts it as updated', async () => {
    const { db } = t();
    const repo = (await syncRepos(db, REPOS)).get('kubernetes/kubernetes')!;
    await upsertItems(db, repo.id, [{ item: pullItem('kubernetes/kubernetes', 7), events: [] }]);
    const relabelled = pullItem('kubernetes/kubernetes', 7, { labels: ['kind/feature', 'kind/api-change'] });
    expect(await upsertItems(db, repo.id, [{ item: relabelled, events: [] }])).toMatchObject({ inserted: 0, updated: 1 });
    const rows = await db.selectFrom('items').select(['labels']).execute();
    expect(rows).toEqual([{ labels: ['kind/feature', 'kind/api-change'] }]);
  });

  it('never goes back to an older snapshot of an item (a slower run read it before it changed)', async () => {
    const { db } = t();
    const repo = (await syncRepos(db, REPOS)).get('kubernetes/kubernetes')!;
    const merged = pullItem('kubernetes/kubernetes', 8, { state: 'merged', sourceUpdatedAt: new Date('2019-05-03T00:00:00Z') });
    const earlier = pullItem('kubernetes/kubernetes', 8, { state: 'open', sourceUpdatedAt: new Date('2019-05-01T00:00:00Z') });
    await upsertItems(db, repo.id, [{ item: merged, events: [] }]);
    expect(await upsertItems(db, repo.id, [{ item: earlier, events: [] }])).toMatchObject({ inserted: 0, updated: 0 });
    expect(await db.selectFrom('items').select(['state']).execute()).toEqual([{ state: 'merged' }]);
  });

  it('stores events once, however often the same history is read', async () => {
    const { db } = t();
    const repo = (await syncRepos(db, REPOS)).get('kubernetes/kubernetes')!;
    const event = {
      type: 'kep.status',
      from: 'provisional',
      to: 'implementable',
      commitSha: 'abc123',
      occurredAt: new Date('2019-05-01T00:00:00Z'),
    };
    const entry = { item: pullItem('kubernetes/kubernetes', 9), events: [event] };
    expect((await upsertItems(db, repo.id, [entry])).eventsAdded).toBe(1);
    expect((await upsertItems(db, repo.id, [entry])).eventsAdded).toBe(0);
  });

  it('a failed transaction leaves neither items nor cursor behind', async () => {
    const { db } = t();
    const repo = (await syncRepos(db, REPOS)).get('kubernetes/kubernetes')!;
    await expect(
      db.transaction().execute(async (trx) => {
        await upsertItems(trx, repo.id, [{ item: pullItem('kubernetes/kubernetes', 11), events: [] }]);
        await saveCursor(trx, repo.id, 'pulls', { since: new Date('2019-05-03T00:00:00Z'), position: {} });
        throw new Error('killed mid-batch');
      }),
    ).rejects.toThrow('killed mid-batch');
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([]);
    expect(await getCursor(db, repo.id, 'pulls')).toBeNull();
  });

  it('keeps repo ids stable across config syncs and project moves', async () => {
    const { db } = t();
    const first = (await syncRepos(db, REPOS)).get('kubernetes/kubernetes')!;
    const again = (await syncRepos(db, [{ ...REPOS[0]!, repo: 'Kubernetes/Kubernetes', project: 'K8s' }])).get(
      'kubernetes/kubernetes',
    )!;
    expect(again.id).toBe(first.id);
    expect(again.project).toBe('K8s');
  });

  it('mirrors the watch list from several jobs at once on a fresh database (serve starting)', async () => {
    const { db } = t();
    const synced = await Promise.all([1, 2, 3, 4].map(() => syncRepos(db, REPOS)));
    const ids = synced.map((repos) => repos.get('kubernetes/kubernetes')?.id);
    expect(new Set(ids).size).toBe(1);
    expect(await db.selectFrom('repos').select('id').execute()).toHaveLength(REPOS.length);
  });
});
