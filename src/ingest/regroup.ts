import type { IssueDetails, KepDetails, PullDetails, ReleaseDetails } from '../domain/item.js';
import type { Logger } from '../lib/logger.js';
import { storyScore } from '../scoring/score.js';
import { groupStories, type StoryItem } from '../scoring/stories.js';
import { GROUPING_REVISION, groupingDigest, linkKeyHash, type StoryKeys, storyKeys } from '../scoring/story-keys.js';
import type { Db } from '../store/db.js';
import {
  loadItemsForGrouping,
  loadItemsForGroupingById,
  loadUngroupedIds,
  type StoredForScoring,
  type StoryRow,
  saveStories,
} from '../store/scoring.js';
import { findByLinkKeys, linkKeysComplete, loadStoryMembers, saveGroupingRevision, saveLinkKeys } from '../store/story-links.js';
import type { RepoScoring } from './rescore.js';
import { kepsChanged } from './scoring-context.js';

export interface RegroupResult {
  /** Stories among the items regrouped (every story when all were). */
  stories: number;
  /** Items that moved to another story. */
  moved: number;
  /** Items regrouped: every stored item, or what changed and everything it could be linked with. */
  regrouped: number;
  /** Whether every item was regrouped. */
  all: boolean;
}

/**
 * Past this share of the store, a partial regrouping reads about as much as a whole one and
 * costs its lookups on top: the whole store is regrouped instead.
 */
const PARTIAL_SHARE = 0.4;
/** The store is counted (for PARTIAL_SHARE) only once a partial regrouping gets this large. */
const PARTIAL_COUNT_FROM = 20_000;

/**
 * Regroups stories after a scoring pass (in its transaction). When every item's link keys are
 * stored (src/scoring/story-keys.ts), only the items that changed are regrouped, with every item
 * they could now be linked with and every member of the stories involved: the stories come out
 * as a regrouping of the whole store would give them, at a cost that follows what changed.
 * Otherwise (the first pass after an upgrade, new grouping rules, `radar rescore`) every item is
 * regrouped, and the keys stored.
 */
export async function regroupStories(
  db: Db,
  scoring: (item: StoredForScoring) => RepoScoring,
  changedIds: readonly number[],
  options: { all: boolean; logger: Logger },
): Promise<RegroupResult> {
  if (!options.all) {
    const touched = new Set([...changedIds, ...(await loadUngroupedIds(db))]);
    if (!(await linkKeysComplete(db, GROUPING_REVISION, touched)))
      options.logger.info({}, 'regrouping every story: stored link keys are missing or of other grouping rules');
    else {
      const partial = await regroupChanged(db, scoring, [...touched]);
      if (partial) return partial;
      options.logger.info({}, 'regrouping every story: what changed reaches much of the store');
    }
  }
  return regroupAll(db, scoring);
}

async function regroupAll(db: Db, scoring: (item: StoredForScoring) => RepoScoring): Promise<RegroupResult> {
  const items = await loadItemsForGrouping(db);
  // Keys are computed and written a batch at a time: held for a million items at once, their
  // strings alone would take gigabytes.
  for (let start = 0; start < items.length; start += KEYS_BATCH) {
    const batch = items.slice(start, start + KEYS_BATCH);
    await saveChangedLinkKeys(db, batch, new Map(batch.map((item) => [item.id, linksOf(item)])));
  }
  const stories = storyRows(items, scoring);
  const saved = await saveStories(db, new Map(items.map((i) => [i.id, i.storyId])), stories);
  await saveGroupingRevision(db, GROUPING_REVISION);
  return { ...saved, regrouped: items.length, all: true };
}

/**
 * The partial regrouping, or null when it would reach more than PARTIAL_SHARE of the store.
 * The set grows from the changed items (and those in no story) to a fixpoint: what their probes
 * find (only for an item whose grouping digest changed: one with the same links looks nothing
 * up), every member of each story a loaded item is in, and every holder of a key a loaded item
 * has to be regrouped with (StoryKeys.complete).
 */
async function regroupChanged(
  db: Db,
  scoring: (item: StoredForScoring) => RepoScoring,
  /** What the pass scored, and the items in no story. */
  touched: readonly number[],
): Promise<RegroupResult | null> {
  if (touched.length === 0) return { stories: 0, moved: 0, regrouped: 0, all: false };
  const loaded = new Map<number, StoredForScoring>();
  const links = new Map<number, ItemLinks>();
  const lookedUp = new Set<number>();
  const expanded = new Set<number>();
  let limit: number | null = null;

  for (let next = [...touched], round = 0; next.length > 0; round++) {
    const hashes = new Set<number>();
    const stories = new Set<number>();
    for (const item of await loadItemsForGroupingById(db, next)) {
      loaded.set(item.id, item);
      const itemLinks = linksOf(item);
      links.set(item.id, itemLinks);
      const lookUp =
        round === 0 && !itemLinks.unchanged ? [...itemLinks.keys.probes, ...itemLinks.keys.complete] : itemLinks.keys.complete;
      for (const key of lookUp) hashes.add(linkKeyHash(key));
      if (item.storyId !== null) stories.add(item.storyId);
    }
    const found = await findByLinkKeys(
      db,
      [...hashes].filter((hash) => !lookedUp.has(hash)),
    );
    for (const hash of hashes) lookedUp.add(hash);
    for (const item of found) if (item.storyId !== null) stories.add(item.storyId);
    const newStories = [...stories].filter((id) => !expanded.has(id));
    for (const id of newStories) expanded.add(id);
    const members = await loadStoryMembers(db, newStories);
    next = [...new Set([...found, ...members].map((item) => item.id))].filter((id) => !loaded.has(id));
    if (loaded.size + next.length > PARTIAL_COUNT_FROM) {
      limit ??= Math.floor(PARTIAL_SHARE * (await countItems(db)));
      if (loaded.size + next.length > limit) return null;
    }
  }

  const items = [...loaded.values()].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.id - b.id);
  await saveChangedLinkKeys(
    db,
    touched.flatMap((id) => {
      const item = loaded.get(id);
      return item ? [item] : [];
    }),
    links,
  );
  const saved = await saveStories(db, new Map(items.map((i) => [i.id, i.storyId])), storyRows(items, scoring), [...expanded]);
  return { ...saved, regrouped: items.length, all: false };
}

