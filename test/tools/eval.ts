/**
 * Ranking quality of the candidate list against labelled weeks:
 *
 *   npm run eval -- --labels test/fixtures/eval/labels-2019.yaml [--json]
 *
 * Reads the configured database (DATABASE_URL or RADAR_DATA_DIR, filled by `radar backfill`)
 * and config (RADAR_CONFIG), lists each labelled week's candidates per project as `radar
 * candidates` does, and reports precision@k, recall@k and nDCG@k per project and week (k = 5,
 * 10), a pick counting at the rank of its story.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { loadEnv } from '../../src/config/env.js';
import { loadConfig } from '../../src/config/load.js';
import { listCandidates } from '../../src/editorial/candidates.js';
import { silentLogger } from '../../src/lib/logger.js';
import { parseIsoWeek } from '../../src/lib/time.js';
import { meanQuality, quality, type RankingQuality } from '../../src/scoring/evaluation.js';
import { kepLocation } from '../../src/sources/kep-document.js';
import { openDatabase } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrator.js';

const pick = z.looseObject({
  project: z.string(),
  repo: z.string(),
  kind: z.enum(['pull', 'kep', 'release', 'issue']),
  number: z.number().int().optional(),
  tag: z.string().optional(),
  path: z.string().optional(),
  why: z.string(),
});
const labelsSchema = z.object({ weeks: z.array(z.looseObject({ week: z.string(), picks: z.array(pick) })) });
type Pick = z.infer<typeof pick>;

const { values } = parseArgs({ options: { labels: { type: 'string' }, json: { type: 'boolean' } } });
if (!values.labels) {
  process.stderr.write('usage: npm run eval -- --labels FILE [--json]\n');
  process.exit(64);
}
const labels = labelsSchema.parse(parseYaml(readFileSync(values.labels, 'utf8')));
const env = loadEnv();
const config = loadConfig(env.configFile);
const logger = silentLogger();
const handle = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir, logger });
await migrateToLatest(handle.db, logger);

interface Row {
  week: string;
  project: string;
  picks: number;
  found: number;
  at5: RankingQuality;
  at10: RankingQuality;
  missed: string[];
}
const rows: Row[] = [];
try {
  for (const week of labels.weeks) {
    // The ranking as it stands before editors act: a pick that was promoted (and so is hidden
    // from the editor's list) must still count where the ranker put it.
    const list = await listCandidates(handle.db, config, { period: parseIsoWeek(week.week), includeDecided: true });
    const picksByProject = new Map<string, Pick[]>();
    for (const p of week.picks) picksByProject.set(p.project, [...(picksByProject.get(p.project) ?? []), p]);
    for (const [project, picks] of picksByProject) {
      const ranked = list.stories.filter((s) => s.project === project).map((s) => storyKey(s.storyId, s.items[0]?.id ?? 0));
      const storyOfItem = new Map(
        list.stories.flatMap((s) => s.items.map((i) => [i.id, storyKey(s.storyId, s.items[0]?.id ?? 0)] as const)),
      );
      const relevant = new Set<string>();
      const missed: string[] = [];
      for (const p of picks) {
        const id = await itemId(p);
        const story = id === undefined ? undefined : storyOfItem.get(id);
        if (story) relevant.add(story);
        else missed.push(`${p.repo} ${p.number ?? p.tag ?? p.path}${id === undefined ? ' (not stored)' : ' (not listed)'}`);
      }
      // Missing picks still count against recall: pad the relevant set with unreachable ids.
      for (const m of missed) relevant.add(`missing:${m}`);
      rows.push({
        week: week.week,
        project,
        picks: picks.length,
        found: picks.length - missed.length,
        at5: quality(ranked, relevant, 5),
        at10: quality(ranked, relevant, 10),
        missed,
      });
    }
  }
} finally {
  await handle.close();
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
  const pct = (n: number) => `${Math.round(n * 100)}%`.padStart(5);
  process.stdout.write('week      project       picks  P@5   R@5   R@10  nDCG@10\n');
  for (const r of rows) {
    process.stdout.write(
      `${r.week}  ${r.project.padEnd(12)} ${String(r.picks).padStart(5)} ${pct(r.at5.precision)} ${pct(r.at5.recall)} ${pct(r.at10.recall)}  ${pct(r.at10.ndcg)}${r.missed.length ? `   missed: ${r.missed.join(', ')}` : ''}\n`,
    );
  }
  const m5 = meanQuality(rows.map((r) => r.at5));
  const m10 = meanQuality(rows.map((r) => r.at10));
  process.stdout.write(
    `mean                    ${' '.repeat(5)} ${pct(m5.precision)} ${pct(m5.recall)} ${pct(m10.recall)}  ${pct(m10.ndcg)}\n`,
  );
}

function storyKey(storyId: number | null, leadItem: number): string {
  return storyId === null ? `item:${leadItem}` : `story:${storyId}`;
}

async function itemId(p: Pick): Promise<number | undefined> {
  let q = handle.db
    .selectFrom('items')
    .innerJoin('repos', 'repos.id', 'items.repo_id')
    .select('items.id')
    .where((eb) => eb(eb.fn('lower', ['repos.full_name']), '=', p.repo.toLowerCase()))
    .where('items.kind', '=', p.kind);
  if (p.kind === 'release') q = q.where('items.tag', '=', p.tag ?? '');
  else if (p.kind === 'kep') q = q.where(sql<string>`items.details->>'location'`, '=', kepLocation(p.path ?? ''));
  else q = q.where('items.number', '=', p.number ?? -1);
  return (await q.executeTakeFirst())?.id;
}
