import {
  gatesNamed,
  isBackportBranch,
  isCherryPick,
  isChore,
  kepPhrase,
  MIN_SHARED,
  normalTitle,
  SIMILAR_WINDOW_MS,
  SIMILARITY,
  type StoryItem,
  significantTokens,
  stripCherryPick,
  strongReferences,
  versionPrepared,
} from './stories.js';

/**
 * What lets story grouping be redone for what changed instead of for the whole store. Every
 * rule of groupStories (src/scoring/stories.ts) links two items only when they share something
 * here: an item is stored with its `keys`, and an item that changed looks up, by its `probes`,
 * every stored item it could now be linked with. The keys over-approximate (two items sharing
 * one need not be linked; groupStories decides), never under-approximate: a rule added to
 * groupStories needs its key here, and GROUPING_REVISION raised.
 *
 * Some rules depend on which of several items comes first (the original of a cherry-pick is the
 * first of its title in its repo; a feature gate without a KEP links its owners to the first of
 * them): for those, `complete` names the keys whose every holder has to be regrouped together.
 *
 * No I/O; the store keeps the keys hashed (linkKeyHash), so a collision only loads one more item.
 */
export interface StoryKeys {
  /** What others find this item by. */
  keys: string[];
  /** What to look up when this item changed: its keys, and what it could now link to. */
  probes: string[];
  /** Keys whose holders groupStories orders among themselves: all of them are regrouped together. */
  complete: string[];
}

/** Raise when a key or rule changes: the next scoring pass regroups everything and stores new keys. */
export const GROUPING_REVISION = 1;

