import type { Config, WatchedRepo } from '../config/config.js';
import type { ScoreReason } from '../domain/candidate.js';
import type { IssueDetails, KepDetails, PullDetails, ReleaseDetails, SemVer } from '../domain/item.js';
import type { Logger } from '../lib/logger.js';
import { isoWeekOf, parseIsoWeek } from '../lib/time.js';
import { assess, rulesFor } from '../scoring/assess.js';
import type { ScoringRules } from '../scoring/features.js';
import { storyScore } from '../scoring/score.js';
import type { Weights } from '../scoring/signals.js';
import { groupStories, type StoryItem } from '../scoring/stories.js';
import type { Db } from '../store/db.js';
import { loadAllItems, loadEvents, loadReleases, type StoredForScoring, saveScores, saveStories } from '../store/scoring.js';

export interface RescoreResult {
  items: number;
  scoresChanged: number;
  stories: number;
  itemsRegrouped: number;
}

/**
 * Scores every stored item with the current weights (each for the ISO week it happened in) and
 * regroups stories, from what is stored: no GitHub request. Runs after every poll that stored
 * something, and as `radar rescore` after a weight change.
 */
export async function rescore(deps: { db: Db; config: Config; logger: Logger }): Promise<RescoreResult> {
  const { db, config } = deps;
  const items = await loadAllItems(db);
  const events = await loadEvents(
    db,
    items.map((i) => i.id),
  );
  const releasesByRepo = await releaseContext(db, [...new Set(items.map((i) => i.repoId))]);
  const scoring = repoScoring(config);

  const changed: Array<{ id: number; score: number; reasons: ScoreReason[] }> = [];
  const scores = new Map<number, number>();
  for (const item of items) {
    const { rules, weights } = scoring(item);
    const week = parseIsoWeek(isoWeekOf(item.occurredAt));
    const { scored } = assess(item, events.get(item.id) ?? [], releasesByRepo.get(item.repoId) ?? [], week, rules, weights);
    scores.set(item.id, scored.score);
    if (item.score !== scored.score) changed.push({ id: item.id, score: scored.score, reasons: scored.reasons });
  }
  await saveScores(db, changed);

  const byId = new Map(items.map((i) => [i.id, i]));
  const groups = groupStories(items.map(toStoryItem));
  const result = await saveStories(
    db,
    groups.map((group) => {
      const members = group.members.map((id) => byId.get(id) as StoredForScoring);
      const times = members.map((m) => m.occurredAt.getTime());
      return {
        key: group.key,
        title: group.title,
        project: byId.get(group.lead)?.project ?? null,
        leadItemId: group.lead,
        members: group.members,
        score: storyScore(
          group.members.map((id) => scores.get(id) ?? 0),
          scoring(byId.get(group.lead) as StoredForScoring).weights,
        ).score,
        firstOccurredAt: new Date(Math.min(...times)),
        lastOccurredAt: new Date(Math.max(...times)),
      };
    }),
  );
  deps.logger.info(
    { items: items.length, scoresChanged: changed.length, stories: result.stories, itemsRegrouped: result.moved },
    'rescored',
  );
  return { items: items.length, scoresChanged: changed.length, stories: result.stories, itemsRegrouped: result.moved };
}

/** The weights and rules of the repo an item belongs to (followed through renames). */
export function repoScoring(
  config: Config,
): (item: { repo: string; previousNames: string[] }) => { rules: ScoringRules; weights: Weights } {
  const byName = new Map<string, WatchedRepo>(config.repos.map((r) => [r.repo.toLowerCase(), r]));
  const cache = new Map<string, { rules: ScoringRules; weights: Weights }>();
  return (item) => {
    const key = item.repo.toLowerCase();
    let entry = cache.get(key);
    if (!entry) {
      const watched = byName.get(key) ?? item.previousNames.map((n) => byName.get(n.toLowerCase())).find(Boolean);
      entry = {
        rules: rulesFor(watched?.conventions ?? 'default', config.scoring),
        weights: watched?.weights ?? config.scoring.weights,
      };
      cache.set(key, entry);
    }
    return entry;
  };
}

export async function releaseContext(
  db: Db,
  repoIds: number[],
): Promise<Map<number, Array<{ version: SemVer | null; prerelease: boolean; occurredAt: Date }>>> {
  const byRepo = new Map<number, Array<{ version: SemVer | null; prerelease: boolean; occurredAt: Date }>>();
  for (const release of await loadReleases(db, repoIds)) {
    const details = release.details as unknown as ReleaseDetails;
    const list = byRepo.get(release.repoId) ?? [];
    list.push({ version: details.version ?? null, prerelease: details.prerelease ?? false, occurredAt: release.occurredAt });
    byRepo.set(release.repoId, list);
  }
  return byRepo;
}

export function toStoryItem(item: StoredForScoring): StoryItem {
  // Whichever kind it is, the fields grouping reads (absent ones are undefined).
  const details = item.details as {
    kepNumber?: KepDetails['kepNumber'];
    featureGates?: KepDetails['featureGates'];
    references?: PullDetails['references'];
    releaseNote?: PullDetails['releaseNote'];
    prerelease?: ReleaseDetails['prerelease'];
    version?: ReleaseDetails['version'];
    tracking?: IssueDetails['tracking'];
  };
  return {
    id: item.id,
    kind: item.kind,
    repo: item.repo,
    key: item.key,
    number: item.number,
    title: item.title,
    body: item.body,
    occurredAt: item.occurredAt,
    state: item.state,
    kepNumber: item.kind === 'kep' ? (details.kepNumber ?? null) : null,
    keps: details.references?.keps ?? [],
    featureGates: item.kind === 'kep' ? (details.featureGates ?? []) : [],
    releaseNote: details.releaseNote ?? null,
    prerelease: details.prerelease ?? false,
    patch: item.kind === 'release' ? (details.version?.patch ?? null) : null,
    tracking: item.kind === 'issue' && Boolean(details.tracking),
  };
}
