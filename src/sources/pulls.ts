import type { Item, ItemEvent, PullDetails } from '../domain/item.js';
import type { GraphqlPullDetails } from '../github/batch.js';
import type { RestIssue, RestPull } from '../github/payloads.js';
import { compactPayload } from './payload.js';
import { extractReferences, extractReleaseNote } from './references.js';

/**
 * Pure normalisation of pull requests into Items. A PR is first known from the issues listing
 * (REST, issue shape with a pull_request key); enrichment later adds sizes, files and counts.
 */

export function isPullRequest(issue: RestIssue): boolean {
  return issue.pull_request !== undefined;
}

export function pullFromListing(repo: string, issue: RestIssue): Item {
  const mergedAt = issue.pull_request?.merged_at ?? null;
  const state = mergedAt ? 'merged' : issue.state;
  const details: PullDetails = {
    type: 'pull',
    mergedAt,
    baseRef: null,
    headRef: null,
    draft: issue.draft ?? false,
    additions: null,
    deletions: null,
    changedFiles: null,
    commits: null,
    comments: issue.comments,
    reviews: null,
    reactions: issue.reactions?.total_count ?? null,
    files: null,
    releaseNote: extractReleaseNote(issue.body),
    references: extractReferences(`${issue.title}\n${issue.body ?? ''}`, repo),
    enrichedAt: null,
  };
  return {
    kind: 'pull',
    repo,
    key: String(issue.number),
    number: issue.number,
    tag: null,
    title: issue.title,
    url: issue.pull_request?.html_url ?? issue.html_url,
    author: issue.user?.login ?? null,
    state,
    labels: issue.labels.map((l) => l.name),
    body: issue.body,
    occurredAt: new Date(mergedAt ?? (issue.state === 'closed' ? issue.closed_at : null) ?? issue.created_at),
    sourceUpdatedAt: new Date(issue.updated_at),
    details,
    raw: { listing: compactPayload(issue) },
  };
}

/**
 * A pull request from the pulls listing (used by the coverage check, which reads a different
 * endpoint than polling on purpose), in the same shape as one read from the issues listing.
 */
export function pullFromPullsApi(repo: string, pull: RestPull): Item {
  const asIssue: RestIssue = {
    number: pull.number,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    user: pull.user,
    labels: pull.labels,
    comments: null,
    created_at: pull.created_at,
    updated_at: pull.updated_at,
    closed_at: pull.closed_at,
    html_url: pull.html_url,
    draft: pull.draft,
    pull_request: { html_url: pull.html_url, merged_at: pull.merged_at },
  };
  const item = pullFromListing(repo, asIssue);
  return {
    ...item,
    details: { ...(item.details as PullDetails), baseRef: pull.base?.ref ?? null, headRef: pull.head?.ref ?? null },
    raw: { pull: compactPayload(pull) },
  };
}

/** Adds what GraphQL enrichment knows (sizes, files, reviews, branches) to a listed pull request. */
export function withPullDetails(item: Item, gql: GraphqlPullDetails, enrichedAt: Date): Item {
  const details = item.details as PullDetails;
  const mergedAt = details.mergedAt ?? (gql.merged ? gql.mergedAt : null);
  return {
    ...item,
    state: mergedAt ? 'merged' : item.state,
    occurredAt: mergedAt ? new Date(mergedAt) : item.occurredAt,
    details: {
      ...details,
      mergedAt,
      baseRef: gql.baseRefName ?? null,
      headRef: gql.headRefName ?? null,
      draft: gql.isDraft ?? details.draft,
      additions: gql.additions ?? null,
      deletions: gql.deletions ?? null,
      changedFiles: gql.changedFiles ?? null,
      reviews: gql.reviews?.totalCount ?? null,
      files:
        gql.files?.nodes?.map((f) => ({
          path: f.path,
          additions: f.additions ?? null,
          deletions: f.deletions ?? null,
          status: f.changeType?.toLowerCase() ?? null,
        })) ?? null,
      enrichedAt: enrichedAt.toISOString(),
    },
    raw: { ...(item.raw as object), details: gql },
  };
}

/**
 * Reuses a stored enrichment for a merged pull request whose listing changed (a label added
 * later): what a merge changed does not change, so GitHub need not be asked again.
 */
export function withStoredEnrichment(item: Item, stored: Record<string, unknown>, rawDetails: unknown): Item {
  const previous = stored as Partial<PullDetails>;
  const details = item.details as PullDetails;
  return {
    ...item,
    details: {
      ...details,
      baseRef: previous.baseRef ?? null,
      headRef: previous.headRef ?? null,
      additions: previous.additions ?? null,
      deletions: previous.deletions ?? null,
      changedFiles: previous.changedFiles ?? null,
      reviews: previous.reviews ?? null,
      files: previous.files ?? null,
      enrichedAt: previous.enrichedAt ?? null,
    },
    raw: rawDetails ? { ...(item.raw as object), details: rawDetails } : item.raw,
  };
}

/** A pull request merged since it was last stored (an open notable one, now in). */
export function pullEvents(item: Item, knownState: string | undefined): ItemEvent[] {
  const mergedAt = (item.details as PullDetails).mergedAt;
  if (knownState && knownState !== 'merged' && item.state === 'merged' && mergedAt) {
    return [{ type: 'pull.merged', from: knownState, to: 'merged', commitSha: null, occurredAt: new Date(mergedAt) }];
  }
  return [];
}
