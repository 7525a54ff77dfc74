/**
 * Ranking quality of the candidate list against editors' picks:
 *
 *   npm run eval [-- --lwkd FILE] [--labels FILE] [--only lwkd|labels|learning] [--json]
 *
 * Reads the configured database (DATABASE_URL or RADAR_DATA_DIR, filled by `radar backfill
 * --since 2019-03-01` against github-sim at clock 2019-08-01) and config (RADAR_CONFIG), and
 * reports three things:
 *
 * 1. **Real editors' picks** (test/fixtures/eval/lwkd-2019-spring.json, seven posts of Last Week
 *    in Kubernetes Development): for each post, the Kubernetes candidate list of the days it
 *    covers, and where the post's headline picks (Featured PRs, Promotions, Deprecated) rank:
 *    recall@10 and nDCG@10 (graded: headline 2, other merges 1), beside the hand heuristic
 *    (src/scoring/baseline.ts) ranking the same period's items, measured in the same run.
 * 2. **Labelled weeks** (test/fixtures/eval/labels-2019.yaml): per project and week.
 * 3. **Learning**: for each post, weights tuned (as `radar tune` does) on the picks of the posts
 *    before it promoted, against the current weights, on that post.
 *
 * A pick counts at the rank of its story; the list is the one the ranker makes before editors
 * act (decided items included), so weeks an editor has worked through can be measured too.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Config } from '../../src/config/config.js';
import { loadEnv } from '../../src/config/env.js';
import { loadConfig } from '../../src/config/load.js';
import { type CandidateList, listCandidates } from '../../src/editorial/candidates.js';
import { type DecidedPeriod, learningWeeks, withLearnt } from '../../src/editorial/tune.js';
import { silentLogger } from '../../src/lib/logger.js';
import { type Period, parseIsoWeek } from '../../src/lib/time.js';
import { handHeuristic } from '../../src/scoring/baseline.js';
import { gradedNdcgAt, meanQuality, postPeriods, quality, type RankingQuality, ranksOf } from '../../src/scoring/evaluation.js';
import { storyScore } from '../../src/scoring/score.js';
import { learningCurve } from '../../src/scoring/tune.js';
import { kepLocation } from '../../src/sources/kep-document.js';
import { openDatabase } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrator.js';
import { loadItemsById, type StoredForScoring } from '../../src/store/scoring.js';

const { values } = parseArgs({
  options: {
    lwkd: { type: 'string', default: 'test/fixtures/eval/lwkd-2019-spring.json' },
    labels: { type: 'string', default: 'test/fixtures/eval/labels-2019.yaml' },
    only: { type: 'string' },
    json: { type: 'boolean' },
  },
});
const sections = values.only ? new Set(values.only.split(',')) : new Set(['lwkd', 'labels', 'learning']);
const env = loadEnv();
const config = loadConfig(env.configFile);
const logger = silentLogger();
const handle = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir, logger });
await migrateToLatest(handle.db, logger);
const db = handle.db;
const stored = await db
  .selectFrom('items')
  .select((eb) => eb.fn.countAll<number>().as('n'))
  .executeTakeFirstOrThrow();
if (Number(stored.n) === 0) {
  process.stderr.write(
    `${handle.location} holds no items: run \`radar backfill --since 2019-03-01\` against ../shared/github-sim at --clock 2019-08-01T00:00:00Z first\n`,
  );
  await handle.close();
  process.exit(66);
}
const out = (line = '') => {
  if (!values.json) process.stdout.write(`${line}\n`);
};
const pct = (n: number) => `${Math.round(n * 100)}%`;
const report: Record<string, unknown> = {};

// ---------------------------------------------------------------------------------------------
// Picks and where they are stored

const lwkdSchema = z.object({
  posts: z.array(
    z.object({
      post_date: z.string(),
      published: z.string(),
      title: z.string(),
      items: z.array(
        z.object({
          repo: z.string().nullable(),
          kind: z.string(),
          number: z.number().nullable(),
          path: z.string().nullable(),
          tier: z.enum(['headline', 'minor']),
          role: z.string(),
          section: z.string(),
          gist: z.string(),
        }),
      ),
    }),
  ),
});

interface Pick {
  repo: string;
  kind: 'pull' | 'kep' | 'release' | 'issue';
  number?: number | undefined;
  tag?: string | undefined;
  path?: string | undefined;
  /** 2 for a headline pick, 1 for a minor one. */
  grade: number;
  label: string;
}

