import pLimit from 'p-limit';
import { z } from 'zod';
import type { Item, ItemWithEvents, KepDetails } from '../domain/item.js';
import type { RunWarning } from '../domain/run.js';
import { fetchBlobs } from '../github/batch.js';
import { parseList, type RestCommit, restCommit } from '../github/payloads.js';
import { isKepCandidate, kepLocation } from './kep-document.js';
import {
  batchesKeepingTies,
  type CommitFile,
  commitFileChanges,
  confirmChanges,
  inHistoryOrder,
  KepHistory,
  type KepState,
} from './kep-history.js';
import { type KnownItem, requestKey, type Source, type SourceBatch, type SourceRequest, splitRepo } from './source.js';
import { type CommitPair, diffCommits } from './tree-diff.js';

/**
 * KEPs of kubernetes/enhancements, read from the commits that change keps/:
 *
 * 1. GET /repos/{o}/{r}/commits?path=keps&since=S lists them, newest first; page 1 is asked with
 *    its ETag (S stays fixed), so a poll with no new commit costs nothing;
 * 2. each new commit's tree is compared with its parent's (GraphQL, many trees per query) to
 *    find the KEP documents it changed; where that comparison claims a document added that
 *    radar has no record of, the commit's own file list (GET /repos/{o}/{r}/commits/{sha}, one
 *    request per such commit) says whether it was added, modified or renamed from another path;
 * 3. those documents are read at that commit (GraphQL, ~50 files per query), parsed (kep.yaml or
 *    Markdown front matter) and compared with the previous version: every transition becomes an
 *    event with the commit that made it, on the KEP's identity (kep-history.ts), which moves and
 *    renames keep.
 *
 * Commits are applied oldest first (parents before children), in batches stored with the cursor
 * "processed through sha": a run killed at any moment resumes after the last stored batch.
 */

