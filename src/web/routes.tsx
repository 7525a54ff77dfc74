import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { Config } from '../config/config.js';
import type { Principal, Role } from '../domain/access.js';
import { LANGUAGES, type Language } from '../domain/digest.js';
import { ITEM_KINDS, type ItemKind } from '../domain/source.js';
import { listCandidates } from '../editorial/candidates.js';
import { getIssue, renderable } from '../editorial/issues.js';
import { itemDetail } from '../editorial/items.js';
import type { Clock } from '../lib/clock.js';
import { NotFoundError, ValidationError } from '../lib/errors.js';
import { isoWeekOf, type Period, parseIsoWeek, WEEK_MS } from '../lib/time.js';
import type { Db } from '../store/db.js';
import { listIssues } from '../store/digest.js';
import { loadQuotas } from '../store/github-budget.js';
import { listRuns } from '../store/runs.js';
import type { WebEnv } from './app.js';
import { HealthPage } from './pages/health.js';
import { type EditorSection, IssuePage, IssuesPage } from './pages/issues.js';
import { ItemPage } from './pages/item.js';
import { LoginPage } from './pages/login.js';
import { WeekPage } from './pages/week.js';

/**
 * The editor's pages, server-rendered (JSX escapes everything it is given). Each handler reads
 * through the same use-cases as the CLI and the JSON API; writes go through the API, from the
 * page's script.
 */

export interface PageDeps {
  db: Db;
  config: Config;
  clock: Clock;
  requireRole: (role: Role, kind?: 'api' | 'page') => MiddlewareHandler<WebEnv>;
}

function signedIn(c: Context<WebEnv>): { nonce: string; principal: Principal; csrfToken: string } {
  const principal = c.get('principal');
  if (!principal) throw new NotFoundError('sign in first');
  return { nonce: c.get('nonce'), principal, csrfToken: c.get('csrfToken') ?? '' };
}

