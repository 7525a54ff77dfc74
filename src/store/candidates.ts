import type { Candidate, ScoreReason } from '../domain/candidate.js';
import type { ItemKind } from '../domain/source.js';
import type { Period } from '../lib/time.js';
import type { Db } from './db.js';

export interface CandidateQuery {
  period: Period;
  project?: string | undefined;
  kinds?: ItemKind[] | undefined;
  limit?: number | undefined;
}

/** Items that happened in the period, newest first. */
export async function listItemsInPeriod(db: Db, query: CandidateQuery): Promise<Candidate[]> {
  let q = db
    .selectFrom('items')
    .innerJoin('repos', 'repos.id', 'items.repo_id')
    .select([
      'items.id',
      'items.kind',
      'repos.full_name as repo',
      'items.number',
      'items.tag',
      'items.title',
      'items.url',
      'repos.project',
      'items.occurred_at',
      'items.score',
      'items.score_reasons',
      'items.story_id',
    ])
    .where('items.occurred_at', '>=', query.period.from)
    .where('items.occurred_at', '<', query.period.to)
    .orderBy('items.occurred_at', 'desc')
    .orderBy('items.id', 'desc');
  if (query.project) q = q.where((eb) => eb(eb.fn('lower', ['repos.project']), '=', query.project?.toLowerCase() ?? ''));
  if (query.kinds && query.kinds.length > 0) q = q.where('items.kind', 'in', query.kinds);
  if (query.limit !== undefined) q = q.limit(query.limit);
  const rows = await q.execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind as ItemKind,
    repo: row.repo,
    number: row.number,
    tag: row.tag,
    title: row.title,
    url: row.url,
    project: row.project,
    occurredAt: row.occurred_at,
    score: row.score,
    reasons: row.score_reasons as ScoreReason[],
    storyId: row.story_id,
  }));
}
