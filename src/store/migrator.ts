import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Migration, type MigrationProvider, type MigrationResult, Migrator, sql } from 'kysely';
import type { Logger } from '../lib/logger.js';
import type { Db } from './db.js';

/**
 * migrations/ sits beside src/ both in the sources and in dist/, so the folder is found relative
 * to this file whether radar runs compiled (.js) or under vitest (.ts).
 */
const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Reads migrations/ in name order. Our own dynamic import (rather than kysely's
 * FileMigrationProvider) lets the test runner load the TypeScript sources too.
 */
class FolderMigrationProvider implements MigrationProvider {
  constructor(private readonly folder: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.folder)).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const module = (await import(pathToFileURL(join(this.folder, file)).href)) as Migration;
      migrations[file.replace(/\.(js|ts)$/, '')] = module;
    }
    return migrations;
  }
}

export interface MigrationOutcome {
  applied: string[];
}

export async function migrateToLatest(db: Db, logger: Logger): Promise<MigrationOutcome> {
  const migrator = new Migrator({ db, provider: new FolderMigrationProvider(MIGRATIONS_DIR) });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r: MigrationResult) => r.status === 'Success').map((r) => r.migrationName);
  for (const name of applied) logger.info({ migration: name }, 'migration applied');
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`, {
      cause: error,
    });
  }
  return { applied };
}

/**
 * The migrations of migrations/ this database has not run, in name order (readiness: a
 * process whose schema lags its code must not take traffic). Reads only, and cheaply: the
 * folder's names and kysely's own table (kysely's Migrator.getMigrations introspects every
 * table and imports every migration, seconds on PGlite, too slow for a probe every few seconds);
 * never creates that table, so a probe cannot change the database it checks.
 */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const names = (await readdir(MIGRATIONS_DIR))
    .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.(js|ts)$/, ''))
    .sort();
  const exists = await sql<{ found: boolean }>`select to_regclass(${MIGRATION_TABLE}) is not null as found`.execute(db);
  const applied = exists.rows[0]?.found
    ? new Set((await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db)).rows.map((r) => r.name))
    : new Set<string>();
  return names.filter((name) => !applied.has(name));
}

/** kysely's default bookkeeping table (migrateToLatest sets no other). */
const MIGRATION_TABLE = 'kysely_migration';
