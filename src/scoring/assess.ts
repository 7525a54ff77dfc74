import type { ScoringConfig } from '../config/config.js';
import type { Period } from '../lib/time.js';
import { CONVENTIONS } from './conventions.js';
import {
  extractFeatures,
  type Feature,
  type ScoringContext,
  type ScoringEvent,
  type ScoringItem,
  type ScoringRules,
} from './features.js';
import { type Scored, scoreFeatures } from './score.js';
import { topicRules } from './topics.js';
import { type ScoringWeights, type WordFeature, wordFeatures } from './words.js';

/** The scoring rules of a repo: its label conventions and the configured topics and bots. */
export function rulesFor(conventions: string, scoring: Pick<ScoringConfig, 'topics' | 'bots'>): ScoringRules {
  return {
    conventions: CONVENTIONS[conventions] ?? (CONVENTIONS.default as (typeof CONVENTIONS)[string]),
    topics: topicRules(scoring.topics),
    bots: scoring.bots,
  };
}

export interface Assessment {
  features: Feature[];
  /** The weighted words the item contains (each a `word:<word>` contribution in `scored`). */
  words: WordFeature[];
  scored: Scored;
}

/**
 * Scores an item for a period: the events that count are those inside it (a KEP is scored for
 * the transitions it made in that period). `facts` are what it is compared with: the releases of
 * its repo and project, a KEP's pull requests. Word weights (`word:<word>` keys of the weights,
 * config scoring.words) add a contribution for each weighted word of the item's title, release
 * note or start of body.
 */
export function assess(
  item: ScoringItem,
  events: readonly ScoringEvent[],
  facts: Omit<ScoringContext, 'events'>,
  period: Period,
  rules: ScoringRules,
  weights: ScoringWeights,
): Assessment {
  const inPeriod = events.filter((e) => e.occurredAt >= period.from && e.occurredAt < period.to);
  const features = extractFeatures(item, { ...facts, events: inPeriod }, rules);
  const words = wordFeatures(item, weights);
  return { features, words, scored: scoreFeatures([...features, ...words], weights) };
}
