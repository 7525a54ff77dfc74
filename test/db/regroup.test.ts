import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { IssueDetails, Item } from '../../src/domain/item.js';
import { toStoryItem } from '../../src/ingest/regroup.js';
import { rescore } from '../../src/ingest/rescore.js';
import { silentLogger } from '../../src/lib/logger.js';
import { groupStories } from '../../src/scoring/stories.js';
import { upsertItems } from '../../src/store/items.js';
import { syncRepos } from '../../src/store/repos.js';
import { loadItemsForGrouping } from '../../src/store/scoring.js';
import { writeConfig } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';
import { kepItem, pullItem, releaseItem } from '../tools/items.js';
import { seededRandom } from '../tools/radar-process.js';

const yaml = `projects:
  - name: Kubernetes
    conventions: kubernetes
    repos:
      - repo: kubernetes/kubernetes
        sources: [pulls, releases]
      - repo: kubernetes/enhancements
        sources: [keps, pulls, issues]
  - name: containerd
    conventions: containerd
    repos:
      - repo: containerd/containerd
        sources: [pulls, releases]
`;

/** Draws from a seeded generator: the same sequence on every run. */
function random(seed: number) {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  return { int, pick: <T>(list: readonly T[]) => list[int(list.length)] as T };
}

const WORDS = [
  'scheduler',
  'framework',
  'volume',
  'snapshot',
  'kubelet',
  'device',
  'plugin',
  'topology',
  'ephemeral',
  'routing',
  'quota',
  'sandbox',
  'runtime',
  'cgroup',
  'ingress',
  'endpoint',
  'webhook',
  'admission',
  'storage',
  'metrics',
];
const GATES = ['PodPriority', 'VolumeSnapshot', 'EphemeralContainers'];
const DAY = 86_400_000;
const START = Date.parse('2019-01-01T00:00:00Z');

/**
 * A store that changes step by step the way polls change it (new pull requests, edited titles and
 * descriptions, KEPs renamed or moved, releases), with titles from a small vocabulary so that every
 * rule of story grouping links something: references, KEP numbers and places, KEP phrases,
 * feature gates, cherry-picks and backports, similar titles, release days and prepare PRs.
 */
