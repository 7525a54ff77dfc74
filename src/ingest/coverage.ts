import { sql } from 'kysely';
import pLimit from 'p-limit';
import type { WatchedRepo } from '../config/config.js';
import type { Item } from '../domain/item.js';
import type { SourceName } from '../domain/source.js';
import { fetchBlobs, fetchPullDetails } from '../github/batch.js';
import { parseList, restCommit, restIssue, restPull, restRelease } from '../github/payloads.js';
import type { Period } from '../lib/time.js';
import { issueFromListing } from '../sources/issues.js';
import { isKepCandidate, kepLocation, parseKepDocument } from '../sources/kep-document.js';
import { isPullRequest, pullFromPullsApi, withPullDetails } from '../sources/pulls.js';
import { releaseFromRest } from '../sources/releases.js';
import { proposalSignals } from '../sources/signals.js';
import { splitRepo } from '../sources/source.js';
import { diffCommits } from '../sources/tree-diff.js';
import type { Db } from '../store/db.js';
import { upsertItems } from '../store/items.js';
import { syncRepos } from '../store/repos.js';
import type { IngestDeps } from './poll.js';
import { type ActiveRun, newBatchId, recordRun } from './run.js';

/**
 * Completeness, checked independently of the incremental cursors: for each repo and source, a
 * full listing of the period from a different angle than polling (the pulls endpoint instead of
 * the issues listing; a tree comparison of the period's two ends for KEPs) is compared with what
 * is stored. "captured N of M, K missing", with the missing ones named; `repair` stores them.
 */

export interface CoverageOptions {
  period: Period;
  repos?: string[] | undefined;
  sources?: SourceName[] | undefined;
  /** Store what is missing (pull requests are enriched as polling would). */
  repair?: boolean;
  trigger: 'coverage' | 'schedule';
}

export interface MissingItem {
  key: string;
  title: string;
  url: string;
}

export interface CoverageReport {
  repo: string;
  source: SourceName;
  expected: number;
  captured: number;
  missing: MissingItem[];
  repaired: number;
  /** Set when the check itself failed (or was deferred). */
  error: string | null;
  /** The check was stopped by the rate limit, spent on every credential: try again after the reset. */
  deferred: boolean;
}

interface Expected {
  key: string;
  title: string;
  url: string;
  /** How to store it if it is missing and repair was asked. */
  item?: Item;
}

export async function coverage(deps: IngestDeps, options: CoverageOptions): Promise<CoverageReport[]> {
  const { config, db } = deps;
  const rows = await syncRepos(db, config.repos);
  const selected = options.repos?.length
    ? config.repos.filter((r) => options.repos?.some((name) => name.toLowerCase() === r.repo.toLowerCase()))
    : config.repos;
  const batchId = newBatchId();
  const limit = pLimit(config.github.concurrency);
  const jobs: Array<Promise<CoverageReport>> = [];
  for (const repo of selected) {
    const row = rows.get(repo.repo.toLowerCase());
    if (!row) continue;
    const watched: WatchedRepo = { ...repo, repo: row.full_name };
    for (const source of repo.sources.filter((s) => !options.sources || options.sources.includes(s))) {
      jobs.push(
        limit(async () => {
          const report: CoverageReport = {
            repo: row.full_name,
            source,
            expected: 0,
            captured: 0,
            missing: [],
            repaired: 0,
            deferred: false,
            error: null,
          };
          const run = await recordRun(
            {
              deps,
              batchId,
              trigger: options.trigger === 'schedule' ? 'coverage' : options.trigger,
              repo: row.full_name,
              repoId: row.id,
              source: `coverage:${source}`,
              logger: deps.logger.child({ repo: row.full_name, coverage: source }),
            },
            async (active) => {
              const expected = await expectedItems(active, watched, row.default_branch ?? 'master', source, options.period);
              const stored = await storedKeys(
                db,
                row.id,
                source,
                expected.map((e) => e.key),
                options.period,
              );
              const missing = expected.filter((e) => !stored.has(e.key));
              report.expected = expected.length;
              report.captured = expected.length - missing.length;
              report.missing = missing.map(({ key, title, url }) => ({ key, title, url }));
              if (options.repair) {
                const items = await repairable(active, watched, missing);
                if (items.length > 0) {
                  const outcome = await db.transaction().execute((trx) =>
                    upsertItems(
                      trx,
                      row.id,
                      items.map((item) => ({ item, events: [] })),
                    ),
                  );
                  active.count(outcome.inserted, outcome.updated);
                  report.repaired = outcome.inserted + outcome.updated;
                }
              }
              active.details = {
                from: options.period.from.toISOString(),
                to: options.period.to.toISOString(),
                expected: report.expected,
                captured: report.captured,
                missing: report.missing.map((m) => m.key),
                repaired: report.repaired,
              };
            },
          );
          if (run.status === 'failed' || run.status === 'deferred' || run.status === 'skipped') report.error = run.error;
          report.deferred = run.status === 'deferred';
          return report;
        }),
      );
    }
  }
  return Promise.all(jobs);
}

