import { afterEach, expect, it } from 'vitest';
import { describeEachDialect } from '../tools/db.js';
import { seedWeek } from '../tools/editorial.js';
import { userJson } from '../tools/github-fixtures.js';
import { githubApi } from '../tools/github-mock.js';
import { startWeb, type WebTest } from '../tools/web.js';

/** The JSON API over real HTTP: every endpoint's happy path, and its 400s and 404s. */
describeEachDialect('JSON API', (t) => {
  let web: WebTest | undefined;
  afterEach(async () => {
    await web?.close();
    web = undefined;
  });

  async function start() {
    const seeded = await seedWeek(t().db);
    web = await startWeb({ db: t().db, config: seeded.config, clock: seeded.deps.clock });
    // The API as a script uses it: a bearer token of the config, recorded as "api-editor".
    const call = web.call;
    return { ...seeded, call };
  }

  it('answers a week again from what it kept, and 304 to a client that has it, until something changes', async () => {
    const { call } = await start();
    const path = '/api/candidates?week=2019-W25';
    const first = await call('GET', path);
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    expect(first.headers.get('content-encoding')).toBe('gzip');
    const again = await call('GET', path);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.body).toEqual(first.body);
    const notModified = await call('GET', path, undefined, { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    const plain = await call('GET', path, undefined, { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.body).toEqual(first.body);
    const page = await call('GET', `${path}&limit=1&offset=1`);
    expect(page.headers.get('etag')).not.toBe(etag);
    expect(page.body.items.map((c: { id: number }) => c.id)).toEqual([first.body.items[1].id]);
    // A decision changes the list: the kept answer is not sent again.
    const dismissed = first.body.items[0].id as number;
    expect((await call('POST', `/api/items/${dismissed}/dismiss`, {})).status).toBe(200);
    const after = await call('GET', path, undefined, { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(after.body.items.map((c: { id: number }) => c.id)).not.toContain(dismissed);
  });

  it('lists candidates for a week, with stories, and validates the query', async () => {
    const { call } = await start();
    const ok = await call('GET', '/api/candidates?week=2019-W25&per_project=5');
    expect(ok.status).toBe(200);
    expect(ok.body.period).toEqual({ from: '2019-06-17T00:00:00.000Z', to: '2019-06-24T00:00:00.000Z' });
    expect(ok.body.items[0]).toEqual(
      expect.objectContaining({
        id: expect.any(Number),
        kind: expect.any(String),
        reasons: expect.any(Array),
        story_id: expect.any(Number),
      }),
    );
    expect(ok.body.stories.length).toBeGreaterThan(2);
    const releases = await call('GET', '/api/candidates?week=2019-W25&kind=release');
    expect(releases.body.items.map((c: { tag: string }) => c.tag)).toEqual(['v1.15.0']);
    // per_project cuts each project's stories; without limit, no project is cut short for another.
    const everything = await call('GET', '/api/candidates?week=2019-W25');
    const one = await call('GET', '/api/candidates?week=2019-W25&per_project=1');
    const projects = (body: { stories: Array<{ project: string }> }) => body.stories.map((s) => s.project);
    expect(projects(one.body).sort()).toEqual([...new Set(projects(everything.body))].sort());
    // Pages: limit and offset walk the whole list, its stories cut the same way.
    const total = everything.body.total_items as number;
    expect(total).toBe(everything.body.items.length);
    expect(everything.body).toMatchObject({ offset: 0, next_offset: null, pending_scores: 0 });
    const ids = (body: { items: Array<{ id: number }> }) => body.items.map((c) => c.id);
    const paged: number[] = [];
    let next: number | null = 0;
    while (next !== null) {
      const page = await call('GET', `/api/candidates?week=2019-W25&limit=2&offset=${next}`);
      expect(page.body.total_items).toBe(total);
      expect(page.body.stories.flatMap((s: { items: number[] }) => s.items)).toEqual(ids(page.body));
      paged.push(...ids(page.body));
      next = page.body.next_offset;
    }
    expect(paged).toEqual(ids(everything.body));
    expect((await call('GET', '/api/candidates?offset=-1')).body).toEqual({
      error: 'query.offset: expected a whole number from 0 to 2147483647',
    });

    expect(await call('GET', '/api/candidates?week=2019-25')).toMatchObject({
      status: 400,
      type: expect.stringContaining('json'),
      body: { error: 'query.week: "2019-25" is not an ISO week like 2019-W20' },
    });
    expect((await call('GET', '/api/candidates?limit=0')).body).toEqual({
      error: 'query.limit: expected a whole number from 1 to 2147483647',
    });
    expect((await call('GET', '/api/candidates?kind=commit')).status).toBe(400);
    expect((await call('GET', '/api/candidates?project=Nope')).body.error).toMatch(
      /^project: "Nope" is not a project of the config/,
    );
    expect((await call('GET', '/api/candidates?colour=red')).body).toEqual({ error: 'query: unknown field colour' });
    // Impossible dates are refused, not rolled over into the next month.
    expect(await call('GET', '/api/candidates?from=2019-02-30&to=2019-03-05')).toMatchObject({
      status: 400,
      body: { error: 'query.from: "2019-02-30" is not a valid date: February 2019 has 28 days' },
    });
    expect((await call('GET', '/api/candidates?week=2019-W53')).body).toEqual({
      error: 'query.week: "2019-W53": 2019 has no week 53',
    });
  });

  it('shows an item with its events, reasons and story, and a story with its items', async () => {
    const { call, ids } = await start();
    const item = await call('GET', `/api/items/${ids['78001']}`);
    expect(item.status).toBe(200);
    expect(item.body).toMatchObject({
      id: ids['78001'],
      kind: 'pull',
      number: 78001,
      labels: ['kind/api-change', 'kind/feature'],
      week: '2019-W25',
    });
    expect(item.body.reasons).toContainEqual(expect.objectContaining({ signal: 'label:api-change' }));
    expect(item.body.story.items.map((i: { kind: string }) => i.kind).sort()).toEqual(['kep', 'pull', 'pull']);
    const kep = await call('GET', `/api/items/${ids['KEP-1287']}`);
    expect(kep.body.events).toEqual([
      { type: 'kep.stage', from: 'alpha', to: 'beta', commit_sha: 'c'.repeat(40), occurred_at: '2019-06-18T12:00:00.000Z' },
    ]);
    const story = await call('GET', `/api/stories/${item.body.story.id}`);
    expect(story.body).toMatchObject({ key: 'kep:kubernetes/enhancements:KEP-1287', title: 'In-place Update of Pod Resources' });
    expect(story.body.items).toHaveLength(3);

    expect(await call('GET', '/api/items/999999')).toMatchObject({ status: 404, body: { error: 'no item 999999' } });
    expect(await call('GET', '/api/items/abc')).toMatchObject({
      status: 400,
      body: { error: 'path.id: expected a whole number from 1 to 2147483647' },
    });
    expect(await call('GET', '/api/stories/999999')).toMatchObject({ status: 404 });
  });

  it('records decisions: dismiss, snooze, restore', async () => {
    const { call, ids } = await start();
    expect(
      // The editor is the account, never a header.
      await call('POST', `/api/items/${ids['14950']}/dismiss`, { reason: 'flake' }, { 'x-radar-editor': 'bob' }),
    ).toMatchObject({ status: 200, body: { ok: true } });
    expect(await call('POST', `/api/items/${ids['4386']}/snooze`, { until: '2019-07-01T00:00:00Z' })).toMatchObject({
      status: 200,
    });
    expect(await call('POST', `/api/items/${ids['14950']}/restore`)).toMatchObject({ status: 200 });
    const decisions = await t().db.selectFrom('decisions').select(['action', 'editor', 'reason']).orderBy('id').execute();
    expect(decisions).toEqual([
      { action: 'dismiss', editor: 'api-editor', reason: 'flake' },
      { action: 'snooze', editor: 'api-editor', reason: null },
      { action: 'restore', editor: 'api-editor', reason: null },
    ]);
    expect((await call('POST', `/api/items/${ids['4386']}/snooze`, {})).body).toEqual({
      error: 'body.until: expected an ISO 8601 date like 2019-07-01',
    });
    expect((await call('POST', `/api/items/${ids['4386']}/snooze`, { until: 'soon' })).body).toEqual({
      error: 'body.until: "soon" is not an ISO 8601 date like 2019-05-01 or 2019-05-01T12:00:00Z',
    });
    expect(await call('POST', `/api/items/${ids['4386']}/snooze`, { until: '2019-09-31' })).toMatchObject({
      status: 400,
      body: { error: 'body.until: "2019-09-31" is not a valid date: September 2019 has 30 days' },
    });
    expect(await call('POST', `/api/items/${ids['4386']}/dismiss`, { week: '2019-W54' })).toMatchObject({
      status: 400,
      body: { error: 'body.week: "2019-W54": 2019 has no week 54' },
    });
    expect((await call('POST', `/api/items/${ids['4386']}/dismiss`, '{not json')).body.error).toMatch(/^body: not valid JSON/);
    expect((await call('POST', '/api/items/999999/dismiss', {})).status).toBe(404);
  });

  it('creates, reads, edits, renders, publishes, reopens and deletes issues and entries', async () => {
    const { call, ids } = await start();
    const created = await call('POST', '/api/issues', { volume: 9, week: '2019-W25' });
    expect(created).toMatchObject({
      status: 201,
      body: { volume: 9, status: 'draft', period: { from: '2019-06-17T00:00:00.000Z' }, created_by: 'api-editor' },
    });
    expect((await call('POST', '/api/issues', { volume: 9, week: '2019-W25' })).status).toBe(409);
    expect((await call('POST', '/api/issues', { volume: -1 })).body).toEqual({
      error: 'body.volume: expected a whole number from 1 to 2147483647',
    });
    expect((await call('POST', '/api/issues', { volume: 10, colour: 'red' })).body).toEqual({
      error: 'body: unknown field colour',
    });
    expect((await call('GET', '/api/issues')).body.map((i: { volume: number }) => i.volume)).toEqual([9]);
    expect((await call('PATCH', '/api/issues/9', { title: '云原生周报第 9 期' })).body.title).toBe('云原生周报第 9 期');

    const promoted = await call('POST', '/api/issues/9/entries', { item_id: ids['v1.15.0'] });
    expect(promoted).toMatchObject({
      status: 201,
      body: {
        section: 'upstream/kubernetes',
        position: 1,
        title_from_github: true,
        links: [{ label: 'kubernetes/kubernetes@v1.15.0' }],
      },
    });
    const story = await call('POST', '/api/issues/9/entries', { item_id: ids['78002'], note: '原地扩缩容进入 beta。' });
    expect(story.body.links).toHaveLength(3);
    const manual = await call('POST', '/api/issues/9/entries', {
      section: 'reading',
      url: 'https://kubernetes.io/blog/',
      title: 'Kubernetes blog',
    });
    expect(manual).toMatchObject({ status: 201, body: { section: 'reading', title_from_github: false } });
    expect((await call('POST', '/api/issues/9/entries', { item_id: 999999 })).status).toBe(404);
    expect((await call('POST', '/api/issues/9/entries', { section: 'reading', title: 'x' })).body.error).toMatch(/^body\.url: /);
    expect((await call('POST', '/api/issues/99/entries', { item_id: ids['v1.15.0'] })).status).toBe(404);

    const edited = await call('PATCH', `/api/issues/9/entries/${promoted.body.id}`, {
      blurb: 'Kubernetes 1.15 正式发布。',
      position: 2,
    });
    expect(edited.body).toMatchObject({ blurb: 'Kubernetes 1.15 正式发布。', blurb_from_github: false, position: 2 });
    expect((await call('PATCH', `/api/issues/9/entries/${promoted.body.id}`, {})).body).toEqual({
      error: 'body: give at least one of title, blurb, url, section, position',
    });
    // Editor text is stored safely too: a NUL is no 500.
    const nul = await call('PATCH', `/api/issues/9/entries/${manual.body.id}`, { title: 'Kubernetes\u0000 blog' });
    expect(nul).toMatchObject({ status: 200, body: { title: 'Kubernetes\uFFFD blog' } });
    expect((await call('PATCH', '/api/issues/9/entries/999999', { blurb: 'x' })).status).toBe(404);
    expect((await call('PATCH', `/api/issues/9/entries/${promoted.body.id}`, { section: 'gossip' })).status).toBe(400);

    const issue = await call('GET', '/api/issues/9');
    expect(issue.body.entries.map((e: { id: number }) => e.id).sort()).toEqual(
      [promoted.body.id, story.body.id, manual.body.id].sort(),
    );
    expect((await call('GET', '/api/issues/99')).status).toBe(404);

    const md = await call('GET', '/api/issues/9/render?lang=en');
    expect(md.type).toContain('text/markdown');
    expect(md.body).toContain('# 云原生周报第 9 期');
    expect(md.body).toContain('Links: ');
    const html = await call('GET', '/api/issues/9/render?format=html');
    expect(html.type).toContain('text/html');
    expect(html.body).toMatch(/^<!doctype html>/);
    expect((await call('GET', '/api/issues/9/render?format=pdf')).status).toBe(400);

    await call('DELETE', `/api/issues/9/entries/${manual.body.id}`).then((r) => expect(r.status).toBe(204));

    const dry = await call('POST', '/api/issues/9/publish', { repo: 'radar-test/digest', dry_run: true });
    expect(dry.body).toMatchObject({ action: 'dry-run', request: { method: 'POST', path: '/repos/radar-test/digest/issues' } });
    // The editor's mentions are broken unless the request says otherwise.
    await call('PATCH', '/api/issues/9', { title: 'Vol. 9 for @sig-node' });
    const titled = async (allow?: boolean) =>
      (
        await call('POST', '/api/issues/9/publish', {
          repo: 'radar-test/digest',
          dry_run: true,
          ...(allow === undefined ? {} : { allow_mentions: allow }),
        })
      ).body.request.body as string;
    expect(await titled()).toMatch(/^# Vol\. 9 for @&#8203;sig-node\n/);
    expect(await titled(false)).toMatch(/^# Vol\. 9 for @&#8203;sig-node\n/);
    expect(await titled(true)).toMatch(/^# Vol\. 9 for @sig-node\n/);
    expect((await call('POST', '/api/issues/9/publish', { dry_run: true, allow_mentions: 'yes' })).body).toEqual({
      error: 'body.allow_mentions: expected true or false',
    });
    await call('PATCH', '/api/issues/9', { title: '云原生周报第 9 期' });
    // Only where the config allows, and a published issue only where it was: refused before any request.
    const elsewhere = await call('POST', '/api/issues/9/publish', { repo: 'kubernetes/kubernetes', dry_run: true });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error).toMatch(
      /^body\.repo: "kubernetes\/kubernetes" is not a repository radar may publish to \(digest\.publish\.repos in .*: radar-test\/digest, radar-test\/archive\)$/,
    );
    githubApi()
      .get('/user')
      .reply(200, userJson('radar-bot'))
      .get('/repos/radar-test/digest/issues')
      .query(true)
      .reply(200, [])
      .post('/repos/radar-test/digest/issues')
      .reply(201, { number: 5, html_url: 'https://github.com/radar-test/digest/issues/5' });
    expect((await call('POST', '/api/issues/9/publish', { repo: 'radar-test/digest' })).body).toMatchObject({
      action: 'created',
      number: 5,
    });
    expect((await call('PATCH', `/api/issues/9/entries/${story.body.id}`, { blurb: 'x' })).status).toBe(409);
    expect((await call('DELETE', '/api/issues/9')).status).toBe(409);
    expect((await call('POST', '/api/issues/9/reopen')).body.status).toBe('draft');
    expect((await call('POST', '/api/issues/9/publish', { repo: 'bad repo' })).status).toBe(400);
    // Published: only where it was.
    const moved = await call('POST', '/api/issues/9/publish', { repo: 'radar-test/archive' });
    expect(moved.status).toBe(409);
    expect(moved.body.error).toMatch(
      /^issue 9 was published to radar-test\/digest \(#5\): every publish updates that GitHub issue/,
    );
    await call('DELETE', '/api/issues/9').then((r) => expect(r.status).toBe(204));
    expect((await call('GET', '/api/issues/9')).status).toBe(404);
  });

  it('answers bad numbers, dates and half-done edits with a 400 that names the field, and stores nothing', async () => {
    const { call, ids } = await start();
    const error = async (method: string, path: string, body?: unknown) => {
      const answer = await call(method, path, body);
      expect(answer.status).toBe(400);
      return answer.body.error as string;
    };
    expect(await error('GET', '/api/items/99999999999')).toBe('path.id: expected a whole number from 1 to 2147483647');
    expect(await error('GET', '/api/items/1e3')).toBe('path.id: expected a whole number from 1 to 2147483647');
    expect(await error('POST', '/api/issues', { volume: 3_000_000_000 })).toBe(
      'body.volume: expected a whole number from 1 to 2147483647',
    );
    expect(await error('POST', '/api/issues', { volume: true })).toBe(
      'body.volume: expected a whole number from 1 to 2147483647',
    );
    expect(await error('POST', '/api/issues', { volume: '9' })).toBe('body.volume: expected a whole number from 1 to 2147483647');
    expect(await error('GET', '/api/candidates?week=9999-W52')).toBe(
      'query.week: "9999-W52": the year must be from 1970 to 9998',
    );
    expect(await error('GET', '/api/candidates?from=0000-01-01&to=2019-01-01')).toBe(
      'query.from: "0000-01-01": the year must be from 1970 to 9999',
    );
    expect(await error('GET', '/api/candidates?from=2019-06-01')).toBe('query.from and query.to go together');
    expect(await error('POST', `/api/items/${ids['4386']}/snooze`, { until: '+275760-09-13T00:00:00Z' })).toMatch(
      /^body\.until: "\+275760-09-13T00:00:00Z" is not an ISO 8601 date/,
    );
    expect(await error('POST', `/api/items/${ids['4386']}/dismiss`, { week: '2019-W99' })).toBe(
      'body.week: "2019-W99": 2019 has no week 99',
    );

    // An edit with a bad part changes nothing.
    await call('POST', '/api/issues', { volume: 9, week: '2019-W25' });
    const entry = (await call('POST', '/api/issues/9/entries', { item_id: ids['v1.15.0'] })).body;
    expect(await error('PATCH', `/api/issues/9/entries/${entry.id}`, { blurb: 'EDITED', section: 'nope' })).toMatch(
      /^section "nope" does not exist/,
    );
    expect((await call('GET', '/api/issues/9')).body.entries[0].blurb).toBe(entry.blurb);
    expect(await t().db.selectFrom('decisions').select('action').where('action', '=', 'dismiss').execute()).toEqual([]);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const { call } = await start();
    expect(await call('GET', '/api/nothing')).toMatchObject({ status: 404, body: { error: 'no route GET /api/nothing' } });
  });
});
