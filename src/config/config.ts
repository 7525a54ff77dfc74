import type { SourceName } from '../domain/source.js';

export type ScheduleKey = SourceName | 'coverage';

export interface WatchedRepo {
  /** owner/name as written in the config. */
  repo: string;
  project: string;
  sources: SourceName[];
  /** Effective cron expression per source (repo override, else the global schedule). */
  schedule: Record<ScheduleKey, string>;
}

export interface ProjectConfig {
  name: string;
  repos: WatchedRepo[];
}

/** The validated, frozen configuration every module receives. */
export interface Config {
  /** The file it was read from, for messages and for `radar repos add|remove`. */
  file: string;
  github: { concurrency: number; pageSize: number; requestTimeoutMs: number };
  schedule: Record<ScheduleKey, string>;
  projects: ProjectConfig[];
  /** Every watched repo, in config order. */
  repos: WatchedRepo[];
}
