import type { Item, ItemEvent, ItemWithEvents, KepDetails } from '../domain/item.js';
import type { RunWarning } from '../domain/run.js';
import { fetchBlobs } from '../github/batch.js';
import { parseList, type RestCommit, restCommit } from '../github/payloads.js';
import { isKepCandidate, type KepFields, kepLocation, kepTransitions, parseKepDocument } from './kep-document.js';
import { requestKey, type Source, type SourceBatch, type SourceRequest, splitRepo } from './source.js';
import { type CommitPair, diffCommits, type FileChange } from './tree-diff.js';

/**
 * KEPs of kubernetes/enhancements, read from the commits that change keps/:
 *
 * 1. GET /repos/{o}/{r}/commits?path=keps&since=S lists them, newest first; page 1 is asked with
 *    its ETag (S stays fixed), so a poll with no new commit costs nothing;
 * 2. each new commit's tree is compared with its parent's (GraphQL, many trees per query) to
 *    find the KEP documents it changed;
 * 3. those documents are read at that commit (GraphQL, ~50 files per query), parsed (kep.yaml or
 *    Markdown front matter) and compared with the previous version: every transition becomes an
 *    event with the commit that made it.
 *
 * Commits are applied oldest first, in batches stored with the cursor "processed through sha":
 * a run killed at any moment resumes after the last stored batch.
 */

const ROUTE = '/repos/{owner}/{repo}/commits';
const ROOT = 'keps';
/** Commits per stored batch (trees and documents of a batch share GraphQL queries). */
const COMMITS_PER_BATCH = 99;

type KepPosition = {
  /** The `since` of the commit listing; fixed so page 1's ETag stays valid. */
  listingSince?: string;
  /** The earliest time this cursor has covered. */
  coveredFrom?: string;
  /** The newest commit whose changes are stored. */
  processedThrough?: string;
};

export const kepSource: Source = {
  name: 'keps',
  serves: ['keps'],
  weight: 3,
  cursorKey: (source) => source,
  label: () => 'keps',
  read: readKeps,
};

interface KepState {
  key: string;
  fields: KepFields;
  path: string;
  location: string;
  blob: string | null;
  commit: string | null;
  text: string | null;
  /** When its last transition (creation, status, stage, milestone) happened. */
  occurredAt: Date;
  updatedAt: Date;
  firstSeen: boolean;
}

