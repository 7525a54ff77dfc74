import { describe, expect, it } from 'vitest';
import type { RunWarning } from '../../src/domain/run.js';
import {
  batchesKeepingTies,
  COMMIT_FILES_PAGE,
  type CommitFile,
  commitFileChanges,
  confirmChanges,
  inHistoryOrder,
  KepHistory,
  type KepState,
} from '../../src/sources/kep-history.js';
import type { FileChange } from '../../src/sources/tree-diff.js';
import { blobOid } from '../tools/fake-repo.js';

/** A 2019 Markdown KEP. */
function doc(fields: { title: string; number?: number; status?: string; heading?: string }): string {
  const lines = ['---', `title: ${fields.title}`];
  if (fields.number !== undefined) lines.push(`kep-number: ${fields.number}`);
  lines.push(
    'owning-sig: sig-scheduling',
    `status: ${fields.status ?? 'provisional'}`,
    '---',
    '',
    `# ${fields.heading ?? fields.title}`,
    '',
  );
  return lines.join('\n');
}

/**
 * Applies commits to a history the way the KEP reader does: each commit's changes (content, or
 * null for a removal; `from` for a rename) read at that commit.
 */
function apply(
  history: KepHistory,
  commits: Array<{ sha: string; day: string; files: Record<string, string | null>; from?: Record<string, string> }>,
) {
  const warnings: RunWarning[] = [];
  for (const commit of commits) {
    const changes: FileChange[] = [];
    const blobs = new Map<string, { text: string; oid: string }>();
    for (const [path, text] of Object.entries(commit.files)) {
      if (text === null) {
        changes.push({ path, oid: null, status: 'removed' });
        continue;
      }
      const previousPath = commit.from?.[path];
      changes.push({ path, oid: blobOid(text), status: 'added', ...(previousPath ? { previousPath } : {}) });
      blobs.set(`${commit.sha}:${path}`, { text, oid: blobOid(text) });
    }
    const effective = history.realChanges([commit.sha], () => changes).get(commit.sha) ?? [];
    history.applyCommit(commit.sha, new Date(`2019-${commit.day}T12:00:00Z`), effective, blobs, warnings);
  }
  return { taken: history.take(), warnings };
}

const summary = (taken: ReturnType<KepHistory['take']>) =>
  taken.map(({ kep, events }) => [
    kep.key,
    kep.location,
    events.filter((e) => e.type !== 'kep.revised').map((e) => `${e.type} ${e.from ?? '-'} -> ${e.to ?? '-'} @${e.commitSha}`),
  ]);

