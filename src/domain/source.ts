/** What radar can watch in a repository. Each source yields items of one kind. */
export const SOURCE_NAMES = ['pulls', 'keps', 'releases', 'issues'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export const ITEM_KINDS = ['pull', 'kep', 'release', 'issue'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** The kind of item each source produces. */
export const KIND_OF_SOURCE: Record<SourceName, ItemKind> = {
  pulls: 'pull',
  keps: 'kep',
  releases: 'release',
  issues: 'issue',
};
