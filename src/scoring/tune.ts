import { ndcgAt, recallAt } from './evaluation.js';
import { round, storyScore } from './score.js';
import type { Weights } from './signals.js';
import { isWordSignal, type WordWeights, wordSignal } from './words.js';

/**
 * Learning weights from editors' decisions (pure).
 *
 * The model is the one the candidate list is: a score s = w·x in score units, stories ranked by
 * it. An editor's promotion of item a in a week (and project) is a choice of a among the
 * candidates they passed over or dismissed there; a dismissal of d is the rejection of d among
 * the ones they kept:
 *
 *     P(a promoted | a, B) = exp(β s_a) / Σ_{j ∈ {a} ∪ B} exp(β s_j)      (conditional logit)
 *     P(d dismissed | d, K) = exp(-β s_d) / Σ_{j ∈ {d} ∪ K} exp(-β s_j)
 *
 * which for a single alternative is the pairwise P(a above b) = σ(β (s_a − s_b)). A choice model
 * rather than independent pairs, because the candidates one promotion is compared with are not
 * independent evidence: each decision counts once, however long the list it was made from.
 * β (log-odds per score point) is fitted first on the current weights, then the weights in score
 * units, as the maximum a posteriori under a Gaussian prior centred on the current weights,
 * N(w_current, τ²), by Newton's method within bounds; then β again on those, and the weights
 * again, until β settles. With few decisions the suggestion stays close to the current weights;
 * it moves as far as the decisions support, and the curvature of the posterior (the Hessian)
 * says how well each weight is supported.
 *
 * Guards: magnitudes are bounded (a signal at most twice its current size, or 3; a word ±1.5);
 * a signal's sign changes only with enough support (≥ 5 decisions telling on it and a 95%
 * interval excluding zero, `LearnOptions.flip`), else it stops at 0.
 * Words of the promoted items (title, release note, start of body) are learnt beside the signals,
 * from 0 (or their current weight) with a narrower prior.
 */

/** One candidate of a decided week, as the learning sees it. */
export interface LearningItem {
  /** For reports (an item id). */
  id?: string | number;
  /** Items of one story rank together (by the story's score); absent or null: a story alone. */
  story?: string | number | null;
  /** Signal values (absent = 0), as the scorer weighs them; `carry-over` is weeks of age. */
  features: Readonly<Record<string, number>>;
  /** The normalised words of its text (`itemWords`). */
  words?: readonly string[];
  /** The editor promoted it this week. */
  promoted?: boolean;
  /** The editor dismissed it. */
  dismissed?: boolean;
  /** When it happened (ms), to break ties as the candidate list does: the later first. */
  at?: number;
}

/** The candidates of one project in one decided week (a digest issue's period), with the decisions. */
export interface LearningWeek {
  /** A label: weeks with the same label are held out together (e.g. "2019-W10"). */
  week: string;
  project: string;
  items: readonly LearningItem[];
}

export interface LearnOptions {
  /** Prior strength: the prior's spread is divided by √lambda (default 1; larger = more cautious). */
  lambda?: number;
  /** Stories per week and project, best first under the current weights, that count as passed over (default 30). */
  passedOver?: number;
  /** A word is learnt only when at least this many promoted items contain it (default 3). */
  minWordExamples?: number;
  /** At most this many words are learnt, the most promoted first (default 40). */
  maxWords?: number;
  /** Largest word weight in absolute value (default 1.5). */
  wordBound?: number;
  /**
   * A signal may change sign only when at least `minDecisions` decisions tell on it (their
   * choice sets hold candidates with and without it, or with different values) and its
   * posterior `z`-sigma interval excludes zero (defaults 5 and 1.96, a 95% interval).
   */
  flip?: { minDecisions?: number; z?: number };
  /** Also rank the weeks in-sample and leave-one-week-out (default true). */
  evaluate?: boolean;
  /** Weeks already learnt from: ranked to check the suggestion (out of sample), not learnt from. */
  heldOut?: readonly LearningWeek[];
}

export interface LearnInput {
  weeks: readonly LearningWeek[];
  /** Current signal weights (every signal; those not exercised are kept as they are). */
  current: Readonly<Record<string, number>>;
  /** Current word weights. */
  words?: WordWeights;
  options?: LearnOptions;
}

/** How one weight was learnt. */
export interface Support {
  /** A signal, or `word:<word>`. */
  signal: string;
  current: number;
  suggested: number;
  /** Posterior standard deviation (score units). */
  sd: number;
  /** Promoted items that exercise it (its value is not 0). */
  promoted: number;
  /** Passed-over and dismissed items that exercise it. */
  others: number;
  /** Decisions that tell on it: their choice sets hold candidates that differ in it. */
  decisions: number;
  /** Why the suggestion stopped where it did: `sign` held at 0 for want of support, `bound` at its bound. */
  limit: 'sign' | 'bound' | null;
}

