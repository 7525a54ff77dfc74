import type { Role } from '../domain/access.js';
import type { Language } from '../domain/digest.js';
import type { SourceName } from '../domain/source.js';
import type { Weights } from '../scoring/signals.js';
import type { TopicName } from '../scoring/topics.js';

export type ScheduleKey = SourceName | 'coverage';

export interface WatchedRepo {
  /** owner/name as written in the config. */
  repo: string;
  project: string;
  sources: SourceName[];
  /** Effective cron expression per source (repo override, else the global schedule). */
  schedule: Record<ScheduleKey, string>;
  /** Label conventions for scoring (repo's, else its project's, else "default"). */
  conventions: string;
  /** Effective scoring weights: defaults < scoring.weights < project weights < repo weights. */
  weights: Weights;
}

export interface ScoringConfig {
  /** Defaults with the global overrides applied. */
  weights: Weights;
  /** Word weights by word (scoring.words): a `word:<word>` contribution for each weighted word an item contains. */
  words: Record<string, number>;
  /** The last decision id `radar tune --write` learnt from (scoring.tuned.through), if any. */
  tunedThrough: number | null;
  topics: Record<TopicName, string[]>;
  bots: string[];
  carryOverWeeks: number;
  perProject: number;
  /** Within how many places of its project the best story of each kind is kept, from what score. */
  variety: { within: number; minScore: number; penalty: number };
}

export interface ProjectConfig {
  name: string;
  repos: WatchedRepo[];
  /** This project's subsection of the upstream section: its id and its titles. */
  digestSection: { id: string; title: Record<Language, string> };
}

export interface DigestConfig {
  language: Language;
  title: Record<Language, string>;
  sections: Array<{ id: string; title: Record<Language, string>; projects: boolean }>;
  publish: {
    /** The default target: `repo`, else the one repository of `repos`. */
    repo: string | null;
    /** Every repository radar may publish to: `repos`, else just `repo`; empty, none. */
    repos: string[];
    labels: string[];
  };
}

export interface AccessConfig {
  users: Array<{ name: string; role: Role; password: string }>;
  tokens: Array<{ name: string; role: Role; hash: string }>;
}

/** The validated, frozen configuration every module receives. */
export interface Config {
  /** The file it was read from, for messages and for `radar repos add|remove`. */
  file: string;
  github: { concurrency: number; pageSize: number; requestTimeoutMs: number; budgetReserve: number };
  schedule: Record<ScheduleKey, string>;
  scoring: ScoringConfig;
  digest: DigestConfig;
  /** Accounts of the web UI and JSON API. */
  access: AccessConfig;
  projects: ProjectConfig[];
  /** Every watched repo, in config order. */
  repos: WatchedRepo[];
}
