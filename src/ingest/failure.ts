import type { RunFailure } from '../domain/run.js';
import { GitHubAuthError, GitHubRateLimitError } from '../github/errors.js';

/**
 * What kind of failure ended a run, from the error it threw. Sources may wrap a GitHub error in
 * one of their own (naming the KEP or the page they were reading), so the `cause` chain is
 * followed: a refused token three wrappers down is still a refused token.
 */
export function classifyFailure(error: unknown): RunFailure {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    if (current instanceof GitHubAuthError) return 'token-refused';
    if (current instanceof GitHubRateLimitError) return 'rate-limited';
  }
  return 'failed';
}
