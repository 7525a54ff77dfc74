import { describe, expect, it } from 'vitest';
import type { ItemDetails, KepDetails, PullDetails } from '../../src/domain/item.js';
import type { ItemKind } from '../../src/domain/source.js';
import { rulesFor } from '../../src/scoring/assess.js';
import { extractFeatures, type ProposalFact, type ScoringEvent, type ScoringItem } from '../../src/scoring/features.js';
import { scoreFeatures, storyScore } from '../../src/scoring/score.js';
import { defaultWeights, SIGNAL_NAMES, type SignalName } from '../../src/scoring/signals.js';
import { DEFAULT_BOTS, DEFAULT_TOPICS } from '../../src/scoring/topics.js';

const topics = Object.fromEntries(Object.entries(DEFAULT_TOPICS).map(([k, v]) => [k, [...v]])) as never;
const rules = (conventions = 'kubernetes') => rulesFor(conventions, { topics, bots: DEFAULT_BOTS });

function pull(overrides: Partial<ScoringItem> = {}, details: Partial<PullDetails> = {}): ScoringItem {
  return {
    id: 1,
    kind: 'pull',
    repo: 'kubernetes/kubernetes',
    title: 'Rework the scheduler cache',
    body: null,
    author: 'someone',
    state: 'merged',
    labels: [],
    occurredAt: new Date('2019-06-18T00:00:00Z'),
    details: {
      type: 'pull',
      mergedAt: '2019-06-18T00:00:00Z',
      baseRef: 'master',
      headRef: null,
      draft: false,
      additions: null,
      deletions: null,
      changedFiles: null,
      commits: null,
      comments: 0,
      reviews: 0,
      reactions: 0,
      files: null,
      releaseNote: null,
      references: { issues: [], keps: [], external: [] },
      enrichedAt: null,
      ...details,
    },
    ...overrides,
  };
}

function other(
  kind: ItemKind,
  details: ItemDetails | Record<string, unknown>,
  overrides: Partial<ScoringItem> = {},
): ScoringItem {
  return { ...pull(), kind, details, title: overrides.title ?? 'x', ...overrides };
}

const event = (type: string, from: string | null, to: string | null): ScoringEvent => ({
  type,
  from,
  to,
  occurredAt: new Date('2019-06-18T00:00:00Z'),
});
const release = (tag: string, major: number, minor: number, patch: number, prerelease: string | null) =>
  other(
    'release',
    {
      type: 'release',
      name: tag,
      prerelease: prerelease !== null,
      version: { major, minor, patch, prerelease },
      publishedAt: null,
    },
    { title: tag },
  );

const signalsOf = (
  item: ScoringItem,
  events: ScoringEvent[] = [],
  releases: Parameters<typeof extractFeatures>[1]['releases'] = [],
  conventions = 'kubernetes',
  projectReleases: Parameters<typeof extractFeatures>[1]['releases'] = [],
) => extractFeatures(item, { events, releases, projectReleases }, rules(conventions)).map((f) => f.signal);

function kep(overrides: Partial<ScoringItem> = {}, details: Partial<KepDetails> = {}): ScoringItem {
  return other(
    'kep',
    {
      type: 'kep',
      kepNumber: null,
      path: 'keps/sig-node/20190226-pod-overhead.md',
      location: 'keps/sig-node/20190226-pod-overhead',
      blob: null,
      owningSig: 'sig-node',
      participatingSigs: [],
      status: 'implementable',
      stage: null,
      latestMilestone: null,
      milestones: {},
      featureGates: [],
      authors: [],
      commit: null,
      creationDate: null,
      tracking: null,
      ...details,
    },
    { title: 'Pod Overhead', body: null, ...overrides },
  );
}
const created = event('kep.created', null, 'implementable');

