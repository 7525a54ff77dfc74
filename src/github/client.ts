import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { RequestError } from '@octokit/request-error';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import type { Logger } from '../lib/logger.js';
import { Budget, quotaFromHeaders, type Resource } from './budget.js';
import { type Credential, tokenCredential } from './credentials.js';
import { GitHubApiError, GitHubAuthError, GitHubGraphqlError, GitHubNotFoundError, GitHubRateLimitError } from './errors.js';
import { activeMeters, type RequestMeter } from './meter.js';

/**
 * The one way radar talks to GitHub: an Octokit with throttling (primary and secondary rate
 * limits, Retry-After honoured) and retry (5xx, dropped connections, GraphQL timeouts, with
 * backoff), a per-request timeout, conditional requests, and accounting of every HTTP attempt
 * into the run that made it (see meter.ts).
 */

export interface GitHubOptions {
  /** REST base URL (GITHUB_API_URL); GraphQL goes to `<base>/graphql` (or /api/graphql on GHE). */
  baseUrl: string;
  /** One token (the single-token set-up); `credentials` for several. */
  token?: string | undefined;
  /** Tokens and GitHub App installations, spent as one budget (most quota left first). */
  credentials?: readonly Credential[] | undefined;
  logger: Logger;
  timeoutMs?: number;
  /** Retries after 5xx and network errors (default 5). */
  retries?: number;
  /** Backoff unit; the n-th retry waits n² units. Tests make it small. */
  retryBaseMs?: number;
  /** Longest wait for a rate limit to reset before giving up with a clear error. */
  maxRateLimitWaitSeconds?: number;
  /**
   * Spacing between requests that notify people (creating an issue): GitHub asks integrators to
   * wait about a second between them; Octokit waits 3. Tests make it 0.
   */
  notificationSpacingMs?: number;
  userAgent?: string;
  /** The process is stopping (SIGTERM): reads in flight and rate-limit waits are cut short. */
  signal?: AbortSignal | undefined;
}

export type Validators = { etag?: string | null; lastModified?: string | null };

export type ConditionalResult<T> =
  | { modified: true; data: T; etag: string | null; lastModified: string | null; headers: Record<string, string> }
  | { modified: false };

export interface GraphqlResult<T> {
  data: T;
  /** Errors of a partial answer (e.g. one aliased object NOT_FOUND); the rest of `data` is good. */
  errors: Array<{ type?: string; message: string; path?: Array<string | number> }>;
}

/**
 * Chooses the credential of every HTTP attempt and counts it into the meters the call was made
 * under. Registered before the throttling and retry plugins, so its hook is the innermost and
 * sees each retry. The meters travel in the request options: the plugins' queues do not keep
 * async context.
 *
 * Each attempt goes out with the credential that has most left of its resource (the budget
 * learns from every answer's x-ratelimit-* headers). An attempt refused for a spent limit is
 * sent again at once with the next credential that has quota; only when every one is spent does
 * the refusal reach the throttling plugin, which waits for the reset or gives up.
 */
function metering(octokit: Pick<Octokit, 'hook'>, options: Record<string, unknown>) {
  const pool = options.radarCredentials as CredentialPool;
  octokit.hook.wrap('request', async (request, requestOptions) => {
    const meters = ((requestOptions.request as { meters?: RequestMeter[] } | undefined)?.meters ?? []) as RequestMeter[];
    const isGraphql = /\/graphql$/.test(new URL(requestOptions.url, 'http://github.invalid').pathname);
    const resource: Resource = isGraphql ? 'graphql' : 'core';
    const spent = new Set<string>();
    for (;;) {
      const credential = await pool.authorize(requestOptions, resource, spent);
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(requestOptions);
      } catch (error) {
        const status = (error as { status?: number }).status ?? 0;
        const answer = (error as { response?: { headers?: Record<string, string | undefined> } }).response;
        if (answer) {
          countAttempt(meters, isGraphql, pool.authenticated, status, answer.headers ?? {});
          pool.observe(credential, resource, answer.headers ?? {});
        }
        if (status !== 304) for (const meter of meters) meter.failedAttempts += 1;
        if (credential) (error as { radarCredential?: string }).radarCredential = credential.description;
        if (credential && status === 401) credential.invalidate();
        if (credential && isSpentLimit(status, answer?.headers ?? {}) && pool.another(resource, spent, credential)) continue;
        throw error;
      }
      countAttempt(
        meters,
        isGraphql,
        pool.authenticated,
        response.status,
        response.headers as Record<string, string | undefined>,
      );
      pool.observe(credential, resource, response.headers as Record<string, string | undefined>);
      if (credential && isGraphql && graphqlRateLimited(response.data) && pool.another(resource, spent, credential)) {
        for (const meter of meters) meter.failedAttempts += 1;
        continue;
      }
      // A JSON answer cut short (a connection dropped mid-body) reaches us as text: retried like a
      // server error instead of handing a string to code that expects a list.
      const type = String((response.headers as Record<string, unknown>)['content-type'] ?? '');
      if (typeof response.data === 'string' && /json/i.test(type)) {
        for (const meter of meters) meter.failedAttempts += 1;
        throw new RequestError('GitHub sent a truncated or malformed JSON body', 502, { request: requestOptions, response });
      }
      return response;
    }
  });
}

