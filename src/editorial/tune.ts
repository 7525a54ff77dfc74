import type { Config } from '../config/config.js';
import { readDocument, writeDocument } from '../config/edit.js';
import type { Candidate } from '../domain/candidate.js';
import { type Period, parseIsoWeek } from '../lib/time.js';
import type { Weights } from '../scoring/signals.js';
import { type LearningItem, type LearningWeek, type LearnOptions, type Learnt, learnWeights } from '../scoring/tune.js';
import { itemWords } from '../scoring/words.js';
import type { Db } from '../store/db.js';
import { listDecisions, type StoredDecision } from '../store/decisions.js';
import { listIssues } from '../store/digest.js';
import { loadItemsById, type StoredForScoring } from '../store/scoring.js';
import { featureVector } from './assessment.js';
import { listCandidates } from './candidates.js';

/**
 * Learning from editors, the database side: the decided weeks as the learning sees them (each
 * week's candidate list, as the ranker made it before the editor acted, with what they promoted
 * and dismissed), the suggestion of src/scoring/tune.ts, and writing it into the config.
 *
 * Every candidate of a week, promoted or not, is described by the same code at the same moment:
 * its features as the candidate list computes them now for that week (carry-over included), and
 * the words of its stored text. The feature snapshot a decision stored is used only for a
 * promoted item that is no longer in its week's list. Mixing snapshots taken by older scoring code
 * with lists computed by today's would teach the model the difference between two versions of
 * the code rather than the editor's taste.
 */

/** A period an editor decided in (a digest issue's period, or an ISO week), with the decisions. */
export interface DecidedPeriod {
  /** Label; periods with the same label are held out together (leave-one-week-out). */
  week: string;
  period: Period;
  promoted: readonly number[];
  dismissed?: readonly number[];
  /** Only this project's list (default: each project with a decision in the period). */
  project?: string;
}

export interface LearningData {
  weeks: LearningWeek[];
  /** Promoted items not in their period's list and without a snapshot: not learnt from. */
  unlisted: number[];
}

/**
 * The learning weeks of decided periods: per period and project with a decision, every candidate
 * of the list (decided ones included), flagged promoted or dismissed. An item decided in an
 * earlier period (one starting before), or of a story promoted in one, is left out: the list
 * hid it from the editor, so it was not passed over. An item decided in a later period stays: it
 * was there, and the editor chose others that week; and nothing about later periods leaks into
 * an earlier one (a learning curve learns from the earlier periods only).
 */
export async function learningWeeks(
  db: Db,
  config: Config,
  periods: readonly DecidedPeriod[],
  snapshots: ReadonlyMap<number, Record<string, number>> = new Map(),
): Promise<LearningData> {
  const decided = [...new Set(periods.flatMap((p) => [...p.promoted, ...(p.dismissed ?? [])]))];
  const decidedItems = new Map((await loadItemsById(db, decided)).map((i) => [i.id, i]));
  const weeks: LearningWeek[] = [];
  const unlisted: number[] = [];
  for (const [n, p] of periods.entries()) {
    const promoted = new Set(p.promoted);
    const dismissed = new Set((p.dismissed ?? []).filter((id) => !promoted.has(id)));
    const elsewhere = new Set<number>();
    const storiesElsewhere = new Set<number>();
    for (const [m, other] of periods.entries()) {
      const earlier = other.period.from < p.period.from || (other.period.from.getTime() === p.period.from.getTime() && m < n);
      if (!earlier) continue;
      for (const id of [...other.promoted, ...(other.dismissed ?? [])])
        if (!promoted.has(id) && !dismissed.has(id)) elsewhere.add(id);
      for (const id of other.promoted) {
        const story = decidedItems.get(id)?.storyId;
        if (story !== null && story !== undefined) storiesElsewhere.add(story);
      }
    }
    const list = await listCandidates(db, config, {
      period: p.period,
      project: p.project,
      includeDecided: true,
      scores: 'computed',
    });
    const listed = list.items.filter(
      (c) =>
        promoted.has(c.id) ||
        dismissed.has(c.id) ||
        !(elsewhere.has(c.id) || (c.storyId !== null && storiesElsewhere.has(c.storyId))),
    );
    const texts = new Map(
      (
        await loadItemsById(
          db,
          listed.map((c) => c.id),
        )
      ).map((i) => [i.id, i]),
    );
    const byProject = new Map<string, LearningItem[]>();
    for (const candidate of listed) {
      const items = byProject.get(candidate.project) ?? [];
      items.push(
        learningItem(
          candidate,
          featureVector(list.features.get(candidate.id) ?? []),
          texts.get(candidate.id),
          promoted,
          dismissed,
        ),
      );
      byProject.set(candidate.project, items);
    }
    const inList = new Set(listed.map((c) => c.id));
    for (const id of promoted) {
      if (inList.has(id)) continue;
      const item = decidedItems.get(id);
      const snapshot = snapshots.get(id);
      if (!item || !snapshot || (p.project && item.project.toLowerCase() !== p.project.toLowerCase())) {
        unlisted.push(id);
        continue;
      }
      const items = byProject.get(item.project) ?? [];
      items.push({
        id,
        story: null,
        features: snapshot,
        words: [...itemWords(item).keys()],
        promoted: true,
        at: item.occurredAt.getTime(),
      });
      byProject.set(item.project, items);
    }
    for (const [project, items] of byProject) {
      if (items.some((i) => i.promoted || i.dismissed)) weeks.push({ week: p.week, project, items });
    }
  }
  return { weeks, unlisted };
}

