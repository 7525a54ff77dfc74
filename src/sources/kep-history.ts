import type { ItemEvent } from '../domain/item.js';
import type { RunWarning } from '../domain/run.js';
import { type KepFields, kepLocation, kepTransitions, parseKepDocument } from './kep-document.js';
import type { FileChange } from './tree-diff.js';

/**
 * Pure: which KEP each changed document belongs to, commit after commit, and what happened to it.
 *
 * A KEP's identity is its item key, minted once where radar first records the KEP (its location
 * then) and kept for good: a rename or a move keeps it, so does a new number, and two KEPs that
 * claim one number (2019 had five "KEP-34"s) keep two. A move is followed by the document's own
 * history: a rename GitHub reports, or a document removed and one added in the same commit with
 * the same title (or, failing that, the same number).
 *
 * "Created" means the document was added in that commit. A tree comparison can call a document
 * added when the base tree merely lacked it (a simulator that only holds the files it has
 * snapshots of; a base that is not the parent): an add of a document radar has no record of is
 * confirmed with the commit's own file list first (`unconfirmedAdds`, `confirmChanges`). A KEP
 * first seen through a modification is recorded from then on, without a creation event.
 */

export interface KepState {
  /** The KEP's identity (the item key). */
  key: string;
  fields: KepFields;
  path: string;
  location: string;
  /** Blob of the document version read last; null once the document was removed. */
  blob: string | null;
  commit: string | null;
  text: string | null;
  /** When its last transition (creation, status, stage, milestone) happened. */
  occurredAt: Date;
  updatedAt: Date;
}

/** One file of GET /repos/{o}/{r}/commits/{sha}, as GitHub lists it. */
export interface CommitFile {
  filename: string;
  /** added | removed | modified | renamed | copied | changed | unchanged */
  status: string;
  sha: string | null;
  previousFilename: string | null;
}

export type Blobs = ReadonlyMap<string, { text: string | null; oid: string } | null>;

/** A commit's changes in GitHub's own words: a rename is the new path added (from the old one) and the old one removed. */
export function commitFileChanges(sha: string, files: readonly CommitFile[]): FileChange[] {
  const changes: FileChange[] = [];
  for (const file of files) {
    if (file.status === 'removed') {
      changes.push({ path: file.filename, oid: null, status: 'removed' });
      continue;
    }
    const oid = file.sha ?? `${sha}:${file.filename}`;
    if (file.status === 'renamed' && file.previousFilename) {
      changes.push({ path: file.filename, oid, status: 'added', previousPath: file.previousFilename });
      changes.push({ path: file.previousFilename, oid: null, status: 'removed' });
    } else {
      changes.push({
        path: file.filename,
        oid,
        status: file.status === 'added' || file.status === 'copied' ? 'added' : 'modified',
      });
    }
  }
  return changes;
}

/** GitHub's commit endpoint lists at most this many files (per page). */
export const COMMIT_FILES_PAGE = 300;

/**
 * A commit's changes once its own file list is at hand: that list is what the commit changed
 * (an added document is added only if GitHub says so; renamed ones carry their old path), with
 * the tree comparison's blob ids where it has them. What the comparison adds beyond the list is
 * not this commit's change: a file its base lacked (a simulator holds only the files it has
 * snapshots of), or one changed on another line of history. A full page may have left files
 * out: then the comparison's other files are kept, those it calls added taken as modified, so
 * a creation may be missed but none invented.
 */
export function confirmChanges(sha: string, tree: readonly FileChange[], files: readonly CommitFile[]): FileChange[] {
  const compared = new Map(tree.map((change) => [change.path, change]));
  const result = commitFileChanges(sha, files).map((change) => {
    const oid = compared.get(change.path)?.oid;
    return change.status !== 'removed' && oid ? { ...change, oid } : change;
  });
  if (files.length < COMMIT_FILES_PAGE) return result;
  const listed = new Set(result.map((change) => change.path));
  for (const change of tree) {
    if (!listed.has(change.path)) result.push(change.status === 'added' ? { ...change, status: 'modified' } : change);
  }
  return result;
}

/**
 * Commits (oldest first) in slices of about `size`; commits of one second never split, so that
 * they can be put in history order within their slice.
 */
export function batchesKeepingTies<T>(commits: readonly T[], size: number, dateOf: (commit: T) => string): T[][] {
  const batches: T[][] = [];
  let start = 0;
  while (start < commits.length) {
    let end = Math.min(start + size, commits.length);
    while (end < commits.length && dateOf(commits[end] as T) === dateOf(commits[end - 1] as T)) end++;
    batches.push(commits.slice(start, end));
    start = end;
  }
  return batches;
}

/**
 * Commits (oldest first) with every parent before its children; otherwise in the given order.
 * A listing is ordered by time, and a rebased series shares one committer second.
 */