/** Every signal, and an item that shows it. */
const CASES: Array<[SignalName, () => SignalName[]]> = [
  ['label:feature', () => signalsOf(pull({ labels: ['kind/feature'] }))],
  ['label:api-change', () => signalsOf(pull({ labels: ['kind/api-change'] }))],
  ['label:deprecation', () => signalsOf(pull({ labels: ['kind/deprecation'] }))],
  ['label:action-required', () => signalsOf(pull({ labels: ['release-note-action-required'] }))],
  ['label:critical-bug', () => signalsOf(pull({ labels: ['kind/bug', 'priority/critical-urgent'] }))],
  ['label:bug', () => signalsOf(pull({ labels: ['kind/bug'] }))],
  ['label:changelog', () => signalsOf(pull({ labels: ['impact/changelog'] }), [], [], 'containerd')],
  ['label:cleanup', () => signalsOf(pull({ labels: ['kind/cleanup'] }))],
  ['label:flake', () => signalsOf(pull({ labels: ['kind/flake'] }))],
  ['label:documentation', () => signalsOf(pull({ labels: ['kind/documentation'] }))],
  ['label:test-only', () => signalsOf(pull({ labels: ['area/test'] }))],
  ['label:dependencies', () => signalsOf(pull({ labels: ['area/dependency'] }))],
  ['label:sigs', () => signalsOf(pull({ labels: ['sig/node', 'sig/scheduling'] }))],
  ['change:removal', () => signalsOf(pull({ title: 'Deprecate the --foo flag' }))],
  ['chore', () => signalsOf(pull({ title: 'Fix build break' }))],
  ['release-note:present', () => signalsOf(pull({}, { releaseNote: 'Adds a field.' }))],
  [
    'release-note:length',
    () => signalsOf(pull({}, { releaseNote: 'Adds a field to the Pod API so that runtimes can declare overhead.' })),
  ],
  ['release-note:action-required', () => signalsOf(pull({}, { releaseNote: 'ACTION REQUIRED: the flag --foo is removed.' }))],
  ['release-note:none', () => signalsOf(pull({}, { releaseNote: 'NONE' }))],
  ['title:feature', () => signalsOf(pull({ title: 'Add support for IPv6 dual-stack services' }))],
  ['title:graduation', () => signalsOf(pull({ title: 'Promote WatchBookmarks to beta' }))],
  ['title:important-fix', () => signalsOf(pull({ title: 'Fix goroutine leak in the watch cache' }))],
  ['title:fix', () => signalsOf(pull({ title: 'Fix the order of volume mounts' }))],
  ['title:cleanup', () => signalsOf(pull({ title: 'Refactor the reconciler' }))],
  ['title:test', () => signalsOf(pull({ title: 'Deflake e2e for the autoscaler' }))],
  ['title:docs', () => signalsOf(pull({ title: 'Fix typos in README' }))],
  ['title:dependency', () => signalsOf(pull({ title: 'Bump github.com/gogo/protobuf from 1.2.0 to 1.3.0' }))],
  ['title:revert', () => signalsOf(pull({ title: 'Revert "Enable the new cache"' }))],
  ['title:cherry-pick', () => signalsOf(pull({ title: 'Automated cherry pick of #78394: Fix panic in kubelet' }))],
  ['topic:performance', () => signalsOf(pull({ title: 'Cut apiserver latency for large lists' }))],
  ['topic:security', () => signalsOf(pull({ title: 'Patch CVE-2019-11246 in kubectl cp' }))],
  ['topic:api', () => signalsOf(pull({ title: 'Serve the v1beta1 API for webhooks' }))],
  ['topic:deprecation', () => signalsOf(pull({ title: 'Rework flag parsing', body: 'The --foo flag stays deprecated.' }))],
  ['topic:new-component', () => signalsOf(pull({ title: 'Add a new rate limit filter' }))],
  ['author:bot', () => signalsOf(pull({ author: 'dependabot[bot]' }))],
  ['size', () => signalsOf(pull({}, { files: [{ path: 'pkg/scheduler/cache.go', additions: 300, deletions: 20 }] }))],
  [
    'files:api',
    () => signalsOf(pull({}, { files: [{ path: 'staging/src/k8s.io/api/core/v1/types.go', additions: 10, deletions: 0 }] })),
  ],
  ['files:test-only', () => signalsOf(pull({}, { files: [{ path: 'pkg/a_test.go', additions: 10, deletions: 0 }] }))],
  [
    'files:generated-only',
    () =>
      signalsOf(
        pull(
          {},
          {
            files: [
              { path: 'go.mod', additions: 1, deletions: 1 },
              { path: 'vendor/x/y.go', additions: 9, deletions: 9 },
            ],
          },
        ),
      ),
  ],
  ['files:docs-only', () => signalsOf(pull({}, { files: [{ path: 'docs/setup.md', additions: 10, deletions: 0 }] }))],
  [
    'files:changelog',
    () =>
      signalsOf(
        pull(
          { repo: 'envoyproxy/envoy' },
          {
            files: [
              { path: 'docs/root/intro/version_history.rst', additions: 1, deletions: 0 },
              { path: 'source/x.cc', additions: 50, deletions: 0 },
            ],
          },
        ),
        [],
        [],
        'envoy',
      ),
  ],
  ['engagement', () => signalsOf(pull({}, { comments: 12, reviews: 3, reactions: 5 }))],
  ['refs:kep', () => signalsOf(pull({}, { references: { issues: [], keps: [1287], external: [] } }))],
  ['refs:issue', () => signalsOf(pull({ body: 'Fixes #1234' }))],
  ['pull:open', () => signalsOf(pull({ state: 'open' }))],
  ['kep:created', () => signalsOf(other('kep', { type: 'kep' }), [event('kep.created', null, 'provisional')])],
  ['kep:implementable', () => signalsOf(other('kep', { type: 'kep' }), [event('kep.status', 'provisional', 'implementable')])],
  ['kep:implemented', () => signalsOf(other('kep', { type: 'kep' }), [event('kep.status', 'implementable', 'implemented')])],
  ['kep:stage-alpha', () => signalsOf(other('kep', { type: 'kep' }), [event('kep.stage', null, 'alpha')])],
  ['kep:stage-beta', () => signalsOf(other('kep', { type: 'kep' }), [event('kep.stage', 'alpha', 'beta')])],
  ['kep:stage-stable', () => signalsOf(other('kep', { type: 'kep' }), [event('kep.stage', 'beta', 'stable')])],
  ['kep:milestone', () => signalsOf(other('kep', { type: 'kep' }), [event('kep.milestone', 'v1.15', 'v1.16')])],
  ['kep:revised-only', () => signalsOf(other('kep', { type: 'kep' }), [event('kep.revised', null, null)])],
  ['kep:graduation', () => signalsOf(kep({ title: 'Graduate Ingress to GA' }), [created])],
  ['kep:api', () => signalsOf(kep({ body: '## Proposal\n\n### API Changes\n\nA new field.' }), [created])],
  ['kep:core-api', () => signalsOf(kep({ body: '### API Changes\n\nAdd `Overhead` to `PodSpec`.' }), [created])],
  ['kep:sigs', () => signalsOf(kep({}, { owningSig: 'sig-node', participatingSigs: ['sig-scheduling'] }), [created])],
  [
    'kep:next-release',
    () =>
      signalsOf(kep({ body: 'Alpha in v1.15, beta in v1.16.' }), [created], [], 'kubernetes', [
        { version: { major: 1, minor: 14, patch: 0, prerelease: null }, prerelease: false, occurredAt: new Date('2019-03-25') },
      ]),
  ],
  ['kep:detail', () => signalsOf(kep({ body: 'design '.repeat(1200) }), [created])],
  ['kep:feature-gates', () => signalsOf(kep({}, { featureGates: ['PodOverhead'] }), [created])],
  [
    'kep:discussion',
    () =>
      extractFeatures(
        kep({}),
        {
          events: [created],
          releases: [],
          proposals: [{ number: 688, labels: ['kind/kep'], comments: 40, reviews: 6, reactions: 2, additions: 300 }],
        },
        rules(),
      ).map((f) => f.signal),
  ],
  [
    'tracking:stage',
    () => signalsOf(other('issue', { type: 'issue', signals: [], tracking: { stage: 'beta', tracked: null, sigs: [] } })),
  ],
  [
    'tracking:tracked',
    () => signalsOf(other('issue', { type: 'issue', signals: [], tracking: { stage: null, tracked: 'yes', sigs: [] } })),
  ],
  ['release:major', () => signalsOf(release('v2.0.0', 2, 0, 0, null))],
  ['release:minor', () => signalsOf(release('v1.15.0', 1, 15, 0, null))],
  ['release:patch', () => signalsOf(release('v1.14.3', 1, 14, 3, null))],
  ['release:first-prerelease', () => signalsOf(release('v1.16.0-alpha.1', 1, 16, 0, 'alpha.1'))],
  [
    'release:later-prerelease',
    () =>
      signalsOf(
        release('v1.16.0-alpha.2', 1, 16, 0, 'alpha.2'),
        [],
        [
          {
            version: { major: 1, minor: 16, patch: 0, prerelease: 'alpha.1' },
            prerelease: true,
            occurredAt: new Date('2019-06-01T00:00:00Z'),
          },
        ],
      ),
  ],
  [
    'issue:proposal',
    () =>
      signalsOf(
        other(
          'issue',
          { type: 'issue', signals: ['title: proposal'], tracking: null, comments: 0, reactions: 0 },
          { title: '[Proposal] Mirroring filter' },
        ),
      ),
  ],
  [
    'issue:vote',
    () =>
      signalsOf(
        other(
          'issue',
          { type: 'issue', signals: ['title: vote'], tracking: null, comments: 0, reactions: 0 },
          { title: 'Vote: Route API' },
        ),
      ),
  ],
];

