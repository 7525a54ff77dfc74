import type { Item, ItemWithEvents, PullDetails } from '../domain/item.js';
import type { RunWarning } from '../domain/run.js';
import type { SourceName } from '../domain/source.js';
import { fetchPullDetails } from '../github/batch.js';
import { parseList, type RestIssue, restIssue } from '../github/payloads.js';
import { issueEvents, issueFromListing } from './issues.js';
import { isPullRequest, pullEvents, pullFromListing, withPullDetails, withStoredEnrichment } from './pulls.js';
import { proposalSignals } from './signals.js';
import {
  type KnownItem,
  requestKey,
  type Source,
  type SourceBatch,
  type SourceCursor,
  type SourceRequest,
  splitRepo,
} from './source.js';

/**
 * Pull requests, design issues and enhancement tracking issues of a repo, read from the one
 * listing GitHub offers with a `since` filter:
 * GET /repos/{o}/{r}/issues?state=all&sort=updated&direction=asc&since=T.
 *
 * Oldest-updated first, the cursor can move after every page: each next request asks again for
 * page 1 "since the last updated_at seen", so nothing is skipped when items change mid-listing
 * (a changed item moves to the end, where it is read again). At the end of the listing the
 * cursor stays on the last request, so the next poll repeats it with its ETag: when nothing
 * changed, GitHub answers 304, which costs an authenticated client nothing.
 *
 * Pull requests worth keeping are enriched through GraphQL in batches (sizes, files, reviews);
 * pages are gathered until a batch is worth a query, and stored together with the cursor after
 * the last of them.
 */

const ROUTE = '/repos/{owner}/{repo}/issues';
/** Pull requests to enrich before a batch is stored (four GraphQL queries' worth). */
const FLUSH_PULLS = 200;
/** Pages gathered at most before a batch is stored, so progress is never far behind. */
const FLUSH_PAGES = 10;

type FeedPosition = {
  /** Page within `since` (more than a page of items can share one updated_at). */
  page?: number;
  /** The earliest `since` this cursor has covered, so an older backfill knows to start over. */
  coveredFrom?: string;
};

export const issueFeed: Source = {
  name: 'issue-feed',
  serves: ['pulls', 'issues', 'keps'],
  weight: 3,
  // The KEP documents reader owns the "keps" cursor; this reader covers the tracking issues.
  cursorKey: (source) => (source === 'keps' ? 'kep-tracking-issues' : source),
  label: (sources) => sources.map((s) => (s === 'keps' ? 'keps:tracking-issues' : s)).join('+'),
  read: readIssueFeed,
};

interface Page {
  listed: RestIssue[];
  validators: SourceBatch['validators'][number] | null;
  cursor: SourceCursor;
  warnings: RunWarning[];
}

