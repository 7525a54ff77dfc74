import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, inject } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { type DatabaseHandle, type Db, openDatabase, openInMemory } from '../../src/store/db.js';

/**
 * Every database test runs on PGlite, and on a PostgreSQL server too when TEST_DATABASE_URL is
 * set (kysely's DIALECTS matrix). Each test file gets its own database, copied from a migrated
 * template; each test starts from empty tables.
 */
export type DialectName = 'pglite' | 'postgres';

export const DIALECTS: DialectName[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase {
  dialect: DialectName;
  db: Db;
  /** A handle as the app's composition root would hold it (close is a no-op: the suite owns it). */
  handle: DatabaseHandle;
  /** Empties every table and restarts ids, between tests. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const TABLES = [
  'decisions',
  'issue_entries',
  'digest_issues',
  'leases',
  'runs',
  'http_validators',
  'poll_cursors',
  'item_week_scores',
  'scoring_state',
  'item_events',
  'items',
  'stories',
  'repos',
  'sessions',
  'schedules',
  'github_budget',
];

export async function openTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === 'pglite') {
    const template = new Blob([readFileSync(inject('pgliteTemplate'))]);
    const handle = await openInMemory(template);
    return wrap(dialect, handle, async () => handle.close());
  }
  const url = process.env.TEST_DATABASE_URL as string;
  const template = inject('postgresTemplate');
  if (!template) throw new Error('TEST_DATABASE_URL is set but the PostgreSQL template was not prepared');
  const name = `radar_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name} template ${template}`);
  await admin.end();
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  const handle = await openDatabase({
    databaseUrl: parsed.toString(),
    dataDir: '/nonexistent',
    logger: silentLogger(),
    poolSize: 4,
  });
  return wrap(dialect, handle, async () => {
    await handle.close();
    const cleanup = new pg.Client({ connectionString: url });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${name} with (force)`);
    await cleanup.end();
  });
}

function wrap(dialect: DialectName, handle: DatabaseHandle, close: () => Promise<void>): TestDatabase {
  return {
    dialect,
    db: handle.db,
    handle: { ...handle, close: async () => {} },
    reset: async () => {
      await sql.raw(`truncate ${TABLES.join(', ')} restart identity cascade`).execute(handle.db);
    },
    close,
  };
}

/**
 * describe() once per dialect, with a database opened for the block and emptied before each
 * test: `describeEachDialect('items', (t) => { it('...', async () => { t().db ... }) })`.
 */
export function describeEachDialect(name: string, body: (current: () => TestDatabase) => void): void {
  for (const dialect of DIALECTS) {
    describe(`${name} [${dialect}]`, () => {
      let database: TestDatabase | undefined;
      beforeAll(async () => {
        database = await openTestDatabase(dialect);
      });
      afterAll(async () => {
        await database?.close();
      });
      beforeEach(async () => {
        await database?.reset();
      });
      body(() => {
        if (!database) throw new Error('test database not open');
        return database;
      });
    });
  }
}