function world(seed: number) {
  const r = random(seed);
  const title = () =>
    Array.from({ length: 3 + r.int(3) }, () => r.pick(WORDS))
      .join(' ')
      .replace(/^./, (c) => c.toUpperCase());
  const at = () => new Date(START + r.int(240) * DAY + r.int(DAY));
  const pulls = new Map<string, Item>();
  const keps = new Map<number, Item>();
  const releases = new Map<string, Item>();
  let number = 1000;

  function newPull(repo: string): Item {
    const n = ++number;
    const earlier = [...pulls.values()].filter((p) => p.repo === repo);
    const original = earlier.length > 0 ? r.pick(earlier) : null;
    let itemTitle = title();
    let baseRef = 'master';
    const style = r.int(10);
    if (original && style === 0) itemTitle = `Automated cherry pick of #${original.number}: ${original.title}`;
    else if (original && style === 1) itemTitle = `[release-1.14] ${original.title}`;
    else if (original && style === 2) baseRef = 'release-1.15';
    if (original && style === 2) itemTitle = original.title;
    if (style === 3) itemTitle = `Prepare v1.2.${r.int(4)} release`;
    const kep = keps.size > 0 && r.int(4) === 0 ? r.pick([...keps.values()]) : null;
    if (kep && r.int(2) === 0) itemTitle = `${itemTitle} for the ${kep.title.toLowerCase()}`;
    const body = original && r.int(3) === 0 ? `Fixes #${original.number}` : null;
    const releaseNote =
      r.int(4) === 0 ? `The ${r.pick(GATES)} feature gate is on by default` : r.int(5) === 0 ? r.pick(GATES) : null;
    const files =
      repo === 'kubernetes/enhancements' && kep
        ? [{ path: `${(kep.details as { location: string }).location}/README.md`, additions: 1, deletions: 0 }]
        : null;
    const item = pullItem(repo, n, {
      title: itemTitle,
      body,
      occurredAt: at(),
      labels: r.int(2) === 0 ? ['sig/node'] : ['sig/storage'],
    });
    Object.assign(item.details, {
      baseRef,
      releaseNote,
      files,
      references: {
        issues: [],
        keps: kep && r.int(2) === 0 ? [(kep.details as { kepNumber: number }).kepNumber] : [],
        external: [],
      },
    });
    pulls.set(`${repo}#${n}`, item);
    return item;
  }

  function newKep(): Item {
    const n = 100 + keps.size;
    const gates = r.int(2) === 0 ? [r.pick(GATES)] : [];
    const item = kepItem(
      n,
      `${r.pick(WORDS)} ${r.pick(WORDS)} ${r.pick(WORDS)}`.replace(/^./, (c) => c.toUpperCase()),
      at(),
      {
        featureGates: gates,
        owningSig: r.pick(['sig-node', 'sig-storage']),
      },
    );
    keps.set(n, item);
    return item;
  }

  function newRelease(repo: string): Item {
    const day = START + r.int(240) * DAY;
    const tag = `v1.${r.int(3)}.${r.int(6)}${r.int(4) === 0 ? '-rc.1' : ''}`;
    const item = releaseItem(repo, tag, new Date(day + r.int(4) * 3_600_000));
    releases.set(`${repo}@${tag}`, item);
    return item;
  }

  /** An edit a poll would store: a new title, a reference added, a KEP renamed. */
  function edit(): Item {
    const kind = r.int(3);
    if (kind === 0 && keps.size > 0) {
      const kep = r.pick([...keps.values()]);
      const renamed = { ...kep, title: title(), sourceUpdatedAt: new Date(kep.sourceUpdatedAt.getTime() + DAY) };
      keps.set(kep.number as number, renamed);
      return renamed;
    }
    const pull = r.pick([...pulls.values()]);
    const target = r.pick([...pulls.values()]);
    const changed = {
      ...pull,
      title: r.int(2) === 0 ? title() : pull.title,
      body: r.int(2) === 0 ? `Part of #${target.number}` : null,
      sourceUpdatedAt: new Date(pull.sourceUpdatedAt.getTime() + DAY),
    };
    pulls.set(`${pull.repo}#${pull.number}`, changed);
    return changed;
  }

  function step(size: number, edits: number): Item[] {
    const out: Item[] = [];
    for (let i = 0; i < size; i++) {
      const which = r.int(12);
      if (which === 0) out.push(newKep());
      else if (which === 1) out.push(newRelease(r.pick(['kubernetes/kubernetes', 'containerd/containerd'])));
      else
        out.push(
          newPull(r.pick(['kubernetes/kubernetes', 'kubernetes/kubernetes', 'containerd/containerd', 'kubernetes/enhancements'])),
        );
    }
    if (pulls.size > 0) for (let i = 0; i < edits; i++) out.push(edit());
    return out;
  }
  return { step };
}