export function storyKeys(item: StoryItem): StoryKeys {
  const keys = new Set<string>();
  const probes = new Set<string>();
  const complete = new Set<string>();
  /** Keys others find this item by that it does not look up itself. */
  const foundBy = new Set<string>();
  const repo = item.repo.toLowerCase();
  const change = item.kind === 'pull' || item.kind === 'issue';
  const text = `${item.title}\n${item.releaseNote ?? ''}`;
  const kepOrTracking = item.kind === 'kep' || item.tracking;

  // Explicit references: the item's own number, and what it refers to.
  if (change) {
    if (item.number !== null) keys.add(`n:${repo}#${item.number}`);
    for (const ref of strongReferences(`${item.title}\n${item.body ?? ''}`, item.repo)) keys.add(`n:${ref}`);
  }
  // KEP numbers: a KEP's, its tracking issue's, and those a change implements. Which KEP or
  // tracking issue of a number counts is an order (the last one): those are regrouped together.
  const kepNumbers = new Set<number>();
  if (item.kind === 'kep' && item.kepNumber) kepNumbers.add(item.kepNumber);
  if (item.tracking && item.number !== null) kepNumbers.add(item.number);
  if (change) for (const kep of item.keps) kepNumbers.add(kep);
  for (const n of kepNumbers) keys.add(`k:${n}`);
  if (kepOrTracking) for (const n of kepNumbers) addComplete(`kn:${n}`);
  // A KEP and its tracking issue by title.
  if (kepOrTracking) addComplete(`kt:${normalTitle(item.title)}`);
  // A KEP's place, and the KEP places a pull request changes.
  if (item.kind === 'kep' && item.kepLocation) addComplete(`kl:${repo}|${item.kepLocation}`);
  if (item.kind === 'pull') for (const location of item.kepLocations ?? []) keys.add(`kl:${repo}|${location}`);

  // A KEP's title as a phrase of a pull request: both by the phrase's first two words, which
  // are two adjacent words of the pull request's title and release note.
  if (item.kind === 'kep') {
    const phrase = kepPhrase(item.title);
    if (phrase) {
      const opening = phrase.split(' ').slice(0, 2).join(' ');
      foundBy.add(`kp:${opening}`);
      probes.add(`p2:${opening}`);
    }
  }
  if (item.kind === 'pull' && !isChore(item.title)) {
    const words = normalTitle(text).split(' ');
    for (let i = 0; i + 1 < words.length; i++) {
      foundBy.add(`p2:${words[i]} ${words[i + 1]}`);
      probes.add(`kp:${words[i]} ${words[i + 1]}`);
    }
  }

  // Feature gates: declared by a KEP or named as gates (which of their owners comes first is an
  // order), and a KEP's declared gate as a word of a pull request (a gate's name has a capital).
  const gates = new Set<string>([...item.featureGates, ...gatesNamed(text)]);
  for (const gate of gates) addComplete(`g:${gate}`);
  for (const gate of item.featureGates) probes.add(`w:${gate}`);
  if (item.kind === 'pull')
    for (const word of new Set(text.match(/\w+/g))) {
      if (word === word.toLowerCase()) continue;
      foundBy.add(`w:${word}`);
      probes.add(`g:${word}`);
    }

  // Within a repo: cherry-picks and backports by their stripped title. A pick links to the first
  // original of its title (else the first pick) within 120 days, so a pick is regrouped with
  // every item of its title; a new original matters only to the title's picks, which it looks up.
  if (change) {
    const title = `${repo}|${normalTitle(stripCherryPick(item.title))}`;
    if (isCherryPick(item.title) || isBackportBranch(item.baseRef)) {
      addComplete(`cp:${title}`);
      complete.add(`co:${title}`);
    } else {
      foundBy.add(`co:${title}`);
      probes.add(`cp:${title}`);
    }
  }
  // Similar titles within the window share three significant words or more: by pairs of words,
  // in 28-day buckets (an item looks up its own bucket and the two beside it). A title of n words
  // shares k = max(3, 60% of n) of them with any similar one, and so two of any n - k + 2 of its
  // words: it looks up the pairs of those only.
  if (change && !isChore(item.title)) {
    const tokens = [...significantTokens(stripCherryPick(item.title))].sort();
    const bucket = Math.floor(item.occurredAt.getTime() / SIMILAR_WINDOW_MS);
    const probed = tokens.length - Math.max(MIN_SHARED, Math.ceil(SIMILARITY * tokens.length - 1e-9)) + 2;
    for (let i = 0; i < tokens.length; i++)
      for (let j = i + 1; j < tokens.length; j++) {
        const pair = `${tokens[i]} ${tokens[j]}`;
        foundBy.add(`sp:${repo}|${bucket}|${pair}`);
        if (j < probed) for (const near of [bucket - 1, bucket, bucket + 1]) probes.add(`sp:${repo}|${near}|${pair}`);
      }
  }

  // A release and the pull request that prepares it; patch releases of one day.
  if (item.kind === 'release') {
    keys.add(`rv:${repo}|${item.key.replace(/^v/i, '')}`);
    if (!item.prerelease && item.patch) keys.add(`rd:${repo}|${item.occurredAt.toISOString().slice(0, 10)}`);
  }
  if (item.kind === 'pull') {
    const version = versionPrepared(item.title);
    if (version) keys.add(`rv:${repo}|${version}`);
  }

  for (const key of keys) probes.add(key);
  return { keys: [...keys, ...foundBy], probes: [...probes], complete: [...complete] };

  function addComplete(key: string) {
    keys.add(key);
    complete.add(key);
  }
}

/**
 * A digest of everything groupStories reads of an item (all of StoryItem but its id and state),
 * and of the grouping revision: while it is unchanged, so are the item's link keys (a function of
 * both) and its links, and a pass regroups the item's story without looking anything up for it.
 */
export function groupingDigest(item: StoryItem): number {
  const { id: _id, state: _state, ...read } = item;
  return linkKeyHash(`${GROUPING_REVISION}|${JSON.stringify(read)}`);
}

/** A key as the store indexes it: 32-bit FNV-1a, as a signed integer (PostgreSQL's integer). */
export function linkKeyHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
