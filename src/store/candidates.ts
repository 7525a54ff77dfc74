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

/**
 * What editors already did about these items, as of the end of a period. Issue entries are few
 * (a handful per issue), so they are read whole and matched to the items here; only items
 * featured before need their latest transition.
 */
export async function loadEditorialState(
  db: Db,
  items: ReadonlyArray<{ id: number; storyId: number | null }>,
  asOf: Date,
): Promise<EditorialState> {
  const state: EditorialState = { decisions: new Map(), featuredAt: new Map(), lastEventAt: new Map(), inDraft: new Set() };
  for (let start = 0; start < items.length; start += BATCH) {
    const decisions = await db
      .selectFrom('decisions')
      .select(['item_id', 'action', 'until'])
      .where(
        'item_id',
        'in',
        items.slice(start, start + BATCH).map((i) => i.id),
      )
      .where('action', 'in', ['promote', 'dismiss', 'snooze', 'restore', 'remove'])
      .orderBy('id')
      .execute();
    for (const d of decisions) {
      if (d.item_id === null) continue;
      // A snooze lasts until its date; after that the item is back. Taken out of an issue, it is back too.
      const over = (d.action === 'snooze' && d.until && d.until <= asOf) || d.action === 'remove';
      state.decisions.set(d.item_id, over ? 'restore' : d.action);
    }
  }
  // Issues the items are in (by themselves or through their story): drafts being written, and
  // published ones (featured since their first publication).
  const entries = await db
    .selectFrom('issue_entries')
    .innerJoin('digest_issues', 'digest_issues.id', 'issue_entries.issue_id')
    .select(['issue_entries.item_id', 'issue_entries.story_id', 'digest_issues.status', 'digest_issues.published_at'])
    .where((eb) => eb.or([eb('issue_entries.item_id', 'is not', null), eb('issue_entries.story_id', 'is not', null)]))
    .execute();
  const draftItems = new Set<number>();
  const draftStories = new Set<number>();
  const publishedItem = new Map<number, Date>();
  const publishedStory = new Map<number, Date>();
  const earliest = (map: Map<number, Date>, key: number, at: Date) => {
    const known = map.get(key);
    if (!known || at < known) map.set(key, at);
  };
  for (const e of entries) {
    if (e.status === 'draft') {
      if (e.item_id !== null) draftItems.add(e.item_id);
      if (e.story_id !== null) draftStories.add(e.story_id);
    } else if (e.published_at) {
      if (e.item_id !== null) earliest(publishedItem, e.item_id, e.published_at);
      if (e.story_id !== null) earliest(publishedStory, e.story_id, e.published_at);
    }
  }
  for (const item of items) {
    const story = item.storyId;
    if (draftItems.has(item.id) || (story !== null && draftStories.has(story))) state.inDraft.add(item.id);
    const byItem = publishedItem.get(item.id);
    const byStory = story === null ? undefined : publishedStory.get(story);
    const times = [byItem, byStory].filter((t): t is Date => t !== undefined).map((t) => t.getTime());
    if (times.length > 0) state.featuredAt.set(item.id, new Date(Math.min(...times)));
  }
  const featured = [...state.featuredAt.keys()];
  for (let start = 0; start < featured.length; start += BATCH) {
    const events = await db
      .selectFrom('item_events')
      .select(['item_id', (eb) => eb.fn.max('occurred_at').as('last')])
      .where('item_id', 'in', featured.slice(start, start + BATCH))
      .where('type', 'not in', ['kep.revised'])
      .groupBy('item_id')
      .execute();
    for (const e of events) if (e.last) state.lastEventAt.set(e.item_id, new Date(e.last));
  }
  return state;
}