/**
 * An item's grouping digest as computed now, whether its links are as stored (the keys are a
 * function of the digested fields and the grouping revision, so the same digest means the same
 * keys), and its keys, computed when first asked for: a whole regrouping needs them only for the
 * items whose digest changed.
 */
interface ItemLinks {
  readonly keys: StoryKeys;
  digest: number;
  unchanged: boolean;
}

function linksOf(item: StoredForScoring): ItemLinks {
  const storyItem = toStoryItem(item);
  const digest = groupingDigest(storyItem);
  let keys: StoryKeys | undefined;
  return {
    get keys() {
      keys ??= storyKeys(storyItem);
      return keys;
    },
    digest,
    unchanged: item.storyId !== null && item.linkDigest === digest,
  };
}

/** Items whose link keys are computed and written at once by a whole regrouping. */
const KEYS_BATCH = 2000;

async function countItems(db: Db): Promise<number> {
  const row = await db
    .selectFrom('items')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The stories of these items (oldest first), as stored: lead, members, score, time span. */
function storyRows(items: readonly StoredForScoring[], scoring: (item: StoredForScoring) => RepoScoring): StoryRow[] {
  const byId = new Map(items.map((i) => [i.id, i]));
  return groupStories(items.map(toStoryItem)).map((group) => {
    const members = group.members.map((id) => byId.get(id) as StoredForScoring);
    const lead = byId.get(group.lead) as StoredForScoring;
    const times = members.map((m) => m.occurredAt.getTime());
    return {
      key: group.key,
      title: group.title,
      project: lead.project,
      leadItemId: group.lead,
      members: group.members,
      score: storyScore(
        members.map((m) => m.score ?? 0),
        scoring(lead).weights,
      ).score,
      firstOccurredAt: new Date(Math.min(...times)),
      lastOccurredAt: new Date(Math.max(...times)),
    };
  });
}

/** Stores the link keys and digests of these items where they differ from what is stored. */
async function saveChangedLinkKeys(
  db: Db,
  items: readonly StoredForScoring[],
  links: ReadonlyMap<number, ItemLinks>,
): Promise<void> {
  const changed = items.flatMap((item) => {
    const itemLinks = links.get(item.id) as ItemLinks;
    if (item.linkDigest === itemLinks.digest) return [];
    const hashes = [...new Set(itemLinks.keys.keys.map(linkKeyHash))].sort((a, b) => a - b);
    return [{ id: item.id, keys: hashes, digest: itemLinks.digest }];
  });
  await saveLinkKeys(db, changed);
}

export function toStoryItem(item: StoredForScoring): StoryItem {
  // Whichever kind it is, the fields grouping reads (absent ones are undefined).
  const details = item.details as {
    kepNumber?: KepDetails['kepNumber'];
    featureGates?: KepDetails['featureGates'];
    location?: KepDetails['location'];
    owningSig?: KepDetails['owningSig'];
    participatingSigs?: KepDetails['participatingSigs'];
    references?: PullDetails['references'];
    releaseNote?: PullDetails['releaseNote'];
    baseRef?: PullDetails['baseRef'];
    files?: PullDetails['files'];
    prerelease?: ReleaseDetails['prerelease'];
    version?: ReleaseDetails['version'];
    tracking?: IssueDetails['tracking'];
  };
  const kep = item.kind === 'kep';
  const sigs = kep
    ? [details.owningSig, ...(details.participatingSigs ?? [])]
    : item.labels.filter((l) => l.toLowerCase().startsWith('sig/'));
  return {
    id: item.id,
    kind: item.kind,
    repo: item.repo,
    key: item.key,
    number: item.number,
    title: item.title,
    body: item.body,
    occurredAt: item.occurredAt,
    state: item.state,
    kepNumber: kep ? (details.kepNumber ?? null) : null,
    keps: details.references?.keps ?? [],
    featureGates: kep ? (details.featureGates ?? []) : [],
    releaseNote: details.releaseNote ?? null,
    prerelease: details.prerelease ?? false,
    patch: item.kind === 'release' ? (details.version?.patch ?? null) : null,
    tracking: item.kind === 'issue' && Boolean(details.tracking),
    project: item.project,
    baseRef: details.baseRef ?? null,
    sigs: [...new Set(sigs.filter((sig): sig is string => Boolean(sig)).map(sigName))],
    kepLocation: kep ? (details.location ?? null) : null,
    kepLocations: item.kind === 'pull' ? kepsChanged(details.files) : [],
  };
}

/** "sig-api-machinery", "sig/api-machinery", "sig-apimachinery" -> "apimachinery". */
function sigName(sig: string): string {
  return sig
    .toLowerCase()
    .replace(/^sig[-/]?/, '')
    .replace(/[^a-z]/g, '');
}