export interface Ranking {
  /** Weeks × projects measured (those with a promotion). */
  lists: number;
  recall5: number;
  recall10: number;
  ndcg10: number;
}

export interface Comparison {
  current: Ranking;
  suggested: Ranking;
}

export interface Verdict {
  /** The suggestion ranks the decided weeks worse than the current weights on some measure shown. */
  worse: boolean;
  /** No decided week has a promotion to rank: the suggestion (from dismissals only) cannot be checked. */
  unchecked: boolean;
  /** Which measure decided ("leave-one-week-out and earlier weeks", "in-sample only"...). */
  basis: string;
  /** One line for the maintainer. */
  reason: string;
}

export interface Learnt {
  /** Every signal weight: the current ones, with the learnt ones in their place (rounded to 0.01). */
  suggested: Record<string, number>;
  /** Word weights after learning (those not 0). */
  words: Record<string, number>;
  /** The weights the decisions exercised, most moved first. */
  support: Support[];
  /** Log-odds per score point, fitted with the weights (first on the current ones). */
  beta: number;
  decisions: {
    promoted: number;
    dismissed: number;
    /** Distinct candidates compared with a decision and not decided (the editor passed them over). */
    passedOver: number;
    weeks: string[];
    /** Weeks × projects with a decision. */
    lists: number;
    /** Promotions and dismissals with no candidate to compare them with (alone in their list). */
    unused: number;
  };
  /** Null when not evaluated (options.evaluate false). */
  quality: {
    inSample: Comparison;
    /** Null with fewer than two decided weeks. */
    leaveOneWeekOut: (Comparison & { folds: number }) | null;
    /** The weeks of options.heldOut; null without them. */
    earlier: Comparison | null;
  } | null;
  verdict: Verdict;
}

const DEFAULTS = {
  lambda: 1,
  passedOver: 30,
  minWordExamples: 3,
  maxWords: 40,
  wordBound: 1.5,
  minDecisions: 5,
  z: 1.96,
} as const;

/**
 * The prior's spread (standard deviation, score units, before √lambda): a quarter of a signal's
 * current size, and never under a quarter point, so a signal at 0 or 0.3 can still be learnt; a
 * word's is narrower than any signal's (a word is weaker evidence of what a change is).
 */
const SIGNAL_TAU = 0.25;
const SIGNAL_TAU_FLOOR = 1;
const WORD_TAU = 0.3;
/** β's prior: half a log-odds per score point, loosely; clamped to a sane range. */
const BETA_PRIOR = { mean: 0.5, sd: 0.5, min: 0.05, max: 3 } as const;
/** Signals no decision can teach: `story` is a share of other items' scores, not an item's value. */
const NOT_LEARNT = new Set(['story']);
/** A drop smaller than this (half a percentage point) is noise, not "worse". */
const TOLERANCE = 0.005;

/** Learns weights from the decided weeks, and measures how the suggestion ranks them. */
export function learnWeights(input: LearnInput): Learnt {
  validate(input);
  const options = input.options ?? {};
  const words = input.words ?? {};
  const fit = fitWeights(input.weeks, input.current, words, options);
  if (options.evaluate === false)
    return { ...fit, quality: null, verdict: { worse: false, unchecked: true, basis: 'not evaluated', reason: 'not evaluated' } };

  const inSample: Comparison = {
    current: rankWeeks(input.weeks, input.current, words),
    suggested: rankWeeks(input.weeks, fit.suggested, fit.words),
  };
  const labels = [...new Set(input.weeks.map((w) => w.week))];
  let leaveOneWeekOut: (Comparison & { folds: number }) | null = null;
  const honestCurrent: Ranking[] = [];
  const honestSuggested: Ranking[] = [];
  if (labels.length >= 2) {
    for (const label of labels) {
      const train = input.weeks.filter((w) => w.week !== label);
      const test = input.weeks.filter((w) => w.week === label);
      const fold = fitWeights(train, input.current, words, options);
      honestCurrent.push(rankWeeks(test, input.current, words));
      honestSuggested.push(rankWeeks(test, fold.suggested, fold.words));
    }
    leaveOneWeekOut = { current: pool(honestCurrent), suggested: pool(honestSuggested), folds: labels.length };
  }
  let earlier: Comparison | null = null;
  if (options.heldOut?.length) {
    earlier = {
      current: rankWeeks(options.heldOut, input.current, words),
      suggested: rankWeeks(options.heldOut, fit.suggested, fit.words),
    };
    honestCurrent.push(earlier.current);
    honestSuggested.push(earlier.suggested);
  }
  const honest: Comparison | null =
    honestCurrent.length > 0 ? { current: pool(honestCurrent), suggested: pool(honestSuggested) } : null;
  const basis = [leaveOneWeekOut ? 'leave-one-week-out' : null, earlier ? 'earlier weeks' : null].filter(Boolean).join(' and ');
  return {
    ...fit,
    quality: { inSample, leaveOneWeekOut, earlier },
    verdict: judge(inSample, honest, basis || 'in-sample only'),
  };
}

