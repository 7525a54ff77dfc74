import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Row types of the tables created by migrations/, as kysely sees them. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: written as JSON text (both drivers accept it), read as parsed values. */
type Json<T> = ColumnType<T, string, string>;
type DefaultedJson<T> = ColumnType<T, string | undefined, string>;

export interface ReposTable {
  id: Generated<number>;
  full_name: string;
  project: string;
  node_id: string | null;
  default_branch: string | null;
  previous_names: ColumnType<string[], string[] | undefined, string[]>;
  /** Digest of the weights and rules this repo's items were last scored with. */
  scoring_fingerprint: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface ItemsTable {
  id: Generated<number>;
  repo_id: number;
  kind: string;
  key: string;
  number: number | null;
  tag: string | null;
  title: string;
  url: string;
  author: string | null;
  state: string;
  labels: ColumnType<string[], string[] | undefined, string[]>;
  body: string | null;
  occurred_at: Timestamp;
  source_updated_at: Timestamp;
  details: DefaultedJson<Record<string, unknown>>;
  raw: Json<unknown>;
  content_hash: string;
  score: number | null;
  score_reasons: DefaultedJson<unknown[]>;
  scored_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Goes up whenever what is stored about the item changes (content or events). */
  revision: ColumnType<number, number | undefined, number>;
  /** The revision the stored score was computed from; null = never scored (or to be scored again). */
  scored_revision: ColumnType<number | null, number | null | undefined, number | null>;
  story_id: number | null;
  /** Hashed keys story grouping links the item by (migration 012); null until a pass computed them. */
  link_keys: ColumnType<number[] | null, number[] | null | undefined, number[] | null>;
  /** Digest of what story grouping reads of the item, beside link_keys (migration 012). */
  link_digest: ColumnType<number | null, number | null | undefined, number | null>;
  first_seen_at: DefaultedTimestamp;
  last_changed_at: DefaultedTimestamp;
}

export interface ItemEventsTable {
  id: Generated<number>;
  item_id: number;
  type: string;
  from_value: string | null;
  to_value: string | null;
  commit_sha: string | null;
  occurred_at: Timestamp;
  details: DefaultedJson<Record<string, unknown>>;
  event_key: string;
  created_at: DefaultedTimestamp;
}

/** An item's score for one ISO week it did something in (migration 011). */
export interface ItemWeekScoresTable {
  item_id: number;
  week_start: Timestamp;
  lists: boolean;
  score: number;
  chore: boolean;
  reasons: Json<unknown[]>;
}

/** The token of the last scoring pass (migration 011). */
export interface ScoringStateTable {
  id: number;
  generation: string;
  /** The GROUPING_REVISION the stored link keys were computed under (migration 012). */
  grouping_revision: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface StoriesTable {
  id: Generated<number>;
  key: string;
  title: string;
  project: string | null;
  lead_item_id: number | null;
  score: number | null;
  score_reasons: DefaultedJson<unknown[]>;
  first_occurred_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_occurred_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  updated_at: DefaultedTimestamp;
}

export interface PollCursorsTable {
  repo_id: number;
  source: string;
  since: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  position: DefaultedJson<Record<string, unknown>>;
  updated_at: DefaultedTimestamp;
}

export interface HttpValidatorsTable {
  request_key: string;
  repo_id: number | null;
  source: string | null;
  etag: string | null;
  last_modified: string | null;
  updated_at: DefaultedTimestamp;
}

export interface RunsTable {
  id: Generated<number>;
  batch_id: string;
  trigger: string;
  repo_id: number | null;
  source: string | null;
  status: string;
  started_at: DefaultedTimestamp;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  requests: ColumnType<number, number | undefined, number>;
  not_modified: ColumnType<number, number | undefined, number>;
  graphql_points: ColumnType<number, number | undefined, number>;
  rate_limit_remaining: number | null;
  items_new: ColumnType<number, number | undefined, number>;
  items_updated: ColumnType<number, number | undefined, number>;
  error: string | null;
  details: DefaultedJson<Record<string, unknown>>;
  /** The lease holder working on it (src/store/leases.ts); null for runs before migration 008. */
  holder: string | null;
}

export interface SchedulesTable {
  name: string;
  cron: string;
  next_run_at: Timestamp;
  last_started_at: Date | null;
  last_finished_at: Date | null;
  last_status: string | null;
  last_error: string | null;
  failures: ColumnType<number, number | undefined, number>;
  claimed_by: string | null;
  claimed_until: Date | null;
}

export interface GitHubBudgetTable {
  credential: string;
  resource: string;
  quota_limit: number;
  remaining: number;
  reset_at: Date;
  observed_at: Date;
}

export interface LeasesTable {
  name: string;
  holder: string;
  acquired_at: Timestamp;
  expires_at: Timestamp;
}

export interface DigestIssuesTable {
  id: Generated<number>;
  volume: number;
  title: string;
  period_from: Timestamp;
  period_to: Timestamp;
  status: string;
  published_repo: string | null;
  published_number: number | null;
  published_url: string | null;
  published_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The drafted titles and blurbs as published, per language and entry id; null unless published. */
  published_drafts: ColumnType<PublishedDrafts | null, string | null | undefined, string | null>;
  created_by: string;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export type PublishedDrafts = Partial<Record<string, Record<string, { title: string; blurb: string }>>>;

export interface IssueEntriesTable {
  id: Generated<number>;
  issue_id: number;
  section: string;
  position: number;
  item_id: number | null;
  story_id: number | null;
  title: string | null;
  url: string | null;
  blurb: ColumnType<string, string | undefined, string>;
  /** Editor text (true) is rendered as written; GitHub text (false) is escaped. */
  title_trusted: ColumnType<boolean, boolean | undefined, boolean>;
  blurb_trusted: ColumnType<boolean, boolean | undefined, boolean>;
  links: DefaultedJson<unknown[]>;
  /** An editor's text per language, over title/blurb (migrations 007). */
  texts: DefaultedJson<EntryTexts>;
  created_by: string;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export type EntryTexts = Partial<Record<string, { title?: string; blurb?: string }>>;

export interface SessionsTable {
  /** SHA-256 of the cookie's secret. */
  id: string;
  account: string;
  role: string;
  csrf_token: string;
  user_agent: string | null;
  created_at: DefaultedTimestamp;
  last_seen_at: DefaultedTimestamp;
  expires_at: Timestamp;
}

export interface DecisionsTable {
  id: Generated<number>;
  item_id: number | null;
  story_id: number | null;
  action: string;
  issue_id: number | null;
  week: string | null;
  editor: string;
  reason: string | null;
  until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  features: DefaultedJson<Record<string, unknown>>;
  created_at: DefaultedTimestamp;
}

export interface Database {
  repos: ReposTable;
  items: ItemsTable;
  item_events: ItemEventsTable;
  item_week_scores: ItemWeekScoresTable;
  scoring_state: ScoringStateTable;
  stories: StoriesTable;
  poll_cursors: PollCursorsTable;
  http_validators: HttpValidatorsTable;
  runs: RunsTable;
  schedules: SchedulesTable;
  github_budget: GitHubBudgetTable;
  leases: LeasesTable;
  digest_issues: DigestIssuesTable;
  issue_entries: IssueEntriesTable;
  decisions: DecisionsTable;
  sessions: SessionsTable;
}

export type RepoRow = Selectable<ReposTable>;
export type ItemRow = Selectable<ItemsTable>;
export type NewItemRow = Insertable<ItemsTable>;
export type RunRow = Selectable<RunsTable>;
export type RunUpdate = Updateable<RunsTable>;
