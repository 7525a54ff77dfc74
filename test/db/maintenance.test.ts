import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/lib/logger.js';
import { upsertItems } from '../../src/store/items.js';
import { vacuumWithoutAutovacuum } from '../../src/store/maintenance.js';
import { syncRepos } from '../../src/store/repos.js';
import { writeConfig } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';
import { pullItem } from '../tools/items.js';

describeEachDialect('vacuum where no autovacuum runs', (t) => {
  it('vacuums the rewritten tables on the embedded database, and leaves a server to its autovacuum', async () => {
    const config = loadConfig(
      writeConfig('projects:\n  - name: Kubernetes\n    repos:\n      - repo: kubernetes/kubernetes\n        sources: [pulls]\n'),
    );
    const repos = await syncRepos(t().db, config.repos);
    const repoId = repos.get('kubernetes/kubernetes')?.id as number;
    await upsertItems(
      t().db,
      repoId,
      Array.from({ length: 200 }, (_, i) => ({ item: pullItem('kubernetes/kubernetes', i + 1), events: [] })),
    );
    // Every row rewritten five times: hundreds of dead row versions.
    for (let i = 0; i < 5; i++) await sql`update items set score = ${i}`.execute(t().db);
    const dead = async () => {
      // Statistics reach the views once the backend reports them (at most a second later).
      await sql`select pg_stat_force_next_flush()`.execute(t().db);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const row = await sql<{ dead: string }>`select n_dead_tup as dead from pg_stat_user_tables where relname = 'items'`.execute(
        t().db,
      );
      return Number(row.rows[0]?.dead);
    };
    if (t().dialect === 'pglite') {
      expect(await dead()).toBeGreaterThan(500);
      expect(await vacuumWithoutAutovacuum(t().db, silentLogger())).toContain('items');
      expect(await dead()).toBe(0);
      // Nothing left to do: nothing vacuumed.
      expect(await vacuumWithoutAutovacuum(t().db, silentLogger())).toEqual([]);
    } else {
      expect(await vacuumWithoutAutovacuum(t().db, silentLogger())).toEqual([]);
    }
  });
});
