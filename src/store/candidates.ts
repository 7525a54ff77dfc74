import { sql } from 'kysely';
import type { Db } from './db.js';

export interface EditorialState {
  /** The latest editor decision per item: promote, dismiss, snooze (while it lasts), restore (or removed from an issue). */
  decisions: Map<number, string>;
  /** Items in an issue being written, by themselves or through their story (a promoted story's other items). */
  inDraft: Set<number>;
  /** When an item (or a story it belongs to) was published in a digest issue. */
  featuredAt: Map<number, Date>;
  /** An item's latest transition (not a mere text revision): news after a feature makes a follow-up. */
  lastEventAt: Map<number, Date>;
}

const BATCH = 500;

/** What editors already did about these items, as of the end of a period. */
export async function loadEditorialState(db: Db, itemIds: readonly number[], asOf: Date): Promise<EditorialState> {
  const state: EditorialState = { decisions: new Map(), featuredAt: new Map(), lastEventAt: new Map(), inDraft: new Set() };
  for (let start = 0; start < itemIds.length; start += BATCH) {
    const ids = itemIds.slice(start, start + BATCH);
    const decisions = await db
      .selectFrom('decisions')
      .select(['item_id', 'action', 'until'])
      .where('item_id', 'in', ids)
      .where('action', 'in', ['promote', 'dismiss', 'snooze', 'restore', 'remove'])
      .orderBy('id')
      .execute();
    for (const d of decisions) {
      if (d.item_id === null) continue;
      // A snooze lasts until its date; after that the item is back. Taken out of an issue, it is back too.
      const over = (d.action === 'snooze' && d.until && d.until <= asOf) || d.action === 'remove';
      state.decisions.set(d.item_id, over ? 'restore' : d.action);
    }
    // Issues the items are in (by themselves or through their story): drafts being written,
    // and published ones (featured since their first publication).
    const inIssues = await db
      .selectFrom('items')
      .innerJoin('issue_entries', (join) =>
        join.on((eb) =>
          eb.or([
            eb('issue_entries.item_id', '=', eb.ref('items.id')),
            eb('issue_entries.story_id', '=', eb.ref('items.story_id')),
          ]),
        ),
      )
      .innerJoin('digest_issues', 'digest_issues.id', 'issue_entries.issue_id')
      .select(['items.id', 'digest_issues.status', sql<Date | null>`min(digest_issues.published_at)`.as('published_at')])
      .where('items.id', 'in', ids)
      .groupBy(['items.id', 'digest_issues.status'])
      .execute();
    for (const row of inIssues) {
      if (row.status === 'draft') state.inDraft.add(row.id);
      else if (row.published_at) state.featuredAt.set(row.id, new Date(row.published_at));
    }
    const events = await db
      .selectFrom('item_events')
      .select(['item_id', (eb) => eb.fn.max('occurred_at').as('last')])
      .where('item_id', 'in', ids)
      .where('type', 'not in', ['kep.revised'])
      .groupBy('item_id')
      .execute();
    for (const e of events) if (e.last) state.lastEventAt.set(e.item_id, new Date(e.last));
  }
  return state;
}
