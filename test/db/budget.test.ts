import { expect, it } from 'vitest';
import { tokenCredential } from '../../src/github/credentials.js';
import { runCli, writeConfig } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';
import { repositoryJson } from '../tools/github-fixtures.js';
import { githubApi } from '../tools/github-mock.js';

/**
 * `radar budget` and a poll over several tokens, through the CLI on a real database: GitHub's
 * figures per credential, shared between processes through the store, a poll that passes a
 * spent token over, and exit 75 when every credential is spent.
 */

const REPO = 'containerd/containerd';
const CONFIG = writeConfig(`
github:
  budgetReserve: 50
projects:
  - name: containerd
    repos:
      - repo: ${REPO}
        sources: [releases]
`);
const TOKENS = { GITHUB_TOKENS: 'ghp_alpha,ghp_beta' };
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

function rateLimitBody(core: number, graphql: number) {
  const window = (remaining: number) => ({ limit: 5000, used: 5000 - remaining, remaining, reset: inAnHour() });
  return {
    resources: { core: window(core), search: { limit: 30, used: 0, remaining: 30, reset: inAnHour() }, graphql: window(graphql) },
    rate: window(core),
  };
}

function limits(remaining: number) {
  return {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(inAnHour()),
    'x-ratelimit-resource': 'core',
  };
}

describeEachDialect('one GitHub budget over several tokens', (t) => {
  const alpha = tokenCredential('ghp_alpha');
  const beta = tokenCredential('ghp_beta');

  it('lists every credential by fingerprint, before and after GitHub reports', async () => {
    const fresh = await runCli(['budget'], { database: t().handle, configFile: CONFIG, token: null, env: TOKENS });
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain(`${alpha.description}  core`);
    expect(fresh.stdout).toContain('not reported yet');
    expect(fresh.stdout).not.toContain('ghp_');

    githubApi({ token: 'ghp_alpha' }).get('/rate_limit').reply(200, rateLimitBody(0, 4100), limits(0));
    githubApi({ token: 'ghp_beta' }).get('/rate_limit').reply(200, rateLimitBody(30, 5000), limits(30));
    const refreshed = await runCli(['budget', '--refresh', '--json'], {
      database: t().handle,
      configFile: CONFIG,
      token: null,
      env: TOKENS,
    });
    const report = JSON.parse(refreshed.stdout);
    expect(report.reserve).toBe(50);
    const row = (credential: string, resource: string) =>
      report.credentials.find(
        (r: { credential: string; resource: string }) => r.credential === credential && r.resource === resource,
      );
    expect(row(alpha.id, 'core')).toMatchObject({ remaining: 0, limit: 5000, state: 'spent' });
    expect(row(beta.id, 'core')).toMatchObject({ remaining: 30, state: 'reserve only' });
    expect(row(alpha.id, 'graphql')).toMatchObject({ remaining: 4100, state: 'available' });
    // Both are at or under the reserve for REST: scheduled jobs wait, and the command says so.
    expect(report.deferredUntil).not.toBeNull();
    expect(refreshed.code).toBe(75);

    // Another process (no --refresh, no request) reads the same figures from the store.
    const shared = await runCli(['budget'], { database: t().handle, configFile: CONFIG, token: null, env: TOKENS });
    expect(shared.stdout).toMatch(/every credential is spent or down to its reserve: scheduled jobs wait until \d{4}-/);
    expect(shared.code).toBe(75);
  });

  it('polls with the token that has quota when the other is spent', async () => {
    githubApi({ token: 'ghp_alpha' }).get(`/repos/${REPO}`).reply(
      403,
      {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        status: '403',
      },
      limits(0),
    );
    githubApi({ token: 'ghp_beta' })
      .get(`/repos/${REPO}`)
      .reply(200, repositoryJson(REPO), limits(4999))
      .get(`/repos/${REPO}/releases`)
      .query(true)
      .reply(200, [], limits(4998));
    const poll = await runCli(['poll'], { database: t().handle, configFile: CONFIG, token: null, env: TOKENS });
    expect(poll.code).toBe(0);
    expect(poll.stdout).not.toMatch(/failed|deferred/);
    // What the poll learnt is in the store for every process.
    const budget = await runCli(['budget', '--json'], { database: t().handle, configFile: CONFIG, token: null, env: TOKENS });
    const rows = JSON.parse(budget.stdout).credentials;
    expect(rows.find((r: { credential: string }) => r.credential === beta.id)).toMatchObject({ remaining: 4998 });
  });

  it('says when no credential is configured', async () => {
    const none = await runCli(['budget'], { database: t().handle, configFile: CONFIG, token: null });
    expect(none.stdout).toContain('no GitHub credential configured');
    expect(none.code).toBe(0);
  });
});
