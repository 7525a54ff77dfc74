import type { ItemKind } from '../domain/source.js';
import { append } from '../lib/maps.js';

/**
 * Pure grouping of related items into stories, so that a KEP, its tracking issue and the pull
 * requests that implement it (or a feature and its cherry-picks, or the patch releases of one
 * day) appear once. Links, strongest first:
 *
 * - explicit references: "Fixes #N", "Automated cherry pick of #N", "part of #N", links to
 *   another repo's issue or PR, KEP numbers ("KEP-1287", enhancements issue links);
 * - a KEP and its enhancement tracking issue (same number, or the same title);
 * - a KEP and the pull requests of its own repo that add or change its document;
 * - a feature-gate name shared by a KEP and a pull request, or by pull requests of one repo;
 * - a KEP's title named as a phrase in the title or release note of a pull request of the same
 *   project, when the title is distinctive (two significant words or more) and the pull
 *   request's SIG labels, if any, include the KEP's SIG;
 * - within one repo only, titles that say the same thing (a cherry-pick's or backport's title, in
 *   every style the watched repos use, or titles that share most of their significant words
 *   within four weeks).
 *
 * Never across projects, and across repos by text only through a KEP's title. No I/O.
 */

export interface StoryItem {
  id: number;
  kind: ItemKind;
  repo: string;
  key: string;
  number: number | null;
  title: string;
  body: string | null;
  occurredAt: Date;
  state: string;
  kepNumber: number | null;
  /** KEP numbers the item refers to (from its text). */
  keps: number[];
  /** Feature gates a KEP declares. */
  featureGates: string[];
  releaseNote: string | null;
  prerelease: boolean;
  patch: number | null;
  /** An enhancement tracking issue (kubernetes/enhancements). */
  tracking: boolean;
  /** The project the item's repo belongs to (text links never cross projects). */
  project?: string;
  /** The branch a pull request merged into: a release branch makes it a backport. */
  baseRef?: string | null;
  /** SIGs: a KEP's owning and participating SIGs, a pull request's sig/* labels (without "sig"). */
  sigs?: string[];
  /** A KEP's place in its repo (kep-document's location), and the KEP places a pull request changes. */
  kepLocation?: string | null;
  kepLocations?: string[];
}

export interface StoryGroup {
  /** Stable key from the lead item, so regrouping keeps a story's identity. */
  key: string;
  lead: number;
  members: number[];
  title: string;
}

export const SIMILAR_WINDOW_MS = 28 * 86_400_000;
const CHERRY_PICK_WINDOW_MS = 120 * 86_400_000;