async function itemOf(p: Pick): Promise<{ id: number; occurredAt: Date } | undefined> {
  let q = db
    .selectFrom('items')
    .innerJoin('repos', 'repos.id', 'items.repo_id')
    .select(['items.id', 'items.occurred_at'])
    .where((eb) => eb(eb.fn('lower', ['repos.full_name']), '=', p.repo.toLowerCase()))
    .where('items.kind', '=', p.kind);
  if (p.kind === 'release') q = q.where('items.tag', '=', p.tag ?? '');
  else if (p.kind === 'kep') q = q.where(sql<string>`items.details->>'location'`, '=', kepLocation(p.path ?? ''));
  else q = q.where('items.number', '=', p.number ?? -1);
  const row = await q.executeTakeFirst();
  return row ? { id: row.id, occurredAt: row.occurred_at } : undefined;
}

/** Whether an item is a candidate of the period at all: it happened in it, or a KEP moved in it. */
async function happenedIn(itemId: number, occurredAt: Date, period: Period): Promise<boolean> {
  if (occurredAt >= period.from && occurredAt < period.to) return true;
  const event = await db
    .selectFrom('item_events')
    .select('id')
    .where('item_id', '=', itemId)
    .where('type', 'in', ['kep.created', 'kep.status', 'kep.stage', 'kep.milestone'])
    .where('occurred_at', '>=', period.from)
    .where('occurred_at', '<', period.to)
    .executeTakeFirst();
  return event !== undefined;
}

function storyKeys(list: CandidateList, project: string) {
  const stories = list.stories.filter((s) => s.project === project);
  const key = (s: (typeof stories)[number]) => (s.storyId === null ? `item:${s.items[0]?.id}` : `story:${s.storyId}`);
  return {
    ranked: stories.map(key),
    ofItem: new Map(stories.flatMap((s) => s.items.map((i) => [i.id, key(s)] as const))),
  };
}

// ---------------------------------------------------------------------------------------------
// 1. Real editors' picks: LWKD

interface PostResult {
  post: string;
  from: string;
  to: string;
  candidates: number;
  headline: { linked: number; reachable: number };
  radar: { recall10: number; ndcg10: number; ranks: Record<string, number | null> };
  baseline: { recall10: number; ndcg10: number; ranks: Record<string, number | null> };
  unreachable: string[];
}

/** A post, its period, and its picks as stored items. */
interface Post {
  date: string;
  period: Period;
  /** Reachable picks: stored, and candidates of the period. */
  picks: Array<{ itemId: number; grade: number; label: string }>;
  /** Headline picks that cannot be measured, and why. */
  unreachable: string[];
  /** What earlier posts featured (primary and listed links): hidden from this post's list. */
  featuredBefore: ReadonlySet<number>;
}

async function loadPosts(): Promise<Post[]> {
  const { posts } = lwkdSchema.parse(JSON.parse(readFileSync(values.lwkd as string, 'utf8')));
  const periods = postPeriods(posts.map((p) => ({ postDate: p.post_date, published: p.published })));
  const watched = new Set(config.repos.filter((r) => r.project === 'Kubernetes').map((r) => r.repo.toLowerCase()));
  const result: Post[] = [];
  // What earlier posts linked is featured: in radar it would sit in a published issue, hidden
  // from later lists, so it is left out of them here too (for radar and the baseline alike).
  const featured = new Set<number>();
  for (const [index, post] of posts.entries()) {
    const period = periods[index] as Period;
    const linked = post.items
      .filter((i) => i.repo && watched.has(i.repo.toLowerCase()))
      .filter((i) => ['pull', 'kep', 'issue', 'release'].includes(i.kind) && ['primary', 'listed'].includes(i.role));
    const entry: Post = { date: post.post_date, period, picks: [], unreachable: [], featuredBefore: new Set(featured) };
    for (const i of linked) {
      const pick: Pick = {
        repo: i.repo as string,
        kind: i.kind as Pick['kind'],
        number: i.kind === 'release' ? undefined : (i.number ?? undefined),
        tag: i.kind === 'release' ? (i.path ?? undefined) : undefined,
        path: i.path ?? undefined,
        grade: i.tier === 'headline' ? 2 : 1,
        label: `${i.kind === 'release' ? i.path : `#${i.number ?? i.path}`} ${i.gist}`,
      };
      const item = await itemOf(pick);
      if (item) featured.add(item.id);
      if (item && (await happenedIn(item.id, item.occurredAt, period)))
        entry.picks.push({ itemId: item.id, grade: pick.grade, label: pick.label });
      else if (pick.grade === 2)
        entry.unreachable.push(
          `${pick.label} (${item ? `dated ${item.occurredAt.toISOString().slice(0, 10)} in the data set` : 'not in the data set'})`,
        );
    }
    result.push(entry);
  }
  return result;
}

