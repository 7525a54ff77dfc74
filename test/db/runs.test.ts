import { expect, it } from 'vitest';
import { giveUpHolder, newHolder } from '../../src/store/leases.js';
import { syncRepos } from '../../src/store/repos.js';
import { closeAbandonedRuns, finishRun, lastSuccessfulRun, listRuns, startRun } from '../../src/store/runs.js';
import { runCli, writeConfig } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';

const REPOS = [{ repo: 'knative/serving', project: 'Knative' }];

describeEachDialect('run records', (t) => {
  async function record(
    source: string,
    status: 'succeeded' | 'failed' = 'succeeded',
    figures: { rateLimitRemaining?: number; details?: Record<string, unknown> } = {},
  ) {
    const { db } = t();
    const repoId = (await syncRepos(db, REPOS as never)).get('knative/serving')?.id as number;
    const id = await startRun(db, { batchId: 'b', trigger: 'poll', repoId, source, holder: 'test:1:x' });
    await finishRun(db, id, {
      status,
      requests: 1,
      notModified: 0,
      graphqlPoints: 0,
      rateLimitRemaining: figures.rateLimitRemaining ?? null,
      itemsNew: 0,
      itemsUpdated: 0,
      error: null,
      details: figures.details ?? {},
    });
    return id;
  }

  it("tells a source's last successful poll by the parts of run labels, not by substrings", async () => {
    const { db } = t();
    await record('coverage:pulls');
    expect(await lastSuccessfulRun(db, 'knative/serving', ['pulls'])).toBeNull();
    await record('issues', 'failed');
    expect(await lastSuccessfulRun(db, 'Knative/Serving', ['issues'])).toBeNull();
    await record('pulls+issues');
    expect(await lastSuccessfulRun(db, 'knative/serving', ['issues', 'releases'])).toBeInstanceOf(Date);
  });

  it('filters radar runs --source by label part, or by kind (coverage)', async () => {
    const { db } = t();
    const ids = {
      combined: await record('pulls+issues'),
      coverage: await record('coverage:pulls'),
      releases: await record('releases'),
    };
    const sources = async (source: string) => (await listRuns(db, { limit: 10, source })).map((r) => r.id);
    expect(await sources('pulls')).toEqual([ids.combined]);
    expect(await sources('coverage')).toEqual([ids.coverage]);
    expect(await sources('coverage:pulls')).toEqual([ids.coverage]);
    expect(await sources('release')).toEqual([]);
    expect(await sources('%')).toEqual([]);
  });

  it('radar runs shows when each run started, the rate limit left, and coverage captured/expected', async () => {
    await record('pulls', 'succeeded', { rateLimitRemaining: 4987 });
    await record('coverage:pulls', 'succeeded', {
      rateLimitRemaining: 4950,
      details: { from: '2019-05-13T00:00:00.000Z', to: '2019-05-20T00:00:00.000Z', expected: 43, captured: 41, missing: [] },
    });
    const configFile = writeConfig(
      'projects:\n  - name: Knative\n    repos:\n      - repo: knative/serving\n        sources: [pulls]\n',
    );
    const table = await runCli(['runs'], { database: t().handle, configFile });
    expect(table.code).toBe(0);
    const [header, , coverage, poll] = table.stdout.split('\n');
    expect(header).toMatch(
      /^started \(UTC\)\s+repo\s+source\s+status\s+new\s+updated\s+requests\s+304s\s+points\s+remaining\s+coverage\s+duration/,
    );
    expect(coverage).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d\s+knative\/serving\s+coverage:pulls\s+succeeded(\s+\d+){5}\s+4950\s+41\/43\s/,
    );
    expect(poll).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d\s+knative\/serving\s+pulls\s+succeeded(\s+\d+){5}\s+4987\s+\d+\.\ds/);

    const json = JSON.parse((await runCli(['runs', '--json'], { database: t().handle, configFile })).stdout) as Array<
      Record<string, unknown>
    >;
    expect(json[0]).toMatchObject({
      source: 'coverage:pulls',
      rate_limit_remaining: 4950,
      coverage: { captured: 41, expected: 43 },
    });
    expect(json[1]).toMatchObject({ source: 'pulls', rate_limit_remaining: 4987, coverage: null });
    expect(json[1]?.started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('closes the runs nobody works on any more, and only those', async () => {
    const { db } = t();
    const repoId = (await syncRepos(db, REPOS as never)).get('knative/serving')?.id as number;
    const hostOf = newHolder().split(':')[0];
    const start = async (holder: string, minutesAgo: number, lease?: 'live' | 'expired') => {
      const id = await startRun(db, { batchId: 'b', trigger: 'poll', repoId, source: 'pulls', holder });
      await db
        .updateTable('runs')
        .set({ started_at: new Date(Date.now() - minutesAgo * 60_000) })
        .where('id', '=', id)
        .execute();
      if (lease)
        await db
          .insertInto('leases')
          .values({
            name: `run:${repoId}:${id}`,
            holder,
            acquired_at: new Date(),
            expires_at: new Date(Date.now() + (lease === 'live' ? 60_000 : -60_000)),
          })
          .execute();
      return id;
    };
    const ids = {
      mine: await start(newHolder(), 30, 'live'), // this process, working
      otherMachineLive: await start('elsewhere:4242:a', 30, 'live'),
      otherMachineExpired: await start('elsewhere:4243:b', 30, 'expired'),
      deadHere: await start(`${hostOf}:99999999:c`, 0, 'live'), // pid that cannot exist
      justStarted: await start('elsewhere:4244:d', 0), // its leases come first: a moment without one
      givenUp: await start(newHolder(), 0, 'live'),
    };
    const givenUp = (await db.selectFrom('runs').select('holder').where('id', '=', ids.givenUp).executeTakeFirstOrThrow())
      .holder as string;
    giveUpHolder(givenUp);
    expect(await closeAbandonedRuns(db)).toBe(3);
    const statuses = Object.fromEntries(
      await Promise.all(
        Object.entries(ids).map(async ([name, id]) => [
          name,
          (await db.selectFrom('runs').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status,
        ]),
      ),
    );
    expect(statuses).toEqual({
      mine: 'running',
      otherMachineLive: 'running',
      otherMachineExpired: 'failed',
      deadHere: 'failed',
      justStarted: 'running',
      givenUp: 'failed',
    });
    // The embedded database is this process's alone: everything running was interrupted.
    expect(await closeAbandonedRuns(db, { all: true })).toBe(3);
    const [closed] = await listRuns(db, { limit: 1 });
    expect(closed).toMatchObject({ status: 'failed', error: 'interrupted: the run stopped before it could record its end' });
  });
});