async function* readIssueFeed(request: SourceRequest): AsyncGenerator<SourceBatch> {
  const { owner, repo } = splitRepo(request.repo.repo);
  const start = startingPoint(request);
  let since = start.since;
  let page = start.page;
  const coveredFrom = start.coveredFrom;
  let done = 0;
  let total: number | null = null;
  let pending: Page[] = [];

  const flush = async (): Promise<SourceBatch | null> => {
    if (pending.length === 0) return null;
    const pages = pending;
    pending = [];
    const last = pages.at(-1) as Page;
    const { items, warnings } = await selectItems(
      request,
      pages.flatMap((p) => p.listed),
    );
    return {
      items,
      cursor: last.cursor,
      validators: pages.flatMap((p) => (p.validators ? [p.validators] : [])),
      warnings: [...pages.flatMap((p) => p.warnings), ...warnings],
      progress: { done, total: total === null ? null : Math.max(total, done) },
    };
  };

  const fetchPage = async (at: Date, number: number) => {
    const params = {
      owner,
      repo,
      state: 'all',
      sort: 'updated',
      direction: 'asc',
      since: at.toISOString(),
      per_page: request.pageSize,
      page: number,
    };
    const key = requestKey(ROUTE, params);
    return { key, result: await request.github.getConditional<unknown>(ROUTE, params, await request.store.validators(key)) };
  };
  // The next page is asked for as soon as its `since` is known, so listing goes on while the
  // previous pages are enriched and stored.
  let ahead: ReturnType<typeof fetchPage> | null = null;

  for (;;) {
    request.signal?.throwIfAborted();
    const { key, result } = await (ahead ?? fetchPage(since, page));
    ahead = null;
    if (!result.modified) break; // nothing changed since this exact request was last answered

    const { items: listed, problems } = parseList(restIssue, result.data, 'issue');
    const warnings: RunWarning[] = problems.map((p) => ({
      message: `skipped a malformed listing entry: ${p.message}`,
      request: key,
    }));
    const rawLength = (result.data as unknown[]).length;
    if (total === null) total = estimateTotal(result.headers.link, request.pageSize, rawLength);
    done += rawLength;

    const until = request.until?.getTime();
    const inWindow = until === undefined ? listed : listed.filter((issue) => Date.parse(issue.updated_at) < until);
    const last = listed.at(-1);
    let next: SourceCursor;
    let finished = false;
    let endOfListing = false;
    if (inWindow.length < listed.length && request.until) {
      // Everything updated before `until` is stored; a later poll continues from there.
      next = cursor(request.until, 1, coveredFrom);
      finished = true;
    } else if (rawLength < request.pageSize || !last) {
      // End of the listing: stay on this request so the next poll can be answered 304.
      next = cursor(since, page, coveredFrom);
      finished = true;
      endOfListing = true;
    } else if (Date.parse(last.updated_at) > since.getTime()) {
      next = cursor(new Date(last.updated_at), 1, coveredFrom);
    } else {
      next = cursor(since, page + 1, coveredFrom); // a full page of ties: step within them
    }
    pending.push({
      listed: inWindow,
      // Only the request the cursor stays on keeps its ETag: a 304 then means "nothing after
      // what was read". A page in the middle of a listing is never asked conditionally.
      validators: endOfListing ? { requestKey: key, etag: result.etag, lastModified: result.lastModified } : null,
      cursor: next,
      warnings,
    });
    if (!finished) {
      ahead = fetchPage(next.since as Date, Number((next.position as FeedPosition).page ?? 1));
      ahead.catch(() => undefined); // if the run stops first, its failure is not unhandled
    }

    const pullsPending = pending.reduce((n, p) => n + p.listed.filter(isPullRequest).length, 0);
    if (finished || pullsPending >= FLUSH_PULLS || pending.length >= FLUSH_PAGES) {
      const batch = await flush();
      if (batch) yield batch;
    }
    if (finished) break;
    since = next.since as Date;
    page = Number((next.position as FeedPosition).page ?? 1);
  }
  const rest = await flush();
  if (rest) yield rest;
}

function cursor(since: Date, page: number, coveredFrom: Date): SourceCursor {
  const position: FeedPosition = { page, coveredFrom: coveredFrom.toISOString() };
  return { since, position };
}

/** Where to start: the stored cursor, unless asked for older history than it covers. */
function startingPoint(request: SourceRequest): { since: Date; page: number; coveredFrom: Date } {
  const stored = request.cursor;
  const position = (stored?.position ?? {}) as FeedPosition;
  const coveredFrom = position.coveredFrom ? new Date(position.coveredFrom) : null;
  if (stored?.since && coveredFrom && (!request.since || request.since >= coveredFrom)) {
    return { since: stored.since, page: position.page ?? 1, coveredFrom };
  }
  const since = request.since ?? request.defaultSince;
  return { since, page: 1, coveredFrom: since };
}

