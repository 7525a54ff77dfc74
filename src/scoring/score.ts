import type { ScoreReason } from '../domain/candidate.js';
import type { Feature } from './features.js';
import type { Weights } from './signals.js';
import type { ScoringWeights, WordFeature } from './words.js';

/**
 * A score is a sum of named contributions (weight × value), each kept as a reason the editor
 * can read. Contributions are rounded first, so the reasons add up exactly to the score.
 */
export interface Scored {
  score: number;
  reasons: ScoreReason[];
}

/** A feature the scorer weighs: one of the catalogue's signals, or a word (`word:<word>`). */
export type ScoringFeature = Feature | WordFeature;

export function scoreFeatures(features: readonly ScoringFeature[], weights: ScoringWeights): Scored {
  const reasons: ScoreReason[] = [];
  for (const feature of features) {
    // A word without a weight adds nothing (the word features given are normally the weighted ones).
    const contribution = round((weights[feature.signal] ?? 0) * feature.x);
    if (contribution === 0) continue;
    reasons.push({ signal: feature.signal, value: feature.shown, contribution });
  }
  reasons.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.signal.localeCompare(b.signal));
  return { score: round(reasons.reduce((sum, r) => sum + r.contribution, 0)), reasons };
}

/** Adds one more named contribution (carry-over, story) to a scored item. */
export function withContribution(scored: Scored, reason: ScoreReason): Scored {
  if (reason.contribution === 0) return scored;
  const contribution = round(reason.contribution);
  return { score: round(scored.score + contribution), reasons: [...scored.reasons, { ...reason, contribution }] };
}

/**
 * A story is scored as a whole: its best item, plus a share (the `story` weight) of what its
 * other items add, each further item counting less (the second whole, the third half, the
 * fourth a third...), so that a KEP with its implementation pull requests ranks above the KEP
 * alone without a long story outgrowing every other. Only the positive part counts: a
 * cherry-pick does not pull its feature down.
 */
export function storyScore(itemScores: readonly number[], weights: Weights): { score: number; bonus: number } {
  const sorted = [...itemScores].sort((a, b) => b - a);
  const best = sorted[0] ?? 0;
  const others = sorted.slice(1).reduce((sum, s, i) => sum + Math.max(0, s) / (i + 1), 0);
  const bonus = round(weights.story * others);
  return { score: round(best + bonus), bonus };
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
