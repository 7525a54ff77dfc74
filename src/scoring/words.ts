import type { Weights } from './signals.js';

/**
 * Words as scoring signals (pure). What an editor follows (node, runtime, scheduling, the mesh
 * data plane) is in the words of a change more than in its labels, so `radar tune` learns a
 * weight per word from the editors' picks, and the scorer adds, for each weighted word an item
 * contains, a named contribution `word:<word>` (weight × 1, shown as the word was written).
 *
 * An item's words come from its title, its release note and the start of its body, lowercased
 * and lightly normalised (markup, links, code, mentions, sign-offs and KEP front matter out;
 * a plural "s" dropped), without stop words, numbers and versions. Nothing here knows which
 * words matter: that is the weights (config scoring.words).
 */

export const WORD_PREFIX = 'word:';

export type WordSignal = `word:${string}`;

/** A word an item contains, as a feature: `x` is always 1, `shown` the word as written. */
export interface WordFeature {
  signal: WordSignal;
  x: number;
  shown: string;
}

/** Word weights by normalised word (config scoring.words). */
export type WordWeights = Readonly<Record<string, number>>;

/** Signal weights with the word weights beside them, as `word:<word>` keys (what the scorer reads). */
export type ScoringWeights = Readonly<Weights> & Readonly<Partial<Record<WordSignal, number>>>;

/** What the words of an item are read from. */
export interface WordSource {
  title: string;
  body: string | null;
  details?: unknown;
}

/** Characters of the body read: its start says what the change is; the rest is detail and logs. */
export const BODY_CHARS = 600;

export function wordSignal(word: string): WordSignal {
  return `${WORD_PREFIX}${word}`;
}

export function isWordSignal(signal: string): signal is WordSignal {
  return signal.startsWith(WORD_PREFIX);
}

/** The signal weights with word weights added as `word:<word>` keys (the weights object itself when there are none). */
export function withWordWeights(weights: Readonly<Weights>, words: WordWeights): ScoringWeights {
  const entries = Object.entries(words).filter(([, w]) => w !== 0);
  if (entries.length === 0) return weights;
  return { ...weights, ...Object.fromEntries(entries.map(([word, w]) => [wordSignal(word), w])) };
}

/** Whether a weights object weighs any word (cached per object: the scorer asks for every item). */
const weighsWords = new WeakMap<object, boolean>();
function hasWordWeights(weights: ScoringWeights): boolean {
  let known = weighsWords.get(weights);
  if (known === undefined) {
    known = Object.keys(weights).some(isWordSignal);
    weighsWords.set(weights, known);
  }
  return known;
}

/** The word features of an item: one per weighted word it contains, in the order first seen. */
export function wordFeatures(item: WordSource, weights: ScoringWeights): WordFeature[] {
  if (!hasWordWeights(weights)) return [];
  const features: WordFeature[] = [];
  for (const [word, shown] of itemWords(item)) {
    const signal = wordSignal(word);
    if (weights[signal] !== undefined) features.push({ signal, x: 1, shown });
  }
  return features;
}

/** The words of an item (normalised word -> the first form it was written in), in text order. */
export function itemWords(item: WordSource): Map<string, string> {
  const note = releaseNoteOf(item.details);
  const words = new Map<string, string>();
  for (const text of [item.title, note ?? '', bodyStart(item.body)]) {
    for (const token of text.match(TOKEN) ?? []) {
      const word = normaliseWord(token);
      if (word !== null && !words.has(word)) words.set(word, token.replace(/^[-.]+|[-.]+$/g, ''));
    }
  }
  return words;
}

/** Runs of letters, digits, hyphens and dots: `kube-apiserver`, `v1beta1`, `client-go` stay whole. */
const TOKEN = /[\p{L}\p{N}][\p{L}\p{N}.-]*/gu;

/**
 * The normalised form of a token, or null when it is no word radar weighs: lowercased, outer
 * dots and hyphens trimmed, a plural "s" dropped (nodes -> node, policies -> policy), and
 * numbers, versions (v1.15, 1.15.0-beta.1), hashes, stop words and one-letter words out.
 */
