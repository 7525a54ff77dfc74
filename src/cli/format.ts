import type { RunSummary } from '../domain/run.js';
import { formatTable } from '../lib/terminal.js';
import { compactUtc } from '../lib/time.js';

export { compactUtc };

/**
 * One line per run. `history` (radar runs) adds when each started, what GitHub said was left of
 * the hourly budget after it, and a coverage run's captured/expected: a list of past runs is read
 * for when and how close to the limit, a poll's own summary for what it just did.
 */
export function formatRunTable(runs: RunSummary[], options: { history?: boolean } = {}): string {
  const rows = runs.map((run) => [
    ...(options.history ? [compactUtc(run.startedAt)] : []),
    run.repo,
    run.source,
    run.status,
    run.itemsNew,
    run.itemsUpdated,
    run.requests,
    run.notModified,
    run.graphqlPoints,
    ...(options.history
      ? [run.rateLimitRemaining ?? '', run.coverage ? `${run.coverage.captured}/${run.coverage.expected}` : '']
      : []),
    run.finishedAt ? `${((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000).toFixed(1)}s` : '',
    run.error ?? (run.warnings.length ? `${run.warnings.length} warning(s)` : ''),
  ]);
  const header = [
    ...(options.history ? ['started (UTC)'] : []),
    ...['repo', 'source', 'status', 'new', 'updated', 'requests', '304s', 'points'],
    ...(options.history ? ['remaining', 'coverage'] : []),
    'duration',
    'error',
  ];
  return formatTable(header, rows, 80);
}

export function totalsLine(runs: RunSummary[]): string {
  const total = (key: 'itemsNew' | 'itemsUpdated' | 'requests' | 'notModified' | 'graphqlPoints') =>
    runs.reduce((sum, run) => sum + run[key], 0);
  const failed = runs.filter((r) => r.status === 'failed').length;
  const deferred = runs.filter((r) => r.status === 'deferred').length;
  return `${runs.length} runs${failed ? `, ${failed} failed` : ''}${deferred ? `, ${deferred} deferred to the rate-limit reset` : ''}: ${total('itemsNew')} new, ${total('itemsUpdated')} updated, ${total('requests')} requests, ${total('notModified')} answered 304, ${total('graphqlPoints')} GraphQL points`;
}

export function runJson(run: RunSummary): Record<string, unknown> {
  return {
    id: run.id,
    repo: run.repo,
    source: run.source,
    trigger: run.trigger,
    status: run.status,
    items_new: run.itemsNew,
    items_updated: run.itemsUpdated,
    requests: run.requests,
    not_modified: run.notModified,
    graphql_points: run.graphqlPoints,
    rate_limit_remaining: run.rateLimitRemaining,
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    coverage: run.coverage ?? null,
    error: run.error,
    warnings: run.warnings,
  };
}