/** Where a post's picks rank in its Kubernetes list under a config, for radar and the baseline. */
async function rankPost(cfg: Config, post: Post): Promise<PostResult> {
  const list = withoutFeatured(
    await listCandidates(db, cfg, { period: post.period, project: 'Kubernetes', includeDecided: true, scores: 'computed' }),
    post.featuredBefore,
    cfg,
  );
  const { ranked, ofItem } = storyKeys(list, 'Kubernetes');
  // The baseline ranks the same candidates (the same stories, carry-over included), each story
  // by its best item's heuristic score.
  const stored = new Map(
    (
      await loadItemsById(
        db,
        list.items.map((c) => c.id),
      )
    ).map((i) => [i.id, i]),
  );
  const baselineRanked = list.stories
    .filter((s) => s.project === 'Kubernetes')
    .map((s) => ({
      key: s.storyId === null ? `item:${s.items[0]?.id}` : `story:${s.storyId}`,
      score: Math.max(...s.items.map((i) => handHeuristic(stored.get(i.id) as StoredForScoring))),
      at: Math.max(...s.items.map((i) => i.occurredAt.getTime())),
    }))
    .sort((a, b) => b.score - a.score || b.at - a.at)
    .map((s) => s.key);
  const grades = new Map<string, number>();
  const headline: Array<{ label: string; key: string }> = [];
  for (const pick of post.picks) {
    const key = ofItem.get(pick.itemId) ?? `unlisted:${pick.itemId}`;
    grades.set(key, Math.max(grades.get(key) ?? 0, pick.grade));
    if (pick.grade === 2) headline.push({ label: pick.label, key });
  }
  const measure = (order: string[]) => {
    const at = ranksOf(
      order,
      headline.map((h) => h.key),
    );
    const found = headline.filter((h) => (at.get(h.key) ?? Number.POSITIVE_INFINITY) <= 10).length;
    return {
      recall10: headline.length ? found / headline.length : Number.NaN,
      ndcg10: gradedNdcgAt(order, grades, 10),
      ranks: Object.fromEntries(headline.map((h) => [h.label, at.get(h.key) ?? null])),
    };
  };
  return {
    post: post.date,
    from: post.period.from.toISOString().slice(0, 10),
    to: post.period.to.toISOString().slice(0, 16),
    candidates: ranked.length,
    headline: { linked: headline.length + post.unreachable.length, reachable: headline.length },
    radar: measure(ranked),
    baseline: measure(baselineRanked),
    unreachable: post.unreachable,
  };
}

async function evaluatePosts(posts: Post[], cfg: Config = config): Promise<PostResult[]> {
  const results: PostResult[] = [];
  for (const post of posts) results.push(await rankPost(cfg, post));
  return results;
}

/**
 * The list as it would be after the earlier posts were published: their items hidden, the rest
 * of their stories kept (as follow-ups) and scored without them.
 */
