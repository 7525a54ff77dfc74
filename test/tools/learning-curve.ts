/**
 * Does learning from editors' picks rank their next picks better or worse?
 *
 *   npm run learning-curve [-- --lwkd FILE] [--mode sequential|cumulative] [--lambda X] [--json]
 *
 * Reads the configured database and config as `npm run eval` does (a `radar backfill --since
 * 2019-03-01` against github-sim at clock 2019-08-01). For each post of Last Week in Kubernetes
 * Development (test/fixtures/eval/lwkd-2019-spring.json) after the first, the weights are learnt
 * (src/scoring/tune.ts, as `radar tune` learns) from the picks of the posts before it, promoted
 * in their periods' Kubernetes lists, and the post's own picks are ranked in its list:
 *
 * - sequential (default): as a maintainer running `radar tune --write` after each post: each step
 *   learns from the newest post with the prior on what the last step wrote, a refused suggestion
 *   leaves the weights as they were;
 * - cumulative: each step learns from all the posts before it, from the configured weights.
 *
 * Figures: the post's headline picks in the top 10 of the real candidate list (recall@10) and
 * graded nDCG@10 (headline 2, other merges 1), as `npm run eval` measures them, with the
 * configured weights, the suggestion, and what would have been written. Nothing is stored.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Config } from '../../src/config/config.js';
import { loadEnv } from '../../src/config/env.js';
import { loadConfig } from '../../src/config/load.js';
import { listCandidates } from '../../src/editorial/candidates.js';
import { type DecidedPeriod, learningWeeks, withLearnt } from '../../src/editorial/tune.js';
import { silentLogger } from '../../src/lib/logger.js';
import { formatTable } from '../../src/lib/terminal.js';
import type { Period } from '../../src/lib/time.js';
import { gradedNdcgAt, postPeriods, ranksOf } from '../../src/scoring/evaluation.js';
import { learningCurve } from '../../src/scoring/tune.js';
import { kepLocation } from '../../src/sources/kep-document.js';
import { openDatabase } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrator.js';

const { values } = parseArgs({
  options: {
    lwkd: { type: 'string', default: 'test/fixtures/eval/lwkd-2019-spring.json' },
    mode: { type: 'string', default: 'sequential' },
    lambda: { type: 'string' },
    json: { type: 'boolean' },
  },
});
if (values.mode !== 'sequential' && values.mode !== 'cumulative') throw new Error('--mode: sequential or cumulative');
const lambda = values.lambda === undefined ? undefined : Number(values.lambda);
const env = loadEnv();
const config = loadConfig(env.configFile);
const logger = silentLogger();
const handle = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir, logger });
await migrateToLatest(handle.db, logger);
const db = handle.db;
const PROJECT = 'Kubernetes';

const postSchema = z.object({
  posts: z.array(
    z.object({
      post_date: z.string(),
      published: z.string(),
      items: z.array(
        z.object({
          repo: z.string().nullable(),
          kind: z.string(),
          number: z.number().nullable(),
          path: z.string().nullable(),
          tier: z.enum(['headline', 'minor']),
          role: z.string(),
        }),
      ),
    }),
  ),
});
const { posts } = postSchema.parse(JSON.parse(readFileSync(values.lwkd as string, 'utf8')));
const periods = postPeriods(posts.map((p) => ({ postDate: p.post_date, published: p.published })));
const watched = new Set(config.repos.filter((r) => r.project === PROJECT).map((r) => r.repo.toLowerCase()));

/** The stored item of a pick, if it is a candidate of the period (as npm run eval decides). */
async function itemIn(pick: (typeof posts)[number]['items'][number], period: Period): Promise<number | undefined> {
  let q = db
    .selectFrom('items')
    .innerJoin('repos', 'repos.id', 'items.repo_id')
    .select(['items.id', 'items.occurred_at'])
    .where((eb) => eb(eb.fn('lower', ['repos.full_name']), '=', (pick.repo as string).toLowerCase()))
    .where('items.kind', '=', pick.kind as 'pull');
  if (pick.kind === 'release') q = q.where('items.tag', '=', pick.path ?? '');
  else if (pick.kind === 'kep') q = q.where(sql<string>`items.details->>'location'`, '=', kepLocation(pick.path ?? ''));
  else q = q.where('items.number', '=', pick.number ?? -1);
  const row = await q.executeTakeFirst();
  if (!row) return undefined;
  if (row.occurred_at >= period.from && row.occurred_at < period.to) return row.id;
  const event = await db
    .selectFrom('item_events')
    .select('id')
    .where('item_id', '=', row.id)
    .where('type', 'in', ['kep.created', 'kep.status', 'kep.stage', 'kep.milestone'])
    .where('occurred_at', '>=', period.from)
    .where('occurred_at', '<', period.to)
    .executeTakeFirst();
  return event ? row.id : undefined;
}