export function inHistoryOrder<T>(commits: readonly T[], shaOf: (commit: T) => string, parentsOf: (commit: T) => string[]): T[] {
  const index = new Map(commits.map((c, i) => [shaOf(c), i]));
  const waiting = commits.map((c) => parentsOf(c).filter((p) => index.has(p) && p !== shaOf(c)).length);
  const children = new Map<string, number[]>();
  commits.forEach((c, i) => {
    for (const p of parentsOf(c)) if (index.has(p) && p !== shaOf(c)) children.set(p, [...(children.get(p) ?? []), i]);
  });
  const result: T[] = [];
  const done = new Set<number>();
  // Each step takes the earliest commit (in the given order) whose parents are all placed.
  while (result.length < commits.length) {
    let next = waiting.findIndex((n, i) => n === 0 && !done.has(i));
    // A cycle cannot happen in git; if the data has one, the rest keeps the given order.
    if (next < 0) next = commits.findIndex((_, i) => !done.has(i));
    done.add(next);
    result.push(commits[next] as T);
    for (const child of children.get(shaOf(commits[next] as T)) ?? []) waiting[child] = (waiting[child] as number) - 1;
  }
  return result;
}

/** The KEPs of one read: where each is, what each became, and the events of each since the last take. */
export class KepHistory {
  /** Every KEP of this read, by identity. */
  private readonly keps = new Map<string, KepState>();
  /** Where each KEP is: location -> key. */
  private readonly at = new Map<string, string>();
  /** Keys in use, by KEPs of this read or by stored ones wherever they are now. */
  private readonly taken = new Set<string>();
  private readonly touched = new Map<string, ItemEvent[]>();

  knows(location: string): boolean {
    return this.at.has(location);
  }

  /**
   * A KEP the store holds. Of several at one location (a removed one and a later one added
   * there), the present one, else the last changed, is the one found there.
   */
  remember(kep: KepState): void {
    this.taken.add(kep.key);
    // Already read in this run: what the run made of it is newer than the store's copy.
    if (this.keps.has(kep.key)) return;
    this.keps.set(kep.key, kep);
    const holder = this.stateAt(kep.location);
    if (!holder || isBetterHolder(kep, holder)) this.at.set(kep.location, kep.key);
  }

  /** A key the store uses for a KEP, wherever it is now: never minted again. */
  reserve(key: string): void {
    this.taken.add(key);
  }

  /**
   * Commits whose comparison claims a document added that radar has no record of (not stored,
   * not seen earlier in this read): those adds need GitHub's own file list to be believed.
   */
  unconfirmedAdds(shas: readonly string[], changesOf: (sha: string) => readonly FileChange[]): string[] {
    const seen = new Set(this.at.keys());
    const result: string[] = [];
    for (const sha of shas) {
      let unconfirmed = false;
      for (const change of changesOf(sha)) {
        const location = kepLocation(change.path);
        if (change.status === 'added' && !seen.has(location)) unconfirmed = true;
        seen.add(location);
      }
      if (unconfirmed) result.push(sha);
    }
    return result;
  }

  /**
   * Drops changes that are not changes for radar: a blob it already has for that path (a tree
   * comparison can report a file another branch changed first), the removal of a document it
   * never had. A path radar knows is modified, whatever the comparison said. In commit order.
   */
  realChanges(shas: readonly string[], changesOf: (sha: string) => readonly FileChange[]): Map<string, FileChange[]> {
    const current = new Map<string, string | null>();
    for (const key of this.at.values()) {
      const kep = this.keps.get(key) as KepState;
      current.set(kep.path, kep.blob);
    }
    const result = new Map<string, FileChange[]>();
    for (const sha of shas) {
      const kept: FileChange[] = [];
      for (const change of changesOf(sha)) {
        const had = current.get(change.path);
        if (change.status === 'removed' ? had === undefined || had === null : had === change.oid && change.oid !== null) continue;
        kept.push(had && change.status === 'added' ? { ...change, status: 'modified' } : change);
        current.set(change.path, change.oid);
      }
      result.set(sha, kept);
    }
    return result;
  }

