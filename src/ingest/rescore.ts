import { createHash } from 'node:crypto';
import type { Config, WatchedRepo } from '../config/config.js';
import type { ScoreReason } from '../domain/candidate.js';
import type { Logger } from '../lib/logger.js';
import { isoWeekContaining } from '../lib/time.js';
import { appearances } from '../scoring/appearances.js';
import { assess, rulesFor } from '../scoring/assess.js';
import type { ScoringRules } from '../scoring/features.js';
import { type ScoringWeights, withWordWeights } from '../scoring/words.js';
import type { Db } from '../store/db.js';
import { newHolder, releaseLease, tryAcquireLease } from '../store/leases.js';
import { vacuumWithoutAutovacuum } from '../store/maintenance.js';
import {
  hasItemsNeedingScoring,
  loadEvents,
  loadItemsById,
  loadRevisionsNeedingScoring,
  loadScoringFingerprints,
  markForScoring,
  saveScores,
  saveScoringFingerprint,
  saveScoringGeneration,
} from '../store/scoring.js';
import { replaceWeekScores, type WeekScore } from '../store/week-scores.js';
import { regroupStories } from './regroup.js';
import { loadScoringFacts } from './scoring-context.js';

export interface RescoreResult {
  /** Items scored in this pass (all of them with `all`, else those that changed). */
  items: number;
  scoresChanged: number;
  stories: number;
  itemsRegrouped: number;
  /** Items whose stories were regrouped: all of them, or what changed and what it can link to. */
  grouped: number;
  /** Whether every item was regrouped (the first pass after an upgrade, `radar rescore`). */
  groupedAll: boolean;
  /** Whether another process held the rescore lease, so this pass did nothing. */
  skipped: boolean;
}

/** Items scored so far of those the pass has to score. */
export type RescoreProgress = (progress: { done: number; total: number }) => void;

/**
 * Bump when scoring code changes what a stored score would be: every item is scored again at
 * the next poll, as after a weight change in the config.
 */
const SCORING_REVISION = 3;

const LEASE = 'rescore';
const LEASE_TTL_MS = 10 * 60_000;

/**
 * Scores stored items with the current weights (each for the ISO week it happened in) and
 * regroups stories, from what is stored: no GitHub request. After a poll only what needs it is
 * scored: items that changed or got events since their score, the releases of a repo whose
 * releases changed, and every item of a repo whose weights or rules changed in the config.
 * `all` scores everything (radar rescore). Stories are regrouped for what was scored and what it
 * can be linked with, or over every item when needed (src/ingest/regroup.ts).
 */
export async function rescore(
  deps: { db: Db; config: Config; logger: Logger },
  options: { all?: boolean; onProgress?: RescoreProgress } = {},
): Promise<RescoreResult> {
  const { db, config, logger } = deps;
  // Two passes at once would race on the stories; what one skips stays marked for the next.
  const holder = newHolder();
  if (!(await tryAcquireLease(db, LEASE, holder, LEASE_TTL_MS))) {
    logger.info({ lease: LEASE }, 'rescore skipped: another radar process is rescoring');
    return { items: 0, scoresChanged: 0, stories: 0, itemsRegrouped: 0, grouped: 0, groupedAll: false, skipped: true };
  }
  try {
    const result = await rescoreHoldingLease(db, config, logger, options.all ?? false, options.onProgress);
    // The pass rewrote rows of what it scored: on the embedded database, nothing else vacuums.
    await vacuumWithoutAutovacuum(db, logger);
    return result;
  } finally {
    await releaseLease(db, LEASE, holder).catch(() => undefined);
  }
}

/** Items scored per read: bounds what a pass holds in memory, whatever the size of the store. */
const SCORING_BATCH = 2000;