async function* readKeps(request: SourceRequest): AsyncGenerator<SourceBatch> {
  const { owner, repo } = splitRepo(request.repo.repo);
  const position = (request.cursor?.position ?? {}) as KepPosition;
  const storedFrom = position.coveredFrom ? new Date(position.coveredFrom) : null;
  const restart = !storedFrom || !position.listingSince || (request.since !== undefined && request.since < storedFrom);
  const listingSince = restart ? (request.since ?? request.defaultSince) : new Date(position.listingSince as string);
  const coveredFrom = restart ? listingSince : (storedFrom as Date);
  const processedThrough = restart ? null : (position.processedThrough ?? null);

  // 1. New commits on keps/, newest first, down to the last one already processed.
  const listed: RestCommit[] = [];
  const warnings: RunWarning[] = [];
  let firstPage: SourceBatch['validators'][number] | null = null;
  for (let page = 1; ; page++) {
    request.signal?.throwIfAborted();
    const params = {
      owner,
      repo,
      sha: request.defaultBranch,
      path: ROOT,
      since: listingSince.toISOString(),
      per_page: request.pageSize,
      page,
    };
    const key = requestKey(ROUTE, params);
    const result = await request.github.getConditional<unknown>(
      ROUTE,
      params,
      // Reading further back than before: page 1 unchanged says nothing about the older commits.
      page === 1 && !restart ? await request.store.validators(key) : undefined,
    );
    if (!result.modified) return; // no new commit on keps/
    if (page === 1) firstPage = { requestKey: key, etag: result.etag, lastModified: result.lastModified };
    const { items, problems } = parseList(restCommit, result.data, 'commit');
    for (const p of problems) warnings.push({ message: `skipped a malformed commit: ${p.message}`, request: key });
    const stop = items.findIndex((c) => c.sha === processedThrough);
    listed.push(...(stop >= 0 ? items.slice(0, stop) : items));
    if (stop >= 0 || (result.data as unknown[]).length < request.pageSize) break;
  }
  const until = request.until?.getTime() ?? Number.POSITIVE_INFINITY;
  const commits = listed.reverse().filter((c) => Date.parse(c.commit.committer.date) < until);
  // Commits left for a later poll (--until): page 1 must be read again then, not answered 304.
  if (commits.length < listed.length) firstPage = null;
  const total = commits.length;
  const state = new Map<string, KepState>(); // by location

  if (commits.length === 0) {
    yield {
      items: [],
      cursor: cursorAfter(request, listingSince, coveredFrom, processedThrough),
      validators: firstPage ? [firstPage] : [],
      warnings,
      progress: { done: 0, total: 0 },
    };
    return;
  }

  // 2. Which KEP documents each commit changed: its tree against the previous commit's (the
  //    first parent for the very first one), and GitHub's own file list when neither is readable.
  //    This depends on nothing stored, so the next batch's comparison runs while one is stored.
  let previous = processedThrough;
  const batches: RestCommit[][] = [];
  for (let start = 0; start < commits.length; start += COMMITS_PER_BATCH)
    batches.push(commits.slice(start, start + COMMITS_PER_BATCH));
  const pairsOf = batches.map((batch) =>
    batch.map((c): CommitPair => {
      const base = previous ?? c.parents[0]?.sha;
      previous = c.sha;
      return { sha: c.sha, bases: base ? [base] : [] };
    }),
  );
  const diffOf = async (index: number) => {
    const diff = await diffCommits(request.github, { owner, name: repo }, ROOT, pairsOf[index] ?? []);
    for (const sha of diff.unknownBase) diff.changes.set(sha, await commitFiles(request, owner, repo, sha));
    return diff;
  };
  let nextDiff = diffOf(0);

  for (const [index, batch] of batches.entries()) {
    request.signal?.throwIfAborted();
    const isLast = index === batches.length - 1;
    const diff = await nextDiff;
    if (!isLast) {
      nextDiff = diffOf(index + 1);
      nextDiff.catch(() => undefined); // if the run stops first, its failure is not unhandled
    }
    const candidates = (sha: string) => (diff.changes.get(sha) ?? []).filter((f) => isKepCandidate(f.path));

    // 3. What the store knows of those KEPs; then only real changes (a new blob) are read.
    const locations = [...new Set(batch.flatMap((c) => candidates(c.sha).map((f) => kepLocation(f.path))))].filter(
      (l) => !state.has(l),
    );
    for (const [location, item] of await request.store.knownKeps(locations)) state.set(location, fromKnown(item));
    const effective = realChanges(
      batch.map((c) => c.sha),
      candidates,
      state,
    );
    const expressions = batch.flatMap((c) =>
      (effective.get(c.sha) ?? []).filter((f) => f.status !== 'removed').map((f) => `${c.sha}:${f.path}`),
    );
    const blobs = await fetchBlobs(request.github, { owner, name: repo }, expressions);

    const touched = new Map<string, ItemEvent[]>();
    for (const commit of batch) {
      const at = new Date(commit.commit.committer.date);
      applyCommit(commit.sha, at, effective.get(commit.sha) ?? [], blobs, state, touched, warnings);
    }
    const items: ItemWithEvents[] = [...touched].map(([location, events]) => ({
      item: toItem(request, state.get(location) as KepState),
      events,
    }));
    const last = batch.at(-1) as RestCommit;
    const done = batches.slice(0, index + 1).reduce((n, b) => n + b.length, 0);
    yield {
      items,
      cursor: cursorAfter(request, listingSince, coveredFrom, last.sha, new Date(last.commit.committer.date)),
      // Page 1's ETag is only true once every commit it lists is stored.
      validators: isLast && firstPage ? [firstPage] : [],
      warnings: warnings.splice(0),
      progress: { done, total },
    };
  }
}

/**
 * Drops changes that are not changes for radar: a blob it already has for that path (a tree
 * comparison can report a file another branch changed first). Applied in commit order.
 */
function realChanges(
  shas: string[],
  candidates: (sha: string) => FileChange[],
  state: Map<string, KepState>,
): Map<string, FileChange[]> {
  const current = new Map<string, string | null>();
  for (const kep of state.values()) current.set(kep.path, kep.blob);
  const result = new Map<string, FileChange[]>();
  for (const sha of shas) {
    const kept: FileChange[] = [];
    for (const change of candidates(sha)) {
      const had = current.get(change.path);
      if (change.status === 'removed' ? had === undefined || had === null : had === change.oid && change.oid !== null) continue;
      // A path radar already knows is modified, whatever the comparison said.
      kept.push(had && change.status === 'added' ? { ...change, status: 'modified' } : change);
      current.set(change.path, change.oid);
    }
    result.set(sha, kept);
  }
  return result;
}

/** Files of one commit from GitHub's commit endpoint (one request): used when no tree to compare with is readable. */
async function commitFiles(request: SourceRequest, owner: string, repo: string, sha: string): Promise<FileChange[]> {
  const commit = await request.github.get<{ files?: Array<{ filename: string; status: string; sha?: string | null }> }>(
    '/repos/{owner}/{repo}/commits/{ref}',
    { owner, repo, ref: sha },
  );
  return (commit.files ?? []).map((f) => ({
    path: f.filename,
    oid: f.status === 'removed' ? null : (f.sha ?? `${sha}:${f.filename}`),
    status: f.status === 'removed' ? 'removed' : f.status === 'added' ? 'added' : 'modified',
  }));
}

function cursorAfter(request: SourceRequest, listingSince: Date, coveredFrom: Date, processedThrough: string | null, at?: Date) {
  const position: KepPosition = { listingSince: listingSince.toISOString(), coveredFrom: coveredFrom.toISOString() };
  if (processedThrough) position.processedThrough = processedThrough;
  return { since: at ?? request.cursor?.since ?? null, position };
}

