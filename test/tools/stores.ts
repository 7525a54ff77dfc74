import { rmSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from './global-setup.js';
import { copyDataDir, radarEnv, runRadar, tempDir } from './radar-process.js';
import type { StoreLocation } from './store-dump.js';

/**
 * Where a spawned radar keeps its data in the crash-point and fault suites: a fresh embedded
 * database folder per trial (a copy of a migrated or backfilled one, which is far quicker than
 * initdb), or a fresh PostgreSQL database per trial (created from a template database) when
 * TEST_DATABASE_URL is set. A store can be frozen as the starting point of later trials.
 */

export type DialectName = 'pglite' | 'postgres';

export const CRASH_DIALECTS: DialectName[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface Store {
  dialect: DialectName;
  /** DATABASE_URL or RADAR_DATA_DIR for the child process. */
  env: Record<string, string>;
  location: StoreLocation;
  /** The database name (postgres) or folder (pglite). */
  name: string;
}

export interface Stores {
  dialect: DialectName;
  /** An empty, migrated store. */
  fresh(): Promise<Store>;
  /** A copy of a store that nothing writes to any more. */
  copy(of: Store): Promise<Store>;
  /** Deletes a store no longer needed (a trial's, once compared). */
  remove(store: Store): Promise<void>;
  /** Drops every database made (postgres); the folders go with the temp dirs. */
  dispose(): Promise<void>;
}

export function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  return url;
}

/** Runs SQL on the server's maintenance connection (TEST_DATABASE_URL). */
export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await client.query<T>(text, values);
  } finally {
    await client.end();
  }
}

let databaseCounter = 0;

export async function openStores(dialect: DialectName): Promise<Stores> {
  if (dialect === 'pglite') {
    const migrated = tempDir('radar-migrated-');
    const result = await runRadar(['migrate'], radarEnv({ RADAR_DATA_DIR: migrated, LOG_LEVEL: 'warn' }));
    if (result.code !== 0) throw new Error(`radar migrate failed: ${result.stderr}`);
    const store = (dir: string): Store => ({ dialect, env: { RADAR_DATA_DIR: dir }, location: { dataDir: dir }, name: dir });
    return {
      dialect,
      fresh: async () => store(copyDataDir(migrated)),
      copy: async (of) => store(copyDataDir(of.name)),
      remove: async (of) => rmSync(of.name, { recursive: true, force: true }),
      dispose: async () => {},
    };
  }
  const template = inject('postgresTemplate');
  if (!template) throw new Error('TEST_DATABASE_URL is set but the PostgreSQL template was not prepared');
  const made: string[] = [];
  const create = async (from: string): Promise<Store> => {
    const name = `radar_crash_${process.pid}_${++databaseCounter}`;
    await adminQuery(`create database ${name} template ${from}`);
    made.push(name);
    const url = withDatabase(adminUrl(), name);
    return { dialect, env: { DATABASE_URL: url }, location: { databaseUrl: url }, name };
  };
  return {
    dialect,
    fresh: () => create(template),
    copy: (of) => create(of.name),
    remove: async (of) => {
      await adminQuery(`drop database if exists ${of.name} with (force)`);
      made.splice(made.indexOf(of.name), 1);
    },
    dispose: async () => {
      for (const name of made.splice(0)) await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}
