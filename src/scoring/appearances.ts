import { isoWeekContaining, type Period, WEEK_MS } from '../lib/time.js';

/**
 * When an item counts for the candidate list, week by week. Pure: the scoring pass stores a
 * score per appearance (table item_week_scores), and the list of a week reads them; a list of
 * any other period computes the same from the items (src/editorial/candidates.ts).
 *
 * - An item *appears* in the ISO week it happened in, and in each week of a later event of it
 *   that is news (everything but a KEP's text being revised): a KEP's transitions, a design
 *   issue closed.
 * - An appearance *lists* the item when it happened then, or when a KEP or an enhancement
 *   tracking issue moved then: the list of a period holds the items listed in the period or in
 *   its carry-over weeks.
 * - A listed item scores as of its latest appearance up to the period's end, for that week (for
 *   the period itself when it appeared in it), losing the carry-over weight for each week
 *   between that week and the period.
 */

/** Events that list an item in the week they happened in (besides the item's own week). */
export const LISTING_EVENTS = ['kep.created', 'kep.status', 'kep.stage', 'kep.milestone', 'tracking.stage'] as const;

/** Events that are not news for a reader: a KEP's text edited without a transition. */
const NOT_NEWS = new Set(['kep.revised']);

export interface Appearance {
  week: Period;
  lists: boolean;
}

interface AppearingItem {
  occurredAt: Date;
}

interface AppearingEvent {
  type: string;
  occurredAt: Date;
}

/** The ISO weeks an item appears in, oldest first. */
export function appearances(item: AppearingItem, events: readonly AppearingEvent[]): Appearance[] {
  const byWeek = new Map<number, Appearance>();
  const add = (at: Date, lists: boolean) => {
    const week = isoWeekContaining(at);
    const known = byWeek.get(week.from.getTime());
    if (known) known.lists ||= lists;
    else byWeek.set(week.from.getTime(), { week, lists });
  };
  add(item.occurredAt, true);
  for (const event of events)
    if (!NOT_NEWS.has(event.type)) add(event.occurredAt, (LISTING_EVENTS as readonly string[]).includes(event.type));
  return [...byWeek.values()].sort((a, b) => a.week.from.getTime() - b.week.from.getTime());
}

/** What a listed item is scored for in a period's list, and how many weeks it carried over. */
export interface ListedAs {
  /** The period itself, or the ISO week of the item's latest appearance before it. */
  scoredFor: Period;
  weeksEarlier: number;
}

/**
 * How an item of a period's list (window = the period and its carry-over weeks) is scored: for
 * the period when it did something news in it, else for the ISO week of the latest thing it did
 * in the window, carried over the weeks since. Null when it did nothing in the window.
 */
export function listedAs(
  item: AppearingItem,
  events: readonly AppearingEvent[],
  period: Period,
  windowFrom: Date,
): ListedAs | null {
  const times = [item.occurredAt, ...events.filter((e) => !NOT_NEWS.has(e.type)).map((e) => e.occurredAt)];
  if (times.some((t) => t >= period.from && t < period.to)) return { scoredFor: period, weeksEarlier: 0 };
  const before = times.filter((t) => t >= windowFrom && t < period.from);
  if (before.length === 0) return null;
  const latest = new Date(Math.max(...before.map((t) => t.getTime())));
  return {
    scoredFor: isoWeekContaining(latest),
    weeksEarlier: Math.ceil((period.from.getTime() - latest.getTime()) / WEEK_MS),
  };
}
