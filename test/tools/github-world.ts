import type { Route } from './fake-github.js';
import { type GitHubIssueJson, type IssueSpec, issueJson, linkHeader, releaseJson, repositoryJson } from './github-fixtures.js';

/**
 * A small but realistic GitHub for the crash-point and fault suites, served by fake-github.ts:
 * two watched repositories with a few dozen pull requests, design issues and releases over
 * several pages (so a backfill stores several batches), the PullDetails GraphQL query, and a
 * digest repository where `radar issue publish` creates and updates issues.
 *
 * `version` 1 is the history a backfill reads; version 2 adds what happened next (new pull
 * requests and a cherry-pick, a proposal merged, a label added, new releases), for `radar poll`.
 * Everything is built once, so every trial of a test file is served byte-identical answers.
 */

export const KUBERNETES = 'kubernetes/kubernetes';
export const CONTAINERD = 'containerd/containerd';
export const DIGEST_REPO = 'radar-digest/weekly';
export const BOT_LOGIN = 'radar-bot';

/** What the suites backfill: every fixture of version 1 is at or after it. */
export const BACKFILL_SINCE = '2019-05-01T00:00:00Z';

/** A config for these repos: small pages so that listings span many requests and batches. */
export function worldConfig(options: { pageSize?: number; requestTimeoutMs?: number; concurrency?: number } = {}): string {
  return `github:
  concurrency: ${options.concurrency ?? 1}
  pageSize: ${options.pageSize ?? 3}
  requestTimeoutMs: ${options.requestTimeoutMs ?? 30_000}
projects:
  - name: Kubernetes
    conventions: kubernetes
    repos:
      - repo: ${KUBERNETES}
        sources: [pulls, issues, releases]
  - name: containerd
    conventions: containerd
    repos:
      - repo: ${CONTAINERD}
        sources: [pulls, releases]
digest:
  publish:
    repo: ${DIGEST_REPO}
    labels: [weekly]
`;
}

interface PullFacts {
  additions: number;
  deletions: number;
  files: Array<{ path: string; additions: number; deletions: number; changeType: string }>;
  baseRefName: string;
  reviews: number;
}

interface Entry {
  json: GitHubIssueJson;
  /** GraphQL facts, for pull requests. */
  pull?: PullFacts;
}

interface CreatedIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  createdAt: string;
  updatedAt: string;
}

const COMPONENTS = ['kubelet', 'kube-proxy', 'scheduler', 'apiserver', 'kubectl', 'controller-manager', 'kubeadm', 'etcd client'];
const FEATURES = [
  'pod overhead',
  'topology spread',
  'ephemeral containers',
  'server-side apply',
  'watch bookmarks',
  'volume snapshots',
];
const SIGS = ['sig/node', 'sig/network', 'sig/scheduling', 'sig/api-machinery', 'sig/cli', 'sig/storage'];

function at(day: number, minute: number): string {
  // Day 0 is 2019-05-01; minutes keep every entry's updated_at distinct unless asked otherwise.
  return new Date(Date.UTC(2019, 4, 1 + day, 8, 0, 0) + minute * 60_000).toISOString().replace('.000Z', 'Z');
}

function facts(number: number, kind: 'api' | 'code' | 'test' | 'deps' | 'docs', baseRefName = 'master'): PullFacts {
  const additions = 10 + ((number * 37) % 900);
  const deletions = 1 + ((number * 11) % 120);
  const paths: Record<typeof kind, string[]> = {
    api: ['staging/src/k8s.io/api/core/v1/types.go', 'pkg/apis/core/types.go', 'pkg/kubelet/kubelet.go'],
    code: [`pkg/${number % 2 ? 'proxy' : 'scheduler'}/core.go`, `pkg/${number % 2 ? 'proxy' : 'scheduler'}/core_test.go`],
    test: ['test/e2e/node/pods.go'],
    deps: ['go.mod', 'go.sum', 'vendor/golang.org/x/net/http2/transport.go'],
    docs: ['docs/design/overview.md'],
  };
  return {
    additions,
    deletions,
    files: paths[kind].map((path, i) => ({ path, additions: Math.ceil(additions / (i + 1)), deletions, changeType: 'MODIFIED' })),
    baseRefName,
    reviews: number % 5,
  };
}

