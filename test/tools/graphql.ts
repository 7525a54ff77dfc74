import type nock from 'nock';

/**
 * GitHub GraphQL answers for nock: `{ data, errors? }` with `rateLimit` as GitHub reports it,
 * computed from the query's variables (aliases p0.., t0.., b0.. switched on by $iN).
 */
export interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown>;
  operation: string;
}

export type GraphqlHandler = (
  request: GraphqlRequest,
) => { data?: Record<string, unknown> | null; errors?: unknown[] } | undefined;

export function rateLimit(cost = 1, remaining = 4990) {
  return { cost, remaining, resetAt: '2019-05-20T01:00:00Z' };
}

/** Indices of the aliases a batched query switched on. */
export function activeAliases(variables: Record<string, unknown>): number[] {
  return Object.keys(variables)
    .filter((k) => /^i\d+$/.test(k) && variables[k] === true)
    .map((k) => Number(k.slice(1)))
    .sort((a, b) => a - b);
}

/** Answers every POST /graphql on the scope with `handler` (until the scope is cleaned). */
export function answerGraphql(scope: nock.Scope, handler: GraphqlHandler, times = 1): nock.Scope {
  return scope
    .post('/graphql')
    .times(times)
    .reply(200, (_uri, body) => {
      const { query, variables } = body as { query: string; variables?: Record<string, unknown> };
      const operation = /query\s+(\w+)/.exec(query)?.[1] ?? 'anonymous';
      const answer = handler({ query, variables: variables ?? {}, operation });
      if (!answer) return { data: null, errors: [{ type: 'NOT_FOUND', message: `unexpected query ${operation}` }] };
      return answer;
    });
}