/** A REST refusal because the primary limit is spent (not a secondary limit: those are not dodged). */
function isSpentLimit(status: number, headers: Record<string, string | undefined>): boolean {
  return (status === 403 || status === 429) && headers['x-ratelimit-remaining'] === '0';
}

function graphqlRateLimited(data: unknown): boolean {
  const errors = (data as { errors?: Array<{ type?: string }> } | null)?.errors;
  return Array.isArray(errors) && errors.some((e) => e.type === 'RATE_LIMITED');
}

/**
 * The credentials of one gateway and the budget they share. Requests carry no credential of
 * Octokit's own: the authorization header is set here, per attempt.
 */
class CredentialPool {
  readonly budget: Budget;
  readonly authenticated: boolean;
  private readonly byId: Map<string, Credential>;

  constructor(readonly credentials: readonly Credential[]) {
    this.byId = new Map(credentials.map((c) => [c.id, c]));
    this.budget = new Budget(credentials.map((c) => c.id));
    this.authenticated = credentials.length > 0;
  }

  /**
   * Sets the attempt's authorization to the credential with most left (the first configured,
   * when every one is spent: GitHub's refusal then says when it resets).
   */
  async authorize(
    requestOptions: { headers: Record<string, unknown>; request?: unknown },
    resource: Resource,
    spent: Set<string>,
  ): Promise<Credential | null> {
    if (!this.authenticated) return null;
    // A request for one credential's own figures (GET /rate_limit) goes out with that one.
    const chosen = (requestOptions.request as { credential?: string } | undefined)?.credential;
    const now = new Date();
    const id =
      chosen && !spent.has(chosen) ? chosen : (this.budget.pick(resource, now, spent) ?? this.budget.soonestReset(resource, now));
    const credential = (id ? this.byId.get(id) : undefined) ?? (this.credentials[0] as Credential);
    requestOptions.headers.authorization = `token ${await credential.token()}`;
    return credential;
  }

  observe(credential: Credential | null, fallback: Resource, headers: Record<string, string | undefined>): void {
    if (!credential) return;
    const reported = quotaFromHeaders(headers, fallback, new Date());
    if (reported) this.budget.observe(credential.id, reported.resource, reported.quota);
  }

  /** Marks `credential` spent for this request; whether another one has quota left. */
  another(resource: Resource, spent: Set<string>, credential: Credential): boolean {
    spent.add(credential.id);
    return this.budget.pick(resource, new Date(), spent) !== null;
  }
}

function countAttempt(
  meters: RequestMeter[],
  isGraphql: boolean,
  authenticated: boolean,
  status: number,
  headers: Record<string, string | undefined>,
): void {
  const remaining = headers['x-ratelimit-remaining'];
  for (const meter of meters) {
    if (isGraphql) {
      meter.graphqlQueries += 1;
      if (remaining !== undefined) meter.remaining.graphql = Number(remaining);
      continue;
    }
    if (status === 304) {
      meter.notModified += 1;
      if (!authenticated) meter.requests += 1; // unauthenticated 304s still count
    } else {
      meter.requests += 1;
    }
    if (remaining !== undefined) meter.remaining.core = Number(remaining);
  }
}

/**
 * Reads (GETs and GraphQL queries) give up at once when the process is asked to stop: a rate-limit
 * wait or a slow answer must not outlast a SIGTERM's grace period. Registered last, so its hook
 * is the outermost and also cuts the throttling and retry plugins' waits short. Writes (a
 * publish) are let finish: stopping one half-way would leave GitHub and the store disagreeing.
 */