/** Bad input is a RangeError that names what and where (a NaN would silently poison the fit). */
function validate(input: LearnInput): void {
  const options = input.options ?? {};
  for (const [name, value] of Object.entries({
    lambda: options.lambda,
    passedOver: options.passedOver,
    minWordExamples: options.minWordExamples,
    maxWords: options.maxWords,
    wordBound: options.wordBound,
    'flip.minDecisions': options.flip?.minDecisions,
    'flip.z': options.flip?.z,
  })) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      throw new RangeError(`options.${name}: expected a positive number, got ${value}`);
  }
  for (const [signal, w] of Object.entries(input.current))
    if (!Number.isFinite(w)) throw new RangeError(`current.${signal}: expected a number, got ${w}`);
  for (const [word, w] of Object.entries(input.words ?? {}))
    if (!Number.isFinite(w)) throw new RangeError(`words.${word}: expected a number, got ${w}`);
  for (const week of [...input.weeks, ...(options.heldOut ?? [])]) {
    week.items.forEach((item, n) => {
      for (const [signal, x] of Object.entries(item.features))
        if (!Number.isFinite(x))
          throw new RangeError(
            `week ${week.week}, ${week.project}, item ${item.id ?? `#${n}`}: features.${signal} is ${x}, expected a number`,
          );
    });
  }
}

function judge(inSample: Comparison, honest: Comparison | null, basis: string): Verdict {
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  const drop = (c: Comparison, where: string): string | null => {
    if (c.current.lists === 0) return null;
    if (c.suggested.ndcg10 < c.current.ndcg10 - TOLERANCE)
      return `${where} nDCG@10 ${pct(c.suggested.ndcg10)} < ${pct(c.current.ndcg10)} with the current weights`;
    if (c.suggested.recall10 < c.current.recall10 - TOLERANCE)
      return `${where} recall@10 ${pct(c.suggested.recall10)} < ${pct(c.current.recall10)} with the current weights`;
    return null;
  };
  const worse = (honest && drop(honest, basis)) ?? drop(inSample, 'in-sample');
  if (worse) return { worse: true, unchecked: false, basis, reason: `the suggestion ranks the decided weeks worse: ${worse}` };
  if (inSample.current.lists === 0)
    return {
      worse: false,
      unchecked: true,
      basis,
      reason: 'no decided week has a promotion to rank, so the suggestion cannot be checked',
    };
  return {
    worse: false,
    unchecked: false,
    basis,
    reason: honest
      ? `the suggestion ranks the decided weeks no worse (${basis} and in-sample)`
      : 'the suggestion ranks the decided week no worse in-sample (one week: no held-out check)',
  };
}

// ---------------------------------------------------------------------------------------------
// Ranking the decided weeks

/** How well weights rank the promoted stories of the weeks, mean over weeks × projects with a promotion. */
export function rankWeeks(
  weeks: readonly LearningWeek[],
  weights: Readonly<Record<string, number>>,
  words: WordWeights,
): Ranking {
  const each: Ranking[] = [];
  for (const week of weeks) {
    const ranked = rankStories(week.items, weights, words);
    const relevant = new Set(ranked.filter((s) => s.items.some((i) => i.promoted)).map((s) => s.key));
    if (relevant.size === 0) continue;
    const keys = ranked.map((s) => s.key);
    each.push({
      lists: 1,
      recall5: recallAt(keys, relevant, 5),
      recall10: recallAt(keys, relevant, 10),
      ndcg10: ndcgAt(keys, relevant, 10),
    });
  }
  return pool(each);
}

/** Mean of rankings, weighted by how many lists each covers. */
function pool(rankings: readonly Ranking[]): Ranking {
  const lists = rankings.reduce((n, r) => n + r.lists, 0);
  if (lists === 0) return { lists: 0, recall5: 0, recall10: 0, ndcg10: 0 };
  const mean = (key: 'recall5' | 'recall10' | 'ndcg10') => rankings.reduce((n, r) => n + r[key] * r.lists, 0) / lists;
  return { lists, recall5: mean('recall5'), recall10: mean('recall10'), ndcg10: mean('ndcg10') };
}

interface RankedStory {
  key: string;
  score: number;
  at: number;
  items: LearningItem[];
  /** Best item first. */
  scores: number[];
}