describe('scoring signals', () => {
  it.each(CASES)('%s fires on an item that shows it', (signal, signals) => {
    expect(signals()).toContain(signal);
  });

  it('covers every per-item signal of the catalogue', () => {
    const computedByTheList: SignalName[] = ['carry-over', 'story'];
    const covered = new Set(CASES.map(([signal]) => signal));
    expect(SIGNAL_NAMES.filter((s) => !covered.has(s) && !computedByTheList.includes(s))).toEqual([]);
  });

  it('lets chores win over what their title claims', () => {
    expect(signalsOf(pull({ title: 'Add unit tests for the scheduler' }))).toEqual(['title:test']);
    expect(signalsOf(pull({ title: 'Fix flaky e2e test' }))).toEqual(['title:test']);
  });

  it('discounts generated, vendored and test files in the size, and data files to a fifth', () => {
    const features = extractFeatures(
      pull(
        {},
        {
          files: [
            { path: 'pkg/a.go', additions: 90, deletions: 9 },
            { path: 'pkg/a_test.go', additions: 500, deletions: 0 },
            { path: 'vendor/x/y.go', additions: 5000, deletions: 0 },
            { path: 'deploy/dashboard.json', additions: 1000, deletions: 0 },
          ],
        },
      ),
      { events: [], releases: [] },
      rules(),
    );
    expect(features.find((f) => f.signal === 'size')?.shown).toBe('299 lines in 2 files');
  });

  it("reads a project's own labels through its conventions", () => {
    expect(signalsOf(pull({ labels: ['impact/breaking', 'impact/deprecation'] }), [], [], 'containerd')).toEqual(
      expect.arrayContaining(['label:action-required', 'label:deprecation']),
    );
    expect(signalsOf(pull({ labels: ['kind/enhancement'] }), [], [], 'knative')).toContain('label:feature');
    expect(signalsOf(pull({ labels: ['impact/changelog'] }), [], [], 'kubernetes')).not.toContain('label:changelog');
  });
});