function pagesApp(deps: PageDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  app.get('/', (c) => c.redirect('/week'));

  app.get('/week', async (c) => {
    const query = c.req.query();
    const week = query.week || (await defaultWeek(deps));
    let period: Period;
    try {
      period = parseIsoWeek(week, 'week');
    } catch (error) {
      throw new ValidationError((error as Error).message);
    }
    const kind = query.kind && (ITEM_KINDS as readonly string[]).includes(query.kind) ? (query.kind as ItemKind) : undefined;
    const minScore = query.min && Number.isFinite(Number(query.min)) ? Number(query.min) : undefined;
    const project = deps.config.projects.find((p) => p.name === query.project)?.name;
    const decided = query.decided === '1';
    const list = await listCandidates(deps.db, deps.config, {
      period,
      project,
      kinds: kind ? [kind] : undefined,
      minScore,
      includeDecided: decided,
    });
    const state = list.editorial;
    const states = new Map<number, string>();
    for (const item of list.items) {
      const decision = state.decisions.get(item.id);
      const label = state.inDraft.has(item.id)
        ? 'in a draft'
        : decision === 'promote'
          ? 'promoted'
          : decision === 'dismiss'
            ? 'dismissed'
            : decision === 'snooze'
              ? 'snoozed'
              : state.featuredAt.has(item.id)
                ? 'featured'
                : undefined;
      if (label) states.set(item.id, label);
    }
    const drafts = (await listIssues(deps.db)).filter((i) => i.status === 'draft');
    const asked = Number(query.issue);
    const current =
      drafts.find((i) => i.volume === asked) ??
      drafts.find((i) => i.periodFrom <= period.from && i.periodTo > period.from) ??
      drafts.at(-1);
    return c.html(
      <WeekPage
        {...signedIn(c)}
        week={week}
        previousWeek={isoWeekOf(new Date(period.from.getTime() - WEEK_MS))}
        nextWeek={isoWeekOf(new Date(period.from.getTime() + WEEK_MS))}
        from={period.from}
        to={period.to}
        filters={{ project: project ?? '', kind: kind ?? '', minScore: minScore === undefined ? '' : String(minScore), decided }}
        projects={deps.config.projects.map((p) => p.name)}
        issues={drafts.map((i) => ({ volume: i.volume, title: i.title, from: i.periodFrom, to: i.periodTo }))}
        currentIssue={current?.volume ?? null}
        stories={list.stories}
        pendingScores={list.pendingScores}
        states={states}
      />,
    );
  });

  app.get('/items/:id', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) throw new NotFoundError(`no item ${c.req.param('id')}`);
    return c.html(<ItemPage {...signedIn(c)} item={await itemDetail(deps.db, deps.config, id)} />);
  });

  app.get('/issues', async (c) => {
    const issues = await listIssues(deps.db);
    return c.html(
      <IssuesPage
        {...signedIn(c)}
        issues={[...issues].reverse()}
        nextVolume={Math.max(0, ...issues.map((i) => i.volume)) + 1}
        week={await defaultWeek(deps)}
      />,
    );
  });

  app.get('/issues/:volume', async (c) => {
    const volume = Number(c.req.param('volume'));
    if (!Number.isInteger(volume) || volume < 1 || volume > 2_147_483_647)
      throw new NotFoundError(`no issue ${c.req.param('volume')}`);
    const issue = await getIssue(deps.db, volume);
    const views = new Map<Language, Awaited<ReturnType<typeof renderable>>>();
    for (const language of LANGUAGES) views.set(language, await renderable(deps.db, deps.config, volume, language));
    const main = views.get(deps.config.digest.language) as Awaited<ReturnType<typeof renderable>>;
    const entries = new Map(main.entries.map((e) => [e.id, e]));
    const textOf = (language: Language, sectionPath: number[], entryId: number) => {
      let sections = views.get(language)?.renderable.sections ?? [];
      let section = sections[sectionPath[0] as number];
      for (const index of sectionPath.slice(1)) {
        sections = section?.sections ?? [];
        section = sections[index];
      }
      const entry = section?.entries.find((e) => e.id === entryId);
      return { title: entry?.title ?? { text: '', trusted: false }, blurb: entry?.blurb ?? { text: '', trusted: false } };
    };
    const flat: EditorSection[] = [];
    main.renderable.sections.forEach((section, i) => {
      const visit = (s: typeof section, path: number[], depth: number) => {
        flat.push({
          id: s.id,
          title: s.title,
          depth,
          entries: s.entries.map((e) => ({
            id: e.id,
            position: e.position,
            url: e.url,
            links: e.links,
            manual: entries.get(e.id)?.itemId === null,
            texts: Object.fromEntries(
              LANGUAGES.map((l) => [l, textOf(l, path, e.id)]),
            ) as EditorSection['entries'][number]['texts'],
          })),
        });
        s.sections.forEach((child, j) => {
          visit(child, [...path, j], depth + 1);
        });
      };
      visit(section, [i], 0);
    });
    return c.html(
      <IssuePage
        {...signedIn(c)}
        issue={issue}
        title={main.renderable.title}
        sections={flat}
        publishRepo={issue.publishedRepo ?? deps.config.digest.publish.repo}
        publishRepos={issue.publishedRepo ? [issue.publishedRepo] : [...deps.config.digest.publish.repos]}
        language={deps.config.digest.language}
      />,
    );
  });

  app.get('/health', deps.requireRole('maintainer', 'page'), async (c) => {
    const runs = await listRuns(deps.db, { limit: 2000 });
    const latest = new Map<string, (typeof runs)[number]>();
    for (const run of runs) {
      const key = `${run.repo.toLowerCase()}|${run.source}`;
      if (!latest.has(key)) latest.set(key, run);
    }
    const limited = runs.find((r) => r.rateLimitRemaining !== null);
    return c.html(
      <HealthPage
        {...signedIn(c)}
        configFile={deps.config.file}
        repos={deps.config.repos}
        runs={[...latest.values()]}
        rateLimit={
          limited ? { remaining: limited.rateLimitRemaining as number, at: limited.finishedAt ?? limited.startedAt } : null
        }
        budget={await loadQuotas(deps.db)}
        now={new Date()}
      />,
    );
  });

  return app;
}

/** The current week, or the week of the newest stored change when nothing is stored after it. */
async function defaultWeek(deps: PageDeps): Promise<string> {
  const now = deps.clock.now();
  const newest = await deps.db
    .selectFrom('items')
    .select((eb) => eb.fn.max('occurred_at').as('at'))
    .where('occurred_at', '<=', now)
    .executeTakeFirst();
  const at = newest?.at ? new Date(newest.at as unknown as string) : now;
  return isoWeekOf(at);
}

export const pageRoutes = {
  login: (props: Parameters<typeof LoginPage>[0]) => <LoginPage {...props} />,
  app: (deps: PageDeps) => pagesApp(deps),
};