/** An item's score as the scorer computes it: rounded contributions, summed. */
export function itemScore(item: LearningItem, weights: Readonly<Record<string, number>>, words: WordWeights): number {
  let score = 0;
  for (const [signal, x] of Object.entries(item.features)) {
    if (isWordSignal(signal)) continue; // words are read from item.words
    score += round((weights[signal] ?? 0) * x);
  }
  for (const word of item.words ?? []) score += round(words[word] ?? 0);
  return round(score);
}

/** Stories ranked as the candidate list ranks them: by story score, then the later first. */
export function rankStories(
  items: readonly LearningItem[],
  weights: Readonly<Record<string, number>>,
  words: WordWeights,
): RankedStory[] {
  const byStory = new Map<string, Array<{ item: LearningItem; score: number }>>();
  items.forEach((item, index) => {
    const key = item.story === undefined || item.story === null ? `item:${item.id ?? index}` : `story:${item.story}`;
    const members = byStory.get(key) ?? [];
    members.push({ item, score: itemScore(item, weights, words) });
    byStory.set(key, members);
  });
  const stories: RankedStory[] = [...byStory].map(([key, members]) => {
    members.sort((a, b) => b.score - a.score || (b.item.at ?? 0) - (a.item.at ?? 0));
    const scores = members.map((m) => m.score);
    return {
      key,
      score: storyScore(scores, weights as Weights).score,
      at: members[0]?.item.at ?? 0,
      items: members.map((m) => m.item),
      scores,
    };
  });
  return stories.sort((a, b) => b.score - a.score || b.at - a.at);
}

// ---------------------------------------------------------------------------------------------
// Fitting

interface Observation {
  /** Rows of the choice set; the decided item first. */
  rows: Array<{ idx: Int32Array; val: Float64Array; offset: number }>;
  /** +1: the first was chosen (promoted); -1: the first was rejected (dismissed). */
  sign: 1 | -1;
}

type Fit = Omit<Learnt, 'quality' | 'verdict'>;

