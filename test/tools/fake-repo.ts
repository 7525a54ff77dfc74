import { createHash } from 'node:crypto';
import type nock from 'nock';
import { activeAliases, rateLimit } from './graphql.js';

/**
 * A small git history held in memory, answered as GitHub would: the REST commit listing
 * (newest first, `since`/`path` filters), and GraphQL trees and blobs by "REV:path" expression,
 * with real git object ids. For tests of the KEP reader.
 */
export interface FakeCommit {
  sha: string;
  date: string;
  message: string;
  /** Files written (content) or deleted (null) by this commit. */
  files: Record<string, string | null>;
}

export class FakeRepo {
  private readonly states = new Map<string, Map<string, string>>();
  readonly commits: Array<FakeCommit & { parent: string | null }> = [];

  constructor(readonly fullName: string) {}

  commit(commit: FakeCommit): this {
    const parent = this.commits.at(-1) ?? null;
    const state = new Map(parent ? this.states.get(parent.sha) : []);
    for (const [path, content] of Object.entries(commit.files)) {
      if (content === null) state.delete(path);
      else state.set(path, content);
    }
    this.states.set(commit.sha, state);
    this.commits.push({ ...commit, parent: parent?.sha ?? null });
    return this;
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
      .filter((c) => !path || Object.keys(c.files).some((f) => f.startsWith(`${path}/`)));
    return matching.slice((page - 1) * perPage, page * perPage).map((c) => this.commitJson(c));
  }

  private commitJson(c: FakeCommit & { parent: string | null }) {
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

  /** Answers GET commits and POST /graphql (TreeEntries, BlobTexts) on a nock scope. */
  serve(scope: nock.Scope): nock.Scope {
    const [owner, repo] = this.fullName.split('/');
    const listCommits = (query: URLSearchParams) => this.listCommits(query);
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
