import { describe, expect, it } from 'vitest';
import type { ItemDetails, PullDetails } from '../../src/domain/item.js';
import type { ItemKind } from '../../src/domain/source.js';
import { rulesFor } from '../../src/scoring/assess.js';
import { extractFeatures, type ScoringEvent, type ScoringItem } from '../../src/scoring/features.js';
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
) => extractFeatures(item, { events, releases }, rules(conventions)).map((f) => f.signal);

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
  ['topic:deprecation', () => signalsOf(pull({ title: 'Deprecate the --foo flag' }))],
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

  it('score a story as its best item plus a share of the others', () => {
    const weights = defaultWeights();
    expect(storyScore([6, 4, -3], weights)).toEqual({ score: 6 + weights.story * 4, bonus: weights.story * 4 });
    expect(storyScore([], weights).score).toBe(0);
  });
});