export function normaliseWord(token: string): string | null {
  let word = token.toLowerCase().replace(/^[-.]+|[-.]+$/g, '');
  if (word.length < 2 || word.length > 40) return null;
  // Numbers and versions (1.15, v1.15.0-beta.1, 1.14.x); API versions such as v1beta1 are words.
  if (/^v?\d+(\.(\d+|x))*([-.](alpha|beta|rc)([.\d]*))?$/.test(word)) return null;
  if (/^[0-9a-f]{7,}$/.test(word) && /\d/.test(word)) return null; // commit hashes
  if (!/^\p{L}/u.test(word)) return null; // 3x, 2019-03-04
  if (word.includes('.')) return null; // file names, domains, package paths: not words
  if (STOP_WORDS.has(word)) return null;
  word = singular(word);
  if (STOP_WORDS.has(word)) return null;
  return word;
}

function singular(word: string): string {
  if (word.length <= 3 || PLURAL_KEEP.has(word)) return word;
  if (/ies$/.test(word) && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ss|us)$/.test(word) || (word.length > 4 && word.endsWith('is'))) return word; // status, analysis; apis -> api
  if (/(x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** Words ending in "s" that are not plurals (the rule above would mangle them). */
const PLURAL_KEEP = new Set(['kubernetes', 'windows', 'always', 'iptables', 'ipvs', 'series', 'alias', 'canvas']);

/** The release note of a pull request, when its details carry one (not NONE). */
function releaseNoteOf(details: unknown): string | null {
  const note = (details as { releaseNote?: unknown } | null | undefined)?.releaseNote;
  if (typeof note !== 'string' || /^\s*none\s*$/i.test(note)) return null;
  return note;
}

/** The start of a body, without what is not prose: front matter, comments, code, links, sign-offs. */
export function bodyStart(body: string | null): string {
  if (!body) return '';
  const text = body
    .replace(/^---\n[\s\S]*?\n---\n/, ' ') // KEP front matter (metadata, authors)
    .replace(/<!--[\s\S]*?(-->|$)/g, ' ') // template comments, closed or not
    .replace(/```[\s\S]*?(```|$)/g, ' ') // code and release-note blocks (the note is read on its own)
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1') // markdown links: their text
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\S+@\S+/g, ' ') // e-mail addresses
    .replace(/@[\w-]+/g, ' ') // mentions
    .replace(/^\s*(signed-off-by|co-authored-by|reviewed-by|change-id):.*$/gim, ' ')
    .replace(/^\s*\/\w+.*$/gm, ' ') // prow commands: /kind feature, /sig node, /assign
    .replace(/\*\*[^*\n]*\*\*:?/g, ' ') // template headings: **What this PR does / why we need it**:
    .replace(/^#+ .*(table of contents|toc).*$/gim, ' ');
  return text.slice(0, BODY_CHARS);
}

/**
 * English function words, and the words every change and template carries (pull request,
 * release note, fixes #...), which say nothing about what a change is about.
 */
const STOP_WORDS = new Set(
  `a about above after again against all also am an and any are aren as at be because been before being below
  between both but by can cannot could did didn do does doesn doing don down during each either else etc ever
  every few for from further get got had has have having he her here hers him his how however i if in into is
  isn it its itself just let like may me might more most much must my no nor not now of off on once one only
  or other our ours out over own per same she should so some such than that the their them then there these
  they this those through thus to too under until up upon us very via was we were what when where whether
  which while who whom why will with within without would yet you your
  pr pull request commit merge merged cherry pick cherrypick kind sig area priority lgtm approve approved
  issue fix fixed fixing fixes relnote note release-note changelog none todo wip
  signed co-authored reviewer special notes user-facing documentation doc docs readme
  thank thanks please need needed needs want see also new use used using make made add added adding update
  updated updating change changed changes remove removed removing ensure allow allows support supported
  instead when should now currently able following follow part implement implemented implementation
  test tests testing e2e unit ci
  kep keps summary motivation goals non-goals proposal table contents`
    .split(/\s+/)
    .filter(Boolean),
);
