import type { ItemKind } from './source.js';

/** One named contribution to a score, shown wherever the score is shown. */
export interface ScoreReason {
  signal: string;
  /** What was observed (a label, a size, a stage transition). */
  value: string | number | boolean | null;
  /** Points it adds (negative: it pulls the item down). */
  contribution: number;
}

/** An item as the weekly candidate list shows it. */
export interface Candidate {
  id: number;
  kind: ItemKind;
  repo: string;
  number: number | null;
  tag: string | null;
  title: string;
  url: string;
  project: string;
  /** Who opened or wrote it, when known (untrusted text). */
  author?: string | null;
  occurredAt: Date;
  score: number | null;
  reasons: ScoreReason[];
  storyId: number | null;
  /** The score of the item's story as a whole (what the list is ordered by). */
  storyScore?: number | null;
}

/** The JSON shape of `radar candidates --json` (DESIGN.md contract): snake_case, ISO times. */
export function candidateJson(candidate: Candidate): Record<string, unknown> {
  return {
    id: candidate.id,
    kind: candidate.kind,
    repo: candidate.repo,
    number: candidate.number,
    tag: candidate.tag,
    title: candidate.title,
    url: candidate.url,
    project: candidate.project,
    occurred_at: candidate.occurredAt.toISOString(),
    score: candidate.score,
    reasons: candidate.reasons.map((r) => ({ signal: r.signal, value: r.value, contribution: r.contribution })),
    story_id: candidate.storyId,
    story_score: candidate.storyScore ?? null,
  };
}
