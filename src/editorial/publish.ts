import type { Config } from '../config/config.js';
import { displayPath } from '../config/load.js';
import { renderMarkdown } from '../digest/render-markdown.js';
import { singleLine } from '../digest/text.js';
import type { Language } from '../domain/digest.js';
import type { GitHub } from '../github/client.js';
import { GitHubApiError, GitHubNotFoundError } from '../github/errors.js';
import { findIssueByMarker } from '../github/issue-marker.js';
import { newMeter, withMeter } from '../github/meter.js';
import type { Clock } from '../lib/clock.js';
import { ConflictError, NotFoundError, UsageError } from '../lib/errors.js';
import type { Db } from '../store/db.js';
import { updateIssue } from '../store/digest.js';
import { newHolder, releaseLease, tryAcquireLease } from '../store/leases.js';
import { draftsToPublish, renderable } from './issues.js';
import { publishTarget } from './publish-target.js';

/**
 * Publishing a digest issue as a GitHub issue: created the first time, updated (the same GitHub
 * issue) every time after. The body carries a hidden marker with the volume, so that even if
 * radar stopped between GitHub creating the issue and radar storing its number, the next
 * publish finds it and updates it instead of creating a second one.
 */

export interface PublishRequest {
  method: 'POST' | 'PATCH';
  path: string;
  repo: string;
  title: string;
  body: string;
  labels: string[];
}

export interface PublishResult {
  action: 'created' | 'updated' | 'dry-run';
  request: PublishRequest;
  url: string | null;
  number: number | null;
  /** GitHub requests the publish made (retries included): the marker search's pages, the write. */
  requests: number;
}

/** Longer than any publish: GitHub's own timeouts and retries come first. */
const PUBLISH_LEASE_MS = 5 * 60_000;

export function marker(volume: number): string {
  return `<!-- radar-digest volume=${volume} -->`;
}

type PublishDeps = { db: Db; config: Config; github: GitHub; clock: Clock };
type PublishInput = {
  volume: number;
  /** The repository asked for; it must be one the config allows (see publish-target.ts). */
  repo?: string | undefined;
  /** How the request names `repo` in messages (default `--repo`; the API says `body.repo`). */
  repoField?: string | undefined;
  dryRun?: boolean | undefined;
  language?: Language | undefined;
  /**
   * Let the @-mentions editors wrote notify on GitHub (the editor asked, --allow-mentions);
   * otherwise they are broken like those of text from GitHub, which always are.
   */
  allowMentions?: boolean | undefined;
  /** Asked from radar's command line (see publishTarget). */
  commandLine?: boolean;
};

export async function publish(deps: PublishDeps, input: PublishInput): Promise<PublishResult> {
  const meter = newMeter();
  const result = await withMeter(meter, () => publishOnce(deps, input));
  return { ...result, requests: meter.requests };
}

async function publishOnce(deps: PublishDeps, input: PublishInput): Promise<Omit<PublishResult, 'requests'>> {
  if (input.dryRun) return publishHoldingLease(deps, input);
  // One publish of a volume at a time: two at once would both find no issue and both create one.
  const lease = `publish:${input.volume}`;
  const holder = newHolder();
  if (!(await tryAcquireLease(deps.db, lease, holder, PUBLISH_LEASE_MS)))
    throw new ConflictError(`issue ${input.volume} is being published by another radar process; try again in a moment`);
  try {
    return await publishHoldingLease(deps, input);
  } finally {
    await releaseLease(deps.db, lease, holder).catch(() => undefined);
  }
}

async function publishHoldingLease(deps: PublishDeps, input: PublishInput): Promise<Omit<PublishResult, 'requests'>> {
  const { db, config } = deps;
  const language = input.language ?? config.digest.language;
  // The drafts published are the drafts kept: one reading of the facts for both.
  const drafts = await draftsToPublish(db, input.volume);
  const { issue, renderable: view, entries } = await renderable(db, config, input.volume, language, drafts);
  // Before anything is sent or stored: only where the config allows, and where it was published.
  const repo = publishTarget({
    volume: input.volume,
    requested: input.repo,
    field: input.repoField ?? '--repo',
    published: issue.publishedRepo ? { repo: issue.publishedRepo, number: issue.publishedNumber } : null,
    allowed: config.digest.publish.repos,
    defaultRepo: config.digest.publish.repo,
    configFile: displayPath(config.file),
    commandLine: input.commandLine,
  });
  if (entries.length === 0)
    throw new UsageError(
      `issue ${input.volume} has no entries yet: promote candidates first (radar promote ID --issue ${input.volume})`,
    );
  const markdown = renderMarkdown(view, { breakMentions: !input.allowMentions });
  const body = `${withoutBacklinks(markdown)}\n${marker(issue.volume)}\n`;
  // The issue's title on GitHub, as the body's heading shows it: one line, no hidden controls.
  const title = singleLine(view.title);
  const [owner, name] = repo.split('/') as [string, string];
  const known =
    issue.publishedNumber !== null && issue.publishedRepo?.toLowerCase() === repo.toLowerCase() ? issue.publishedNumber : null;

  if (input.dryRun) {
    const path = known ? `/repos/${repo}/issues/${known}` : `/repos/${repo}/issues`;
    return {
      action: 'dry-run',
      request: { method: known ? 'PATCH' : 'POST', path, repo, title, body, labels: config.digest.publish.labels },
      url: issue.publishedUrl,
      number: known,
    };
  }

  const target: Target = { github: deps.github, owner, name, volume: issue.volume, draftCreatedAt: issue.createdAt };
  let request: PublishRequest;
  let existing: number | null = null;
  let answer: Answer;
  try {
    existing = known ?? (await findByMarker(target));
    request = {
      method: existing ? 'PATCH' : 'POST',
      path: existing ? `/repos/${repo}/issues/${existing}` : `/repos/${repo}/issues`,
      repo,
      title,
      body,
      labels: config.digest.publish.labels,
    };
    answer = existing
      ? await updateGitHubIssue(target, existing, title, body)
      : await createGitHubIssue(target, title, body, config.digest.publish.labels);
  } catch (error) {
    // A 404 on the target is a name the editor or the config gave: "not found" (exit 66, HTTP
    // 404), not a failure of GitHub's. GitHub answers 404 too for a private repo the token cannot see.
    if (!(error instanceof GitHubNotFoundError)) throw error;
    throw new NotFoundError(
      `issue ${issue.volume}: GitHub has no repository ${repo} to publish to, or the token cannot see it ` +
        `(404 for ${error.request}${existing ? `; or its issue #${existing} was deleted` : ''}): ` +
        `check ${input.repo ? (input.repoField ?? '--repo') : `digest.publish.repo in ${displayPath(config.file)}`}`,
      { cause: error },
    );
  }
  await updateIssue(db, issue.id, {
    publishedDrafts: drafts,
    status: 'published',
    publishedRepo: repo,
    publishedNumber: answer.number,
    publishedUrl: answer.html_url,
    // First publication: what "featured since" is measured from.
    publishedAt: issue.publishedAt ?? deps.clock.now(),
  });
  return { action: existing || answer.found ? 'updated' : 'created', request, url: answer.html_url, number: answer.number };
}