describe('scores', () => {
  it('are the sum of their reasons, each weight times value', () => {
    const item = pull(
      { labels: ['kind/feature', 'kind/api-change'], title: 'Add the Overhead field to PodSpec' },
      {
        releaseNote: 'Adds an Overhead field to the PodSpec and RuntimeClass types.',
        files: [{ path: 'staging/src/k8s.io/api/core/v1/types.go', additions: 120, deletions: 4 }],
        comments: 30,
      },
    );
    const weights = defaultWeights();
    const { score, reasons } = scoreFeatures(extractFeatures(item, { events: [], releases: [] }, rules()), weights);
    expect(reasons.length).toBeGreaterThan(5);
    expect(Math.round(reasons.reduce((n, r) => n + r.contribution, 0) * 100) / 100).toBe(score);
    expect(reasons.find((r) => r.signal === 'label:api-change')).toEqual({
      signal: 'label:api-change',
      value: 'kind/api-change',
      contribution: weights['label:api-change'],
    });
    // strongest first
    expect(reasons.map((r) => Math.abs(r.contribution))).toEqual(
      [...reasons.map((r) => Math.abs(r.contribution))].sort((a, b) => b - a),
    );
  });

  it('put notable changes above chores', () => {
    const weights = defaultWeights();
    const score = (item: ScoringItem) =>
      scoreFeatures(extractFeatures(item, { events: [], releases: [] }, rules()), weights).score;
    const feature = score(
      pull({ labels: ['kind/feature'], title: 'Add dual-stack support' }, { releaseNote: 'Dual-stack is alpha.' }),
    );
    const flake = score(pull({ labels: ['kind/flake'], title: 'Fix flaky e2e test' }));
    const bump = score(
      pull(
        { author: 'dependabot[bot]', title: 'Bump golang.org/x/net from 0.1 to 0.2' },
        { files: [{ path: 'go.mod', additions: 1, deletions: 1 }] },
      ),
    );
    const cleanup = score(pull({ labels: ['kind/cleanup'], title: 'Clean up unused helpers' }));
    expect(feature).toBeGreaterThan(3);
    for (const chore of [flake, bump, cleanup]) expect(chore).toBeLessThan(0);
  });

  it('score a story as its best item plus a share of the others, each further one counting less', () => {
    const weights = defaultWeights();
    expect(storyScore([6, 4, -3], weights)).toEqual({ score: 6 + weights.story * 4, bonus: weights.story * 4 });
    expect(storyScore([6, 4, 4, 4], weights).bonus).toBeCloseTo(weights.story * (4 + 4 / 2 + 4 / 3), 2);
    // A long story of small items does not outgrow a strong single change.
    expect(storyScore([6, ...new Array(30).fill(6)], weights).score).toBeLessThan(6 + weights.story * 6 * 5);
    expect(storyScore([], weights).score).toBe(0);
  });
});

