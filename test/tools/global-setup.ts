import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { silentLogger } from '../../src/lib/logger.js';
import { openDatabase, openInMemory } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrator.js';
import { ensureBuilt } from './build.js';

/**
 * Prepares migrated template databases once per test run, so each test file starts from a
 * fresh copy in about a second instead of running initdb and every migration again:
 * a PGlite data-dir dump, and (when TEST_DATABASE_URL is set) a PostgreSQL template database.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string | null;
  }
}

export default async function setup(project: TestProject) {
  const logger = silentLogger();
  // e2e tests run the real `radar` command from dist/.
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'radar-test-'));
  project.provide('pgliteTemplate', await pgliteTemplate(logger));

  const url = process.env.TEST_DATABASE_URL;
  let templateName: string | null = null;
  if (url) {
    templateName = `radar_test_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database if exists ${templateName}`);
    await admin.query(`create database ${templateName}`);
    await admin.end();
    const templateUrl = withDatabase(url, templateName);
    const handle = await openDatabase({ databaseUrl: templateUrl, dataDir: dir, logger });
    await migrateToLatest(handle.db, logger);
    await handle.close();
  }
  project.provide('postgresTemplate', templateName);

  return async () => {
    if (url && templateName) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`drop database if exists ${templateName} with (force)`);
      await admin.end();
    }
  };
}

/**
 * PGlite's initdb takes seconds; the migrated template is cached between test runs, keyed by
 * the migrations and the PGlite version, so only a schema change pays for it again.
 */
async function pgliteTemplate(logger: ReturnType<typeof silentLogger>): Promise<string> {
  const root = new URL('../..', import.meta.url).pathname;
  const hash = createHash('sha256');
  const migrations = join(root, 'migrations');
  for (const file of readdirSync(migrations).sort()) hash.update(file).update(readFileSync(join(migrations, file)));
  hash.update(readFileSync(join(root, 'node_modules/@electric-sql/pglite/package.json')));
  const cacheDir = join(tmpdir(), 'radar-test-cache');
  const file = join(cacheDir, `pglite-${hash.digest('hex').slice(0, 16)}.tar.gz`);
  if (existsSync(file)) return file;
  const memory = await openInMemory();
  await migrateToLatest(memory.db, logger);
  const dump = await memory.dumpDataDir();
  await memory.close();
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, file);
  return file;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
