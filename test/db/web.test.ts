import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { upsertItems } from '../../src/store/items.js';
import { createApp } from '../../src/web/app.js';
import { startServer } from '../../src/web/server.js';
import { describeEachDialect } from '../tools/db.js';
import { HOSTILE_TITLE, seedWeek } from '../tools/editorial.js';
import { testGitHub } from '../tools/github-mock.js';
import { pullItem } from '../tools/items.js';
import { PASSWORD, startWeb, TOKENS, type WebTest } from '../tools/web.js';

/** Sign-in, sessions, CSRF, roles, headers and escaping of the web app, over real HTTP. */
describeEachDialect('web app security', (t) => {
  let web: WebTest | undefined;
  afterEach(async () => {
    await web?.close();
    web = undefined;
  });

  async function start(options: { apiToken?: string } = {}) {
    const seeded = await seedWeek(t().db);
    web = await startWeb({
      db: t().db,
      config: seeded.config,
      clock: seeded.deps.clock,
      users: [
        { name: 'alice', role: 'editor' },
        { name: 'mona', role: 'maintainer' },
      ],
      ...options,
    });
    return { web, ...seeded };
  }

  it('answers nothing without an account but the sign-in page, the health check and the assets', async () => {
    const { web } = await start();
    const anonymous = web.browser();
    const page = await anonymous.request('GET', '/week?week=2019-W25');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login?next=%2Fweek%3Fweek%3D2019-W25');
    for (const [method, path] of [
      ['GET', '/api/candidates?week=2019-W25'],
      ['POST', '/api/issues'],
      ['GET', '/api/issues/1/render'],
    ] as const) {
      const answer = await anonymous.request(method, path, {
        headers: { 'content-type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      });
      expect(answer.status, `${method} ${path}`).toBe(401);
      expect(answer.body.error).toMatch(/^sign in first/);
    }
    expect((await anonymous.request('GET', '/api/health')).body).toEqual({ ok: true });
    const script = await anonymous.request('GET', '/static/app.js');
    expect(script.status).toBe(200);
    expect(script.type).toContain('text/javascript');
    expect((await anonymous.request('GET', '/static/package.json')).status).toBe(404);
  });

  it('signs in with a password, keeps the session in the database hashed, and signs out', async () => {
    const { web } = await start();
    const browser = web.browser();
    expect((await browser.signIn('alice', 'wrong password')).status).toBe(400);
    const unknown = await browser.signIn('nobody');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('Unknown name or wrong password.');
    const ok = await browser.signIn('alice');
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/week');
    const cookie = ok.headers.getSetCookie().find((c) => c.startsWith('radar_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain http on loopback
    const secret = browser.cookies.get('radar_session') as string;
    const stored = await t().db.selectFrom('sessions').select(['id', 'account', 'role']).execute();
    expect(stored).toEqual([{ id: expect.stringMatching(/^sha256:/), account: 'alice', role: 'editor' }]);
    expect(stored[0]?.id).not.toContain(secret);

    const week = await browser.request('GET', '/week?week=2019-W25');
    expect(week.status).toBe(200);
    expect(week.body).toContain('alice');
    // Signing out needs the CSRF token too, and ends the session for good.
    expect((await browser.request('POST', '/logout', { headers: { origin: web.url } })).status).toBe(403);
    const out = await browser.request('POST', '/logout', {
      headers: { origin: web.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${browser.csrf}`,
    });
    expect(out.status).toBe(303);
    expect(await t().db.selectFrom('sessions').selectAll().execute()).toEqual([]);
    browser.cookies.set('radar_session', secret);
    expect((await browser.request('GET', '/week')).status).toBe(302);
  });

  it('marks the session cookie Secure behind a TLS proxy', async () => {
    const { web } = await start();
    const browser = web.browser();
    const form = await browser.request('GET', '/login');
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const ok = await browser.request('POST', '/login', {
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: web.url.replace('http:', 'https:'),
        'x-forwarded-proto': 'https',
      },
      body: new URLSearchParams({ _csrf: token, name: 'alice', password: PASSWORD }).toString(),
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.getSetCookie().find((c) => c.startsWith('radar_session='))).toMatch(/; Secure/);
  });

  it('refuses a sign-in posted from another site or without the form, and throttles guessing', async () => {
    const { web } = await start();
    const browser = web.browser();
    const form = await browser.request('GET', '/login');
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const post = (origin: string, csrf: string, password = PASSWORD) =>
      browser.request('POST', '/login', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams({ _csrf: csrf, name: 'alice', password }).toString(),
      });
    expect((await post('https://evil.example', token)).status).toBe(403);
    expect((await post(web.url, 'forged')).status).toBe(403);
    for (let i = 0; i < 5; i++) expect((await post(web.url, browser.cookies.get('radar_login') ?? '', 'guess')).status).toBe(400);
    const throttled = await post(web.url, browser.cookies.get('radar_login') ?? '');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(throttled.body).toContain('Too many failed sign-ins');
    expect(await t().db.selectFrom('sessions').selectAll().execute()).toEqual([]);
  });

  it('refuses every state-changing request with a cookie but without origin and token, and records the signed-in editor', async () => {
    const { web, ids } = await start();
    const browser = web.browser();
    await browser.signIn('alice');
    const dismiss = `/api/items/${ids['14950']}/dismiss`;
    const send = (headers: Record<string, string>, body = '{}') => browser.request('POST', dismiss, { headers, body });
    const json = { 'content-type': 'application/json' };
    // No token; another origin; no origin at all; a text/plain POST (what a cross-site form can send).
    expect((await send({ ...json, origin: web.url })).body.error).toBe('refused: missing or wrong CSRF token');
    expect((await send({ ...json, origin: 'https://evil.example', 'x-csrf-token': browser.csrf })).body.error).toMatch(
      /^refused: cross-origin request refused/,
    );
    expect((await send({ ...json, 'x-csrf-token': browser.csrf })).status).toBe(403);
    expect(
      (await send({ 'content-type': 'text/plain', origin: web.url, 'x-csrf-token': browser.csrf }, '{"reason":"x"}')).body.error,
    ).toMatch(/^refused: content type text\/plain refused/);
    expect(await t().db.selectFrom('decisions').selectAll().execute()).toEqual([]);

    const ok = await browser.api('POST', dismiss, { reason: 'flake' }, { 'x-radar-editor': 'mallory' });
    expect(ok.status).toBe(200);
    const created = await browser.api('POST', '/api/issues', { volume: 3, week: '2019-W25' });
    expect(created.body.created_by).toBe('alice');
    expect(await t().db.selectFrom('decisions').select(['action', 'editor']).execute()).toEqual([
      { action: 'dismiss', editor: 'alice' },
    ]);
  });

  it('takes bearer tokens by role, and RADAR_API_TOKEN as "automation"', async () => {
    const { web, ids } = await start({ apiToken: 'an-automation-token-of-32-characters' });
    expect((await web.call('GET', '/api/candidates?week=2019-W25', undefined, { authorization: 'Bearer nope' })).status).toBe(
      401,
    );
    expect((await web.call('GET', '/api/candidates?week=2019-W25', undefined, { authorization: 'Basic YTpi' })).status).toBe(401);
    await web.call('POST', `/api/items/${ids['14950']}/dismiss`, {});
    await web.call(
      'POST',
      `/api/items/${ids['4386']}/dismiss`,
      {},
      { authorization: 'Bearer an-automation-token-of-32-characters' },
    );
    expect(await t().db.selectFrom('decisions').select('editor').orderBy('id').execute()).toEqual([
      { editor: 'api-editor' },
      { editor: 'automation' },
    ]);
  });

  it('shows the watch list and run health to maintainers only', async () => {
    const { web } = await start();
    const editor = web.browser();
    await editor.signIn('alice');
    expect((await editor.request('GET', '/health')).status).toBe(403);
    expect((await editor.request('GET', '/week?week=2019-W25')).body).not.toContain('href="/health"');
    const maintainer = web.browser();
    await maintainer.signIn('mona');
    const health = await maintainer.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toContain('kubernetes/kubernetes');
    const token = await web.call('GET', '/health', undefined, { authorization: `Bearer ${TOKENS['api-maintainer']?.token}` });
    expect(token.status).toBe(200);
  });

  it('renders text from GitHub inert, links only http(s), and sends a strict CSP with a nonce', async () => {
    const { web, config } = await start();
    const repoId = (
      await t().db.selectFrom('repos').select('id').where('full_name', '=', 'containerd/containerd').executeTakeFirstOrThrow()
    ).id;
    await upsertItems(t().db, repoId, [
      {
        item: pullItem('containerd/containerd', 3360, {
          title: '<img src=x onerror=alert(1)> [x](javascript:alert(2))',
          url: 'javascript:alert(3)',
          author: '<b>mallory</b>',
          occurredAt: new Date('2019-06-21T12:00:00Z'),
        }),
        events: [],
      },
    ]);
    expect(config).toBeTruthy();
    const browser = web.browser();
    await browser.signIn('alice');
    const week = await browser.request('GET', '/week?week=2019-W25');
    expect(week.body).not.toContain('<script>alert(1)</script>');
    expect(week.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(week.body).not.toContain('<img src=x');
    expect(week.body).not.toContain('<b>mallory</b>');
    expect(week.body).not.toMatch(/href="javascript:/i);
    expect(week.body).toContain(HOSTILE_TITLE.replace('<script>', '&lt;script&gt;').slice(0, 20));
    const csp = week.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(week.body).toContain(`<script src="/static/app.js" nonce="${nonce}"`);
    expect(week.body.match(/<script/g)).toHaveLength(1);
    expect(week.headers.get('x-content-type-options')).toBe('nosniff');
    expect(week.headers.get('x-frame-options')).toBe('DENY');
  });

  it('shows no bidi or other hidden control on any page, and keeps emoji and right-to-left letters', async () => {
    const { web, ids } = await start();
    const repoId = (
      await t().db.selectFrom('repos').select('id').where('full_name', '=', 'containerd/containerd').executeTakeFirstOrThrow()
    ).id;
    // Stored "Fix <RLO>exe.gpj<PDF> 👩‍💻 مرحبا": a page that lets U+202E through shows "Fix jpg.exe".
    await upsertItems(t().db, repoId, [
      {
        item: pullItem('containerd/containerd', 3361, {
          title: 'Fix \u202Eexe.gpj\u202C 👩‍💻 مرحبا \u2066leak\u2069',
          author: 'mal\u200Flory',
          occurredAt: new Date('2019-06-21T12:00:00Z'),
        }),
        events: [],
      },
    ]);
    const item = (await t().db.selectFrom('items').select('id').where('key', '=', '3361').executeTakeFirstOrThrow()).id;
    await web.call('POST', '/api/issues', { volume: 6, week: '2019-W25', title: 'Vol. 6 \u202Ereversed' });
    const entry = await web.call('POST', '/api/issues/6/entries', { item_id: ids['v1.15.0'] });
    await web.call('PATCH', `/api/issues/6/entries/${entry.body.id}`, { blurb: 'editor \u2067wrote\u2069 this \uFEFF' });
    const browser = web.browser();
    await browser.signIn('alice');
    const pages = {
      week: await browser.request('GET', '/week?week=2019-W25'),
      item: await browser.request('GET', `/items/${item}`),
      issue: await browser.request('GET', '/issues/6'),
      issues: await browser.request('GET', '/issues'),
    };
    for (const [name, page] of Object.entries(pages)) {
      expect(page.status, name).toBe(200);
      expect(page.body, name).not.toMatch(/[\u061C\u200E\u200F\u202A-\u202E\u2060-\u206F\uFEFF]/u);
    }
    for (const page of [pages.week, pages.item]) {
      expect(page.body).toContain('Fix exe.gpj 👩‍💻 مرحبا leak');
      expect(page.body).toContain('mallory');
    }
    expect(pages.issue.body).toContain('editor wrote this');
    expect(pages.issues.body).toContain('Vol. 6 reversed');
    // The data stays as stored: the JSON API answers it as it is.
    expect((await web.call('GET', `/api/items/${item}`)).body.title).toContain('\u202Eexe.gpj');
  });

  it('offers only the repositories the config allows in the publish dialog', async () => {
    const { web: first, ids, config, deps } = await start();
    await first.call('POST', '/api/issues', { volume: 7, week: '2019-W25' });
    await first.call('POST', '/api/issues/7/entries', { item_id: ids['v1.15.0'] });
    const browser = first.browser();
    await browser.signIn('alice');
    const dialog = (await browser.request('GET', '/issues/7')).body;
    // Two allowed and no default: the editor chooses one of them, nothing else.
    expect(dialog).toMatch(
      /<select id="publish-repo"><option value="" selected="">choose…<\/option><option value="radar-test\/digest">radar-test\/digest<\/option><option value="radar-test\/archive">radar-test\/archive<\/option><\/select>/,
    );
    expect(dialog).not.toContain('<input id="publish-repo"');

    // None allowed: the dialog says what is missing, and cannot publish.
    await first.close();
    web = await startWeb({
      db: t().db,
      config: { ...config, digest: { ...config.digest, publish: { repo: null, repos: [], labels: [] } } },
      clock: deps.clock,
      users: [{ name: 'alice', role: 'editor' }],
    });
    const other = (web as WebTest).browser();
    await other.signIn('alice');
    const none = (await other.request('GET', '/issues/7')).body;
    expect(none).toContain('The config names no repository radar may publish to');
    expect(none).toMatch(/<button type="button" class="primary" id="publish-confirm" disabled="">/);
    expect(none).not.toContain('id="publish-repo"');
  });

  it('refuses bodies over 1 MiB', async () => {
    const { web } = await start();
    const big = await web.call('POST', '/api/issues', { volume: 1, title: 'x'.repeat(1_100_000) });
    expect(big.status).toBe(413);
    expect(await t().db.selectFrom('digest_issues').selectAll().execute()).toEqual([]);
  });

  it('closes a connection whose body trickles in, and logs a client that went away in one line', async () => {
    const seeded = await seedWeek(t().db);
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line) => lines.push(line) } });
    const app = createApp({
      db: t().db,
      config: seeded.config,
      clock: seeded.deps.clock,
      logger,
      github: () => testGitHub(),
      apiToken: TOKENS['api-editor']?.token,
    });
    const server = await startServer(app, 0, '127.0.0.1', { requestTimeoutMs: 600, headersTimeoutMs: 600, checkEveryMs: 100 });
    try {
      const port = Number(new URL(server.url).port);
      const head = (length: number) =>
        `POST /api/issues HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKENS['api-editor']?.token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
      // A byte every 200 ms: cut at the request timeout with a 408, nothing stored.
      const trickled = await new Promise<{ answer: string; ms: number }>((resolve) => {
        const started = Date.now();
        let answer = '';
        const socket = connect(port, '127.0.0.1', () => socket.write(head(50)));
        const drip = setInterval(() => socket.writable && socket.write(' '), 200);
        socket.on('data', (d) => (answer += d));
        socket.on('close', () => {
          clearInterval(drip);
          resolve({ answer, ms: Date.now() - started });
        });
      });
      expect(trickled.answer).toMatch(/^HTTP\/1\.1 408/);
      expect(trickled.ms).toBeLessThan(5_000);
      // A client that sends half a body and hangs up.
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(`${head(1000)}{"volume":`);
          setTimeout(() => socket.destroy(), 150);
        });
        socket.on('close', () => resolve());
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const gone = lines.map((line) => JSON.parse(line)).filter((l) => l.path === '/api/issues');
      // One line each: the trickled request (cut by the server) and the one hung up.
      const line = expect.objectContaining({ level: 'info', msg: 'client went away before the request was read' });
      expect(gone).toEqual([line, line]);
      expect(lines.join('')).not.toContain('"stack"');
      expect(await t().db.selectFrom('digest_issues').selectAll().execute()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('keeps an editor text per language: the English blurb does not replace the Chinese draft', async () => {
    const { web, ids } = await start();
    await web.call('POST', '/api/issues', { volume: 4, week: '2019-W25' });
    const entry = await web.call('POST', '/api/issues/4/entries', { item_id: ids['78001'] });
    const zhBefore = (await web.call('GET', '/api/issues/4/render?lang=zh-CN')).body as string;
    const edit = await web.call('PATCH', `/api/issues/4/entries/${entry.body.id}`, {
      blurb: 'Pods can be resized in place.',
      lang: 'en',
    });
    expect(edit.body.texts).toEqual({ en: { blurb: 'Pods can be resized in place.' } });
    expect((await web.call('GET', '/api/issues/4/render?lang=en')).body).toContain('Pods can be resized in place.');
    expect((await web.call('GET', '/api/issues/4/render?lang=zh-CN')).body).toBe(zhBefore);
    expect((await web.call('PATCH', `/api/issues/4/entries/${entry.body.id}`, { blurb: 'x', lang: 'fr' })).status).toBe(400);
  });

  it('pages: the week, an item, the issues and an issue editor render for a signed-in editor', async () => {
    const { web, ids } = await start();
    const browser = web.browser();
    await browser.signIn('alice');
    await browser.api('POST', '/api/issues', { volume: 5, week: '2019-W25' });
    await browser.api('POST', '/api/issues/5/entries', { item_id: ids['78001'] });
    const week = await browser.request('GET', '/week?week=2019-W25&issue=5');
    expect(week.body).toContain('Enable HPA /metric=concurrency.');
    // The promoted story is in a draft: hidden unless decided items are asked for.
    expect(week.body).not.toContain('In-place Update of Pod Resources');
    const decided = await browser.request('GET', '/week?week=2019-W25&issue=5&decided=1');
    expect(decided.body).toContain('In-place Update of Pod Resources');
    expect(decided.body).toContain('in a draft');
    expect(week.body).toContain('<option value="5" selected="">');
    const item = await browser.request('GET', `/items/${ids['KEP-1287']}`);
    expect(item.body).toContain('kep.stage');
    expect(item.body).toContain('alpha → beta');
    expect(item.body).toContain('Add Resize to the PodSpec API');
    const issues = await browser.request('GET', '/issues');
    expect(issues.body).toContain('Vol. 5');
    const editor = await browser.request('GET', '/issues/5');
    expect(editor.status).toBe(200);
    expect(editor.body).toContain('data-entry=');
    expect(editor.body).toContain('aria-label="blurb (en)"');
    expect((await browser.request('GET', '/issues/99')).status).toBe(404);
    expect((await browser.request('GET', '/items/abc')).status).toBe(404);
  });
});
