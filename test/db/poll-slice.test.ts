import { expect, it } from 'vitest';
import { runCli, writeConfig } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';
import { issueJson, linkHeader, repositoryJson } from '../tools/github-fixtures.js';
import { githubApi } from '../tools/github-mock.js';
import { activeAliases, answerGraphql, rateLimit } from '../tools/graphql.js';

const REPO = 'kubernetes/kubernetes';
const PATH = `/repos/${REPO}/issues`;
const CONFIG = writeConfig(`
github:
  pageSize: 3
projects:
  - name: Kubernetes
    repos:
      - repo: ${REPO}
        sources: [pulls]
`);

const query = (since: string) => ({ state: 'all', sort: 'updated', direction: 'asc', since, per_page: 3, page: 1 });

const pr1 = issueJson({
  repo: REPO,
  number: 101,
  title: 'Add server-side apply dry-run',
  labels: ['kind/feature'],
  createdAt: '2019-04-20T08:00:00Z',
  updatedAt: '2019-05-02T10:00:00Z',
  pull: { mergedAt: '2019-05-02T09:59:00Z' },
});
const issue2 = issueJson({
  repo: REPO,
  number: 102,
  title: 'kubelet crashes',
  createdAt: '2019-05-01T08:00:00Z',
  updatedAt: '2019-05-03T10:00:00Z',
});
const pr3 = issueJson({
  repo: REPO,
  number: 103,
  title: 'Fix leak in watch cache',
  createdAt: '2019-05-01T08:00:00Z',
  updatedAt: '2019-05-04T10:00:00Z',
  pull: { mergedAt: '2019-05-04T09:00:00Z' },
});
const pr4 = issueJson({
  repo: REPO,
  number: 104,
  title: 'WIP: refactor',
  createdAt: '2019-05-04T08:00:00Z',
  updatedAt: '2019-05-05T10:00:00Z',
  pull: { mergedAt: null },
});
const pr5 = issueJson({
  repo: REPO,
  number: 105,
  title: 'Promote CSI raw block to beta',
  createdAt: '2019-05-05T08:00:00Z',
  updatedAt: '2019-05-06T10:00:00Z',
  pull: { mergedAt: '2019-05-06T09:00:00Z' },
});

function mockFirstPoll() {
  answerGraphql(githubApi(), ({ variables }) => ({
    data: {
      rateLimit: rateLimit(1),
      repository: Object.fromEntries(
        activeAliases(variables).map((i) => [
          `p${i}`,
          {
            number: variables[`n${i}`],
            state: 'MERGED',
            merged: true,
            mergedAt: null,
            additions: 10,
            deletions: 2,
            changedFiles: 1,
            reviews: { totalCount: 1 },
            files: { totalCount: 1, nodes: [{ path: 'pkg/a.go', additions: 10, deletions: 2, changeType: 'MODIFIED' }] },
          },
        ]),
      ),
    },
  }));
  githubApi({ token: 'test-token' })
    .get(`/repos/${REPO}`)
    .reply(200, repositoryJson(REPO), { etag: '"repo"' })
    .get(PATH)
    .query(query('2019-05-01T00:00:00.000Z'))
    .reply(200, [pr1, issue2, pr3], { etag: 'W/"p1"', link: linkHeader(PATH, query('2019-05-01T00:00:00.000Z'), 1, 2) })
    .get(PATH)
    .query(query('2019-05-04T10:00:00.000Z'))
    .reply(200, [pr3, pr4, pr5], { etag: 'W/"p2"', link: linkHeader(PATH, query('2019-05-04T10:00:00.000Z'), 1, 2) })
    .get(PATH)
    .query(query('2019-05-06T10:00:00.000Z'))
    .reply(200, [pr5], { etag: 'W/"p3"' });
}

