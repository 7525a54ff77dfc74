import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { poll } from '../../src/ingest/poll.js';
import { needsRescore, rescore } from '../../src/ingest/rescore.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { upsertItems } from '../../src/store/items.js';
import { newHolder, releaseLease, tryAcquireLease } from '../../src/store/leases.js';
import { syncRepos } from '../../src/store/repos.js';
import { loadRevisionsNeedingScoring, saveScores } from '../../src/store/scoring.js';
import { writeConfig } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';
import { repositoryJson } from '../tools/github-fixtures.js';
import { githubApi, nock, testGitHub } from '../tools/github-mock.js';
import { pullItem, releaseItem } from '../tools/items.js';

const yaml = (kubernetesWeights = '') => `projects:
  - name: Kubernetes
    conventions: kubernetes
    repos:
      - repo: kubernetes/kubernetes
        sources: [pulls, releases]${kubernetesWeights}
  - name: containerd
    conventions: containerd
    repos:
      - repo: containerd/containerd
        sources: [pulls]
`;
const at = (day: string) => new Date(`2019-06-${day}T12:00:00Z`);

describeEachDialect('scoring after a poll', (t) => {
  async function seed() {
    const config = loadConfig(writeConfig(yaml()));
    const repos = await syncRepos(t().db, config.repos);
    const id = (name: string) => repos.get(name)?.id as number;
    await upsertItems(t().db, id('kubernetes/kubernetes'), [
      {
        item: pullItem('kubernetes/kubernetes', 101, {
          title: 'Add the Resize API',
          labels: ['kind/api-change'],
          occurredAt: at('18'),
        }),
        events: [],
      },
      {
        item: pullItem('kubernetes/kubernetes', 102, {
          title: 'Fix flaky e2e test',
          labels: ['kind/flake'],
          occurredAt: at('19'),
        }),
        events: [],
      },
      { item: releaseItem('kubernetes/kubernetes', 'v1.16.0-alpha.2', at('20')), events: [] },
    ]);
    await upsertItems(t().db, id('containerd/containerd'), [
      { item: pullItem('containerd/containerd', 3300, { title: 'Add ctr images tag', occurredAt: at('18') }), events: [] },
    ]);
    const first = await rescore({ db: t().db, config, logger: silentLogger() });
    return { config, id, first };
  }
  const scoreOf = async (key: string) =>
    await t().db.selectFrom('items').select(['score', 'score_reasons']).where('key', '=', key).executeTakeFirstOrThrow();

  it('scores what changed and nothing else', async () => {
    const { config, id, first } = await seed();
    expect(first).toMatchObject({ items: 4, skipped: false });
    expect(await rescore({ db: t().db, config, logger: silentLogger() })).toMatchObject({ items: 0, scoresChanged: 0 });

    // A relabelled pull request is scored again, alone.
    await upsertItems(t().db, id('kubernetes/kubernetes'), [
      {
        item: pullItem('kubernetes/kubernetes', 102, {
          title: 'Fix flaky e2e test',
          labels: ['kind/feature'],
          occurredAt: at('19'),
        }),
        events: [],
      },
    ]);
    const after = await rescore({ db: t().db, config, logger: silentLogger() });
    expect(after).toMatchObject({ items: 1, scoresChanged: 1 });
    expect((await scoreOf('102')).score_reasons).toContainEqual(expect.objectContaining({ signal: 'label:feature' }));
  });

  it('scores an unchanged item again when it gets a new event', async () => {
    const { config, id } = await seed();
    const same = pullItem('containerd/containerd', 3300, { title: 'Add ctr images tag', occurredAt: at('18') });
    const event = { type: 'pull.merged', from: null, to: null, commitSha: 'a'.repeat(40), occurredAt: at('18') };
    await upsertItems(t().db, id('containerd/containerd'), [{ item: same, events: [event] }]);
    expect(await rescore({ db: t().db, config, logger: silentLogger() })).toMatchObject({ items: 1 });
    // The same event again is not new.
    await upsertItems(t().db, id('containerd/containerd'), [{ item: same, events: [event] }]);
    expect(await rescore({ db: t().db, config, logger: silentLogger() })).toMatchObject({ items: 0 });
  });

  it("scores a repo's other releases again when one arrives (which pre-release came first may change)", async () => {
    const { config, id } = await seed();
    expect((await scoreOf('v1.16.0-alpha.2')).score_reasons).toContainEqual(
      expect.objectContaining({ signal: 'release:first-prerelease' }),
    );
    await upsertItems(t().db, id('kubernetes/kubernetes'), [
      { item: releaseItem('kubernetes/kubernetes', 'v1.16.0-alpha.1', at('17')), events: [] },
    ]);
    const after = await rescore({ db: t().db, config, logger: silentLogger() });
    expect(after).toMatchObject({ items: 2 });
    expect((await scoreOf('v1.16.0-alpha.2')).score_reasons).toContainEqual(
      expect.objectContaining({ signal: 'release:later-prerelease' }),
    );
  });

  it("scores a repo's items again when its weights change in the config, and only that repo's", async () => {
    const { id } = await seed();
    const reweighted = loadConfig(writeConfig(yaml('\n        weights:\n          "label:api-change": 9')));
    await syncRepos(t().db, reweighted.repos);
    const before = (await scoreOf('101')).score as number;
    expect(await rescore({ db: t().db, config: reweighted, logger: silentLogger() })).toMatchObject({ items: 3 });
    expect((await scoreOf('101')).score).toBeGreaterThan(before);
    expect(await rescore({ db: t().db, config: reweighted, logger: silentLogger() })).toMatchObject({ items: 0 });
    expect(id('containerd/containerd')).toBeGreaterThan(0);
  });

  it('scores every item again when word weights change, and shows each weighted word as a reason', async () => {
    await seed();
    const withWords = (words: string) => loadConfig(writeConfig(`scoring:\n  words:\n${words}${yaml()}`));
    const worded = withWords('    resize: 1.25\n    flaky: -0.5\n');
    const before = (await scoreOf('101')).score as number;

    expect(await rescore({ db: t().db, config: worded, logger: silentLogger() })).toMatchObject({ items: 4 });

    const resized = await scoreOf('101');
    expect(resized.score).toBeCloseTo(before + 1.25, 10);
    expect(resized.score_reasons).toContainEqual({ signal: 'word:resize', value: 'Resize', contribution: 1.25 });
    expect((await scoreOf('102')).score_reasons).toContainEqual({ signal: 'word:flaky', value: 'flaky', contribution: -0.5 });
    expect(await rescore({ db: t().db, config: worded, logger: silentLogger() })).toMatchObject({ items: 0 });
    // Another weight for one word is another fingerprint: everything is scored again.
    const reworded = withWords('    resize: 1\n    flaky: -0.5\n');
    expect(await rescore({ db: t().db, config: reworded, logger: silentLogger() })).toMatchObject({ items: 4 });
    expect((await scoreOf('101')).score).toBeCloseTo(before + 1, 10);
  });

  it('scores everything when asked (radar rescore)', async () => {
    const { config } = await seed();
    expect(await rescore({ db: t().db, config, logger: silentLogger() }, { all: true })).toMatchObject({
      items: 4,
      scoresChanged: 0,
      itemsRegrouped: 0,
    });
  });

  it('keeps an item that changed while it was being scored marked for the next pass', async () => {
    const { id } = await seed();
    const row = await t().db.selectFrom('items').select(['id', 'revision']).where('key', '=', '101').executeTakeFirstOrThrow();
    await upsertItems(t().db, id('kubernetes/kubernetes'), [
      { item: pullItem('kubernetes/kubernetes', 101, { title: 'Add the Resize API (v2)', occurredAt: at('18') }), events: [] },
    ]);
    // A pass that read revision N saves after the poll stored N+1.
    await saveScores(t().db, [{ id: row.id, revision: row.revision, score: 1, reasons: [] }]);
    expect((await loadRevisionsNeedingScoring(t().db)).get(row.id)).toBe(row.revision + 1);
  });

  it('rescores one pass at a time, across processes and within one', async () => {
    const { config } = await seed();
    const pass = () => rescore({ db: t().db, config, logger: silentLogger() }, { all: true });
    // A pass already under way in this process (its own holder).
    const running = newHolder();
    expect(await tryAcquireLease(t().db, 'rescore', running, 60_000)).toBe(true);
    expect(await pass()).toMatchObject({ skipped: true });
    await releaseLease(t().db, 'rescore', running);
    expect(await pass()).toMatchObject({ skipped: false });
    expect(await tryAcquireLease(t().db, 'rescore', 'elsewhere:1:x', 60_000)).toBe(true);
    expect(await pass()).toMatchObject({ skipped: true });
  });

  it('converges after a pass killed half-way: nothing of it is kept, and the next poll finishes it', async () => {
    const { config, id } = await seed();
    const scoresBefore = await t().db.selectFrom('items').select(['key', 'score', 'story_id']).orderBy('key').execute();
    await upsertItems(t().db, id('kubernetes/kubernetes'), [
      {
        item: pullItem('kubernetes/kubernetes', 103, { title: 'Add the Resize API e2e tests', occurredAt: at('21') }),
        events: [],
      },
    ]);
    // The pass fails while it writes its stories (as a kill there would stop it).
    await sql`create function refuse_stories() returns trigger language plpgsql as $$ begin raise exception 'stopped'; end $$`.execute(
      t().db,
    );
    await sql`create trigger refuse_stories before insert or update on stories for each row execute function refuse_stories()`.execute(
      t().db,
    );
    try {
      await expect(rescore({ db: t().db, config, logger: silentLogger() }, { all: true })).rejects.toThrow(/stopped/);
    } finally {
      await sql`drop trigger refuse_stories on stories`.execute(t().db);
      await sql`drop function refuse_stories()`.execute(t().db);
    }
    // No score of the failed pass was kept: the earlier ones stand, the new item is still unscored.
    const after = await t().db.selectFrom('items').select(['key', 'score', 'story_id']).orderBy('key').execute();
    expect(after.filter((row) => row.key !== '103')).toEqual(scoresBefore);
    expect(after.find((row) => row.key === '103')).toMatchObject({ score: null, story_id: null });
    expect(await needsRescore(t().db, config)).toBe(true);

    // A poll that stores nothing new still scores and groups what was left.
    const scope = githubApi();
    scope.get('/repos/kubernetes/kubernetes').reply(200, repositoryJson('kubernetes/kubernetes'), { etag: '"k"' });
    scope.get('/repos/containerd/containerd').reply(200, repositoryJson('containerd/containerd'), { etag: '"c"' });
    scope
      .get(/\/repos\/[^/]+\/[^/]+\/(issues|releases)/)
      .times(10)
      .reply(200, []);
    const result = await poll(
      { db: t().db, github: testGitHub(), config, logger: silentLogger(), clock: fixedClock('2019-06-24T00:00:00Z') },
      { trigger: 'poll', since: new Date('2019-06-20T00:00:00Z') },
    );
    nock.cleanAll();
    expect(result.runs.every((r) => r.itemsNew === 0 && r.itemsUpdated === 0)).toBe(true);
    const left = await t()
      .db.selectFrom('items')
      .select(['key', 'score', 'story_id'])
      .where('key', '=', '103')
      .executeTakeFirstOrThrow();
    expect(left.score).not.toBeNull();
    expect(left.story_id).not.toBeNull();
    expect(await needsRescore(t().db, config)).toBe(false);
  });
});