function fitWeights(
  weeks: readonly LearningWeek[],
  current: Readonly<Record<string, number>>,
  words: WordWeights,
  options: LearnOptions,
): Fit {
  const lambda = options.lambda ?? DEFAULTS.lambda;
  const passedOver = options.passedOver ?? DEFAULTS.passedOver;
  const minDecisions = options.flip?.minDecisions ?? DEFAULTS.minDecisions;
  const z = options.flip?.z ?? DEFAULTS.z;
  const wordBound = options.wordBound ?? DEFAULTS.wordBound;

  // 1. Choice sets, under the current weights.
  const sets: Array<{ members: LearningItem[]; sign: 1 | -1 }> = [];
  const promotedItems = new Set<LearningItem>();
  const dismissedItems = new Set<LearningItem>();
  const passedOverItems = new Set<LearningItem>();
  let lists = 0;
  let decided = 0;
  for (const week of weeks) {
    const stories = rankStories(week.items, current, words);
    const promoted = week.items.filter((i) => i.promoted);
    const dismissed = week.items.filter((i) => i.dismissed && !i.promoted);
    if (promoted.length === 0 && dismissed.length === 0) continue;
    lists += 1;
    decided += promoted.length + dismissed.length;
    const open = stories.filter((s) => !s.items.some((i) => i.promoted));
    const leads = open
      .slice(0, passedOver)
      .map((s) => s.items[0] as LearningItem)
      .filter((i) => !i.dismissed);
    const alternatives = [...leads, ...dismissed];
    for (const a of promoted) {
      if (alternatives.length === 0) continue;
      sets.push({ members: [a, ...alternatives], sign: 1 });
      promotedItems.add(a);
      for (const b of alternatives) if (!b.dismissed) passedOverItems.add(b);
    }
    for (const d of dismissed) {
      if (leads.length === 0) continue;
      sets.push({ members: [d, ...leads], sign: -1 });
      dismissedItems.add(d);
      for (const b of leads) passedOverItems.add(b);
    }
    for (const d of dismissed) if (promoted.length > 0) dismissedItems.add(d);
  }

  // 2. What can be learnt: signals and words whose value differs within some choice set.
  const wordCount = new Map<string, number>();
  for (const item of promotedItems) for (const w of new Set(item.words ?? [])) wordCount.set(w, (wordCount.get(w) ?? 0) + 1);
  const vocabulary = [...wordCount]
    .filter(([, n]) => n >= (options.minWordExamples ?? DEFAULTS.minWordExamples))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, options.maxWords ?? DEFAULTS.maxWords)
    .map(([w]) => w);
  for (const [w, weight] of Object.entries(words)) if (weight !== 0 && !vocabulary.includes(w)) vocabulary.push(w);
  const vocabularySet = new Set(vocabulary);
  const valueIn = (item: LearningItem, dim: string): number =>
    isWordSignal(dim) ? (wordSet(item).has(dim.slice(5)) ? 1 : 0) : (item.features[dim] ?? 0);
  const candidatesDims = new Set<string>();
  for (const { members } of sets) {
    for (const m of members) {
      for (const [signal, x] of Object.entries(m.features))
        if (x !== 0 && Object.hasOwn(current, signal) && !NOT_LEARNT.has(signal)) candidatesDims.add(signal);
      for (const w of m.words ?? []) if (vocabularySet.has(w)) candidatesDims.add(wordSignal(w));
    }
  }
  const dims = [...candidatesDims]
    .filter((dim) =>
      sets.some(({ members }) => {
        const first = valueIn(members[0] as LearningItem, dim);
        return members.some((m) => valueIn(m, dim) !== first);
      }),
    )
    .sort();
  const prior = dims.map((d) => (isWordSignal(d) ? (words[d.slice(5)] ?? 0) : (current[d] as number)));
  const tau = dims.map((d, i) =>
    isWordSignal(d)
      ? WORD_TAU / Math.sqrt(lambda)
      : (SIGNAL_TAU * Math.max(SIGNAL_TAU_FLOOR, Math.abs(prior[i] as number))) / Math.sqrt(lambda),
  );
  // A word set by hand beyond the bound keeps its size: the bound is on what learning adds.
  const bound = dims.map((d, i) =>
    isWordSignal(d) ? Math.max(wordBound, Math.abs(prior[i] as number)) : Math.max(2 * Math.abs(prior[i] as number), 3),
  );

  // Support: distinct promoted items and others (passed over, dismissed) exercising each dim.
  const promotedSupport = new Array<number>(dims.length).fill(0);
  const otherSupport = new Array<number>(dims.length).fill(0);
  const decisionSupport = dims.map((d) =>
    sets.reduce((n, { members: set }) => {
      const first = valueIn(set[0] as LearningItem, d);
      return n + (set.some((m) => valueIn(m, d) !== first) ? 1 : 0);
    }, 0),
  );
  const members = new Set(sets.flatMap((s) => s.members));
  for (const item of members) {
    for (const [i, d] of dims.entries()) {
      if (valueIn(item, d) === 0) continue;
      if (item.promoted) promotedSupport[i] = (promotedSupport[i] as number) + 1;
      else otherSupport[i] = (otherSupport[i] as number) + 1;
    }
  }

  // 3. The design: per member, the learnt dims' values, and the score of everything else.
  const observations: Observation[] = sets.map(({ members: set, sign }) => ({
    sign,
    rows: set.map((item) => {
      const entries = dims.map((d, i) => [i, valueIn(item, d)] as const).filter(([, x]) => x !== 0);
      const full = rawScore(item, current, words);
      const learnt = entries.reduce((n, [i, x]) => n + (prior[i] as number) * x, 0);
      return {
        idx: Int32Array.from(entries.map(([i]) => i)),
        val: Float64Array.from(entries.map(([, x]) => x)),
        offset: full - learnt,
      };
    }),
  }));

  // 4. β on the current weights, then the weights; then β again on them, and so on (coordinate
  // ascent on the joint posterior). β fitted on current weights the decisions contradict is
  // small, and would make the decisions count for next to nothing however consistent they are;
  // refitted on weights that explain them better it grows, if and only if some weights near the
  // prior do explain them.
  // Magnitudes: |w| within the bound (for signals, twice the current size or 3; words ±wordBound).
  const lo = bound.map((b) => -b);
  const hi = bound.slice();
  const problem: Problem = { observations, beta: fitBeta(observations, prior), prior, tau, dims: dims.length };
  let free = prior.slice();
  for (let round = 0; round < 20; round++) {
    free = minimise(problem, free, lo, hi);
    const beta = fitBeta(observations, free);
    const settled = Math.abs(beta - problem.beta) < 1e-3 * problem.beta;
    problem.beta = beta;
    if (settled) break;
  }
  const freeSd = posteriorSd(problem, free);
  // A sign change needs support: enough examples on each side, and an interval excluding zero.
  const limit = dims.map((): Support['limit'] => null);
  for (let i = 0; i < dims.length; i++) {
    const m = prior[i] as number;
    const w = free[i] as number;
    if (m === 0 || Math.sign(w) === Math.sign(m) || w === 0) continue;
    const supported = (decisionSupport[i] as number) >= minDecisions && Math.abs(w) > z * (freeSd[i] as number);
    if (supported) continue;
    limit[i] = 'sign';
    if (m > 0) lo[i] = 0;
    else hi[i] = 0;
  }
  const solution = limit.some(Boolean)
    ? minimise(
        problem,
        free.map((w, i) => clamp(w, lo[i] as number, hi[i] as number)),
        lo,
        hi,
      )
    : free;
  const sd = posteriorSd(problem, solution);

  const suggested: Record<string, number> = { ...current };
  const learntWords: Record<string, number> = Object.fromEntries(Object.entries(words).filter(([, w]) => w !== 0));
  const support: Support[] = dims.map((d, i) => {
    let w = round(solution[i] as number);
    if (limit[i] === 'sign') w = Object.is(w, -0) ? 0 : w;
    if (Math.abs(w) < 0.005) w = 0;
    const atBound = limit[i] === null && Math.abs(Math.abs(solution[i] as number) - (bound[i] as number)) < 1e-6;
    if (isWordSignal(d)) {
      const word = d.slice(5);
      if (w === 0) delete learntWords[word];
      else learntWords[word] = w;
    } else suggested[d] = w;
    return {
      signal: d,
      current: prior[i] as number,
      suggested: w,
      sd: sd[i] as number,
      promoted: promotedSupport[i] as number,
      others: otherSupport[i] as number,
      decisions: decisionSupport[i] as number,
      limit: limit[i] ?? (atBound ? 'bound' : null),
    };
  });
  support.sort((a, b) => Math.abs(b.suggested - b.current) - Math.abs(a.suggested - a.current) || (a.signal < b.signal ? -1 : 1));
  return {
    suggested,
    words: learntWords,
    support,
    beta: problem.beta,
    decisions: {
      promoted: promotedItems.size,
      dismissed: dismissedItems.size,
      passedOver: passedOverItems.size,
      weeks: [...new Set(weeks.map((w) => w.week))],
      lists,
      unused: decided - promotedItems.size - dismissedItems.size,
    },
  };
}

