import { gzipSync } from 'node:zlib';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import { render } from '../digest/render.js';
import { candidateJson } from '../domain/candidate.js';
import { LANGUAGES, RENDER_FORMATS } from '../domain/digest.js';
import { ITEM_KINDS } from '../domain/source.js';
import { apiPeriodNames, listCandidates, resolvePeriod } from '../editorial/candidates.js';
import {
  addManualEntry,
  changeEntry,
  createIssue,
  decide,
  deleteDraft,
  type EditorialDeps,
  getIssue,
  listIssues,
  promote,
  removeEntry,
  renderable,
  reopen,
  updateIssueDetails,
} from '../editorial/issues.js';
import { itemDetail, storyDetail } from '../editorial/items.js';
import { publish } from '../editorial/publish.js';
import type { GitHub } from '../github/client.js';
import type { Clock } from '../lib/clock.js';
import { NotFoundError, UnauthorizedError, ValidationError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { type Period, parseIsoInstant, parseIsoWeek } from '../lib/time.js';
import type { Db } from '../store/db.js';
import type { EntryRow, IssueRow } from '../store/digest.js';
import type { WebEnv } from './app.js';
import { errorResponse } from './errors.js';

/**
 * The JSON API over the same editorial use-cases as the CLI. Parameters and bodies are
 * validated, and a bad one is a 400 naming the field; unknown things are 404; changing a
 * published issue is 409. This is one of the three places that catch errors.
 */
export interface ApiDeps {
  db: Db;
  config: Config;
  clock: Clock;
  logger: Logger;
  github: () => GitHub;
}

/** Ids, volumes and positions are PostgreSQL integers. */
const MAX_INTEGER = 2_147_483_647;
const wholeNumber = (what: string) => `${what}: expected a whole number from 1 to ${MAX_INTEGER}`;

/** A positive whole number in a JSON body: a number, not a string or a boolean. */
const positive = (what: string) =>
  z
    .number({ error: wholeNumber(what) })
    .int({ error: wholeNumber(what) })
    .min(1, { error: wholeNumber(what) })
    .max(MAX_INTEGER, { error: wholeNumber(what) });

/** A positive whole number in a path or a query string: digits only. */
const positiveParam = (what: string) =>
  z
    .string()
    .regex(/^\d{1,10}$/, { error: wholeNumber(what) })
    .transform(Number)
    .pipe(positive(what));

const periodFields = { week: z.string().optional(), from: z.string().optional(), to: z.string().optional() };

const candidatesQuery = z.strictObject({
  ...periodFields,
  project: z.string().optional(),
  kind: z.union([z.enum(ITEM_KINDS), z.array(z.enum(ITEM_KINDS))]).optional(),
  min_score: z.coerce.number({ error: 'min_score: expected a number' }).optional(),
  per_project: positiveParam('per_project').optional(),
  limit: positiveParam('limit').optional(),
  offset: z
    .string()
    .regex(/^\d{1,10}$/, { error: `offset: expected a whole number from 0 to ${MAX_INTEGER}` })
    .transform(Number)
    .pipe(z.number().max(MAX_INTEGER, { error: `offset: expected a whole number from 0 to ${MAX_INTEGER}` }))
    .optional(),
  all: z.enum(['true', 'false']).optional(),
});

/**
 * Items per answer of GET /api/candidates unless `limit` says otherwise: a week's list can hold
 * thousands (every candidate of five weeks, carry-over included); `offset` pages on.
 */
const CANDIDATES_PAGE = 200;
const ANSWERS_KEPT = 32;

/** Whether a client takes gzip (Accept-Encoding names it, or *, without q=0). */
function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (name === 'gzip' || name === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

const newIssueBody = z.strictObject({ volume: positive('volume'), title: z.string().optional(), ...periodFields });
const issuePatchBody = z.strictObject({ title: z.string().optional(), ...periodFields });
const promoteBody = z.strictObject({
  item_id: positive('item_id'),
  section: z.string().optional(),
  note: z.string().optional(),
  only: z.boolean().optional(),
});
const manualBody = z.strictObject({ url: z.string(), title: z.string(), section: z.string(), blurb: z.string().optional() });
const entryPatchBody = z.strictObject({
  title: z.string().optional(),
  blurb: z.string().optional(),
  url: z.string().optional(),
  section: z.string().optional(),
  position: positive('position').optional(),
  /** The language a title or blurb is written for; without it, for every language. */
  lang: z.enum(LANGUAGES).optional(),
});
const dismissBody = z.strictObject({ reason: z.string().optional(), week: z.string().optional() });
const snoozeBody = z.strictObject({
  until: z.string({ error: 'until: expected an ISO 8601 date like 2019-07-01' }),
  reason: z.string().optional(),
});
const publishBody = z.strictObject({
  repo: z.string().optional(),
  dry_run: z.boolean().optional(),
  /** Let the @-mentions editors wrote notify (as `radar issue publish --allow-mentions`). */
  allow_mentions: z.boolean({ error: 'allow_mentions: expected true or false' }).optional(),
  lang: z.enum(LANGUAGES).optional(),
});
const renderQuery = z.strictObject({ format: z.enum(RENDER_FORMATS).default('md'), lang: z.enum(LANGUAGES).optional() });

/**
 * Mounted by src/web/app.ts behind sign-in: every route here has an account (`principal`), and
 * the editor of every decision and edit is that account.
 */
export function createApi(deps: ApiDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  /** Candidate answers by version (CandidateList.version), as JSON and gzipped. */
  const answers = new Map<string, { json: string; gzip: Buffer }>();
  const editorial = (c: Context<WebEnv>): EditorialDeps => {
    const principal = c.get('principal');
    if (!principal) throw new UnauthorizedError('sign in first');
    return { db: deps.db, config: deps.config, clock: deps.clock, editor: principal.name };
  };

  app.onError((error, c) => errorResponse(error, c, deps.logger, false));

  app.get('/api/candidates', async (c) => {
    const query = parse(candidatesQuery, c.req.queries() ? flatten(c.req.queries()) : {}, 'query');
    const period = resolvePeriod(query, deps.clock, apiPeriodNames('query'));
    if (query.project && !deps.config.projects.some((p) => p.name.toLowerCase() === query.project?.toLowerCase())) {
      throw new ValidationError(
        `project: "${query.project}" is not a project of the config (${deps.config.projects.map((p) => p.name).join(', ')})`,
      );
    }
    const limit = query.limit ?? CANDIDATES_PAGE;
    const offset = query.offset ?? 0;
    const list = await listCandidates(deps.db, deps.config, {
      period,
      project: query.project,
      kinds: query.kind === undefined ? undefined : Array.isArray(query.kind) ? query.kind : [query.kind],
      minScore: query.min_score,
      perProject: query.per_project,
      limit,
      offset,
      includeDecided: query.all === 'true',
    });
    const answer = () => ({
      period: periodJson(period),
      items: list.items.map(candidateJson),
      stories: list.stories.map((s) => ({
        story_id: s.storyId,
        project: s.project,
        score: s.score,
        kind: s.kind,
        items: s.items.map((i) => i.id),
      })),
      total_items: list.totalItems,
      total_stories: list.totalStories,
      offset,
      next_offset: offset + list.items.length < list.totalItems ? offset + list.items.length : null,
      // Items waiting for the scoring pass (they show their last stored score meanwhile).
      pending_scores: list.pendingScores,
    });
    if (list.version === null) return c.json(answer());
    // The same answer while nothing it depends on changed: sent as it was serialized and
    // compressed the first time, or not at all to a client that has it (If-None-Match).
    const etag = `W/"${list.version}"`;
    const headers = { ETag: etag, Vary: 'Accept-Encoding' };
    if (
      (c.req.header('if-none-match') ?? '')
        .split(',')
        .map((tag) => tag.trim())
        .includes(etag)
    )
      return c.body(null, 304, headers);
    let kept = answers.get(list.version);
    if (kept) answers.delete(list.version);
    else {
      const json = JSON.stringify(answer());
      kept = { json, gzip: gzipSync(json) };
    }
    answers.set(list.version, kept);
    if (answers.size > ANSWERS_KEPT) answers.delete(answers.keys().next().value as string);
    const json = { ...headers, 'Content-Type': 'application/json; charset=UTF-8' };
    return acceptsGzip(c.req.header('accept-encoding'))
      ? c.body(new Uint8Array(kept.gzip), 200, { ...json, 'Content-Encoding': 'gzip' })
      : c.body(kept.json, 200, json);
  });

  app.get('/api/items/:id', async (c) =>
    c.json(await itemDetail(deps.db, deps.config, parse(positiveParam('id'), c.req.param('id'), 'path'))),
  );
  app.get('/api/stories/:id', async (c) =>
    c.json(await storyDetail(deps.db, parse(positiveParam('id'), c.req.param('id'), 'path'))),
  );

  app.post('/api/items/:id/dismiss', async (c) => {
    const body = parse(dismissBody, await json(c), 'body');
    if (body.week) parseIsoWeek(body.week, 'body.week');
    await decide(editorial(c), {
      itemId: parse(positiveParam('id'), c.req.param('id'), 'path'),
      action: 'dismiss',
      reason: body.reason,
      week: body.week,
    });
    return c.json({ ok: true });
  });
  app.post('/api/items/:id/snooze', async (c) => {
    const body = parse(snoozeBody, await json(c), 'body');
    const until = parseIsoInstant(body.until, 'body.until');
    await decide(editorial(c), {
      itemId: parse(positiveParam('id'), c.req.param('id'), 'path'),
      action: 'snooze',
      until,
      reason: body.reason,
    });
    return c.json({ ok: true });
  });
  app.post('/api/items/:id/restore', async (c) => {
    await decide(editorial(c), { itemId: parse(positiveParam('id'), c.req.param('id'), 'path'), action: 'restore' });
    return c.json({ ok: true });
  });

  app.get('/api/issues', async (c) => c.json((await listIssues(deps.db)).map(issueJson)));
  app.post('/api/issues', async (c) => {
    const body = parse(newIssueBody, await json(c), 'body');
    const issue = await createIssue(editorial(c), {
      volume: body.volume,
      title: body.title,
      period: resolvePeriod(body, deps.clock, apiPeriodNames('body')),
    });
    return c.json(issueJson(issue), 201);
  });
  app.get('/api/issues/:volume', async (c) => {
    const volume = parse(positiveParam('volume'), c.req.param('volume'), 'path');
    const { issue, renderable: view, entries } = await renderable(deps.db, deps.config, volume, deps.config.digest.language);
    return c.json({ ...issueJson(issue), rendered_title: view.title, sections: view.sections, entries: entries.map(entryJson) });
  });
  app.patch('/api/issues/:volume', async (c) => {
    const body = parse(issuePatchBody, await json(c), 'body');
    const period: Period | undefined =
      body.week || body.from || body.to ? resolvePeriod(body, deps.clock, apiPeriodNames('body')) : undefined;
    return c.json(
      issueJson(
        await updateIssueDetails(editorial(c), parse(positiveParam('volume'), c.req.param('volume'), 'path'), {
          title: body.title,
          period,
        }),
      ),
    );
  });
  app.delete('/api/issues/:volume', async (c) => {
    await deleteDraft(editorial(c), parse(positiveParam('volume'), c.req.param('volume'), 'path'));
    return c.body(null, 204);
  });
  app.post('/api/issues/:volume/entries', async (c) => {
    const volume = parse(positiveParam('volume'), c.req.param('volume'), 'path');
    const raw = await json(c);
    const entry =
      raw && typeof raw === 'object' && 'item_id' in raw
        ? await promote(editorial(c), {
            volume,
            itemId: parse(promoteBody, raw, 'body').item_id,
            ...pick(parse(promoteBody, raw, 'body')),
          })
        : await addManualEntry(editorial(c), { volume, ...parse(manualBody, raw, 'body') });
    return c.json(entryJson(entry), 201);
  });
  app.patch('/api/issues/:volume/entries/:entry', async (c) => {
    const volume = parse(positiveParam('volume'), c.req.param('volume'), 'path');
    const entryId = parse(positiveParam('entry'), c.req.param('entry'), 'path');
    const body = parse(entryPatchBody, await json(c), 'body');
    const { lang, ...changes } = body;
    if (Object.values(changes).every((v) => v === undefined))
      throw new ValidationError('body: give at least one of title, blurb, url, section, position');
    await entryOfIssue(volume, entryId);
    return c.json(entryJson(await changeEntry(editorial(c), entryId, { ...changes, language: lang })));
  });
  app.delete('/api/issues/:volume/entries/:entry', async (c) => {
    const volume = parse(positiveParam('volume'), c.req.param('volume'), 'path');
    const entryId = parse(positiveParam('entry'), c.req.param('entry'), 'path');
    await entryOfIssue(volume, entryId);
    await removeEntry(editorial(c), entryId);
    return c.body(null, 204);
  });
  app.get('/api/issues/:volume/render', async (c) => {
    const volume = parse(positiveParam('volume'), c.req.param('volume'), 'path');
    const query = parse(renderQuery, flatten(c.req.queries() ?? {}), 'query');
    const { renderable: view } = await renderable(deps.db, deps.config, volume, query.lang ?? deps.config.digest.language);
    const type = query.format === 'html' ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8';
    return c.body(render(view, query.format), 200, { 'content-type': type });
  });
  app.post('/api/issues/:volume/publish', async (c) => {
    const volume = parse(positiveParam('volume'), c.req.param('volume'), 'path');
    const body = parse(publishBody, await json(c), 'body');
    const result = await publish(
      { db: deps.db, config: deps.config, github: deps.github(), clock: deps.clock },
      {
        volume,
        repo: body.repo,
        repoField: 'body.repo',
        dryRun: body.dry_run,
        language: body.lang,
        allowMentions: body.allow_mentions,
      },
    );
    return c.json({
      action: result.action,
      url: result.url,
      number: result.number,
      requests: result.requests,
      request: result.request,
    });
  });
  app.post('/api/issues/:volume/reopen', async (c) =>
    c.json(issueJson(await reopen(editorial(c), parse(positiveParam('volume'), c.req.param('volume'), 'path')))),
  );

  async function entryOfIssue(volume: number, entryId: number): Promise<void> {
    const issue = await getIssue(deps.db, volume);
    const row = await deps.db.selectFrom('issue_entries').select('issue_id').where('id', '=', entryId).executeTakeFirst();
    if (!row || row.issue_id !== issue.id) throw new NotFoundError(`no entry ${entryId} in issue ${volume}`);
  }

  return app;
}

function pick(body: z.infer<typeof promoteBody>) {
  return { section: body.section, note: body.note, only: body.only };
}

/** Validates input; the error names the field (`body.volume: expected ...`). */
function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'path'): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const messages = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys')
      return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    // Messages written for a field already start with its name ("volume: expected ...").
    if (!path) return /^[\w.]+: /.test(issue.message) ? `${where}.${issue.message}` : `${where}: ${issue.message}`;
    const message = issue.message.startsWith(`${path.split('.')[0]}:`) ? issue.message : `${path}: ${issue.message}`;
    return `${where}.${message}`;
  });
  throw new ValidationError(messages.join('; '));
}