interface PostPicks {
  label: string;
  period: Period;
  /** item id -> grade (2 headline, 1 other). */
  grades: Map<number, number>;
}
const picks: PostPicks[] = [];
for (const [index, post] of posts.entries()) {
  const period = periods[index] as Period;
  const grades = new Map<number, number>();
  for (const pick of post.items) {
    if (!pick.repo || !watched.has(pick.repo.toLowerCase())) continue;
    if (!['pull', 'kep', 'issue', 'release'].includes(pick.kind) || !['primary', 'listed'].includes(pick.role)) continue;
    const id = await itemIn(pick, period);
    if (id !== undefined) grades.set(id, Math.max(grades.get(id) ?? 0, pick.tier === 'headline' ? 2 : 1));
  }
  picks.push({ label: post.post_date, period, grades });
}

/** Where a post's picks rank in its real Kubernetes list under a config. */
async function measure(cfg: Config, post: PostPicks) {
  const list = await listCandidates(db, cfg, { period: post.period, project: PROJECT, includeDecided: true });
  const stories = list.stories.filter((s) => s.project === PROJECT);
  const key = (s: (typeof stories)[number]) => (s.storyId === null ? `item:${s.items[0]?.id}` : `story:${s.storyId}`);
  const ofItem = new Map(stories.flatMap((s) => s.items.map((i) => [i.id, key(s)] as const)));
  const ranked = stories.map(key);
  const grades = new Map<string, number>();
  const headline: string[] = [];
  for (const [id, grade] of post.grades) {
    const k = ofItem.get(id) ?? `unlisted:${id}`;
    grades.set(k, Math.max(grades.get(k) ?? 0, grade));
    if (grade === 2) headline.push(k);
  }
  const at = ranksOf(ranked, headline);
  return {
    recall10: headline.length
      ? headline.filter((h) => (at.get(h) ?? Number.POSITIVE_INFINITY) <= 10).length / headline.length
      : Number.NaN,
    ndcg10: gradedNdcgAt(ranked, grades, 10),
    ranks: headline.map((h) => at.get(h) ?? null),
  };
}

const decided: DecidedPeriod[] = picks.map((p) => ({
  week: p.label,
  period: p.period,
  promoted: [...p.grades.keys()],
  project: PROJECT,
}));
const data = await learningWeeks(db, config, decided);
const steps = learningCurve(data.weeks, config.scoring.weights, config.scoring.words, {
  mode: values.mode,
  ...(lambda === undefined ? {} : { lambda }),
});
type Measured = Awaited<ReturnType<typeof measure>>;
const rows: Array<{ step: (typeof steps)[number]; before: Measured; suggested: Measured; applied: Measured }> = [];
for (const step of steps) {
  const post = picks.find((p) => p.label === step.week) as PostPicks;
  rows.push({
    step,
    before: await measure(config, post),
    suggested: await measure(withLearnt(config, step.suggestion.weights, step.suggestion.words), post),
    applied: await measure(withLearnt(config, step.weights, step.words), post),
  });
}
await handle.close();

const pct = (n: number) => (Number.isNaN(n) ? '-' : `${Math.round(n * 100)}%`);
const cells = (m: Measured) => [pct(m.recall10), pct(m.ndcg10), m.ranks.map((r) => r ?? '-').join(',')];
if (values.json) {
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
  process.stdout.write(
    `learning curve (${values.mode}${lambda === undefined ? '' : `, lambda ${lambda}`}): each post's ${PROJECT} list\n\n`,
  );
  const header = ['post', 'learnt from', 'promotions used', 'refused'];
  for (const set of ['before', 'suggested', 'written']) header.push(`${set} R@10`, 'nDCG@10', 'ranks');
  const table = rows.map(({ step, before, suggested, applied }) => [
    step.week,
    `${step.learntFrom.length} posts`,
    step.decisions.promoted,
    step.refused ? 'yes' : 'no',
    ...cells(before),
    ...cells(suggested),
    ...cells(applied),
  ]);
  process.stdout.write(`${formatTable(header, table)}\n`);
  for (const { step } of rows) if (step.refused) process.stdout.write(`${step.week}: refused, ${step.verdict.reason}\n`);
  const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((n, r) => n + f(r), 0) / (rows.length || 1);
  process.stdout.write(
    `mean graded nDCG@10 over ${rows.length} posts: before ${pct(mean((r) => r.before.ndcg10))}, suggested ${pct(mean((r) => r.suggested.ndcg10))}, written ${pct(mean((r) => r.applied.ndcg10))}\n`,
  );
  const last = steps.at(-1);
  if (last) {
    const current = config.scoring.weights as Record<string, number>;
    const moved = Object.entries(last.weights).filter(([k, v]) => v !== current[k]);
    process.stdout.write(
      `weights written by the last step: ${moved.map(([k, v]) => `${k} ${current[k]} -> ${v}`).join(', ') || 'none'}\n`,
    );
    process.stdout.write(
      `words: ${
        Object.entries(last.words)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none'
      }\n`,
    );
  }
}
