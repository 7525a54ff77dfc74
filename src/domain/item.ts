import type { ItemKind } from './source.js';

/**
 * One upstream change, whatever its source: a pull request, a KEP, a release, a design issue.
 * Sources produce Items; the store keys them by repo + kind + key, so re-reading the same
 * change updates it instead of adding it twice.
 */
export interface Item {
  kind: ItemKind;
  /** owner/name */
  repo: string;
  /** Unique within repo + kind: a PR or issue number, a release tag, a KEP's first recorded location (kept through moves). */
  key: string;
  number: number | null;
  /** A release's tag; a KEP's name ("KEP-1287", or its current location when it has no number). */
  tag: string | null;
  title: string;
  url: string;
  author: string | null;
  /** open | merged | closed (pull, issue); published | prerelease (release); the KEP status. */
  state: string;
  labels: string[];
  body: string | null;
  /** When the change happened: merged, published, last KEP transition, opened. */
  occurredAt: Date;
  /** GitHub's updated_at (or the KEP's latest commit): what incremental polls compare. */
  sourceUpdatedAt: Date;
  details: ItemDetails;
  /** The GitHub payload(s) as received; kept so items can be re-scored offline. */
  raw: unknown;
}

export type ItemDetails = PullDetails | KepDetails | ReleaseDetails | IssueDetails;

export interface FileChange {
  path: string;
  additions: number | null;
  deletions: number | null;
  status?: string | null;
}

export interface References {
  /** Issue or PR numbers in the same repo ("Fixes #123", links). */
  issues: number[];
  /** KEP numbers (kubernetes/enhancements) the change refers to. */
  keps: number[];
  /** Full links to other repos' issues or PRs, as owner/name#number. */
  external: string[];
}

export interface PullDetails {
  type: 'pull';
  mergedAt: string | null;
  baseRef: string | null;
  headRef: string | null;
  draft: boolean;
  additions: number | null;
  deletions: number | null;
  changedFiles: number | null;
  commits: number | null;
  comments: number | null;
  reviews: number | null;
  reactions: number | null;
  files: FileChange[] | null;
  /** The ```release-note block, or null when absent. "NONE" is kept as written. */
  releaseNote: string | null;
  references: References;
  /** When GraphQL enrichment filled the counts, or null if only the REST listing is known. */
  enrichedAt: string | null;
}

export interface KepDetails {
  type: 'kep';
  kepNumber: number | null;
  /** Path of the KEP document in kubernetes/enhancements (kep.yaml or the Markdown file). */
  path: string;
  /** The KEP's place: its folder (kep.yaml format) or its file without .md; moves update it. */
  location: string;
  /** Blob oid of the document version read last. */
  blob: string | null;
  owningSig: string | null;
  participatingSigs: string[];
  status: string | null;
  stage: string | null;
  latestMilestone: string | null;
  milestones: Record<string, string>;
  featureGates: string[];
  authors: string[];
  /** Commit that last changed the document. */
  commit: string | null;
  /** The document's own dates, as written in it. */
  creationDate: string | null;
  /** Labels and state of the enhancement tracking issue, when known. */
  tracking: { number: number; url: string; labels: string[]; state: string } | null;
}

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string | null;
}

export interface ReleaseDetails {
  type: 'release';
  name: string | null;
  prerelease: boolean;
  version: SemVer | null;
  publishedAt: string | null;
}

export interface IssueDetails {
  type: 'issue';
  comments: number | null;
  reactions: number | null;
  /** Why the issue was kept: the proposal signals found (labels, title words, engagement). */
  signals: string[];
  references: References;
  closedAt: string | null;
  /** For an enhancement tracking issue (kubernetes/enhancements): its stage/* and tracked/* labels. */
  tracking: { stage: string | null; tracked: string | null; sigs: string[] } | null;
}

/** A transition recorded for an item: a KEP moving to beta, a PR merged, a release published. */
export interface ItemEvent {
  type: string;
  from: string | null;
  to: string | null;
  commitSha: string | null;
  occurredAt: Date;
  details?: Record<string, unknown>;
}

/** What a source read for one item: the item and the events to record with it. */
export interface ItemWithEvents {
  item: Item;
  events: ItemEvent[];
}
