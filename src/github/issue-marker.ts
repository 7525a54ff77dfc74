import type { GitHub } from './client.js';
import { parseList, restIssue } from './payloads.js';

/**
 * Finding the GitHub issue an earlier publish created, by the hidden marker its body ends with,
 * when radar did not hear GitHub's answer (a 502, a crash between GitHub creating the issue and
 * radar storing its number).
 *
 * The repository's issues are listed newest first (`sort=created&direction=desc&state=all`, 100
 * a page, pull requests included, as GitHub lists them), page after page through the Link
 * headers, until the issue is found or the issues get older than the publish could have been:
 * however many issues were opened since, radar's is reached, and the listing costs one request
 * per 100 issues created since then (one in all, usually). When radar knows its own account
 * (GET /user), only that account's issues are listed (`creator`), which is who created the
 * digest and which nobody can change afterwards; a label could have been removed in the
 * meantime, so labels do not narrow the listing. A GitHub App's token cannot read /user: then
 * only issues a bot created count (an app's issues are its `name[bot]` account's), never a
 * person's issue that quotes the marker. The search API could find the marker in one
 * request, but its index lags behind new issues, and the issue just created is the one looked for.
 */

export interface MarkerSearch {
  owner: string;
  repo: string;
  /** What the issue's body ends with. */
  marker: string;
  /** The login radar's token acts as, lower-cased; null for a GitHub App's token, which cannot tell. */
  creator: string | null;
  /** No issue created before this can be the one: the listing stops there. */
  createdSince: Date;
}

export interface MarkerFound {
  number: number | null;
  /** Pages listed. */
  pages: number;
}

export async function findIssueByMarker(github: GitHub, search: MarkerSearch): Promise<MarkerFound> {
  const params = {
    owner: search.owner,
    repo: search.repo,
    state: 'all',
    sort: 'created',
    direction: 'desc',
    per_page: 100,
    ...(search.creator ? { creator: search.creator } : {}),
  };
  const since = search.createdSince.getTime();
  let pages = 0;
  for await (const page of github.pages('/repos/{owner}/{repo}/issues', params)) {
    pages += 1;
    // A malformed element is skipped: it cannot be told to be radar's.
    const { items } = parseList(restIssue, page, 'issue');
    for (const issue of items) {
      if (Date.parse(issue.created_at) < since) return { number: null, pages };
      if (isRadarsIssue(issue, search)) return { number: issue.number, pages };
    }
    // Fewer than asked for: the last page, whatever the Link header says.
    if ((page as unknown[]).length < params.per_page) break;
  }
  return { number: null, pages };
}

/**
 * An issue (not a pull request) whose body ends with the marker, written by radar's account (by
 * a bot, for an app's token): anyone can quote a marker in an issue of their own, and radar would
 * then overwrite that issue with the digest.
 */
function isRadarsIssue(
  issue: { body: string | null; pull_request?: unknown; user: { login: string; type?: string | undefined } | null },
  search: MarkerSearch,
): boolean {
  if (issue.pull_request || !issue.user) return false;
  if (!(issue.body ?? '').trimEnd().endsWith(search.marker)) return false;
  return search.creator === null ? issue.user.type === 'Bot' : issue.user.login.toLowerCase() === search.creator;
}
