import type { ItemWithEvents } from '../domain/item.js';
import type { RunWarning } from '../domain/run.js';
import { parseList, type RestIssue, restIssue } from '../github/payloads.js';
import { isPullRequest, pullFromListing } from './pulls.js';
import { requestKey, type Source, type SourceBatch, type SourceCursor, type SourceRequest, splitRepo } from './source.js';

/**
 * Pull requests (and design issues) of a repo, read from the one listing GitHub offers with a
 * `since` filter: GET /repos/{o}/{r}/issues?state=all&sort=updated&direction=asc&since=T.
 *
 * Oldest-updated first, the cursor can move after every page: each next request asks again for
 * page 1 "since the last updated_at seen", so nothing is skipped when items change mid-listing
 * (a changed item moves to the end, where it is read again). At the end of the listing the
 * cursor stays on the last request, so the next poll repeats it with its ETag: when nothing
 * changed, GitHub answers 304, which costs an authenticated client nothing.
 */

const ROUTE = '/repos/{owner}/{repo}/issues';

type FeedPosition = {
  /** Page within `since` (more than a page of items can share one updated_at). */
  page?: number;
  /** The earliest `since` this cursor has covered, so an older backfill knows to start over. */
  coveredFrom?: string;
};

export const issueFeed: Source = {
  serves: ['pulls'],
  cursorName: 'issue-feed',
  read: readIssueFeed,
};

async function* readIssueFeed(request: SourceRequest): AsyncGenerator<SourceBatch> {
  const { owner, repo } = splitRepo(request.repo.repo);
  const start = startingPoint(request);
  let since = start.since;
  let page = start.page;
  const coveredFrom = start.coveredFrom;
  let done = 0;
  let total: number | null = null;

  for (;;) {
    request.signal?.throwIfAborted();
    const params = {
      owner,
      repo,
      state: 'all',
      sort: 'updated',
      direction: 'asc',
      since: since.toISOString(),
      per_page: request.pageSize,
      page,
    };
    const key = requestKey(ROUTE, params);
    const result = await request.github.getConditional<unknown>(ROUTE, params, await request.store.validators(key));
    if (!result.modified) return; // nothing changed since this exact request was last answered

    const warnings: RunWarning[] = [];
    const { items: listed, problems } = parseList(restIssue, result.data, 'issue');
    for (const problem of problems)
      warnings.push({ message: `skipped a malformed listing entry: ${problem.message}`, request: key });
    const rawLength = (result.data as unknown[]).length;
    if (total === null) total = estimateTotal(result.headers.link, request.pageSize, rawLength);
    done += rawLength;

    const until = request.until?.getTime();
    const inWindow = until === undefined ? listed : listed.filter((issue) => Date.parse(issue.updated_at) < until);
    const items = await selectItems(request, inWindow);

    const full = rawLength >= request.pageSize;
    const last = listed.at(-1);
    const passedUntil = until !== undefined && inWindow.length < listed.length;
    let next: SourceCursor;
    let finished = false;
    if (passedUntil && request.until) {
      // Everything updated before `until` is stored; a later poll continues from there.
      next = cursor(request.until, 1, coveredFrom);
      finished = true;
    } else if (!full || !last) {
      // End of the listing: stay on this request so the next poll can be answered 304.
      next = cursor(since, page, coveredFrom);
      finished = true;
    } else if (Date.parse(last.updated_at) > since.getTime()) {
      next = cursor(new Date(last.updated_at), 1, coveredFrom);
    } else {
      next = cursor(since, page + 1, coveredFrom); // a full page of ties: step within them
    }

    yield {
      items,
      cursor: next,
      validators: [{ requestKey: key, etag: result.etag, lastModified: result.lastModified }],
      warnings,
      progress: { done, total: total === null ? null : Math.max(total, done) },
    };
    if (finished) return;
    since = next.since as Date;
    page = Number((next.position as FeedPosition).page ?? 1);
  }
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

/** The pull requests of a page worth keeping: merged ones, and any already stored (to update them). */
async function selectItems(request: SourceRequest, listed: RestIssue[]): Promise<ItemWithEvents[]> {
  const pulls = listed.filter(isPullRequest);
  if (!request.sources.includes('pulls') || pulls.length === 0) return [];
  const known = await request.store.knownItems(
    'pull',
    pulls.map((p) => String(p.number)),
  );
  return pulls
    .filter((p) => p.pull_request?.merged_at || known.has(String(p.number)))
    .map((p) => ({ item: pullFromListing(request.repo.repo, p), events: [] }));
}

/** Items left in the listing, from its Link rel="last" page number. */
function estimateTotal(link: string | undefined, pageSize: number, firstPageLength: number): number | null {
  if (!link) return firstPageLength;
  const last = /[?&]page=(\d+)[^>]*>;\s*rel="last"/.exec(link);
  return last ? Number(last[1]) * pageSize : null;
}