describe('removals and deprecations', () => {
  const signals = (item: ScoringItem) => signalsOf(item);

  it('are news, not cleanups, when the release note says users lose something', () => {
    const removed = signals(
      pull(
        { labels: ['kind/api-change', 'kind/cleanup'], title: 'CSI alpha CRDs have been removed' },
        { releaseNote: 'CSI alpha CRDs have been removed' },
      ),
    );
    expect(removed).toContain('change:removal');
    expect(removed).not.toContain('label:cleanup');
    const func = signals(
      pull(
        { labels: ['kind/cleanup'], title: 'clean the deprecated func Parallelize' },
        { releaseNote: 'Remove the function Parallelize, please convert to use the function ParallelizeUntil.' },
      ),
    );
    expect(func).toContain('change:removal');
    expect(signals(pull({ title: 'Drop support for Go 1.10' }))).toContain('change:removal');
    expect(signals(pull({}, { releaseNote: 'The --cloud-provider-gce-lb-src-cidrs flag is no longer supported.' }))).toContain(
      'change:removal',
    );
  });

  it('are not seen in internal code going away, or in a change without a note that only says "remove"', () => {
    expect(signals(pull({ title: 'Remove unused function in kubelet' }, { releaseNote: 'NONE' }))).not.toContain(
      'change:removal',
    );
    expect(signals(pull({ labels: ['kind/cleanup'], title: 'Remove the old helper' }))).not.toContain('change:removal');
    expect(signals(pull({ title: 'Remove dead code from the scheduler' }))).not.toContain('change:removal');
  });

  it('show the sentence that says it', () => {
    const features = extractFeatures(
      pull(
        { title: 'Clean up kube-proxy' },
        { releaseNote: 'Cleanup of flags. The deprecated flag --resource-container has been removed.' },
      ),
      { events: [], releases: [] },
      rules(),
    );
    expect(features.find((f) => f.signal === 'change:removal')?.shown).toBe(
      'The deprecated flag --resource-container has been removed.',
    );
  });
});

describe('chores', () => {
  const chore = (item: ScoringItem) =>
    extractFeatures(item, { events: [], releases: [] }, rules('default')).find((f) => f.signal === 'chore')?.shown ?? null;

  it.each([
    ['Fix build break', 'build or CI fix'],
    ['Enable more linters and fix warnings/errors', 'lint or formatting'],
    ['Optimize yamllint to run in one process', 'lint or formatting'],
    ['Take dependency on the common repo', 'dependency update'],
    ['Update dependencies to latest', 'dependency update'],
    ['Merge bookinfo from master to release 1 2', 'branch merge or sync'],
    ['Update the chart version to 1.2.1', 'release bookkeeping'],
    ['Prepare v1.2.7 release', 'release bookkeeping'],
    ['commit#1', 'placeholder title'],
    ['adding date', 'placeholder title'],
  ])('%s is a chore (%s)', (title, kind) => {
    expect(chore(pull({ repo: 'istio/istio', title }))).toBe(kind);
  });

  it('are never what has a release note, a substantive label or a notable title', () => {
    expect(chore(pull({ title: 'Bump Go to 1.12.1' }, { releaseNote: 'Kubernetes is now built with Go 1.12.1.' }))).toBeNull();
    expect(chore(pull({ labels: ['kind/feature'], title: 'Update the etcd client to v3.3' }))).toBeNull();
    expect(chore(pull({ title: 'Fix panic in the pilot build of listeners' }))).toBeNull();
    expect(chore(pull({ title: 'Add mutual TLS to the ingress gateway' }))).toBeNull();
  });

  it('include bot changes and changes to tests only', () => {
    expect(chore(pull({ author: 'istio-testing', title: 'Update istio.deps' }))).toBe('opened by a bot');
    expect(
      chore(pull({ title: 'Stabilise the mixer test' }, { files: [{ path: 'mixer/a_test.go', additions: 3, deletions: 1 }] })),
    ).toBe('tests only');
  });
});

