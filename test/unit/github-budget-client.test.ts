import { createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GitHub } from '../../src/github/client.js';
import { appJwt, installationCredential, tokenCredential } from '../../src/github/credentials.js';
import { GitHubAuthError, GitHubRateLimitError } from '../../src/github/errors.js';
import { newMeter, withMeter } from '../../src/github/meter.js';
import { silentLogger } from '../../src/lib/logger.js';
import { GITHUB_URL, githubApi, nock } from '../tools/github-mock.js';

/**
 * One budget over several credentials, at the network edge: each request goes with the
 * credential that has most left, a spent one is passed over at once, and only when all are
 * spent does the rate limit stop the work. GitHub App installations mint their own tokens.
 */

const REPO_ROUTE = '/repos/containerd/containerd';
const repo = { id: 46089560, full_name: 'containerd/containerd', default_branch: 'main' };
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

function limits(remaining: number, resource: 'core' | 'graphql' = 'core', reset = inAnHour()) {
  return {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(reset),
    'x-ratelimit-used': String(5000 - remaining),
    'x-ratelimit-resource': resource,
  };
}

const spentBody = {
  message: 'API rate limit exceeded for user ID 1.',
  documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
  status: '403',
};

function gateway(tokens: string[]) {
  return new GitHub({
    baseUrl: GITHUB_URL,
    credentials: tokens.map(tokenCredential),
    logger: silentLogger(),
    retries: 1,
    retryBaseMs: 1,
    maxRateLimitWaitSeconds: 0,
    timeoutMs: 5_000,
  });
}

describe('GitHub budget over several tokens', () => {
  it('sends each request with the token that has most left', async () => {
    githubApi({ token: 'alpha' }).get(REPO_ROUTE).reply(200, repo, limits(150));
    githubApi({ token: 'beta' }).get(REPO_ROUTE).times(2).reply(200, repo, limits(4000));
    const github = gateway(['alpha', 'beta']);
    await github.get(REPO_ROUTE); // nothing known: the first configured
    await github.get(REPO_ROUTE); // alpha said 150 left; beta is assumed full
    await github.get(REPO_ROUTE); // beta said 4000
    const alpha = tokenCredential('alpha').id;
    expect(github.budget.remaining(alpha, 'core', new Date())).toBe(150);
  });

  it('passes a spent token over at once and sends the request again with the next', async () => {
    githubApi({ token: 'alpha' }).get(REPO_ROUTE).reply(403, spentBody, limits(0));
    githubApi({ token: 'beta' }).get(REPO_ROUTE).reply(200, repo, limits(4999));
    const github = gateway(['alpha', 'beta']);
    const meter = newMeter();
    const answer = await withMeter(meter, () => github.get<typeof repo>(REPO_ROUTE));
    expect(answer.full_name).toBe('containerd/containerd');
    expect(meter).toMatchObject({ requests: 2, failedAttempts: 1 });
    expect(github.budget.pick('core', new Date())).toBe(tokenCredential('beta').id);
  });

  it('stops with a rate-limit error naming the reset when every token is spent', async () => {
    const soonest = inAnHour() - 1800;
    githubApi({ token: 'alpha' })
      .get(REPO_ROUTE)
      .reply(403, spentBody, limits(0, 'core', inAnHour()));
    githubApi({ token: 'beta' })
      .get(REPO_ROUTE)
      .reply(403, spentBody, limits(0, 'core', soonest));
    const github = gateway(['alpha', 'beta']);
    const error = (await github.get(REPO_ROUTE).catch((e: unknown) => e)) as GitHubRateLimitError;
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect(error.message).toContain('on all 2 credentials');
    expect(error.resetAt).toEqual(new Date(soonest * 1000));
    expect(github.budget.exhaustedUntil(['core'], new Date())).toEqual(new Date(soonest * 1000));
    expect(error.message).not.toMatch(/alpha|beta/);
  });

  it('moves a GraphQL query to another token when GitHub says RATE_LIMITED', async () => {
    const query = 'query { rateLimit { cost remaining } }';
    githubApi({ token: 'alpha' })
      .post('/graphql')
      .reply(
        200,
        { errors: [{ type: 'RATE_LIMITED', code: 'graphql_rate_limit', message: 'API rate limit exceeded for user ID 1.' }] },
        limits(0, 'graphql'),
      );
    githubApi({ token: 'beta' })
      .post('/graphql')
      .reply(200, { data: { rateLimit: { cost: 1, remaining: 4999 } } }, limits(4999, 'graphql'));
    const github = gateway(['alpha', 'beta']);
    const result = await github.graphql<{ rateLimit: { cost: number } }>('probe', query);
    expect(result.data.rateLimit.cost).toBe(1);
    expect(github.budget.remaining(tokenCredential('alpha').id, 'graphql', new Date())).toBe(0);
  });

  it('names the refused credential, never the token', async () => {
    githubApi({ token: 'alpha' })
      .get(REPO_ROUTE)
      .reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    const error = (await gateway(['alpha', 'beta'])
      .get(REPO_ROUTE)
      .catch((e: unknown) => e)) as GitHubAuthError;
    expect(error).toBeInstanceOf(GitHubAuthError);
    expect(error.message).toContain(`GitHub refused ${tokenCredential('alpha').description}`);
    expect(error.message).not.toContain('alpha');
  });

  it("reads every credential's figures from GET /rate_limit", async () => {
    const rateLimitBody = (core: number, graphql: number) => ({
      resources: {
        core: { limit: 5000, used: 5000 - core, remaining: core, reset: inAnHour() },
        search: { limit: 30, used: 0, remaining: 30, reset: inAnHour() },
        graphql: { limit: 5000, used: 5000 - graphql, remaining: graphql, reset: inAnHour() },
      },
      rate: { limit: 5000, used: 5000 - core, remaining: core, reset: inAnHour() },
    });
    githubApi({ token: 'alpha' }).get('/rate_limit').reply(200, rateLimitBody(12, 4000), limits(12));
    githubApi({ token: 'beta' }).get('/rate_limit').reply(200, rateLimitBody(4321, 17), limits(4321));
    const github = gateway(['alpha', 'beta']);
    expect(await github.refreshBudget()).toEqual([
      { credential: tokenCredential('alpha').id, error: null },
      { credential: tokenCredential('beta').id, error: null },
    ]);
    const now = new Date();
    expect(github.budget.pick('core', now)).toBe(tokenCredential('beta').id);
    expect(github.budget.pick('graphql', now)).toBe(tokenCredential('alpha').id);
  });
});

