import { describe, expect, it } from 'vitest';
import { meanQuality, ndcgAt, precisionAt, quality, recallAt } from '../../src/scoring/evaluation.js';
import { fitLogistic, type Sample, suggestWeights } from '../../src/scoring/tune.js';

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

describe('learning weights from decisions', () => {
  /** Deterministic pseudo-random numbers, so the test cannot flake. */
  function random(seed: number) {
    let state = seed;
    return () => {
      state = (state * 1664525 + 1013904223) % 2 ** 32;
      return state / 2 ** 32;
    };
  }

  it('recovers the weights that generated the decisions', () => {
    const truth: Record<string, number> = {
      'label:feature': 2,
      'title:test': -2.5,
      size: 0.8,
      'release:minor': 3,
      'author:bot': -3,
    };
    const bias = -1;
    const rand = random(42);
    const samples: Sample[] = [];
    for (let n = 0; n < 6000; n++) {
      const x: Record<string, number> = {};
      if (rand() < 0.3) x['label:feature'] = 1;
      if (rand() < 0.25) x['title:test'] = 1;
      if (rand() < 0.8) x.size = rand() * 3;
      if (rand() < 0.1) x['release:minor'] = 1;
      if (rand() < 0.15) x['author:bot'] = 1;
      const z = bias + Object.entries(x).reduce((s, [k, v]) => s + (truth[k] as number) * v, 0);
      samples.push({ x, y: rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0 });
    }
    const fit = fitLogistic(samples, { lambda: 0.1 });
    for (const [signal, weight] of Object.entries(truth)) expect(fit.weights[signal]).toBeCloseTo(weight, 0);
    expect(fit.bias).toBeCloseTo(bias, 0);

    // Scaled to the size of the current weights, the ratios stay; unseen signals keep theirs.
    const current = {
      'label:feature': 4,
      'title:test': -5,
      size: 1.6,
      'release:minor': 6,
      'author:bot': -6,
      'kep:stage-beta': 5.5,
    };
    const suggested = suggestWeights(current, fit);
    expect(suggested['kep:stage-beta']).toBe(5.5);
    const ratio = (suggested['label:feature'] as number) / (suggested['release:minor'] as number);
    expect(Math.abs(ratio - 2 / 3)).toBeLessThan(0.1);
  });

  it('stays finite when the decisions separate perfectly (regularisation)', () => {
    const samples: Sample[] = [
      { x: { 'label:feature': 1 }, y: 1 },
      { x: { 'label:feature': 1 }, y: 1 },
      { x: { 'title:test': 1 }, y: 0 },
      { x: { 'title:test': 1 }, y: 0 },
    ];
    const fit = fitLogistic(samples, { lambda: 1 });
    expect(Number.isFinite(fit.weights['label:feature'])).toBe(true);
    expect(fit.weights['label:feature']).toBeGreaterThan(0);
    expect(fit.weights['title:test']).toBeLessThan(0);
  });
});