function withoutFeatured(list: CandidateList, featured: ReadonlySet<number>, cfg: Config): CandidateList {
  const stories = list.stories
    .map((story) => {
      const items = story.items.filter((i) => !featured.has(i.id));
      if (items.length === story.items.length) return story;
      return {
        ...story,
        items,
        score: storyScore(
          items.map((i) => i.score ?? 0),
          cfg.scoring.weights,
        ).score,
      };
    })
    .filter((story) => story.items.length > 0)
    .sort((a, b) => b.score - a.score);
  return { ...list, stories, items: stories.flatMap((s) => s.items) };
}

function summarise(results: PostResult[]) {
  const measured = results.filter((r) => r.headline.reachable > 0);
  const mean = (f: (r: PostResult) => number) => measured.reduce((n, r) => n + f(r), 0) / (measured.length || 1);
  const found = (key: 'radar' | 'baseline') =>
    measured.reduce((n, r) => n + Object.values(r[key].ranks).filter((rank) => rank !== null && rank <= 10).length, 0);
  const picks = measured.reduce((n, r) => n + r.headline.reachable, 0);
  return {
    posts: measured.length,
    picks,
    radar: { recall10: mean((r) => r.radar.recall10), ndcg10: mean((r) => r.radar.ndcg10), found: found('radar') },
    baseline: { recall10: mean((r) => r.baseline.recall10), ndcg10: mean((r) => r.baseline.ndcg10), found: found('baseline') },
  };
}

const posts = sections.has('lwkd') || sections.has('learning') ? await loadPosts() : [];

if (sections.has('lwkd')) {
  const results = await evaluatePosts(posts);
  const summary = summarise(results);
  report.lwkd = { posts: results, summary };
  out('LWKD spring 2019: headline picks (Featured PRs, Promotions, Deprecated) in the top 10 of the Kubernetes list');
  out();
  out('post        period                       stories  picks  radar R@10  nDCG@10   baseline R@10  nDCG@10');
  for (const r of results) {
    const cell = (n: number) => (Number.isNaN(n) ? '   -' : pct(n).padStart(4));
    out(
      `${r.post}  ${r.from}..${r.to}  ${String(r.candidates).padStart(7)}  ${`${r.headline.reachable}/${r.headline.linked}`.padStart(5)}  ${cell(r.radar.recall10).padStart(10)}  ${pct(r.radar.ndcg10).padStart(7)}   ${cell(r.baseline.recall10).padStart(13)}  ${pct(r.baseline.ndcg10).padStart(7)}`,
    );
    for (const [label, rank] of Object.entries(r.radar.ranks))
      out(
        `            radar ${String(rank ?? '-').padStart(3)}  baseline ${String(r.baseline.ranks[label] ?? '-').padStart(3)}  ${label}`,
      );
    for (const u of r.unreachable) out(`            not measurable: ${u}`);
  }
  out(
    `mean over ${summary.posts} posts with picks (${summary.picks} picks): radar recall@10 ${pct(summary.radar.recall10)}, nDCG@10 ${pct(summary.radar.ndcg10)}; baseline recall@10 ${pct(summary.baseline.recall10)}, nDCG@10 ${pct(summary.baseline.ndcg10)}`,
  );
  const ratio = summary.baseline.recall10 > 0 ? summary.radar.recall10 / summary.baseline.recall10 : Number.POSITIVE_INFINITY;
  out(
    `target recall@10 >= 0.6 and >= 2x baseline: ${summary.radar.recall10 >= 0.6 && ratio >= 2 ? 'met' : 'NOT met'} (${ratio.toFixed(1)}x)`,
  );
  out();
}

// ---------------------------------------------------------------------------------------------
// 2. Labelled weeks

const labelPick = z.looseObject({
  project: z.string(),
  repo: z.string(),
  kind: z.enum(['pull', 'kep', 'release', 'issue']),
  number: z.number().int().optional(),
  tag: z.string().optional(),
  path: z.string().optional(),
  why: z.string(),
});
const labelsSchema = z.object({ weeks: z.array(z.looseObject({ week: z.string(), picks: z.array(labelPick) })) });

