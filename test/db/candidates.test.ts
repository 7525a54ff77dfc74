import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Item } from '../../src/domain/item.js';
import { listCandidates } from '../../src/editorial/candidates.js';
import { tune, writeLearnt } from '../../src/editorial/tune.js';
import { rescore } from '../../src/ingest/rescore.js';
import { silentLogger } from '../../src/lib/logger.js';
import { parseIsoWeek } from '../../src/lib/time.js';
import { recordDecision } from '../../src/store/decisions.js';
import { upsertItems } from '../../src/store/items.js';
import { syncRepos } from '../../src/store/repos.js';
import { runCli, writeConfig } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';
import { kepItem, pullItem, releaseItem } from '../tools/items.js';

const YAML = `scoring:
  carryOverWeeks: 2
projects:
  - name: Kubernetes
    conventions: kubernetes
    repos:
      - repo: kubernetes/kubernetes
        sources: [pulls, releases]
      - repo: kubernetes/enhancements
        sources: [keps]
  - name: containerd
    conventions: containerd
    repos:
      - repo: containerd/containerd
        sources: [pulls]
`;
const W25 = parseIsoWeek('2019-W25');
const at = (day: string) => new Date(`2019-06-${day}T12:00:00Z`);

describeEachDialect('candidate lists', (t) => {
  async function seed() {
    const config = loadConfig(writeConfig(YAML));
    const repos = await syncRepos(t().db, config.repos);
    const id = (name: string) => repos.get(name)?.id as number;
    const feature = pullItem('kubernetes/kubernetes', 101, {
      title: 'Add the Resize API to PodSpec',
      labels: ['kind/feature', 'kind/api-change'],
      occurredAt: at('18'),
      body: 'Part of KEP-1287',
      details: {
        ...(pullItem('x/y', 1).details as object),
        releaseNote: 'Adds a Resize field.',
        references: { issues: [], keps: [1287], external: [] },
      } as unknown as Item['details'],
    });
    const flake = pullItem('kubernetes/kubernetes', 102, {
      title: 'Fix flaky e2e test',
      labels: ['kind/flake'],
      occurredAt: at('19'),
    });
    const older = pullItem('kubernetes/kubernetes', 90, {
      title: 'Add kubectl debug',
      labels: ['kind/feature'],
      occurredAt: at('12'),
    });
    const ga = releaseItem('kubernetes/kubernetes', 'v1.15.0', at('19'));
    const containerd = pullItem('containerd/containerd', 3300, {
      title: 'Add ctr images tag subcommand',
      labels: [],
      occurredAt: at('20'),
    });
    await upsertItems(
      t().db,
      id('kubernetes/kubernetes'),
      [feature, flake, older, ga].map((item) => ({ item, events: [] })),
    );
    await upsertItems(t().db, id('kubernetes/enhancements'), [
      {
        item: kepItem(1287, 'In-place Update of Pod Resources', at('17')),
        events: [{ type: 'kep.stage', from: 'alpha', to: 'beta', commitSha: 'c1', occurredAt: at('17') }],
      },
    ]);
    await upsertItems(t().db, id('containerd/containerd'), [{ item: containerd, events: [] }]);
    await rescore({ db: t().db, config, logger: silentLogger() });
    const ids = Object.fromEntries((await t().db.selectFrom('items').select(['id', 'key']).execute()).map((r) => [r.key, r.id]));
    return { config, ids };
  }

  it('orders stories by score, keeps a story together, explains, and carries over last week decaying', async () => {
    const { config, ids } = await seed();
    const list = await listCandidates(t().db, config, { period: W25 });
    const keys = list.items.map((c) => (c.kind === 'release' ? c.tag : c.kind === 'kep' ? `KEP-${c.number}` : `#${c.number}`));
    // The KEP graduating to beta and its API pull request stand together, the stronger first.
    expect(Math.abs(keys.indexOf('#101') - keys.indexOf('KEP-1287'))).toBe(1);
    const kepItem = list.items.find((c) => c.kind === 'kep');
    expect(kepItem?.storyId).toBe(list.items.find((c) => c.number === 101)?.storyId);
    expect(kepItem?.reasons).toContainEqual({
      signal: 'kep:stage-beta',
      value: 'alpha -> beta',
      contribution: config.scoring.weights['kep:stage-beta'],
    });
    // Every score is the sum of its reasons.
    for (const c of list.items) expect(Math.round(c.reasons.reduce((n, r) => n + r.contribution, 0) * 100) / 100).toBe(c.score);
    // Chores at the bottom; last week's feature carried over with its decay.
    expect(keys.at(-1)).toBe('#102');
    const carried = list.items.find((c) => c.number === 90);
    expect(carried?.reasons).toContainEqual({
      signal: 'carry-over',
      value: '1 week earlier',
      contribution: config.scoring.weights['carry-over'],
    });
    expect(list.stories.map((s) => s.score)).toEqual([...list.stories.map((s) => s.score)].sort((a, b) => b - a));
    expect(ids['3300']).toBeDefined();
  });

  it('gives each project its own top N, and filters by kind and minimum score', async () => {
    const { config } = await seed();
    const perProject = await listCandidates(t().db, config, { period: W25, perProject: 1 });
    expect(perProject.stories.map((s) => s.project).sort()).toEqual(['Kubernetes', 'containerd']);
    const releases = await listCandidates(t().db, config, { period: W25, kinds: ['release'] });
    expect(releases.items.map((c) => c.tag)).toEqual(['v1.15.0']);
    const strong = await listCandidates(t().db, config, { period: W25, minScore: 5 });
    expect(strong.items.every((c) => (c.storyScore ?? 0) >= 5)).toBe(true);
    expect(strong.items.some((c) => c.number === 102)).toBe(false);
  });

  it('--json lists every candidate, so a busy project does not crowd out a quiet one; cuts only when asked', async () => {
    const { config } = await seed();
    const repos = await syncRepos(t().db, config.repos);
    // Sixty more Kubernetes features that week: far past the 50 items --json used to stop at.
    const verbs = ['Add', 'Support', 'Introduce', 'Enable', 'Implement', 'Allow'];
    const things = ['quota', 'affinity', 'taint', 'probe', 'volume', 'sidecar', 'ingress', 'webhook', 'eviction', 'topology'];
    const busy = Array.from({ length: 60 }, (_, i) =>
      pullItem('kubernetes/kubernetes', 1000 + i, {
        title: `${verbs[i % 6]} ${things[Math.floor(i / 6)]} ${['alpha', 'gates', 'metrics', 'limits', 'events', 'status'][i % 6]}`,
        labels: ['kind/feature', 'kind/api-change'],
        occurredAt: at('18'),
      }),
    );
    await upsertItems(
      t().db,
      repos.get('kubernetes/kubernetes')?.id as number,
      busy.map((item) => ({ item, events: [] })),
    );
    await rescore({ db: t().db, config, logger: silentLogger() });
    const cli = (...extra: string[]) =>
      runCli(['candidates', '--week', '2019-W25', '--json', ...extra], { database: t().handle, configFile: config.file });
    type Row = { id: number; project: string; story_id: number | null; number: number | null };
    const storiesOf = (rows: Row[], project: string) =>
      new Set(rows.filter((r) => r.project === project).map((r) => r.story_id ?? `item ${r.id}`)).size;

    const all = await cli();
    expect(all.code).toBe(0);
    const rows = JSON.parse(all.stdout) as Row[];
    expect(rows.some((r) => r.project === 'containerd' && r.number === 3300)).toBe(true);
    // Every candidate of the busy project too: no cut unless asked.
    expect(rows.filter((r) => r.project === 'Kubernetes' && (r.number ?? 0) >= 1000 && (r.number ?? 0) < 1060)).toHaveLength(60);

    const two = JSON.parse((await cli('--per-project', '2')).stdout) as Row[];
    expect(storiesOf(two, 'Kubernetes')).toBe(2);
    expect(storiesOf(two, 'containerd')).toBe(1);

    const five = JSON.parse((await cli('--limit', '5')).stdout) as Row[];
    expect(five).toHaveLength(5);
    expect(five.map((r) => r.id)).toEqual(rows.slice(0, 5).map((r) => r.id));
  });

  it('hides what editors decided or featured, until something new happens', async () => {
    const { config, ids } = await seed();
    const decision = { storyId: null, issueId: null, week: '2019-W25', editor: 'ed', reason: null, until: null, features: {} };
    await recordDecision(t().db, { ...decision, itemId: ids['102'] as number, action: 'dismiss' });
    let list = await listCandidates(t().db, config, { period: W25 });
    expect(list.items.some((c) => c.number === 102)).toBe(false);
    expect(
      (await listCandidates(t().db, config, { period: W25, includeDecided: true })).items.some((c) => c.number === 102),
    ).toBe(true);

    // Featured in a published issue: gone, then back as a follow-up when the KEP graduates again.
    const issue = await t()
      .db.insertInto('digest_issues')
      .values({
        volume: 1,
        title: 'Vol. 1',
        period_from: W25.from,
        period_to: W25.to,
        status: 'published',
        published_at: at('24'),
        created_by: 'ed',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t()
      .db.insertInto('issue_entries')
      .values({
        issue_id: issue.id,
        section: 'upstream/Kubernetes',
        position: 1,
        item_id: ids['KEP-1287'] as number,
        created_by: 'ed',
      })
      .execute();
    list = await listCandidates(t().db, config, { period: W25 });
    expect(list.items.some((c) => c.kind === 'kep')).toBe(false);
    const kepId = ids['KEP-1287'] as number;
    await t()
      .db.insertInto('item_events')
      .values({
        item_id: kepId,
        type: 'kep.stage',
        from_value: 'beta',
        to_value: 'stable',
        occurred_at: new Date('2019-06-26T00:00:00Z'),
        event_key: 'k2',
        details: '{}',
      })
      .execute();
    // As a poll does: the item's revision goes up with the event; its stored scores wait for the
    // scoring pass (the list says so), which the poll then runs.
    await t()
      .db.updateTable('items')
      .set((eb) => ({ revision: eb('revision', '+', 1) }))
      .where('id', '=', kepId)
      .execute();
    const waiting = await listCandidates(t().db, config, { period: parseIsoWeek('2019-W26') });
    expect(waiting.pendingScores).toBe(1);
    await rescore({ db: t().db, config, logger: silentLogger() });
    const next = await listCandidates(t().db, config, { period: parseIsoWeek('2019-W26') });
    expect(next.pendingScores).toBe(0);
    const followUp = next.items.find((c) => c.kind === 'kep');
    expect(followUp?.reasons).toContainEqual(expect.objectContaining({ signal: 'kep:stage-stable' }));
    expect(followUp?.reasons).toContainEqual(expect.objectContaining({ signal: 'follow-up' }));
  });

  it('rescoring twice changes nothing the second time, and needs no GitHub', async () => {
    const { config } = await seed();
    const again = await rescore({ db: t().db, config, logger: silentLogger() });
    expect(again).toMatchObject({ scoresChanged: 0, itemsRegrouped: 0 });
    const stored = await t()
      .db.selectFrom('items')
      .select(['key', 'score', 'score_reasons', 'story_id'])
      .where('key', '=', '101')
      .executeTakeFirstOrThrow();
    expect(stored.score).toBeGreaterThan(5);
    expect(stored.story_id).not.toBeNull();
  });

  it('tunes weights on editor decisions, and writes them only when asked', async () => {
    const { config, ids } = await seed();
    const list = await listCandidates(t().db, config, { period: W25 });
    const vector = (id: number) => Object.fromEntries((list.features.get(id) ?? []).map((f) => [f.signal, f.x]));
    const base = { storyId: null, issueId: null, week: '2019-W25', editor: 'ed', reason: null, until: null };
    await recordDecision(t().db, {
      ...base,
      itemId: ids['3300'] as number,
      action: 'promote',
      features: vector(ids['3300'] as number),
    });
    await recordDecision(t().db, {
      ...base,
      itemId: ids['102'] as number,
      action: 'dismiss',
      features: vector(ids['102'] as number),
    });
    const result = await tune(t().db, config);
    expect(result).not.toBeNull();
    // Decisions without an issue count in their ISO week.
    expect(result?.periods.learnt).toEqual(['2019-W25']);
    expect(result?.promoted).toBe(1);
    expect(result?.dismissed).toBe(1);
    // The containerd pull request is alone in its list: nothing to compare it with.
    expect(result?.learnt.decisions).toMatchObject({ promoted: 0, dismissed: 1, unused: 1, weeks: ['2019-W25'] });
    expect(result?.learnt.quality?.inSample.suggested.recall10).toBeGreaterThanOrEqual(0);
    const before = readFileSync(config.file, 'utf8');
    writeLearnt(config.file, { weights: { 'title:feature': 2.25 }, words: { resize: 0.5 }, through: result?.through as number });
    const after = readFileSync(config.file, 'utf8');
    expect(after).not.toBe(before);
    const written = loadConfig(config.file);
    expect(written.scoring.weights['title:feature']).toBe(2.25);
    expect(written.scoring.words).toEqual({ resize: 0.5 });
    expect(written.scoring.tunedThrough).toBe(result?.through);
    // A word learnt back to 0 leaves the config.
    writeLearnt(config.file, { weights: {}, words: {}, through: result?.through as number });
    expect(loadConfig(config.file).scoring.words).toEqual({});
    expect(after).toContain('    conventions: kubernetes');
  });
});
