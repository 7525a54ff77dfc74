import type { Item, PullDetails, ReleaseDetails } from '../../src/domain/item.js';
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