const wordSets = new WeakMap<LearningItem, ReadonlySet<string>>();
function wordSet(item: LearningItem): ReadonlySet<string> {
  let set = wordSets.get(item);
  if (!set) {
    set = new Set(item.words ?? []);
    wordSets.set(item, set);
  }
  return set;
}

/** The unrounded score under the weights (the fit's offsets; the ranking uses rounded contributions). */
function rawScore(item: LearningItem, weights: Readonly<Record<string, number>>, words: WordWeights): number {
  let score = 0;
  for (const [signal, x] of Object.entries(item.features)) if (!isWordSignal(signal)) score += (weights[signal] ?? 0) * x;
  for (const word of item.words ?? []) score += words[word] ?? 0;
  return score;
}

interface Problem {
  observations: Observation[];
  beta: number;
  prior: number[];
  tau: number[];
  dims: number;
}

/** Scores of an observation's rows under w (with the row offsets), signed for a rejection. */
function rowScores(o: Observation, w: ArrayLike<number>, beta: number): Float64Array {
  const z = new Float64Array(o.rows.length);
  o.rows.forEach((row, r) => {
    let s = row.offset;
    for (let k = 0; k < row.idx.length; k++) s += (w[row.idx[k] as number] as number) * (row.val[k] as number);
    z[r] = o.sign * beta * s;
  });
  return z;
}

function softmax(z: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of z) if (v > max) max = v;
  const p = new Float64Array(z.length);
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    p[i] = Math.exp((z[i] as number) - max);
    sum += p[i] as number;
  }
  for (let i = 0; i < z.length; i++) p[i] = (p[i] as number) / sum;
  return p;
}

/** Negative log posterior (up to a constant). */
function objective(problem: Problem, w: ArrayLike<number>): number {
  let f = 0;
  for (const o of problem.observations) {
    const z = rowScores(o, w, problem.beta);
    let max = Number.NEGATIVE_INFINITY;
    for (const v of z) if (v > max) max = v;
    let sum = 0;
    for (const v of z) sum += Math.exp(v - max);
    f -= (z[0] as number) - max - Math.log(sum);
  }
  for (let i = 0; i < problem.dims; i++)
    f += ((w[i] as number) - (problem.prior[i] as number)) ** 2 / (2 * (problem.tau[i] as number) ** 2);
  return f;
}