describe('GitHub App installations', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('signs a JWT GitHub accepts: RS256, issued a minute back, nine minutes long, the app as issuer', () => {
    const at = new Date('2026-12-03T12:00:00Z');
    const [header, payload, signature] = appJwt('123456', privateKey, at).split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
    const seconds = at.getTime() / 1000;
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({
      iat: seconds - 60,
      exp: seconds + 540,
      iss: '123456',
    });
    const verified = createVerify('RSA-SHA256')
      .update(`${header}.${payload}`)
      .verify(createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })), Buffer.from(signature, 'base64url'));
    expect(verified).toBe(true);
  });

  it('mints an installation token, keeps it, and mints again near its expiry', async () => {
    let clock = new Date('2026-12-03T12:00:00Z');
    const minted = (token: string, expiresAt: string) => ({
      token,
      expires_at: expiresAt,
      permissions: { contents: 'read', issues: 'write', metadata: 'read', pull_requests: 'read' },
      repository_selection: 'selected',
    });
    nock(GITHUB_URL)
      .post('/app/installations/42/access_tokens')
      .matchHeader('authorization', /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
      .reply(201, minted('ghs_first', '2026-12-03T13:00:00Z'))
      .post('/app/installations/42/access_tokens')
      .reply(201, minted('ghs_second', '2026-12-03T14:00:00Z'));
    const credential = installationCredential({
      appId: '123456',
      installationId: '42',
      privateKey,
      baseUrl: GITHUB_URL,
      now: () => clock,
    });
    expect(credential.id).toBe('app:123456:installation:42');
    const [a, b] = await Promise.all([credential.token(), credential.token()]); // one mint for both
    expect([a, b]).toEqual(['ghs_first', 'ghs_first']);
    clock = new Date('2026-12-03T12:50:00Z');
    expect(await credential.token()).toBe('ghs_first');
    clock = new Date('2026-12-03T12:56:00Z'); // within five minutes of expiry
    expect(await credential.token()).toBe('ghs_second');
  });

  it('says which installation GitHub refused, and what to check', async () => {
    nock(GITHUB_URL)
      .post('/app/installations/7/access_tokens')
      .reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/apps/apps', status: '404' });
    const credential = installationCredential({ appId: '99', installationId: '7', privateKey, baseUrl: GITHUB_URL });
    const error = await credential.token().catch((e) => e);
    expect(error).toBeInstanceOf(GitHubAuthError);
    expect(error.message).toBe(
      'GitHub refused to mint a token for GitHub App 99, installation 7: 404 (Not Found) for POST /app/installations/7/access_tokens; check GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_IDS',
    );
  });

  it('spends installations like tokens: requests go out with the minted token', async () => {
    nock(GITHUB_URL)
      .post('/app/installations/42/access_tokens')
      .reply(201, { token: 'ghs_inst', expires_at: new Date(Date.now() + 3600_000).toISOString() });
    githubApi({ token: 'ghs_inst' }).get(REPO_ROUTE).reply(200, repo, limits(14999));
    const github = new GitHub({
      baseUrl: GITHUB_URL,
      credentials: [installationCredential({ appId: '1', installationId: '42', privateKey, baseUrl: GITHUB_URL })],
      logger: silentLogger(),
      timeoutMs: 5_000,
    });
    await github.get(REPO_ROUTE);
    expect(github.budget.remaining('app:1:installation:42', 'core', new Date())).toBe(14999);
  });
});