describe('KEP identity', () => {
  it('keeps two KEPs that claim one number apart', () => {
    const { taken } = apply(new KepHistory(), [
      {
        sha: 'c1',
        day: '04-01',
        files: {
          'keps/sig-scheduling/20180409-scheduling-framework.md': doc({ title: 'Scheduling Framework', number: 34 }),
          'keps/sig-scheduling/34-20180703-coscheduling.md': doc({ title: 'Coscheduling', number: 34 }),
        },
      },
    ]);
    expect(summary(taken)).toEqual([
      [
        'keps/sig-scheduling/20180409-scheduling-framework',
        'keps/sig-scheduling/20180409-scheduling-framework',
        ['kep.created - -> provisional @c1'],
      ],
      [
        'keps/sig-scheduling/34-20180703-coscheduling',
        'keps/sig-scheduling/34-20180703-coscheduling',
        ['kep.created - -> provisional @c1'],
      ],
    ]);
  });

  it('follows a KEP through renames GitHub reports, though its number goes and its title stays', () => {
    const history = new KepHistory();
    const draft = 'keps/sig-instrumentation/draft-20190404-kubernetes-control-plane-metrics-stability.md';
    const numbered = 'keps/sig-instrumentation/42-kubernetes-control-plane-metrics-stability.md';
    const dated = 'keps/sig-instrumentation/20190404-kubernetes-control-plane-metrics-stability.md';
    const title = 'Kubernetes Control-Plane Metrics Stability';
    const { taken } = apply(history, [
      { sha: 'c1', day: '04-09', files: { [draft]: doc({ title }) } },
      {
        sha: 'c2',
        day: '05-17',
        files: { [numbered]: doc({ title, status: 'implementable' }), [draft]: null },
        from: { [numbered]: draft },
      },
      {
        sha: 'c3',
        day: '06-06',
        files: { [dated]: doc({ title, status: 'implementable' }), [numbered]: null },
        from: { [dated]: numbered },
      },
    ]);
    expect(summary(taken)).toEqual([
      [
        'keps/sig-instrumentation/draft-20190404-kubernetes-control-plane-metrics-stability',
        'keps/sig-instrumentation/20190404-kubernetes-control-plane-metrics-stability',
        [
          'kep.created - -> provisional @c1',
          `kep.moved ${draft} -> ${numbered} @c2`,
          'kep.status provisional -> implementable @c2',
          `kep.moved ${numbered} -> ${dated} @c3`,
        ],
      ],
    ]);
    expect(taken[0]?.kep.fields.number).toBeNull();
  });

  it('follows a document removed and one added in the same commit: same title, else same number', () => {
    const history = new KepHistory();
    const { taken } = apply(history, [
      {
        sha: 'c1',
        day: '03-01',
        files: {
          'keps/sig-network/0033-service-topology.md': doc({ title: 'Topology-aware service routing', number: 33 }),
          'keps/sig-node/0040-pid-limiting.md': doc({ title: 'Pid Limiting' }),
          'keps/sig-node/0041-hugepages.md': doc({ title: 'HugePages' }),
        },
      },
      {
        sha: 'c2',
        day: '07-09',
        files: {
          'keps/sig-network/0033-service-topology.md': null,
          // No kep-number any more, and the file is named by date: the title says it is the same KEP.
          'keps/sig-network/20181024-service-topology.md': doc({ title: 'Topology-aware service routing' }),
          'keps/sig-node/0040-pid-limiting.md': null,
          // Retitled, but its number (from the file name) is the one removed.
          'keps/sig-node/0040-pid-limits.md': doc({ title: 'Process ID limits' }),
        },
      },
    ]);
    expect(summary(taken)).toEqual([
      [
        'keps/sig-network/0033-service-topology',
        'keps/sig-network/20181024-service-topology',
        [
          'kep.created - -> provisional @c1',
          'kep.moved keps/sig-network/0033-service-topology.md -> keps/sig-network/20181024-service-topology.md @c2',
        ],
      ],
      [
        'keps/sig-node/0040-pid-limiting',
        'keps/sig-node/0040-pid-limits',
        [
          'kep.created - -> provisional @c1',
          'kep.moved keps/sig-node/0040-pid-limiting.md -> keps/sig-node/0040-pid-limits.md @c2',
        ],
      ],
      ['keps/sig-node/0041-hugepages', 'keps/sig-node/0041-hugepages', ['kep.created - -> provisional @c1']],
    ]);
  });

  it('does not take a removed KEP for an added one that shares nothing with it', () => {
    const { taken } = apply(new KepHistory(), [
      { sha: 'c1', day: '03-01', files: { 'keps/sig-a/20190101-one.md': doc({ title: 'One' }) } },
      {
        sha: 'c2',
        day: '03-02',
        files: { 'keps/sig-a/20190101-one.md': null, 'keps/sig-a/20190301-two.md': doc({ title: 'Two' }) },
      },
    ]);
    expect(summary(taken)).toEqual([
      [
        'keps/sig-a/20190101-one',
        'keps/sig-a/20190101-one',
        ['kep.created - -> provisional @c1', 'kep.removed keps/sig-a/20190101-one.md -> - @c2'],
      ],
      ['keps/sig-a/20190301-two', 'keps/sig-a/20190301-two', ['kep.created - -> provisional @c2']],
    ]);
  });

  it('gives a different KEP added where another was removed a key of its own', () => {
    const history = new KepHistory();
    const path = 'keps/sig-a/0050-thing.md';
    const { taken } = apply(history, [
      { sha: 'aaaaaaa1', day: '03-01', files: { [path]: doc({ title: 'Thing', number: 50 }) } },
      { sha: 'bbbbbbb2', day: '03-02', files: { [path]: null } },
      { sha: 'ccccccc3ffff', day: '03-03', files: { [path]: doc({ title: 'Other thing', number: 51 }) } },
    ]);
    expect(summary(taken).map(([key, , events]) => [key, events])).toEqual([
      ['keps/sig-a/0050-thing', ['kep.created - -> provisional @aaaaaaa1', `kep.removed ${path} -> - @bbbbbbb2`]],
      ['keps/sig-a/0050-thing@ccccccc', ['kep.created - -> provisional @ccccccc3ffff']],
    ]);
  });

  it('never mints a key the store holds for a KEP that moved away', () => {
    const history = new KepHistory();
    history.reserve('keps/sig-a/20190101-old-place');
    const { taken } = apply(history, [
      { sha: 'd4d4d4d4d4', day: '05-01', files: { 'keps/sig-a/20190101-old-place.md': doc({ title: 'Newcomer' }) } },
    ]);
    expect(taken.map((t) => t.kep.key)).toEqual(['keps/sig-a/20190101-old-place@d4d4d4d']);
  });

  it('a KEP first seen through a modification is not created, and its later transitions count', () => {
    const history = new KepHistory();
    const path = 'keps/sig-node/20190226-pod-overhead.md';
    const warnings: RunWarning[] = [];
    const text = (status: string) => doc({ title: 'Pod Overhead', status });
    const modified = (sha: string, status: string) => {
      const change: FileChange = { path, oid: blobOid(text(status)), status: 'modified' };
      history.applyCommit(
        sha,
        new Date('2019-06-27T00:00:00Z'),
        [change],
        new Map([[`${sha}:${path}`, { text: text(status), oid: change.oid as string }]]),
        warnings,
      );
    };
    modified('c1', 'provisional');
    modified('c2', 'implementable');
    expect(summary(history.take())).toEqual([
      [
        'keps/sig-node/20190226-pod-overhead',
        'keps/sig-node/20190226-pod-overhead',
        ['kep.status provisional -> implementable @c2'],
      ],
    ]);
  });

  it('a KEP first seen under a new name (renamed from a document radar never read) is not created', () => {
    const moved = 'keps/sig-cluster-lifecycle/kubeadm/0008-kubeadm-config-versioning.md';
    const { taken } = apply(new KepHistory(), [
      {
        sha: 'c1',
        day: '04-08',
        files: { [moved]: doc({ title: 'Kubeadm config versioning', number: 8 }) },
        from: { [moved]: 'keps/sig-cluster-lifecycle/0008-kubeadm-config-versioning.md' },
      },
    ]);
    expect(summary(taken)).toEqual([
      ['keps/sig-cluster-lifecycle/kubeadm/0008-kubeadm-config-versioning', expect.any(String), []],
    ]);
  });

  it('keeps the KEP the store knows at a location, and its key', () => {
    const history = new KepHistory();
    const stored: KepState = {
      key: 'keps/sig-node/0001-first-place',
      fields: {
        title: 'Thing',
        number: 1,
        owningSig: 'sig-node',
        participatingSigs: [],
        status: 'provisional',
        stage: null,
        latestMilestone: null,
        milestones: {},
        featureGates: [],
        authors: [],
      },
      path: 'keps/sig-node/0001-thing.md',
      location: 'keps/sig-node/0001-thing',
      blob: 'old',
      commit: 'c0',
      text: null,
      occurredAt: new Date('2019-01-01T00:00:00Z'),
      updatedAt: new Date('2019-01-01T00:00:00Z'),
    };
    history.remember(stored);
    expect(history.knows('keps/sig-node/0001-thing')).toBe(true);
    const { taken } = apply(history, [
      {
        sha: 'c1',
        day: '03-01',
        files: { 'keps/sig-node/0001-thing.md': doc({ title: 'Thing', number: 1, status: 'implementable' }) },
      },
    ]);
    expect(summary(taken)).toEqual([
      ['keps/sig-node/0001-first-place', 'keps/sig-node/0001-thing', ['kep.status provisional -> implementable @c1']],
    ]);
  });
});

