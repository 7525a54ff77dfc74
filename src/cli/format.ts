import type { RunSummary } from '../domain/run.js';
import { formatTable } from '../lib/terminal.js';

export function formatRunTable(runs: RunSummary[]): string {
  const rows = runs.map((run) => [
    run.repo,
    run.source,
    run.status,
    run.itemsNew,
    run.itemsUpdated,
    run.requests,
    run.notModified,
    run.graphqlPoints,
    run.finishedAt ? `${((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000).toFixed(1)}s` : '',
    run.error ?? (run.warnings.length ? `${run.warnings.length} warning(s)` : ''),
  ]);
  return formatTable(['repo', 'source', 'status', 'new', 'updated', 'requests', '304s', 'points', 'duration', 'error'], rows, 80);
}

export function totalsLine(runs: RunSummary[]): string {
  const total = (key: 'itemsNew' | 'itemsUpdated' | 'requests' | 'notModified' | 'graphqlPoints') =>
    runs.reduce((sum, run) => sum + run[key], 0);
  const failed = runs.filter((r) => r.status === 'failed').length;
  return `${runs.length} runs${failed ? `, ${failed} failed` : ''}: ${total('itemsNew')} new, ${total('itemsUpdated')} updated, ${total('requests')} requests, ${total('notModified')} answered 304, ${total('graphqlPoints')} GraphQL points`;
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
    error: run.error,
    warnings: run.warnings,
  };
}
