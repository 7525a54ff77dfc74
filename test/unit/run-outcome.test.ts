import { describe, expect, it } from 'vitest';
import { interruptedExitCode, runsExitCode } from '../../src/cli/run-outcome.js';
import type { RunSummary } from '../../src/domain/run.js';
import { GitHubApiError, GitHubAuthError, GitHubNotFoundError, GitHubRateLimitError } from '../../src/github/errors.js';
import { classifyFailure } from '../../src/ingest/failure.js';

type Outcome = Pick<RunSummary, 'status' | 'failure'>;
const ok: Outcome = { status: 'succeeded' };
const skipped: Outcome = { status: 'skipped' };
const refused: Outcome = { status: 'failed', failure: 'token-refused' };
const limited: Outcome = { status: 'failed', failure: 'rate-limited' };
const failed: Outcome = { status: 'failed', failure: 'failed' };

describe('why a run failed', () => {
  const request = 'GET /repos/kubernetes/kubernetes';
  it('tells a refused token and a spent rate limit from other failures, through wrapping errors', () => {
    expect(classifyFailure(new GitHubAuthError('refused', 401, request))).toBe('token-refused');
    expect(classifyFailure(new GitHubRateLimitError('spent', 403, request, null))).toBe('rate-limited');
    const wrapped = new Error('KEP keps/sig-node/0001: could not read it', {
      cause: new Error('page 2', { cause: new GitHubRateLimitError('spent', 429, request, null) }),
    });
    expect(classifyFailure(wrapped)).toBe('rate-limited');
    expect(classifyFailure(new GitHubNotFoundError('gone', 404, request))).toBe('failed');
    expect(classifyFailure(new GitHubApiError('502', 502, request))).toBe('failed');
    expect(classifyFailure('a string')).toBe('failed');
    const loop = new Error('a');
    (loop as { cause?: unknown }).cause = loop;
    expect(classifyFailure(loop)).toBe('failed');
  });
});

describe('the exit code of a poll or backfill', () => {
  it('is 0 without failed runs, skipped ones included', () => {
    expect(runsExitCode([])).toBe(0);
    expect(runsExitCode([ok, skipped])).toBe(0);
  });

  it('is 77 for a refused token, 75 for a rate limit, 1 for any other failure', () => {
    expect(runsExitCode([ok, refused])).toBe(77);
    expect(runsExitCode([ok, limited, limited])).toBe(75);
    expect(runsExitCode([ok, failed])).toBe(1);
    // A failure with no kind (runs read back from the store) is a plain failure.
    expect(runsExitCode([{ status: 'failed' }])).toBe(1);
  });

  it('ranks a refused token over any other failure, and a real failure over the rate limit', () => {
    expect(runsExitCode([limited, refused, failed])).toBe(77);
    expect(runsExitCode([failed, limited])).toBe(1);
    expect(runsExitCode([limited, failed])).toBe(1);
  });
});

describe('the exit code of a poll or backfill stopped by a signal', () => {
  const stoppedBy = (signal?: string) => {
    const controller = new AbortController();
    controller.abort(Object.assign(new Error(`interrupted by ${signal}`), signal ? { signal } : {}));
    return controller.signal;
  };

  it('is 0 with the signal named (SIGINT for a stop without a signal) when runs were cut short', () => {
    expect(interruptedExitCode(stoppedBy('SIGTERM'), [ok, failed])).toEqual({ code: 0, signal: 'SIGTERM' });
    expect(interruptedExitCode(stoppedBy('SIGINT'), [failed])).toEqual({ code: 0, signal: 'SIGINT' });
    expect(interruptedExitCode(stoppedBy(), [failed])).toEqual({ code: 0, signal: 'SIGINT' });
  });

  it('does not apply when nothing was cut short or no stop was asked', () => {
    expect(interruptedExitCode(stoppedBy('SIGTERM'), [ok, skipped])).toBeNull();
    expect(interruptedExitCode(new AbortController().signal, [failed])).toBeNull();
  });
});
