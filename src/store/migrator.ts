import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMigrationProvider, type MigrationResult, Migrator } from 'kysely';
import type { Logger } from '../lib/logger.js';
import type { Db } from './db.js';

/**
 * migrations/ sits beside src/ both in the sources and in dist/, so the folder is found relative
 * to this file whether radar runs compiled or under vitest.
 */
const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface MigrationOutcome {
  applied: string[];
}

export async function migrateToLatest(db: Db, logger: Logger): Promise<MigrationOutcome> {
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
  });
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