/** Gradient and Hessian of the objective. */
function derivatives(problem: Problem, w: ArrayLike<number>): { g: Float64Array; h: Float64Array[] } {
  const n = problem.dims;
  const g = new Float64Array(n);
  const h = Array.from({ length: n }, () => new Float64Array(n));
  const { beta } = problem;
  for (const o of problem.observations) {
    const p = softmax(rowScores(o, w, beta));
    // mean row under p
    const mean = new Float64Array(n);
    const touched = new Set<number>();
    o.rows.forEach((row, r) => {
      for (let k = 0; k < row.idx.length; k++) {
        const i = row.idx[k] as number;
        mean[i] = (mean[i] as number) + (p[r] as number) * (row.val[k] as number);
        touched.add(i);
      }
    });
    const first = o.rows[0] as Observation['rows'][number];
    // d(-log p_0)/dw = -sign·β (x_0 − x̄)
    for (const i of touched) g[i] = (g[i] as number) + o.sign * beta * (mean[i] as number);
    for (let k = 0; k < first.idx.length; k++) {
      const i = first.idx[k] as number;
      g[i] = (g[i] as number) - o.sign * beta * (first.val[k] as number);
    }
    // Hessian: β² (Σ p_r x_r x_rᵀ − x̄ x̄ᵀ)
    const b2 = beta * beta;
    o.rows.forEach((row, r) => {
      const pr = p[r] as number;
      for (let a = 0; a < row.idx.length; a++) {
        const hi = h[row.idx[a] as number] as Float64Array;
        const va = pr * b2 * (row.val[a] as number);
        for (let b = 0; b < row.idx.length; b++) {
          const j = row.idx[b] as number;
          hi[j] = (hi[j] as number) + va * (row.val[b] as number);
        }
      }
    });
    const list = [...touched];
    for (const i of list) {
      const hi = h[i] as Float64Array;
      for (const j of list) hi[j] = (hi[j] as number) - b2 * (mean[i] as number) * (mean[j] as number);
    }
  }
  for (let i = 0; i < n; i++) {
    const t2 = (problem.tau[i] as number) ** 2;
    g[i] = (g[i] as number) + ((w[i] as number) - (problem.prior[i] as number)) / t2;
    (h[i] as Float64Array)[i] = ((h[i] as Float64Array)[i] as number) + 1 / t2;
  }
  return { g, h };
}

/** Projected Newton with a backtracking line search: the objective is convex, the box is simple. */
function minimise(problem: Problem, start: number[], lo: number[], hi: number[]): number[] {
  const n = problem.dims;
  let w = start.map((v, i) => clamp(v, lo[i] as number, hi[i] as number));
  let f = objective(problem, w);
  for (let iteration = 0; iteration < 100; iteration++) {
    const { g, h } = derivatives(problem, w);
    const eps = 1e-9;
    const free: number[] = [];
    for (let i = 0; i < n; i++) {
      const atLo = (w[i] as number) <= (lo[i] as number) + eps && (g[i] as number) > 0;
      const atHi = (w[i] as number) >= (hi[i] as number) - eps && (g[i] as number) < 0;
      if (!atLo && !atHi) free.push(i);
    }
    if (free.length === 0) break;
    const step = solveSpd(
      free.map((i) => free.map((j) => (h[i] as Float64Array)[j] as number)),
      free.map((i) => -(g[i] as number)),
    );
    let t = 1;
    let accepted = false;
    let next = w;
    let fNext = f;
    for (let halving = 0; halving < 40; halving++) {
      next = w.slice();
      free.forEach((i, k) => {
        next[i] = clamp((w[i] as number) + t * (step[k] as number), lo[i] as number, hi[i] as number);
      });
      fNext = objective(problem, next);
      let decrease = 0;
      for (let i = 0; i < n; i++) decrease += (g[i] as number) * ((next[i] as number) - (w[i] as number));
      if (fNext <= f + 1e-4 * decrease + 1e-12) {
        accepted = true;
        break;
      }
      t /= 2;
    }
    if (!accepted) break;
    const moved = Math.max(0, ...next.map((v, i) => Math.abs(v - (w[i] as number))));
    w = next;
    f = fNext;
    if (moved < 1e-7) break;
  }
  return w;
}

/** Posterior standard deviations: the square roots of the inverse Hessian's diagonal. */
function posteriorSd(problem: Problem, w: number[]): number[] {
  const n = problem.dims;
  if (n === 0) return [];
  const { h } = derivatives(problem, w);
  const matrix = h.map((row) => Array.from(row));
  return Array.from({ length: n }, (_, i) => {
    const e = new Array<number>(n).fill(0);
    e[i] = 1;
    return Math.sqrt(Math.max(0, solveSpd(matrix, e)[i] as number));
  });
}

