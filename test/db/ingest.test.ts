import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { PullDetails } from '../../src/domain/item.js';
import { coverage } from '../../src/ingest/coverage.js';
import { type IngestDeps, poll } from '../../src/ingest/poll.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { writeConfig } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';
import { FakeRepo, serveIssueListing } from '../tools/fake-repo.js';
import { issueJson, releaseJson, repositoryJson } from '../tools/github-fixtures.js';
import { githubApi, nock, testGitHub } from '../tools/github-mock.js';
import { activeAliases, answerGraphql, rateLimit } from '../tools/graphql.js';

const kep = (name: string) => readFileSync(new URL(`../fixtures/keps/${name}`, import.meta.url), 'utf8');
const SINCE = new Date('2019-05-01T00:00:00Z');

function deps(db: IngestDeps['db'], yaml: string): IngestDeps {
  return {
    db,
    github: testGitHub(),
    config: loadConfig(writeConfig(yaml)),
    logger: silentLogger(),
    clock: fixedClock('2019-05-20T00:00:00Z'),
  };
}

function pullDetails(number: number, files: Array<[string, number, number]>, merged = true) {
  return {
    number,
    state: merged ? 'MERGED' : 'OPEN',
    merged,
    mergedAt: merged ? '2019-05-03T10:00:00Z' : null,
    isDraft: false,
    baseRefName: 'master',
    headRefName: `branch-${number}`,
    additions: files.reduce((n, f) => n + f[1], 0),
    deletions: files.reduce((n, f) => n + f[2], 0),
    changedFiles: files.length,
    mergeCommit: { oid: String(number).padStart(40, '0') },
    reviews: { totalCount: 4 },
    files: {
      totalCount: files.length,
      nodes: files.map(([path, additions, deletions]) => ({ path, additions, deletions, changeType: 'MODIFIED' })),
    },
  };
}

function answerPullDetails(
  scope: nock.Scope,
  files: Record<number, Array<[string, number, number]>>,
  calls: number[][],
  open: number[] = [],
) {
  return answerGraphql(scope, ({ operation, variables }) => {
    expect(operation).toBe('PullDetails');
    const active = activeAliases(variables);
    calls.push(active.map((i) => variables[`n${i}`] as number));
    return {
      data: {
        rateLimit: rateLimit(1),
        repository: Object.fromEntries(
          active.map((i) => [
            `p${i}`,
            pullDetails(
              variables[`n${i}`] as number,
              files[variables[`n${i}`] as number] ?? [],
              !open.includes(variables[`n${i}`] as number),
            ),
          ]),
        ),
      },
    };
  });
}