function kubernetesHistory(): { v1: Entry[]; v2: Entry[] } {
  const repo = KUBERNETES;
  const v1: Entry[] = [];
  const originals: Array<{ number: number; title: string }> = [];
  let proposal: IssueSpec | null = null;
  let labelled: IssueSpec | null = null;
  let rfc: IssueSpec | null = null;
  for (let i = 0; i < 66; i++) {
    const number = 77_000 + i * 7;
    const day = Math.floor((i * 44) / 66);
    // Five entries updated in the same second: more than a page of ties.
    const updatedAt = i >= 20 && i < 25 ? at(day, 0) : at(day, i);
    const createdAt = at(Math.max(0, day - 3), i);
    const component = COMPONENTS[i % COMPONENTS.length] as string;
    const feature = FEATURES[i % FEATURES.length] as string;
    const sig = SIGS[i % SIGS.length] as string;
    const merged = { mergedAt: updatedAt };
    const base = { repo, number, createdAt, updatedAt };
    let spec: IssueSpec;
    let pull: PullFacts | undefined;
    switch (i % 12) {
      case 0:
        spec = {
          ...base,
          title: `Add ${feature} field to the PodSpec API`,
          labels: ['kind/feature', 'kind/api-change', sig],
          body: `**What this PR does**: adds ${feature} to the API.\n\n\`\`\`release-note\nAdded ${feature} to the PodSpec (alpha, feature gate ${feature.replace(/\W/g, '')}).\n\`\`\``,
          comments: 12 + (i % 9),
          pull: merged,
        };
        pull = facts(number, 'api');
        originals.push({ number, title: spec.title });
        break;
      case 1:
        spec = {
          ...base,
          title: `Fix memory leak in ${component} watch cache`,
          labels: ['kind/bug', sig, 'priority/important-soon'],
          body: `Fixes #${number - 400}\n\n\`\`\`release-note\nFixed a memory leak in ${component}.\n\`\`\``,
          comments: 4,
          pull: merged,
        };
        pull = facts(number, 'code');
        originals.push({ number, title: spec.title });
        break;
      case 2:
        spec = {
          ...base,
          title: `Refactor ${component} helpers`,
          labels: ['kind/cleanup', sig],
          body: '```release-note\nNONE\n```',
          pull: merged,
        };
        pull = facts(number, 'code');
        break;
      case 3:
        spec = { ...base, title: `Fix flaky e2e test for ${component}`, labels: ['kind/flake'], body: null, pull: merged };
        pull = facts(number, 'test');
        break;
      case 4:
        spec = {
          ...base,
          title: `Bump golang.org/x/net to v0.0.${i}`,
          labels: ['area/dependency'],
          user: 'dependabot[bot]',
          pull: merged,
        };
        pull = facts(number, 'deps');
        break;
      case 5:
        spec = { ...base, title: `WIP: ${component} tweak`, labels: [], state: 'open', pull: { mergedAt: null } };
        break;
      case 6:
        spec = {
          ...base,
          title: `[Proposal] ${feature} for ${component}`,
          labels: ['kind/design', sig],
          state: 'open',
          body: 'Design doc: https://docs.google.com/document/d/abc',
          comments: 35,
          pull: { mergedAt: null },
        };
        pull = facts(number, 'api');
        proposal ??= spec;
        break;
      case 7:
        spec = {
          ...base,
          title: `Try another ${component} approach`,
          labels: [],
          state: 'closed',
          closedAt: updatedAt,
          pull: { mergedAt: null },
        };
        break;
      case 8: {
        const original = originals.at(-1) ?? { number: 76_990, title: 'Fix kubelet restart' };
        spec = {
          ...base,
          title: `Automated cherry pick of #${original.number}: ${original.title}`,
          labels: ['kind/bug', 'cherry-pick-approved', sig],
          body: `Cherry pick of #${original.number} on release-1.14.\n\n\`\`\`release-note\n${original.title}.\n\`\`\``,
          pull: merged,
        };
        pull = facts(number, 'code', 'release-1.14');
        break;
      }
      case 9:
        spec =
          i % 24 === 9
            ? {
                ...base,
                title: `RFC: ${feature} for every ${component}`,
                labels: ['kind/design'],
                body: 'Please comment on the design doc.',
                comments: 18,
              }
            : { ...base, title: `${component} crashes on start`, labels: ['kind/bug'], body: 'panic: nil pointer' };
        if (spec.title.startsWith('RFC')) rfc ??= spec;
        break;
      case 10:
        spec = {
          ...base,
          title: `Implement ${feature} in the ${component} (KEP-1287)`,
          labels: ['kind/feature', sig],
          body: `Implements KEP-1287.\n\n\`\`\`release-note\nThe ${component} supports ${feature}.\n\`\`\``,
          comments: 9,
          pull: merged,
        };
        pull = facts(number, 'api');
        labelled ??= spec;
        break;
      default:
        spec = {
          ...base,
          title: `Update docs for ${component} flags`,
          labels: ['kind/documentation'],
          body: '```release-note\nNONE\n```',
          pull: merged,
        };
        pull = facts(number, 'docs');
    }
    v1.push({ json: issueJson(spec), ...(pull ? { pull } : {}) });
  }

  // What happened next: version 2 replaces three entries and adds new ones.
  const later = (day: number, minute: number) => at(45 + day, minute);
  const changed: Entry[] = [];
  if (proposal) {
    const mergedAt = later(1, 5);
    changed.push({
      json: issueJson({
        ...proposal,
        title: `${proposal.title.replace('[Proposal] ', '')}`,
        state: 'closed',
        updatedAt: mergedAt,
        pull: { mergedAt },
      }),
      pull: facts(proposal.number, 'api'),
    });
  }
  if (labelled) {
    changed.push({
      json: issueJson({ ...labelled, labels: [...(labelled.labels ?? []), 'priority/critical-urgent'], updatedAt: later(2, 10) }),
      pull: facts(labelled.number, 'api'),
    });
  }
  if (rfc) changed.push({ json: issueJson({ ...rfc, comments: 44, reactions: 20, updatedAt: later(2, 30) }) });
  const firstOriginal = originals[0] ?? { number: 77_000, title: 'Add pod overhead field to the PodSpec API' };
  const added: IssueSpec[] = [
    {
      repo,
      number: 78_001,
      title: 'Promote pod overhead to beta',
      labels: ['kind/feature', 'kind/api-change', 'sig/node'],
      body: 'Implements KEP-1287.\n\n```release-note\nPod overhead is beta and on by default.\n```',
      createdAt: later(0, 0),
      updatedAt: later(3, 0),
      pull: { mergedAt: later(3, 0) },
      comments: 21,
    },
    {
      repo,
      number: 78_008,
      title: `Automated cherry pick of #${firstOriginal.number}: ${firstOriginal.title}`,
      labels: ['kind/feature', 'cherry-pick-approved', 'sig/node'],
      body: `Cherry pick of #${firstOriginal.number} on release-1.14.`,
      createdAt: later(1, 0),
      updatedAt: later(3, 20),
      pull: { mergedAt: later(3, 20) },
    },
    {
      repo,
      number: 78_015,
      title: 'Fix race in scheduler cache',
      labels: ['kind/bug', 'sig/scheduling'],
      body: '```release-note\nFixed a race in the scheduler cache that could lose pods.\n```',
      createdAt: later(2, 0),
      updatedAt: later(4, 0),
      pull: { mergedAt: later(4, 0) },
    },
    {
      repo,
      number: 78_022,
      title: 'Update CHANGELOG for v1.15.0',
      labels: ['kind/documentation'],
      createdAt: later(3, 0),
      updatedAt: later(4, 30),
      pull: { mergedAt: later(4, 30) },
    },
    {
      repo,
      number: 78_029,
      title: 'kubectl: WIP',
      labels: [],
      state: 'open',
      createdAt: later(4, 0),
      updatedAt: later(4, 40),
      pull: { mergedAt: null },
    },
  ];
  const byNumber = new Map(v1.map((e) => [e.json.number, e]));
  for (const e of changed) byNumber.set(e.json.number, e);
  for (const spec of added) {
    const kind = spec.title.includes('CHANGELOG') ? 'docs' : spec.title.startsWith('Fix') ? 'code' : 'api';
    const base = spec.title.startsWith('Automated cherry pick') ? 'release-1.14' : 'master';
    byNumber.set(spec.number, { json: issueJson(spec), ...(spec.pull ? { pull: facts(spec.number, kind, base) } : {}) });
  }
  return { v1, v2: [...byNumber.values()] };
}

