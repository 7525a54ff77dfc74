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
