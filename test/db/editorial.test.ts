import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { render } from '../../src/digest/render.js';
import { listCandidates } from '../../src/editorial/candidates.js';
import {
  addManualEntry,
  createIssue,
  decide,
  deleteDraft,
  editEntry,
  getIssue,
  moveEntry,
  promote,
  removeEntry,
  renderable,
  reopen,
} from '../../src/editorial/issues.js';
import { marker, publish } from '../../src/editorial/publish.js';
import { ConflictError, NotFoundError, UsageError, ValidationError } from '../../src/lib/errors.js';
import { parseIsoWeek } from '../../src/lib/time.js';
import { listEntries } from '../../src/store/digest.js';
import { newHolder, tryAcquireLease } from '../../src/store/leases.js';
import { runCli } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';
import { HOSTILE_TITLE, seedWeek } from '../tools/editorial.js';
import { issueJson, linkHeader, userJson } from '../tools/github-fixtures.js';
import { githubApi, testGitHub } from '../tools/github-mock.js';

const W25 = parseIsoWeek('2019-W25');

/** A time as GitHub writes it (no milliseconds), `minutes` after `from`. */
function githubTime(from: Date, minutes: number): string {
  return new Date(from.getTime() + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
const golden = (name: string) => new URL(`../fixtures/golden/${name}`, import.meta.url);

/** Compares with a golden file; UPDATE_GOLDEN=1 rewrites it (then read the diff before committing). */
function expectGolden(actual: string, name: string) {
  if (process.env.UPDATE_GOLDEN || !existsSync(golden(name))) writeFileSync(golden(name), actual);
  expect(actual).toBe(readFileSync(golden(name), 'utf8'));
}

describeEachDialect('editor workflow', (t) => {
  it('creates an issue, promotes an item and a whole story, edits, reorders, dismisses, and renders', async () => {
    const { deps, ids } = await seedWeek(t().db);
    const issue = await createIssue(deps, { volume: 9, period: W25 });
    expect(issue).toMatchObject({ volume: 9, status: 'draft', createdBy: 'alice' });
    await expect(createIssue(deps, { volume: 9, period: W25 })).rejects.toThrow(ConflictError);

    const release = await promote(deps, { itemId: ids['v1.15.0'] as number, volume: 9 });
    expect(release).toMatchObject({
      section: 'upstream/kubernetes',
      position: 1,
      title: 'Kubernetes v1.15.0 发布',
      titleTrusted: false,
      blurbTrusted: false,
    });
    // Promoting one pull request of a story brings the whole story: the KEP and both pull requests.
    const story = await promote(deps, { itemId: ids['78001'] as number, volume: 9 });
    expect(story.links.map((l) => l.label)).toEqual(['kubernetes/kubernetes#78001', 'KEP-1287', 'kubernetes/kubernetes#78002']);
    expect(story.blurb).toContain('Pods get a Resize field');
    await expect(promote(deps, { itemId: ids['78002'] as number, volume: 9 })).rejects.toThrow(/already in issue 9/);
    const knative = await promote(deps, {
      itemId: ids['4386'] as number,
      volume: 9,
      note: 'Knative Serving 现在可以让 **HPA** 按并发指标扩缩容。',
    });
    expect(knative).toMatchObject({ section: 'upstream/knative', blurbTrusted: true });
    await promote(deps, { itemId: ids['3359'] as number, volume: 9, section: 'containerd' });
    const reading = await addManualEntry(deps, {
      volume: 9,
      section: 'reading',
      url: 'https://kubernetes.io/blog/2019/06/19/kubernetes-1-15-release-announcement/',
      title: 'Kubernetes 1.15 发布博客',
      blurb: '官方博客介绍了 1.15 的主要变化。',
    });
    await expect(addManualEntry(deps, { volume: 9, section: 'gossip', url: 'https://x.io', title: 'x' })).rejects.toThrow(
      /section "gossip" does not exist/,
    );
    await expect(addManualEntry(deps, { volume: 9, section: 'news', url: 'javascript:alert(1)', title: 'x' })).rejects.toThrow(
      ValidationError,
    );

    // Edit the story's blurb, and put it first in its section.
    await editEntry(deps, story.id, { blurb: 'Pod 资源原地扩缩容（KEP-1287）进入 beta：API 与 kubelet 实现均已合入。' });
    const moved = await moveEntry(deps, story.id, { position: 1 });
    expect(moved.position).toBe(1);
    expect(
      (await listEntries(t().db, issue.id)).filter((e) => e.section === 'upstream/kubernetes').map((e) => [e.id, e.position]),
    ).toEqual([
      [story.id, 1],
      [release.id, 2],
    ]);

    // Dismiss the flake: recorded, and gone from the candidates.
    await decide(deps, { itemId: ids['14950'] as number, action: 'dismiss', reason: 'test-only change' });
    const list = await listCandidates(t().db, deps.config, { period: W25 });
    expect(list.items.map((c) => c.number)).not.toContain(14950);
    // Promoted items are decided too.
    expect(list.items.map((c) => c.number)).not.toContain(78001);
    const decisions = await t()
      .db.selectFrom('decisions')
      .select(['action', 'editor', 'week', 'issue_id', 'features'])
      .orderBy('id')
      .execute();
    expect(decisions.map((d) => [d.action, d.editor, d.week])).toEqual([
      ['promote', 'alice', '2019-W25'],
      ['promote', 'alice', '2019-W25'],
      ['promote', 'alice', '2019-W25'],
      ['promote', 'alice', '2019-W25'],
      ['dismiss', 'alice', '2019-W25'],
    ]);
    expect(Object.keys(decisions[0]?.features ?? {})).toContain('release:minor');

    const zh = await renderable(t().db, deps.config, 9, 'zh-CN');
    const en = await renderable(t().db, deps.config, 9, 'en');
    expectGolden(render(zh.renderable, 'md'), 'workflow-9.zh-CN.md');
    expectGolden(render(en.renderable, 'md'), 'workflow-9.en.md');
    expectGolden(render(zh.renderable, 'html'), 'workflow-9.zh-CN.html');
    expect(render(zh.renderable, 'md')).toBe(render(zh.renderable, 'md'));

    await removeEntry(deps, reading.id);
    expect((await listEntries(t().db, issue.id)).some((e) => e.id === reading.id)).toBe(false);
  });

  it('renders a hostile pull request title inert in Markdown and HTML', async () => {
    const { deps, ids } = await seedWeek(t().db);
    await createIssue(deps, { volume: 10, period: W25 });
    await promote(deps, { itemId: ids['3359'] as number, volume: 10 });
    const { renderable: view } = await renderable(t().db, deps.config, 10, 'en');
    const md = render(view, 'md');
    const html = render(view, 'html');
    expect(HOSTILE_TITLE).toContain('<script>');
    for (const out of [md, html]) {
      expect(out).not.toContain('<script>');
      expect(out).not.toMatch(/\]\(javascript:/i);
      expect(out).not.toMatch(/href="javascript:/i);
    }
    // The pipes cannot start a table: every pipe of the title is escaped.
    const titleLine = md.split('\n').find((l) => l.includes('alert')) as string;
    expect(titleLine.replace(/\\\|/g, '')).not.toContain('|');
  });

  it('publishes once, then updates the same GitHub issue; a published issue is read-only until reopened', async () => {
    const { deps, ids } = await seedWeek(t().db);
    await createIssue(deps, { volume: 11, period: W25 });
    const entry = await promote(deps, { itemId: ids['v1.15.0'] as number, volume: 11 });
    const github = testGitHub();
    const dry = await publish({ ...deps, github }, { volume: 11, repo: 'radar-test/digest', dryRun: true });
    expect(dry).toMatchObject({
      action: 'dry-run',
      request: { method: 'POST', path: '/repos/radar-test/digest/issues', title: '云原生周报 Vol. 11', labels: ['weekly'] },
    });
    expect(dry.request.body).toContain(marker(11));

    const created: Array<Record<string, unknown>> = [];
    githubApi()
      .get('/user')
      .reply(200, userJson('radar-bot'))
      .get('/repos/radar-test/digest/issues')
      .query({ state: 'all', sort: 'created', direction: 'desc', per_page: 100, creator: 'radar-bot' })
      .reply(200, [])
      .post('/repos/radar-test/digest/issues', (body) => {
        created.push(body as Record<string, unknown>);
        return true;
      })
      .reply(201, {
        number: 42,
        html_url: 'https://github.com/radar-test/digest/issues/42',
        title: '云原生周报 Vol. 11',
        state: 'open',
      });
    const first = await publish({ ...deps, github }, { volume: 11, repo: 'radar-test/digest' });
    expect(first).toMatchObject({ action: 'created', number: 42, url: 'https://github.com/radar-test/digest/issues/42' });
    expect(created[0]).toMatchObject({ title: '云原生周报 Vol. 11', labels: ['weekly'] });
    expect(String(created[0]?.body)).toContain('Kubernetes v1.15.0 发布');
    // Links lead upstream without leaving a "mentioned this" in every linked pull request.
    expect(String(created[0]?.body)).toContain('](https://redirect.github.com/kubernetes/kubernetes/releases/tag/v1.15.0)');
    expect(String(created[0]?.body)).not.toContain('https://github.com/');

    await expect(editEntry(deps, entry.id, { blurb: 'late change' })).rejects.toThrow(ConflictError);
    await expect(promote(deps, { itemId: ids['4386'] as number, volume: 11 })).rejects.toThrow(
      /published .* read-only; radar issue reopen 11/,
    );

    await reopen(deps, 11);
    await editEntry(deps, entry.id, { blurb: 'Kubernetes 1.15 正式发布。' });
    githubApi()
      .patch('/repos/radar-test/digest/issues/42', (body) =>
        String((body as { body: string }).body).includes('Kubernetes 1.15 正式发布。'),
      )
      .reply(200, { number: 42, html_url: 'https://github.com/radar-test/digest/issues/42', state: 'open' });
    const second = await publish({ ...deps, github }, { volume: 11 });
    expect(second).toMatchObject({ action: 'updated', number: 42 });
  });

  it("finds the GitHub issue of an interrupted first publish by its marker, not a stranger's quoting it", async () => {
    const { deps, ids } = await seedWeek(t().db);
    const draft = await createIssue(deps, { volume: 12, period: W25 });
    await promote(deps, { itemId: ids['v1.15.0'] as number, volume: 12 });
    const at = (minutes: number) => githubTime(draft.createdAt, minutes);
    githubApi()
      .get('/user')
      .reply(200, userJson('radar-bot'))
      .get('/repos/radar-test/digest/issues')
      .query(true)
      .reply(200, [
        issueJson({
          repo: 'radar-test/digest',
          number: 9,
          title: 'how does radar find its issue?',
          user: 'stranger',
          createdAt: at(30),
          updatedAt: at(30),
          body: `It looks for\n${marker(12)}`,
        }),
        issueJson({
          repo: 'radar-test/digest',
          number: 8,
          title: 'quoting',
          user: 'radar-bot',
          createdAt: at(20),
          updatedAt: at(20),
          body: `\`${marker(12)}\` is the marker`,
        }),
        issueJson({
          repo: 'radar-test/digest',
          number: 7,
          title: 'Vol. 12',
          user: 'radar-bot',
          createdAt: at(10),
          updatedAt: at(10),
          body: `...\n${marker(12)}\n`,
        }),
      ])
      .patch('/repos/radar-test/digest/issues/7')
      .reply(200, { number: 7, html_url: 'https://github.com/radar-test/digest/issues/7' });
    expect(await publish({ ...deps, github: testGitHub() }, { volume: 12, repo: 'radar-test/digest' })).toMatchObject({
      action: 'updated',
      number: 7,
    });
  });

  it('finds the interrupted publish behind 230 newer issues, and counts what the search cost', async () => {
    const { deps, ids } = await seedWeek(t().db);
    const draft = await createIssue(deps, { volume: 23, period: W25 });
    await promote(deps, { itemId: ids['v1.15.0'] as number, volume: 23 });
    // GitHub created radar's issue, then 230 issues and pull requests were opened before the next publish.
    const newer = Array.from({ length: 230 }, (_, i) =>
      issueJson({
        repo: 'radar-test/digest',
        number: 900 - i,
        title: `Issue ${i}`,
        user: i === 3 ? 'stranger' : 'octocat',
        body: i === 3 ? `copied:\n${marker(23)}` : null,
        createdAt: githubTime(draft.createdAt, 600 - i),
        updatedAt: githubTime(draft.createdAt, 600 - i),
        ...(i % 2 ? { pull: { mergedAt: null } } : {}),
      }),
    );
    const radars = issueJson({
      repo: 'radar-test/digest',
      number: 670,
      title: '云原生周报 Vol. 23',
      user: 'radar-digest[bot]',
      body: `# 云原生周报 Vol. 23\n\n...\n${marker(23)}\n`,
      labels: ['weekly'],
      createdAt: githubTime(draft.createdAt, 5),
      updatedAt: githubTime(draft.createdAt, 5),
    });
    const listed = [...newer, radars];
    const query = { state: 'all', sort: 'created', direction: 'desc', per_page: 100 };
    const byId = '/repositories/20580498/issues';
    // A GitHub App's token: no /user, so no creator filter; only a bot's issue can be radar's.
    githubApi().get('/user').reply(403, {
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
      status: '403',
    });
    for (const page of [1, 2, 3])
      githubApi()
        .get(page === 1 ? '/repos/radar-test/digest/issues' : byId)
        .query(page === 1 ? query : { ...query, page })
        .reply(200, listed.slice((page - 1) * 100, page * 100), { link: linkHeader(byId, query, page, 4) });
    githubApi()
      .patch('/repos/radar-test/digest/issues/670')
      .reply(200, { number: 670, html_url: 'https://github.com/radar-test/digest/issues/670' });

    const result = await publish({ ...deps, github: testGitHub() }, { volume: 23, repo: 'radar-test/digest' });

    expect(result).toMatchObject({ action: 'updated', number: 670, requests: 5 });
    expect(await getIssue(t().db, 23)).toMatchObject({ status: 'published', publishedNumber: 670 });
  });

  it('stops the search at issues older than the draft, then creates the issue', async () => {
    const { deps, ids } = await seedWeek(t().db);
    const draft = await createIssue(deps, { volume: 24, period: W25 });
    await promote(deps, { itemId: ids['v1.15.0'] as number, volume: 24 });
    // radar's account also opened 120 other issues since; then its issues from before the draft.
    const own = (count: number, fromMinutes: number) =>
      Array.from({ length: count }, (_, i) =>
        issueJson({
          repo: 'radar-test/digest',
          number: 5000 - fromMinutes - i,
          title: `Report ${i}`,
          user: 'radar-bot',
          body: i === 0 ? `an older volume\n${marker(23)}` : 'report',
          createdAt: githubTime(draft.createdAt, fromMinutes - i * 60),
          updatedAt: githubTime(draft.createdAt, fromMinutes - i * 60),
        }),
      );
    const listed = [...own(120, 120 * 60), ...own(80, -2 * 24 * 60)];
    const query = { state: 'all', sort: 'created', direction: 'desc', per_page: 100, creator: 'radar-bot' };
    githubApi().get('/user').reply(200, userJson('radar-bot'));
    githubApi()
      .get('/repos/radar-test/digest/issues')
      .query(query)
      .reply(200, listed.slice(0, 100), {
        link: linkHeader('/repositories/1/issues', query, 1, 2),
      });
    githubApi()
      .get('/repositories/1/issues')
      .query({ ...query, page: 2 })
      .reply(200, listed.slice(100, 200), { link: linkHeader('/repositories/1/issues', query, 2, 7) });
    githubApi()
      .post('/repos/radar-test/digest/issues')
      .reply(201, { number: 5001, html_url: 'https://github.com/radar-test/digest/issues/5001' });

    const result = await publish({ ...deps, github: testGitHub() }, { volume: 24, repo: 'radar-test/digest' });

    // GET /user, two pages (the second reaches issues older than the draft), the POST.
    expect(result).toMatchObject({ action: 'created', number: 5001, requests: 4 });
  });

  it('never sends a create twice: a failed POST is followed by a look for the marker', async () => {
    const { deps, ids } = await seedWeek(t().db);
    const draft = await createIssue(deps, { volume: 14, period: W25 });
    await promote(deps, { itemId: ids['v1.15.0'] as number, volume: 14 });
    // radar's login is asked once a publish; the listing before the POST and the one after it.
    const viewer = () => githubApi().get('/user').reply(200, userJson('radar-bot'));
    const listing = () => githubApi().get('/repos/radar-test/digest/issues').query(true);
    // GitHub created the issue, then failed to answer: found by its marker, and updated.
    viewer();
    listing().reply(200, []);
    githubApi().post('/repos/radar-test/digest/issues').once().reply(502, { message: 'Server Error' });
    listing().reply(200, [
      issueJson({
        repo: 'radar-test/digest',
        number: 31,
        title: 'Vol. 14',
        user: 'radar-bot',
        createdAt: githubTime(draft.createdAt, 1),
        updatedAt: githubTime(draft.createdAt, 1),
        body: `...\n${marker(14)}\n`,
      }),
    ]);
    githubApi()
      .patch('/repos/radar-test/digest/issues/31')
      .reply(200, { number: 31, html_url: 'https://github.com/radar-test/digest/issues/31' });
    expect(await publish({ ...deps, github: testGitHub() }, { volume: 14, repo: 'radar-test/digest' })).toMatchObject({
      action: 'updated',
      number: 31,
      // GET /user, the listing, the POST that failed (not retried), the listing again, the PATCH.
      requests: 5,
    });

    // It did not: nothing stored, and publishing again is the way on.
    await reopen(deps, 14);
    await t()
      .db.updateTable('digest_issues')
      .set({ published_number: null, published_repo: null })
      .where('volume', '=', 14)
      .execute();
    viewer();
    listing().reply(200, []);
    githubApi().post('/repos/radar-test/digest/issues').once().reply(502, { message: 'Server Error' });
    listing().reply(200, []);
    await expect(publish({ ...deps, github: testGitHub() }, { volume: 14, repo: 'radar-test/digest' })).rejects.toThrow(
      /GitHub did not confirm that it created the issue .*run radar issue publish 14 again/,
    );
    expect(
      (await t().db.selectFrom('digest_issues').select('status').where('volume', '=', 14).executeTakeFirstOrThrow()).status,
    ).toBe('draft');
  });

  it('breaks the mentions editors wrote and drops hidden controls in the published body, unless --allow-mentions', async () => {
    const { deps, ids, config } = await seedWeek(t().db);
    await createIssue(deps, { volume: 21, period: W25, title: 'Vol. 21 \u202Eby @digest-team' });
    const entry = await promote(deps, {
      itemId: ids['4386'] as number,
      volume: 21,
      note: 'Thanks @julz and @knative/serving-wg-leads (mail julz@example.org, see `@types/node`, https://medium.com/@julz/post)',
    });
    // Upstream's title, retitled with an override and a mention.
    await t()
      .db.updateTable('items')
      .set({ title: 'Enable HPA \u202E@upstream-author\u202C \u2066by\u2069 concurrency' })
      .where('id', '=', ids['4386'] as number)
      .execute();
    const cli = (...extra: string[]) =>
      runCli(['issue', 'publish', '21', '--repo', 'radar-test/digest', '--lang', 'en', '--dry-run', ...extra], {
        database: t().handle,
        configFile: config.file,
      });

    const broken = await cli();
    expect(broken).toMatchObject({ code: 0, stderr: '' });
    expect(broken.stdout).toContain('title: Vol. 21 by @digest-team\n');
    expect(broken.stdout).toContain(
      'Thanks @&#8203;julz and @&#8203;knative/serving-wg-leads (mail julz@example.org, see `@types/node`, https://medium.com/@julz/post)',
    );
    expect(broken.stdout).toContain('# Vol. 21 by @&#8203;digest-team');
    expect(broken.stdout).toContain('Enable HPA @&#8203;upstream-author by concurrency');
    expect(broken.stdout).not.toMatch(/[\u202A-\u202E\u2066-\u2069]|<U\+/);

    const allowed = await cli('--allow-mentions');
    expect(allowed.stdout).toContain('Thanks @julz and @knative/serving-wg-leads (mail julz@example.org');
    expect(allowed.stdout).toContain('# Vol. 21 by @digest-team');
    // What came from GitHub never mentions anyone.
    expect(allowed.stdout).toContain('Enable HPA @&#8203;upstream-author by concurrency');

    // The same body is what GitHub receives; the rendered preview keeps the editor's text as written.
    const sent: string[] = [];
    githubApi()
      .get('/user')
      .reply(200, userJson('radar-bot'))
      .get('/repos/radar-test/digest/issues')
      .query(true)
      .reply(200, [])
      .post('/repos/radar-test/digest/issues', (body: { title: string; body: string }) => {
        sent.push(body.title, body.body);
        return true;
      })
      .reply(201, { number: 60, html_url: 'https://github.com/radar-test/digest/issues/60' });
    await publish({ ...deps, github: testGitHub() }, { volume: 21, repo: 'radar-test/digest', language: 'en' });
    expect(sent[0]).toBe('Vol. 21 by @digest-team');
    expect(sent[1]).toContain('Thanks @&#8203;julz and @&#8203;knative/serving-wg-leads');
    expect(sent[1]).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(render((await renderable(t().db, deps.config, 21, 'en')).renderable, 'md')).toContain('Thanks @julz and');
    expect(entry.blurbTrusted).toBe(true);
  });

  it('publishes only to a repository the config lists, and a published issue only where it was, before any request', async () => {
    const { deps, ids, config } = await seedWeek(t().db);
    await createIssue(deps, { volume: 22, period: W25 });
    await promote(deps, { itemId: ids['v1.15.0'] as number, volume: 22 });
    const cli = (...args: string[]) =>
      runCli(['issue', 'publish', '22', ...args], { database: t().handle, configFile: config.file });
    const stored = () =>
      t()
        .db.selectFrom('digest_issues')
        .select(['status', 'published_repo', 'published_number'])
        .where('volume', '=', 22)
        .executeTakeFirstOrThrow();
    const draft = { status: 'draft', published_repo: null, published_number: null };

    // No GitHub mock is declared: any request would fail the test (and the network is closed).
    const elsewhere = await cli('--repo', 'kubernetes/kubernetes');
    expect(elsewhere).toMatchObject({ code: 64, stdout: '' });
    expect(elsewhere.stderr).toMatch(
      /^--repo: "kubernetes\/kubernetes" is not a repository radar may publish to \(digest\.publish\.repos in .*radar\.yaml: radar-test\/digest, radar-test\/archive\)\n$/,
    );
    expect((await cli('--repo', 'kubernetes/kubernetes', '--dry-run')).code).toBe(64);
    expect((await cli()).stderr).toMatch(
      /^issue 22: --repo owner\/name is needed, one of radar-test\/digest, radar-test\/archive/,
    );
    expect(await stored()).toEqual(draft);
    await expect(publish({ ...deps, github: testGitHub() }, { volume: 22, repo: 'evil/target' })).rejects.toThrow(UsageError);
    expect(await stored()).toEqual(draft);

    githubApi()
      .get('/user')
      .reply(200, userJson('radar-bot'))
      .get('/repos/radar-test/archive/issues')
      .query(true)
      .reply(200, [])
      .post('/repos/radar-test/archive/issues')
      .reply(201, { number: 3, html_url: 'https://github.com/radar-test/archive/issues/3' });
    expect((await cli('--repo', 'Radar-Test/Archive')).stdout).toMatch(
      /^created https:\/\/github\.com\/radar-test\/archive\/issues\/3/,
    );
    expect(await stored()).toEqual({ status: 'published', published_repo: 'radar-test/archive', published_number: 3 });

    // Reopened and published again with another --repo: refused, not a second issue elsewhere.
    await reopen(deps, 22);
    const moved = await cli('--repo', 'radar-test/digest');
    expect(moved.code).toBe(65);
    expect(moved.stderr).toBe(
      'radar issue: issue 22 was published to radar-test/archive (#3): every publish updates that GitHub issue, and none is started in radar-test/digest; leave --repo out\n',
    );
    expect(await stored()).toEqual({ status: 'draft', published_repo: 'radar-test/archive', published_number: 3 });
    githubApi()
      .patch('/repos/radar-test/archive/issues/3')
      .reply(200, { number: 3, html_url: 'https://github.com/radar-test/archive/issues/3' });
    expect((await cli()).stdout).toMatch(/^updated https:\/\/github\.com\/radar-test\/archive\/issues\/3/);
  });

  it('exits 66 naming the repository when GitHub says the publish target does not exist', async () => {
    const { deps, ids, config } = await seedWeek(t().db);
    await createIssue(deps, { volume: 23, period: W25 });
    await promote(deps, { itemId: ids['v1.15.0'] as number, volume: 23 });
    // GitHub's answer for a repository that is gone (or private to another token).
    githubApi().get('/user').reply(200, userJson('radar-bot')).get('/repos/radar-test/archive/issues').query(true).reply(404, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/issues/issues#list-repository-issues',
      status: '404',
    });
    const missing = await runCli(['issue', 'publish', '23', '--repo', 'radar-test/archive'], {
      database: t().handle,
      configFile: config.file,
    });
    expect(missing.code).toBe(66);
    expect(missing.stderr).toMatch(
      /^radar issue: issue 23: GitHub has no repository radar-test\/archive to publish to, or the token cannot see it \(404 for GET \/repos\/radar-test\/archive\/issues.*\): check --repo\n$/,
    );
    expect(
      (await t().db.selectFrom('digest_issues').select('status').where('volume', '=', 23).executeTakeFirstOrThrow()).status,
    ).toBe('draft');
  });

  it('publishes one volume at a time', async () => {
    const { deps, ids } = await seedWeek(t().db);
    await createIssue(deps, { volume: 15, period: W25 });
    await promote(deps, { itemId: ids['v1.15.0'] as number, volume: 15 });
    const busy = new ConflictError('issue 15 is being published by another radar process; try again in a moment');
    // A publish already under way in this process (its own holder), then in another process.
    await tryAcquireLease(t().db, 'publish:15', newHolder(), 60_000);
    await expect(publish({ ...deps, github: testGitHub() }, { volume: 15, repo: 'radar-test/digest' })).rejects.toThrow(busy);
    await t().db.deleteFrom('leases').execute();
    // Another process publishing it.
    await tryAcquireLease(t().db, 'publish:15', 'elsewhere:1:x', 60_000);
    await expect(publish({ ...deps, github: testGitHub() }, { volume: 15, repo: 'radar-test/digest' })).rejects.toThrow(busy);
  });

  it('a published issue reads as published, whatever changes upstream, until reopened', async () => {
    const { deps, ids } = await seedWeek(t().db);
    await createIssue(deps, { volume: 16, period: W25 });
    await promote(deps, { itemId: ids['78001'] as number, volume: 16 });
    githubApi()
      .get('/user')
      .reply(200, userJson('radar-bot'))
      .get('/repos/radar-test/digest/issues')
      .query(true)
      .reply(200, [])
      .post('/repos/radar-test/digest/issues')
      .reply(201, { number: 50, html_url: 'https://github.com/radar-test/digest/issues/50' });
    await publish({ ...deps, github: testGitHub() }, { volume: 16, repo: 'radar-test/digest' });
    const rendered = async (language: 'en' | 'zh-CN') =>
      render((await renderable(t().db, deps.config, 16, language)).renderable, 'md');
    const before = { en: await rendered('en'), zh: await rendered('zh-CN') };
    // Upstream retitles the pull request.
    await t()
      .db.updateTable('items')
      .set({ title: 'Retitled upstream' })
      .where('id', '=', ids['78001'] as number)
      .execute();
    expect(await rendered('en')).toBe(before.en);
    expect(await rendered('zh-CN')).toBe(before.zh);
    await reopen(deps, 16);
    expect(await rendered('en')).toContain('Retitled upstream');
  });

  it('a promoted story hides all its items; taken out of the issue, or with the draft deleted, they are back', async () => {
    const { deps, ids } = await seedWeek(t().db);
    await createIssue(deps, { volume: 17, period: W25 });
    const story = [ids['78001'], ids['78002']] as number[];
    const listed = async () => (await listCandidates(t().db, deps.config, { period: W25 })).items.map((c) => c.id);
    expect(await listed()).toEqual(expect.arrayContaining(story));
    const entry = await promote(deps, { itemId: story[0] as number, volume: 17 });
    expect(await listed()).not.toContain(story[0]);
    expect(await listed()).not.toContain(story[1]);
    await removeEntry(deps, entry.id);
    expect(await listed()).toEqual(expect.arrayContaining(story));
    await promote(deps, { itemId: story[1] as number, volume: 17 });
    await deleteDraft(deps, 17);
    expect(await listed()).toEqual(expect.arrayContaining(story));
  });

  it('two promotes of one story at once put it in the issue once', async () => {
    const { deps, ids } = await seedWeek(t().db);
    const issue = await createIssue(deps, { volume: 18, period: W25 });
    const results = await Promise.allSettled([
      promote(deps, { itemId: ids['78001'] as number, volume: 18 }),
      promote(deps, { itemId: ids['78002'] as number, volume: 18 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(await listEntries(t().db, issue.id)).toHaveLength(1);
  });

  it("a manual entry's link follows its edited title and URL", async () => {
    const { deps } = await seedWeek(t().db);
    await createIssue(deps, { volume: 19, period: W25 });
    const manual = await addManualEntry(deps, { volume: 19, section: 'reading', url: 'https://example.org/a', title: 'Blog A' });
    const edited = await editEntry(deps, manual.id, { url: 'https://example.org/b', title: 'Blog B' });
    expect(edited.links).toEqual([{ label: 'Blog B', url: 'https://example.org/b', kind: 'link' }]);
    expect(render((await renderable(t().db, deps.config, 19, 'en')).renderable, 'md')).not.toContain('example.org/a');
  });

  it('prints a title with bidi controls in the order it is stored, the controls shown, on the command line', async () => {
    const { deps, ids, config } = await seedWeek(t().db);
    // Stored "Fix <RLO>exe.gpj<PDF> 👩‍💻": a terminal that is given U+202E shows "Fix jpg.exe".
    await t()
      .db.updateTable('items')
      .set({ title: 'Fix \u202Eexe.gpj\u202C 👩‍💻 \u2066kubelet\u2069' })
      .where('id', '=', ids['78002'] as number)
      .execute();
    await createIssue(deps, { volume: 25, period: W25 });
    await promote(deps, { itemId: ids['78002'] as number, volume: 25, only: true });
    const run = (...argv: string[]) => runCli(argv, { database: t().handle, configFile: config.file });
    const shown = 'Fix <U+202E>exe.gpj<U+202C> 👩‍💻 <U+2066>kubelet<U+2069>';

    const show = await run('issue', 'show', '25', '--lang', 'en');
    expect(show.stdout).toContain(shown);
    const candidates = await run('candidates', '--week', '2019-W25', '--all');
    expect(candidates.stdout).toContain(shown);
    const json = await run('candidates', '--week', '2019-W25', '--all', '--json');
    expect(json.stdout).toContain('"Fix \\u202eexe.gpj\\u202c 👩‍💻 \\u2066kubelet\\u2069"');
    for (const out of [show.stdout, candidates.stdout, json.stdout]) expect(out).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect((JSON.parse(json.stdout) as Array<{ title: string }>).map((c) => c.title)).toContain(
      'Fix \u202Eexe.gpj\u202C 👩‍💻 \u2066kubelet\u2069',
    );
    // An error quoting what it refuses shows the controls too.
    expect((await run('issue', 'publish', '25', '--repo', 'a/b\u202Ec')).stderr).toBe(
      '--repo: "a/b<U+202E>c" is not owner/name\n',
    );
  });

  it('renders from the command line into a file with --out', async () => {
    const { deps, ids, config } = await seedWeek(t().db);
    await createIssue(deps, { volume: 20, period: W25 });
    await promote(deps, { itemId: ids['v1.15.0'] as number, volume: 20 });
    const file = join(mkdtempSync(join(tmpdir(), 'radar-render-')), 'vol-20.md');
    const result = await runCli(['issue', 'render', '20', '--lang', 'en', '--out', file], {
      database: t().handle,
      configFile: config.file,
    });
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: `wrote issue 20 (md) to ${file}\n` });
    expect(readFileSync(file, 'utf8')).toContain('Kubernetes v1.15.0');
  });

  it('names what is missing or wrong', async () => {
    const { deps, ids } = await seedWeek(t().db);
    await expect(promote(deps, { itemId: ids['v1.15.0'] as number, volume: 99 })).rejects.toThrow(
      new NotFoundError('no digest issue 99 (radar issue new --volume 99 creates it)'),
    );
    await createIssue(deps, { volume: 13, period: W25 });
    await expect(promote(deps, { itemId: 999_999, volume: 13 })).rejects.toThrow(
      'no item 999999 (radar candidates lists item ids)',
    );
    await expect(promote(deps, { itemId: ids['v1.15.0'] as number, volume: 13, section: 'nowhere' })).rejects.toThrow(
      /section "nowhere" does not exist \(expected one of news, upstream, upstream\/kubernetes/,
    );
    await expect(
      decide(deps, { itemId: ids['4386'] as number, action: 'snooze', until: new Date('2019-01-01T00:00:00Z') }),
    ).rejects.toThrow(/must be in the future/);
    await expect(publish({ ...deps, github: testGitHub() }, { volume: 13 })).rejects.toThrow(/--repo owner\/name is needed/);
    await expect(moveEntry(deps, 123_456, { position: 1 })).rejects.toThrow(NotFoundError);
  });
});
