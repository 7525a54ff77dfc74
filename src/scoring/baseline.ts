import type { PullDetails } from '../domain/item.js';
import type { ScoringItem } from './features.js';

/**
 * The hand heuristic radar's ranking is measured against (`npm run eval`): the six lines anyone
 * would write first. If radar's list is not clearly better than this, its signals, stories and
 * learning are not earning their keep. Not used for ranking; pure.
 */
export function handHeuristic(item: ScoringItem): number {
  const labels = item.labels.map((l) => l.toLowerCase());
  const pull = item.kind === 'pull' ? (item.details as PullDetails) : null;
  const lines = (pull?.files ?? []).reduce((n, f) => n + (f.additions ?? 0) + (f.deletions ?? 0), 0);
  let score = 0;
  if (labels.some((l) => ['kind/feature', 'kind/api-change', 'kind/deprecation'].includes(l))) score += 2; // labels
  if (pull?.releaseNote && !/^\s*(none|n\/a)?\s*$/i.test(pull.releaseNote)) score += 2; // a release note
  if (item.repo.toLowerCase() === 'kubernetes/enhancements') score += 2; // the KEP repo
  if (/\b(add|support|introduce|new|promote|graduate|deprecate|remove)\b/i.test(item.title)) score += 1; // title words
  if (/\b(test|e2e|flake|bump|typo|lint|refactor)\b/i.test(item.title)) score -= 2;
  return score + Math.log10(1 + (lines || (pull?.additions ?? 0) + (pull?.deletions ?? 0))); // size
}
