import type { ItemKind } from '../domain/source.js';

/**
 * How a project's stories are ordered for an editor (pure). By score, with three rules on top,
 * so that the top of the list is something an editor can pick from:
 *
 * - **chores last**: a story made only of chores (build fixes, bumps, lint...) comes after every
 *   other story of its project, so none reaches the top 10 while real changes are left;
 * - **diminishing returns per kind**: a KEP, release or design issue story loses `penalty`
 *   points for each story of its kind ranked above it in its project (pull requests are the
 *   bulk of every list and are not affected), so that ten KEPs merged before a freeze do not fill
 *   the top of the list, while the best of them keep their place;
 * - **variety**: the best story of each kind (a KEP, a release, a design issue, pull requests)
 *   that happened in the period and scores at least `minScore` is placed within the first
 *   `within` of its project, so that
 *   five labelled API pull requests do not push the week's KEP and release below the fold.
 *
 * Projects keep the places they had in the list ordered by score; only the order of a project's
 * stories among its own places changes.
 */

export interface Arrangeable {
  project: string;
  score: number;
  kind: ItemKind;
  chore: boolean;
  /** Something in it happened in the period (a carried-over story is not kept near the top). */
  fresh?: boolean;
}

export interface Variety {
  /** Places at the top of a project's list the best story of each kind is kept within (0: off). */
  within: number;
  /** The score a story needs to be kept there. */
  minScore: number;
  /** Points a KEP, release or design issue story loses per story of its kind above it. */
  penalty: number;
}

export interface Arranged<T> {
  stories: T[];
  /** Points each story lost to the stories of its kind ranked above it, when any. */
  penalties: Map<T, { points: number; above: number }>;
  /** Stories moved up for variety (the reason to show). */
  keptForVariety: Set<T>;
}

/** `stories` must be ordered best first. */
export function arrangeStories<T extends Arrangeable>(stories: readonly T[], variety: Variety): Arranged<T> {
  const byProject = new Map<string, T[]>();
  for (const story of stories) {
    const list = byProject.get(story.project) ?? [];
    list.push(story);
    byProject.set(story.project, list);
  }
  const penalties = new Map<T, { points: number; above: number }>();
  const keptForVariety = new Set<T>();
  const arranged = new Map<string, T[]>();
  for (const [project, list] of byProject) {
    const real = diminish(
      list.filter((s) => !s.chore),
      variety.penalty,
      penalties,
    );
    const ordered = [...real, ...list.filter((s) => s.chore)];
    arranged.set(project, withVariety(ordered, variety, keptForVariety, penalties));
  }
  // Each project fills the places it held, in its new order.
  const next = new Map<string, number>();
  const result = stories.map((story) => {
    const index = next.get(story.project) ?? 0;
    next.set(story.project, index + 1);
    return (arranged.get(story.project) as T[])[index] as T;
  });
  return { stories: result, penalties, keptForVariety };
}

/**
 * Orders by score after each story of a kind other than pull requests loses `penalty` per story
 * of its kind placed above it: at each step the best head of the per-kind queues goes next.
 */
function diminish<T extends Arrangeable>(list: T[], penalty: number, penalties: Map<T, { points: number; above: number }>): T[] {
  if (penalty <= 0) return list;
  // One queue per kind, in list order, each read from its head (an index: no copying).
  const queues = new Map<ItemKind, { stories: T[]; head: number }>();
  for (const story of list) {
    const queue = queues.get(story.kind) ?? { stories: [], head: 0 };
    queue.stories.push(story);
    queues.set(story.kind, queue);
  }
  const placed = new Map<ItemKind, number>();
  const effective = (kind: ItemKind, story: T) => story.score - (kind === 'pull' ? 0 : penalty * (placed.get(kind) ?? 0));
  const headOf = (kind: ItemKind) => {
    const queue = queues.get(kind) as { stories: T[]; head: number };
    return queue.stories[queue.head];
  };
  const result: T[] = [];
  while (result.length < list.length) {
    let bestKind: ItemKind | null = null;
    for (const kind of queues.keys()) {
      const head = headOf(kind);
      if (!head) continue;
      if (bestKind === null || effective(kind, head) > effective(bestKind, headOf(bestKind) as T)) bestKind = kind;
    }
    const queue = queues.get(bestKind as ItemKind) as { stories: T[]; head: number };
    const story = queue.stories[queue.head] as T;
    queue.head += 1;
    const above = bestKind === 'pull' ? 0 : (placed.get(bestKind as ItemKind) ?? 0);
    if (above > 0) penalties.set(story, { points: penalty * above, above });
    placed.set(bestKind as ItemKind, (placed.get(bestKind as ItemKind) ?? 0) + 1);
    result.push(story);
  }
  return result;
}

function withVariety<T extends Arrangeable>(
  ordered: T[],
  variety: Variety,
  kept: Set<T>,
  penalties: Map<T, { points: number; above: number }>,
): T[] {
  if (variety.within <= 0) return ordered;
  const top = new Set(ordered.slice(0, variety.within));
  const best = new Map<ItemKind, T>();
  for (const story of ordered) if (!story.chore && story.fresh !== false && !best.has(story.kind)) best.set(story.kind, story);
  const lifted = [...best.values()].filter((s) => !top.has(s) && s.score >= variety.minScore);
  if (lifted.length === 0) return ordered;
  const rest = ordered.filter((s) => !lifted.includes(s));
  // The kept stories take places at the end of the top, among the best of the others, by score
  // as ranked (after the points lost to their kind).
  const ranked = (s: T) => s.score - (penalties.get(s)?.points ?? 0);
  const room = Math.max(0, variety.within - lifted.length);
  const head = [...rest.slice(0, room), ...lifted].sort((a, b) => ranked(b) - ranked(a));
  for (const story of lifted) kept.add(story);
  return [...head, ...rest.slice(room)];
}
