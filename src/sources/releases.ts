import type { Item, ItemWithEvents, ReleaseDetails } from '../domain/item.js';
import type { RunWarning } from '../domain/run.js';
import { parseList, type RestRelease, restRelease } from '../github/payloads.js';
import { compactPayload } from './payload.js';
import { parseSemVer } from './semver.js';
import { requestKey, type Source, type SourceBatch, type SourceRequest, splitRepo } from './source.js';

/**
 * Releases of a repo: GET /repos/{o}/{r}/releases, newest first. Page 1 is always asked with its
 * ETag, so a poll with no new release costs nothing; older pages are read only as far back as
 * the cursor (or a backfill's --since) requires.
 */

const ROUTE = '/repos/{owner}/{repo}/releases';
/** Releases can be published long after they were created (drafts): read a margin past the cursor. */
const MARGIN_MS = 14 * 86_400_000;

type ReleasePosition = { coveredFrom?: string };

export const releaseSource: Source = {
  name: 'releases',
  serves: ['releases'],
  weight: 1,
  cursorKey: (source) => source,
  label: () => 'releases',
  read: readReleases,
};

export function releaseFromRest(repo: string, release: RestRelease): Item {
  const publishedAt = release.published_at ?? release.created_at;
  const details: ReleaseDetails = {
    type: 'release',
    name: release.name,
    prerelease: release.prerelease,
    version: parseSemVer(release.tag_name),
    publishedAt: release.published_at,
  };
  return {
    kind: 'release',
    repo,
    key: release.tag_name,
    number: null,
    tag: release.tag_name,
    title: release.name?.trim() || release.tag_name,
    url: release.html_url,
    author: release.author?.login ?? null,
    state: release.prerelease ? 'prerelease' : 'published',
    labels: [],
    body: release.body,
    occurredAt: new Date(publishedAt),
    sourceUpdatedAt: new Date(publishedAt),
    details,
    raw: compactPayload(release),
  };
}

async function* readReleases(request: SourceRequest): AsyncGenerator<SourceBatch> {
  const { owner, repo } = splitRepo(request.repo.repo);
  const position = (request.cursor?.position ?? {}) as ReleasePosition;
  const storedFrom = position.coveredFrom ? new Date(position.coveredFrom) : null;
  const olderWanted = !storedFrom || (request.since !== undefined && request.since < storedFrom);
  // Everything published from `coveredFrom` on is kept; reading stops once past `stopAt`.
  const coveredFrom = olderWanted ? (request.since ?? request.defaultSince) : (storedFrom as Date);
  const stopAt = olderWanted || !request.cursor?.since ? coveredFrom : new Date(request.cursor.since.getTime() - MARGIN_MS);
  const until = request.until?.getTime() ?? Number.POSITIVE_INFINITY;

  const items: ItemWithEvents[] = [];
  const validators: SourceBatch['validators'] = [];
  const warnings: RunWarning[] = [];
  let newest = request.cursor?.since ?? null;
  for (let page = 1; ; page++) {
    request.signal?.throwIfAborted();
    const params = { owner, repo, per_page: request.pageSize, page };
    const key = requestKey(ROUTE, params);
    // Reading further back than ever before, an unchanged page 1 says nothing about the older ones.
    const known = olderWanted ? undefined : await request.store.validators(key);
    const result = await request.github.getConditional<unknown>(ROUTE, params, known);
    if (!result.modified) break; // unchanged: nothing published since this page was last read
    const { items: releases, problems } = parseList(restRelease, result.data, 'release');
    for (const p of problems) warnings.push({ message: `skipped a malformed release: ${p.message}`, request: key });
    let leftForLater = false;
    for (const release of releases) {
      if (release.draft) continue;
      const item = releaseFromRest(request.repo.repo, release);
      const at = item.occurredAt.getTime();
      if (at >= until) leftForLater = true;
      if (at < coveredFrom.getTime() || at >= until) continue;
      items.push({ item, events: [] });
      if (!newest || item.occurredAt > newest) newest = item.occurredAt;
    }
    // A page with releases left for a later poll (--until) must be read again, not answered 304.
    if (!leftForLater) validators.push({ requestKey: key, etag: result.etag, lastModified: result.lastModified });
    const oldest = releases.at(-1);
    const rawLength = (result.data as unknown[]).length;
    if (rawLength < request.pageSize || !oldest || Date.parse(oldest.created_at) < stopAt.getTime()) break;
  }
  // One batch: releases are few, and page 1's ETag must only be stored with all it leads to.
  yield {
    items,
    cursor: { since: newest, position: { coveredFrom: coveredFrom.toISOString() } satisfies ReleasePosition },
    validators,
    warnings,
    progress: { done: items.length, total: items.length },
  };
}