function stopping(octokit: Pick<Octokit, 'hook'>, options: Record<string, unknown>) {
  const signal = options.radarSignal as AbortSignal | undefined;
  if (!signal) return;
  octokit.hook.wrap('request', (request, requestOptions) => {
    const isRead = requestOptions.method === 'GET' || /\/graphql$/.test(String(requestOptions.url));
    if (!isRead) return request(requestOptions);
    if (signal.aborted) return Promise.reject(stoppedError(signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(stoppedError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      Promise.resolve(request(requestOptions)).then(
        (response) => {
          signal.removeEventListener('abort', onAbort);
          resolve(response);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  });
}

/** The stop's own reason ("interrupted by SIGTERM"), which the run then records as its error. */
function stoppedError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('interrupted');
}

const RadarOctokit = Octokit.plugin(metering, throttling, retry, stopping);
type RadarOctokitInstance = InstanceType<typeof RadarOctokit>;

export const RADAR_USER_AGENT = 'radar/0.1 (cloud-native upstream tracker)';

export class GitHub {
  readonly octokit: RadarOctokitInstance;
  readonly authenticated: boolean;
  /** What each credential has left, as GitHub last said; shared with other processes by the store. */
  readonly budget: Budget;
  readonly credentials: readonly Credential[];
  private readonly graphqlUrl: string;
  private readonly apiOrigin: string;
  private readonly logger: Logger;
  private readonly signal: AbortSignal | undefined;

  constructor(options: GitHubOptions) {
    this.signal = options.signal;
    this.logger = options.logger.child({ component: 'github' });
    const pool = new CredentialPool(options.credentials ?? (options.token ? [tokenCredential(options.token)] : []));
    this.authenticated = pool.authenticated;
    this.budget = pool.budget;
    this.credentials = pool.credentials;
    const baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.graphqlUrl = /\/api\/v3$/.test(baseUrl) ? baseUrl.replace(/\/api\/v3$/, '/api/graphql') : `${baseUrl}/graphql`;
    this.apiOrigin = new URL(baseUrl).origin;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const maxWait = options.maxRateLimitWaitSeconds ?? 15 * 60;
    const logger = this.logger;

    this.octokit = new RadarOctokit({
      baseUrl,
      radarCredentials: pool,
      radarSignal: options.signal,
      userAgent: options.userAgent ?? RADAR_USER_AGENT,
      log: {
        debug: () => {},
        info: () => {},
        warn: (message: string) => logger.warn({ detail: message }, 'octokit warning'),
        // Octokit logs every non-2xx answer here, 304s included; the gateway reports real failures itself.
        error: (message: string) => logger.debug({ detail: message }, 'octokit request failed'),
      },
      request: {
        fetch: (input: string | URL | Request, init?: RequestInit) => fetchWithTimeout(input, init, timeoutMs),
      },
      retry: { retries: options.retries ?? 5, retryAfterBaseValue: options.retryBaseMs ?? 1000 },
      throttle: {
        // GraphQL queries share the plugin's "write" group, which by default spaces requests a
        // second apart; radar's GraphQL is read-only batching, and its only writes are digest
        // publishes, so a modest concurrency without spacing is enough.
        write: new Bottleneck.Group({ maxConcurrent: 4, minTime: 0 }),
        notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.notificationSpacingMs ?? 3_000 }),
        retryAfterBaseValue: options.retryBaseMs ?? 1000,
        onRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
          const wait = retryAfter <= maxWait && retryCount < 2;
          logger.warn(
            { request: `${request.method} ${request.url}`, retryAfterSeconds: retryAfter, retrying: wait },
            'primary rate limit reached',
          );
          return wait;
        },
        onSecondaryRateLimit: (
          retryAfter: number,
          request: { method: string; url: string },
          _octokit: unknown,
          retryCount: number,
        ) => {
          const wait = retryAfter <= maxWait && retryCount < 5;
          logger.warn(
            { request: `${request.method} ${request.url}`, retryAfterSeconds: retryAfter, retrying: wait },
            'secondary rate limit reached',
          );
          return wait;
        },
      },
    });
  }

  /**
   * Asks GitHub what every credential has left (GET /rate_limit, which costs nothing), into the
   * budget. A credential GitHub refuses is reported, not thrown: the others are still asked.
   */
  async refreshBudget(): Promise<Array<{ credential: string; error: string | null }>> {
    const answers = [];
    for (const credential of this.credentials) {
      try {
        const response = await this.octokit.request('GET /rate_limit', { request: { meters: [], credential: credential.id } });
        const resources = (response.data as { resources?: Record<string, { limit: number; remaining: number; reset: number }> })
          .resources;
        const observedAt = new Date();
        for (const resource of ['core', 'graphql'] as const) {
          const figures = resources?.[resource];
          if (!figures) continue;
          this.budget.observe(credential.id, resource, {
            limit: figures.limit,
            remaining: figures.remaining,
            resetAt: new Date(figures.reset * 1000),
            observedAt,
          });
        }
        answers.push({ credential: credential.id, error: null });
      } catch (error) {
        answers.push({ credential: credential.id, error: this.toError(error, 'GET', '/rate_limit', {}).message });
      }
    }
    return answers;
  }

  /** A REST GET; errors come back as GitHubApiError subclasses with a readable message. */
  async get<T>(route: string, params: Record<string, unknown> = {}): Promise<T> {
    try {
      const response = await this.octokit.request(`GET ${route}`, { ...params, request: { meters: activeMeters() } });
      return response.data as T;
    } catch (error) {
      throw this.toError(error, 'GET', route, params);
    }
  }

  /**
   * A REST list, one page at a time, following GitHub's `Link: <...>; rel="next"` until the
   * list ends or the caller stops asking (breaking out of the loop sends no further request).
   * Each page is one counted request. A next link is followed only on the API's own origin,
   * since the token goes with it.
   */
  async *pages(route: string, params: Record<string, unknown> = {}): AsyncGenerator<unknown, void, undefined> {
    const meters = activeMeters();
    let request = `GET ${expandRoute(route, params)}`;
    let response: { data: unknown; headers: Record<string, unknown> };
    try {
      response = await this.octokit.request(`GET ${route}`, { ...params, request: { meters } });
    } catch (error) {
      throw this.toError(error, 'GET', route, params);
    }
    for (;;) {
      yield response.data;
      const next = /<([^<>]+)>;\s*rel="next"/.exec(String(response.headers.link ?? ''))?.[1];
      if (!next) return;
      if (new URL(next, this.apiOrigin).origin !== this.apiOrigin)
        throw new GitHubApiError(`GitHub's next page for ${request} is on another host (${next}): not followed`, 0, request);
      request = `GET ${next}`;
      try {
        response = await this.octokit.request({ method: 'GET', url: next, request: { meters } } as never);
      } catch (error) {
        throw this.toError(error, 'GET', next, {});
      }
    }
  }

  /**
   * A conditional GET: sends the stored ETag / Last-Modified and reports "not modified" on 304,
   * which GitHub does not charge to authenticated clients.
   */
  async getConditional<T>(
    route: string,
    params: Record<string, unknown>,
    validators: Validators | undefined,
  ): Promise<ConditionalResult<T>> {
    const headers: Record<string, string> = {};
    if (validators?.etag) headers['if-none-match'] = validators.etag;
    else if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
    try {
      const response = await this.octokit.request(`GET ${route}`, { ...params, headers, request: { meters: activeMeters() } });
      const responseHeaders = response.headers as Record<string, string>;
      return {
        modified: true,
        data: response.data as T,
        etag: responseHeaders.etag ?? null,
        lastModified: responseHeaders['last-modified'] ?? null,
        headers: responseHeaders,
      };
    } catch (error) {
      // Octokit reports a conditional hit as an error with status 304: it means "unchanged".
      if (statusOf(error) === 304) return { modified: false };
      throw this.toError(error, 'GET', route, params);
    }
  }

  /** A REST write (POST/PATCH); `retry: false` for one that must not be sent twice. */
  async write<T>(
    method: 'POST' | 'PATCH',
    route: string,
    params: Record<string, unknown>,
    options: { retry?: boolean } = {},
  ): Promise<T> {
    try {
      const request = { meters: activeMeters(), ...(options.retry === false ? { retries: 0 } : {}) };
      const response = await this.octokit.request(`${method} ${route}`, { ...params, request });
      return response.data as T;
    } catch (error) {
      throw this.toError(error, method, route, params);
    }
  }

  /**
   * A GraphQL query. Points are counted from the `rateLimit { cost }` every radar query asks for.
   * Rate limiting and GraphQL timeouts (HTTP 200 with an errors array) are retried by the
   * plugins; what remains is either a partial answer (returned with its errors) or a failure.
   */
  async graphql<T>(name: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphqlResult<T>> {
    let body: { data?: T | null; errors?: GraphqlResult<T>['errors'] };
    const started = performance.now();
    try {
      const response = await this.octokit.request({
        method: 'POST',
        url: this.graphqlUrl,
        query,
        variables,
        request: { meters: activeMeters() },
      });
      body = response.data as typeof body;
    } catch (error) {
      throw this.toError(error, 'POST', `graphql ${name}`, {});
    }
    const errors = body.errors ?? [];
    const cost = (body.data as { rateLimit?: { cost?: number; remaining?: number } } | null | undefined)?.rateLimit;
    this.logger.debug(
      {
        ms: Math.round(performance.now() - started),
        operation: name,
        aliases: Object.keys(variables).filter((k) => /^i\d+$/.test(k)).length,
        cost: cost?.cost ?? null,
        errors: errors.length,
      },
      'graphql query',
    );
    for (const meter of activeMeters()) {
      meter.graphqlPoints += cost?.cost ?? 0;
      if (typeof cost?.remaining === 'number') meter.remaining.graphql = cost.remaining;
    }
    if (!body.data) {
      const message = errors.map((e) => e.message).join('; ') || 'no data';
      if (errors.some((e) => e.type === 'RATE_LIMITED')) {
        const resetAt = this.budget.exhaustedUntil(['graphql'], new Date());
        const spread = this.credentials.length > 1 ? ` on all ${this.credentials.length} credentials` : '';
        const reset = resetAt ? ` (resets at ${resetAt.toISOString()})` : '';
        throw new GitHubRateLimitError(
          `GitHub GraphQL rate limit exceeded${spread} (${name})${reset}: ${message}`,
          200,
          `graphql ${name}`,
          resetAt,
        );
      }
      throw new GitHubGraphqlError(`GitHub GraphQL query ${name} failed: ${message}`, errors, `graphql ${name}`);
    }
    return { data: body.data, errors };
  }

  private toError(error: unknown, method: string, route: string, params: Record<string, unknown>): Error {
    if (this.signal?.aborted && error === this.signal.reason) return error as Error;
    const status = statusOf(error);
    const request = `${method} ${expandRoute(route, params)}`;
    const detail = (error as { response?: { data?: { message?: string } } }).response?.data?.message;
    const cause = { cause: error };
    if (status === undefined) {
      return new GitHubApiError(
        `GitHub request ${request} failed: ${(error as Error).message ?? String(error)}`,
        0,
        request,
        cause,
      );
    }
    if (status === 401) {
      const which = (error as { radarCredential?: string }).radarCredential;
      const message = this.authenticated
        ? this.credentials.length > 1 && which
          ? `GitHub refused ${which} (401 ${detail ?? 'Bad credentials'}) for ${request}: check GITHUB_TOKEN, GITHUB_TOKENS and the GitHub App settings`
          : `GitHub refused the token (401 ${detail ?? 'Bad credentials'}) for ${request}: check GITHUB_TOKEN`
        : `GitHub requires authentication for ${request} (401): set GITHUB_TOKEN`;
      return new GitHubAuthError(message, status, request, cause);
    }
    if (status === 404) {
      return new GitHubNotFoundError(
        `GitHub answered 404 Not Found for ${request}: it does not exist, or the token cannot see it`,
        status,
        request,
        cause,
      );
    }
    const headers = (error as { response?: { headers?: Record<string, string> } }).response?.headers ?? {};
    if ((status === 403 || status === 429) && (headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(detail ?? ''))) {
      const reset = Number(headers['x-ratelimit-reset']);
      // With several credentials, work can go on when the first of them resets.
      const resetAt =
        this.budget.exhaustedUntil(['core'], new Date()) ?? (Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : null);
      return new GitHubRateLimitError(
        `GitHub rate limit exceeded for ${request}${this.credentials.length > 1 ? ` on all ${this.credentials.length} credentials` : ''}${resetAt ? ` (resets at ${resetAt.toISOString()})` : ''}${
          this.authenticated ? '' : '; unauthenticated clients get 60 requests an hour: set GITHUB_TOKEN'
        }`,
        status,
        request,
        resetAt,
        cause,
      );
    }
    return new GitHubApiError(`GitHub answered ${status}${detail ? ` (${detail})` : ''} for ${request}`, status, request, cause);
  }
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  // Octokit reports network failures as status 500 with no response.
  if (typeof status !== 'number') return undefined;
  if (status === 500 && !(error as { response?: unknown }).response) return undefined;
  return status;
}

function expandRoute(route: string, params: Record<string, unknown>): string {
  return route.replace(/\{(\w+)\}/g, (_, key: string) => String(params[key] ?? `{${key}}`));
}

/** fetch with a per-request timeout (the caller's own signal still applies). */
function fetchWithTimeout(input: string | URL | Request, init: RequestInit | undefined, timeoutMs: number): Promise<Response> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  return fetch(input, { ...init, signal });
}
