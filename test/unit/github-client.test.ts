import { describe, expect, it } from 'vitest';
import { fetchPullDetails } from '../../src/github/batch.js';
import { GitHubAuthError, GitHubNotFoundError, GitHubRateLimitError } from '../../src/github/errors.js';
import { newMeter, withMeter } from '../../src/github/meter.js';
import { issueJson } from '../tools/github-fixtures.js';
import { githubApi, testGitHub } from '../tools/github-mock.js';
import { activeAliases, answerGraphql, rateLimit } from '../tools/graphql.js';

const REPO = 'containerd/containerd';
const LIST = `/repos/${REPO}/issues`;
const pull = issueJson({
  repo: REPO,
  number: 3100,
  title: 'Add shim v2 runtime',
  createdAt: '2019-05-01T00:00:00Z',
  updatedAt: '2019-05-02T00:00:00Z',
  pull: { mergedAt: '2019-05-02T00:00:00Z' },
});
const soon = () => String(Math.floor(Date.now() / 1000) + 1);

describe('GitHub gateway', () => {
  it('sends the stored ETag and reports 304 as unchanged, free for an authenticated client', async () => {
    githubApi({ token: 'test-token' })
      .get(LIST)
      .matchHeader('if-none-match', 'W/"abc"')
      .reply(304, '', { 'x-ratelimit-remaining': '4999' });
    const meter = newMeter();
    const result = await withMeter(meter, () =>
      testGitHub().getConditional(
        LIST.replace(REPO, '{owner}/{repo}'),
        { owner: 'containerd', repo: 'containerd' },
        { etag: 'W/"abc"' },
      ),
    );
    expect(result).toEqual({ modified: false });
    expect(meter).toMatchObject({ requests: 0, notModified: 1, remaining: { core: 4999, graphql: null } });
  });

  it('counts an unauthenticated 304, which GitHub does charge', async () => {
    githubApi().get(LIST).reply(304, '');
    const meter = newMeter();
    await withMeter(meter, () => testGitHub({ token: null }).getConditional(LIST, {}, { etag: 'W/"abc"' }));
    expect(meter).toMatchObject({ requests: 1, notModified: 1 });
  });

  it('waits out a secondary rate limit (Retry-After) and succeeds', async () => {
    githubApi()
      .get(LIST)
      .reply(
        403,
        {
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          status: '403',
        },
        { 'retry-after': '1' },
      )
      .get(LIST)
      .reply(200, [pull], { etag: 'W/"p"' });
    const meter = newMeter();
    const result = await withMeter(meter, () => testGitHub().getConditional<unknown[]>(LIST, {}, undefined));
    expect(result.modified && result.data).toHaveLength(1);
    expect(meter).toMatchObject({ requests: 2, failedAttempts: 1 });
  });

  it('retries a burst of 5xx with backoff and succeeds', async () => {
    githubApi()
      .get(LIST)
      .reply(502, { message: 'Server Error' })
      .get(LIST)
      .reply(503, { message: 'Server Error' })
      .get(LIST)
      .reply(500, { message: 'Server Error' })
      .get(LIST)
      .reply(200, [pull]);
    const meter = newMeter();
    const data = await withMeter(meter, () => testGitHub().get<unknown[]>(LIST));
    expect(data).toHaveLength(1);
    expect(meter).toMatchObject({ requests: 4, failedAttempts: 3 });
  });

  it('retries a JSON body cut in half instead of handing on a string', async () => {
    githubApi()
      .get(LIST)
      .reply(200, JSON.stringify([pull]).slice(0, 120), { 'content-type': 'application/json; charset=utf-8' })
      .get(LIST)
      .reply(200, [pull]);
    const meter = newMeter();
    const data = await withMeter(meter, () => testGitHub().get<unknown[]>(LIST));
    expect(data).toHaveLength(1);
    expect(meter).toMatchObject({ requests: 2, failedAttempts: 1 });
  });

  it('gives up after its retries with the status in the message', async () => {
    githubApi().get(LIST).times(3).reply(502, { message: 'Server Error' });
    await expect(testGitHub({ retries: 2 }).get(LIST)).rejects.toThrow(`GitHub answered 502 (Server Error) for GET ${LIST}`);
  });

  it('says a refused token was refused, never printing it', async () => {
    githubApi()
      .get(LIST)
      .reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    const error = await testGitHub({ token: 'ghp_verysecret' })
      .get(LIST)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubAuthError);
    expect((error as Error).message).toBe(`GitHub refused the token (401 Bad credentials) for GET ${LIST}: check GITHUB_TOKEN`);
    expect(JSON.stringify(error)).not.toContain('verysecret');
    expect((error as Error).message).not.toContain('verysecret');
  });

  it('names the request of a 404', async () => {
    githubApi().get('/repos/knative/servng').reply(404, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository',
      status: '404',
    });
    const error = await testGitHub()
      .get('/repos/{owner}/{repo}', { owner: 'knative', repo: 'servng' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubNotFoundError);
    expect(error).toMatchObject({
      status: 404,
      request: 'GET /repos/knative/servng',
      message: 'GitHub answered 404 Not Found for GET /repos/knative/servng: it does not exist, or the token cannot see it',
    });
  });

  it('stops at a spent primary limit whose reset is too far away, saying when it resets', async () => {
    const reset = Math.floor(Date.now() / 1000) + 7200;
    githubApi()
      .get(LIST)
      .reply(
        403,
        {
          message: 'API rate limit exceeded for user ID 1.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
          status: '403',
        },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      );
    const error = await testGitHub()
      .get(LIST)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect((error as Error).message).toContain(`resets at ${new Date(reset * 1000).toISOString()}`);
  });

  it('retries a GraphQL rate limit reported as HTTP 200 with an errors array, then counts the points', async () => {
    const scope = githubApi();
    scope
      .post('/graphql')
      .reply(
        200,
        { errors: [{ type: 'RATE_LIMITED', code: 'graphql_rate_limit', message: 'API rate limit exceeded for user ID 1.' }] },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': soon(), 'x-ratelimit-resource': 'graphql' },
      );
    answerGraphql(scope, () => ({ data: { rateLimit: rateLimit(3, 4990), repository: { id: 'R_1' } } }));
    const meter = newMeter();
    const result = await withMeter(meter, () =>
      testGitHub().graphql<{ repository: { id: string } }>(
        'Test',
        'query Test { rateLimit { cost remaining resetAt } repository(owner: "a", name: "b") { id } }',
      ),
    );
    expect(result.data.repository.id).toBe('R_1');
    expect(meter).toMatchObject({ graphqlQueries: 2, graphqlPoints: 3, remaining: { graphql: 4990 } });
  });

  it('retries a GraphQL timeout ("Something went wrong") and succeeds', async () => {
    const scope = githubApi();
    scope.post('/graphql').reply(200, {
      data: null,
      errors: [
        {
          message:
            'Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include `0000:1111` when reporting this issue.',
        },
      ],
    });
    answerGraphql(scope, () => ({ data: { rateLimit: rateLimit(), repository: { id: 'R_1' } } }));
    const result = await testGitHub().graphql<{ repository: { id: string } }>(
      'Test',
      'query Test { rateLimit { cost } repository(owner: "a", name: "b") { id } }',
    );
    expect(result.data.repository.id).toBe('R_1');
  });
});

