import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { up as rekeyKeps } from '../../migrations/2026-12-02-006-kep-identity.js';
import { loadConfig } from '../../src/config/load.js';
import type { Item, ItemEvent, KepDetails } from '../../src/domain/item.js';
import { type IngestDeps, poll } from '../../src/ingest/poll.js';
import { rescore } from '../../src/ingest/rescore.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { recordDecision } from '../../src/store/decisions.js';
import { upsertItems } from '../../src/store/items.js';
import { syncRepos } from '../../src/store/repos.js';
import { writeConfig } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';
import { FakeRepo, serveIssueListing } from '../tools/fake-repo.js';
import { repositoryJson } from '../tools/github-fixtures.js';
import { githubApi, nock, testGitHub } from '../tools/github-mock.js';
import { pullItem } from '../tools/items.js';

const REPO = 'kubernetes/enhancements';
const CONFIG = `projects:\n  - name: Kubernetes\n    repos:\n      - repo: ${REPO}\n        sources: [keps]\n`;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/keps/${name}`, import.meta.url), 'utf8');

function deps(db: IngestDeps['db']): IngestDeps {
  return {
    db,
    github: testGitHub(),
    config: loadConfig(writeConfig(CONFIG)),
    logger: silentLogger(),
    clock: fixedClock('2019-08-01T00:00:00Z'),
  };
}

/** A 2019 Markdown KEP; `toc` stands for the table-of-contents tags one commit put in every KEP. */
function kep(fields: { title: string; number?: number; status?: string; toc?: boolean }): string {
  const lines = ['---', `title: ${fields.title}`];
  if (fields.number !== undefined) lines.push(`kep-number: ${fields.number}`);
  lines.push('owning-sig: sig-scheduling', `status: ${fields.status ?? 'provisional'}`, '---', '', `# ${fields.title}`, '');
  if (fields.toc) lines.push('<!-- toc -->', '- [Summary](#summary)', '<!-- /toc -->', '');
  lines.push('## Summary', '', `${fields.title}, explained.`, '');
  return lines.join('\n');
}

const sha = (c: string) => c.repeat(40);
const FRAMEWORK = 'keps/sig-scheduling/20180409-scheduling-framework.md';
const COSCHEDULING = 'keps/sig-scheduling/34-20180703-coscheduling.md';
const TOPOLOGY = 'keps/sig-network/0033-service-topology.md';
const TOPOLOGY_DATED = 'keps/sig-network/20181024-service-topology.md';
const DRAFT = 'keps/sig-instrumentation/draft-20190404-kubernetes-control-plane-metrics-stability.md';
const NUMBERED = 'keps/sig-instrumentation/42-kubernetes-control-plane-metrics-stability.md';
const DATED = 'keps/sig-instrumentation/20190404-kubernetes-control-plane-metrics-stability.md';
const LIMITS = 'keps/sig-storage/20190408-volume-scheduling-limits.md';
const FRESH = 'keps/sig-node/20190627-fresh-idea.md';
const METRICS = 'Kubernetes Control-Plane Metrics Stability';

/**
 * kubernetes/enhancements in 2019 as github-sim serves it: KEPs written before the history it
 * holds are in no tree until a commit changes them, so a tree comparison calls the first change
 * of each an add; GitHub's own file list of that commit says "modified".
 */