function containerdHistory(): { v1: Entry[]; v2: Entry[] } {
  const repo = CONTAINERD;
  const v1: Entry[] = [];
  for (let i = 0; i < 30; i++) {
    const number = 3_200 + i * 3;
    const day = Math.floor((i * 43) / 30);
    const updatedAt = at(day, 100 + i);
    const base = { repo, number, createdAt: at(Math.max(0, day - 2), i), updatedAt, pull: { mergedAt: updatedAt } };
    let spec: IssueSpec;
    let kind: Parameters<typeof facts>[1] = 'code';
    let branch = 'master';
    switch (i % 6) {
      case 0:
        spec = {
          ...base,
          title: `Add ${['shim v2', 'CRI', 'snapshotter', 'content store'][i % 4]} metrics`,
          labels: ['impact/changelog'],
        };
        break;
      case 1:
        spec = { ...base, title: `[release/1.2 backport] Fix ${['shim leak', 'pull timeout', 'fd leak'][i % 3]}`, labels: [] };
        branch = 'release/1.2';
        break;
      case 2:
        spec = { ...base, title: 'Update vendor golang.org/x/sys', labels: [], user: 'dependabot[bot]' };
        kind = 'deps';
        break;
      case 3:
        spec = {
          ...base,
          title: `Remove deprecated ${['v1 schema', 'aufs snapshotter'][i % 2]} support`,
          labels: ['impact/deprecation'],
        };
        break;
      case 4:
        spec = { ...base, title: `Fix panic in ${['ctr', 'cri plugin', 'runtime v2'][i % 3]}`, labels: ['impact/changelog'] };
        break;
      default:
        spec = { ...base, title: 'Fix typo in docs', labels: [] };
        kind = 'docs';
    }
    v1.push({ json: issueJson(spec), pull: facts(number, kind, branch) });
  }
  const later = at(47, 0);
  const added = [
    issueJson({
      repo,
      number: 3_400,
      title: 'Add image decryption support',
      labels: ['impact/changelog'],
      createdAt: at(44, 0),
      updatedAt: later,
      pull: { mergedAt: later },
    }),
    issueJson({
      repo,
      number: 3_403,
      title: '[release/1.2 backport] Add image decryption support',
      labels: [],
      createdAt: at(45, 0),
      updatedAt: at(48, 0),
      pull: { mergedAt: at(48, 0) },
    }),
  ];
  return {
    v1,
    v2: [
      ...v1,
      { json: added[0] as GitHubIssueJson, pull: facts(3_400, 'code') },
      { json: added[1] as GitHubIssueJson, pull: facts(3_403, 'code', 'release/1.2') },
    ],
  };
}

