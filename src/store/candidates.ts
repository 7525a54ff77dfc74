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
 * Everything editors did that decides what a list hides: the decisions and the issue entries
 * with their issue's state. Both are small (a few rows per item an editor looked at), so they
 * are read whole rather than once per batch of items.
 */
interface EditorialRecord {
  decisions: ReadonlyArray<{ itemId: number; action: string; until: Date | null }>;
  entries: ReadonlyArray<{ itemId: number | null; storyId: number | null; status: string; publishedAt: Date | null }>;
}

async function loadEditorialRecord(db: Db): Promise<EditorialRecord> {
  const decisions = await db
    .selectFrom('decisions')
    .select(['item_id', 'action', 'until'])
    .where('action', 'in', ['promote', 'dismiss', 'snooze', 'restore', 'remove'])
    .where('item_id', 'is not', null)
    .orderBy('id')
    .execute();
  const entries = await db
    .selectFrom('issue_entries')
    .innerJoin('digest_issues', 'digest_issues.id', 'issue_entries.issue_id')
    .select([
      'issue_entries.id',
      'issue_entries.item_id',
      'issue_entries.story_id',
      'digest_issues.status',
      'digest_issues.published_at',
    ])
    .where((eb) => eb.or([eb('issue_entries.item_id', 'is not', null), eb('issue_entries.story_id', 'is not', null)]))
    .orderBy('issue_entries.id')
    .execute();
  return {
    decisions: decisions.map((d) => ({ itemId: d.item_id as number, action: d.action, until: d.until })),
    entries: entries.map((e) => ({ itemId: e.item_id, storyId: e.story_id, status: e.status, publishedAt: e.published_at })),
  };
}

/** What editors already did about these items, as of the end of a period. */
export async function loadEditorialState(
  db: Db,
  items: ReadonlyArray<{ id: number; storyId: number | null }>,
  asOf: Date,
): Promise<EditorialState> {
  const { decisions, entries } = await loadEditorialRecord(db);
  const state: EditorialState = { decisions: new Map(), featuredAt: new Map(), lastEventAt: new Map(), inDraft: new Set() };
  const wanted = new Set(items.map((i) => i.id));
  for (const d of decisions) {
    if (!wanted.has(d.itemId)) continue;
    // A snooze lasts until its date; after that the item is back. Taken out of an issue, it is back too.
    const over = (d.action === 'snooze' && d.until && d.until <= asOf) || d.action === 'remove';
    state.decisions.set(d.itemId, over ? 'restore' : d.action);
  }
  // Issues the items are in (by themselves or through their story): drafts being written, and
  // published ones (featured since their first publication).
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
      if (e.itemId !== null) draftItems.add(e.itemId);
      if (e.storyId !== null) draftStories.add(e.storyId);
    } else if (e.publishedAt) {
      if (e.itemId !== null) earliest(publishedItem, e.itemId, e.publishedAt);
      if (e.storyId !== null) earliest(publishedStory, e.storyId, e.publishedAt);
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
