import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { IssueDetails, Item, ItemEvent } from '../../src/domain/item.js';
import { type CandidateList, type CandidateOptions, listCandidates } from '../../src/editorial/candidates.js';
import { rescore } from '../../src/ingest/rescore.js';
import { silentLogger } from '../../src/lib/logger.js';
import { isoWeekOf, parseIsoWeek, WEEK_MS } from '../../src/lib/time.js';
import { recordDecision } from '../../src/store/decisions.js';
import { upsertItems } from '../../src/store/items.js';
import { syncRepos } from '../../src/store/repos.js';
import { writeConfig } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';
import { kepItem, pullItem, releaseItem } from '../tools/items.js';

/**
 * The week's list read from stored week scores must be the list computed from the items: same
 * items, order, scores, reasons and stories, for every week, with decisions, a published issue
 * and items a poll stored whose scoring pass has not run.
 */
const YAML = `scoring:
  carryOverWeeks: 3
projects:
  - name: Kubernetes
    conventions: kubernetes
    repos:
      - repo: kubernetes/kubernetes
        sources: [pulls, releases]
      - repo: kubernetes/enhancements
        sources: [keps, issues]
  - name: containerd
    conventions: containerd
    repos:
      - repo: containerd/containerd
        sources: [pulls, releases]
`;

const START = Date.parse('2019-05-06T00:00:00Z'); // Monday of 2019-W19
const day = (n: number, hour = 12) => new Date(START + n * 86_400_000 + hour * 3_600_000);