function releases(repo: string, tags: Array<[string, number, boolean?]>) {
  return tags.map(([tag, day, prerelease]) =>
    releaseJson({
      repo,
      tag,
      prerelease: prerelease ?? /-/.test(tag),
      createdAt: at(day, 30),
      body: `## Changes in ${tag}\n\n- see the CHANGELOG`,
    }),
  );
}

type ReleaseJson = ReturnType<typeof releaseJson>;

interface Fixtures {
  listings: Record<string, { v1: Entry[]; v2: Entry[] }>;
  releaseLists: Record<string, { v1: ReleaseJson[]; v2: ReleaseJson[] }>;
  repositories: Map<string, unknown>;
}

let fixtures: Fixtures | undefined;

/** Built once per test process: every world (and every trial) serves the very same payloads. */
function sharedFixtures(): Fixtures {
  if (fixtures) return fixtures;
  const k8s = releases(KUBERNETES, [
    ['v1.14.1', -23],
    ['v1.15.0-alpha.2', -8],
    ['v1.15.0-alpha.3', 6],
    ['v1.14.2', 13],
    ['v1.15.0-beta.0', 14],
    ['v1.13.7', 20],
    ['v1.15.0-beta.1', 27],
    ['v1.15.0-beta.2', 35],
    ['v1.14.3', 36],
    ['v1.15.0-rc.1', 41],
  ]);
  const k8sLater = releases(KUBERNETES, [
    ['v1.15.0', 49],
    ['v1.14.4', 49],
  ]);
  const ctr = releases(CONTAINERD, [
    ['v1.2.6', -2],
    ['v1.2.7', 19],
    ['v1.3.0-beta.0', 29],
    ['v1.3.0-beta.1', 40],
  ]);
  const ctrLater = releases(CONTAINERD, [['v1.2.8', 48]]);
  fixtures = {
    listings: { [KUBERNETES]: kubernetesHistory(), [CONTAINERD]: containerdHistory() },
    releaseLists: {
      [KUBERNETES]: { v1: k8s, v2: [...k8s, ...k8sLater] },
      [CONTAINERD]: { v1: ctr, v2: [...ctr, ...ctrLater] },
    },
    repositories: new Map([KUBERNETES, CONTAINERD, DIGEST_REPO].map((name) => [name, repositoryJson(name)])),
  };
  return fixtures;
}

