import { describe, expect, it } from 'vitest';
import {
  gatesNamed,
  groupStories,
  type StoryItem,
  significantTokens,
  similar,
  similarTitlePairs,
  strongReferences,
} from '../../src/scoring/stories.js';

let next = 1;
function item(overrides: Partial<StoryItem>): StoryItem {
  return {
    id: next++,
    kind: 'pull',
    repo: 'kubernetes/kubernetes',
    key: String(next),
    number: next,
    title: 'x',
    body: null,
    occurredAt: new Date('2019-06-10T00:00:00Z'),
    state: 'merged',
    kepNumber: null,
    keps: [],
    featureGates: [],
    releaseNote: null,
    prerelease: false,
    patch: null,
    tracking: false,
    ...overrides,
  };
}

const members = (groups: ReturnType<typeof groupStories>, id: number) =>
  groups.find((g) => g.members.includes(id))?.members ?? [];

describe('stories', () => {
  it('groups a KEP, its tracking issue and the pull requests that implement it, told from the KEP', () => {
    const kep = item({
      kind: 'kep',
      repo: 'kubernetes/enhancements',
      key: 'KEP-1287',
      number: 1287,
      kepNumber: 1287,
      title: 'In-place Update of Pod Resources',
      featureGates: ['InPlacePodVerticalScaling'],
    });
    const tracking = item({
      kind: 'issue',
      repo: 'kubernetes/enhancements',
      number: 1287,
      title: 'In-place Update of Pod Resources',
      tracking: true,
    });
    const api = item({ number: 102524, title: 'Add the Resize API to PodSpec', body: 'Implements KEP-1287.', keps: [1287] });
    const implementation = item({
      number: 102884,
      title: 'kubelet: resize containers in place',
      releaseNote: 'Adds the `InPlacePodVerticalScaling` feature gate (alpha).',
    });
    const unrelated = item({ number: 103000, title: 'Fix a typo in kubelet logs' });
    const groups = groupStories([kep, tracking, api, implementation, unrelated]);
    expect(members(groups, kep.id).sort()).toEqual([kep.id, tracking.id, api.id, implementation.id].sort());
    const story = groups.find((g) => g.lead === kep.id);
    expect(story).toMatchObject({ key: 'kep:kubernetes/enhancements:KEP-1287', title: 'In-place Update of Pod Resources' });
    expect(members(groups, unrelated.id)).toEqual([unrelated.id]);
  });

  it('joins a fix to the issue it closes, and cherry-picks to their original', () => {
    const issue = item({ kind: 'issue', number: 500, title: '[Proposal] Scale to zero grace period', repo: 'knative/serving' });
    const fix = item({
      number: 501,
      repo: 'knative/serving',
      title: 'Implement the scale-to-zero grace period',
      body: 'Fixes #500',
    });
    const original = item({ number: 78394, title: 'Fix panic in kubelet when a pod has no containers' });
    const pick = item({
      number: 78500,
      title: 'Automated cherry pick of #78394: Fix panic in kubelet when a pod has no containers',
      occurredAt: new Date('2019-06-20T00:00:00Z'),
    });
    const backport = item({
      number: 3082,
      repo: 'containerd/containerd',
      title: '[release/1.2 backport] Close the inherited socket fd',
      occurredAt: new Date('2019-06-25T00:00:00Z'),
    });
    const backported = item({ number: 3359, repo: 'containerd/containerd', title: 'Close the inherited socket fd' });
    const groups = groupStories([issue, fix, original, pick, backport, backported]);
    expect(members(groups, fix.id)).toEqual([issue.id, fix.id]);
    expect(members(groups, pick.id)).toEqual([original.id, pick.id]);
    expect(members(groups, backport.id).sort()).toEqual([backport.id, backported.id].sort());
    expect(groups.find((g) => g.members.includes(pick.id))?.lead).toBe(original.id);
  });

  it('collapses the patch releases of one day, and joins same-repo titles that say the same thing', () => {
    const r1 = item({
      kind: 'release',
      key: 'v1.14.3',
      number: null,
      patch: 3,
      title: 'v1.14.3',
      occurredAt: new Date('2019-06-06T10:00:00Z'),
    });
    const r2 = item({
      kind: 'release',
      key: 'v1.13.7',
      number: null,
      patch: 7,
      title: 'v1.13.7',
      occurredAt: new Date('2019-06-06T18:00:00Z'),
    });
    const minor = item({
      kind: 'release',
      key: 'v1.15.0',
      number: null,
      patch: 0,
      title: 'v1.15.0',
      occurredAt: new Date('2019-06-06T12:00:00Z'),
    });
    const a = item({
      repo: 'istio/istio',
      title: 'Sidecar OutboundTrafficPolicy per workload: API',
      occurredAt: new Date('2019-07-01T00:00:00Z'),
    });
    const b = item({
      repo: 'istio/istio',
      title: 'Sidecar OutboundTrafficPolicy per workload: implementation',
      occurredAt: new Date('2019-07-09T00:00:00Z'),
    });
    const elsewhere = item({
      repo: 'envoyproxy/envoy',
      title: 'Sidecar OutboundTrafficPolicy per workload: implementation',
      occurredAt: new Date('2019-07-09T00:00:00Z'),
    });
    const groups = groupStories([r1, r2, minor, a, b, elsewhere]);
    expect(members(groups, r1.id)).toEqual([r1.id, r2.id]);
    expect(members(groups, minor.id)).toEqual([minor.id]);
    expect(members(groups, a.id)).toEqual([a.id, b.id]);
    // Never across repos by text alone.
    expect(members(groups, elsewhere.id)).toEqual([elsewhere.id]);
  });

  it('does not merge chores that share words', () => {
    const a = item({ repo: 'knative/serving', title: 'golang format tools', occurredAt: new Date('2019-07-01T00:00:00Z') });
    const b = item({ repo: 'knative/serving', title: 'golang format tools', occurredAt: new Date('2019-07-02T00:00:00Z') });
    const groups = groupStories([a, b]);
    expect(members(groups, a.id)).toEqual([a.id]);
  });

  it('reads references made on purpose, not every mention', () => {
    expect(
      strongReferences(
        'Fixes #12, closes kubernetes/test-infra#9. Mentions #13. Cherry pick of #14.',
        'kubernetes/kubernetes',
      ).sort(),
    ).toEqual(['kubernetes/kubernetes#12', 'kubernetes/kubernetes#14', 'kubernetes/test-infra#9'].sort());
    expect(strongReferences('Implements https://github.com/knative/serving/issues/3825', 'knative/eventing')).toEqual([
      'knative/serving#3825',
    ]);
    expect(gatesNamed('Adds the `CSIMigration` feature gate; enable with --feature-gates=CSIMigrationGCE=true')).toEqual([
      'CSIMigrationGCE',
      'CSIMigration',
    ]);
  });

  it('joins cherry-picks and backports in every style the watched repos use, told from the original', () => {
    const at = (day: string) => new Date(`2019-06-${day}T00:00:00Z`);
    const cases: Array<[string, string, string | null]> = [
      ['containerd/containerd', '[cherry-pick release/1.2] Fix fd leak of shim log', 'release/1.2'],
      ['containerd/containerd', '[release1.2] Fix fd leak of shim log', 'release/1.2'],
      ['containerd/containerd', '[release 1.2] Fix fd leak of shim log', 'release/1.2'],
      ['istio/istio', '[release-1.1] Fix fd leak of shim log', 'release-1.1'],
      ['istio/istio', '[1.1] Fix fd leak of shim log', 'release-1.1'],
      ['istio/istio', 'Cherrypick: Fix fd leak of shim log (#12916)', 'master'],
      ['istio/istio', 'Fix fd leak of shim log', 'release-1.2'],
      ['knative/serving', '[RELEASE-0.4] Fix fd leak of shim log', 'release-0.4'],
    ];
    for (const [repo, title, baseRef] of cases) {
      const original = item({ repo, title: 'Fix fd leak of shim log', occurredAt: at('01'), baseRef: 'master' });
      const pick = item({ repo, title, occurredAt: at('10'), baseRef });
      const groups = groupStories([pick, original]);
      expect(members(groups, pick.id), title).toEqual([original.id, pick.id]);
      expect(groups.find((g) => g.members.includes(pick.id))?.lead, title).toBe(original.id);
    }
    // The same change picked to two branches, its original older than what is stored.
    const to12 = item({ repo: 'containerd/containerd', title: '[release/1.2] Close socket fd', baseRef: 'release/1.2' });
    const to11 = item({ repo: 'containerd/containerd', title: '[release/1.1] Close socket fd', baseRef: 'release/1.1' });
    expect(members(groupStories([to12, to11]), to11.id)).toEqual([to12.id, to11.id]);
  });

  it('joins a KEP and the pull requests that name its title, in its project and SIG only', () => {
    const framework = item({
      kind: 'kep',
      repo: 'kubernetes/enhancements',
      key: 'keps/sig-scheduling/20180409-scheduling-framework',
      number: 34,
      kepNumber: 34,
      title: 'Scheduling Framework',
      project: 'Kubernetes',
      sigs: ['scheduling'],
    });
    const pr = (number: number, title: string, overrides: Partial<StoryItem> = {}) =>
      item({ number, title, project: 'Kubernetes', sigs: ['scheduling', 'testing'], ...overrides });
    const permit = pr(77559, 'Implement Permit extension point of the scheduling framework.');
    const filter = pr(78477, 'Add Filter extension point to the scheduling framework.', {
      occurredAt: new Date('2019-07-30T00:00:00Z'),
    });
    const otherSig = pr(78600, 'Document the scheduling framework for storage plugins', { sigs: ['storage'] });
    const otherProject = pr(4400, 'A scheduling framework for activators', { repo: 'knative/serving', project: 'Knative' });
    const apply = item({
      kind: 'kep',
      repo: 'kubernetes/enhancements',
      title: 'Apply',
      project: 'Kubernetes',
      sigs: ['apimachinery'],
    });
    const applyPr = pr(78700, 'Apply the defaults in the API server', { sigs: ['apimachinery'] });
    const groups = groupStories([framework, permit, filter, otherSig, otherProject, apply, applyPr]);
    expect(members(groups, framework.id)).toEqual([framework.id, permit.id, filter.id].sort((a, b) => a - b));
    expect(groups.find((g) => g.members.includes(permit.id))?.lead).toBe(framework.id);
    for (const alone of [otherSig, otherProject, applyPr]) expect(members(groups, alone.id)).toEqual([alone.id]);
  });

  it('joins a KEP and the pull requests of its repo that add or change its document', () => {
    const kep = item({
      kind: 'kep',
      repo: 'kubernetes/enhancements',
      title: 'Rebase Kubernetes Main Master and Node Images to Distroless/static',
      kepLocation: 'keps/sig-release/20190316-rebase-images-to-distroless',
    });
    const proposal = item({
      repo: 'kubernetes/enhancements',
      number: 900,
      title: 'KEP: Rebase k8s images to distroless',
      kepLocations: ['keps/sig-release/20190316-rebase-images-to-distroless'],
    });
    const elsewhere = item({
      number: 900,
      title: 'Unrelated',
      kepLocations: ['keps/sig-release/20190316-rebase-images-to-distroless'],
    });
    const groups = groupStories([kep, proposal, elsewhere]);
    expect(members(groups, kep.id)).toEqual([kep.id, proposal.id]);
    expect(members(groups, elsewhere.id)).toEqual([elsewhere.id]);
  });

  it('joins a release and the pull request that prepares it', () => {
    const release = item({ kind: 'release', repo: 'containerd/containerd', key: 'v1.2.7', number: null, title: 'v1.2.7' });
    const prepare = item({ repo: 'containerd/containerd', title: 'Prepare v1.2.7 release' });
    const otherRepo = item({ repo: 'knative/serving', title: 'Prepare v1.2.7 release' });
    const groups = groupStories([release, prepare, otherRepo]);
    expect(members(groups, release.id)).toEqual([release.id, prepare.id]);
    expect(groups.find((g) => g.members.includes(prepare.id))?.lead).toBe(release.id);
    expect(members(groups, otherRepo.id)).toEqual([otherRepo.id]);
  });
});

