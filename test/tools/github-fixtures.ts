/**
 * Builders of GitHub REST payloads, field for field as api.github.com returns them (the
 * "List repository issues", "List releases", "Get a repository" and "List commits" responses),
 * so that fixtures stay small to write but exact in shape.
 */

const API = 'https://api.github.com';
const WEB = 'https://github.com';

let nextId = 1_000_000;
const id = () => nextId++;

export function userJson(login: string) {
  return {
    login,
    id: 1_000 + login.length,
    node_id: `MDQ6VXNlcj${login.length}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${1_000 + login.length}?v=4`,
    gravatar_id: '',
    url: `${API}/users/${login}`,
    html_url: `${WEB}/${login}`,
    followers_url: `${API}/users/${login}/followers`,
    following_url: `${API}/users/${login}/following{/other_user}`,
    gists_url: `${API}/users/${login}/gists{/gist_id}`,
    starred_url: `${API}/users/${login}/starred{/owner}{/repo}`,
    subscriptions_url: `${API}/users/${login}/subscriptions`,
    organizations_url: `${API}/users/${login}/orgs`,
    repos_url: `${API}/users/${login}/repos`,
    events_url: `${API}/users/${login}/events{/privacy}`,
    received_events_url: `${API}/users/${login}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}

export function labelJson(repo: string, name: string) {
  return {
    id: id(),
    node_id: `LA_kwDO${Buffer.from(name).toString('base64url').slice(0, 12)}`,
    url: `${API}/repos/${repo}/labels/${encodeURIComponent(name)}`,
    name,
    color: 'ededed',
    default: false,
    description: null,
  };
}

export interface IssueSpec {
  repo: string;
  number: number;
  title: string;
  body?: string | null;
  user?: string;
  labels?: string[];
  state?: 'open' | 'closed';
  createdAt: string;
  updatedAt: string;
  closedAt?: string | null;
  comments?: number;
  reactions?: number;
  /** Present for a pull request seen through the issues API. */
  pull?: { mergedAt: string | null; draft?: boolean };
}

export interface GitHubIssueJson {
  id: number;
  number: number;
  title: string;
  user: ReturnType<typeof userJson>;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  pull_request?: { url: string; html_url: string; diff_url: string; patch_url: string; merged_at: string | null };
  [field: string]: unknown;
}

/** An element of GET /repos/{owner}/{repo}/issues. */
export function issueJson(spec: IssueSpec): GitHubIssueJson {
  const { repo, number } = spec;
  const kind = spec.pull ? 'pull' : 'issues';
  const html = `${WEB}/${repo}/${kind}/${number}`;
  const issueUrl = `${API}/repos/${repo}/issues/${number}`;
  const state = spec.state ?? (spec.pull?.mergedAt || spec.closedAt ? 'closed' : 'open');
  const reactions = spec.reactions ?? 0;
  const base: Record<string, unknown> = {
    url: issueUrl,
    repository_url: `${API}/repos/${repo}`,
    labels_url: `${issueUrl}/labels{/name}`,
    comments_url: `${issueUrl}/comments`,
    events_url: `${issueUrl}/events`,
    html_url: html,
    id: id(),
    node_id: `${spec.pull ? 'PR' : 'I'}_kwDO${number}`,
    number,
    title: spec.title,
    user: userJson(spec.user ?? 'octocat'),
    labels: (spec.labels ?? []).map((name) => labelJson(repo, name)),
    state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: spec.comments ?? 0,
    created_at: spec.createdAt,
    updated_at: spec.updatedAt,
    closed_at: spec.closedAt ?? spec.pull?.mergedAt ?? null,
    author_association: 'MEMBER',
    type: null,
    active_lock_reason: null,
    sub_issues_summary: { total: 0, completed: 0, percent_completed: 0 },
  };
  if (spec.pull) {
    base.draft = spec.pull.draft ?? false;
    base.pull_request = {
      url: `${API}/repos/${repo}/pulls/${number}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      merged_at: spec.pull.mergedAt,
    };
  }
  return {
    ...(base as GitHubIssueJson),
    body: spec.body ?? null,
    closed_by: null,
    reactions: {
      url: `${issueUrl}/reactions`,
      total_count: reactions,
      '+1': reactions,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
    timeline_url: `${issueUrl}/timeline`,
    performed_via_github_app: null,
    state_reason: state === 'closed' ? 'completed' : null,
  };
}

export interface ReleaseSpec {
  repo: string;
  tag: string;
  name?: string | null;
  body?: string | null;
  prerelease?: boolean;
  draft?: boolean;
  createdAt: string;
  publishedAt?: string | null;
  author?: string;
}

/** An element of GET /repos/{owner}/{repo}/releases. */
export function releaseJson(spec: ReleaseSpec) {
  const releaseId = id();
  const url = `${API}/repos/${spec.repo}/releases/${releaseId}`;
  return {
    url,
    assets_url: `${url}/assets`,
    upload_url: `https://uploads.github.com/repos/${spec.repo}/releases/${releaseId}/assets{?name,label}`,
    html_url: `${WEB}/${spec.repo}/releases/tag/${spec.tag}`,
    id: releaseId,
    author: userJson(spec.author ?? 'k8s-release-robot'),
    node_id: `RE_kwDO${releaseId}`,
    tag_name: spec.tag,
    target_commitish: 'master',
    name: spec.name ?? spec.tag,
    draft: spec.draft ?? false,
    immutable: false,
    prerelease: spec.prerelease ?? false,
    created_at: spec.createdAt,
    updated_at: spec.publishedAt ?? spec.createdAt,
    published_at: spec.publishedAt === undefined ? spec.createdAt : spec.publishedAt,
    assets: [],
    tarball_url: `${API}/repos/${spec.repo}/tarball/${spec.tag}`,
    zipball_url: `${API}/repos/${spec.repo}/zipball/${spec.tag}`,
    body: spec.body ?? null,
  };
}

/** GET /repos/{owner}/{repo} (the fields radar reads, and the rest of the usual shape). */
export function repositoryJson(fullName: string, extra: { defaultBranch?: string } = {}) {
  const [owner, name] = fullName.split('/') as [string, string];
  return {
    id: id(),
    node_id: `R_kgDO${name.length}`,
    name,
    full_name: fullName,
    private: false,
    owner: { ...userJson(owner), type: 'Organization' },
    html_url: `${WEB}/${fullName}`,
    description: null,
    fork: false,
    url: `${API}/repos/${fullName}`,
    created_at: '2014-06-06T22:56:04Z',
    updated_at: '2019-05-19T23:59:00Z',
    pushed_at: '2019-05-19T23:59:00Z',
    homepage: null,
    size: 1000,
    stargazers_count: 100,
    watchers_count: 100,
    language: 'Go',
    forks_count: 10,
    archived: false,
    disabled: false,
    open_issues_count: 10,
    license: null,
    topics: [],
    visibility: 'public',
    default_branch: extra.defaultBranch ?? 'master',
  };
}

/** A Link header as GitHub sends it for page `page` of `last`. */
export function linkHeader(path: string, query: Record<string, string | number>, page: number, last: number): string {
  const link = (p: number, rel: string) => {
    const params = new URLSearchParams({
      ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
      page: String(p),
    });
    return `<${API}${path}?${params.toString()}>; rel="${rel}"`;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(link(page - 1, 'prev'));
  if (page < last) parts.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) parts.push(link(1, 'first'));
  return parts.join(', ');
}