describe('KEPs told apart', () => {
  const at = new Date('2019-04-10T00:00:00Z');
  const v114 = {
    version: { major: 1, minor: 14, patch: 0, prerelease: null },
    prerelease: false,
    occurredAt: new Date('2019-03-25'),
  };
  const score = (item: ScoringItem, proposals: ProposalFact[] = []) =>
    scoreFeatures(
      extractFeatures(
        item,
        { events: [{ ...created, occurredAt: at }], releases: [], projectReleases: [v114], proposals },
        rules(),
      ),
      defaultWeights(),
    );
  const design = [
    '---\ntitle: Pod Overhead\nstatus: implementable\n---',
    '# Pod Overhead',
    '<!-- toc -->\n- [Summary](#summary)\n- [API Design](#api-design)\n<!-- /toc -->',
    '- [ ] kubernetes/enhancements issue in release milestone',
    '## Summary',
    `${'Sandbox runtimes introduce an overhead at the pod level that must be accounted for. '.repeat(60)}`,
    '### API Design',
    'Augment the RuntimeClass definition and the `PodSpec` to introduce the field `Overhead *ResourceList`.',
    '## Graduation Criteria',
    'Alpha in v1.15; beta in v1.16. Built with go 1.12.',
  ].join('\n\n');

  it('by how much they change for users: API in core types, SIGs, the release in development, design', () => {
    const big = score(
      kep(
        { body: design },
        { participatingSigs: ['sig-scheduling', 'sig-autoscaling', 'sig-windows'], featureGates: ['PodOverhead'] },
      ),
    );
    const small = score(kep({ title: 'Document the release notes process', body: 'We will write release notes. '.repeat(10) }));
    const signals = big.reasons.map((r) => r.signal);
    expect(signals).toEqual(
      expect.arrayContaining(['kep:api', 'kep:core-api', 'kep:sigs', 'kep:next-release', 'kep:detail', 'kep:feature-gates']),
    );
    expect(big.reasons.find((r) => r.signal === 'kep:core-api')?.value).toBe('PodSpec');
    expect(big.reasons.find((r) => r.signal === 'kep:next-release')?.value).toBe('names v1.15, the release in development');
    expect(big.score - small.score).toBeGreaterThan(5);
  });

  it('with the discussion and SIG labels of their enhancements pull requests', () => {
    const plain = score(kep({}));
    const discussed = score(kep({}), [
      {
        number: 688,
        labels: ['sig/node', 'sig/scheduling', 'kind/kep'],
        comments: 60,
        reviews: 12,
        reactions: 4,
        additions: 400,
      },
    ]);
    expect(discussed.reasons.map((r) => r.signal)).toEqual(expect.arrayContaining(['kep:discussion', 'kep:sigs']));
    expect(discussed.score).toBeGreaterThan(plain.score);
  });

  it('only when they moved in the period: a text edit is not a reason to read a KEP again', () => {
    const edited = extractFeatures(kep({ body: design }), { events: [event('kep.revised', null, null)], releases: [] }, rules());
    expect(edited.map((f) => f.signal)).toEqual(['kep:revised-only']);
  });

  it('name a graduation from the title only when no stage transition says it already', () => {
    const graduation = (events: ScoringEvent[]) =>
      extractFeatures(kep({ title: 'Graduate NodeLocal DNSCache to beta' }), { events, releases: [] }, rules()).map(
        (f) => f.signal,
      );
    expect(graduation([created])).toContain('kep:graduation');
    expect(graduation([event('kep.stage', 'alpha', 'beta')])).toEqual(['kep:stage-beta']);
  });
});