function learningItem(
  candidate: Candidate,
  features: Record<string, number>,
  stored: StoredForScoring | undefined,
  promoted: ReadonlySet<number>,
  dismissed: ReadonlySet<number>,
): LearningItem {
  // Carry-over is added by the list, not the features: it is learnt like any signal (x = weeks).
  const carry = candidate.reasons.find((r) => r.signal === 'carry-over');
  const weeks = carry ? Number.parseInt(String(carry.value), 10) : 0;
  return {
    id: candidate.id,
    story: candidate.storyId,
    features: weeks > 0 ? { ...features, 'carry-over': weeks } : features,
    words: stored ? [...itemWords(stored).keys()] : [],
    promoted: promoted.has(candidate.id),
    dismissed: dismissed.has(candidate.id),
    at: candidate.occurredAt.getTime(),
  };
}

export interface TuneOptions {
  /** Prior strength (default 1; larger keeps the suggestion closer to the current weights). */
  lambda?: number;
  /** Learn from every decision, also those the weights already learnt from (scoring.tuned). */
  all?: boolean;
}

export interface TuneResult {
  learnt: Learnt;
  /** The decided periods learnt from, and those only checked (already learnt from). */
  periods: { learnt: string[]; earlier: string[] };
  /** Decisions that count (an item's latest promote or dismiss). */
  promoted: number;
  dismissed: number;
  /** Promoted items that could not be placed in their week's list. */
  unlisted: number;
  /** The last decision id: what `--write` records as learnt from. */
  through: number;
  /** The config said it had learnt through a decision this database does not have. */
  staleTuned: number | null;
}

/**
 * Learns from the decisions not learnt from yet (those after scoring.tuned.through, all with
 * `all`), checking the suggestion on every decided week. Null when there is nothing to learn from.
 */
