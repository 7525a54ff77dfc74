import { expect, it } from 'vitest';
import { syncRepos } from '../../src/store/repos.js';
import { finishRun, lastSuccessfulRun, listRuns, startRun } from '../../src/store/runs.js';
import { describeEachDialect } from '../tools/db.js';

const REPOS = [{ repo: 'knative/serving', project: 'Knative' }];

describeEachDialect('run records', (t) => {
  async function record(source: string, status: 'succeeded' | 'failed' = 'succeeded') {
    const { db } = t();
    const repoId = (await syncRepos(db, REPOS as never)).get('knative/serving')?.id as number;
    const id = await startRun(db, { batchId: 'b', trigger: 'poll', repoId, source });
    await finishRun(db, id, {
      status,
      requests: 1,
      notModified: 0,
      graphqlPoints: 0,
      rateLimitRemaining: null,
      itemsNew: 0,
      itemsUpdated: 0,
      error: null,
      details: {},
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
});