describe('similar titles', () => {
  it('finds exactly the pairs a comparison of every title with every earlier one in the window finds', () => {
    // Titles from a small vocabulary, so that many share words; some share rare ones.
    let state = 11;
    const random = () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
    const words = ['kubelet', 'scheduler', 'volume', 'csi', 'node', 'pod', 'api', 'metrics', 'proxy', 'dns', 'cgroup', 'ipv6'];
    const day = 86_400_000;
    const window = 28 * day;
    for (let trial = 0; trial < 5; trial++) {
      let time = 0;
      const titles = Array.from({ length: 400 }, () => {
        time += Math.floor(random() * 2 * day);
        const n = 1 + Math.floor(random() * 7);
        const title = Array.from({ length: n }, () => words[Math.floor(random() * (trial + 6))]).join(' ');
        return { time, tokens: significantTokens(title) };
      });
      const expected: Array<[number, number]> = [];
      for (let i = 0; i < titles.length; i++)
        for (let j = i - 1; j >= 0; j--) {
          const [a, b] = [titles[i], titles[j]] as [(typeof titles)[number], (typeof titles)[number]];
          if (a.time - b.time > window) break;
          if (a.tokens.size >= 3 && similar(a.tokens, b.tokens)) expected.push([j, i]);
        }
      const found = similarTitlePairs(titles, window);
      const key = (pairs: Array<[number, number]>) => pairs.map(([a, b]) => `${a}-${b}`).sort();
      expect(key(found)).toEqual(key(expected));
      expect(expected.length).toBeGreaterThan(20);
    }
  });
});
