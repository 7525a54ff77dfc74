import type { Item, PullDetails } from '../../src/domain/item.js';

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