/** β: the log-odds one score point is worth, under weights w (MAP, 1-D Newton). */
function fitBeta(observations: Observation[], w: number[]): number {
  // The scores inside each choice set under w, signed for rejections.
  const sets = observations.map((o) => rowScores(o, w, 1));
  let beta: number = BETA_PRIOR.mean;
  for (let iteration = 0; iteration < 50; iteration++) {
    let g = (beta - BETA_PRIOR.mean) / BETA_PRIOR.sd ** 2;
    let h = 1 / BETA_PRIOR.sd ** 2;
    for (const s of sets) {
      const p = softmax(s.map((v) => beta * v));
      let mean = 0;
      let second = 0;
      for (let r = 0; r < s.length; r++) {
        mean += (p[r] as number) * (s[r] as number);
        second += (p[r] as number) * (s[r] as number) ** 2;
      }
      g -= (s[0] as number) - mean;
      h += second - mean * mean;
    }
    const next = clamp(beta - g / h, BETA_PRIOR.min, BETA_PRIOR.max);
    if (Math.abs(next - beta) < 1e-9) {
      beta = next;
      break;
    }
    beta = next;
  }
  return beta;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Solves A x = b for a symmetric positive definite A (Cholesky); the prior keeps A definite. */
function solveSpd(a: number[][], b: number[]): number[] {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const li = l[i] as Float64Array;
    const ai = a[i] as number[];
    for (let j = 0; j <= i; j++) {
      const lj = l[j] as Float64Array;
      let sum = ai[j] as number;
      for (let k = 0; k < j; k++) sum -= (li[k] as number) * (lj[k] as number);
      if (i === j) li[i] = Math.sqrt(Math.max(sum, 1e-12));
      else li[j] = sum / (lj[j] as number);
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i] as number;
    const li = l[i] as Float64Array;
    for (let k = 0; k < i; k++) sum -= (li[k] as number) * (y[k] as number);
    y[i] = sum / (li[i] as number);
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let k = i + 1; k < n; k++) sum -= ((l[k] as Float64Array)[i] as number) * (x[k] as number);
    x[i] = sum / ((l[i] as Float64Array)[i] as number);
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Learning curve

export interface CurveStep {
  /** The week ranked. */
  week: string;
  /** The weeks learnt from before it. */
  learntFrom: string[];
  decisions: Learnt['decisions'];
  /** The next week ranked with the weights before any learning. */
  before: Ranking;
  /** ... with the suggestion, whatever the verdict. */
  suggested: Ranking;
  /** ... with what `radar tune --write` would have left in the config (the suggestion unless refused). */
  applied: Ranking;
  refused: boolean;
  verdict: Verdict;
  /** The weights (and words) in force after this step, for the caller to rank the next list with its own ranker. */
  weights: Record<string, number>;
  words: Record<string, number>;
  /** The suggestion of this step, written or not. */
  suggestion: { weights: Record<string, number>; words: Record<string, number> };
}

export interface CurveOptions extends Omit<LearnOptions, 'heldOut' | 'evaluate'> {
  /**
   * `sequential` (default): as a maintainer running `radar tune --write` after each week: each
   * step learns from the newest week only, with the prior centred on the weights the previous
   * step left, and checks the suggestion on the earlier weeks too. `cumulative`: each step
   * learns from all the weeks before, from the starting weights.
   */
  mode?: 'sequential' | 'cumulative';
}

/**
 * For each week after the first (in the order given, by label), learn from the weeks before it
 * and rank it: does learning from the editors' earlier picks rank their next picks better or worse?
 */
export function learningCurve(
  weeks: readonly LearningWeek[],
  start: Readonly<Record<string, number>>,
  startWords: WordWeights = {},
  options: CurveOptions = {},
): CurveStep[] {
  const labels = [...new Set(weeks.map((w) => w.week))];
  const of = (label: string) => weeks.filter((w) => w.week === label);
  const steps: CurveStep[] = [];
  let weights: Record<string, number> = { ...start };
  let words: Record<string, number> = { ...startWords };
  for (let k = 1; k < labels.length; k++) {
    const next = of(labels[k] as string);
    const sequential = (options.mode ?? 'sequential') === 'sequential';
    const train = sequential ? of(labels[k - 1] as string) : weeks.filter((w) => labels.indexOf(w.week) < k);
    const earlier = sequential ? weeks.filter((w) => labels.indexOf(w.week) < k - 1) : [];
    const centre = sequential ? weights : { ...start };
    const centreWords = sequential ? words : { ...startWords };
    const learnt = learnWeights({
      weeks: train,
      current: centre,
      words: centreWords,
      options: { ...options, heldOut: earlier },
    });
    const refused = learnt.verdict.worse || learnt.verdict.unchecked;
    const appliedWeights = refused ? centre : learnt.suggested;
    const appliedWords = refused ? centreWords : learnt.words;
    steps.push({
      week: labels[k] as string,
      learntFrom: labels.slice(0, k),
      decisions: learnt.decisions,
      before: rankWeeks(next, start, startWords),
      suggested: rankWeeks(next, learnt.suggested, learnt.words),
      applied: rankWeeks(next, appliedWeights, appliedWords),
      refused,
      verdict: learnt.verdict,
      weights: appliedWeights,
      words: appliedWords,
      suggestion: { weights: learnt.suggested, words: learnt.words },
    });
    weights = appliedWeights;
    words = appliedWords;
  }
  return steps;
}