export class GitHubWorld {
  version: 1 | 2 = 1;
  /** Issues of the digest repository, as `radar issue publish` created them. */
  readonly created: CreatedIssue[] = [];
  private readonly listings: Fixtures['listings'];
  private readonly releaseLists: Fixtures['releaseLists'];
  private readonly repositories: Fixtures['repositories'];
  /** Extra listing entries a test adds (the NUL byte test), by repo. */
  readonly extra = new Map<string, GitHubIssueJson[]>();

  constructor() {
    const shared = sharedFixtures();
    this.listings = shared.listings;
    this.releaseLists = shared.releaseLists;
    this.repositories = shared.repositories;
  }

  /** Forgets the digest repository's issues (a fresh trial of publish). */
  resetIssues(): void {
    this.created.length = 0;
  }

  /** Every listing entry of a repo in the current version, as GitHub sorts them (updated, ascending). */
  entries(repo: string): GitHubIssueJson[] {
    const listing = this.listings[repo];
    const entries = (listing ? listing[this.version === 1 ? 'v1' : 'v2'] : []).map((e) => e.json);
    return [...entries, ...(this.extra.get(repo) ?? [])].sort(
      (a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at) || a.number - b.number,
    );
  }

  private pullFacts(repo: string, number: number): PullFacts | undefined {
    const listing = this.listings[repo];
    const entry = listing?.[this.version === 1 ? 'v1' : 'v2'].find((e) => e.json.number === number);
    if (entry?.pull) return entry.pull;
    const extra = this.extra.get(repo)?.find((e) => e.number === number);
    return extra?.pull_request ? facts(number, 'code') : undefined;
  }

  readonly route: Route = (request, url, body) => {
    const method = request.method ?? 'GET';
    const path = url.pathname;
    const q = url.searchParams;
    if (method === 'GET' && path === '/user') return { body: { login: BOT_LOGIN, id: 4242, type: 'Bot' } };
    const repoMatch = /^\/repos\/([^/]+\/[^/]+)(\/.*)?$/.exec(path);
    if (!repoMatch) return path === '/graphql' ? this.graphql(body) : undefined;
    const repo = repoMatch[1] as string;
    const rest = repoMatch[2] ?? '';
    if (!this.repositories.has(repo)) return undefined;
    if (method === 'GET' && rest === '') return { body: this.repositories.get(repo) };
    if (repo === DIGEST_REPO) return this.digestRoute(method, rest, q, body);
    const perPage = Number(q.get('per_page') ?? 30);
    const page = Number(q.get('page') ?? 1);
    if (method === 'GET' && rest === '/issues') {
      const since = q.get('since');
      const all = this.entries(repo).filter((e) => !since || Date.parse(e.updated_at) >= Date.parse(since));
      return this.paged(path, q, all, perPage, page);
    }
    if (method === 'GET' && rest === '/releases') {
      const lists = this.releaseLists[repo];
      const all = [...(lists ? lists[this.version === 1 ? 'v1' : 'v2'] : [])].sort(
        (a, b) => Date.parse(b.created_at) - Date.parse(a.created_at),
      );
      return this.paged(path, q, all, perPage, page);
    }
    return undefined;
  };