describe('confirming what a commit added', () => {
  const file = (filename: string, status: string, previousFilename: string | null = null): CommitFile => ({
    filename,
    status,
    sha: `sha-of-${filename}`,
    previousFilename,
  });

  it('asks only about commits that claim a document radar has no record of', () => {
    const history = new KepHistory();
    const changes: Record<string, FileChange[]> = {
      c1: [{ path: 'keps/sig-a/20190101-one.md', oid: 'o1', status: 'added' }],
      // The same document again later in the read: c1 already asks about it.
      c2: [{ path: 'keps/sig-a/20190101-one.md', oid: 'o2', status: 'added' }],
      c3: [{ path: 'keps/sig-a/20190101-two.md', oid: 'o3', status: 'modified' }],
      c4: [
        { path: 'keps/sig-a/20190101-three.md', oid: 'o4', status: 'added' },
        { path: 'keps/sig-a/20190101-four.md', oid: 'o5', status: 'added' },
      ],
    };
    expect(history.unconfirmedAdds(['c1', 'c2', 'c3', 'c4'], (sha) => changes[sha] ?? [])).toEqual(['c1', 'c4']);
  });

  it('believes an add only when GitHub lists it as added; a rename brings its old path', () => {
    const tree: FileChange[] = [
      { path: 'keps/a/new.md', oid: 'tree-new', status: 'added' },
      { path: 'keps/a/old-kep.md', oid: 'tree-old', status: 'added' },
      { path: 'keps/a/renamed.md', oid: 'tree-renamed', status: 'added' },
      // The comparison's base lacked it; the commit did not touch it.
      { path: 'keps/a/elsewhere.md', oid: 'tree-elsewhere', status: 'added' },
    ];
    const files = [
      file('keps/a/new.md', 'added'),
      file('keps/a/old-kep.md', 'modified'),
      file('keps/a/renamed.md', 'renamed', 'keps/a/before.md'),
      file('keps/a/gone.md', 'removed'),
    ];
    expect(confirmChanges('c1', tree, files)).toEqual([
      { path: 'keps/a/new.md', oid: 'tree-new', status: 'added' },
      { path: 'keps/a/old-kep.md', oid: 'tree-old', status: 'modified' },
      { path: 'keps/a/renamed.md', oid: 'tree-renamed', status: 'added', previousPath: 'keps/a/before.md' },
      { path: 'keps/a/before.md', oid: null, status: 'removed' },
      { path: 'keps/a/gone.md', oid: null, status: 'removed' },
    ]);
  });

  it('keeps what a full page of files may have left out, but never as added', () => {
    const files = Array.from({ length: COMMIT_FILES_PAGE }, (_, i) => file(`docs/f${i}.md`, 'modified'));
    const tree: FileChange[] = [{ path: 'keps/a/unlisted.md', oid: 'o', status: 'added' }];
    const confirmed = confirmChanges('c1', tree, files);
    expect(confirmed).toHaveLength(COMMIT_FILES_PAGE + 1);
    expect(confirmed.at(-1)).toEqual({ path: 'keps/a/unlisted.md', oid: 'o', status: 'modified' });
  });

  it("reads GitHub's statuses when no tree could be compared", () => {
    expect(
      commitFileChanges('c9', [
        { filename: 'keps/a/x.md', status: 'added', sha: null, previousFilename: null },
        { filename: 'keps/a/y.md', status: 'copied', sha: 'b2', previousFilename: 'keps/a/x.md' },
        { filename: 'keps/a/z.md', status: 'changed', sha: 'b3', previousFilename: null },
      ]),
    ).toEqual([
      { path: 'keps/a/x.md', oid: 'c9:keps/a/x.md', status: 'added' },
      { path: 'keps/a/y.md', oid: 'b2', status: 'added' },
      { path: 'keps/a/z.md', oid: 'b3', status: 'modified' },
    ]);
  });
});

