import type { Db } from './db.js';
import { jsonb } from './json.js';

export interface NewDecision {
  itemId: number | null;
  storyId: number | null;
  action: 'promote' | 'dismiss' | 'snooze' | 'restore' | 'remove';
  issueId: number | null;
  week: string | null;
  editor: string;
  reason: string | null;
  until: Date | null;
  /** The item's features (signal -> value) when decided, for learning. */
  features: Record<string, number>;
}

export async function recordDecision(db: Db, decision: NewDecision): Promise<number> {
  const row = await db
    .insertInto('decisions')
    .values({
      item_id: decision.itemId,
      story_id: decision.storyId,
      action: decision.action,
      issue_id: decision.issueId,
      week: decision.week,
      editor: decision.editor,
      reason: decision.reason,
      until: decision.until,
      features: jsonb(decision.features),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface StoredDecision {
  id: number;
  itemId: number | null;
  storyId: number | null;
  action: string;
  issueId: number | null;
  week: string | null;
  editor: string;
  reason: string | null;
  until: Date | null;
  features: Record<string, number>;
  createdAt: Date;
}

/** Decisions, oldest first; optionally only some actions. */
export async function listDecisions(db: Db, actions?: readonly string[]): Promise<StoredDecision[]> {
  let q = db.selectFrom('decisions').selectAll().orderBy('id');
  if (actions?.length) q = q.where('action', 'in', [...actions]);
  const rows = await q.execute();
  return rows.map((row) => ({
    id: row.id,
    itemId: row.item_id,
    storyId: row.story_id,
    action: row.action,
    issueId: row.issue_id,
    week: row.week,
    editor: row.editor,
    reason: row.reason,
    until: row.until,
    features: row.features as Record<string, number>,
    createdAt: row.created_at,
  }));
}
