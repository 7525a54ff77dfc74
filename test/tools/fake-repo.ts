import { createHash } from 'node:crypto';
import type nock from 'nock';
import { activeAliases, rateLimit } from './graphql.js';

/**
 * A small git history held in memory, answered as GitHub would: the REST commit listing
 * (newest first, `since`/`path` filters), one commit with its files (`GET .../commits/{sha}`:
 * status added/modified/removed/renamed, previous_filename), and GraphQL trees and blobs by
 * "REV:path" expression, with real git object ids. For tests of the KEP reader.
 *
 * Files that existed before the recorded history (`existing`) are in GitHub's answers about
 * commits (a change to one is "modified") but, as in github-sim, which only holds the files it
 * has snapshots of, in no tree until a commit writes them.
 */
export interface FakeCommit {
  sha: string;
  date: string;
  message: string;
  /** Files written (content) or deleted (null) by this commit. */
  files: Record<string, string | null>;
  /** Renames: new path -> old path (the new path's content is in `files`; the old path goes). */
  renames?: Record<string, string>;
  /** The parent, when not the commit before (a rebased series listed out of order). */
  parent?: string;
}

type RecordedCommit = Omit<FakeCommit, 'parent'> & { parent: string | null };

export class FakeRepo {
  /** What each commit's tree holds (what the trees of a simulator show). */
  private readonly states = new Map<string, Map<string, string>>();
  /** Everything each commit has, files from before the recorded history included. */
  private readonly full = new Map<string, Map<string, string>>();
  readonly commits: RecordedCommit[] = [];
  /** Requests for one commit's files, by sha. */
  readonly commitRequests: string[] = [];

  constructor(
    readonly fullName: string,
    private readonly existing: Record<string, string> = {},
  ) {}

  commit(commit: FakeCommit): this {
    const parentSha = commit.parent ?? this.commits.at(-1)?.sha ?? null;
    const state = new Map(parentSha ? this.states.get(parentSha) : []);
    const full = new Map(parentSha ? this.full.get(parentSha) : Object.entries(this.existing));
    for (const old of Object.values(commit.renames ?? {})) {
      state.delete(old);
      full.delete(old);
    }
    for (const [path, content] of Object.entries(commit.files)) {
      if (content === null) {
        state.delete(path);
        full.delete(path);
      } else {
        state.set(path, content);
        full.set(path, content);
      }
    }
    this.states.set(commit.sha, state);
    this.full.set(commit.sha, full);
    this.commits.push({ ...commit, parent: parentSha });
    return this;
  }

  /** The paths a commit touched, old sides of renames included. */
  private touched(c: RecordedCommit): string[] {
    return [...Object.keys(c.files), ...Object.values(c.renames ?? {})];
  }

  /** GET /repos/{o}/{r}/commits/{sha}: the commit with its files, as GitHub describes them. */
  commitWithFiles(sha: string): unknown {
    const c = this.commits.find((x) => x.sha === sha);
    if (!c) return undefined;
    const [owner, repo] = this.fullName.split('/');
    const before = c.parent ? (this.full.get(c.parent) as Map<string, string>) : new Map(Object.entries(this.existing));
    const renamedFrom = new Map(Object.entries(c.renames ?? {}));
    const files = Object.entries(c.files).map(([filename, content]) => {
      const previous = renamedFrom.get(filename);
      const old = before.get(previous ?? filename);
      const status = content === null ? 'removed' : previous ? 'renamed' : old === undefined ? 'added' : 'modified';
      const lines = (text: string | undefined) => (text ? text.split('\n').length : 0);
      return {
        sha: content === null ? (old ? blobOid(old) : null) : blobOid(content),
        filename,
        status,
        additions: lines(content ?? undefined),
        deletions: lines(old),
        changes: lines(content ?? undefined) + lines(old),
        blob_url: `https://github.com/${owner}/${repo}/blob/${sha}/${filename}`,
        raw_url: `https://github.com/${owner}/${repo}/raw/${sha}/${filename}`,
        contents_url: `https://api.github.com/repos/${owner}/${repo}/contents/${filename}?ref=${sha}`,
        ...(previous ? { previous_filename: previous } : {}),
      };
    });
    const additions = files.reduce((n, f) => n + f.additions, 0);
    const deletions = files.reduce((n, f) => n + f.deletions, 0);
    return { ...this.commitJson(c), stats: { total: additions + deletions, additions, deletions }, files };
  }

  /** GET /repos/{o}/{r}/commits?path=..&since=.. as GitHub lists them. */
  listCommits(query: URLSearchParams): unknown[] {
    const since = query.get('since');
    const path = query.get('path');
    const perPage = Number(query.get('per_page') ?? 30);
    const page = Number(query.get('page') ?? 1);
    const matching = [...this.commits]
      .reverse()
      .filter((c) => !since || c.date >= since.replace('.000Z', 'Z'))
      .filter((c) => !path || this.touched(c).some((f) => f.startsWith(`${path}/`)));
    return matching.slice((page - 1) * perPage, page * perPage).map((c) => this.commitJson(c));
  }

  private commitJson(c: RecordedCommit) {
    const [owner, repo] = this.fullName.split('/');
    const person = { name: 'A. Author', email: 'author@example.com', date: c.date };
    return {
      sha: c.sha,
      node_id: `C_kwDO${c.sha.slice(0, 8)}`,
      commit: {
        author: person,
        committer: person,
        message: c.message,
        tree: {
          sha: createHash('sha1').update(c.sha).digest('hex'),
          url: `https://api.github.com/repos/${owner}/${repo}/git/trees/x`,
        },
        url: `https://api.github.com/repos/${owner}/${repo}/git/commits/${c.sha}`,
        comment_count: 0,
        verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
      },
      url: `https://api.github.com/repos/${owner}/${repo}/commits/${c.sha}`,
      html_url: `https://github.com/${owner}/${repo}/commit/${c.sha}`,
      comments_url: `https://api.github.com/repos/${owner}/${repo}/commits/${c.sha}/comments`,
      author: null,
      committer: null,
      parents: c.parent
        ? [
            {
              sha: c.parent,
              url: `https://api.github.com/repos/${owner}/${repo}/commits/${c.parent}`,
              html_url: `https://github.com/${owner}/${repo}/commit/${c.parent}`,
            },
          ]
        : [],
    };
  }

