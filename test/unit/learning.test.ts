import { describe, expect, it } from 'vitest';
import { meanQuality, ndcgAt, precisionAt, quality, recallAt } from '../../src/scoring/evaluation.js';
import { defaultWeights } from '../../src/scoring/signals.js';
import {
  type LearningItem,
  type LearningWeek,
  learningCurve,
  learnWeights,
  rankStories,
  rankWeeks,
} from '../../src/scoring/tune.js';

describe('ranking quality', () => {
  // Ranked a..f; the editor picked b, d and x (x was never listed).
  const ranked = ['a', 'b', 'c', 'd', 'e', 'f'];
  const picked = new Set(['b', 'd', 'x']);

  it('matches a hand computation', () => {
    expect(precisionAt(ranked, picked, 5)).toBeCloseTo(2 / 5, 10);
    expect(recallAt(ranked, picked, 5)).toBeCloseTo(2 / 3, 10);
    expect(recallAt(ranked, picked, 1)).toBe(0);
    // DCG = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3) + 1/log2(4)
    expect(ndcgAt(ranked, picked, 5)).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3) + 1 / 2), 10);
    expect(ndcgAt(['b', 'd', 'x'], picked, 3)).toBe(1);
  });

  it('averages qualities', () => {
    const mean = meanQuality([quality(ranked, picked, 5), { precision: 0, recall: 0, ndcg: 0 }]);
    expect(mean.recall).toBeCloseTo(1 / 3, 10);
  });
});

/** Deterministic pseudo-random numbers, so no test can flake. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

const CURRENT = defaultWeights() as unknown as Record<string, number>;

/**
 * A week of candidates (pull requests with and without release notes, features, performance
 * work, KEPs, test changes, of various sizes and words) and a simulated editor who promotes the
 * two they like best: by their own weights (`taste`: the current ones with some changed) plus
 * noise (Gumbel, so that their choices follow the model with β = 1).
 */
function syntheticWeek(
  week: string,
  rand: () => number,
  taste: { weights?: Record<string, number>; words?: Record<string, number> },
  size = 40,
): LearningWeek {
  const items: LearningItem[] = [];
  for (let n = 0; n < size; n++) {
    const features: Record<string, number> = {};
    const words: string[] = [];
    if (rand() < 0.6) features['release-note:present'] = 1;
    if (rand() < 0.3) features['label:feature'] = 1;
    if (rand() < 0.2) features['topic:performance'] = 1;
    if (rand() < 0.15) features['kep:implementable'] = 1;
    if (rand() < 0.2) features['title:test'] = 1;
    features.size = Math.round(rand() * 30) / 10;
    if (rand() < 0.25) words.push('scheduling');
    if (rand() < 0.25) words.push('kubelet');
    if (rand() < 0.5) words.push('controller');
    items.push({ id: `${week}-${n}`, features, words, at: n });
  }
  const weights = { ...CURRENT, ...taste.weights };
  const utility = (item: LearningItem) =>
    Object.entries(item.features).reduce((u, [k, x]) => u + (weights[k] ?? 0) * x, 0) +
    (item.words ?? []).reduce((u, w) => u + (taste.words?.[w] ?? 0), 0) -
    Math.log(-Math.log(Math.max(1e-12, rand())));
  const ranked = items.map((item) => ({ item, u: utility(item) })).sort((a, b) => b.u - a.u);
  for (const { item } of ranked.slice(0, 2)) item.promoted = true;
  return { week, project: 'Kubernetes', items };
}

const weeksOf = (count: number, seed: number, taste: Parameters<typeof syntheticWeek>[2], size?: number) => {
  const rand = random(seed);
  return Array.from({ length: count }, (_, w) => syntheticWeek(`W${w}`, rand, taste, size));
};