if (sections.has('labels')) {
  const labels = labelsSchema.parse(parseYaml(readFileSync(values.labels as string, 'utf8')));
  const rows: Array<{
    week: string;
    project: string;
    picks: number;
    at5: RankingQuality;
    at10: RankingQuality;
    missed: string[];
  }> = [];
  for (const week of labels.weeks) {
    const list = await listCandidates(db, config, { period: parseIsoWeek(week.week), includeDecided: true, scores: 'computed' });
    for (const project of [...new Set(week.picks.map((p) => p.project))]) {
      const { ranked, ofItem } = storyKeys(list, project);
      const relevant = new Set<string>();
      const missed: string[] = [];
      for (const p of week.picks.filter((x) => x.project === project)) {
        const item = await itemOf({ ...p, grade: 1, label: '' });
        const story = item && ofItem.get(item.id);
        if (story) relevant.add(story);
        else missed.push(`${p.repo} ${p.number ?? p.tag ?? p.path}${item ? ' (not listed)' : ' (not stored)'}`);
      }
      for (const m of missed) relevant.add(`missing:${m}`);
      rows.push({
        week: week.week,
        project,
        picks: relevant.size,
        at5: quality(ranked, relevant, 5),
        at10: quality(ranked, relevant, 10),
        missed,
      });
    }
  }
  report.labels = rows;
  out('Labelled weeks (test/fixtures/eval/labels-2019.yaml)');
  out();
  out('week      project       picks  R@5   R@10  nDCG@10');
  for (const r of rows)
    out(
      `${r.week}  ${r.project.padEnd(12)} ${String(r.picks).padStart(5)} ${pct(r.at5.recall).padStart(5)} ${pct(r.at10.recall).padStart(5)}  ${pct(r.at10.ndcg).padStart(6)}${r.missed.length ? `   missed: ${r.missed.join(', ')}` : ''}`,
    );
  const m5 = meanQuality(rows.map((r) => r.at5));
  const m10 = meanQuality(rows.map((r) => r.at10));
  out(`mean                         ${pct(m5.recall).padStart(5)} ${pct(m10.recall).padStart(5)}  ${pct(m10.ndcg).padStart(6)}`);
  out();
}

// ---------------------------------------------------------------------------------------------
// 3. Learning: does tuning on the picks of earlier posts rank the next post's picks worse?

if (sections.has('learning')) {
  const decided: DecidedPeriod[] = posts.map((p) => ({
    week: p.date,
    period: p.period,
    promoted: p.picks.map((pick) => pick.itemId),
    project: 'Kubernetes',
  }));
  const { weeks } = await learningWeeks(db, config, decided);
  const learning: Record<string, unknown> = {};
  out('Learning: each post ranked with the weights before tuning, and after radar tune on the picks of the posts before it');
  for (const mode of ['sequential', 'cumulative'] as const) {
    const steps = learningCurve(weeks, config.scoring.weights, config.scoring.words, { mode });
    const rows = [];
    for (const step of steps) {
      const post = posts.find((p) => p.date === step.week) as Post;
      const before = await rankPost(config, post);
      const after = await rankPost(withLearnt(config, step.weights, step.words), post);
      rows.push({ post: step.week, refused: step.refused, before: before.radar, after: after.radar });
    }
    learning[mode] = rows;
    out();
    out(
      mode === 'sequential'
        ? 'sequential: radar tune --write after each post (the prior on what the last step wrote; a refused suggestion writes nothing)'
        : 'cumulative: radar tune --all on all the posts before, from the configured weights',
    );
    out('post        refused  before R@10  nDCG@10   after R@10  nDCG@10');
    const cell = (n: number) => (Number.isNaN(n) ? '-' : pct(n));
    for (const r of rows)
      out(
        `${r.post}  ${(r.refused ? 'yes' : 'no').padEnd(7)}  ${cell(r.before.recall10).padStart(11)}  ${pct(r.before.ndcg10).padStart(7)}  ${cell(r.after.recall10).padStart(11)}  ${pct(r.after.ndcg10).padStart(7)}`,
      );
    const worse = rows.filter((r) => r.after.ndcg10 < r.before.ndcg10 - 0.005 || r.after.recall10 < r.before.recall10 - 0.005);
    out(
      `target: no post ranks worse after tuning: ${worse.length === 0 ? 'met' : `NOT met (${worse.map((r) => r.post).join(', ')})`}`,
    );
  }
  report.learning = learning;
  out();
}

await handle.close();
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
