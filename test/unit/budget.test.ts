import { describe, expect, it } from 'vitest';
import { Budget, quotaFromHeaders } from '../../src/github/budget.js';

const now = new Date('2026-12-03T12:00:00Z');
const inMinutes = (m: number) => new Date(now.getTime() + m * 60_000);
const quota = (remaining: number, resetInMinutes: number, observedMinutesAgo = 0, limit = 5000) => ({
  limit,
  remaining,
  resetAt: inMinutes(resetInMinutes),
  observedAt: inMinutes(-observedMinutesAgo),
});

describe('GitHub budget over several credentials', () => {
  it('picks the credential with most left, the first configured on a tie', () => {
    const budget = new Budget(['token:a', 'token:b', 'app:1:installation:2']);
    expect(budget.pick('core', now)).toBe('token:a'); // nothing reported yet: all assumed full
    budget.observe('token:a', 'core', quota(120, 30));
    budget.observe('token:b', 'core', quota(4000, 30));
    budget.observe('app:1:installation:2', 'core', quota(4000, 50, 0, 15000));
    expect(budget.pick('core', now)).toBe('token:b');
    expect(budget.pick('core', now, new Set(['token:b']))).toBe('app:1:installation:2');
    // Resources are separate budgets.
    budget.observe('token:a', 'graphql', quota(4999, 30));
    budget.observe('token:b', 'graphql', quota(10, 30));
    budget.observe('app:1:installation:2', 'graphql', quota(10, 30));
    expect(budget.pick('graphql', now)).toBe('token:a');
  });

  it('counts a window that has reset as full again', () => {
    const budget = new Budget(['token:a', 'token:b']);
    budget.observe('token:a', 'core', quota(0, -1));
    budget.observe('token:b', 'core', quota(200, 30));
    expect(budget.remaining('token:a', 'core', now)).toBe(5000);
    expect(budget.pick('core', now)).toBe('token:a');
  });

  it('says every credential is spent until the first of them resets', () => {
    const budget = new Budget(['token:a', 'token:b']);
    budget.observe('token:a', 'core', quota(0, 40));
    expect(budget.exhaustedUntil(['core', 'graphql'], now)).toBeNull(); // b has not reported: assumed full
    budget.observe('token:b', 'core', quota(3, 25));
    expect(budget.exhaustedUntil(['core', 'graphql'], now)).toBeNull(); // 3 left is not spent
    expect(budget.exhaustedUntil(['core', 'graphql'], now, 100)).toEqual(inMinutes(25)); // but within the reserve
    budget.observe('token:b', 'core', quota(0, 25));
    expect(budget.pick('core', now)).toBeNull();
    expect(budget.soonestReset('core', now)).toBe('token:b');
    expect(budget.exhaustedUntil(['core'], now)).toEqual(inMinutes(25));
    expect(budget.exhaustedUntil(['graphql'], now)).toBeNull();
    expect(new Budget([]).exhaustedUntil(['core'], now)).toBeNull(); // unauthenticated: nothing to defer on
  });

  it('caps the reserve at a tenth of a limit, so that a small limit is not all reserve', () => {
    const budget = new Budget(['token:a']);
    budget.observe('token:a', 'core', quota(7, 30, 0, 60));
    expect(budget.exhaustedUntil(['core'], now, 100)).toBeNull();
    budget.observe('token:a', 'core', quota(6, 30, 0, 60));
    expect(budget.exhaustedUntil(['core'], now, 100)).toEqual(inMinutes(30));
  });

  it('keeps the newest report, whether seen here or shared by another process', () => {
    const budget = new Budget(['token:a']);
    budget.observe('token:a', 'core', quota(900, 30, 1));
    budget.observe('token:a', 'core', quota(950, 30, 5)); // older: ignored
    expect(budget.remaining('token:a', 'core', now)).toBe(900);
    expect(budget.takeChanged()).toEqual([{ credential: 'token:a', resource: 'core', ...quota(900, 30, 1) }]);
    expect(budget.takeChanged()).toEqual([]);
    budget.merge([{ credential: 'token:a', resource: 'core', ...quota(400, 30, 0) }]);
    expect(budget.remaining('token:a', 'core', now)).toBe(400);
    budget.merge([{ credential: 'token:a', resource: 'core', ...quota(4000, 30, 10) }]);
    expect(budget.remaining('token:a', 'core', now)).toBe(400);
    // A credential this process is not configured with is not taken in.
    budget.merge([{ credential: 'token:zz', resource: 'core', ...quota(1, 30) }]);
    expect(budget.rows().map((r) => r.credential)).toEqual(['token:a', 'token:a']);
    // Merged reports are not shared again.
    expect(budget.takeChanged()).toEqual([]);
  });

  it("reads GitHub's x-ratelimit headers", () => {
    const headers = {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4987',
      'x-ratelimit-reset': '1764763200',
      'x-ratelimit-used': '13',
      'x-ratelimit-resource': 'graphql',
    };
    expect(quotaFromHeaders(headers, 'core', now)).toEqual({
      resource: 'graphql',
      quota: { limit: 5000, remaining: 4987, resetAt: new Date(1764763200 * 1000), observedAt: now },
    });
    const { 'x-ratelimit-resource': _, ...older } = headers;
    expect(quotaFromHeaders(older, 'core', now)?.resource).toBe('core');
    expect(quotaFromHeaders({ ...headers, 'x-ratelimit-resource': 'search' }, 'core', now)).toBeNull();
    expect(quotaFromHeaders({}, 'core', now)).toBeNull();
  });
});
