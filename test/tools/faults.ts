import type { Exchange, FakeGitHub, Fault, Tap } from './fake-github.js';
import { faultLabel } from './fake-github.js';
import { describeRequest } from './kill-points.js';

/**
 * Faults as GitHub (and the network before it) produces them, each aimed at the n-th request of
 * one kind (a listing page, a GraphQL query, a releases page...), so that where they land does
 * not depend on timing. The n-th is picked by a seeded generator among the requests of that
 * kind an uninterrupted run made.
 */

export interface RequestKind {
  name: string;
  method: string;
  path: RegExp;
}

export const REQUEST_KINDS = {
  kubernetesListing: {
    name: 'kubernetes/kubernetes issues listing',
    method: 'GET',
    path: /^\/repos\/kubernetes\/kubernetes\/issues$/,
  },
  containerdListing: {
    name: 'containerd/containerd issues listing',
    method: 'GET',
    path: /^\/repos\/containerd\/containerd\/issues$/,
  },
  graphql: { name: 'GraphQL PullDetails', method: 'POST', path: /^\/graphql$/ },
  releases: { name: 'releases page', method: 'GET', path: /^\/repos\/[^/]+\/[^/]+\/releases$/ },
  identity: { name: 'repository identity', method: 'GET', path: /^\/repos\/[^/]+\/[^/]+$/ },
} satisfies Record<string, RequestKind>;

export interface PlannedFault {
  kind: RequestKind;
  /** The n-th request of that kind (retries count too). */
  occurrence: number;
  fault: Fault;
}

export function matches(kind: RequestKind, exchange: Pick<Exchange, 'method' | 'url'>): boolean {
  return exchange.method === kind.method && kind.path.test(exchange.url.pathname);
}

/** How many requests of this kind a run made (from the fake GitHub's log). */
export function countOf(github: FakeGitHub, kind: RequestKind): number {
  return github.requests.filter((r) => r.method === kind.method && kind.path.test(r.path)).length;
}

export function describeFault(planned: PlannedFault): string {
  return `${faultLabel(planned.fault)} on ${planned.kind.name} #${planned.occurrence}`;
}

/** A tap that answers each planned request with its fault, once; `applied` lists what was injected. */
export function faultTap(plan: readonly PlannedFault[], applied: string[]): Tap {
  const seen = plan.map(() => 0);
  const done = plan.map(() => false);
  return {
    received: (exchange) => {
      let chosen: number | undefined;
      for (const [i, planned] of plan.entries()) {
        if (!matches(planned.kind, exchange)) continue;
        seen[i] = (seen[i] ?? 0) + 1;
        // Two faults aimed at one request: the second takes the next request of that kind.
        if (chosen === undefined && !done[i] && (seen[i] ?? 0) >= planned.occurrence) chosen = i;
      }
      if (chosen === undefined) return undefined;
      const planned = plan[chosen] as PlannedFault;
      done[chosen] = true;
      applied.push(`${describeFault(planned)} (request ${exchange.n}: ${describeRequest(exchange)})`);
      return planned.fault;
    },
  };
}

const DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';

/** GitHub's answers, as documented and as seen in the wild. */
export const FAULTS = {
  internalError: { kind: 'answer', status: 500, body: { message: 'Server Error' }, label: '500' },
  badGateway: { kind: 'answer', status: 502, body: { message: 'Server Error' }, label: '502' },
  unavailable: {
    kind: 'answer',
    status: 503,
    body: { message: 'Service Unavailable', documentation_url: 'https://docs.github.com/rest' },
    label: '503',
  },
  secondaryRateLimit: {
    kind: 'answer',
    status: 403,
    headers: { 'retry-after': '1' },
    body: {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url: `${DOCS}#about-secondary-rate-limits`,
    },
    label: '403 secondary rate limit, Retry-After: 1',
  },
  abuse: {
    kind: 'answer',
    status: 429,
    headers: { 'retry-after': '1' },
    body: {
      message: 'You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.',
      documentation_url: `${DOCS}#abuse-rate-limits`,
    },
    label: '429 abuse detection, Retry-After: 1',
  },
  graphqlTimeout: {
    kind: 'answer',
    status: 200,
    body: {
      data: null,
      errors: [
        {
          message:
            'Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include `C3A8:5E1B:1D2F3A:1E0B2C:5CF1A2B3` when reporting this issue.',
        },
      ],
    },
    label: 'GraphQL 200 with a timeout error',
  },
  reset: { kind: 'reset' },
  truncated: { kind: 'truncate' },
  malformed: { kind: 'malformed' },
} satisfies Record<string, Fault>;

/** GraphQL's own rate limit, reported as HTTP 200 with errors, resetting in a second. */
export function graphqlRateLimited(): Fault {
  return {
    kind: 'answer',
    status: 200,
    headers: () => ({
      'x-ratelimit-remaining': '0',
      'x-ratelimit-resource': 'graphql',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1),
    }),
    body: { data: null, errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 4242.' }] },
    label: 'GraphQL 200 RATE_LIMITED',
  };
}

/** The primary rate limit exhausted, resetting in an hour: too far to wait for. */
export function primaryRateLimitFarAway(): Fault {
  return {
    kind: 'answer',
    status: 403,
    headers: () => ({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) }),
    body: { message: 'API rate limit exceeded for user ID 4242.', documentation_url: DOCS },
    label: '403 rate limit exhausted for an hour',
  };
}