/**
 * What of a listing is kept, by the sources asked for:
 * - pulls: merged pull requests, open ones with proposal signals, and any already stored;
 * - issues: issues with proposal signals (design docs, RFCs, votes, busy threads), and any already stored;
 * - keps: in kubernetes/enhancements, every issue: they are the enhancement tracking issues.
 */
async function selectItems(
  request: SourceRequest,
  listed: RestIssue[],
): Promise<{ items: ItemWithEvents[]; warnings: RunWarning[] }> {
  // The same entry may be listed twice when it changed mid-listing: the newest wins.
  const latest = [...new Map(listed.map((entry) => [entry.number, entry])).values()];
  const wants = (source: SourceName) => request.sources.includes(source);
  const pulls = latest.filter(isPullRequest);
  const issues = latest.filter((i) => !isPullRequest(i));
  const items: ItemWithEvents[] = [];
  const warnings: RunWarning[] = [];

  if (wants('pulls') && pulls.length > 0) {
    const known = await request.store.knownItems(
      'pull',
      pulls.map((p) => String(p.number)),
    );
    const kept = pulls.filter(
      (p) => p.pull_request?.merged_at || known.has(String(p.number)) || proposalSignals(facts(p)).length > 0,
    );
    const enriched = await enrichPulls(request, kept, known, warnings);
    for (const item of enriched) items.push({ item, events: pullEvents(item, known.get(item.key)?.state) });
  }
  if ((wants('issues') || wants('keps')) && issues.length > 0) {
    const known = await request.store.knownItems(
      'issue',
      issues.map((i) => String(i.number)),
    );
    for (const issue of issues) {
      const tracking = wants('keps');
      const signals = tracking ? ['enhancement tracking issue'] : proposalSignals(facts(issue));
      const stored = known.get(String(issue.number));
      if (signals.length === 0 && !stored) continue;
      const item = issueFromListing(request.repo.repo, issue, signals, tracking);
      items.push({ item, events: issueEvents(item, stored) });
    }
  }
  return { items, warnings };
}

function facts(issue: RestIssue) {
  return {
    title: issue.title,
    body: issue.body,
    labels: issue.labels.map((l) => l.name),
    comments: issue.comments,
    reactions: issue.reactions?.total_count ?? null,
  };
}

/**
 * Adds sizes, files and reviews to the kept pull requests: from the store when a merged one was
 * already enriched (what a merge changed never changes), otherwise from GitHub in GraphQL batches.
 */
async function enrichPulls(
  request: SourceRequest,
  kept: RestIssue[],
  known: Map<string, KnownItem>,
  warnings: RunWarning[],
): Promise<Item[]> {
  const items = kept.map((p) => pullFromListing(request.repo.repo, p));
  const toFetch = new Set<number>();
  const result: Item[] = [];
  for (const item of items) {
    const stored = known.get(item.key);
    const storedDetails = stored?.details as Partial<PullDetails> | undefined;
    if (stored?.state === 'merged' && storedDetails?.enrichedAt)
      result.push(withStoredEnrichment(item, stored.details, stored.rawDetails));
    else toFetch.add(item.number as number);
  }
  if (toFetch.size > 0) {
    const { owner, repo } = splitRepo(request.repo.repo);
    const { details, problems } = await fetchPullDetails(request.github, { owner, name: repo }, [...toFetch]);
    for (const problem of problems) warnings.push({ message: `pull request ${problem.key} not enriched: ${problem.message}` });
    const now = new Date();
    for (const item of items) {
      if (!toFetch.has(item.number as number)) continue;
      const gql = details.get(item.number as number);
      result.push(gql ? withPullDetails(item, gql, now) : item);
    }
  }
  return result;
}

/** Items left in the listing, from its Link rel="last" page number. */
function estimateTotal(link: string | undefined, pageSize: number, firstPageLength: number): number | null {
  if (!link) return firstPageLength;
  const last = /[?&]page=(\d+)[^>]*>;\s*rel="last"/.exec(link);
  return last ? Number(last[1]) * pageSize : null;
}