describe('learning weights from decisions', () => {
  it('keeps the weights close to the current ones when there are few decisions', () => {
    // An editor who dislikes release notes (-3 where the current weight is +2), seen twice.
    const weeks = weeksOf(2, 1, { weights: { 'release-note:present': -3 } });

    const learnt = learnWeights({ weeks, current: CURRENT });

    expect(learnt.decisions.promoted).toBe(4);
    const note = learnt.support.find((s) => s.signal === 'release-note:present');
    // It moves down, but four decisions move it by less than a point, and not past zero.
    expect(note?.suggested).toBeLessThan(2);
    expect(note?.suggested).toBeGreaterThan(1);
    for (const s of learnt.support) expect(Math.abs(s.suggested - s.current)).toBeLessThan(1);
  });

  it('moves a weight as far as many consistent decisions support, and is surer of it', () => {
    // An editor who values performance work at 6 points where the list gives 2.
    const taste = { weights: { 'topic:performance': 6 } };
    const few = learnWeights({ weeks: weeksOf(2, 2, taste), current: CURRENT });
    const many = learnWeights({ weeks: weeksOf(60, 3, taste), current: CURRENT, options: { evaluate: false } });

    const perf = (l: typeof few) => l.support.find((s) => s.signal === 'topic:performance');
    expect(perf(few)?.suggested).toBeLessThan(2.6);
    expect(perf(many)?.suggested).toBeGreaterThan(3);
    expect(perf(many)?.sd).toBeLessThan(0.6 * (perf(few)?.sd as number));
    expect(many.decisions.promoted).toBe(120);
  });

  it('never flips a sign on a handful of decisions; with enough support it may', () => {
    const taste = { weights: { 'release-note:present': -4 } };
    // Even with almost no prior, three decisions cannot take the weight below zero.
    const few = learnWeights({
      weeks: weeksOf(3, 4, taste, 8).slice(0, 2),
      current: CURRENT,
      options: { lambda: 0.01, evaluate: false },
    });
    const held = few.support.find((s) => s.signal === 'release-note:present');
    expect(held?.decisions).toBeLessThan(5);
    expect(held).toMatchObject({ suggested: 0, limit: 'sign' });
    expect(few.suggested['release-note:present']).toBe(0);

    const many = learnWeights({ weeks: weeksOf(60, 5, taste), current: CURRENT, options: { lambda: 0.01, evaluate: false } });
    const flipped = many.support.find((s) => s.signal === 'release-note:present');
    expect(flipped?.suggested).toBeLessThan(-1);
    expect(flipped?.limit).not.toBe('sign');
    expect(flipped?.decisions).toBeGreaterThanOrEqual(5);
    expect(Math.abs(flipped?.suggested as number)).toBeGreaterThan(1.96 * (flipped?.sd as number));
  });

  it('bounds every weight: a signal to twice its size (or 3), a word to 1.5', () => {
    const taste = { weights: { 'topic:performance': 20 }, words: { scheduling: 8 } };

    const learnt = learnWeights({ weeks: weeksOf(40, 6, taste), current: CURRENT, options: { lambda: 0.0001, evaluate: false } });

    for (const s of learnt.support) {
      if (s.signal.startsWith('word:')) expect(Math.abs(s.suggested)).toBeLessThanOrEqual(1.5);
      else expect(Math.abs(s.suggested)).toBeLessThanOrEqual(Math.max(2 * Math.abs(s.current), 3) + 1e-9);
    }
    expect(learnt.suggested['topic:performance']).toBe(4);
    expect(learnt.support.find((s) => s.signal === 'topic:performance')?.limit).toBe('bound');
    expect(learnt.words.scheduling).toBe(1.5);

    // The bound is on what learning adds: a word a maintainer set to 3 is not cut to 1.5.
    const kept = learnWeights({
      weeks: weeksOf(3, 6, { words: { scheduling: 3 } }),
      current: CURRENT,
      words: { scheduling: 3 },
      options: { evaluate: false },
    });
    expect(kept.words.scheduling).toBeGreaterThan(2.5);
  });

  it('learns the words of what the editor follows, and not words of too few promoted items', () => {
    // An editor who follows scheduling: 3 points more for it.
    const learnt = learnWeights({
      weeks: weeksOf(30, 7, { words: { scheduling: 3 } }),
      current: CURRENT,
      options: { evaluate: false },
    });

    expect(learnt.words.scheduling).toBeGreaterThan(0.4);
    // "kubelet" is as common but not what the editor picks by: it stays near 0.
    expect(Math.abs(learnt.words.kubelet ?? 0)).toBeLessThan(0.15);
    expect(learnt.support.find((s) => s.signal === 'word:scheduling')?.promoted).toBeGreaterThan(20);

    const once = learnWeights({
      weeks: weeksOf(1, 8, { words: { scheduling: 3 } }),
      current: CURRENT,
      options: { evaluate: false },
    });
    expect(once.decisions.promoted).toBe(2);
    expect(once.words).toEqual({});
  });

  it('counts the decisions: promoted, dismissed, passed over', () => {
    const items: LearningItem[] = [
      { id: 1, features: { 'label:feature': 1 }, promoted: true },
      { id: 2, features: { 'kep:implementable': 1 }, dismissed: true },
      { id: 3, features: { 'title:test': 1 } },
      { id: 4, features: { 'release-note:present': 1 }, story: 'a' },
      { id: 5, features: { 'release-note:none': 1 }, story: 'a' },
    ];

    const learnt = learnWeights({ weeks: [{ week: 'W1', project: 'K', items }], current: CURRENT });

    // Passed over: the leads of the stories not promoted (3, and 4 leading its story), not 5.
    expect(learnt.decisions).toEqual({ promoted: 1, dismissed: 1, passedOver: 2, weeks: ['W1'], lists: 1, unused: 0 });
    expect(learnt.quality?.leaveOneWeekOut).toBeNull();
    expect(learnt.verdict.basis).toBe('in-sample only');
  });

  it('refuses a suggestion that ranks held-out weeks worse than the current weights', () => {
    // Week A: the editor promotes performance work; week B (as many decisions) the opposite.
    // Learnt from one, the suggestion ranks the other worse: leave-one-week-out says so.
    const perf = { 'topic:performance': 1, 'release-note:present': 1 };
    const plain = { 'label:feature': 1 };
    const week = (name: string, promotePerf: boolean): LearningWeek => ({
      week: name,
      project: 'K',
      items: Array.from({ length: 10 }, (_, n) => ({
        id: `${name}${n}`,
        features: n % 2 === 0 ? perf : plain,
        promoted: n < 4 && (n % 2 === 0) === promotePerf,
      })),
    });
    const weeks = [week('A', true), week('B', false), week('C', true), week('D', false)];

    const learnt = learnWeights({ weeks, current: CURRENT, options: { lambda: 0.05 } });

    expect(learnt.quality?.leaveOneWeekOut?.folds).toBe(4);
    expect(learnt.verdict.worse).toBe(true);
    expect(learnt.verdict.reason).toMatch(/worse: leave-one-week-out (nDCG|recall)@10 \d+\.\d% < \d+\.\d%/);
  });

  it('will not vouch for a suggestion learnt from dismissals alone', () => {
    const items: LearningItem[] = [
      { id: 1, features: { 'kep:implementable': 1 }, dismissed: true },
      { id: 2, features: { 'title:test': 1 } },
      { id: 3, features: { 'label:feature': 1 } },
    ];

    const learnt = learnWeights({ weeks: [{ week: 'W1', project: 'K', items }], current: CURRENT });

    expect(learnt.decisions).toMatchObject({ promoted: 0, dismissed: 1, passedOver: 2 });
    expect(learnt.support.find((s) => s.signal === 'kep:implementable')?.suggested).toBeLessThan(4);
    expect(learnt.verdict).toMatchObject({ worse: false, unchecked: true });
    expect(learnt.verdict.reason).toBe('no decided week has a promotion to rank, so the suggestion cannot be checked');
  });

  it('names bad input: what and where', () => {
    const week = { week: 'W1', project: 'K', items: [{ id: 7, features: { size: Number.NaN }, promoted: true }] };

    expect(() => learnWeights({ weeks: [week], current: CURRENT })).toThrow(
      new RangeError('week W1, K, item 7: features.size is NaN, expected a number'),
    );
    expect(() => learnWeights({ weeks: [], current: CURRENT, options: { lambda: 0 } })).toThrow(
      new RangeError('options.lambda: expected a positive number, got 0'),
    );
    expect(() => learnWeights({ weeks: [], current: { ...CURRENT, size: Number.POSITIVE_INFINITY } })).toThrow(
      'current.size: expected a number, got Infinity',
    );
  });

  it('ranks stories as the candidate list does: best item plus a share of the others', () => {
    const items: LearningItem[] = [
      { id: 1, features: { 'label:feature': 1 }, story: 's' }, // 2.5
      { id: 2, features: { 'label:bug': 1 }, story: 's' }, // 0.5 -> story 2.5 + 0.3 * 0.5
      { id: 3, features: { 'label:api-change': 1 } }, // 3.5
      { id: 4, features: { 'title:test': 1, size: 1 } }, // -2.5 + 0.7
    ];

    const ranked = rankStories(items, CURRENT, {});

    expect(ranked.map((s) => [s.key, s.score])).toEqual([
      ['item:3', 3.5],
      ['story:s', 2.65],
      ['item:4', -1.8],
    ]);
    expect(
      rankWeeks([{ week: 'W', project: 'K', items: items.map((i) => ({ ...i, promoted: i.id === 2 })) }], CURRENT, {}),
    ).toMatchObject({
      lists: 1,
      recall5: 1,
      ndcg10: 1 / Math.log2(3),
    });
  });

  it('draws a learning curve, step by step, keeping the weights when a step is refused', () => {
    const weeks = weeksOf(6, 9, { weights: { 'topic:performance': 6 } });

    const steps = learningCurve(weeks, CURRENT);

    expect(steps.map((s) => s.week)).toEqual(['W1', 'W2', 'W3', 'W4', 'W5']);
    expect(steps.map((s) => s.learntFrom.length)).toEqual([1, 2, 3, 4, 5]);
    for (const step of steps) {
      expect(step.applied).toEqual(
        step.refused ? rankWeeks([weeks[Number(step.week.slice(1))] as LearningWeek], step.weights, step.words) : step.suggested,
      );
    }
    // Each step moves the prior's centre: the performance weight only goes up.
    const perf = steps.map((s) => s.weights['topic:performance'] as number);
    expect(perf.every((v, i) => i === 0 || v >= (perf[i - 1] as number))).toBe(true);
    expect(perf.at(-1)).toBeGreaterThan(2.2);
    expect(steps.some((s) => !s.refused)).toBe(true);
  });
});
