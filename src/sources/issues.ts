import type { IssueDetails, Item, ItemEvent } from '../domain/item.js';
import type { RestIssue } from '../github/payloads.js';
import { compactPayload } from './payload.js';
import { extractReferences } from './references.js';
import { trackingLabels } from './signals.js';
import type { KnownItem } from './source.js';

/** Pure normalisation of issues (design discussions, enhancement tracking issues) into Items. */

export function issueFromListing(repo: string, issue: RestIssue, signals: string[], tracking = false): Item {
  const labels = issue.labels.map((l) => l.name);
  const details: IssueDetails = {
    type: 'issue',
    comments: issue.comments,
    reactions: issue.reactions?.total_count ?? null,
    signals,
    references: extractReferences(`${issue.title}\n${issue.body ?? ''}`, repo),
    closedAt: issue.closed_at,
    tracking: tracking ? trackingLabels(labels) : null,
  };
  return {
    kind: 'issue',
    repo,
    key: String(issue.number),
    number: issue.number,
    tag: null,
    title: issue.title,
    url: issue.html_url,
    author: issue.user?.login ?? null,
    state: issue.state,
    labels,
    body: issue.body,
    // A design discussion is news when it is opened.
    occurredAt: new Date(issue.created_at),
    sourceUpdatedAt: new Date(issue.updated_at),
    details,
    raw: { listing: compactPayload(issue) },
  };
}

/** What changed since the stored version: an issue closed, a tracking issue's stage label. */
export function issueEvents(item: Item, known: KnownItem | undefined): ItemEvent[] {
  if (!known) return [];
  const events: ItemEvent[] = [];
  const details = item.details as IssueDetails;
  if (known.state === 'open' && item.state === 'closed') {
    events.push({
      type: 'issue.closed',
      from: 'open',
      to: 'closed',
      commitSha: null,
      occurredAt: new Date(details.closedAt ?? item.sourceUpdatedAt),
    });
  }
  const before = (known.details as Partial<IssueDetails>).tracking?.stage ?? null;
  const after = details.tracking?.stage ?? null;
  if (details.tracking && before !== after) {
    events.push({ type: 'tracking.stage', from: before, to: after, commitSha: null, occurredAt: item.sourceUpdatedAt });
  }
  return events;
}