  /** A tree "REV:path" as the TreeEntries query asks it (three levels), or null. */
  tree(expression: string, levels = 3): unknown {
    const [rev, path] = splitExpression(expression);
    const state = this.states.get(rev);
    if (!state) return null;
    const prefix = `${path}/`;
    const inside = [...state.keys()].filter((p) => p.startsWith(prefix));
    if (inside.length === 0) return null;
    return {
      oid: treeOid(inside.map((p) => `${p}:${blobOid(state.get(p) as string)}`)),
      entries: this.entries(state, path, levels),
    };
  }

  private entries(state: Map<string, string>, path: string, levels: number): unknown[] {
    const prefix = `${path}/`;
    const names = new Map<string, 'blob' | 'tree'>();
    for (const p of state.keys()) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      names.set(slash < 0 ? rest : rest.slice(0, slash), slash < 0 ? 'blob' : 'tree');
    }
    return [...names].sort().map(([name, type]) => {
      const full = `${path}/${name}`;
      if (type === 'blob') return { name, type, oid: blobOid(state.get(full) as string), object: {} };
      const inside = [...state.keys()].filter((p) => p.startsWith(`${full}/`));
      const oid = treeOid(inside.map((p) => `${p}:${blobOid(state.get(p) as string)}`));
      return { name, type, oid, object: levels > 1 ? { entries: this.entries(state, full, levels - 1) } : {} };
    });
  }

  blob(expression: string): unknown {
    const [rev, path] = splitExpression(expression);
    const content = this.states.get(rev)?.get(path);
    if (content === undefined) return null;
    return { oid: blobOid(content), byteSize: Buffer.byteLength(content), isBinary: false, text: content };
  }

  /** Answers GET commits, GET commits/{sha} and POST /graphql (TreeEntries, BlobTexts) on a nock scope. */
  serve(scope: nock.Scope): nock.Scope {
    const [owner, repo] = this.fullName.split('/');
    const listCommits = (query: URLSearchParams) => this.listCommits(query);
    scope
      .get(new RegExp(`^/repos/${owner}/${repo}/commits/[0-9a-f]{40}$`))
      .reply((uri) => {
        const sha = uri.slice(uri.lastIndexOf('/') + 1);
        this.commitRequests.push(sha);
        const body = this.commitWithFiles(sha);
        return body
          ? [200, body]
          : [
              422,
              { message: `No commit found for SHA: ${sha}`, documentation_url: 'https://docs.github.com/rest', status: '422' },
            ];
      })
      .persist();
    scope
      .get(`/repos/${owner}/${repo}/commits`)
      .query(true)
      .reply(function (uri) {
        const query = new URL(uri, 'https://api.github.com').searchParams;
        return conditional(this.req.headers['if-none-match'], listCommits(query));
      })
      .persist();
    scope
      .post('/graphql')
      .reply((_uri, body) => {
        const { query, variables } = body as { query: string; variables: Record<string, unknown> };
        const operation = /query\s+(\w+)/.exec(query)?.[1];
        const repository: Record<string, unknown> = {};
        for (const i of activeAliases(variables)) {
          const expression = variables[`e${i}`] as string;
          if (operation === 'TreeEntries') repository[`t${i}`] = this.tree(expression);
          else if (operation === 'BlobTexts') repository[`b${i}`] = this.blob(expression);
        }
        return [200, { data: { rateLimit: rateLimit(1), repository } }];
      })
      .persist();
    return scope;
  }
}

/** 200 with a strong ETag, or 304 when the client already has it (free, as on GitHub). */
function conditional(ifNoneMatch: string | string[] | undefined, body: unknown): [number, unknown, Record<string, string>] {
  const etag = `"${createHash('sha1').update(JSON.stringify(body)).digest('hex')}"`;
  if (ifNoneMatch === etag || ifNoneMatch === `W/${etag}`) return [304, '', { etag }];
  return [200, body, { etag }];
}

function splitExpression(expression: string): [string, string] {
  const colon = expression.indexOf(':');
  return [expression.slice(0, colon), expression.slice(colon + 1)];
}

export function blobOid(content: string): string {
  const bytes = Buffer.from(content);
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function treeOid(parts: string[]): string {
  return createHash('sha1').update(parts.sort().join('\n')).digest('hex');
}

/** Serves GET /repos/{o}/{r}/issues from a list of issue objects as GitHub filters, sorts and pages it. */
export function serveIssueListing(
  scope: nock.Scope,
  repo: string,
  issues: Array<{ updated_at: string; number: number }>,
): nock.Scope {
  return scope
    .get(`/repos/${repo}/issues`)
    .query(true)
    .reply(function (uri) {
      const query = new URL(uri, 'https://api.github.com').searchParams;
      const since = query.get('since');
      const perPage = Number(query.get('per_page') ?? 30);
      const page = Number(query.get('page') ?? 1);
      const sorted = issues
        .filter((i) => !since || Date.parse(i.updated_at) >= Date.parse(since))
        .sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at) || a.number - b.number);
      return conditional(this.req.headers['if-none-match'], sorted.slice((page - 1) * perPage, page * perPage));
    })
    .persist();
}
