import type { Config } from '../config/config.js';
import { readDocument, writeDocument } from '../config/edit.js';
import { parseIsoWeek } from '../lib/time.js';
import { meanQuality, quality, type RankingQuality } from '../scoring/evaluation.js';
import type { Weights } from '../scoring/signals.js';
import { fitLogistic, type Sample, suggestWeights } from '../scoring/tune.js';
import type { Db } from '../store/db.js';
import { listDecisions } from '../store/decisions.js';
import { featureVector } from './assessment.js';
import { listCandidates } from './candidates.js';

/**
 * Learning from editors: promote and dismiss decisions (with the features the item had when
 * decided) are positive and negative examples; in a week where the editor promoted something,
 * the week's other top candidates they left alone are weak negatives. A regularised logistic
 * regression over the scorer's own features suggests new weights, compared with the current
 * ones by how they rank the decided weeks.
 */

export interface TuneOptions {
  /** L2 strength; larger keeps the suggestion closer to zero-mean, smaller follows the data. */
  lambda?: number;
  /** Candidates per decided week taken as implicit negatives. */
  implicitNegatives?: number;
}

export interface TuneResult {
  weeks: string[];
  promoted: number;
  dismissed: number;
  implicit: number;
  current: Weights;
  suggested: Weights;
  /** Signals whose weight the data moved. */
  changed: string[];
  quality: { current: { at5: RankingQuality; at10: RankingQuality }; suggested: { at5: RankingQuality; at10: RankingQuality } };
}

export async function tune(db: Db, config: Config, options: TuneOptions = {}): Promise<TuneResult | null> {
  const decisions = (await listDecisions(db, ['promote', 'dismiss'])).filter((d) => d.itemId !== null && d.week);
  if (decisions.length === 0) return null;
  // The latest decision on an item is the one that counts.
  const latest = new Map(decisions.map((d) => [d.itemId as number, d]));
  const weeks = [...new Set([...latest.values()].map((d) => d.week as string))].sort();
  const samples: Sample[] = [...latest.values()].map((d) => ({ x: d.features, y: d.action === 'promote' ? 1 : 0 }));
  let implicit = 0;
  const relevantByWeek = new Map<string, Set<number>>();
  for (const week of weeks) {
    const promoted = [...latest.values()].filter((d) => d.week === week && d.action === 'promote').map((d) => d.itemId as number);
    relevantByWeek.set(week, new Set(promoted));
    if (promoted.length === 0) continue;
    const list = await listCandidates(db, config, { period: parseIsoWeek(week), limit: options.implicitNegatives ?? 30 });
    for (const item of list.items) {
      if (latest.has(item.id)) continue;
      samples.push({ x: featureVector(list.features.get(item.id) ?? []), y: 0 });
      implicit += 1;
    }
  }
  const fit = fitLogistic(samples, { lambda: options.lambda ?? 1 });
  const current = config.scoring.weights;
  const suggested = suggestWeights(current, fit) as Weights;
  const changed = fit.observed.filter((k) => suggested[k as keyof Weights] !== current[k as keyof Weights]);

  const measure = async (weights: Weights) => {
    const at5: RankingQuality[] = [];
    const at10: RankingQuality[] = [];
    const variant = withWeights(config, weights);
    for (const week of weeks) {
      const relevant = relevantByWeek.get(week) as Set<number>;
      if (relevant.size === 0) continue;
      const list = await listCandidates(db, variant, { period: parseIsoWeek(week), includeDecided: true });
      const ranked = list.items.map((i) => String(i.id));
      const wanted = new Set([...relevant].map(String));
      at5.push(quality(ranked, wanted, 5));
      at10.push(quality(ranked, wanted, 10));
    }
    return { at5: meanQuality(at5), at10: meanQuality(at10) };
  };
  return {
    weeks,
    promoted: samples.filter((s) => s.y === 1).length,
    dismissed: [...latest.values()].filter((d) => d.action === 'dismiss').length,
    implicit,
    current,
    suggested,
    changed,
    quality: { current: await measure(current), suggested: await measure(suggested) },
  };
}

/** The config with other global weights (per-project and per-repo overrides still apply on top). */
function withWeights(config: Config, weights: Weights): Config {
  return {
    ...config,
    scoring: { ...config.scoring, weights },
    repos: config.repos.map((repo) => ({ ...repo, weights: { ...repo.weights, ...diff(config.scoring.weights, weights) } })),
  };
}

function diff(before: Weights, after: Weights): Partial<Weights> {
  return Object.fromEntries(Object.entries(after).filter(([k, v]) => before[k as keyof Weights] !== v)) as Partial<Weights>;
}

/** Writes suggested weights into the config's scoring.weights, keeping the file's comments. */
export function writeWeights(file: string, weights: Partial<Weights>): Config {
  const doc = readDocument(file);
  for (const [signal, value] of Object.entries(weights)) doc.setIn(['scoring', 'weights', signal], value);
  return writeDocument(file, doc);
}
