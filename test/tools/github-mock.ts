import nock from 'nock';
import { GitHub } from '../../src/github/client.js';
import { tokenCredential } from '../../src/github/credentials.js';
import { type Logger, silentLogger } from '../../src/lib/logger.js';

/**
 * The one place tests import nock (as renovate's test/http-mock.ts). GitHub is mocked at the
 * network edge only; every declared mock must be used, and any request without one fails.
 */

export const GITHUB_URL = 'https://api.github.com';

export function blockNetwork(): void {
  nock.disableNetConnect();
  // Local servers (PostgreSQL is not HTTP; the web API under test is) stay reachable.
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
}

export function assertAllMocksUsed(): void {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  if (pending.length > 0) throw new Error(`GitHub mocks declared but never requested:\n  ${pending.join('\n  ')}`);
}

/** A scope on api.github.com; chain .get(...).reply(...) as with nock. */
export function githubApi(options: { token?: string } = {}): nock.Scope {
  const scope = nock(GITHUB_URL);
  if (options.token) scope.matchHeader('authorization', `token ${options.token}`);
  return scope;
}

/** A gateway with millisecond backoff so retry paths run fast. */
export function testGitHub(
  options: { token?: string | null; tokens?: string[]; logger?: Logger; retries?: number } = {},
): GitHub {
  const several = options.tokens && options.tokens.length > 1;
  return new GitHub({
    baseUrl: GITHUB_URL,
    token: options.token === null ? undefined : (options.token ?? 'test-token'),
    credentials: several ? options.tokens?.map(tokenCredential) : undefined,
    logger: options.logger ?? silentLogger(),
    retries: options.retries ?? 3,
    retryBaseMs: 1,
    notificationSpacingMs: 0,
    timeoutMs: 5_000,
  });
}

export { nock };
