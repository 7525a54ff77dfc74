/** The outcome of polling one source of one repo. */
export interface RunSummary {
  id: number;
  repo: string;
  source: string;
  trigger: string;
  /**
   * `skipped`: another process held this repo+source; nothing was recorded. `deferred`: GitHub's
   * rate limit was spent on every credential; what was read is kept and the rest waits for the
   * reset (not a failure: nothing is wrong).
   */
  status: 'succeeded' | 'failed' | 'deferred' | 'partial' | 'running' | 'skipped';
  itemsNew: number;
  itemsUpdated: number;
  /** Counted REST requests (304s to authenticated requests are free and not in here). */
  requests: number;
  notModified: number;
  graphqlPoints: number;
  rateLimitRemaining: number | null;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
  /** Why a failed run failed, as far as an exit code cares (set by the run that failed, not stored). */
  failure?: RunFailure | undefined;
  /** A coverage run's figures: how many of the items a full listing expected were stored. */
  coverage?: { captured: number; expected: number } | undefined;
  /** Problems that did not stop the run (a malformed KEP, a skipped payload). */
  warnings: RunWarning[];
}

export interface RunWarning {
  message: string;
  [detail: string]: unknown;
}

/**
 * The kinds of run failure that a command's exit code tells apart (README "Command line"):
 * GitHub refused the token (77), the rate limit stopped it (75), anything else (1).
 */
export type RunFailure = 'token-refused' | 'rate-limited' | 'failed';
