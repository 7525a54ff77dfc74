import { Counter, collectDefaultMetrics, Gauge, type Metric, type MetricValueWithName, Registry } from 'prom-client';
import type { QuotaRow } from '../github/budget.js';
import type { Logger } from '../lib/logger.js';
import type { Db } from '../store/db.js';
import { loadQuotas } from '../store/github-budget.js';
import { DURATION_BUCKETS, repoNames, runsAfter } from '../store/run-metrics.js';
import { EMPTY_FOLD, type FoldState, fold, type MetricViews, metricViews } from './run-totals.js';

/**
 * radar's Prometheus metrics, on a registry of their own (never prom-client's global one, so
 * that two apps in one test process do not share figures).
 *
 * Everything about runs comes from the runs table, which every `radar serve`, `radar worker` and
 * CLI process records into: scraping any one serve process shows the work of all of them, and
 * a restart loses nothing. A run's figures are recorded when it ends, so a run in flight shows
 * only in radar_runs_running. Process metrics (memory, CPU, event loop) are this process's own.
 */
export interface RadarMetrics {
  registry: Registry;
  /** The exposition text; the metrics' collect() callbacks share one read of the database. */
  render(): Promise<string>;
  contentType: string;
}

export function createMetrics(db: Db, logger: Logger): RadarMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  let state: FoldState = EMPTY_FOLD;
  let views: MetricViews | undefined;
  let databaseUp = 0;
  let quotas: QuotaRow[] = [];

  /** Folds the runs newer than the settled watermark into the totals (src/store/run-metrics.ts). */
  const refresh = async (): Promise<void> => {
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const window = await runsAfter(db, state.settledId);
        const next = fold(state, window);
        state = next.state;
        if (next.replaced) {
          logger.info('metrics: the runs table was replaced; reading it again');
          continue;
        }
        views = metricViews(next.current, await repoNames(db));
        break;
      }
      quotas = await loadQuotas(db);
      databaseUp = 1;
    } catch (error) {
      // The last figures stay (counters never go back); radar_database_up says they are stale.
      databaseUp = 0;
      logger.warn({ error: (error as Error).message }, 'metrics: could not read the runs table');
    }
  };
  // Every metric's collect() runs at once for a scrape: they share one refresh.
  let inflight: Promise<void> | undefined;
  const snapshot = (): Promise<void> => {
    inflight ??= refresh().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  const fromViews = (pick: (v: MetricViews) => Array<{ labels: Record<string, string>; value: number }>) =>
    async function (this: Counter<string> | Gauge<string>) {
      await snapshot();
      this.reset();
      for (const { labels, value } of views ? pick(views) : []) {
        if (this instanceof Counter) this.inc(labels, value);
        else this.set(labels, value);
      }
    };

  const repoSource = ['repo', 'source'] as const;
  new Counter({
    name: 'radar_github_requests_total',
    help: 'REST requests GitHub charged to finished runs (not free 304 answers, not GraphQL), per repo and source',
    labelNames: repoSource,
    registers: [registry],
    collect: fromViews((v) => v.requests),
  });
  new Counter({
    name: 'radar_github_not_modified_total',
    help: 'GitHub answers 304 Not Modified (free under the rate limit) in finished runs, per repo and source',
    labelNames: repoSource,
    registers: [registry],
    collect: fromViews((v) => v.notModified),
  });
  new Counter({
    name: 'radar_github_graphql_points_total',
    help: 'GitHub GraphQL rate-limit points spent by finished runs, per repo and source',
    labelNames: repoSource,
    registers: [registry],
    collect: fromViews((v) => v.graphqlPoints),
  });
  new Gauge({
    name: 'radar_github_rate_limit_remaining',
    help: 'GitHub rate limit remaining as the newest finished run last saw it, per resource (core, graphql)',
    labelNames: ['resource'],
    registers: [registry],
    collect: fromViews((v) => v.rateLimitRemaining),
  });
  const budgetGauge = (name: string, help: string, value: (q: QuotaRow, now: Date) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['credential', 'resource'],
      registers: [registry],
      async collect() {
        await snapshot();
        this.reset();
        const now = new Date();
        for (const q of quotas) this.set({ credential: q.credential, resource: q.resource }, value(q, now));
      },
    });
  budgetGauge(
    'radar_github_budget_remaining',
    "What each credential (token fingerprint or app installation) has left of GitHub's limit, as any radar process last saw it; a window that has reset counts as full",
    (q, now) => (q.resetAt <= now ? q.limit : q.remaining),
  );
  budgetGauge('radar_github_budget_limit', "Each credential's hourly GitHub limit, per resource", (q) => q.limit);
  budgetGauge(
    'radar_github_budget_reset_timestamp_seconds',
    "When each credential's GitHub rate-limit window resets (Unix seconds)",
    (q) => Math.floor(q.resetAt.getTime() / 1000),
  );
  new Counter({
    name: 'radar_items_new_total',
    help: 'Items stored for the first time by finished runs, per repo and source',
    labelNames: repoSource,
    registers: [registry],
    collect: fromViews((v) => v.itemsNew),
  });
  new Counter({
    name: 'radar_items_updated_total',
    help: 'Stored items updated by finished runs, per repo and source',
    labelNames: repoSource,
    registers: [registry],
    collect: fromViews((v) => v.itemsUpdated),
  });
  new Counter({
    name: 'radar_runs_total',
    help: 'Finished runs per repo, source and status (succeeded, failed, deferred, partial)',
    labelNames: ['repo', 'source', 'status'],
    registers: [registry],
    collect: fromViews((v) => v.runs),
  });
  new Gauge({
    name: 'radar_runs_running',
    help: 'Runs in flight (recorded as running), per repo and source',
    labelNames: repoSource,
    registers: [registry],
    collect: fromViews((v) => v.running),
  });
  new Gauge({
    name: 'radar_run_last_success_timestamp_seconds',
    help: 'When the last successful run finished (Unix seconds), per repo and source',
    labelNames: repoSource,
    registers: [registry],
    collect: fromViews((v) => v.lastSuccess),
  });
  new Gauge({
    name: 'radar_coverage_ratio',
    help: 'Captured / expected items of the newest coverage check, per repo and source (1: nothing missed)',
    labelNames: repoSource,
    registers: [registry],
    collect: fromViews((v) => v.coverage),
  });
  registry.registerMetric(
    runDurations(async () => {
      await snapshot();
      return views;
    }),
  );
  new Gauge({
    name: 'radar_database_up',
    help: 'Whether the last read of the runs table for these metrics succeeded (0: the run figures are stale)',
    registers: [registry],
    async collect() {
      await snapshot();
      this.set(databaseUp);
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}

/**
 * A histogram whose buckets are counted by the database rather than observed here.
 * prom-client's Histogram only learns through observe(), one value at a time; the registry
 * needs no more of a metric than its name, help, type and get(), which this provides.
 */
function runDurations(current: () => Promise<MetricViews | undefined>): Metric<string> {
  const name = 'radar_run_duration_seconds';
  const metric = {
    name,
    help: 'Duration of finished runs (start to recorded end), per repo and source',
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      const values: MetricValueWithName<string>[] = [];
      for (const series of (await current())?.durations ?? []) {
        DURATION_BUCKETS.forEach((bound, i) => {
          values.push({ metricName: `${name}_bucket`, labels: { ...series.labels, le: bound }, value: series.buckets[i] ?? 0 });
        });
        values.push({ metricName: `${name}_bucket`, labels: { ...series.labels, le: '+Inf' }, value: series.count });
        values.push({ metricName: `${name}_sum`, labels: series.labels, value: series.sum });
        values.push({ metricName: `${name}_count`, labels: series.labels, value: series.count });
      }
      return { name, help: metric.help, type: 'histogram', aggregator: 'sum', values };
    },
  };
  return metric as unknown as Metric<string>;
}
