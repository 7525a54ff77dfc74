import type { Config } from '../config/config.js';
import { renderMarkdown } from '../digest/render-markdown.js';
import type { Language } from '../domain/digest.js';
import type { GitHub } from '../github/client.js';
import type { Clock } from '../lib/clock.js';
import { UsageError } from '../lib/errors.js';
import type { Db } from '../store/db.js';
import { updateIssue } from '../store/digest.js';
import { renderable } from './issues.js';

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
}

const OWNER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

export function marker(volume: number): string {
  return `<!-- radar-digest volume=${volume} -->`;
}

export async function publish(
  deps: { db: Db; config: Config; github: GitHub; clock: Clock },
  input: { volume: number; repo?: string | undefined; dryRun?: boolean | undefined; language?: Language | undefined },
): Promise<PublishResult> {
  const { db, config } = deps;
  const language = input.language ?? config.digest.language;
  const { issue, renderable: view, entries } = await renderable(db, config, input.volume, language);
  const repo = input.repo ?? issue.publishedRepo ?? config.digest.publish.repo;
  if (!repo)
    throw new UsageError(
      `radar issue publish ${input.volume}: --repo owner/name is needed (or digest.publish.repo in the config)`,
    );
  if (!OWNER_NAME.test(repo)) throw new UsageError(`--repo: "${repo}" is not owner/name`);
  if (entries.length === 0)
    throw new UsageError(
      `issue ${input.volume} has no entries yet: promote candidates first (radar promote ID --issue ${input.volume})`,
    );
  const body = `${renderMarkdown(view)}\n${marker(issue.volume)}\n`;
  const [owner, name] = repo.split('/') as [string, string];
  const known =
    issue.publishedNumber !== null && issue.publishedRepo?.toLowerCase() === repo.toLowerCase() ? issue.publishedNumber : null;

  if (input.dryRun) {
    const path = known ? `/repos/${repo}/issues/${known}` : `/repos/${repo}/issues`;
    return {
      action: 'dry-run',
      request: { method: known ? 'PATCH' : 'POST', path, repo, title: view.title, body, labels: config.digest.publish.labels },
      url: issue.publishedUrl,
      number: known,
    };
  }

  const existing = known ?? (await findByMarker(deps.github, owner, name, issue.volume));
  let answer: { number: number; html_url: string };
  let request: PublishRequest;
  if (existing) {
    request = {
      method: 'PATCH',
      path: `/repos/${repo}/issues/${existing}`,
      repo,
      title: view.title,
      body,
      labels: config.digest.publish.labels,
    };
    answer = await deps.github.write('PATCH', '/repos/{owner}/{repo}/issues/{issue_number}', {
      owner,
      repo: name,
      issue_number: existing,
      title: view.title,
      body,
    });
  } else {
    request = {
      method: 'POST',
      path: `/repos/${repo}/issues`,
      repo,
      title: view.title,
      body,
      labels: config.digest.publish.labels,
    };
    answer = await deps.github.write('POST', '/repos/{owner}/{repo}/issues', {
      owner,
      repo: name,
      title: view.title,
      body,
      ...(config.digest.publish.labels.length ? { labels: config.digest.publish.labels } : {}),
    });
  }
  await updateIssue(db, issue.id, {
    status: 'published',
    publishedRepo: repo,
    publishedNumber: answer.number,
    publishedUrl: answer.html_url,
    // First publication: what "featured since" is measured from.
    publishedAt: issue.publishedAt ?? deps.clock.now(),
  });
  return { action: existing ? 'updated' : 'created', request, url: answer.html_url, number: answer.number };
}

/** An issue of the target repo created by an earlier publish of this volume (its marker), if any. */
async function findByMarker(github: GitHub, owner: string, repo: string, volume: number): Promise<number | null> {
  const recent = await github.get<Array<{ number: number; body?: string | null; pull_request?: unknown }>>(
    '/repos/{owner}/{repo}/issues',
    {
      owner,
      repo,
      state: 'all',
      sort: 'created',
      direction: 'desc',
      per_page: 50,
    },
  );
  const found = recent.find((i) => !i.pull_request && (i.body ?? '').includes(marker(volume)));
  return found?.number ?? null;
}
