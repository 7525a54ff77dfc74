import type { RunGroupRow, RunWindow } from '../store/run-metrics.js';

/**
 * Pure bookkeeping behind /metrics: folding the runs table, read a window at a time, into
 * totals per repo+source+status, and the series Prometheus is shown. No I/O, no clock.
 */

export interface FoldState {
  /** Runs up to this id are in `settled` and are never read again. */
  settledId: number;
  settled: RunGroupRow[];
}

export const EMPTY_FOLD: FoldState = { settledId: 0, settled: [] };

/**
 * The next state and what the table holds now. A table whose highest id is below the watermark
 * was replaced (restored, truncated): everything is read again from the start, which the caller
 * does by passing EMPTY_FOLD next time; this scrape answers from the window alone.
 */
export function fold(state: FoldState, window: RunWindow): { state: FoldState; current: RunGroupRow[]; replaced: boolean } {
  if (window.maxId < state.settledId) return { state: EMPTY_FOLD, current: [], replaced: true };
  const newlySettled = window.groups.filter((g) => g.settled);
  const settled = mergeGroups(state.settled, newlySettled);
  const current = mergeGroups(
    settled,
    window.groups.filter((g) => !g.settled),
  );
  return { state: { settledId: window.settledId, settled }, current, replaced: false };
}

const keyOf = (g: RunGroupRow) => `${g.repoId ?? ''}\u0000${g.source}\u0000${g.status}`;

/** Sums groups with the same repo, source and status (and keeps the newest figures of each). */
export function mergeGroups(a: readonly RunGroupRow[], b: readonly RunGroupRow[]): RunGroupRow[] {
  const byKey = new Map<string, RunGroupRow>();
  for (const group of [...a, ...b]) {
    const key = keyOf(group);
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...group, buckets: [...group.buckets] });
      continue;
    }
    byKey.set(key, {
      ...seen,
      settled: seen.settled && group.settled,
      runs: seen.runs + group.runs,
      requests: seen.requests + group.requests,
      notModified: seen.notModified + group.notModified,
      graphqlPoints: seen.graphqlPoints + group.graphqlPoints,
      itemsNew: seen.itemsNew + group.itemsNew,
      itemsUpdated: seen.itemsUpdated + group.itemsUpdated,
      seconds: seen.seconds + group.seconds,
      buckets: seen.buckets.map((n, i) => n + (group.buckets[i] ?? 0)),
      lastFinishedAt: latestDate(seen.lastFinishedAt, group.lastFinishedAt),
      coreRemaining: newest(seen.coreRemaining, group.coreRemaining),
      graphqlRemaining: newest(seen.graphqlRemaining, group.graphqlRemaining),
      coverage: newest(seen.coverage, group.coverage),
    });
  }
  return [...byKey.values()];
}

function latestDate(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

/** The tuple of the higher run id (its first element). */
function newest<T extends number[]>(a: T | null, b: T | null): T | null {
  if (!a) return b;
  if (!b) return a;
  return (b[0] ?? 0) > (a[0] ?? 0) ? b : a;
}

export interface Series {
  labels: Record<string, string>;
  value: number;
}

export interface HistogramSeries {
  labels: Record<string, string>;
  /** Cumulative counts per bound, then +Inf = count. */
  buckets: number[];
  sum: number;
  count: number;
}

export interface MetricViews {
  runs: Series[];
  running: Series[];
  requests: Series[];
  notModified: Series[];
  graphqlPoints: Series[];
  itemsNew: Series[];
  itemsUpdated: Series[];
  durations: HistogramSeries[];
  lastSuccess: Series[];
  coverage: Series[];
  rateLimitRemaining: Series[];
}

/**
 * The series of each metric, labelled by repo name (as stored now: a renamed repo keeps its
 * history under its new name), source and, for outcomes, status. Coverage runs ("coverage:pulls")
 * report their ratio under the source they check ("pulls"); their requests count like any run's.
 */
export function metricViews(groups: readonly RunGroupRow[], names: ReadonlyMap<number, string>): MetricViews {
  const repoOf = (g: RunGroupRow) => (g.repoId == null ? '' : (names.get(g.repoId) ?? `#${g.repoId}`));
  const finished = groups.filter((g) => g.status !== 'running');
  const perSource = (pick: (g: RunGroupRow) => number) => sumBy(finished, (g) => ({ repo: repoOf(g), source: g.source }), pick);
  const views: MetricViews = {
    runs: finished.map((g) => ({ labels: { repo: repoOf(g), source: g.source, status: g.status }, value: g.runs })),
    running: groups
      .filter((g) => g.status === 'running')
      .map((g) => ({ labels: { repo: repoOf(g), source: g.source }, value: g.runs })),
    requests: perSource((g) => g.requests),
    notModified: perSource((g) => g.notModified),
    graphqlPoints: perSource((g) => g.graphqlPoints),
    itemsNew: perSource((g) => g.itemsNew),
    itemsUpdated: perSource((g) => g.itemsUpdated),
    durations: [],
    lastSuccess: finished
      .filter((g) => g.status === 'succeeded' && g.lastFinishedAt)
      .map((g) => ({ labels: { repo: repoOf(g), source: g.source }, value: (g.lastFinishedAt as Date).getTime() / 1000 })),
    coverage: [],
    rateLimitRemaining: [],
  };

  const durations = new Map<string, HistogramSeries>();
  for (const g of finished) {
    const labels = { repo: repoOf(g), source: g.source };
    const key = JSON.stringify(labels);
    const seen = durations.get(key);
    if (seen) {
      seen.buckets = seen.buckets.map((n, i) => n + (g.buckets[i] ?? 0));
      seen.sum += g.seconds;
      seen.count += g.runs;
    } else durations.set(key, { labels, buckets: [...g.buckets], sum: g.seconds, count: g.runs });
  }
  views.durations = [...durations.values()];

  // Newest coverage figures per repo and checked source, whatever the status of later runs.
  const coverage = new Map<string, { labels: Record<string, string>; tuple: [number, number, number] }>();
  for (const g of finished) {
    if (!g.coverage) continue;
    const labels = { repo: repoOf(g), source: g.source.replace(/^coverage:/, '') };
    const key = JSON.stringify(labels);
    const seen = coverage.get(key);
    if (!seen || g.coverage[0] > seen.tuple[0]) coverage.set(key, { labels, tuple: g.coverage });
  }
  views.coverage = [...coverage.values()].map(({ labels, tuple: [, captured, expected] }) => ({
    labels,
    // Nothing expected in the period: nothing was missed.
    value: expected > 0 ? captured / expected : 1,
  }));

  for (const [resource, pick] of [
    ['core', (g: RunGroupRow) => g.coreRemaining],
    ['graphql', (g: RunGroupRow) => g.graphqlRemaining],
  ] as const) {
    let latest: [number, number] | null = null;
    for (const g of finished) latest = newest(latest, pick(g));
    if (latest) views.rateLimitRemaining.push({ labels: { resource }, value: latest[1] });
  }
  return views;
}

function sumBy(
  groups: readonly RunGroupRow[],
  labelsOf: (g: RunGroupRow) => Record<string, string>,
  pick: (g: RunGroupRow) => number,
): Series[] {
  const sums = new Map<string, Series>();
  for (const g of groups) {
    const labels = labelsOf(g);
    const key = JSON.stringify(labels);
    const seen = sums.get(key);
    if (seen) seen.value += pick(g);
    else sums.set(key, { labels, value: pick(g) });
  }
  return [...sums.values()];
}
