import type { Config } from '../config/config.js';
import { NotFoundError } from '../lib/errors.js';
import { isoWeekOf, parseIsoWeek } from '../lib/time.js';
import type { Db } from '../store/db.js';
import { loadEvents, loadItemsById, loadStoryItems, type StoredForScoring } from '../store/scoring.js';
import { assessItems } from './assessment.js';

/** An item as the API shows it: its facts, its events, its story, and why it scores as it does. */
export async function itemDetail(db: Db, config: Config, id: number) {
  const [item] = await loadItemsById(db, [id]);
  if (!item) throw new NotFoundError(`no item ${id}`);
  const events = (await loadEvents(db, [id])).get(id) ?? [];
  const week = isoWeekOf(item.occurredAt);
  const assessment = (await assessItems(db, config, [id], parseIsoWeek(week))).get(id);
  const story = item.storyId === null ? [item] : await loadStoryItems(db, item.storyId);
  const decisions = await db
    .selectFrom('decisions')
    .leftJoin('digest_issues', 'digest_issues.id', 'decisions.issue_id')
    .select([
      'decisions.action',
      'decisions.editor',
      'decisions.reason',
      'decisions.until',
      'decisions.week',
      'decisions.created_at',
      'digest_issues.volume',
    ])
    .where('decisions.item_id', '=', id)
    .orderBy('decisions.id')
    .execute();
  return {
    ...summary(item),
    author: item.author,
    state: item.state,
    labels: item.labels,
    details: item.details,
    week,
    score: assessment?.scored.score ?? null,
    reasons: assessment?.scored.reasons ?? [],
    events: events.map((e) => ({
      type: e.type,
      from: e.from,
      to: e.to,
      commit_sha: e.commitSha,
      occurred_at: e.occurredAt.toISOString(),
    })),
    story: { id: item.storyId, items: story.map(summary) },
    decisions: decisions.map((d) => ({
      action: d.action,
      editor: d.editor,
      reason: d.reason,
      until: d.until?.toISOString() ?? null,
      week: d.week,
      issue: d.volume,
      created_at: d.created_at.toISOString(),
    })),
  };
}

export async function storyDetail(db: Db, id: number) {
  const story = await db.selectFrom('stories').selectAll().where('id', '=', id).executeTakeFirst();
  if (!story) throw new NotFoundError(`no story ${id}`);
  const items = await loadStoryItems(db, id);
  return {
    id: story.id,
    key: story.key,
    title: story.title,
    project: story.project,
    score: story.score,
    lead_item_id: story.lead_item_id,
    first_occurred_at: story.first_occurred_at?.toISOString() ?? null,
    last_occurred_at: story.last_occurred_at?.toISOString() ?? null,
    items: items.map(summary),
  };
}

function summary(item: StoredForScoring) {
  return {
    id: item.id,
    kind: item.kind,
    repo: item.repo,
    number: item.number,
    tag: item.tag,
    title: item.title,
    url: item.url,
    project: item.project,
    occurred_at: item.occurredAt.toISOString(),
    story_id: item.storyId,
  };
}