function enhancements2019(): FakeRepo {
  return new FakeRepo(REPO, {
    'keps/README.md': '# Kubernetes Enhancement Proposals\n',
    [FRAMEWORK]: kep({ title: 'Scheduling Framework', number: 34, status: 'implementable' }),
    [COSCHEDULING]: kep({ title: 'Coscheduling', number: 34 }),
    [TOPOLOGY]: kep({ title: 'Topology-aware service routing', number: 33, status: 'implementable' }),
  })
    .commit({ sha: sha('0'), date: '2019-02-20T10:00:00Z', message: 'before the backfill', files: { 'keps/OWNERS': 'x' } })
    .commit({
      sha: sha('1'),
      date: '2019-04-09T10:00:00Z',
      message: 'metrics stability draft',
      files: { [DRAFT]: kep({ title: METRICS }) },
    })
    .commit({
      sha: sha('2'),
      date: '2019-04-30T10:00:00Z',
      message: 'volume scheduling limits',
      files: { [LIMITS]: fixture('template-title.md') },
    })
    .commit({
      sha: sha('3'),
      date: '2019-05-17T10:00:00Z',
      message: 'number the metrics KEP',
      files: { [NUMBERED]: kep({ title: METRICS, status: 'implementable' }) },
      renames: { [NUMBERED]: DRAFT },
    })
    .commit({
      sha: sha('4'),
      date: '2019-06-06T10:00:00Z',
      message: 'name the metrics KEP by date',
      files: { [DATED]: kep({ title: METRICS, status: 'implementable' }) },
      renames: { [DATED]: NUMBERED },
    })
    .commit({
      sha: sha('5'),
      date: '2019-06-27T19:26:33Z',
      message: 'Insert & normalize TOC tags',
      files: {
        [FRAMEWORK]: kep({ title: 'Scheduling Framework', number: 34, status: 'implementable', toc: true }),
        [COSCHEDULING]: kep({ title: 'Coscheduling', number: 34, toc: true }),
        [TOPOLOGY]: kep({ title: 'Topology-aware service routing', number: 33, status: 'implementable', toc: true }),
        [DATED]: kep({ title: METRICS, status: 'implementable', toc: true }),
        [LIMITS]: `${fixture('template-title.md')}\n<!-- toc -->\n`,
        [FRESH]: kep({ title: 'A fresh idea' }),
      },
    })
    .commit({
      sha: sha('6'),
      date: '2019-07-09T10:00:00Z',
      message: 'service topology: name by date, drop the number',
      files: { [TOPOLOGY_DATED]: kep({ title: 'Topology-aware service routing', status: 'implementable', toc: true }) },
      renames: { [TOPOLOGY_DATED]: TOPOLOGY },
    })
    .commit({
      sha: sha('7'),
      date: '2019-07-19T10:00:00Z',
      message: 'coscheduling is implementable',
      files: { [COSCHEDULING]: kep({ title: 'Coscheduling', number: 34, status: 'implementable', toc: true }) },
    });
}

function serve(repo: FakeRepo) {
  const scope = githubApi();
  const etag = '"repository"';
  scope
    .get(`/repos/${REPO}`)
    .reply(function () {
      return this.req.headers['if-none-match'] === etag ? [304, '', { etag }] : [200, repositoryJson(REPO), { etag }];
    })
    .persist();
  serveIssueListing(scope, REPO, []);
  repo.serve(scope);
}