async function json(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`body: not valid JSON (${(error as Error).message})`);
  }
}

/** Query strings: a parameter given once is a string, several times an array. */
function flatten(queries: Record<string, string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(queries).map(([k, v]) => [k, v.length === 1 ? (v[0] as string) : v]));
}

function periodJson(period: Period) {
  return { from: period.from.toISOString(), to: period.to.toISOString() };
}

function issueJson(issue: IssueRow) {
  return {
    volume: issue.volume,
    title: issue.title,
    period: periodJson({ from: issue.periodFrom, to: issue.periodTo }),
    status: issue.status,
    published_repo: issue.publishedRepo,
    published_number: issue.publishedNumber,
    published_url: issue.publishedUrl,
    published_at: issue.publishedAt?.toISOString() ?? null,
    created_by: issue.createdBy,
    created_at: issue.createdAt.toISOString(),
    updated_at: issue.updatedAt.toISOString(),
  };
}

function entryJson(entry: EntryRow) {
  return {
    id: entry.id,
    section: entry.section,
    position: entry.position,
    item_id: entry.itemId,
    story_id: entry.storyId,
    title: entry.title,
    title_from_github: !entry.titleTrusted,
    url: entry.url,
    blurb: entry.blurb,
    blurb_from_github: !entry.blurbTrusted,
    texts: entry.texts,
    links: entry.links,
    created_by: entry.createdBy,
  };
}
