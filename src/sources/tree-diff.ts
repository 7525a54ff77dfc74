import { fetchTrees, type GraphqlTree, type RepoRef } from '../github/batch.js';

type AnyEntry = { name: string; type: string; oid: string; object?: { entries?: AnyEntry[] | null } | null };

import type { GitHub } from '../github/client.js';

/**
 * Which files under a folder each commit changed, found by comparing the commit's tree with its
 * parent's through GraphQL (many trees per query, two levels per tree), descending only into
 * folders whose oids differ. GitHub's commit listing does not say which files a commit touched,
 * and asking per commit would cost a request each.
 */

export interface CommitPair {
  sha: string;
  /** The revision to compare with: the first parent, or the previous commit when that is unknown. */
  bases: string[];
}

export interface FileChange {
  path: string;
  /** Blob oid after the commit; null when removed. */
  oid: string | null;
  status: 'added' | 'modified' | 'removed';
  /** For a document GitHub reports renamed (status added here): the path it had before. */
  previousPath?: string;
}

export interface TreeDiff {
  /** Changed files per commit sha. */
  changes: Map<string, FileChange[]>;
  /** Commits none of whose bases could be read: their changes are unknown (and absent from `changes`). */
  unknownBase: string[];
}

type Entry = { name: string; type: string; oid: string; children: Entry[] | null };

const MAX_DEPTH = 4;

export async function diffCommits(
  github: GitHub,
  repo: RepoRef,
  root: string,
  commits: readonly CommitPair[],
): Promise<TreeDiff> {
  const trees = new Map<string, Entry[] | null>();
  const load = async (expressions: string[]) => {
    const missing = [...new Set(expressions)].filter((e) => !trees.has(e));
    if (missing.length === 0) return;
    const fetched = await fetchTrees(github, repo, missing);
    for (const [expression, tree] of fetched) trees.set(expression, toEntries(tree));
  };

  // Level 1: the root folder at each commit and at each candidate base.
  await load(commits.flatMap((c) => [`${c.sha}:${root}`, ...c.bases.map((b) => `${b}:${root}`)]));
  const changes = new Map<string, FileChange[]>();
  const unknownBase: string[] = [];
  let frontier: Array<{ sha: string; base: string; path: string; after: Entry[] | null; before: Entry[] | null }> = [];
  for (const commit of commits) {
    const after = trees.get(`${commit.sha}:${root}`) ?? null;
    const base = commit.bases.find((b) => (trees.get(`${b}:${root}`) ?? null) !== null) ?? null;
    if (!base || after === null) {
      unknownBase.push(commit.sha);
      continue;
    }
    changes.set(commit.sha, []);
    frontier.push({ sha: commit.sha, base, path: root, after, before: trees.get(`${base}:${root}`) ?? null });
  }

  for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0; depth++) {
    const next: typeof frontier = [];
    const toLoad: string[] = [];
    for (const node of frontier) {
      const before = new Map((node.before ?? []).map((e) => [e.name, e]));
      const after = new Map((node.after ?? []).map((e) => [e.name, e]));
      for (const name of new Set([...before.keys(), ...after.keys()])) {
        const b = before.get(name);
        const a = after.get(name);
        if (b && a && b.oid === a.oid) continue;
        const path = `${node.path}/${name}`;
        const list = changes.get(node.sha) as FileChange[];
        const isTree = (a ?? b)?.type === 'tree';
        if (!isTree) {
          if (a?.type === 'blob') list.push({ path, oid: a.oid, status: b ? 'modified' : 'added' });
          else if (b?.type === 'blob') list.push({ path, oid: null, status: 'removed' });
          continue;
        }
        // A folder that changed: compare inside it, from the nested answer or with another query.
        const child = { sha: node.sha, base: node.base, path, after: a?.children ?? null, before: b?.children ?? null };
        if (a && a.children === null) toLoad.push(`${node.sha}:${path}`);
        if (b && b.children === null) toLoad.push(`${node.base}:${path}`);
        next.push(child);
      }
    }
    await load(toLoad);
    for (const node of next) {
      if (node.after === null) node.after = trees.get(`${node.sha}:${node.path}`) ?? null;
      if (node.before === null) node.before = trees.get(`${node.base}:${node.path}`) ?? null;
    }
    frontier = next;
  }
  return { changes, unknownBase };
}

function toEntries(tree: GraphqlTree | null): Entry[] | null {
  return tree?.entries ? tree.entries.map((e) => toEntry(e as AnyEntry)) : null;
}

/** Several levels come in one answer; a folder deeper than that has null children until asked for. */
function toEntry(e: AnyEntry): Entry {
  const children = e.type === 'tree' && e.object?.entries ? e.object.entries.map(toEntry) : null;
  return { name: e.name, type: e.type, oid: e.oid, children };
}
