/**
 * Pure rules that decide which open pull requests and which issues are worth an editor's
 * attention: design proposals, RFCs, votes, API changes, and threads with high engagement.
 * Each rule that fires is named, so the item can say why it was kept.
 */

export interface DiscussionFacts {
  title: string;
  body: string | null;
  labels: readonly string[];
  comments: number | null;
  reactions: number | null;
}

const PROPOSAL_LABELS = new Set([
  'kind/design',
  'kind/proposal',
  'kind/api-change',
  'area/api',
  'kind/kep',
  'kind/rfc',
  'design',
  'proposal',
  'rfc',
  'api-change',
  'kind/enhancement-proposal',
]);

const TITLE_RULES: Array<[string, RegExp]> = [
  ['title: proposal', /\[\s*proposal\s*\]|\bproposal\b|\bproposing\b/i],
  ['title: RFC', /\bRFC\b|request for comments/i],
  ['title: design doc', /\bdesign[\s-]+(doc|document|proposal)\b|\bdesign\b:/i],
  ['title: vote', /\bvot(e|ing)\b|\bpoll\b:/i],
  ['title: KEP', /\bKEP\b/],
  ['title: API', /\bAPI (change|redesign|versioning|review|policy|deprecation)\b/i],
];

const BODY_RULES: Array<[string, RegExp]> = [
  ['body: design doc link', /docs\.google\.com\/document\/|\bdesign doc(ument)?\b/i],
  ['body: call for votes', /\b(please )?vote\b.*\b(by|before|until)\b|\+1 to (approve|accept)/i],
];

/** Engagement at which a thread is worth a look whatever its labels. */
export const HIGH_ENGAGEMENT = { comments: 30, reactions: 15 };

export function proposalSignals(facts: DiscussionFacts): string[] {
  const signals: string[] = [];
  for (const label of facts.labels) if (PROPOSAL_LABELS.has(label.toLowerCase())) signals.push(`label: ${label}`);
  for (const [name, rule] of TITLE_RULES) if (rule.test(facts.title)) signals.push(name);
  const body = facts.body ?? '';
  for (const [name, rule] of BODY_RULES) if (rule.test(body)) signals.push(name);
  if ((facts.comments ?? 0) >= HIGH_ENGAGEMENT.comments) signals.push(`engagement: ${facts.comments} comments`);
  if ((facts.reactions ?? 0) >= HIGH_ENGAGEMENT.reactions) signals.push(`engagement: ${facts.reactions} reactions`);
  return signals;
}

/** stage/alpha|beta|stable and tracked/yes|no|out-of-tree labels of an enhancement tracking issue. */
export function trackingLabels(labels: readonly string[]): { stage: string | null; tracked: string | null; sigs: string[] } {
  const value = (prefix: string) =>
    labels
      .find((l) => l.toLowerCase().startsWith(prefix))
      ?.slice(prefix.length)
      .toLowerCase() ?? null;
  return {
    stage: value('stage/'),
    tracked: value('tracked/'),
    sigs: labels.filter((l) => l.toLowerCase().startsWith('sig/')).map((l) => l.slice(4)),
  };
}