describeEachDialect('ingestion', (t) => {
  const KNATIVE = 'knative/serving';
  const knativeConfig = `projects:\n  - name: Knative\n    repos:\n      - repo: ${KNATIVE}\n        sources: [pulls, issues]\n`;

  it('keeps merged and notable open pull requests and design issues, enriched in one GraphQL batch', async () => {
    const listing = [
      issueJson({
        repo: KNATIVE,
        number: 4001,
        title: 'Add the v1 Route API',
        labels: ['kind/feature'],
        createdAt: '2019-05-01T09:00:00Z',
        updatedAt: '2019-05-03T10:00:00Z',
        pull: { mergedAt: '2019-05-03T10:00:00Z' },
        body: 'Fixes #3999\n```release-note\nThe Route API is v1.\n```',
      }),
      issueJson({
        repo: KNATIVE,
        number: 4002,
        title: 'Bump golang.org/x/net',
        user: 'dependabot[bot]',
        createdAt: '2019-05-02T09:00:00Z',
        updatedAt: '2019-05-04T10:00:00Z',
        pull: { mergedAt: '2019-05-04T10:00:00Z' },
      }),
      issueJson({
        repo: KNATIVE,
        number: 4003,
        title: '[Proposal] Scale to zero grace period',
        createdAt: '2019-05-04T09:00:00Z',
        updatedAt: '2019-05-05T10:00:00Z',
        pull: { mergedAt: null },
      }),
      issueJson({
        repo: KNATIVE,
        number: 4004,
        title: 'wip: refactor reconciler',
        createdAt: '2019-05-04T09:00:00Z',
        updatedAt: '2019-05-06T10:00:00Z',
        pull: { mergedAt: null },
      }),
      issueJson({
        repo: KNATIVE,
        number: 4005,
        title: 'API versioning policy',
        labels: ['kind/design'],
        body: 'Design doc: https://docs.google.com/document/d/xyz',
        createdAt: '2019-05-06T09:00:00Z',
        updatedAt: '2019-05-07T10:00:00Z',
        comments: 12,
      }),
      issueJson({
        repo: KNATIVE,
        number: 4006,
        title: 'Typo in docs',
        createdAt: '2019-05-06T09:00:00Z',
        updatedAt: '2019-05-07T11:00:00Z',
      }),
    ];
    const scope = githubApi();
    scope.get(`/repos/${KNATIVE}`).reply(200, repositoryJson(KNATIVE), { etag: '"repo"' });
    serveIssueListing(scope, KNATIVE, listing);
    const calls: number[][] = [];
    answerPullDetails(
      scope,
      {
        4001: [['pkg/apis/serving/v1/route_types.go', 300, 10]],
        4002: [
          ['go.mod', 1, 1],
          ['go.sum', 2, 2],
        ],
      },
      calls,
      [4003],
    );

    const result = await poll(deps(t().db, knativeConfig), { since: SINCE, trigger: 'poll' });
    nock.cleanAll();
    expect(result.runs.map((r) => [r.source, r.status, r.itemsNew, r.graphqlPoints])).toEqual([
      ['repo', 'succeeded', 0, 0],
      ['pulls+issues', 'succeeded', 4, 1],
    ]);
    expect(calls).toEqual([[4001, 4002, 4003]]);
    const rows = await t()
      .db.selectFrom('items')
      .select(['kind', 'number', 'state', 'details', 'raw'])
      .orderBy('number')
      .execute();
    expect(rows.map((r) => [r.kind, r.number, r.state])).toEqual([
      ['pull', 4001, 'merged'],
      ['pull', 4002, 'merged'],
      ['pull', 4003, 'open'],
      ['issue', 4005, 'open'],
    ]);
    const api = rows[0]?.details as unknown as PullDetails;
    expect(api).toMatchObject({
      additions: 300,
      deletions: 10,
      changedFiles: 1,
      reviews: 4,
      baseRef: 'master',
      releaseNote: 'The Route API is v1.',
      references: { issues: [3999] },
    });
    expect(api.files).toEqual([
      { path: 'pkg/apis/serving/v1/route_types.go', additions: 300, deletions: 10, status: 'modified' },
    ]);
    expect(rows[0]?.raw).toMatchObject({ details: { number: 4001 } });
    expect(rows[3]?.details).toMatchObject({
      type: 'issue',
      signals: ['label: kind/design', 'title: API', 'body: design doc link'],
    });
  });

  it('stores a pull request whose text holds a NUL or a lone surrogate, with U+FFFD in their place, and says so', async () => {
    const listing = [
      issueJson({
        repo: KNATIVE,
        number: 4101,
        title: 'Fix \u0000 handling in the activator',
        labels: ['kind/bug\u0000'],
        createdAt: '2019-05-01T09:00:00Z',
        updatedAt: '2019-05-03T10:00:00Z',
        pull: { mergedAt: '2019-05-03T10:00:00Z' },
        body: 'A byte \u0000 and a lone \ud800 surrogate.\n```release-note\nNUL\u0000 is handled.\n```',
      }),
      issueJson({
        repo: KNATIVE,
        number: 4102,
        title: 'Add the v1 Route API',
        createdAt: '2019-05-01T09:00:00Z',
        updatedAt: '2019-05-03T11:00:00Z',
        pull: { mergedAt: '2019-05-03T11:00:00Z' },
      }),
    ];
    const scope = githubApi();
    scope.get(`/repos/${KNATIVE}`).reply(200, repositoryJson(KNATIVE), { etag: '"repo"' });
    serveIssueListing(scope, KNATIVE, listing);
    answerPullDetails(scope, {}, []);

    const result = await poll(deps(t().db, knativeConfig), { since: SINCE, trigger: 'poll' });
    nock.cleanAll();
    const run = result.runs.find((r) => r.source === 'pulls+issues');
    expect(run).toMatchObject({ status: 'succeeded', itemsNew: 2 });
    expect(run?.warnings).toContainEqual({
      message: 'text PostgreSQL cannot store (NUL, lone surrogates) replaced with U+FFFD',
      items: ['pull 4101'],
      count: 1,
    });
    const row = await t()
      .db.selectFrom('items')
      .select(['title', 'body', 'labels', 'details', 'raw'])
      .where('number', '=', 4101)
      .executeTakeFirstOrThrow();
    expect(row.title).toBe('Fix \uFFFD handling in the activator');
    expect(row.body).toBe('A byte \uFFFD and a lone \uFFFD surrogate.\n```release-note\nNUL\uFFFD is handled.\n```');
    expect(row.labels).toEqual(['kind/bug\uFFFD']);
    expect((row.details as unknown as PullDetails).releaseNote).toBe('NUL\uFFFD is handled.');
    expect(JSON.stringify(row.raw)).not.toContain('\\u0000');
    // The other pull request of the batch is stored beside it.
    const stored = await t().db.selectFrom('items').select('number').orderBy('number').execute();
    expect(stored.map((r) => r.number)).toEqual([4101, 4102]);
  });

  it('updates changed items on a later poll without duplicates, reusing a merged pull request enrichment', async () => {
    const merged = {
      repo: KNATIVE,
      number: 4001,
      title: 'Add the v1 Route API',
      createdAt: '2019-05-01T09:00:00Z',
      updatedAt: '2019-05-03T10:00:00Z',
      pull: { mergedAt: '2019-05-03T10:00:00Z' },
    };
    const proposal = {
      repo: KNATIVE,
      number: 4003,
      title: '[Proposal] Scale to zero grace period',
      createdAt: '2019-05-04T09:00:00Z',
      updatedAt: '2019-05-05T10:00:00Z',
      pull: { mergedAt: null as string | null },
    };
    let scope = githubApi();
    scope.get(`/repos/${KNATIVE}`).reply(200, repositoryJson(KNATIVE), { etag: '"repo"' });
    serveIssueListing(scope, KNATIVE, [issueJson(merged), issueJson(proposal)]);
    answerPullDetails(scope, { 4001: [['cmd/x.go', 5, 1]] }, [], [4003]);
    await poll(deps(t().db, knativeConfig), { since: SINCE, trigger: 'poll' });
    nock.cleanAll();

    // A week later: the merged PR got a label, the proposal was merged.
    scope = githubApi();
    scope.get(`/repos/${KNATIVE}`).matchHeader('if-none-match', '"repo"').reply(304, '');
    serveIssueListing(scope, KNATIVE, [
      issueJson({ ...merged, labels: ['kind/api-change'], updatedAt: '2019-05-10T10:00:00Z' }),
      issueJson({ ...proposal, updatedAt: '2019-05-11T10:00:00Z', pull: { mergedAt: '2019-05-11T10:00:00Z' } }),
    ]);
    const calls: number[][] = [];
    answerPullDetails(scope, {}, calls);
    const second = await poll(deps(t().db, knativeConfig), { trigger: 'poll' });
    nock.cleanAll();
    expect(second.runs.find((r) => r.source === 'pulls+issues')).toMatchObject({ itemsNew: 0, itemsUpdated: 2 });
    expect(calls).toEqual([[4003]]); // 4001 kept its stored enrichment
    const rows = await t().db.selectFrom('items').select(['number', 'labels', 'state', 'details']).orderBy('number').execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ number: 4001, labels: ['kind/api-change'], details: { additions: 5 } });
    expect(rows[1]).toMatchObject({ number: 4003, state: 'merged' });
    const events = await t().db.selectFrom('item_events').select(['type', 'from_value', 'to_value']).execute();
    expect(events).toEqual([{ type: 'pull.merged', from_value: 'open', to_value: 'merged' }]);
  });

  it('stores releases with their semantic version, skips drafts, and repolls for free', async () => {
    const REPO = 'kubernetes/kubernetes';
    const config = `projects:\n  - name: Kubernetes\n    repos:\n      - repo: ${REPO}\n        sources: [releases]\n`;
    const releases = [
      releaseJson({ repo: REPO, tag: 'v1.15.0', createdAt: '2019-06-19T16:00:00Z', body: 'Kubernetes 1.15' }),
      releaseJson({ repo: REPO, tag: 'v1.15.0-rc.1', prerelease: true, createdAt: '2019-06-12T16:00:00Z' }),
      releaseJson({ repo: REPO, tag: 'v1.16.0-alpha.0', draft: true, createdAt: '2019-06-11T16:00:00Z', publishedAt: null }),
      releaseJson({ repo: REPO, tag: 'v1.14.3', createdAt: '2019-06-06T16:00:00Z' }),
    ];
    githubApi()
      .get(`/repos/${REPO}`)
      .reply(200, repositoryJson(REPO), { etag: '"r"' })
      .get(`/repos/${REPO}/releases`)
      .query({ per_page: 100, page: 1 })
      .reply(200, releases, { etag: '"rel1"' });
    const d = deps(t().db, config);
    const first = await poll(d, { since: new Date('2019-06-01T00:00:00Z'), trigger: 'poll' });
    expect(first.runs.find((r) => r.source === 'releases')).toMatchObject({ itemsNew: 3, requests: 1 });
    const rows = await t().db.selectFrom('items').select(['tag', 'state', 'details']).orderBy('occurred_at', 'desc').execute();
    expect(rows.map((r) => [r.tag, r.state])).toEqual([
      ['v1.15.0', 'published'],
      ['v1.15.0-rc.1', 'prerelease'],
      ['v1.14.3', 'published'],
    ]);
    expect(rows[1]?.details).toMatchObject({ prerelease: true, version: { major: 1, minor: 15, patch: 0, prerelease: 'rc.1' } });

    githubApi()
      .get(`/repos/${REPO}`)
      .reply(304, '')
      .get(`/repos/${REPO}/releases`)
      .query(true)
      .matchHeader('if-none-match', '"rel1"')
      .reply(304, '');
    const again = await poll(d, { trigger: 'poll' });
    expect(again.runs.map((r) => [r.requests, r.notModified])).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it('reads KEPs from the commits that change them: transitions with their commits, a malformed document reported and skipped', async () => {
    const REPO = 'kubernetes/enhancements';
    const config = `projects:\n  - name: Kubernetes\n    repos:\n      - repo: ${REPO}\n        sources: [keps]\n`;
    const apply = 'keps/sig-api-machinery/0006-apply.md';
    const gates = 'keps/sig-node/1287-in-place-update-pod-resources/kep.yaml';
    const repo = new FakeRepo(REPO)
      .commit({
        sha: 'a'.repeat(40),
        date: '2019-04-20T10:00:00Z',
        message: 'base',
        files: { 'keps/README.md': '# KEPs', 'keps/sig-node/20190101-old.md': '---\ntitle: Old\nstatus: implemented\n---\n' },
      })
      .commit({
        sha: 'b'.repeat(40),
        date: '2019-05-02T10:00:00Z',
        message: 'Add the apply KEP',
        files: { [apply]: kep('0006-apply-v1.md'), [gates]: kep('1287-in-place-update-kep.yaml') },
      })
      .commit({
        sha: 'c'.repeat(40),
        date: '2019-05-08T10:00:00Z',
        message: 'apply: implementable; a broken draft',
        files: { [apply]: kep('0006-apply-v2.md'), 'keps/sig-x/20190508-broken.md': kep('broken-front-matter.md') },
      })
      .commit({
        sha: 'd'.repeat(40),
        date: '2019-05-15T10:00:00Z',
        message: 'apply: implemented; in-place to beta',
        files: {
          [apply]: kep('0006-apply-v3.md'),
          [gates]: kep('1287-in-place-update-kep.yaml').replace('stage: alpha', 'stage: beta'),
        },
      });
    const tracking = issueJson({
      repo: REPO,
      number: 1287,
      title: 'In-place Update of Pod Resources',
      labels: ['sig/node', 'stage/beta', 'tracked/yes'],
      createdAt: '2019-01-10T00:00:00Z',
      updatedAt: '2019-05-16T00:00:00Z',
    });
    const scope = githubApi();
    scope.get(`/repos/${REPO}`).reply(200, repositoryJson(REPO), { etag: '"r"' });
    serveIssueListing(scope, REPO, [tracking]);
    repo.serve(scope);

    const result = await poll(deps(t().db, config), { since: SINCE, trigger: 'backfill' });
    nock.cleanAll();
    const kepRun = result.runs.find((r) => r.source === 'keps');
    expect(kepRun).toMatchObject({ status: 'succeeded', itemsNew: 2 });
    // The adds of documents radar had no record of are confirmed: one request per such commit.
    expect(repo.commitRequests).toEqual(['b'.repeat(40), 'c'.repeat(40)]);
    expect(kepRun?.warnings).toEqual([
      {
        message: 'malformed KEP document skipped',
        file: 'keps/sig-x/20190508-broken.md',
        commit: 'c'.repeat(40),
        error: expect.stringMatching(/^front matter: /),
      },
    ]);
    const events = await t()
      .db.selectFrom('item_events')
      .innerJoin('items', 'items.id', 'item_events.item_id')
      .select(['items.tag', 'item_events.type', 'item_events.from_value', 'item_events.to_value', 'item_events.commit_sha'])
      .where('item_events.type', '!=', 'kep.revised')
      .orderBy('item_events.occurred_at')
      .orderBy('items.tag')
      .execute();
    expect(events.map((e) => `${e.tag} ${e.type} ${e.from_value ?? '-'} -> ${e.to_value ?? '-'} @${e.commit_sha?.[0]}`)).toEqual([
      'KEP-1287 kep.created - -> implementable @b',
      'KEP-6 kep.created - -> provisional @b',
      'KEP-6 kep.status provisional -> implementable @c',
      'KEP-1287 kep.stage alpha -> beta @d',
      'KEP-6 kep.status implementable -> implemented @d',
    ]);
    const items = await t()
      .db.selectFrom('items')
      .select(['kind', 'key', 'tag', 'state', 'url', 'details', 'occurred_at'])
      .orderBy('kind')
      .orderBy('key', 'desc')
      .execute();
    // A KEP's key is where it was first recorded; editors read its number.
    expect(items.map((i) => [i.kind, i.key, i.tag, i.state])).toEqual([
      ['issue', '1287', null, 'open'],
      ['kep', 'keps/sig-node/1287-in-place-update-pod-resources', 'KEP-1287', 'implementable'],
      ['kep', 'keps/sig-api-machinery/0006-apply', 'KEP-6', 'implemented'],
    ]);
    expect(items[0]?.details).toMatchObject({ tracking: { stage: 'beta', tracked: 'yes', sigs: ['node'] } });
    expect(items[1]).toMatchObject({
      url: 'https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/1287-in-place-update-pod-resources',
      details: { stage: 'beta', featureGates: ['InPlacePodVerticalScaling'] },
    });
    expect(items[2]?.occurred_at).toEqual(new Date('2019-05-15T10:00:00Z'));

    // Nothing new: the commit listing answers 304, no GraphQL is spent.
    const scope2 = githubApi();
    scope2.get(`/repos/${REPO}`).reply(304, '');
    serveIssueListing(scope2, REPO, [tracking]);
    repo.serve(scope2);
    const again = await poll(deps(t().db, config), { trigger: 'poll' });
    nock.cleanAll();
    expect(again.runs.map((r) => [r.source, r.requests, r.graphqlPoints, r.itemsNew + r.itemsUpdated])).toEqual([
      ['repo', 0, 0, 0],
      ['keps:tracking-issues', 0, 0, 0],
      ['keps', 0, 0, 0],
    ]);
  });

  it('follows a repository that moved, and says so', async () => {
    githubApi()
      .get('/repos/knative/build')
      .reply(200, repositoryJson('tektoncd/pipeline'), { etag: '"moved"' })
      .get('/repos/tektoncd/pipeline/releases')
      .query(true)
      .reply(200, [releaseJson({ repo: 'tektoncd/pipeline', tag: 'v0.4.0', createdAt: '2019-05-10T00:00:00Z' })], {
        etag: '"x"',
      });
    const result = await poll(
      deps(t().db, 'projects:\n  - name: Knative\n    repos:\n      - repo: knative/build\n        sources: [releases]\n'),
      { since: SINCE, trigger: 'poll' },
    );
    expect(result.runs.map((r) => [r.repo, r.source, r.status])).toEqual([
      ['knative/build', 'repo', 'succeeded'],
      ['tektoncd/pipeline', 'releases', 'succeeded'],
    ]);
    expect(result.runs[0]?.warnings[0]).toMatchObject({ movedFrom: 'knative/build', movedTo: 'tektoncd/pipeline' });
    const repo = await t().db.selectFrom('repos').select(['full_name', 'previous_names']).executeTakeFirstOrThrow();
    expect(repo).toEqual({ full_name: 'tektoncd/pipeline', previous_names: ['knative/build'] });
  });

  it('a failing repo is recorded as a failed run; the others are stored', async () => {
    githubApi()
      .get('/repos/knative/eventing')
      .reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' })
      .get('/repos/knative/serving')
      .reply(200, repositoryJson('knative/serving'))
      .get('/repos/knative/serving/releases')
      .query(true)
      .reply(200, [releaseJson({ repo: 'knative/serving', tag: 'v0.6.0', createdAt: '2019-05-14T00:00:00Z' })]);
    const config =
      'projects:\n  - name: Knative\n    repos:\n      - repo: knative/eventing\n        sources: [releases]\n      - repo: knative/serving\n        sources: [releases]\n';
    const result = await poll(deps(t().db, config), { since: SINCE, trigger: 'poll' });
    expect(result.runs.map((r) => [r.repo, r.source, r.status])).toEqual([
      ['knative/eventing', 'repo', 'failed'],
      ['knative/serving', 'repo', 'succeeded'],
      ['knative/serving', 'releases', 'succeeded'],
    ]);
    expect(result.runs[0]?.error).toContain('GitHub answered 404 Not Found for GET /repos/knative/eventing');
    expect(await t().db.selectFrom('items').select('tag').execute()).toEqual([{ tag: 'v0.6.0' }]);
  });

  it('an interrupted backfill, rerun, stores exactly the rows of an uninterrupted one', async () => {
    const REPO = 'istio/istio';
    const config = `github:\n  pageSize: 2\nprojects:\n  - name: Istio\n    repos:\n      - repo: ${REPO}\n        sources: [pulls]\n`;
    const listing = Array.from({ length: 30 }, (_, i) => {
      const at = new Date(Date.parse('2019-05-01T00:00:00Z') + i * 3_600_000).toISOString().replace('.000', '');
      return issueJson({
        repo: REPO,
        number: 14000 + i,
        title: `Change ${i}`,
        createdAt: at,
        updatedAt: at,
        pull: { mergedAt: at },
      });
    });
    const mock = () => {
      const scope = githubApi();
      scope.get(`/repos/${REPO}`).reply(200, repositoryJson(REPO)).persist();
      serveIssueListing(scope, REPO, listing);
      answerGraphql(
        scope,
        ({ variables }) => ({
          data: {
            rateLimit: rateLimit(1),
            repository: Object.fromEntries(
              activeAliases(variables).map((i) => [`p${i}`, pullDetails(variables[`n${i}`] as number, [['a.go', 1, 1]])]),
            ),
          },
        }),
        10,
      );
    };
    const snapshot = async () => {
      const items = await t()
        .db.selectFrom('items')
        .select(['key', 'title', 'state', 'occurred_at', 'details', 'content_hash'])
        .orderBy('key')
        .execute();
      const cursors = await t().db.selectFrom('poll_cursors').select(['source', 'since', 'position']).orderBy('source').execute();
      return { items: items.map((i) => ({ ...i, details: { ...i.details, enrichedAt: null } })), cursors };
    };

    mock();
    await poll(deps(t().db, config), { since: SINCE, trigger: 'backfill' });
    nock.cleanAll();
    const uninterrupted = await snapshot();
    expect(uninterrupted.items).toHaveLength(30);
    await t().reset();

    // Stopped (Ctrl-C) right after the first stored batch...
    mock();
    const controller = new AbortController();
    const stopped = await poll(deps(t().db, config), {
      since: SINCE,
      trigger: 'backfill',
      signal: controller.signal,
      onProgress: (p) => !p.finished && controller.abort(),
    });
    expect(stopped.runs.find((r) => r.source === 'pulls')?.status).toBe('failed');
    const partial = await t().db.selectFrom('items').select('key').execute();
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(30);
    // ...then run again: it continues from the stored cursor.
    const resumed = await poll(deps(t().db, config), { since: SINCE, trigger: 'backfill' });
    nock.cleanAll();
    expect(resumed.runs.find((r) => r.source === 'pulls')).toMatchObject({ status: 'succeeded', itemsNew: 30 - partial.length });
    const after = await snapshot();
    expect(after.items.map(({ content_hash, ...rest }) => rest)).toEqual(
      uninterrupted.items.map(({ content_hash, ...rest }) => rest),
    );
    expect(after.cursors).toEqual(uninterrupted.cursors);
  });

  it('coverage reports what is missing from a full listing of the period, and repairs it', async () => {
    const REPO = 'containerd/containerd';
    const config = `projects:\n  - name: containerd\n    repos:\n      - repo: ${REPO}\n        sources: [pulls]\n`;
    const merged = [3201, 3202, 3203].map((n, i) =>
      issueJson({
        repo: REPO,
        number: n,
        title: `Change ${n}`,
        createdAt: '2019-05-02T00:00:00Z',
        updatedAt: `2019-05-0${3 + i}T00:00:00Z`,
        pull: { mergedAt: `2019-05-0${3 + i}T00:00:00Z` },
      }),
    );
    const scope = githubApi();
    scope.get(`/repos/${REPO}`).reply(200, repositoryJson(REPO));
    serveIssueListing(scope, REPO, merged);
    answerGraphql(
      scope,
      ({ variables }) => ({
        data: {
          rateLimit: rateLimit(1),
          repository: Object.fromEntries(
            activeAliases(variables).map((i) => [`p${i}`, pullDetails(variables[`n${i}`] as number, [])]),
          ),
        },
      }),
      2,
    );
    const d = deps(t().db, config);
    await poll(d, { since: SINCE, trigger: 'poll' });
    nock.cleanAll();
    await t().db.deleteFrom('items').where('key', '=', '3202').execute();

    const pullsPage = merged.map((m) => ({
      url: `https://api.github.com/repos/${REPO}/pulls/${m.number}`,
      id: m.id,
      number: m.number,
      state: 'closed',
      title: m.title,
      user: m.user,
      body: null,
      labels: [],
      created_at: m.created_at,
      updated_at: m.updated_at,
      closed_at: m.closed_at,
      merged_at: (m.pull_request as { merged_at: string }).merged_at,
      html_url: `https://github.com/${REPO}/pull/${m.number}`,
      draft: false,
      head: { ref: `topic-${m.number}` },
      base: { ref: 'main' },
    }));
    const period = { from: new Date('2019-05-01T00:00:00Z'), to: new Date('2019-05-08T00:00:00Z') };
    const pullsQuery = { state: 'closed', sort: 'updated', direction: 'desc', per_page: 100, page: 1 };
    githubApi()
      .get(`/repos/${REPO}/pulls`)
      .query(pullsQuery)
      .reply(200, [...pullsPage].reverse());
    const [report] = await coverage(d, { period, trigger: 'coverage' });
    expect(report).toMatchObject({
      repo: REPO,
      source: 'pulls',
      expected: 3,
      captured: 2,
      missing: [{ key: '3202', title: 'Change 3202', url: `https://github.com/${REPO}/pull/3202` }],
      repaired: 0,
    });

    const repairScope = githubApi();
    repairScope
      .get(`/repos/${REPO}/pulls`)
      .query(pullsQuery)
      .reply(200, [...pullsPage].reverse());
    answerGraphql(repairScope, ({ variables }) => ({
      data: { rateLimit: rateLimit(1), repository: { p0: pullDetails(variables.n0 as number, [['x.go', 1, 0]]) } },
    }));
    const [repaired] = await coverage(d, { period, repair: true, trigger: 'coverage' });
    expect(repaired).toMatchObject({ captured: 2, repaired: 1 });
    const restored = await t()
      .db.selectFrom('items')
      .select(['key', 'details'])
      .where('key', '=', '3202')
      .executeTakeFirstOrThrow();
    expect(restored.details).toMatchObject({ baseRef: 'master', changedFiles: 1 });
    const runs = await t()
      .db.selectFrom('runs')
      .select(['trigger', 'source', 'details'])
      .where('trigger', '=', 'coverage')
      .orderBy('id')
      .execute();
    expect(runs[0]).toMatchObject({ source: 'coverage:pulls', details: { expected: 3, captured: 2, missing: ['3202'] } });
  });
});