describe('commit order', () => {
  const commit = (sha: string, parents: string[], date = '2019-04-30T23:42:26Z') => ({ sha, parents, date });

  it('puts parents before children when a listing orders one second by sha', () => {
    // A rebased series: d <- b <- c <- a, all committed in one second, listed a, b, c, d.
    const listed = [commit('a', ['c']), commit('b', ['d']), commit('c', ['b']), commit('d', ['z'])];
    expect(
      inHistoryOrder(
        listed,
        (c) => c.sha,
        (c) => c.parents,
      ).map((c) => c.sha),
    ).toEqual(['d', 'b', 'c', 'a']);
    const ordered = [commit('x', ['w']), commit('y', ['x']), commit('z', ['y'])];
    expect(
      inHistoryOrder(
        ordered,
        (c) => c.sha,
        (c) => c.parents,
      ),
    ).toEqual(ordered);
  });

  it('never splits commits of one second across batches', () => {
    const commits = [
      commit('a', [], '2019-01-01T00:00:01Z'),
      commit('b', [], '2019-01-01T00:00:02Z'),
      commit('c', [], '2019-01-01T00:00:02Z'),
      commit('d', [], '2019-01-01T00:00:02Z'),
      commit('e', [], '2019-01-01T00:00:03Z'),
    ];
    expect(batchesKeepingTies(commits, 2, (c) => c.date).map((b) => b.map((c) => c.sha).join(''))).toEqual(['abcd', 'e']);
    expect(batchesKeepingTies(commits, 1, (c) => c.date).map((b) => b.map((c) => c.sha).join(''))).toEqual(['a', 'bcd', 'e']);
  });
});