export function groupStories(items: readonly StoryItem[]): StoryGroup[] {
  const parent = new Map<number, number>(items.map((item) => [item.id, item.id]));
  const find = (id: number): number => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root) as number;
    parent.set(id, root);
    return root;
  };
  const link = (a: number | undefined, b: number | undefined) => {
    if (a === undefined || b === undefined || a === b) return;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };

  const byNumber = new Map<string, number>();
  const kepByNumber = new Map<number, number>();
  const trackingByNumber = new Map<number, number>();
  const kepByTitle = new Map<string, number>();
  for (const item of items) {
    if (item.number !== null && (item.kind === 'pull' || item.kind === 'issue'))
      byNumber.set(`${item.repo.toLowerCase()}#${item.number}`, item.id);
    if (item.kind === 'kep') {
      if (item.kepNumber) kepByNumber.set(item.kepNumber, item.id);
      kepByTitle.set(normalTitle(item.title), item.id);
    }
    if (item.tracking && item.number !== null) trackingByNumber.set(item.number, item.id);
  }

  // KEP <-> tracking issue.
  for (const item of items) {
    if (!item.tracking || item.number === null) continue;
    link(item.id, kepByNumber.get(item.number) ?? kepByTitle.get(normalTitle(item.title)));
  }

  for (const item of items) {
    if (item.kind !== 'pull' && item.kind !== 'issue') continue;
    // Explicit references to other items.
    for (const ref of strongReferences(`${item.title}\n${item.body ?? ''}`, item.repo)) link(item.id, byNumber.get(ref));
    // KEPs it implements.
    for (const kep of item.keps) link(item.id, kepByNumber.get(kep) ?? trackingByNumber.get(kep));
  }

  // A KEP and the pull requests of its repo that add or change its document.
  const kepByLocation = new Map<string, number>();
  for (const item of items)
    if (item.kind === 'kep' && item.kepLocation) kepByLocation.set(`${item.repo.toLowerCase()}|${item.kepLocation}`, item.id);
  for (const item of items) {
    if (item.kind !== 'pull') continue;
    for (const location of item.kepLocations ?? []) link(kepByLocation.get(`${item.repo.toLowerCase()}|${location}`), item.id);
  }

  // A KEP's distinctive title named in a pull request of its project ("... for the scheduling
  // framework"): phrases are looked up by their first word, so the cost follows the words of each
  // pull request, not the number of KEPs.
  const phrasesByWord = new Map<string, Array<{ kep: StoryItem; phrase: string }>>();
  for (const kep of items) {
    if (kep.kind !== 'kep') continue;
    const phrase = kepPhrase(kep.title);
    if (phrase) append(phrasesByWord, phrase.split(' ')[0] as string, { kep, phrase });
  }
  if (phrasesByWord.size > 0) {
    for (const item of items) {
      if (item.kind !== 'pull' || isChore(item.title)) continue;
      const normal = normalTitle(`${item.title} ${item.releaseNote ?? ''}`);
      const text = ` ${normal} `;
      for (const word of new Set(normal.split(' '))) {
        for (const { kep, phrase } of phrasesByWord.get(word) ?? []) {
          if (kep.project !== item.project || !text.includes(` ${phrase} `)) continue;
          const sigs = item.sigs ?? [];
          if (sigs.length > 0 && !(kep.sigs ?? []).some((sig) => sigs.includes(sig))) continue;
          link(kep.id, item.id);
        }
      }
    }
  }

  // Feature gates: declared by KEPs, or named as gates in a release note or title.
  const gateOwners = new Map<string, number[]>();
  for (const item of items) {
    const gates = new Set<string>(item.featureGates);
    for (const gate of gatesNamed(`${item.title}\n${item.releaseNote ?? ''}`)) gates.add(gate);
    for (const gate of gates) append(gateOwners, gate, item.id);
  }
  // A declared gate's name as a word of a pull request's title or release note (gate names are
  // identifiers: looking its words up costs the same however many gates there are).
  const declared = new Set(items.flatMap((i) => i.featureGates));
  for (const item of items) {
    if (item.kind !== 'pull') continue;
    const words = new Set(`${item.title}\n${item.releaseNote ?? ''}`.match(/\w+/g));
    for (const word of words) if (declared.has(word)) append(gateOwners, word, item.id);
  }
  const byId = new Map(items.map((i) => [i.id, i]));
  for (const owners of gateOwners.values()) {
    const unique = [...new Set(owners)];
    const kep = unique.find((id) => byId.get(id)?.kind === 'kep');
    for (const id of unique) {
      const item = byId.get(id) as StoryItem;
      // Across repos only through a KEP; otherwise within the repo of the first owner.
      if (kep !== undefined) link(kep, id);
      else if (item.repo === byId.get(unique[0] as number)?.repo) link(unique[0], id);
    }
  }

  // Within a repo: cherry-picks by title, and titles that say the same thing.
  const byRepo = new Map<string, StoryItem[]>();
  for (const item of items) if (item.kind === 'pull' || item.kind === 'issue') append(byRepo, item.repo, item);
  for (const list of byRepo.values()) {
    list.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    const originals = new Map<string, StoryItem>();
    const picks = new Map<string, StoryItem>();
    const tokens = new Map(list.map((item) => [item.id, significantTokens(stripCherryPick(item.title))]));
    const chores = new Set(list.filter((item) => isChore(item.title)).map((item) => item.id));
    for (const item of list) {
      const stripped = normalTitle(stripCherryPick(item.title));
      if (isCherryPick(item.title) || isBackportBranch(item.baseRef)) {
        // Its original, else the same change picked to another branch (the original may be older
        // than what is stored).
        const original = originals.get(stripped) ?? picks.get(stripped);
        if (original && item.occurredAt.getTime() - original.occurredAt.getTime() <= CHERRY_PICK_WINDOW_MS)
          link(original.id, item.id);
        if (!picks.has(stripped)) picks.set(stripped, item);
      } else if (!originals.has(stripped)) {
        originals.set(stripped, item);
      }
    }
    const comparable = list.filter((item) => !chores.has(item.id));
    const titles = comparable.map((item) => ({ time: item.occurredAt.getTime(), tokens: tokens.get(item.id) as Set<string> }));
    for (const [earlier, later] of similarTitlePairs(titles, SIMILAR_WINDOW_MS))
      link((comparable[earlier] as StoryItem).id, (comparable[later] as StoryItem).id);
  }

  // A release and the pull request that prepares it ("Prepare v1.2.7 release", "Release 0.6.0").
  const releaseByVersion = new Map<string, number>();
  for (const item of items)
    if (item.kind === 'release') releaseByVersion.set(`${item.repo.toLowerCase()}|${item.key.replace(/^v/i, '')}`, item.id);
  if (releaseByVersion.size > 0) {
    for (const item of items) {
      if (item.kind !== 'pull') continue;
      const named = versionPrepared(item.title);
      if (named) link(releaseByVersion.get(`${item.repo.toLowerCase()}|${named}`), item.id);
    }
  }

  // Patch releases of several branches on one day.
  const releaseDays = new Map<string, number[]>();
  for (const item of items) {
    if (item.kind !== 'release' || item.prerelease || !item.patch) continue;
    const day = `${item.repo}|${item.occurredAt.toISOString().slice(0, 10)}`;
    append(releaseDays, day, item.id);
  }
  for (const ids of releaseDays.values()) for (const id of ids.slice(1)) link(ids[0], id);

  const groups = new Map<number, StoryItem[]>();
  for (const item of items) append(groups, find(item.id), item);
  return [...groups.values()].map((members) => {
    const lead = chooseLead(members);
    return {
      key: `${lead.kind}:${lead.repo.toLowerCase()}:${lead.key}`,
      lead: lead.id,
      members: members.map((m) => m.id).sort((a, b) => a - b),
      title: lead.title,
    };
  });
}

