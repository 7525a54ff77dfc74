import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Logger } from '../lib/logger.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { readTemplate } from './pglite-template.js';
import type { Database } from './schema.js';
import { StorableTextPlugin } from './storable-plugin.js';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: 'pglite' | 'postgres';
  /** Where the data lives, without credentials, for messages. */
  location: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL of a server; when absent, the embedded PGlite in dataDir. */
  databaseUrl?: string | undefined;
  dataDir: string;
  logger: Logger;
  /** Connections in the pool (server only). */
  poolSize?: number;
}

// timestamptz and jsonb arrive parsed from both drivers; int8 (counts) as numbers, since radar's
// counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openServer(options.databaseUrl, options);
  return openEmbedded(options.dataDir, options.logger);
}

function openServer(url: string, options: DatabaseOptions): DatabaseHandle {
  // JIT off: radar's queries are short and index-driven, and PostgreSQL compiles a query when its
  // cost estimate is high, which the estimate of "scored_revision is distinct from revision" (two
  // columns, no statistics between them) makes it: measured, 100 ms of compiling for a 0.2 ms
  // query on every list. A connection string that sets `options` keeps its own.
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, options: '-c jit=off' });
  // An idle client losing its server: the pool drops it (the client's own listener logs it).
  pool.on('error', () => {});
  // A client in use (inside a transaction, between two queries) reports a lost connection as an
  // 'error' event too; unheard, it would end the process. The query in hand fails on its own.
  pool.on('connect', (client) =>
    client.on('error', (error) => options.logger.warn({ error: error.message }, 'postgres connection lost')),
  );
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new StorableTextPlugin()] });
  return {
    db,
    dialect: 'postgres',
    location: redactUrl(url),
    close: () => db.destroy(),
  };
}

async function openEmbedded(dataDir: string, logger: Logger): Promise<DatabaseHandle> {
  mkdirSync(dataDir, { recursive: true });
  // PGlite is single-process: a second radar on the same folder would corrupt it.
  const lock: DataDirLock = acquireDataDirLock(dataDir);
  try {
    const started = Date.now();
    const pglite = await openPglite(join(dataDir, 'pgdata'), logger);
    logger.debug({ dataDir, ms: Date.now() - started }, 'embedded database ready');
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite), plugins: [new StorableTextPlugin()] });
    return {
      db,
      dialect: 'pglite',
      location: dataDir,
      close: async () => {
        await db.destroy(); // also closes PGlite
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * A data folder PGlite has made before is opened; a new one starts from the build's template
 * when there is one (src/store/pglite-template.ts), else PGlite runs initdb. A template that
 * fails to load leaves no half-made folder: initdb runs on a clean one.
 */
export async function openPglite(pgdata: string, logger: Logger, template = readTemplate()): Promise<PGlite> {
  if (!existsSync(join(pgdata, 'PG_VERSION')) && template) {
    try {
      const pglite = new PGlite(pgdata, { loadDataDir: template, postgresqlconf: PGLITE_CONF });
      await pglite.waitReady;
      return pglite;
    } catch (error) {
      logger.warn(
        { error: (error as Error).message },
        'the embedded database template did not load; creating the database from scratch',
      );
      rmSync(pgdata, { recursive: true, force: true });
    }
  }
  const pglite = new PGlite(pgdata, { postgresqlconf: PGLITE_CONF });
  await pglite.waitReady;
  return pglite;
}

/**
 * PGlite's PostgreSQL keeps its shared buffers in the WebAssembly heap, which never shrinks:
 * 32 MB instead of PostgreSQL's 128 MB keeps a backfill's memory down; the folder is on local
 * disk, so what does not fit is read back cheaply.
 */
const PGLITE_CONF = ['shared_buffers=32MB'];

export interface InMemoryHandle extends DatabaseHandle {
  /** A gzipped copy of the whole database, to start other instances from (test templates). */
  dumpDataDir(): Promise<Blob>;
}

/** Opens a PGlite database that lives only in memory, optionally from a dump (tests, dry runs). */
export async function openInMemory(loadDataDir?: Blob): Promise<InMemoryHandle> {
  const pglite = loadDataDir ? new PGlite({ loadDataDir }) : new PGlite();
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite), plugins: [new StorableTextPlugin()] });
  return {
    db,
    dialect: 'pglite',
    location: 'memory',
    close: () => db.destroy(),
    dumpDataDir: async () => (await pglite.dumpDataDir('gzip')) as Blob,
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
