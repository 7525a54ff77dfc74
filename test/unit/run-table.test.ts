import { describe, expect, it } from 'vitest';
import { compactUtc, formatRunTable, runJson } from '../../src/cli/format.js';
import type { RunSummary } from '../../src/domain/run.js';

const run = (overrides: Partial<RunSummary>): RunSummary => ({
  id: 1,
  repo: 'knative/serving',
  source: 'pulls',
  trigger: 'poll',
  status: 'succeeded',
  itemsNew: 3,
  itemsUpdated: 1,
  requests: 4,
  notModified: 2,
  graphqlPoints: 1,
  rateLimitRemaining: 4987,
  startedAt: new Date('2019-05-20T14:03:59.900+02:00'),
  finishedAt: new Date('2019-05-20T12:04:01.400Z'),
  error: null,
  warnings: [],
  ...overrides,
});

describe('the run table', () => {
  it('writes start times in UTC to the minute', () => {
    expect(compactUtc(new Date('2019-05-20T14:03:59.900+02:00'))).toBe('2019-05-20 12:03');
  });

  it('shows start, remaining rate limit and coverage for radar runs, and keeps the poll summary as it was', () => {
    const runs = [
      run({ source: 'coverage:pulls', trigger: 'coverage', coverage: { captured: 41, expected: 43 } }),
      run({ rateLimitRemaining: null }),
    ];
    const history = formatRunTable(runs, { history: true }).split('\n');
    expect(history[0]).toBe(
      'started (UTC)     repo             source          status     new  updated  requests  304s  points  remaining  coverage  duration  error',
    );
    expect(history[2]).toBe(
      '2019-05-20 12:03  knative/serving  coverage:pulls  succeeded  3    1        4         2     1       4987       41/43     1.5s',
    );
    expect(history[3]).toBe(
      '2019-05-20 12:03  knative/serving  pulls           succeeded  3    1        4         2     1                            1.5s',
    );
    expect(formatRunTable(runs).split('\n')[0]).toBe(
      'repo             source          status     new  updated  requests  304s  points  duration  error',
    );
    expect(runJson(runs[0] as RunSummary)).toMatchObject({
      started_at: '2019-05-20T12:03:59.900Z',
      rate_limit_remaining: 4987,
      coverage: { captured: 41, expected: 43 },
    });
    expect(runJson(runs[1] as RunSummary)).toMatchObject({ rate_limit_remaining: null, coverage: null });
  });
});
