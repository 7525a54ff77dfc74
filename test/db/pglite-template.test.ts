import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { openPglite } from '../../src/store/db.js';
import { readTemplate, writeTemplate } from '../../src/store/pglite-template.js';

describe('a new embedded database from the template', () => {
  const dir = mkdtempSync(join(tmpdir(), 'radar-pglite-template-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (line: string) => lines.push(line) } });

  it('starts from the template, keeps what is written, and opens again as an existing database', async () => {
    const file = join(dir, 'template.tar.gz');
    await writeTemplate(file);
    const pgdata = join(dir, 'pgdata');
    const first = await openPglite(pgdata, logger, readTemplate(file));
    await first.exec('create table t (x integer); insert into t values (1)');
    await first.close();
    expect(existsSync(join(pgdata, 'PG_VERSION'))).toBe(true);
    // Opened again (the template is ignored for a folder PGlite has made): the row is there.
    const again = await openPglite(pgdata, logger, readTemplate(file));
    expect((await again.query<{ n: number }>('select count(*)::int as n from t')).rows).toEqual([{ n: 1 }]);
    await again.close();
    expect(lines.join('')).not.toContain('did not load');
  }, 60_000);

  it('creates the database from scratch when the template does not load, leaving no half-made folder', async () => {
    const file = join(dir, 'broken.tar.gz');
    writeFileSync(file, 'not a tarball');
    const pgdata = join(dir, 'pgdata-broken');
    const pglite = await openPglite(pgdata, logger, readTemplate(file));
    expect((await pglite.query<{ n: number }>('select 1 as n')).rows).toEqual([{ n: 1 }]);
    await pglite.close();
    expect(lines.join('')).toContain('the embedded database template did not load');
  }, 60_000);
});
