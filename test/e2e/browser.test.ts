import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { GitHub } from '../../src/github/client.js';
import { silentLogger } from '../../src/lib/logger.js';
import { openTestDatabase, type TestDatabase } from '../tools/db.js';
import { seedWeek } from '../tools/editorial.js';
import { type FakeGitHub, startFakeGitHub } from '../tools/fake-github.js';
import { userJson } from '../tools/github-fixtures.js';
import { PASSWORD, startWeb, type WebTest } from '../tools/web.js';

/**
 * An editor's week in real headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core): sign in, review the week with the keyboard, promote, undo, dismiss, edit a
 * blurb in English, preview, reorder, and publish to a GitHub-compatible endpoint on loopback.
 * Screenshots of the week and of the issue with its preview are kept in test/artifacts/.
 *
 * Without Chromium the test is skipped, unless RADAR_REQUIRE_BROWSER=1 (CI installs it and
 * sets that, so a missing browser fails there).
 */

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.RADAR_REQUIRE_BROWSER === '1')
  throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (RADAR_REQUIRE_BROWSER=1)`);
const ARTIFACTS = join(new URL('../..', import.meta.url).pathname, 'test/artifacts');
const REPO = 'radar-test/digest';

describe.skipIf(!hasChromium)('the editor web UI in Chromium', () => {
  let database: TestDatabase;
  let github: FakeGitHub;
  let web: WebTest;
  let browser: Browser;
  let ids: Record<string, number>;
  const published: Array<{ method: string; path: string; body: { title?: string; body?: string } }> = [];

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    github = await startFakeGitHub((request, url, body) => {
      if (url.pathname === '/user') return { body: userJson('radar-bot') };
      if (url.pathname === `/repos/${REPO}/issues` && request.method === 'GET') return { body: [] };
      if (url.pathname === `/repos/${REPO}/issues` && request.method === 'POST') {
        published.push({ method: 'POST', path: url.pathname, body: body as never });
        return { status: 201, body: { number: 7, html_url: `https://github.com/${REPO}/issues/7` } };
      }
      return undefined;
    });
    const seeded = await seedWeek(database.db);
    ids = seeded.ids;
    const config: Config = {
      ...seeded.config,
      digest: { ...seeded.config.digest, publish: { repo: REPO, repos: [REPO, 'radar-test/archive'], labels: [] } },
    };
    web = await startWeb({
      db: database.db,
      config,
      clock: seeded.deps.clock,
      github: () =>
        new GitHub({ baseUrl: github.url, token: 'test-token', logger: silentLogger(), retryBaseMs: 1, timeoutMs: 5_000 }),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await github?.close();
    await database?.close();
  });

  async function signedInPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    (page as Page & { errors: string[] }).errors = errors;
    await page.goto(`${web.url}/week?week=2019-W25`);
    expect(page.url()).toContain('/login?next=');
    await page.fill('#name', 'alice');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/week\?week=2019-W25$/);
    return page;
  }

  const entries = () =>
    database.db.selectFrom('issue_entries').select(['id', 'item_id', 'section', 'position']).orderBy('position').execute();

  it('reviews a week with the keyboard, edits and previews the issue, and publishes it', async () => {
    const page = await signedInPage();

    // A draft issue for the week, from the issues page.
    await page.click('a[href="/issues"]');
    await page.fill('#new-issue input[name=week]', '2019-W25');
    await page.click('#new-issue button[type=submit]');
    await page.waitForURL(/\/issues\/1$/);

    // The week: the cursor starts on the best story; p promotes it (and its story) into Vol. 1.
    await page.goto(`${web.url}/week?week=2019-W25&issue=1`);
    await expect.poll(() => page.locator('.item.cursor').count()).toBe(1);
    const first = await page.locator('.item.cursor').getAttribute('data-item');
    await page.keyboard.press('p');
    await expect.poll(entries).toHaveLength(1);
    expect((await entries())[0]?.item_id).toBe(Number(first));
    await expect.poll(() => page.locator(`.item[data-item="${first}"]`).isVisible()).toBe(false);
    // The cursor moved on; u takes the promotion back.
    await expect.poll(() => page.locator('.item.cursor').getAttribute('data-item')).not.toBe(first);
    await page.keyboard.press('u');
    await expect.poll(entries).toHaveLength(0);
    await expect.poll(() => page.locator(`.item[data-item="${first}"]`).isVisible()).toBe(true);

    // k back to it, promote again; j to the next and dismiss it; ? shows the keys.
    await page.locator(`.item[data-item="${first}"]`).click();
    await page.keyboard.press('p');
    await expect.poll(entries).toHaveLength(1);
    await expect.poll(() => page.locator('.item.cursor').getAttribute('data-item')).not.toBe(first);
    const next = await page.locator('.item.cursor').getAttribute('data-item');
    await page.keyboard.press('d');
    await expect
      .poll(() =>
        database.db.selectFrom('decisions').select(['item_id', 'action', 'editor']).where('action', '=', 'dismiss').execute(),
      )
      .toEqual([{ item_id: Number(next), action: 'dismiss', editor: 'alice' }]);
    await page.keyboard.press('?');
    expect(await page.locator('#help').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.locator('#help').isVisible()).toBe(false);
    await page.keyboard.press('r');
    await page.screenshot({ path: join(ARTIFACTS, 'week.png'), fullPage: false });

    // The issue: a manual link, moved first with Alt+ArrowUp; an English blurb; the preview.
    await page.goto(`${web.url}/issues/1`);
    const upstream = page.locator('form.add-link').first();
    await upstream.locator('input[name=url]').fill('https://kubernetes.io/blog/2019/06/19/kubernetes-1-15-release-announcement/');
    await upstream.locator('input[name=title]').fill('Kubernetes 1.15 发布博客');
    await upstream.locator('button[type=submit]').click();
    await expect.poll(entries).toHaveLength(2);
    await page.waitForSelector('.entry');
    const manual = (await entries()).find((e) => e.item_id === null);
    const promoted = (await entries()).find((e) => e.item_id !== null);
    expect(manual).toBeTruthy();

    const entry = page.locator(`.entry[data-entry="${promoted?.id}"]`);
    await entry.locator('button[data-show-lang="en"]').click();
    const blurb = entry.locator('.lang-pane[data-lang="en"] textarea[name=blurb]');
    await blurb.fill('Pods can be resized in place: the API field lands behind a feature gate.');
    await blurb.press('Tab');
    await expect.poll(() => entry.locator('.saved').textContent()).toBe('saved (en)');
    await page.selectOption('#preview-lang', 'en');
    await expect.poll(() => page.locator('#preview-md').textContent()).toContain('Pods can be resized in place');
    // The Chinese issue keeps its draft.
    await page.selectOption('#preview-lang', 'zh-CN');
    await expect.poll(() => page.locator('#preview-md').textContent()).not.toContain('Pods can be resized in place');

    // Keyboard reordering, stored.
    const manualEntry = page.locator(`.entry[data-entry="${manual?.id}"]`);
    if ((await entries()).find((e) => e.id === manual?.id)?.section === promoted?.section) {
      await manualEntry.focus();
      await page.keyboard.press('Alt+ArrowUp');
      await expect.poll(async () => (await entries()).find((e) => e.id === manual?.id)?.position).toBe(1);
    }
    await page.selectOption('#preview-lang', 'en');
    await page.selectOption('#preview-format', 'html');
    await expect.poll(() => page.locator('#preview-html').getAttribute('srcdoc')).toContain('Pods can be resized in place');
    await page.selectOption('#preview-format', 'md');
    await page.screenshot({ path: join(ARTIFACTS, 'issue-preview.png'), fullPage: false });

    // Publish, after a confirmation that names the target repository.
    await page.click('#publish');
    expect(await page.locator('#publish-dialog').isVisible()).toBe(true);
    expect(await page.locator('#publish-target').textContent()).toBe(REPO);
    // Only the repositories of digest.publish.repos can be chosen; mentions stay off unless asked.
    expect(await page.locator('#publish-repo option').allTextContents()).toEqual([REPO, 'radar-test/archive']);
    expect(await page.locator('#publish-repo').inputValue()).toBe(REPO);
    await page.selectOption('#publish-repo', 'radar-test/archive');
    expect(await page.locator('#publish-target').textContent()).toBe('radar-test/archive');
    await page.selectOption('#publish-repo', REPO);
    expect(await page.locator('#publish-mentions').isChecked()).toBe(false);
    await page.selectOption('#publish-lang', 'en');
    await page.click('#publish-confirm');
    await expect.poll(() => published.length).toBe(1);
    expect(published[0]?.body.body).toContain('Pods can be resized in place');
    await page.waitForSelector('#reopen');
    expect(await page.locator('#issue').getAttribute('data-status')).toBe('published');
    expect(await page.locator('.entry textarea').first().getAttribute('readonly')).not.toBeNull();
    expect((page as Page & { errors: string[] }).errors, JSON.stringify((page as Page & { errors: string[] }).errors)).toEqual(
      [],
    );
    expect(ids['78001']).toBeGreaterThan(0);
  });
});
