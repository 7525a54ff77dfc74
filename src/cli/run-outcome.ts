import type { RunSummary } from '../domain/run.js';

/** Exit codes of src/lib/errors.ts that a set of runs can end with (README "Command line"). */
const EXIT = { ok: 0, failed: 1, rateLimited: 75, tokenRefused: 77 } as const;

/**
 * The exit code of a command that made several runs (poll, backfill), when some failed for
 * different reasons. The order is fixed, so that a wrapper can act on the code alone:
 *
 * 1. 77 if any run failed because GitHub refused the token: nothing succeeds until someone
 *    changes GITHUB_TOKEN, so it outranks everything (and often caused the other failures).
 * 2. 1 if any other run failed for another reason (not the rate limit): someone should look.
 * 3. 75 if runs were deferred (stopped by the rate limit, spent on every credential): the same
 *    command succeeds after the reset, which is exactly what EX_TEMPFAIL promises; a mixed
 *    failure cannot promise it.
 * 4. 0 otherwise (skipped runs, which another process was doing, are no failure).
 */
export function runsExitCode(runs: readonly Pick<RunSummary, 'status' | 'failure'>[]): number {
  const failures = new Set(
    runs
      .filter((run) => run.status === 'failed' || run.status === 'deferred')
      .map((run) => (run.status === 'deferred' ? 'rate-limited' : (run.failure ?? 'failed'))),
  );
  if (failures.has('token-refused')) return EXIT.tokenRefused;
  if (failures.has('failed')) return EXIT.failed;
  if (failures.has('rate-limited')) return EXIT.rateLimited;
  return EXIT.ok;
}

/**
 * A poll or backfill that SIGINT or SIGTERM stopped before its runs finished exits 0 (the issue
 * "Operations": stopping on request is no failure; the store is consistent, every stored batch
 * whole) and says so on stderr; the same command continues it from the stored cursors. Stopped
 * once every run had finished, it exits as usual (runsExitCode). Null when it was not stopped.
 */
export function interruptedExitCode(
  shutdown: AbortSignal,
  runs: readonly Pick<RunSummary, 'status'>[],
): { code: number; signal: string } | null {
  if (!shutdown.aborted || !runs.some((run) => run.status === 'failed')) return null;
  // bin/radar.js names the signal; a command stopped another way (its bridge client gone) is a Ctrl-C.
  const signal = (shutdown.reason as { signal?: unknown } | undefined)?.signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
  return { code: EXIT.ok, signal };
}