interface Target {
  github: GitHub;
  owner: string;
  name: string;
  volume: number;
  /** When the draft was created: no GitHub issue of radar's for it can be older. */
  draftCreatedAt: Date;
  /** radar's login, asked once per publish. */
  viewer?: Promise<string | null>;
}

/** How far radar's clock and GitHub's may disagree, at most, for the marker search. */
const CLOCK_MARGIN_MS = 24 * 60 * 60_000;

type Answer = { number: number; html_url: string; found?: boolean };

function updateGitHubIssue(target: Target, number: number, title: string, body: string): Promise<Answer> {
  // A PATCH of the same title and body is idempotent: retried like any request.
  return target.github.write('PATCH', '/repos/{owner}/{repo}/issues/{issue_number}', {
    owner: target.owner,
    repo: target.name,
    issue_number: number,
    title,
    body,
  });
}

/**
 * A POST is not retried: GitHub may have created the issue before failing to answer. After a
 * failure that is not a refusal, the issue is looked for by its marker; found, it is the one.
 */
async function createGitHubIssue(target: Target, title: string, body: string, labels: string[]): Promise<Answer> {
  try {
    return await target.github.write(
      'POST',
      '/repos/{owner}/{repo}/issues',
      { owner: target.owner, repo: target.name, title, body, ...(labels.length ? { labels } : {}) },
      { retry: false },
    );
  } catch (error) {
    const refused = error instanceof GitHubApiError && error.status >= 400 && error.status < 500;
    if (refused) throw error;
    const found = await findByMarker(target).catch(() => null);
    if (found === null) {
      throw new GitHubApiError(
        `GitHub did not confirm that it created the issue (${(error as Error).message}); run radar issue publish ${target.volume} again: it finds the issue by its marker if it was created`,
        error instanceof GitHubApiError ? error.status : 0,
        `POST /repos/${target.owner}/${target.name}/issues`,
        { cause: error },
      );
    }
    const answer = await updateGitHubIssue(target, found, title, body);
    return { ...answer, found: true };
  }
}

/**
 * GitHub issues rewrite links to github.com issues and pull requests into cross-references on
 * those (a "mentioned this" line in every upstream PR the digest links to, every week). Links
 * through redirect.github.com lead to the same pages without one, as GitHub documents and
 * Dependabot and Renovate do.
 */
export function withoutBacklinks(markdown: string): string {
  return markdown.replace(/https:\/\/github\.com\//g, 'https://redirect.github.com/');
}

/**
 * The issue an earlier publish of this volume created in the target repo (see
 * github/issue-marker.ts), looked for among the issues created since the draft was, less a day
 * for clocks that disagree (the draft's time is radar's database's, the issues' GitHub's): radar
 * creates the GitHub issue only from the draft, so nothing older can be it.
 */
async function findByMarker(target: Target): Promise<number | null> {
  const { github, owner, name, volume } = target;
  // An app's installation token cannot read /user (403); its issues are then a bot's. Any other
  // failure stops the publish: looking without knowing whose issues count could take a stranger's.
  target.viewer ??= github
    .get<{ login: string }>('/user')
    .then((user) => user.login.toLowerCase())
    .catch((error: unknown) => {
      if (error instanceof GitHubApiError && error.status === 403) return null;
      throw error;
    });
  const found = await findIssueByMarker(github, {
    owner,
    repo: name,
    marker: marker(volume),
    creator: await target.viewer,
    createdSince: new Date(target.draftCreatedAt.getTime() - CLOCK_MARGIN_MS),
  });
  return found.number;
}