export async function tune(db: Db, config: Config, options: TuneOptions = {}): Promise<TuneResult | null> {
  const decisions = (await listDecisions(db)).filter((d) => d.itemId !== null);
  // The latest decision on an item is the one that counts: a promote undone by a remove, or a
  // dismissal by a restore, is no longer a decision.
  const latest = new Map<number, StoredDecision>();
  for (const d of decisions) if (d.action !== 'snooze') latest.set(d.itemId as number, d);
  const active = [...latest.values()].filter((d) => d.action === 'promote' || d.action === 'dismiss');
  if (active.length === 0) return null;
  const lastId = Math.max(...decisions.map((d) => d.id));
  let through = options.all ? null : config.scoring.tunedThrough;
  let staleTuned: number | null = null;
  if (through !== null && through > lastId) {
    staleTuned = through;
    through = null;
  }

  const issues = new Map((await listIssues(db)).map((i) => [i.id, i]));
  interface Group {
    label: string;
    period: Period;
    promoted: number[];
    dismissed: number[];
    newest: number;
  }
  const groups = new Map<string, Group>();
  // Promotions: the period of their issue (what the editor listed); dismissals join the issue
  // of their week, else their ISO week.
  const weekOfIssue = new Map<string, string>();
  for (const d of active.filter((x) => x.action === 'promote')) {
    const issue = d.issueId === null ? undefined : issues.get(d.issueId);
    const key = issue ? `issue:${issue.id}` : `week:${d.week}`;
    const group = groups.get(key) ?? {
      label: issue ? `${d.week} (issue ${issue.volume})` : (d.week as string),
      period: issue ? { from: issue.periodFrom, to: issue.periodTo } : parseIsoWeek(d.week as string),
      promoted: [],
      dismissed: [],
      newest: 0,
    };
    group.promoted.push(d.itemId as number);
    group.newest = Math.max(group.newest, d.id);
    groups.set(key, group);
    if (issue && d.week && !weekOfIssue.has(d.week)) weekOfIssue.set(d.week, key);
  }
  for (const d of active.filter((x) => x.action === 'dismiss')) {
    if (!d.week) continue;
    const key = weekOfIssue.get(d.week) ?? `week:${d.week}`;
    const group = groups.get(key) ?? { label: d.week, period: parseIsoWeek(d.week), promoted: [], dismissed: [], newest: 0 };
    group.dismissed.push(d.itemId as number);
    group.newest = Math.max(group.newest, d.id);
    groups.set(key, group);
  }
  const ordered = [...groups.values()].sort((a, b) => a.period.from.getTime() - b.period.from.getTime());
  const isNew = (g: Group) => through === null || g.newest > through;
  const snapshots = new Map(active.filter((d) => d.action === 'promote').map((d) => [d.itemId as number, d.features]));
  const data = await learningWeeks(
    db,
    config,
    ordered.map((g) => ({ week: g.label, period: g.period, promoted: g.promoted, dismissed: g.dismissed })),
    snapshots,
  );
  const fresh = new Set(ordered.filter(isNew).map((g) => g.label));
  const learntWeeks = data.weeks.filter((w) => fresh.has(w.week));
  const earlierWeeks = data.weeks.filter((w) => !fresh.has(w.week));
  const learnOptions: LearnOptions = { heldOut: earlierWeeks };
  if (options.lambda !== undefined) learnOptions.lambda = options.lambda;
  const learnt = learnWeights({
    weeks: learntWeeks,
    current: config.scoring.weights,
    words: config.scoring.words,
    options: learnOptions,
  });
  return {
    learnt,
    periods: { learnt: [...fresh], earlier: ordered.filter((g) => !isNew(g)).map((g) => g.label) },
    promoted: active.filter((d) => d.action === 'promote').length,
    dismissed: active.length - active.filter((d) => d.action === 'promote').length,
    unlisted: data.unlisted.length,
    through: lastId,
    staleTuned,
  };
}

/**
 * The config with learnt weights and words, as `writeLearnt` would leave it: the global weights
 * replaced, and a project's or repo's own overrides still on top.
 */
export function withLearnt(
  config: Config,
  weights: Readonly<Record<string, number>>,
  words: Readonly<Record<string, number>>,
): Config {
  const global = config.scoring.weights;
  const next = { ...global, ...weights } as Weights;
  return {
    ...config,
    scoring: { ...config.scoring, weights: next, words: { ...words } },
    repos: config.repos.map((repo) => ({
      ...repo,
      weights: Object.fromEntries(
        Object.entries(repo.weights).map(([k, v]) => [k, v !== global[k as keyof Weights] ? v : next[k as keyof Weights]]),
      ) as Weights,
    })),
    projects: config.projects.map((project) => ({
      ...project,
      repos: project.repos.map((repo) => ({
        ...repo,
        weights: Object.fromEntries(
          Object.entries(repo.weights).map(([k, v]) => [k, v !== global[k as keyof Weights] ? v : next[k as keyof Weights]]),
        ) as Weights,
      })),
    })),
  };
}

/**
 * Writes learnt weights into the config file, keeping its comments: the changed signals under
 * scoring.weights, the word weights as scoring.words (a word learnt back to 0 is removed), and
 * scoring.tuned.through, the last decision learnt from (the next `radar tune` learns from the
 * decisions after it, so the same decisions do not move the weights twice).
 */
export function writeLearnt(
  file: string,
  learnt: { weights: Readonly<Record<string, number>>; words: Readonly<Record<string, number>>; through: number },
): Config {
  const doc = readDocument(file);
  for (const [signal, value] of Object.entries(learnt.weights)) doc.setIn(['scoring', 'weights', signal], value);
  const before = doc.getIn(['scoring', 'words']) as { toJSON?: () => unknown } | undefined;
  const existing = before && typeof before.toJSON === 'function' ? (before.toJSON() as Record<string, unknown>) : {};
  for (const word of Object.keys(existing ?? {})) if (!(word in learnt.words)) doc.deleteIn(['scoring', 'words', word]);
  for (const [word, value] of Object.entries(learnt.words)) doc.setIn(['scoring', 'words', word], value);
  doc.setIn(['scoring', 'tuned', 'through'], learnt.through);
  // Written maps read best in block style, whatever `{}` the file started with.
  for (const key of ['weights', 'words', 'tuned']) {
    const node = doc.getIn(['scoring', key], true) as { flow?: boolean } | undefined;
    if (node && 'flow' in node) node.flow = false;
  }
  return writeDocument(file, doc);
}