describeEachDialect('story grouping after a poll', (t) => {
  async function store(items: Item[], ids: Map<string, { id: number }>) {
    const byRepo = new Map<string, Item[]>();
    // The last version of an item in a step wins, as in one poll.
    const latest = new Map(items.map((item) => [`${item.repo}|${item.kind}|${item.key}`, item]));
    for (const item of latest.values()) byRepo.set(item.repo, [...(byRepo.get(item.repo) ?? []), item]);
    for (const [repo, list] of byRepo)
      await upsertItems(
        t().db,
        ids.get(repo)?.id as number,
        list.map((item) => ({ item, events: [] })),
      );
  }

  /** The stories as stored, against groupStories over every stored item (what a whole regrouping gives). */
  async function expectStoriesOfWholeRegrouping() {
    const items = await loadItemsForGrouping(t().db);
    const expected = groupStories(items.map(toStoryItem))
      .map((group) => ({ key: group.key, lead: group.lead, members: group.members }))
      .sort((a, b) => a.lead - b.lead);
    const rows = await sql<{ story_id: number; key: string; lead_item_id: number; id: number }>`
      select s.id as story_id, s.key, s.lead_item_id, i.id from items i join stories s on s.id = i.story_id order by i.id`.execute(
      t().db,
    );
    const stored = new Map<number, { key: string; lead: number; members: number[] }>();
    for (const row of rows.rows) {
      const story = stored.get(row.story_id) ?? { key: row.key, lead: row.lead_item_id, members: [] };
      story.members.push(row.id);
      stored.set(row.story_id, story);
    }
    expect(rows.rows.length).toBe(items.length);
    expect([...stored.values()].sort((a, b) => a.lead - b.lead)).toEqual(expected);
    const count = await t()
      .db.selectFrom('stories')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(expected.length);
  }

  it('regroups what changed into the stories a whole regrouping gives', async () => {
    const config = loadConfig(writeConfig(yaml));
    const ids = await syncRepos(t().db, config.repos);
    const w = world(7);
    await store(w.step(300, 0), ids);
    const first = await rescore({ db: t().db, config, logger: silentLogger() });
    expect(first.groupedAll).toBe(true);
    await expectStoriesOfWholeRegrouping();
    let partial = 0;
    for (let i = 0; i < 10; i++) {
      await store(w.step(12, 6), ids);
      const result = await rescore({ db: t().db, config, logger: silentLogger() });
      if (!result.groupedAll) partial += 1;
      expect(result.grouped).toBeLessThan(await countItems());
      await expectStoriesOfWholeRegrouping();
    }
    expect(partial).toBe(10);
  });

  it('regroups every item when link keys are missing or were computed by other rules', async () => {
    const config = loadConfig(writeConfig(yaml));
    const ids = await syncRepos(t().db, config.repos);
    const w = world(11);
    await store(w.step(40, 0), ids);
    expect((await rescore({ db: t().db, config, logger: silentLogger() })).groupedAll).toBe(true);
    await store(w.step(4, 2), ids);
    expect((await rescore({ db: t().db, config, logger: silentLogger() })).groupedAll).toBe(false);

    // Keys of another grouping revision (an upgrade that changed the rules): all again.
    await t().db.updateTable('scoring_state').set({ grouping_revision: 0 }).execute();
    await store(w.step(4, 2), ids);
    expect((await rescore({ db: t().db, config, logger: silentLogger() })).groupedAll).toBe(true);
    // An item without keys (stored by an older radar): all again.
    await sql`update items set link_keys = null where id = (select min(id) from items)`.execute(t().db);
    await store(w.step(4, 2), ids);
    expect((await rescore({ db: t().db, config, logger: silentLogger() })).groupedAll).toBe(true);
    await expectStoriesOfWholeRegrouping();
    // `radar rescore` regroups everything.
    expect((await rescore({ db: t().db, config, logger: silentLogger() }, { all: true })).groupedAll).toBe(true);
  });

  it('regroups an item whose content did not change with its story, not with the store', async () => {
    const config = loadConfig(writeConfig(yaml));
    const ids = await syncRepos(t().db, config.repos);
    const w = world(3);
    const day = new Date('2019-03-05T10:00:00Z');
    await store(
      [
        ...w.step(300, 0),
        releaseItem('containerd/containerd', 'v1.1.9', day),
        releaseItem('containerd/containerd', 'v1.2.9', new Date(day.getTime() + 3_600_000)),
      ],
      ids,
    );
    await rescore({ db: t().db, config, logger: silentLogger() });
    // A new revision with the same content (a comment, a review): only its story is regrouped,
    // here a release's story of releases only, which no key needs completing.
    const story = await sql<{ id: number; members: string }>`
      select min(i.id) as id, count(*) as members from items i group by i.story_id
      having bool_and(i.kind = 'release') order by count(*) desc, min(i.id) limit 1`.execute(t().db);
    const row = story.rows[0] as { id: number; members: string };
    await sql`update items set revision = revision + 1 where id = ${row.id}`.execute(t().db);
    const result = await rescore({ db: t().db, config, logger: silentLogger() });
    // Its repo's other releases are scored again too (the first pre-release of a minor may change).
    const releases = await t()
      .db.selectFrom('items')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('kind', '=', 'release')
      .where('repo_id', '=', (eb) => eb.selectFrom('items').select('repo_id').where('id', '=', row.id))
      .executeTakeFirstOrThrow();
    expect(result).toMatchObject({ items: Number(releases.n), groupedAll: false });
    expect(Number(row.members)).toBeGreaterThan(1);
    expect(result.grouped).toBeLessThan((await countItems()) / 4);
    await expectStoriesOfWholeRegrouping();
  });

  /** A pull request of `repo` with a title, a day of 2019, and what else it says. */
  const pr = (
    repo: string,
    n: number,
    title: string,
    day: number,
    more: { body?: string; releaseNote?: string; labels?: string[]; keps?: number[]; files?: string[] } = {},
  ) => {
    const item = pullItem(repo, n, {
      title,
      body: more.body ?? null,
      occurredAt: new Date(START + day * DAY),
      labels: more.labels ?? [],
    });
    Object.assign(item.details, {
      releaseNote: more.releaseNote ?? null,
      references: { issues: [], keps: more.keps ?? [], external: [] },
      files: more.files?.map((path) => ({ path, additions: 1, deletions: 0 })) ?? null,
    });
    return item;
  };
  const kep = (n: number, title: string, day: number, details: Parameters<typeof kepItem>[3] = {}) =>
    kepItem(n, title, new Date(START + day * DAY), { owningSig: 'sig-storage', ...details });
  /** An enhancement tracking issue of kubernetes/enhancements. */
  const trackingIssue = (n: number, title: string, day: number): Item => {
    const details: IssueDetails = {
      type: 'issue',
      comments: 3,
      reactions: 0,
      signals: ['tracking'],
      references: { issues: [], keps: [], external: [] },
      closedAt: null,
      tracking: { stage: 'stage/beta', tracked: 'tracked/yes', sigs: ['sig-storage'] },
    };
    return {
      ...pullItem('kubernetes/enhancements', n, { title, occurredAt: new Date(START + day * DAY), labels: ['sig/storage'] }),
      kind: 'issue',
      url: `https://github.com/kubernetes/enhancements/issues/${n}`,
      state: 'open',
      details,
    };
  };
  const K = 'kubernetes/kubernetes';
  // The first day of a 28-day bucket of similar titles (buckets count from the epoch).
  const bucketStart = Math.ceil(START / (28 * DAY)) * 28 - START / DAY;

  /**
   * One rule at a time: the store holds `base`, a pass groups it; a poll adds `added`; the
   * pass after it regroups only what changed. Each scenario needs one kind of link key (its
   * name); `linked` and `apart` say what the whole regrouping gives, so that a scenario whose
   * items would not be linked anyway cannot pass for nothing.
   */
  const scenarios: Array<{ name: string; base: Item[]; added: Item[]; linked?: [string, string]; apart?: [string, string] }> = [
    {
      name: "a pull request that names an older KEP's title (kp)",
      base: [kep(301, 'Topology aware volume routing', 10)],
      added: [pr(K, 5001, 'Add metrics for topology aware volume routing', 40, { labels: ['sig/storage'] })],
      linked: ['KEP-301', '5001'],
    },
    {
      name: 'a KEP whose title an older pull request names (p2)',
      base: [pr(K, 5001, 'Add metrics for topology aware volume routing', 10, { labels: ['sig/storage'] })],
      added: [kep(301, 'Topology aware volume routing', 40)],
      linked: ['KEP-301', '5001'],
    },
    {
      name: 'a KEP that declares a gate an older pull request has as a word (w)',
      base: [pr(K, 5001, 'Quota sandbox metrics', 10, { releaseNote: 'Turns on SandboxQuota' })],
      added: [kep(301, 'Runtime cgroup endpoint', 40, { featureGates: ['SandboxQuota'] })],
      linked: ['KEP-301', '5001'],
    },
    {
      name: "a pull request with an older KEP's gate as a word (g)",
      base: [kep(301, 'Runtime cgroup endpoint', 10, { featureGates: ['SandboxQuota'] })],
      added: [pr(K, 5001, 'Quota sandbox metrics', 40, { releaseNote: 'Turns on SandboxQuota' })],
      linked: ['KEP-301', '5001'],
    },
    {
      name: 'a similar title in the next 28-day bucket (sp)',
      base: [pr(K, 5001, 'Sandbox runtime cgroup quota', bucketStart - 1)],
      added: [pr(K, 5002, 'Sandbox runtime cgroup quota metrics', bucketStart + 1)],
      linked: ['5001', '5002'],
    },
    {
      name: 'a pull request that an older one refers to (n)',
      base: [pr(K, 5001, 'Quota sandbox metrics', 10, { body: 'Fixes #5002' })],
      added: [pr(K, 5002, 'Runtime cgroup endpoint', 40)],
      linked: ['5001', '5002'],
    },
    {
      name: 'a KEP that an older pull request implements (k)',
      base: [pr(K, 5001, 'Quota sandbox metrics', 10, { keps: [301] })],
      added: [kep(301, 'Runtime cgroup endpoint', 40)],
      linked: ['KEP-301', '5001'],
    },
    {
      name: 'a KEP whose document an older pull request changed (kl)',
      base: [pr('kubernetes/enhancements', 5001, 'Quota sandbox metrics', 10, { files: ['keps/sig-node/301-x/README.md'] })],
      added: [kep(301, 'Runtime cgroup endpoint', 40)],
      linked: ['KEP-301', '5001'],
    },
    {
      name: 'a KEP with the title of an older tracking issue (kt)',
      base: [trackingIssue(77, 'Topology aware volume routing', 10)],
      added: [kep(301, 'Topology aware volume routing', 40)],
      linked: ['KEP-301', '77'],
    },
    {
      name: 'a release an older pull request prepared (rv)',
      base: [pr('containerd/containerd', 5001, 'Prepare v1.2.7 release', 10)],
      added: [releaseItem('containerd/containerd', 'v1.2.7', new Date(START + 11 * DAY))],
      linked: ['v1.2.7', '5001'],
    },
    {
      name: 'a patch release on the day of another (rd)',
      base: [releaseItem('containerd/containerd', 'v1.1.3', new Date(START + 11 * DAY))],
      added: [releaseItem('containerd/containerd', 'v1.2.5', new Date(START + 11 * DAY + 3_600_000))],
      linked: ['v1.1.3', 'v1.2.5'],
    },
    {
      name: 'an original older than its stored cherry-pick (cp)',
      base: [pr(K, 5002, '[release-1.14] Fix cgroup quota', 10)],
      added: [pr(K, 5001, 'Fix cgroup quota', 5)],
      linked: ['5001', '5002'],
    },
    {
      name: 'a cherry-pick of a stored original (co)',
      base: [pr(K, 5001, 'Fix cgroup quota', 5)],
      added: [pr(K, 5002, '[release-1.14] Fix cgroup quota', 10)],
      linked: ['5001', '5002'],
    },
    {
      // The change found by its word pairs brings in a pick and a newer change of the pick's
      // title; the pick's original is the oldest of the title, too old to link: no link.
      name: 'a cherry-pick whose original is the first of its title (ct, complete)',
      base: [
        pr(K, 5001, 'Fix cgroup quota', 0),
        pr(K, 5002, 'Fix cgroup quota', 200),
        pr(K, 5003, '[release-1.14] Fix cgroup quota', 205),
      ],
      added: [pr(K, 5004, 'Quota cgroup sandbox runtime metrics webhook', 206)],
      apart: ['5002', '5003'],
    },
    {
      // Owners of a gate without a KEP link to the first owner, in its repo only: the first is
      // containerd's, so Kubernetes' two stay apart.
      name: "a gate named by several repos' changes (g, complete)",
      base: [
        pr('containerd/containerd', 5001, 'Runtime endpoint', 10, { releaseNote: 'The SandboxQuota feature gate is on' }),
        pr(K, 5002, 'Quota sandbox metrics', 100, { releaseNote: 'The SandboxQuota feature gate is on' }),
        pr(K, 5003, 'Quota sandbox webhook', 101, { releaseNote: 'The SandboxQuota feature gate is on' }),
      ],
      added: [pr(K, 5004, 'Quota sandbox runtime cgroup endpoint ingress', 102)],
      apart: ['5002', '5003'],
    },
  ];
  for (const scenario of scenarios)
    it(`finds what it has to regroup: ${scenario.name}`, async () => {
      const config = loadConfig(writeConfig(yaml));
      const ids = await syncRepos(t().db, config.repos);
      await store(scenario.base, ids);
      await rescore({ db: t().db, config, logger: silentLogger() });
      await store(scenario.added, ids);
      const result = await rescore({ db: t().db, config, logger: silentLogger() });
      expect(result.groupedAll).toBe(false);
      await expectStoriesOfWholeRegrouping();
      const storyOf = async (key: string) =>
        (await t().db.selectFrom('items').select('story_id').where('key', '=', key).executeTakeFirstOrThrow()).story_id;
      if (scenario.linked) expect(await storyOf(scenario.linked[0])).toBe(await storyOf(scenario.linked[1]));
      if (scenario.apart) expect(await storyOf(scenario.apart[0])).not.toBe(await storyOf(scenario.apart[1]));
    });

  async function countItems() {
    const row = await t()
      .db.selectFrom('items')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
});