async function expectedItems(
  run: ActiveRun,
  repo: WatchedRepo,
  branch: string,
  source: SourceName,
  period: Period,
): Promise<Expected[]> {
  switch (source) {
    case 'pulls':
      return expectedPulls(run, repo, period);
    case 'releases':
      return expectedReleases(run, repo, period);
    case 'issues':
      return expectedIssues(run, repo, period);
    case 'keps':
      return expectedKeps(run, repo, branch, period);
  }
}

const within = (at: string | null | undefined, period: Period) => {
  if (!at) return false;
  const t = Date.parse(at);
  return t >= period.from.getTime() && t < period.to.getTime();
};

/** Merged pull requests of the period, from the pulls endpoint (closed, most recently updated first). */
async function expectedPulls(run: ActiveRun, repo: WatchedRepo, period: Period): Promise<Expected[]> {
  const { owner, repo: name } = splitRepo(repo.repo);
  const result: Expected[] = [];
  for (let page = 1; ; page++) {
    const data = await run.deps.github.get<unknown>('/repos/{owner}/{repo}/pulls', {
      owner,
      repo: name,
      state: 'closed',
      sort: 'updated',
      direction: 'desc',
      per_page: 100,
      page,
    });
    const { items } = parseList(restPull, data, 'pull request');
    for (const pull of items) {
      if (within(pull.merged_at, period)) {
        result.push({ key: String(pull.number), title: pull.title, url: pull.html_url, item: pullFromPullsApi(repo.repo, pull) });
      }
    }
    // Merged before `from` means updated before it too: nothing older can be in the period.
    const last = items.at(-1);
    if ((data as unknown[]).length < 100 || !last || Date.parse(last.updated_at) < period.from.getTime()) return result;
  }
}

async function expectedReleases(run: ActiveRun, repo: WatchedRepo, period: Period): Promise<Expected[]> {
  const { owner, repo: name } = splitRepo(repo.repo);
  const result: Expected[] = [];
  for (let page = 1; ; page++) {
    const data = await run.deps.github.get<unknown>('/repos/{owner}/{repo}/releases', { owner, repo: name, per_page: 100, page });
    const { items } = parseList(restRelease, data, 'release');
    for (const release of items) {
      if (!release.draft && within(release.published_at ?? release.created_at, period)) {
        result.push({
          key: release.tag_name,
          title: release.name ?? release.tag_name,
          url: release.html_url,
          item: releaseFromRest(repo.repo, release),
        });
      }
    }
    const last = items.at(-1);
    if ((data as unknown[]).length < 100 || !last || Date.parse(last.created_at) < period.from.getTime()) return result;
  }
}

/** Design discussions opened in the period, by the same rule polling keeps them by. */
async function expectedIssues(run: ActiveRun, repo: WatchedRepo, period: Period): Promise<Expected[]> {
  const { owner, repo: name } = splitRepo(repo.repo);
  const result: Expected[] = [];
  for (let page = 1; ; page++) {
    const data = await run.deps.github.get<unknown>('/repos/{owner}/{repo}/issues', {
      owner,
      repo: name,
      state: 'all',
      sort: 'created',
      direction: 'desc',
      since: period.from.toISOString(),
      per_page: 100,
      page,
    });
    const { items } = parseList(restIssue, data, 'issue');
    for (const issue of items) {
      if (isPullRequest(issue) || !within(issue.created_at, period)) continue;
      const facts = {
        title: issue.title,
        body: issue.body,
        labels: issue.labels.map((l) => l.name),
        comments: issue.comments,
        reactions: issue.reactions?.total_count ?? null,
      };
      const signals = proposalSignals(facts);
      if (signals.length > 0)
        result.push({
          key: String(issue.number),
          title: issue.title,
          url: issue.html_url,
          item: issueFromListing(repo.repo, issue, signals),
        });
    }
    const last = items.at(-1);
    if ((data as unknown[]).length < 100 || !last || Date.parse(last.created_at) < period.from.getTime()) return result;
  }
}

