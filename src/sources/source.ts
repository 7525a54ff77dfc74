import type { WatchedRepo } from '../config/config.js';
import type { ItemWithEvents } from '../domain/item.js';
import type { RunWarning } from '../domain/run.js';
import type { SourceName } from '../domain/source.js';
import type { GitHub, Validators } from '../github/client.js';
import type { Logger } from '../lib/logger.js';

/**
 * A source reads one kind of upstream change for one repo, incrementally, and yields it in
 * batches. Each batch carries the cursor and the ETags that become true once it is stored, so
 * the ingest use-case commits items, cursor and validators in one transaction: a run killed at
 * any moment resumes exactly where its last stored batch ended.
 */
export interface Source {
  readonly name: string;
  /** The sources this reader serves in one pass (the issues listing serves pulls and issues). */
  readonly serves: readonly SourceName[];
  /** Under which name this reader keeps its cursor for a source (one cursor per repo and key). */
  cursorKey(source: SourceName): string;
  /** How long its runs usually take, relative to the others: heavier ones are started first. */
  readonly weight: number;
  /** How its runs are labelled, e.g. "pulls+issues". */
  label(sources: readonly SourceName[]): string;
  read(request: SourceRequest): AsyncGenerator<SourceBatch>;
}

export interface SourceCursor {
  /** High-water mark: everything updated before it is stored. */
  since: Date | null;
  position: Record<string, unknown>;
}

export interface SourceRequest {
  repo: WatchedRepo;
  /** The repository's default branch, as GitHub reported it (links, commit listings). */
  defaultBranch: string;
  /** The sources asked for, among those this reader serves. */
  sources: readonly SourceName[];
  cursor: SourceCursor | null;
  /** Read from here, even if the cursor is further on (a backfill of older history). */
  since?: Date | undefined;
  /** Stop at changes made at or after this time. */
  until?: Date | undefined;
  /** Start here when there is neither a cursor nor `since`. */
  defaultSince: Date;
  github: GitHub;
  store: SourceStore;
  logger: Logger;
  pageSize: number;
  /** GraphQL aliases per query. */
  batchSize: number;
  signal?: AbortSignal | undefined;
}

/** What a source may read back from the store (it never writes: ingest does). */
export interface SourceStore {
  validators(requestKey: string): Promise<Validators | undefined>;
  /** Items already stored, by key, with what incremental reads compare. */
  knownItems(kind: string, keys: readonly string[]): Promise<Map<string, KnownItem>>;
  /**
   * KEPs already stored whose location (folder or file without .md) is one of these, and those
   * whose key is one of them (a KEP keeps the key it was first recorded under after it moves).
   */
  knownKeps(locations: readonly string[]): Promise<KnownItem[]>;
}

export interface KnownItem {
  key: string;
  sourceUpdatedAt: Date;
  occurredAt: Date;
  details: Record<string, unknown>;
  state: string;
  labels: string[];
  /** Pull requests: the GraphQL enrichment kept in raw. */
  rawDetails?: unknown;
}

export interface SourceBatch {
  items: ItemWithEvents[];
  /** Cursor after this batch is stored. */
  cursor: SourceCursor;
  /** ETags of the requests this batch answered, stored with it. */
  validators: Array<{ requestKey: string; etag: string | null; lastModified: string | null }>;
  warnings: RunWarning[];
  /** Progress within this repo's read, when the source can tell. */
  progress?: { done: number; total: number | null };
}

/** A stable key for one exact request (route and sorted parameters), for its ETag. */
export function requestKey(route: string, params: Record<string, unknown>): string {
  const path = route.replace(/\{(\w+)\}/g, (_, key: string) => String(params[key]));
  const used = new Set([...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
  const query = Object.keys(params)
    .filter((key) => !used.has(key) && params[key] !== undefined)
    .sort()
    .map((key) => `${key}=${String(params[key])}`)
    .join('&');
  return `GET ${path}${query ? `?${query}` : ''}`;
}

export function splitRepo(repo: string): { owner: string; repo: string } {
  const [owner, name] = repo.split('/');
  return { owner: owner ?? '', repo: name ?? '' };
}
