import type { Item, KepDetails, PullDetails, ReleaseDetails } from '../../src/domain/item.js';
import { parseSemVer } from '../../src/sources/semver.js';

/** A normalised pull request item, for store-level tests. */
export function pullItem(repo: string, number: number, overrides: Partial<Item> = {}): Item {
  const details: PullDetails = {
    type: 'pull',
    mergedAt: '2019-05-02T10:00:00Z',
    baseRef: 'master',
    headRef: null,
    draft: false,
    additions: null,
    deletions: null,
    changedFiles: null,
    commits: null,
    comments: 1,
    reviews: null,
    reactions: 0,
    files: null,
    releaseNote: null,
    references: { issues: [], keps: [], external: [] },
    enrichedAt: null,
  };
  return {
    kind: 'pull',
    repo,
    key: String(number),
    number,
    tag: null,
    title: `Change ${number}`,
    url: `https://github.com/${repo}/pull/${number}`,
    author: 'octocat',
    state: 'merged',
    labels: ['kind/feature'],
    body: null,
    occurredAt: new Date('2019-05-02T10:00:00Z'),
    sourceUpdatedAt: new Date('2019-05-02T10:00:00Z'),
    details,
    raw: { number },
    ...overrides,
  };
}

/** A normalised release item (its version read from the tag), for store-level tests. */
export function releaseItem(repo: string, tag: string, occurredAt: Date, overrides: Partial<Item> = {}): Item {
  const version = parseSemVer(tag);
  const details: ReleaseDetails = {
    type: 'release',
    name: tag,
    prerelease: Boolean(version?.prerelease),
    version,
    publishedAt: occurredAt.toISOString(),
  };
  return {
    ...pullItem(repo, 0),
    kind: 'release',
    key: tag,
    number: null,
    tag,
    title: tag,
    url: `https://github.com/${repo}/releases/tag/${tag}`,
    state: 'published',
    labels: [],
    occurredAt,
    sourceUpdatedAt: occurredAt,
    details,
    ...overrides,
  };
}

/** A normalised KEP item of kubernetes/enhancements (a kep.yaml KEP of sig-node), for store-level tests. */
export function kepItem(
  number: number,
  title: string,
  occurredAt: Date,
  details: Partial<KepDetails> = {},
  overrides: Partial<Item> = {},
): Item {
  const kep: KepDetails = {
    type: 'kep',
    kepNumber: number,
    path: `keps/sig-node/${number}-x/kep.yaml`,
    location: `keps/sig-node/${number}-x`,
    blob: 'abc',
    owningSig: 'sig-node',
    participatingSigs: [],
    status: 'implementable',
    stage: 'beta',
    latestMilestone: 'v1.16',
    milestones: {},
    featureGates: [],
    authors: ['someone'],
    commit: 'c1',
    creationDate: null,
    tracking: null,
    ...details,
  };
  return {
    ...pullItem('kubernetes/enhancements', number),
    kind: 'kep',
    key: `KEP-${number}`,
    number,
    title,
    url: `https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/${number}-x`,
    state: 'implementable',
    labels: [],
    occurredAt,
    sourceUpdatedAt: occurredAt,
    details: kep,
    ...overrides,
  };
}