async function rescoreHoldingLease(
  db: Db,
  config: Config,
  logger: Logger,
  all: boolean,
  onProgress: RescoreProgress | undefined,
): Promise<RescoreResult> {
  const scoring = repoScoring(config);
  const repos = await loadScoringFingerprints(db);
  const fingerprints = new Map(
    repos.map((repo) => [repo.id, scoring({ repo: repo.full_name, previousNames: repo.previous_names }).fingerprint]),
  );
  if (all) await markForScoring(db);
  else {
    for (const repo of repos) if (repo.scoring_fingerprint !== fingerprints.get(repo.id)) await markForScoring(db, repo.id);
  }
  // One transaction: a pass killed half-way leaves the last complete one (scores, week scores,
  // fingerprints and stories), and its items still marked, for the next poll or start to
  // finish; lists read meanwhile see the previous pass whole.
  const result = await db.transaction().execute(async (trx) => {
    const revisions = await loadRevisionsNeedingScoring(trx);
    const staleIds = [...revisions.keys()].sort((a, b) => a - b);
    const started = Date.now();
    let scoresChanged = 0;
    // Only what changed is read and scored, in batches (with what each is compared with).
    for (let start = 0; start < staleIds.length; start += SCORING_BATCH) {
      const ids = staleIds.slice(start, start + SCORING_BATCH);
      const items = await loadItemsById(trx, ids);
      const events = await loadEvents(trx, ids);
      const facts = await loadScoringFacts(trx, items);
      const scored: Array<{ id: number; revision: number; score: number; reasons: ScoreReason[] }> = [];
      const weeks: WeekScore[] = [];
      for (const item of items) {
        const { rules, weights } = scoring(item);
        const itemEvents = events.get(item.id) ?? [];
        const own = isoWeekContaining(item.occurredAt).from.getTime();
        for (const appearance of appearances(item, itemEvents)) {
          const { score, reasons } = assess(item, itemEvents, facts.of(item), appearance.week, rules, weights).scored;
          weeks.push({ itemId: item.id, weekStart: appearance.week.from, lists: appearance.lists, score, reasons });
          if (appearance.week.from.getTime() !== own) continue;
          // The item's own score: for the week it happened in.
          if (item.score !== score) scoresChanged += 1;
          scored.push({ id: item.id, revision: revisions.get(item.id) as number, score, reasons });
        }
      }
      await saveScores(trx, scored);
      await replaceWeekScores(trx, ids, weeks);
      const done = Math.min(start + SCORING_BATCH, staleIds.length);
      onProgress?.({ done, total: staleIds.length });
      if (staleIds.length > SCORING_BATCH)
        logger.info({ done, total: staleIds.length, elapsedMs: Date.now() - started }, 'rescoring');
    }
    for (const repo of repos) {
      const fingerprint = fingerprints.get(repo.id) as string;
      if (repo.scoring_fingerprint !== fingerprint) await saveScoringFingerprint(trx, repo.id, fingerprint);
    }
    const grouped = await regroupStories(trx, scoring, staleIds, { all, logger });
    await saveScoringGeneration(trx);
    return { items: staleIds.length, scoresChanged, ...grouped };
  });
  const summary = {
    items: result.items,
    scoresChanged: result.scoresChanged,
    stories: result.stories,
    itemsRegrouped: result.moved,
    grouped: result.regrouped,
    groupedAll: result.all,
    skipped: false,
  };
  logger.info(summary, 'rescored');
  return summary;
}

/**
 * Whether a scoring pass has work: an item not scored since it last changed or in no story (a
 * pass or a poll killed before scoring), or a repo whose weights or rules changed. Polls ask
 * this, so that what a kill left undone converges without `radar rescore`.
 */
export async function needsRescore(db: Db, config: Config): Promise<boolean> {
  if (await hasItemsNeedingScoring(db)) return true;
  const scoring = repoScoring(config);
  const repos = await loadScoringFingerprints(db);
  return repos.some(
    (repo) => repo.scoring_fingerprint !== scoring({ repo: repo.full_name, previousNames: repo.previous_names }).fingerprint,
  );
}

export interface RepoScoring {
  rules: ScoringRules;
  /** The repo's signal weights, with the word weights (scoring.words) as `word:<word>` keys. */
  weights: ScoringWeights;
  /** Changes when anything that decides this repo's stored scores changes. */
  fingerprint: string;
}

type RepoScoringOf = (item: { repo: string; previousNames: string[] }) => RepoScoring;

/** One per config: every list request asks, and a repo's fingerprint is a digest of its weights. */
const repoScorings = new WeakMap<Config, RepoScoringOf>();

/** The weights and rules of the repo an item belongs to (followed through renames). */
export function repoScoring(config: Config): RepoScoringOf {
  const known = repoScorings.get(config);
  if (known) return known;
  const scoringOf = scoringFor(config);
  repoScorings.set(config, scoringOf);
  return scoringOf;
}

function scoringFor(config: Config): RepoScoringOf {
  const byName = new Map<string, WatchedRepo>(config.repos.map((r) => [r.repo.toLowerCase(), r]));
  const cache = new Map<string, RepoScoring>();
  return (item) => {
    const key = item.repo.toLowerCase();
    let entry = cache.get(key);
    if (!entry) {
      const watched = byName.get(key) ?? item.previousNames.map((n) => byName.get(n.toLowerCase())).find(Boolean);
      const conventions = watched?.conventions ?? 'default';
      const weights = watched?.weights ?? config.scoring.weights;
      const words = config.scoring.words;
      // Word weights join the fingerprint only when there are some, so that a config without
      // any keeps the fingerprints it had (and stored scores are not all redone for nothing).
      const decisive: unknown[] = [SCORING_REVISION, conventions, weights, config.scoring.topics, config.scoring.bots];
      if (Object.keys(words).length > 0) decisive.push(Object.entries(words).sort(([a], [b]) => (a < b ? -1 : 1)));
      entry = {
        rules: rulesFor(conventions, config.scoring),
        weights: withWordWeights(weights, words),
        fingerprint: createHash('sha256').update(JSON.stringify(decisive)).digest('base64url'),
      };
      cache.set(key, entry);
    }
    return entry;
  };
}
