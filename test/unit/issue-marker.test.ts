import { describe, expect, it } from 'vitest';
import { findIssueByMarker } from '../../src/github/issue-marker.js';
import { newMeter, withMeter } from '../../src/github/meter.js';
import { type GitHubIssueJson, issueJson, linkHeader } from '../tools/github-fixtures.js';
import { githubApi, testGitHub } from '../tools/github-mock.js';

const REPO = 'my-org/weekly';
/** GitHub's Link headers for a repository's issues name it by id, not by owner/name. */
const BY_ID = '/repositories/20580498/issues';
const MARKER = '<!-- radar-digest volume=12 -->';
const DRAFTED = new Date('2019-06-17T09:00:00Z');
const minutes = (n: number) => new Date(DRAFTED.getTime() + n * 60_000).toISOString().replace('.000', '');

/**
 * The repository's issues, newest first as GitHub lists them: `newer` issues and pull requests
 * by other people created after radar's, radar's own, then older ones from before the draft.
 */
function repository(newer: number, options: { radars?: boolean; older?: number; author?: string } = {}): GitHubIssueJson[] {
  const issues: GitHubIssueJson[] = [];
  let number = 1000;
  for (let i = 0; i < newer; i++) {
    const created = minutes(60 * 24 * 3 - i);
    issues.push(
      issueJson({
        repo: REPO,
        number: number--,
        title: i % 3 === 0 ? `Bump dependency ${i}` : `Question ${i}`,
        // Someone quoting the marker, and a pull request, must not count.
        body: i === 7 ? `how does radar find ${MARKER}` : i === 8 ? `quoted:\n${MARKER}` : 'text',
        user: i === 8 ? 'stranger' : 'someone-else',
        createdAt: created,
        updatedAt: created,
        ...(i % 3 === 0 ? { pull: { mergedAt: created } } : {}),
      }),
    );
  }
  if (options.radars !== false)
    issues.push(
      issueJson({
        repo: REPO,
        number: number--,
        title: 'Vol. 12',
        body: `# Vol. 12\n\n...\n${MARKER}\n`,
        // A GitHub App's issues are its bot account's.
        user: options.author ?? 'radar-digest[bot]',
        labels: [],
        createdAt: minutes(30),
        updatedAt: minutes(30),
      }),
    );
  for (let i = 0; i < (options.older ?? 150); i++) {
    const created = minutes(-60 * 24 * 2 - i);
    issues.push(issueJson({ repo: REPO, number: number--, title: `Old ${i}`, createdAt: created, updatedAt: created }));
  }
  return issues;
}

/** Declares the pages GitHub would answer (only those listed in `answered`), with its Link headers. */
function serve(issues: GitHubIssueJson[], answered: number[], query: Record<string, string | number>) {
  const last = Math.ceil(issues.length / 100);
  for (const page of answered) {
    const path = page === 1 ? `/repos/${REPO}/issues` : BY_ID;
    const headers = { link: linkHeader(BY_ID, query, page, last), 'x-ratelimit-remaining': String(5000 - page) };
    githubApi()
      .get(path)
      .query(page === 1 ? query : { ...query, page })
      .reply(200, issues.slice((page - 1) * 100, page * 100), headers);
  }
}

const LISTING = { state: 'all', sort: 'created', direction: 'desc', per_page: 100 };
const since = new Date(DRAFTED.getTime() - 24 * 60 * 60_000);

describe('finding an interrupted publish by its marker', () => {
  it('finds it behind 230 newer issues and pull requests, three pages down, following the Link headers', async () => {
    const issues = repository(230);
    expect(issues[230]?.user).toMatchObject({ login: 'radar-digest[bot]', type: 'Bot' });
    serve(issues, [1, 2, 3], LISTING);
    const meter = newMeter();

    const found = await withMeter(meter, () =>
      findIssueByMarker(testGitHub(), { owner: 'my-org', repo: 'weekly', marker: MARKER, creator: null, createdSince: since }),
    );

    expect(found).toEqual({ number: issues[230]?.number, pages: 3 });
    expect(meter.requests).toBe(3);
  });

  it('lists only its own account’s issues when it knows the account', async () => {
    // GitHub answers creator=radar-bot with radar-bot's issues only: 150 newer ones of the same account.
    const own = repository(150, { author: 'radar-bot' }).map((issue, i) =>
      i === 150
        ? issue
        : {
            ...issue,
            body: 'weekly notes',
            user: issue.user.login === 'radar-bot' ? issue.user : { ...issue.user, login: 'radar-bot', type: 'User' },
          },
    );
    const query = { ...LISTING, creator: 'radar-bot' };
    serve(own, [1, 2], query);

    const found = await findIssueByMarker(testGitHub(), {
      owner: 'my-org',
      repo: 'weekly',
      marker: MARKER,
      creator: 'radar-bot',
      createdSince: since,
    });

    expect(found).toEqual({ number: own[150]?.number, pages: 2 });
  });

  it('stops at the first issue older than the draft, whatever the Link header offers, and finds nothing', async () => {
    const issues = repository(180, { radars: false, older: 300 });
    // Page 2 holds the first issue from before the draft: page 3 and later are never asked for.
    serve(issues, [1, 2], LISTING);
    const meter = newMeter();

    const found = await withMeter(meter, () =>
      findIssueByMarker(testGitHub(), { owner: 'my-org', repo: 'weekly', marker: MARKER, creator: null, createdSince: since }),
    );

    expect(found).toEqual({ number: null, pages: 2 });
    expect(meter.requests).toBe(2);
  });

  it('ends on a short page, and on an empty repository', async () => {
    githubApi().get(`/repos/${REPO}/issues`).query(LISTING).reply(200, []);
    const search = { owner: 'my-org', repo: 'weekly', marker: MARKER, creator: null, createdSince: since };
    expect(await findIssueByMarker(testGitHub(), search)).toEqual({ number: null, pages: 1 });
  });

  it('never follows a next link to another host, where the token would go with it', async () => {
    githubApi()
      .get(`/repos/${REPO}/issues`)
      .query(LISTING)
      .reply(200, repository(100, { radars: false, older: 0 }), {
        link: '<https://evil.example/repositories/1/issues?page=2>; rel="next"',
      });
    const search = { owner: 'my-org', repo: 'weekly', marker: MARKER, creator: null, createdSince: since };
    await expect(findIssueByMarker(testGitHub(), search)).rejects.toThrow(
      /GitHub's next page for GET \/repos\/my-org\/weekly\/issues is on another host \(https:\/\/evil\.example\/repositories\/1\/issues\?page=2\): not followed/,
    );
  });
});
