import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load.js';
import { listCandidates } from '../../src/editorial/candidates.js';
import { createIssue, decide, type EditorialDeps, promote } from '../../src/editorial/issues.js';
import { learningWeeks, tune, withLearnt } from '../../src/editorial/tune.js';
import { rescore } from '../../src/ingest/rescore.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { parseIsoWeek } from '../../src/lib/time.js';
import { rankStories } from '../../src/scoring/tune.js';
import { upsertItems } from '../../src/store/items.js';
import { syncRepos } from '../../src/store/repos.js';
import { runCli, writeConfig } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';
import { pullItem } from '../tools/items.js';

/** A config with comments, which radar tune --write must keep. */
const CONFIG = `# How changes are scored: radar tune writes what it learns here.
scoring:
  weights: {}   # learnt weights go here
  carryOverWeeks: 1
projects:
  - name: Kubernetes   # the only project of these tests
    conventions: kubernetes
    repos:
      - repo: kubernetes/kubernetes
        sources: [pulls]
`;

const WEEKS = ['2019-W23', '2019-W24', '2019-W25', '2019-W26'];

/** Subjects, so that no two titles say the same thing (they would be one story). */
const SUBJECTS =
  'cache watch endpoint queue informer lease volume mount proxy route token secret quota limit probe image layer label event audit metric trace flag gate'.split(
    ' ',
  );
const subject = (k: number) => `${SUBJECTS[(2 * k) % 24]} ${SUBJECTS[(2 * k + 1) % 24]}`;

/**
 * Four weeks of the same mix: performance work (about latency, no label) and labelled features
 * of the scheduler, both scoring alike. Each item's number says its week (1..4) and kind
 * (1.. perf, 5.. feature).
 */
async function seed(db: EditorialDeps['db']) {
  const config = loadConfig(writeConfig(CONFIG));
  const repos = await syncRepos(db, config.repos);
  const repoId = repos.get('kubernetes/kubernetes')?.id as number;
  const items = WEEKS.flatMap((week, w) => {
    const monday = parseIsoWeek(week).from.getTime();
    const day = (n: number) => new Date(monday + n * 86_400_000 + 12 * 3_600_000);
    const perf = [1, 2, 3].map((n) =>
      pullItem('kubernetes/kubernetes', (w + 1) * 100 + n, {
        title: `Reduce latency of ${subject(w * 3 + n)}`,
        labels: [],
        body: '```release-note\nLower latency and memory use of watches.\n```',
        details: { ...pullItem('x/y', 1).details, releaseNote: 'Lower latency and memory use of watches.' } as never,
        occurredAt: day(n),
      }),
    );
    const features = [5, 6, 7].map((n) =>
      pullItem('kubernetes/kubernetes', (w + 1) * 100 + n, {
        title: `Scheduler gains ${subject(w * 3 + n - 4)} plugin`,
        labels: ['kind/feature'],
        occurredAt: day(n - 4),
      }),
    );
    return [...perf, ...features];
  });
  await upsertItems(
    db,
    repoId,
    items.map((item) => ({ item, events: [] })),
  );
  await rescore({ db, config, logger: silentLogger() });
  const rows = await db.selectFrom('items').select(['id', 'key']).execute();
  const ids = Object.fromEntries(rows.map((r) => [Number(r.key), r.id]));
  const deps: EditorialDeps = { db, config, clock: fixedClock('2019-07-01T09:00:00Z'), editor: 'alice' };
  return { config, ids, deps };
}

/** An issue per week; in each, the editor promotes the items numbered `picks` (1..7) of that week. */
async function decideWeeks(deps: EditorialDeps, ids: Record<number, number>, picks: (week: number) => number[]) {
  for (const [w, week] of WEEKS.entries()) {
    await createIssue(deps, { volume: w + 1, period: parseIsoWeek(week) });
    for (const n of picks(w)) await promote(deps, { itemId: ids[(w + 1) * 100 + n] as number, volume: w + 1, only: true });
  }
}