  private paged(path: string, q: URLSearchParams, all: unknown[], perPage: number, page: number) {
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const query = Object.fromEntries([...q].filter(([k]) => k !== 'page'));
    const link = linkHeader(path, query, page, last);
    const headers: Record<string, string> = link ? { link } : {};
    return { body: all.slice((page - 1) * perPage, page * perPage), headers };
  }

  private graphql(body: unknown) {
    const { query, variables } = body as { query: string; variables: Record<string, unknown> };
    const operation = /query\s+(\w+)/.exec(query)?.[1];
    if (operation !== 'PullDetails') return { body: { data: null, errors: [{ message: `unexpected query ${operation}` }] } };
    const repo = `${variables.owner}/${variables.name}`;
    const repository: Record<string, unknown> = {};
    const errors: unknown[] = [];
    for (const key of Object.keys(variables)) {
      const m = /^i(\d+)$/.exec(key);
      if (!m || variables[key] !== true) continue;
      const number = variables[`n${m[1]}`] as number;
      const entry = this.entries(repo).find((e) => e.number === number);
      const pull = this.pullFacts(repo, number);
      if (!entry?.pull_request || !pull) {
        repository[`p${m[1]}`] = null;
        errors.push({
          type: 'NOT_FOUND',
          path: ['repository', `p${m[1]}`],
          message: `Could not resolve to a PullRequest with the number of ${number}.`,
        });
        continue;
      }
      const mergedAt = entry.pull_request.merged_at;
      repository[`p${m[1]}`] = {
        number,
        state: mergedAt ? 'MERGED' : entry.state === 'open' ? 'OPEN' : 'CLOSED',
        merged: Boolean(mergedAt),
        mergedAt,
        isDraft: false,
        baseRefName: pull.baseRefName,
        headRefName: `topic-${number}`,
        additions: pull.additions,
        deletions: pull.deletions,
        changedFiles: pull.files.length,
        mergeCommit: mergedAt ? { oid: number.toString(16).padStart(40, 'a') } : null,
        reviews: { totalCount: pull.reviews },
        files: { totalCount: pull.files.length, nodes: pull.files },
      };
    }
    return {
      body: {
        data: { rateLimit: { cost: 1, remaining: 4990, resetAt: '2019-06-30T00:00:00Z' }, repository },
        ...(errors.length ? { errors } : {}),
      },
    };
  }

  private digestRoute(method: string, rest: string, q: URLSearchParams, body: unknown) {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const issueJsonOf = (issue: CreatedIssue) => ({
      ...issueJson({
        repo: DIGEST_REPO,
        number: issue.number,
        title: issue.title,
        body: issue.body,
        user: BOT_LOGIN,
        labels: issue.labels,
        createdAt: issue.createdAt,
        updatedAt: issue.updatedAt,
      }),
    });
    if (method === 'GET' && rest === '/issues') {
      const sorted = [...this.created].sort((a, b) => b.number - a.number);
      const perPage = Number(q.get('per_page') ?? 30);
      return { body: sorted.slice(0, perPage).map(issueJsonOf) };
    }
    if (method === 'POST' && rest === '/issues') {
      const { title, body: text, labels } = body as { title: string; body: string; labels?: string[] };
      const issue: CreatedIssue = {
        number: this.created.length + 1,
        title,
        body: text,
        labels: labels ?? [],
        createdAt: now,
        updatedAt: now,
      };
      this.created.push(issue);
      return { status: 201, body: issueJsonOf(issue) };
    }
    const patch = /^\/issues\/(\d+)$/.exec(rest);
    if (method === 'PATCH' && patch) {
      const issue = this.created.find((i) => i.number === Number(patch[1]));
      if (!issue) return undefined;
      const { title, body: text } = body as { title?: string; body?: string };
      if (title !== undefined) issue.title = title;
      if (text !== undefined) issue.body = text;
      issue.updatedAt = now;
      return { body: issueJsonOf(issue) };
    }
    return undefined;
  }
}