const KIND_RANK: Record<ItemKind, number> = { kep: 0, release: 1, issue: 2, pull: 3 };

/** The story is told from its KEP, else its release, else its design issue, else its first non-cherry-pick change. */
function chooseLead(members: StoryItem[]): StoryItem {
  return [...members].sort(
    (a, b) =>
      KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      Number(a.tracking) - Number(b.tracking) ||
      Number(isCherryPick(a.title) || isBackportBranch(a.baseRef)) -
        Number(isCherryPick(b.title) || isBackportBranch(b.baseRef)) ||
      a.occurredAt.getTime() - b.occurredAt.getTime() ||
      a.id - b.id,
  )[0] as StoryItem;
}

/** The version a pull request prepares by its title ("Prepare v1.2.7 release", "Release 0.6.0"), without the "v". */
export function versionPrepared(title: string): string | null {
  return (
    /\b(?:prepare|release|cut|bump(?:ing)? version to|version)\b[^\n]*?\bv?(\d+\.\d+\.\d+(?:-[\w.]+)?)\b/i.exec(title)?.[1] ??
    null
  );
}

/** "owner/repo#N" keys of issues and PRs a text refers to on purpose (not every mention). */
export function strongReferences(text: string, repo: string): string[] {
  const refs = new Set<string>();
  const own = repo.toLowerCase();
  const verbs =
    '(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?|implements?|implementing|part of|follow[- ]up (?:to|of|for)|split (?:from|out of)|depends on|cherry[- ]pick(?:ed)? (?:of|from)|backport(?:ed)? (?:of|from)|revert(?:s|ed)?|reverting)';
  for (const m of text.matchAll(new RegExp(`\\b${verbs}:?\\s+((?:[\\w.-]+\\/[\\w.-]+)?#\\d+(?:\\s*,\\s*#\\d+)*)`, 'gi'))) {
    for (const ref of (m[1] as string).matchAll(/(?:([\w.-]+\/[\w.-]+))?#(\d+)/g))
      refs.add(`${(ref[1] ?? own).toLowerCase()}#${ref[2]}`);
  }
  for (const m of text.matchAll(
    new RegExp(`\\b${verbs}:?\\s+https?:\\/\\/github\\.com\\/([\\w.-]+\\/[\\w.-]+)\\/(?:issues|pull)\\/(\\d+)`, 'gi'),
  )) {
    refs.add(`${(m[1] as string).toLowerCase()}#${m[2]}`);
  }
  // "Automated cherry pick of #123: Title" / "Cherry pick of #123 on release-1.14."
  for (const m of text.matchAll(/automated cherry pick of ((?:#\d+\s*)+)/gi))
    for (const n of (m[1] as string).matchAll(/#(\d+)/g)) refs.add(`${own}#${n[1]}`);
  return [...refs];
}

/** Feature-gate names a text names as such ("feature gate `Foo`", "--feature-gates=Foo=true", "the Foo feature gate"). */
export function gatesNamed(text: string): string[] {
  const gates = new Set<string>();
  for (const m of text.matchAll(/feature[- ]?gates?[\s:=`'"(]+([A-Z][A-Za-z0-9]{3,})/g)) gates.add(m[1] as string);
  for (const m of text.matchAll(/`?([A-Z](?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]{3,})`?\s+feature[- ]?gate/g)) gates.add(m[1] as string);
  return [...gates];
}

// The cherry-pick and backport titles of the watched repos: Kubernetes' "Automated cherry pick of
// #N: ...", containerd's "[release/1.2 backport] ...", "[cherry-pick release/1.2] ...",
// "[release1.2] ...", Envoy's and Istio's "[release-1.1] ...", "[1.1] ...", "Cherry-pick #N to
// master", "Cherrypick: ...", "Backport #N".
const CHERRY_PICK_PREFIX =
  /^\s*\[(?:(?:cherry[- ]?pick(?:ed)?|backport(?:ed|ing)?)\s+(?:to\s+)?)?(?:release[-/ ]?[\w.]*|\d+\.\d+(?:\.x)?)(?:\s*(?:->|=>|to)\s*[\w./-]+)?(?:\s+(?:backport(?:ed|ing)?|cherry[- ]?pick(?:ed)?))?\s*\]\s*/i;
const CHERRY_PICK_WORDS =
  /automated cherry[- ]?pick|\bcherry[- ]?pick(?:ed|ing)?\b(?:\s*(?:of|from|pr|:|#\d+))?|\bbackport(?:ed|ing)?\s*(?:of|from|to|#\d+|:)/i;

export function isCherryPick(title: string): boolean {
  return CHERRY_PICK_PREFIX.test(title) || CHERRY_PICK_WORDS.test(title);
}

/** A pull request merged into a release branch (release-1.14, release/1.2) is a backport. */
export function isBackportBranch(baseRef: string | null | undefined): boolean {
  return Boolean(baseRef && /^release[-/]?v?\d/i.test(baseRef));
}

export function stripCherryPick(title: string): string {
  return title
    .replace(/^\s*automated cherry[- ]?pick of (#\d+\s*)+:?\s*/i, '')
    .replace(CHERRY_PICK_PREFIX, '')
    .replace(/\s*\(#\d+\)\s*$/, '')
    .replace(/^\s*(cherry[- ]?pick(ed)?|backport(ed)?)( of| from)?\s*(#\d+\s*)?(to \S+\s*)?:?\s*/i, '');
}

/**
 * The phrase a KEP's title names its subject with, for finding it in pull request titles:
 * without "KEP:", "Graduate ... to GA" or "Support for", and only when two or more significant
 * words are left (a one-word title such as "Apply" would match anything).
 */
export function kepPhrase(title: string): string | null {
  const subject = normalTitle(
    title
      .replace(/^\s*kep[-\s]*\d*\s*:?\s*/i, '')
      .replace(/\b(graduate|promote|move)\b\s*/i, '')
      .replace(/\s+(to|as)\s+(alpha|beta|ga|stable|general availability)\b.*$/i, '')
      .replace(/^\s*(add|adding|support for|support|implement|introduce|proposal for|proposal)\s+/i, ''),
  );
  const significant = subject.split(' ').filter(isSignificantWord);
  return significant.length >= 2 && subject.length >= 10 ? subject : null;
}

export function isChore(title: string): boolean {
  return /\b(bump|update (deps|dependencies|vendor|test-infra)|auto-?update|lint|typo|flak(e|y)|e2e|unit tests?|refactor|clean ?up|boilerplate|format(ting)? (tools|code)|gofmt|release notes?|changelog|owners|readme)\b/i.test(
    title,
  );
}

const STOP = new Set(
  'a an the and or of to in on for with from by at as is be are this that it its into via when not no use using add adds added fix fixes fixed update updates updated support supports remove removes removed make makes allow allows change changes new more less test tests e2e'.split(
    ' ',
  ),
);

/** A word that can carry a title's meaning: longer than two letters and not a stop word. */
export function isSignificantWord(word: string): boolean {
  return word.length > 2 && !STOP.has(word);
}

export function significantTokens(title: string): Set<string> {
  return new Set(
    title
      .toLowerCase()
      .replace(/[`'"()[\]{}:,.;!?]/g, ' ')
      .split(/[\s/_-]+/)
      .filter((t) => isSignificantWord(t) && !/^\d+$/.test(t)),
  );
}

/**
 * The pairs of titles (oldest first, each with its significant tokens) that are `similar` and at
 * most `windowMs` apart, as [earlier, later] indexes. Prefix filtering (Bayardo et al., "Scaling
 * Up All Pairs Similarity Search"): with tokens in one order, rarest first, two similar titles
 * share at least `need(n)` tokens, so their first shared token is among the first n - need(n) + 1
 * of each; only titles sharing one of those are compared. The same pairs as comparing each title
 * with every earlier one in the window, at a cost that follows the titles that share rare words.
 */
export function similarTitlePairs(
  titles: ReadonlyArray<{ time: number; tokens: Set<string> }>,
  windowMs: number,
): Array<[number, number]> {
  const frequency = new Map<string, number>();
  for (const title of titles) for (const token of title.tokens) frequency.set(token, (frequency.get(token) ?? 0) + 1);
  const rarestFirst = (a: string, b: string) =>
    (frequency.get(a) as number) - (frequency.get(b) as number) || (a < b ? -1 : a > b ? 1 : 0);
  // Tokens two similar titles of n tokens share at least: 3, and 60% of the larger one (the
  // epsilon keeps a product like 0.6 * 5 from rounding up past its integer).
  const need = (n: number) => Math.max(MIN_SHARED, Math.ceil(SIMILARITY * n - 1e-9));
  const postings = new Map<string, { titles: number[]; first: number }>();
  const pairs: Array<[number, number]> = [];
  for (const [index, title] of titles.entries()) {
    if (title.tokens.size < MIN_SHARED) continue;
    const prefix = [...title.tokens].sort(rarestFirst).slice(0, title.tokens.size - need(title.tokens.size) + 1);
    const candidates = new Set<number>();
    for (const token of prefix) {
      const posting = postings.get(token);
      if (!posting) continue;
      // Titles are oldest first: one out of the window is out of it for every later title too.
      while (
        posting.first < posting.titles.length &&
        title.time - (titles[posting.titles[posting.first] as number] as { time: number }).time > windowMs
      )
        posting.first += 1;
      for (let k = posting.first; k < posting.titles.length; k++) candidates.add(posting.titles[k] as number);
    }
    for (const earlier of [...candidates].sort((a, b) => a - b))
      if (similar(title.tokens, (titles[earlier] as { tokens: Set<string> }).tokens)) pairs.push([earlier, index]);
    for (const token of prefix) {
      const posting = postings.get(token) ?? { titles: [], first: 0 };
      posting.titles.push(index);
      postings.set(token, posting);
    }
  }
  return pairs;
}

export const MIN_SHARED = 3;
export const SIMILARITY = 0.6;

/** Titles that share most of their significant words: at least 3, and 60% of all of them. */
export function similar(a: Set<string>, b: Set<string>): boolean {
  let shared = 0;
  for (const token of a) if (b.has(token)) shared += 1;
  const union = a.size + b.size - shared;
  return shared >= MIN_SHARED && shared / union >= SIMILARITY;
}

export function normalTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