/** A deterministic sequence in [0, 1), so the data set is the same on every run. */
function sequence(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function designIssue(
  repo: string,
  number: number,
  title: string,
  occurredAt: Date,
  closedAt: Date | null,
  tracking = false,
): Item {
  const details: IssueDetails = {
    type: 'issue',
    comments: 12,
    reactions: 4,
    signals: ['label:kind/design'],
    references: { issues: [], keps: [], external: [] },
    closedAt: closedAt?.toISOString() ?? null,
    tracking: tracking ? { stage: 'stage/beta', tracked: 'tracked/yes', sigs: ['sig-node'] } : null,
  };
  return {
    ...pullItem(repo, number),
    kind: 'issue',
    title,
    url: `https://github.com/${repo}/issues/${number}`,
    state: closedAt ? 'closed' : 'open',
    labels: tracking ? ['stage/beta', 'sig/node'] : ['kind/design'],
    occurredAt,
    sourceUpdatedAt: closedAt ?? occurredAt,
    details,
  };
}

describeEachDialect('the week list from stored scores', (t) => {
  async function seed() {
    const config = loadConfig(writeConfig(YAML));
    const repos = await syncRepos(t().db, config.repos);
    const id = (name: string) => repos.get(name)?.id as number;
    const random = sequence(7);
    const words = ['scheduler', 'kubelet', 'PodSpec', 'CSI', 'flaky', 'e2e', 'API', 'latency', 'docs', 'typo'];
    const labels = [['kind/feature'], ['kind/bug'], ['kind/api-change', 'kind/feature'], ['kind/flake'], ['kind/cleanup'], []];
    const kubernetes: Array<{ item: Item; events: ItemEvent[] }> = [];
    const containerd: Array<{ item: Item; events: ItemEvent[] }> = [];
    for (let n = 0; n < 70; n += 1) {
      const when = day(Math.floor(random() * 56), Math.floor(random() * 24));
      const title = `${words[Math.floor(random() * words.length)]} ${words[Math.floor(random() * words.length)]} change ${n % 23}`;
      const pull = pullItem(n % 4 === 0 ? 'containerd/containerd' : 'kubernetes/kubernetes', 1000 + n, {
        title,
        labels: labels[Math.floor(random() * labels.length)] as string[],
        occurredAt: when,
        sourceUpdatedAt: when,
        body: n % 7 === 0 ? `Part of KEP-${2000 + (n % 3)}` : null,
        details: {
          ...(pullItem('x/y', 1).details as object),
          mergedAt: when.toISOString(),
          releaseNote: n % 3 === 0 ? `Adds ${title}.` : null,
          references: { issues: [], keps: n % 7 === 0 ? [2000 + (n % 3)] : [], external: [] },
        } as unknown as Item['details'],
      });
      const entry = { item: pull, events: [{ type: 'pull.merged', from: null, to: null, commitSha: null, occurredAt: when }] };
      (n % 4 === 0 ? containerd : kubernetes).push(entry);
    }
    kubernetes.push(
      { item: releaseItem('kubernetes/kubernetes', 'v1.15.0-beta.1', day(3)), events: [] },
      { item: releaseItem('kubernetes/kubernetes', 'v1.15.0-rc.1', day(24)), events: [] },
      { item: releaseItem('kubernetes/kubernetes', 'v1.15.0', day(38)), events: [] },
      { item: releaseItem('kubernetes/kubernetes', 'v1.14.3', day(39)), events: [] },
    );
    containerd.push({ item: releaseItem('containerd/containerd', 'v1.3.0-beta.0', day(30)), events: [] });
    // KEPs that move in several weeks: each week they moved in lists them, scored for that week.
    const enhancements: Array<{ item: Item; events: ItemEvent[] }> = [0, 1, 2].map((k) => {
      const transitions = [day(2 + k * 3), day(17 + k * 5), day(40 + k * 4)];
      return {
        item: kepItem(
          2000 + k,
          `Pod resources update ${k}`,
          transitions[2] as Date,
          { participatingSigs: ['sig-api-machinery'], featureGates: [`Gate${2000 + k}`] },
          { body: `# Pod resources update ${k}\n\n## Summary\n\nAdds a new API field to PodSpec.\n` },
        ),
        events: [
          { type: 'kep.created', from: null, to: 'provisional', commitSha: 'a', occurredAt: transitions[0] as Date },
          { type: 'kep.status', from: 'provisional', to: 'implementable', commitSha: 'b', occurredAt: transitions[1] as Date },
          { type: 'kep.revised', from: null, to: null, commitSha: 'c', occurredAt: day(45 + k) },
          { type: 'kep.stage', from: 'alpha', to: 'beta', commitSha: 'd', occurredAt: transitions[2] as Date },
        ],
      };
    });
    enhancements.push(
      {
        item: designIssue('kubernetes/enhancements', 2001, 'Pod resources update 1', day(5), null, true),
        events: [{ type: 'tracking.stage', from: 'stage/alpha', to: 'stage/beta', commitSha: null, occurredAt: day(33) }],
      },
      {
        // Proposed in week 1, closed (decided) four weeks later: it carries over, then is news again.
        item: designIssue('kubernetes/enhancements', 3001, 'Proposal: sidecar containers', day(8), day(36)),
        events: [{ type: 'issue.closed', from: 'open', to: 'closed', commitSha: null, occurredAt: day(36) }],
      },
    );
    await upsertItems(t().db, id('kubernetes/kubernetes'), kubernetes);
    await upsertItems(t().db, id('containerd/containerd'), containerd);
    await upsertItems(t().db, id('kubernetes/enhancements'), enhancements);
    await rescore({ db: t().db, config, logger: silentLogger() });
    return { config, id };
  }

  const weeks = Array.from({ length: 12 }, (_, i) => isoWeekOf(new Date(START + i * WEEK_MS)));

  async function both(config: ReturnType<typeof loadConfig>, options: Omit<CandidateOptions, 'scores'>) {
    const stored = await listCandidates(t().db, config, { ...options, scores: 'stored' });
    const computed = await listCandidates(t().db, config, { ...options, scores: 'computed' });
    return { stored: shape(stored), computed: shape(computed), raw: stored };
  }

  it('is the computed list, week by week, with decisions and a published issue', async () => {
    const { config } = await seed();
    let listed = 0;
    for (const week of weeks) {
      const { stored, computed } = await both(config, { period: parseIsoWeek(week), includeDecided: true });
      expect(stored, week).toEqual(computed);
      listed += stored.items.length;
    }
    expect(listed).toBeGreaterThan(150); // carry-over lists most items in several weeks

    // A carried-over item says so; a KEP is listed in each week it moved in.
    const w23 = (await both(config, { period: parseIsoWeek('2019-W23') })).raw;
    expect(w23.items.some((c) => c.reasons.some((r) => r.signal === 'carry-over'))).toBe(true);
    for (const week of ['2019-W19', '2019-W22', '2019-W25']) {
      const list = (await both(config, { period: parseIsoWeek(week), carryOverWeeks: 0 })).raw;
      expect(
        list.items.some((c) => c.kind === 'kep'),
        week,
      ).toBe(true);
    }

    const items = await t().db.selectFrom('items').select(['id', 'key']).execute();
    const idOf = (key: string) => items.find((i) => i.key === key)?.id as number;
    const decision = { storyId: null, issueId: null, week: '2019-W22', editor: 'ed', reason: null, until: null, features: {} };
    await recordDecision(t().db, { ...decision, itemId: idOf('1001'), action: 'dismiss' });
    await recordDecision(t().db, {
      ...decision,
      itemId: idOf('1002'),
      action: 'snooze',
      until: new Date('2019-06-10T00:00:00Z'),
    });
    const issue = await t()
      .db.insertInto('digest_issues')
      .values({
        volume: 1,
        title: 'Vol. 1',
        period_from: parseIsoWeek('2019-W21').from,
        period_to: parseIsoWeek('2019-W21').to,
        status: 'published',
        published_at: new Date('2019-05-27T09:00:00Z'),
        created_by: 'ed',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t()
      .db.insertInto('issue_entries')
      .values({ issue_id: issue.id, section: 'upstream/Kubernetes', position: 1, item_id: idOf('KEP-2001'), created_by: 'ed' })
      .execute();
    for (const week of weeks)
      for (const options of [{}, { perProject: 2 }, { limit: 5 }, { project: 'containerd' }, { kinds: ['kep' as const] }]) {
        const { stored, computed } = await both(config, { period: parseIsoWeek(week), ...options });
        expect(stored, `${week} ${JSON.stringify(options)}`).toEqual(computed);
      }
    const w25 = (await both(config, { period: parseIsoWeek('2019-W25') })).raw;
    expect(w25.items.find((c) => c.id === idOf('KEP-2001'))?.reasons).toContainEqual(
      expect.objectContaining({ signal: 'follow-up' }),
    );
  });

  it('scores in the request what a poll stored before its scoring pass ran', async () => {
    const { config, id } = await seed();
    const when = day(30);
    await upsertItems(t().db, id('kubernetes/kubernetes'), [
      {
        item: pullItem('kubernetes/kubernetes', 5000, {
          title: 'Add the scheduler framework API',
          labels: ['kind/api-change', 'kind/feature'],
          occurredAt: when,
          sourceUpdatedAt: when,
        }),
        events: [],
      },
    ]);
    const week = parseIsoWeek(isoWeekOf(when));
    const { stored, computed, raw } = await both(config, { period: week });
    expect(stored).toEqual(computed);
    expect(raw.items.some((c) => c.number === 5000)).toBe(true);
    expect(raw.pendingScores).toBe(1);
  });

  it('keeps the stored lists when nothing changed, and a limit cuts the stories too', async () => {
    const { config } = await seed();
    const before = await Promise.all(weeks.map((w) => listCandidates(t().db, config, { period: parseIsoWeek(w) })));
    const again = await rescore({ db: t().db, config, logger: silentLogger() });
    expect(again.items).toBe(0);
    const after = await Promise.all(weeks.map((w) => listCandidates(t().db, config, { period: parseIsoWeek(w) })));
    expect(after.map(shape)).toEqual(before.map(shape));
    const cut = await listCandidates(t().db, config, { period: parseIsoWeek('2019-W24'), limit: 3 });
    expect(cut.items).toHaveLength(3);
    expect(cut.stories.flatMap((s) => s.items.map((i) => i.id))).toEqual(cut.items.map((i) => i.id));
  });

  it('ranks a week once for the requests that ask for it at once, and keeps only rankings of the current state', async () => {
    const { config } = await seed();
    const period = parseIsoWeek('2019-W24');
    const first = await listCandidates(t().db, config, { period });
    // A decision: every client asks for the list again at once; they share one ranking and page.
    await recordDecision(t().db, {
      itemId: first.items[0]?.id as number,
      action: 'dismiss',
      storyId: null,
      issueId: null,
      week: '2019-W24',
      editor: 'ed',
      reason: null,
      until: null,
      features: {},
    });
    const lists = await Promise.all(Array.from({ length: 6 }, () => listCandidates(t().db, config, { period })));
    for (const list of lists) expect(list.stories).toBe(lists[0]?.stories);
    expect(lists[0]?.version).not.toBe(first.version);
    expect(lists[0]?.items.map((i) => i.id)).not.toContain(first.items[0]?.id);
    // Asked again later: the kept ranking, not the one made before the decision.
    const again = await listCandidates(t().db, config, { period });
    expect(again.stories).toBe(lists[0]?.stories);
  });
});

/** What a reader sees of a list (the order, scores, reasons, stories), comparable with toEqual. */
function shape(list: CandidateList) {
  return {
    items: list.items.map((c) => ({ id: c.id, score: c.score, storyScore: c.storyScore, reasons: c.reasons })),
    stories: list.stories.map((s) => ({ ...s, items: s.items.map((i) => i.id) })),
  };
}