/**
 * KEP documents whose content differs between the period's two ends: the default branch as of
 * `from` and as of `to`, compared tree to tree, then read at `to` to skip what is not a KEP.
 */
async function expectedKeps(run: ActiveRun, repo: WatchedRepo, branch: string, period: Period): Promise<Expected[]> {
  const { owner, repo: name } = splitRepo(repo.repo);
  const headAt = async (until: Date) => {
    const data = await run.deps.github.get<unknown>('/repos/{owner}/{repo}/commits', {
      owner,
      repo: name,
      sha: branch,
      until: until.toISOString(),
      per_page: 1,
    });
    return parseList(restCommit, data, 'commit').items[0]?.sha ?? null;
  };
  const [start, end] = await Promise.all([headAt(period.from), headAt(new Date(period.to.getTime() - 1))]);
  if (!end || start === end) return [];
  const diff = await diffCommits(run.deps.github, { owner, name }, 'keps', [{ sha: end, bases: start ? [start] : [] }]);
  const changed = (diff.changes.get(end) ?? []).filter((f) => f.oid && isKepCandidate(f.path));
  const blobs = await fetchBlobs(
    run.deps.github,
    { owner, name },
    changed.map((f) => `${end}:${f.path}`),
  );
  const result: Expected[] = [];
  for (const file of changed) {
    const text = blobs.get(`${end}:${file.path}`)?.text;
    if (!text) continue;
    const parsed = parseKepDocument(file.path, text);
    if (parsed.kind !== 'kep') continue;
    result.push({
      key: kepLocation(file.path),
      title: parsed.fields.title,
      url: `https://github.com/${repo.repo}/blob/${branch}/${file.path}`,
    });
  }
  return result;
}

/** Which of the expected keys are stored (for KEPs: by location, with an event in the period). */
async function storedKeys(db: Db, repoId: number, source: SourceName, keys: string[], period: Period): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  if (source === 'keps') {
    const rows = await db
      .selectFrom('items')
      .innerJoin('item_events', 'item_events.item_id', 'items.id')
      .select(sql<string>`items.details->>'location'`.as('location'))
      .where('items.repo_id', '=', repoId)
      .where('items.kind', '=', 'kep')
      .where(sql<string>`items.details->>'location'`, 'in', keys)
      .where('item_events.occurred_at', '>=', period.from)
      .where('item_events.occurred_at', '<', period.to)
      .execute();
    return new Set(rows.map((r) => r.location));
  }
  const kind = { pulls: 'pull', releases: 'release', issues: 'issue' }[source];
  const rows = await db
    .selectFrom('items')
    .select('key')
    .where('repo_id', '=', repoId)
    .where('kind', '=', kind)
    .where('key', 'in', keys)
    .execute();
  return new Set(rows.map((r) => r.key));
}

/** Missing items that can be stored straight away; pull requests are enriched first, as in polling. */
async function repairable(run: ActiveRun, repo: WatchedRepo, missing: Expected[]): Promise<Item[]> {
  const items = missing.map((m) => m.item).filter((item): item is Item => item !== undefined);
  const pulls = items.filter((item) => item.kind === 'pull');
  if (pulls.length === 0) return items;
  const { owner, repo: name } = splitRepo(repo.repo);
  const { details } = await fetchPullDetails(
    run.deps.github,
    { owner, name },
    pulls.map((p) => p.number as number),
  );
  const now = new Date();
  return items.map((item) => {
    const gql = item.kind === 'pull' ? details.get(item.number as number) : undefined;
    return gql ? withPullDetails(item, gql, now) : item;
  });
}
