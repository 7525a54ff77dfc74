/**
 * Ranking quality against an editor's picks (pure): precision@k, recall@k and nDCG@k with
 * binary relevance. `ranked` is best first; ids are any stable strings.
 */

export function precisionAt(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (k <= 0) return 0;
  return ranked.slice(0, k).filter((id) => relevant.has(id)).length / k;
}

export function recallAt(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) return 1;
  return ranked.slice(0, k).filter((id) => relevant.has(id)).length / relevant.size;
}

export function ndcgAt(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  const ideal = Math.min(k, relevant.size);
  if (ideal === 0) return 1;
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    if (relevant.has(id)) dcg += 1 / Math.log2(i + 2);
  });
  let idcg = 0;
  for (let i = 0; i < ideal; i++) idcg += 1 / Math.log2(i + 2);
  return dcg / idcg;
}

export interface RankingQuality {
  precision: number;
  recall: number;
  ndcg: number;
}

export function quality(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): RankingQuality {
  return {
    precision: precisionAt(ranked, relevant, k),
    recall: recallAt(ranked, relevant, k),
    ndcg: ndcgAt(ranked, relevant, k),
  };
}

/** The mean of several qualities (e.g. over projects or weeks). */
export function meanQuality(values: readonly RankingQuality[]): RankingQuality {
  if (values.length === 0) return { precision: 0, recall: 0, ndcg: 0 };
  const sum = (key: keyof RankingQuality) => values.reduce((n, v) => n + v[key], 0) / values.length;
  return { precision: sum('precision'), recall: sum('recall'), ndcg: sum('ndcg') };
}

/**
 * nDCG@k with graded relevance (an editor's headline pick counts more than a minor mention).
 * `grades` maps an id to its gain; ids not in it are irrelevant.
 */
export function gradedNdcgAt(ranked: readonly string[], grades: ReadonlyMap<string, number>, k: number): number {
  const ideal = [...grades.values()].sort((a, b) => b - a).slice(0, k);
  if (ideal.length === 0) return 1;
  const discount = (i: number) => 1 / Math.log2(i + 2);
  const dcg = ranked.slice(0, k).reduce((sum, id, i) => sum + (grades.get(id) ?? 0) * discount(i), 0);
  const idcg = ideal.reduce((sum, gain, i) => sum + gain * discount(i), 0);
  return dcg / idcg;
}

/** Where each of the relevant ids is in a ranking (1-based), or null when it is not ranked. */
export function ranksOf(ranked: readonly string[], relevant: Iterable<string>): Map<string, number | null> {
  const position = new Map(ranked.map((id, i) => [id, i + 1] as const));
  return new Map([...relevant].map((id) => [id, position.get(id) ?? null]));
}

export interface DigestPost {
  /** The day the post's week ends (YYYY-MM-DD). */
  postDate: string;
  /** When it went out: an editor covers what merged up to the moment of writing. */
  published: string;
}

const DAY_MS = 86_400_000;

/**
 * The period each post of a weekly digest covers: from the day after the previous post's week
 * ended (a week before its own for the first post) to its publication. Consecutive periods
 * overlap by the days between a week's end and its post, as the editors' own coverage does.
 */
export function postPeriods(posts: readonly DigestPost[]): Array<{ from: Date; to: Date }> {
  return posts.map((post, i) => {
    const previous = posts[i - 1];
    const end = Date.parse(`${post.postDate}T00:00:00Z`);
    const from = previous ? Date.parse(`${previous.postDate}T00:00:00Z`) + DAY_MS : end - 6 * DAY_MS;
    return { from: new Date(from), to: new Date(post.published) };
  });
}
