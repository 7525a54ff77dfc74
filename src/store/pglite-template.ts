import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

/**
 * A new embedded database starts from a template: the data folder PGlite's initdb makes, made
 * once at build time (`npm run build`) and kept as a gzipped tarball beside the build. Running
 * initdb inside PGlite's WebAssembly PostgreSQL peaks at ~850 MB of memory; loading the 4 MB
 * template peaks at ~370 MB, so a first `radar backfill` on a new machine stays within what the
 * rest of it needs. The file name carries PGlite's version: a template made by another version
 * is not used (initdb runs as before).
 */

const require = createRequire(import.meta.url);

export function pgliteVersion(): string {
  const main = require.resolve('@electric-sql/pglite');
  const manifest = JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** Where the build keeps the template: dist/ beside dist/src (in the sources: the project root). */
export function templateFile(): string {
  return fileURLToPath(new URL(`../../pglite-template-${pgliteVersion()}.tar.gz`, import.meta.url));
}

/** The template when there is one for this PGlite, else undefined (initdb then runs as before). */
export function readTemplate(file = templateFile()): Blob | undefined {
  return existsSync(file) ? new Blob([readFileSync(file)]) : undefined;
}

/** Runs initdb once, in memory, and writes the data folder as the template. */
export async function writeTemplate(file = templateFile()): Promise<void> {
  const pglite = new PGlite();
  await pglite.waitReady;
  const dump = await pglite.dumpDataDir('gzip');
  await pglite.close();
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
}