  /** Applies one commit's changed documents (read at that commit: `blobs` by "sha:path"). */
  applyCommit(sha: string, at: Date, changes: readonly FileChange[], blobs: Blobs, warnings: RunWarning[]): void {
    const removed = changes.filter((c) => c.status === 'removed');
    // kep.yaml holds the metadata of a folder KEP: its README is prose, not a second document.
    const present = changes.filter(
      (c) =>
        c.status !== 'removed' &&
        !(c.path.endsWith('/README.md') && changes.some((o) => o.path === c.path.replace(/README\.md$/, 'kep.yaml'))),
    );
    const parsedHere: Array<{ change: FileChange; fields: KepFields; text: string }> = [];
    for (const change of present) {
      const blob = blobs.get(`${sha}:${change.path}`);
      if (!blob || blob.text === null) {
        warnings.push({ message: 'KEP document could not be read', file: change.path, commit: sha });
        continue;
      }
      const parsed = parseKepDocument(change.path, blob.text);
      if (parsed.kind === 'not-a-kep') continue;
      if (parsed.kind === 'malformed') {
        warnings.push({ message: 'malformed KEP document skipped', file: change.path, commit: sha, error: parsed.error });
        continue;
      }
      if (parsed.lenient) {
        warnings.push({
          message: 'KEP metadata is not valid YAML; read line by line',
          file: change.path,
          commit: sha,
          error: parsed.lenient,
        });
      }
      parsedHere.push({ change, fields: parsed.fields, text: blob.text });
    }

    // Documents whose KEP moved on in this commit: their removal is the move's, not a removal.
    const movedAway = new Set<string>();
    for (const { change, fields, text } of parsedHere) {
      const location = kepLocation(change.path);
      let current = this.stateAt(location);
      // A different KEP added where a removed one was is a new KEP, not the old one back.
      if (current && current.blob === null && change.status === 'added' && !sameKep(current.fields, fields)) current = undefined;
      const events: ItemEvent[] = [];
      if (!current) {
        const from = this.moveSource(change, fields, removed, movedAway);
        if (from) {
          movedAway.add(from.path);
          this.at.delete(from.location);
          events.push({
            type: 'kep.moved',
            from: from.path,
            to: change.path,
            commitSha: sha,
            occurredAt: at,
            details: { path: change.path },
          });
          current = from;
        }
      }
      // Renamed is not added: a KEP first seen under its new name existed before.
      const added = change.status === 'added' && !change.previousPath;
      events.push(...kepTransitions(current?.fields ?? null, fields, { commit: sha, at, added, path: change.path }));
      const transition = events.some((e) => e.type !== 'kep.revised' && e.type !== 'kep.moved');
      const key = current?.key ?? this.mint(location, sha);
      this.keps.set(key, {
        key,
        fields,
        path: change.path,
        location,
        blob: change.oid,
        commit: sha,
        text,
        occurredAt: transition || !current ? at : current.occurredAt,
        updatedAt: at,
      });
      this.at.set(location, key);
      this.note(key, events);
    }

    for (const change of removed) {
      if (movedAway.has(change.path)) continue;
      const current = this.stateAt(kepLocation(change.path));
      if (!current || current.path !== change.path || current.blob === null) continue;
      this.note(current.key, [
        { type: 'kep.removed', from: change.path, to: null, commitSha: sha, occurredAt: at, details: { path: change.path } },
      ]);
      this.keps.set(current.key, { ...current, blob: null, commit: sha, updatedAt: at });
    }
  }

  /** The KEPs that changed since the last take, with their events, in the order first touched. */
  take(): Array<{ kep: KepState; events: ItemEvent[] }> {
    const result = [...this.touched].map(([key, events]) => ({ kep: this.keps.get(key) as KepState, events }));
    this.touched.clear();
    return result;
  }

  private stateAt(location: string): KepState | undefined {
    const key = this.at.get(location);
    return key === undefined ? undefined : this.keps.get(key);
  }

  /**
   * The KEP a document added without a KEP of its own comes from: the one at the path GitHub
   * says it was renamed from, else a document removed in the same commit with the same title,
   * else the one such document with the same number.
   */
  private moveSource(
    change: FileChange,
    fields: KepFields,
    removed: readonly FileChange[],
    movedAway: ReadonlySet<string>,
  ): KepState | undefined {
    const location = kepLocation(change.path);
    const present = (kep: KepState | undefined) =>
      kep && kep.blob !== null && kep.location !== location && !movedAway.has(kep.path) ? kep : undefined;
    if (change.previousPath) {
      const renamed = present(this.stateAt(kepLocation(change.previousPath)));
      if (renamed) return renamed;
    }
    if (change.status !== 'added') return undefined;
    const sources = removed
      .map((r) => present(this.stateAt(kepLocation(r.path))))
      .filter((kep, index): kep is KepState => kep !== undefined && kep.path === removed[index]?.path);
    const byTitle = sources.find((kep) => sameTitle(kep.fields.title, fields.title));
    if (byTitle) return byTitle;
    const byNumber = sources.filter((kep) => kep.fields.number !== null && kep.fields.number === fields.number);
    return byNumber.length === 1 ? byNumber[0] : undefined;
  }

  /**
   * A new KEP's identity: its location, or, where a KEP that lived there before keeps that key,
   * the location and the commit it appeared in (one document per location per commit).
   */
  private mint(location: string, sha: string): string {
    let key = location;
    if (this.taken.has(key)) key = `${location}@${sha.slice(0, 7)}`;
    if (this.taken.has(key)) key = `${location}@${sha}`;
    this.taken.add(key);
    return key;
  }

  private note(key: string, events: ItemEvent[]): void {
    this.touched.set(key, [...(this.touched.get(key) ?? []), ...events]);
  }
}

function isBetterHolder(candidate: KepState, holder: KepState): boolean {
  if ((candidate.blob !== null) !== (holder.blob !== null)) return candidate.blob !== null;
  return candidate.updatedAt.getTime() > holder.updatedAt.getTime();
}

/** Two versions of one KEP: same title, or same number. */
function sameKep(a: KepFields, b: KepFields): boolean {
  return sameTitle(a.title, b.title) || (a.number !== null && a.number === b.number);
}

function sameTitle(a: string, b: string): boolean {
  const normal = (title: string) =>
    title
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  return normal(a) === normal(b);
}
