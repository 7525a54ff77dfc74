import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What one run spent of GitHub's budget. Every HTTP attempt made inside `withMeter` is counted
 * into that run's meter, retries included, so the figures on a run record are what GitHub saw.
 */
export interface RequestMeter {
  /** REST requests GitHub charges against the core limit (a 304 to an authenticated request is free). */
  requests: number;
  /** Conditional requests answered 304 Not Modified. */
  notModified: number;
  /** GraphQL queries sent. */
  graphqlQueries: number;
  /** GraphQL points charged, from `rateLimit { cost }`. */
  graphqlPoints: number;
  /** Latest x-ratelimit-remaining seen, per resource. */
  remaining: { core: number | null; graphql: number | null };
  /** Attempts that failed (5xx, rate limited, dropped connection); most are retried. */
  failedAttempts: number;
}

export function newMeter(): RequestMeter {
  return {
    requests: 0,
    notModified: 0,
    graphqlQueries: 0,
    graphqlPoints: 0,
    remaining: { core: null, graphql: null },
    failedAttempts: 0,
  };
}

export function addMeter(into: RequestMeter, from: RequestMeter): void {
  into.requests += from.requests;
  into.notModified += from.notModified;
  into.graphqlQueries += from.graphqlQueries;
  into.graphqlPoints += from.graphqlPoints;
  into.failedAttempts += from.failedAttempts;
  into.remaining.core = from.remaining.core ?? into.remaining.core;
  into.remaining.graphql = from.remaining.graphql ?? into.remaining.graphql;
}

const current = new AsyncLocalStorage<RequestMeter[]>();

/** Runs `work` with every GitHub request it makes counted into `meter` (and any enclosing meter). */
export function withMeter<T>(meter: RequestMeter, work: () => Promise<T>): Promise<T> {
  const outer = current.getStore() ?? [];
  return current.run([...outer, meter], work);
}

/** The meters the current async context counts into (innermost last). */
export function activeMeters(): RequestMeter[] {
  return current.getStore() ?? [];
}