const ROUTE = '/repos/{owner}/{repo}/commits';
const ROOT = 'keps';
/** Commits per stored batch (trees and documents of a batch share GraphQL queries). */
const COMMITS_PER_BATCH = 99;
/** Commit file lists asked at once (REST requests, one per commit whose adds need confirming). */
const COMMIT_FILE_REQUESTS = 4;

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
  const history = new KepHistory();

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
  //    Commits are applied parents first: a listing orders commits of one second (a rebased
  //    series) as it likes. Such a series stays in one batch, so the batch still ends where the
  //    listing does, at the commit the cursor names.
  let previous = processedThrough;
  const batches = batchesKeepingTies(commits, COMMITS_PER_BATCH, (c) => c.commit.committer.date);
  const ordered = batches.map((batch) =>
    inHistoryOrder(
      batch,
      (c) => c.sha,
      (c) => c.parents.map((p) => p.sha),
    ),
  );
  const pairsOf = ordered.map((batch) =>
    batch.map((c): CommitPair => {
      const base = previous ?? c.parents[0]?.sha;
      previous = c.sha;
      return { sha: c.sha, bases: base ? [base] : [] };
    }),
  );
  const diffOf = async (index: number) => {
    const diff = await diffCommits(request.github, { owner, name: repo }, ROOT, pairsOf[index] ?? []);
    // Commits whose changes come from GitHub's own file list: their statuses need no confirmation.
    const listed = new Set(diff.unknownBase);
    for (const sha of diff.unknownBase)
      diff.changes.set(sha, commitFileChanges(sha, await commitFiles(request, owner, repo, sha, warnings)));
    return { ...diff, listed };
  };
  let nextDiff = diffOf(0);

  for (const [index, batch] of ordered.entries()) {
    request.signal?.throwIfAborted();
    const isLast = index === batches.length - 1;
    const diff = await nextDiff;
    if (!isLast) {
      nextDiff = diffOf(index + 1);
      nextDiff.catch(() => undefined); // if the run stops first, its failure is not unhandled
    }
    const shas = batch.map((c) => c.sha);
    const candidates = (sha: string) => (diff.changes.get(sha) ?? []).filter((f) => isKepCandidate(f.path));

    // 3. What the store knows of those KEPs; adds of documents it has no record of confirmed by
    //    the commit's own file list (one request per such commit; renames come with it); then
    //    only real changes (a new blob) are read.
    await rememberStored(
      request,
      history,
      shas.flatMap((sha) => candidates(sha).map((f) => f.path)),
    );
    const unconfirmed = history.unconfirmedAdds(shas, candidates).filter((sha) => !diff.listed.has(sha));
    const limit = pLimit(COMMIT_FILE_REQUESTS);
    const listings = await Promise.all(unconfirmed.map((sha) => limit(() => commitFiles(request, owner, repo, sha, warnings))));
    unconfirmed.forEach((sha, i) => {
      diff.changes.set(sha, confirmChanges(sha, diff.changes.get(sha) ?? [], listings[i] ?? []));
    });
    await rememberStored(
      request,
      history,
      shas.flatMap((sha) => candidates(sha).flatMap((f) => (f.previousPath ? [f.previousPath] : []))),
    );
    const effective = history.realChanges(shas, candidates);
    const expressions = batch.flatMap((c) =>
      (effective.get(c.sha) ?? []).filter((f) => f.status !== 'removed').map((f) => `${c.sha}:${f.path}`),
    );
    const blobs = await fetchBlobs(request.github, { owner, name: repo }, expressions);

    for (const commit of batch) {
      history.applyCommit(commit.sha, new Date(commit.commit.committer.date), effective.get(commit.sha) ?? [], blobs, warnings);
    }
    const items: ItemWithEvents[] = history.take().map(({ kep, events }) => ({ item: toItem(request, kep), events }));
    const last = batches[index]?.at(-1) as RestCommit;
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
 * Looks up the stored KEPs at the locations of these paths that this read does not know yet,
 * and the keys stored KEPs keep there after moving away (so no new KEP takes them).
 */
async function rememberStored(request: SourceRequest, history: KepHistory, paths: readonly string[]): Promise<void> {
  const locations = [...new Set(paths.map(kepLocation))].filter((l) => !history.knows(l));
  if (locations.length === 0) return;
  for (const known of await request.store.knownKeps(locations)) {
    const kep = fromKnown(known);
    if (locations.includes(kep.location)) history.remember(kep);
    else history.reserve(kep.key);
  }
}

const commitFilesPayload = z.looseObject({ files: z.array(z.unknown()).nullable().optional() });
const commitFile = z.looseObject({
  filename: z.string().min(1),
  status: z.string(),
  sha: z.string().nullable().optional(),
  previous_filename: z.string().nullable().optional(),
});

/** Files of one commit from GitHub's commit endpoint (one request), with their status and the old path of a rename. */
async function commitFiles(
  request: SourceRequest,
  owner: string,
  repo: string,
  sha: string,
  warnings: RunWarning[],
): Promise<CommitFile[]> {
  const route = '/repos/{owner}/{repo}/commits/{ref}';
  const params = { owner, repo, ref: sha };
  const payload = commitFilesPayload.safeParse(await request.github.get<unknown>(route, params));
  if (!payload.success) throw new TypeError(`GitHub returned no commit for ${requestKey(route, params)}`);
  const { items, problems } = parseList(commitFile, payload.data.files ?? [], 'commit file');
  for (const p of problems)
    warnings.push({ message: `skipped a malformed commit file: ${p.message}`, request: requestKey(route, params) });
  return items.map((f) => ({
    filename: f.filename,
    status: f.status,
    sha: f.sha ?? null,
    previousFilename: f.previous_filename ?? null,
  }));
}

function cursorAfter(request: SourceRequest, listingSince: Date, coveredFrom: Date, processedThrough: string | null, at?: Date) {
  const position: KepPosition = { listingSince: listingSince.toISOString(), coveredFrom: coveredFrom.toISOString() };
  if (processedThrough) position.processedThrough = processedThrough;
  return { since: at ?? request.cursor?.since ?? null, position };
}

function fromKnown(known: KnownItem): KepState {
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
    // The identity, which a new number or a move does not change; editors read the tag.
    key: kep.key,
    number: kep.fields.number,
    // What editors call it: KEP-N, or where it is for the 2019 KEPs named by date.
    tag: kep.fields.number ? `KEP-${kep.fields.number}` : kep.location,
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