describe('GraphQL batches with aliases', () => {
  const details = (number: number) => ({
    number,
    state: 'MERGED',
    merged: true,
    mergedAt: '2019-05-02T10:00:00Z',
    isDraft: false,
    baseRefName: 'master',
    headRefName: `topic-${number}`,
    additions: 120,
    deletions: 4,
    changedFiles: 2,
    mergeCommit: { oid: `${number}`.padEnd(40, 'a') },
    reviews: { totalCount: 3 },
    files: {
      totalCount: 2,
      nodes: [
        { path: 'api/types.go', additions: 100, deletions: 2, changeType: 'MODIFIED' },
        { path: 'pkg/x_test.go', additions: 20, deletions: 2, changeType: 'ADDED' },
      ],
    },
  });

  it('fetches many pull requests in one query and reports the ones GitHub cannot resolve', async () => {
    const seen: number[][] = [];
    answerGraphql(githubApi(), ({ operation, variables }) => {
      expect(operation).toBe('PullDetails');
      const active = activeAliases(variables);
      seen.push(active.map((i) => variables[`n${i}`] as number));
      const repository: Record<string, unknown> = {};
      for (const i of active) repository[`p${i}`] = variables[`n${i}`] === 404 ? null : details(variables[`n${i}`] as number);
      const missing = active.filter((i) => variables[`n${i}`] === 404);
      return {
        data: { rateLimit: rateLimit(1), repository },
        errors: missing.map((i) => ({
          type: 'NOT_FOUND',
          path: ['repository', `p${i}`],
          locations: [{ line: 1, column: 1 }],
          message: 'Could not resolve to a PullRequest with the number of 404.',
        })),
      };
    });
    const meter = newMeter();
    const result = await withMeter(meter, () =>
      fetchPullDetails(testGitHub(), { owner: 'containerd', name: 'containerd' }, [3100, 404, 3102]),
    );
    expect(seen).toEqual([[3100, 404, 3102]]);
    expect([...result.details.keys()]).toEqual([3100, 3102]);
    expect(result.details.get(3100)?.files?.nodes?.[0]?.path).toBe('api/types.go');
    expect(result.problems).toEqual([{ key: '#404', message: 'Could not resolve to a PullRequest with the number of 404.' }]);
    expect(meter).toMatchObject({ graphqlQueries: 1, graphqlPoints: 1 });
  });

  it('splits more than 50 into even batches', async () => {
    const sizes: number[] = [];
    answerGraphql(
      githubApi(),
      ({ variables }) => {
        const active = activeAliases(variables);
        sizes.push(active.length);
        return {
          data: {
            rateLimit: rateLimit(1),
            repository: Object.fromEntries(active.map((i) => [`p${i}`, details(variables[`n${i}`] as number)])),
          },
        };
      },
      2,
    );
    const numbers = Array.from({ length: 60 }, (_, i) => 1000 + i);
    const result = await fetchPullDetails(testGitHub(), { owner: 'containerd', name: 'containerd' }, numbers);
    expect(sizes).toEqual([30, 30]);
    expect(result.details.size).toBe(60);
  });
});