describeEachDialect('KEP identity', (t) => {
  const kepEvents = async () =>
    (
      await t()
        .db.selectFrom('item_events')
        .innerJoin('items', 'items.id', 'item_events.item_id')
        .select(['items.key', 'item_events.type', 'item_events.from_value', 'item_events.to_value', 'item_events.commit_sha'])
        .where('items.kind', '=', 'kep')
        .where('item_events.type', '!=', 'kep.revised')
        .orderBy('item_events.occurred_at')
        .orderBy('items.key')
        .orderBy('item_events.id')
        .execute()
    ).map((e) => `${e.key} ${e.type} ${e.from_value ?? '-'} -> ${e.to_value ?? '-'} @${e.commit_sha?.[0]}`);

  it('one item per KEP across moves, two for one number, created only when really added, at one request per such commit', async () => {
    const repo = enhancements2019();
    serve(repo);
    const result = await poll(deps(t().db), { since: new Date('2019-03-01T00:00:00Z'), trigger: 'backfill' });
    nock.cleanAll();
    const run = result.runs.find((r) => r.source === 'keps');
    expect(run).toMatchObject({ status: 'succeeded', itemsNew: 6, warnings: [] });

    const items = await t()
      .db.selectFrom('items')
      .select(['key', 'tag', 'title', sql<string>`details->>'location'`.as('location')])
      .where('kind', '=', 'kep')
      .orderBy('key')
      .execute();
    expect(items.map((i) => [i.key, i.tag, i.title, i.location])).toEqual([
      [
        'keps/sig-instrumentation/draft-20190404-kubernetes-control-plane-metrics-stability',
        'keps/sig-instrumentation/20190404-kubernetes-control-plane-metrics-stability',
        METRICS,
        'keps/sig-instrumentation/20190404-kubernetes-control-plane-metrics-stability',
      ],
      [
        'keps/sig-network/0033-service-topology',
        'keps/sig-network/20181024-service-topology',
        'Topology-aware service routing',
        'keps/sig-network/20181024-service-topology',
      ],
      [
        'keps/sig-node/20190627-fresh-idea',
        'keps/sig-node/20190627-fresh-idea',
        'A fresh idea',
        'keps/sig-node/20190627-fresh-idea',
      ],
      [
        'keps/sig-scheduling/20180409-scheduling-framework',
        'KEP-34',
        'Scheduling Framework',
        'keps/sig-scheduling/20180409-scheduling-framework',
      ],
      ['keps/sig-scheduling/34-20180703-coscheduling', 'KEP-34', 'Coscheduling', 'keps/sig-scheduling/34-20180703-coscheduling'],
      [
        'keps/sig-storage/20190408-volume-scheduling-limits',
        'keps/sig-storage/20190408-volume-scheduling-limits',
        'Volume Scheduling Limits',
        'keps/sig-storage/20190408-volume-scheduling-limits',
      ],
    ]);

    const metrics = 'keps/sig-instrumentation/draft-20190404-kubernetes-control-plane-metrics-stability';
    expect(await kepEvents()).toEqual([
      `${metrics} kep.created - -> provisional @1`,
      'keps/sig-storage/20190408-volume-scheduling-limits kep.created - -> implementable @2',
      `${metrics} kep.moved ${DRAFT} -> ${NUMBERED} @3`,
      `${metrics} kep.status provisional -> implementable @3`,
      `${metrics} kep.moved ${NUMBERED} -> ${DATED} @4`,
      // The TOC commit created one KEP, the one it added; the others were only first seen.
      'keps/sig-node/20190627-fresh-idea kep.created - -> provisional @5',
      `keps/sig-network/0033-service-topology kep.moved ${TOPOLOGY} -> ${TOPOLOGY_DATED} @6`,
      // First seen through a modification: its later transition counts.
      'keps/sig-scheduling/34-20180703-coscheduling kep.status provisional -> implementable @7',
    ]);

    // Commits 1-6 each claimed a document radar had no record of: one file list each. Commit 7
    // changed a KEP radar knew, and needed none.
    expect(repo.commitRequests).toEqual(['1', '2', '3', '4', '5', '6'].map(sha));
    expect(run?.requests).toBe(1 + 6);

    // Nothing new: free.
    serve(repo);
    const again = await poll(deps(t().db), { trigger: 'poll' });
    nock.cleanAll();
    expect(again.runs.map((r) => [r.source, r.requests, r.graphqlPoints, r.itemsNew + r.itemsUpdated])).toEqual([
      ['repo', 0, 0, 0],
      ['keps:tracking-issues', 0, 0, 0],
      ['keps', 0, 0, 0],
    ]);
  });

  it('a backfill read in two runs keeps the identities of one read in a single run', async () => {
    const since = new Date('2019-05-10T00:00:00Z');
    const snapshot = async () => ({
      items: await t()
        .db.selectFrom('items')
        .select(['key', 'tag', 'title', 'state', sql<string>`details->>'location'`.as('location')])
        .where('kind', '=', 'kep')
        .orderBy('key')
        .execute(),
      events: await kepEvents(),
    });
    serve(enhancements2019());
    await poll(deps(t().db), { since, trigger: 'backfill' });
    nock.cleanAll();
    const single = await snapshot();
    await t().reset();

    // The first run stops before the metrics KEP's second move; the next one goes on from there.
    serve(enhancements2019());
    await poll(deps(t().db), { since, until: new Date('2019-06-01T00:00:00Z'), trigger: 'backfill' });
    await poll(deps(t().db), { since, trigger: 'backfill' });
    nock.cleanAll();
    expect(await snapshot()).toEqual(single);
    // First seen under its number (renamed from a document older than the backfill): not
    // created, one item as it moves on to its dated name.
    expect(single.events).toEqual([
      `keps/sig-instrumentation/42-kubernetes-control-plane-metrics-stability kep.moved ${NUMBERED} -> ${DATED} @4`,
      'keps/sig-node/20190627-fresh-idea kep.created - -> provisional @5',
      `keps/sig-network/0033-service-topology kep.moved ${TOPOLOGY} -> ${TOPOLOGY_DATED} @6`,
      'keps/sig-scheduling/34-20180703-coscheduling kep.status provisional -> implementable @7',
    ]);
    expect(single.items).toHaveLength(6);
  });

  it('the migration re-keys KEP-N items by where they were first recorded; their stories and decisions stay', async () => {
    const config = loadConfig(writeConfig(CONFIG));
    const repos = await syncRepos(t().db, config.repos);
    const repoId = repos.get(REPO)?.id as number;
    // What the number-keyed reader stored: KEP-33 followed by number from 0033-... to a
    // dated file without a number; an unnumbered KEP keyed by its location.
    const event = (type: string, path: string, commit: string, day: string, extra: Partial<ItemEvent> = {}): ItemEvent => ({
      type,
      from: null,
      to: null,
      commitSha: sha(commit),
      occurredAt: new Date(`2019-${day}T12:00:00Z`),
      details: { path },
      ...extra,
    });
    await upsertItems(t().db, repoId, [
      {
        item: oldKep('KEP-33', null, TOPOLOGY_DATED, 'Topology-aware service routing'),
        events: [
          event('kep.revised', TOPOLOGY, '5', '06-27'),
          event('kep.moved', TOPOLOGY_DATED, '6', '07-09', { from: TOPOLOGY, to: TOPOLOGY_DATED }),
        ],
      },
      {
        item: oldKep('KEP-34', 34, COSCHEDULING, 'Coscheduling'),
        events: [event('kep.revised', COSCHEDULING, '5', '06-27')],
      },
      {
        item: oldKep(`${LIMITS.replace(/\.md$/, '')}`, null, LIMITS, 'Volume Scheduling Limits'),
        events: [event('kep.created', LIMITS, '2', '04-30')],
      },
    ]);
    await rescore({ db: t().db, config, logger: silentLogger() });
    const storyOf = async (key: string) =>
      (await t().db.selectFrom('items').select('story_id').where('key', '=', key).executeTakeFirstOrThrow()).story_id as number;
    const story33 = await storyOf('KEP-33');
    const item33 = (await t().db.selectFrom('items').select('id').where('key', '=', 'KEP-33').executeTakeFirstOrThrow()).id;
    await recordDecision(t().db, {
      itemId: item33,
      storyId: story33,
      action: 'dismiss',
      issueId: null,
      week: '2019-W28',
      editor: 'ed',
      reason: null,
      until: null,
      features: {},
    });

    await rekeyKeps(t().db);

    const items = await t()
      .db.selectFrom('items')
      .select(['id', 'key', 'tag', 'story_id'])
      .where('kind', '=', 'kep')
      .orderBy('key')
      .execute();
    expect(items.map((i) => [i.key, i.tag])).toEqual([
      ['keps/sig-network/0033-service-topology', 'keps/sig-network/20181024-service-topology'],
      ['keps/sig-scheduling/34-20180703-coscheduling', 'KEP-34'],
      ['keps/sig-storage/20190408-volume-scheduling-limits', 'keps/sig-storage/20190408-volume-scheduling-limits'],
    ]);
    expect((await t().db.selectFrom('stories').select('key').where('id', '=', story33).executeTakeFirstOrThrow()).key).toBe(
      'kep:kubernetes/enhancements:keps/sig-network/0033-service-topology',
    );

    // Regrouping finds the same story under the new key: the editor's decision stays on it.
    await rescore({ db: t().db, config, logger: silentLogger() });
    expect(await storyOf('keps/sig-network/0033-service-topology')).toBe(story33);
    expect((await t().db.selectFrom('decisions').select('story_id').executeTakeFirstOrThrow()).story_id).toBe(story33);

    // And the reader finds the re-keyed item where it is: a later change updates it, no second item.
    const repo = new FakeRepo(REPO, {
      [TOPOLOGY_DATED]: kep({ title: 'Topology-aware service routing', status: 'implementable', toc: true }),
    })
      .commit({ sha: sha('8'), date: '2019-07-20T10:00:00Z', message: 'base', files: { 'keps/OWNERS': 'x' } })
      .commit({
        sha: sha('9'),
        date: '2019-07-25T10:00:00Z',
        message: 'service topology implemented',
        files: { [TOPOLOGY_DATED]: kep({ title: 'Topology-aware service routing', status: 'implemented' }) },
      });
    serve(repo);
    await poll(deps(t().db), { since: new Date('2019-07-22T00:00:00Z'), trigger: 'poll' });
    nock.cleanAll();
    const after = await t().db.selectFrom('items').select(['key', 'state']).where('kind', '=', 'kep').orderBy('key').execute();
    expect(after).toEqual([
      { key: 'keps/sig-network/0033-service-topology', state: 'implemented' },
      { key: 'keps/sig-scheduling/34-20180703-coscheduling', state: 'implementable' },
      { key: 'keps/sig-storage/20190408-volume-scheduling-limits', state: 'implementable' },
    ]);
  });
});

/** A KEP item as the number-keyed reader stored it (key KEP-N, tag = key). */
function oldKep(key: string, number: number | null, path: string, title: string): Item {
  const location = path.replace(/\.md$/, '');
  const details: KepDetails & { title: string } = {
    type: 'kep',
    title,
    kepNumber: number,
    path,
    location,
    blob: 'old-blob',
    owningSig: 'sig-network',
    participatingSigs: [],
    status: 'implementable',
    stage: null,
    latestMilestone: null,
    milestones: {},
    featureGates: [],
    authors: [],
    commit: sha('6'),
    creationDate: null,
    tracking: null,
  };
  return {
    ...pullItem(REPO, 0),
    kind: 'kep',
    key,
    number,
    tag: key,
    title,
    url: `https://github.com/${REPO}/blob/master/${path}`,
    state: 'implementable',
    labels: [],
    occurredAt: new Date('2019-07-09T12:00:00Z'),
    sourceUpdatedAt: new Date('2019-07-09T12:00:00Z'),
    details,
  };
}
