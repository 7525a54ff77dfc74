import type { Item, PullDetails } from '../domain/item.js';
import type { RestIssue } from '../github/payloads.js';
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
    raw: { listing: issue },
  };
}
