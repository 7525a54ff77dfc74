import type { Config } from '../config/config.js';
import { repoScoring } from '../ingest/rescore.js';
import { loadScoringFacts } from '../ingest/scoring-context.js';
import type { Period } from '../lib/time.js';
import { type Assessment, assess } from '../scoring/assess.js';
import type { Db } from '../store/db.js';
import { loadEvents, loadItemsById, type StoredForScoring } from '../store/scoring.js';

/** Scores stored items for a period with the current weights (for decisions and learning). */
export async function assessItems(
  db: Db,
  config: Config,
  itemIds: readonly number[],
  period: Period,
): Promise<Map<number, Assessment & { item: StoredForScoring }>> {
  const items = await loadItemsById(db, itemIds);
  const events = await loadEvents(
    db,
    items.map((i) => i.id),
  );
  const facts = await loadScoringFacts(db, items);
  const scoring = repoScoring(config);
  const result = new Map<number, Assessment & { item: StoredForScoring }>();
  for (const item of items) {
    const { rules, weights } = scoring(item);
    result.set(item.id, {
      item,
      ...assess(item, events.get(item.id) ?? [], facts.of(item), period, rules, weights),
    });
  }
  return result;
}

/** A feature list as the numbers a decision keeps (signal -> value). */
export function featureVector(features: ReadonlyArray<{ signal: string; x: number }>): Record<string, number> {
  return Object.fromEntries(features.map((f) => [f.signal, f.x]));
}
