import { describe, expect, it } from 'vitest';
import { DURATION_BUCKETS, type RunGroupRow } from '../../src/store/run-metrics.js';
import { EMPTY_FOLD, fold, metricViews } from '../../src/web/run-totals.js';

const group = (over: Partial<RunGroupRow>): RunGroupRow => ({
  repoId: 1,
  source: 'pulls',
  status: 'succeeded',
  settled: true,
  runs: 1,
  requests: 1,
  notModified: 0,
  graphqlPoints: 0,
  itemsNew: 0,
  itemsUpdated: 0,
  seconds: 1,
  buckets: DURATION_BUCKETS.map((b) => (b >= 1 ? 1 : 0)),
  lastFinishedAt: null,
  coreRemaining: null,
  graphqlRemaining: null,
  coverage: null,
  ...over,
});

describe('run totals for /metrics', () => {
  it('keeps settled runs once and counts unsettled ones only in the answer', () => {
    const first = fold(EMPTY_FOLD, {
      maxId: 5,
      settledId: 3,
      groups: [group({ runs: 3, requests: 6 }), group({ settled: false, requests: 2 })],
    });
    expect(first.state.settledId).toBe(3);
    expect(first.state.settled).toHaveLength(1);
    expect(first.current[0]?.requests).toBe(8);
    const second = fold(first.state, { maxId: 6, settledId: 6, groups: [group({ runs: 3, requests: 4 })] });
    expect(second.current[0]).toMatchObject({ runs: 6, requests: 10 });
    expect(second.current[0]?.buckets.at(-1)).toBe(2);
  });

  it('starts again when the runs table holds fewer runs than it did (restored or emptied)', () => {
    const state = fold(EMPTY_FOLD, { maxId: 9, settledId: 9, groups: [group({})] }).state;
    expect(fold(state, { maxId: 2, settledId: 2, groups: [] })).toMatchObject({ replaced: true, state: EMPTY_FOLD });
  });

  it('reads coverage under the checked source, 1 when nothing was expected, and the newest rate limits', () => {
    const views = metricViews(
      [
        group({ source: 'coverage:releases', coverage: [4, 0, 0] }),
        group({ source: 'coverage:pulls', coverage: [3, 9, 10], coreRemaining: [3, 100] }),
        group({ source: 'pulls', coreRemaining: [7, 90], graphqlRemaining: [2, 4000] }),
      ],
      new Map([[1, 'containerd/containerd']]),
    );
    expect(views.coverage).toEqual([
      { labels: { repo: 'containerd/containerd', source: 'releases' }, value: 1 },
      { labels: { repo: 'containerd/containerd', source: 'pulls' }, value: 0.9 },
    ]);
    expect(views.rateLimitRemaining).toEqual([
      { labels: { resource: 'core' }, value: 90 },
      { labels: { resource: 'graphql' }, value: 4000 },
    ]);
  });
});