/** Applies one commit's changed documents to the KEP states, collecting events per KEP. */
function applyCommit(
  sha: string,
  at: Date,
  changes: FileChange[],
  blobs: Map<string, { text: string | null; oid: string } | null>,
  state: Map<string, KepState>,
  touched: Map<string, ItemEvent[]>,
  warnings: RunWarning[],
): void {
  const note = (location: string, events: ItemEvent[]) => touched.set(location, [...(touched.get(location) ?? []), ...events]);
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

  for (const { change, fields, text } of parsedHere) {
    const location = kepLocation(change.path);
    let current = state.get(location);
    let moveEvents: ItemEvent[] = [];
    if (!current && change.status === 'added') {
      // A KEP moved in this commit keeps its identity: same number, or same title, as one removed.
      const from = removed
        .map((r) => state.get(kepLocation(r.path)))
        .find((s) => s && (s.fields.number !== null ? s.fields.number === fields.number : s.fields.title === fields.title));
      if (from) {
        state.delete(from.location);
        touched.delete(from.location);
        moveEvents = [
          { type: 'kep.moved', from: from.path, to: change.path, commitSha: sha, occurredAt: at, details: { path: change.path } },
        ];
        current = { ...from, location };
      }
    }
    const events = [
      ...moveEvents,
      ...kepTransitions(current?.fields ?? null, fields, {
        commit: sha,
        at,
        added: change.status === 'added',
        path: change.path,
      }),
    ];
    const transition = events.some((e) => e.type !== 'kep.revised' && e.type !== 'kep.moved');
    state.set(location, {
      key: current?.key ?? (fields.number ? `KEP-${fields.number}` : location),
      fields,
      path: change.path,
      location,
      blob: change.oid,
      commit: sha,
      text,
      occurredAt: transition || !current ? at : current.occurredAt,
      updatedAt: at,
      firstSeen: !current,
    });
    note(location, events);
  }

  for (const change of removed) {
    const location = kepLocation(change.path);
    const current = state.get(location);
    if (!current || current.path !== change.path || touched.get(location)?.some((e) => e.type === 'kep.moved')) continue;
    note(location, [
      { type: 'kep.removed', from: change.path, to: null, commitSha: sha, occurredAt: at, details: { path: change.path } },
    ]);
    state.set(location, { ...current, updatedAt: at });
  }
}

function fromKnown(known: { key: string; details: Record<string, unknown>; occurredAt: Date; sourceUpdatedAt: Date }): KepState {
  const d = known.details as unknown as KepDetails;
  return {
    key: known.key,
    fields: {
      title: String((known.details as { title?: unknown }).title ?? ''),
      number: d.kepNumber,
      owningSig: d.owningSig,
      participatingSigs: d.participatingSigs,
      status: d.status,
      stage: d.stage,
      latestMilestone: d.latestMilestone,
      milestones: d.milestones,
      featureGates: d.featureGates,
      authors: d.authors,
    },
    path: d.path,
    location: d.location,
    blob: d.blob,
    commit: d.commit,
    text: null,
    occurredAt: known.occurredAt,
    updatedAt: known.sourceUpdatedAt,
    firstSeen: false,
  };
}

function toItem(request: SourceRequest, kep: KepState): Item {
  const repo = request.repo.repo;
  const branch = request.defaultBranch;
  const url = kep.path.endsWith('kep.yaml')
    ? `https://github.com/${repo}/tree/${branch}/${kep.location}`
    : `https://github.com/${repo}/blob/${branch}/${kep.path}`;
  const details: KepDetails & { title: string } = {
    type: 'kep',
    title: kep.fields.title,
    kepNumber: kep.fields.number,
    path: kep.path,
    location: kep.location,
    blob: kep.blob,
    owningSig: kep.fields.owningSig,
    participatingSigs: kep.fields.participatingSigs,
    status: kep.fields.status,
    stage: kep.fields.stage,
    latestMilestone: kep.fields.latestMilestone,
    milestones: kep.fields.milestones,
    featureGates: kep.fields.featureGates,
    authors: kep.fields.authors,
    commit: kep.commit,
    creationDate: null,
    tracking: null,
  };
  return {
    kind: 'kep',
    repo,
    key: kep.key,
    number: kep.fields.number,
    // A stable name for every KEP, numbered or not (2019 KEPs were named by date): its key.
    tag: kep.key,
    title: kep.fields.title,
    url,
    author: kep.fields.authors[0] ?? null,
    state: kep.fields.status ?? 'unknown',
    labels: [kep.fields.owningSig, ...kep.fields.participatingSigs].filter((s): s is string => Boolean(s)),
    body: kep.text,
    occurredAt: kep.occurredAt,
    sourceUpdatedAt: kep.updatedAt,
    details,
    raw: { path: kep.path, commit: kep.commit, blob: kep.blob, metadata: kep.fields },
  };
}
