import { RadarError } from '../lib/errors.js';

/** GitHub answered with an error, after retries; names the request but never the token. */
export class GitHubApiError extends RadarError {
  override readonly httpStatus = 502;
  constructor(
    message: string,
    readonly status: number,
    readonly request: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** 401: the token was refused (or a token is needed and none was given). */
export class GitHubAuthError extends GitHubApiError {
  override readonly exitCode = 77; // EX_NOPERM
}

/** 404: the repository or object does not exist, or the token cannot see it. */
export class GitHubNotFoundError extends GitHubApiError {}

/** The primary rate limit is spent and its reset is further away than radar may wait. */
export class GitHubRateLimitError extends GitHubApiError {
  override readonly exitCode = 75; // EX_TEMPFAIL
  constructor(
    message: string,
    status: number,
    request: string,
    readonly resetAt: Date | null,
    options?: ErrorOptions,
  ) {
    super(message, status, request, options);
  }
}

/** A GraphQL query came back with errors (other than rate limiting). */
export class GitHubGraphqlError extends GitHubApiError {
  constructor(
    message: string,
    readonly errors: Array<{ type?: string; message: string; path?: Array<string | number> }>,
    request: string,
  ) {
    super(message, 200, request);
  }
}