describeEachDialect('radar tune', (t) => {
  it('learns from promotions in their issue period, and ranks as the candidate list does', async () => {
    const { config, ids, deps } = await seed(t().db);
    await decideWeeks(deps, ids, () => [1, 2]);
    await decide(deps, { itemId: ids[105] as number, action: 'dismiss', week: '2019-W23' });

    const result = (await tune(t().db, config)) as NonNullable<Awaited<ReturnType<typeof tune>>>;

    expect(result.promoted).toBe(8);
    expect(result.dismissed).toBe(1);
    expect(result.learnt.decisions).toMatchObject({ promoted: 8, dismissed: 1, lists: 4 });
    expect(result.periods.learnt).toEqual([
      '2019-W23 (issue 1)',
      '2019-W24 (issue 2)',
      '2019-W25 (issue 3)',
      '2019-W26 (issue 4)',
    ]);
    expect(result.learnt.quality?.leaveOneWeekOut?.folds).toBe(4);
    // Performance work was promoted every week: its signals go up, the feature label's down.
    const by = (signal: string) => result.learnt.support.find((s) => s.signal === signal);
    expect(by('topic:performance')?.suggested).toBeGreaterThan(2);
    expect(by('label:feature')?.suggested).toBeLessThan(2.5);
    expect(by('topic:performance')?.promoted).toBe(8);

    // The pure ranking of a learning week is the candidate list's own order.
    const data = await learningWeeks(t().db, config, [
      { week: 'W25', period: parseIsoWeek('2019-W25'), promoted: [ids[301] as number] },
    ]);
    const list = await listCandidates(t().db, config, { period: parseIsoWeek('2019-W25'), includeDecided: true });
    const pure = rankStories(data.weeks[0]?.items ?? [], config.scoring.weights, {}).map((s) => s.items[0]?.id);
    expect(pure).toEqual(list.stories.map((s) => s.items[0]?.id));
  });

  it('leaves out of a week what an earlier week decided, never what a later one did', async () => {
    const { config, ids } = await seed(t().db);
    // W24's list carries W23's open items over: 101 was promoted in W23, 102 is promoted in W24.
    const { weeks } = await learningWeeks(t().db, config, [
      { week: 'W23', period: parseIsoWeek('2019-W23'), promoted: [ids[101] as number] },
      { week: 'W24', period: parseIsoWeek('2019-W24'), promoted: [ids[102] as number, ids[201] as number] },
    ]);

    const [w23, w24] = weeks;
    const idsOf = (week: typeof w23) => (week?.items ?? []).map((i) => i.id);
    expect(idsOf(w24)).not.toContain(ids[101]);
    expect(idsOf(w24)).toContain(ids[103]);
    expect(w24?.items.find((i) => i.id === ids[103])?.features['carry-over']).toBe(1);
    // In W23, 102 was there and not chosen: passed over, whatever happened to it later.
    expect(w23?.items.find((i) => i.id === ids[102])).toMatchObject({ promoted: false });
    expect(w23?.items.find((i) => i.id === ids[101])).toMatchObject({
      promoted: true,
      words: expect.arrayContaining(['latency']),
    });
  });

  it('--write refuses a suggestion that ranks the decided weeks worse (exit 65); --force writes it, comments kept', async () => {
    const { config, ids, deps } = await seed(t().db);
    // Editors who disagree week by week: performance work, then features, and so on.
    await decideWeeks(deps, ids, (w) => (w % 2 === 0 ? [1, 2] : [5, 6]));
    const before = readFileSync(config.file, 'utf8');
    const cli = (...argv: string[]) => runCli(['tune', ...argv], { database: t().handle, configFile: config.file });

    const refused = await cli('--lambda', '0.05', '--write');

    expect(refused.code).toBe(65);
    expect(refused.stderr).toMatch(
      /^radar tune: not written: the suggestion ranks the decided weeks worse: leave-one-week-out (nDCG|recall)@10 \d+\.\d% < \d+\.\d% with the current weights; radar tune --write --force writes it anyway\n$/,
    );
    expect(refused.stdout).toContain('learnt from 8 promoted and 0 dismissed items');
    expect(refused.stdout).toMatch(/leave-one-week-out \(4 folds\), suggested/);
    expect(readFileSync(config.file, 'utf8')).toBe(before);

    const forced = await cli('--lambda', '0.05', '--write', '--force');

    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(
      /wrote \d+ weights? to scoring\.weights .* \(forced: it ranks the decided weeks worse\); run radar rescore\n$/,
    );
    const after = readFileSync(config.file, 'utf8');
    expect(after).toContain('# How changes are scored: radar tune writes what it learns here.');
    expect(after).toContain('# learnt weights go here');
    expect(after).toMatch(/- name: Kubernetes +# the only project of these tests\n/);
    const written = loadConfig(config.file);
    expect(written.scoring.tunedThrough).toBeGreaterThan(0);
    expect(written.scoring.weights['topic:performance']).not.toBe(2);

    // What it learnt from is not learnt from twice.
    const again = await runCli(['tune', '--write'], { database: t().handle, configFile: config.file });
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toMatch(/^no decision since the last tune \(through decision \d+\): nothing new to learn from/);
  });

  it('writes a suggestion that ranks no worse, with its words, and the list then scores with them', async () => {
    const { config, ids, deps } = await seed(t().db);
    await decideWeeks(deps, ids, () => [1, 2, 3]);

    const shown = await runCli(['tune'], { database: t().handle, configFile: config.file });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/\ntopic:performance +2\.00 +2\.\d\d +0\.\d\d +12 \/ \d+ +about performance or scalability/);
    expect(shown.stdout).toMatch(
      /\nword:latency +0\.00 +0\.\d\d +0\.\d\d +12 \/ 0 +the word "latency" in the title, release note or start of the body/,
    );
    expect(shown.stdout).toMatch(/\nwould write: the suggestion ranks the decided weeks no worse/);

    const written = await runCli(['tune', '--write'], { database: t().handle, configFile: config.file });
    expect(written.code).toBe(0);
    const learnt = loadConfig(config.file);
    expect(learnt.scoring.words.latency).toBeGreaterThan(0);

    // The list reads stored scores: until the scoring pass runs with the new weights (as tune
    // says to), it says how many items wait for it.
    const before = await listCandidates(t().db, learnt, { period: parseIsoWeek('2019-W26'), includeDecided: true });
    expect(before.pendingScores).toBeGreaterThan(0);
    expect(before.items.find((c) => c.id === ids[401])?.reasons.some((r) => r.signal === 'word:latency')).toBe(false);
    expect((await runCli(['rescore'], { database: t().handle, configFile: config.file })).code).toBe(0);
    const list = await listCandidates(t().db, learnt, { period: parseIsoWeek('2019-W26'), includeDecided: true });
    expect(list.pendingScores).toBe(0);
    const perf = list.items.find((c) => c.id === ids[401]);
    expect(perf?.reasons).toContainEqual({
      signal: 'word:latency',
      value: 'latency',
      contribution: learnt.scoring.words.latency,
    });
    expect(withLearnt(config as Config, learnt.scoring.weights, learnt.scoring.words).scoring.words).toEqual(
      learnt.scoring.words,
    );
  });

  it('says when there is nothing to learn from, and names a bad flag', async () => {
    const { config } = await seed(t().db);
    const cli = (...argv: string[]) => runCli(['tune', ...argv], { database: t().handle, configFile: config.file });

    expect(await cli()).toMatchObject({
      code: 0,
      stdout: 'no promote or dismiss decisions yet: nothing to learn from (radar promote, radar dismiss)\n',
    });
    expect(await cli('--lambda', 'zero')).toMatchObject({ code: 64, stderr: '--lambda: "zero" is not a positive number\n' });
    expect(await cli('--force')).toMatchObject({ code: 64, stderr: '--force goes with --write (radar tune --write --force)\n' });
  });
});