describeEachDialect('radar poll (thin slice)', (t) => {
  it('stores the merged pull requests across pages, and a repeated poll stores none again', async () => {
    mockFirstPoll();
    const first = await runCli(['poll', '--since', '2019-05-01'], { database: t().handle, configFile: CONFIG });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/kubernetes\/kubernetes\s+pulls\s+succeeded\s+3\s+0\s+3\s+0\s+1/);
    const rows = await t().db.selectFrom('items').select(['number', 'state', 'title']).orderBy('number').execute();
    expect(rows).toEqual([
      { number: 101, state: 'merged', title: 'Add server-side apply dry-run' },
      { number: 103, state: 'merged', title: 'Fix leak in watch cache' },
      { number: 105, state: 'merged', title: 'Promote CSI raw block to beta' },
    ]);

    // The next poll repeats the last request with its ETag; GitHub answers 304: nothing spent.
    githubApi()
      .get(`/repos/${REPO}`)
      .matchHeader('if-none-match', '"repo"')
      .reply(304)
      .get(PATH)
      .query(query('2019-05-06T10:00:00.000Z'))
      .matchHeader('if-none-match', 'W/"p3"')
      .reply(304);
    const second = await runCli(['poll'], { database: t().handle, configFile: CONFIG });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/kubernetes\/kubernetes\s+pulls\s+succeeded\s+0\s+0\s+0\s+1\s+0/);
    expect(await t().db.selectFrom('items').select('id').execute()).toHaveLength(3);
    const runs = await t()
      .db.selectFrom('runs')
      .select(['requests', 'not_modified', 'items_new', 'status'])
      .orderBy('id')
      .execute();
    expect(runs).toEqual([
      { requests: 1, not_modified: 0, items_new: 0, status: 'succeeded' },
      { requests: 3, not_modified: 0, items_new: 3, status: 'succeeded' },
      { requests: 0, not_modified: 1, items_new: 0, status: 'succeeded' },
      { requests: 0, not_modified: 1, items_new: 0, status: 'succeeded' },
    ]);
  });

  it('prints candidates --json in the contract shape, best first', async () => {
    mockFirstPoll();
    await runCli(['poll', '--since', '2019-05-01'], { database: t().handle, configFile: CONFIG });
    const listed = await runCli(['candidates', '--from', '2019-05-01', '--to', '2019-05-20', '--json'], {
      database: t().handle,
      configFile: CONFIG,
    });
    expect(listed.code).toBe(0);
    const candidates = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    expect(candidates.map((c) => c.number).sort()).toEqual([101, 103, 105]);
    // Best stories first: each item carries its story's score, in descending order.
    const storyScores = candidates.map((c) => c.story_score as number);
    expect(storyScores).toEqual([...storyScores].sort((a, b) => b - a));
    expect(Object.keys(candidates[0]!).sort()).toEqual(
      [
        'id',
        'kind',
        'repo',
        'number',
        'tag',
        'title',
        'url',
        'project',
        'occurred_at',
        'score',
        'reasons',
        'story_id',
        'story_score',
      ].sort(),
    );
    const first = candidates.find((c) => c.number === 101);
    expect(first).toMatchObject({
      kind: 'pull',
      repo: REPO,
      number: 101,
      tag: null,
      title: 'Add server-side apply dry-run',
      url: 'https://github.com/kubernetes/kubernetes/pull/101',
      project: 'Kubernetes',
      occurred_at: '2019-05-02T09:59:00.000Z',
    });
    expect(typeof first?.id).toBe('number');
    expect(first?.reasons).toEqual(
      expect.arrayContaining([{ signal: 'title:feature', value: 'Add server-side apply dry-run', contribution: 1.5 }]),
    );
  });

  it('says once that it runs unauthenticated, and names a refused token without printing it', async () => {
    githubApi().get(`/repos/${REPO}`).reply(200, repositoryJson(REPO)).get(PATH).query(true).reply(200, [], { etag: 'W/"e"' });
    const anonymous = await runCli(['poll', '--since', '2019-05-01'], { database: t().handle, configFile: CONFIG, token: null });
    expect(anonymous.code).toBe(0);
    expect(anonymous.logs.filter((l) => String(l.msg).includes('GITHUB_TOKEN is not set'))).toHaveLength(1);

    githubApi()
      .get(`/repos/${REPO}`)
      .reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    const refused = await runCli(['poll', '--since', '2019-05-01'], {
      database: t().handle,
      configFile: CONFIG,
      token: 'ghp_secret123',
    });
    expect(refused.code).toBe(77);
    expect(refused.stdout).toContain('GitHub refused the token (401 Bad credentials)');
    expect(JSON.stringify(refused)).not.toContain('ghp_secret123');
  });

  it('exits 75 when the rate limit stopped the runs, and 1 when another run failed for another reason', async () => {
    const reset = Math.floor(Date.now() / 1000) + 7200; // further than radar waits
    const spent = {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-used': '5000',
      'x-ratelimit-resource': 'core',
    };
    const exceeded = {
      message:
        'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID 0400:3B2C:1A2B3C:4D5E6F:5CE1A2B3.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      status: '403',
    };
    githubApi().get(`/repos/${REPO}`).reply(403, exceeded, spent);
    const limited = await runCli(['poll', '--since', '2019-05-01'], { database: t().handle, configFile: CONFIG });
    expect(limited.code).toBe(75);
    expect(limited.stdout).toContain('GitHub rate limit exceeded for GET /repos/kubernetes/kubernetes');

    // One run stopped by the rate limit, another failed on a server error: 1, someone should look.
    const two = writeConfig(`
projects:
  - name: Kubernetes
    repos:
      - repo: ${REPO}
        sources: [pulls]
      - repo: kubernetes/enhancements
        sources: [releases]
`);
    githubApi()
      .get(`/repos/${REPO}`)
      .reply(403, exceeded, spent)
      .get('/repos/kubernetes/enhancements')
      .times(4) // the first answer and three retries
      .reply(502, { message: 'Server Error' });
    const mixed = await runCli(['poll', '--since', '2019-05-01'], { database: t().handle, configFile: two });
    expect(mixed.code).toBe(1);
    expect(mixed.stdout).toMatch(/2 runs, 1 failed, 1 deferred to the rate-limit reset/);
    expect(mixed.stdout).toMatch(/kubernetes\/kubernetes +repo +deferred/);
  });
});
