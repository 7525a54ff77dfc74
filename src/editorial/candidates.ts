import { createHash } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { Candidate } from '../domain/candidate.js';
import type { ItemKind } from '../domain/source.js';
import { repoScoring } from '../ingest/rescore.js';
import { loadScoringFacts } from '../ingest/scoring-context.js';
import type { Clock } from '../lib/clock.js';
import { ValidationError } from '../lib/errors.js';
import { append } from '../lib/maps.js';
import { isIsoWeek, isoWeekOf, type Period, parseIsoInstant, parseIsoWeek, WEEK_MS } from '../lib/time.js';
import { listedAs } from '../scoring/appearances.js';
import { arrangeStories, type Variety } from '../scoring/arrange.js';
import { assess } from '../scoring/assess.js';
import type { Feature } from '../scoring/features.js';
import { round, type Scored, storyScore, withContribution } from '../scoring/score.js';
import { type EditorialState, loadEditorialState } from '../store/candidates.js';
import type { Db } from '../store/db.js';
import { loadEvents, loadItemsById, loadItemsInWindow, type StoredForScoring } from '../store/scoring.js';
import {
  countItemsWaitingForScores,
  type ListedItem,
  type ListedText,
  loadListedTexts,
  loadListState,
  loadWeekListings,
} from '../store/week-scores.js';

export interface PeriodInput {
  week?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** How the fields of a period are called where they were given (CLI flags, or API fields). */
export type PeriodFieldNames = Record<keyof PeriodInput, string>;
const CLI_FLAGS: PeriodFieldNames = { week: '--week', from: '--from', to: '--to' };

/** A week (2019-W20) or an explicit range; the current ISO week when neither is given. */
export function resolvePeriod(input: PeriodInput, clock: Clock, names: PeriodFieldNames = CLI_FLAGS): Period {
  if (input.week && (input.from || input.to))
    throw new ValidationError(`give either ${names.week} or ${names.from}/${names.to}, not both`);
  if (input.week) return parseIsoWeek(input.week, names.week);
  if (input.from || input.to) {
    if (!input.from || !input.to) throw new ValidationError(`${names.from} and ${names.to} go together`);
    const period = { from: parseIsoInstant(input.from, names.from), to: parseIsoInstant(input.to, names.to) };
    if (period.to <= period.from)
      throw new ValidationError(`${names.to} (${input.to}) must be after ${names.from} (${input.from})`);
    return period;
  }
  return parseIsoWeek(isoWeekOf(clock.now()));
}

/** The names of period fields in an API request's query or body. */
export function apiPeriodNames(where: 'query' | 'body'): PeriodFieldNames {
  return { week: `${where}.week`, from: `${where}.from`, to: `${where}.to` };
}

export interface CandidateOptions {
  period: Period;
  project?: string | undefined;
  kinds?: ItemKind[] | undefined;
  minScore?: number | undefined;
  /** Keep the best N stories of each project (a busy repo does not bury a quiet one). */
  perProject?: number | undefined;
  /** Items in all (after the per-project cut), best stories first. */
  limit?: number | undefined;
  /** Items of the full list to skip before `limit` (paging). */
  offset?: number | undefined;
  /** Also list items already promoted, dismissed, snoozed or featured. */
  includeDecided?: boolean | undefined;
  /** Weeks before the period whose open items carry over (default from config). */
  carryOverWeeks?: number | undefined;
  /**
   * `stored` (the default): an ISO week's list is read from the scores the scoring pass keeps
   * (item_week_scores), as of the weights it last ran with. `computed`: every item is scored
   * in process with the weights of `config` (what `radar tune` and `npm run eval` need to try
   * weights); a period that is not an ISO week is always computed.
   */
  scores?: 'stored' | 'computed' | undefined;
}

export interface CandidateStory {
  storyId: number | null;
  project: string;
  score: number;
  /** What the story is about: a KEP (with its tracking issue and PRs), a release, a design issue, pull requests. */
  kind: ItemKind;
  /** Whether something in it happened in the period itself (not only carried over). */
  fresh: boolean;
  items: Candidate[];
}

export interface CandidateList {
  period: Period;
  stories: CandidateStory[];
  /** Every listed item, in order: stories best first, a story's items best first. */
  items: Candidate[];
  /**
   * Names this answer exactly (the ranked list it was cut from, the cut, what waits for scores),
   * for HTTP caching: null when the list was scored in the request.
   */
  version: string | null;
  /** What editors did about the listed items: decisions, drafts, features. */
  editorial: EditorialState;
  /** Items and stories of the whole list, before `offset` and `limit`. */
  totalItems: number;
  totalStories: number;
  /** Features per item id, for `radar tune` (computed lists only). */
  features: Map<number, Feature[]>;
  /**
   * Items of the store waiting for the scoring pass (changed since their score, or their repo's
   * weights changed), for a list read from stored scores: those in it show their last stored
   * score until the pass (which runs after every poll, and in the background after a weight
   * change) reaches them. 0 for a computed list.
   */
  pendingScores: number;
}

/** A listed item with its score for the period, before stories are formed. */
interface Listed {
  item: ListedItem;
  score: number;
  /** Whether its score says it is a chore (the list puts chores last). */
  chore: boolean;
  weeksEarlier: number;
  /** Its title, link and reasons: known when scored in process, else read for the answer. */
  text?: ListedText;
  /** The week of the stored score it is listed with. */
  weekStart?: Date;
}

/** A list ranked before its page is cut and its texts read (what the list cache keeps). */
interface Ranked {
  stories: CandidateStory[];
  byId: Map<number, Listed>;
  totalItems: number;
  /** What editors did about the listed items (the web page labels them with it). */
  editorial: EditorialState;
  /** Pages answered (or being answered) from this ranking, with their texts (by offset and limit). */
  pages: Map<string, Promise<CandidateStory[]>>;
}

/**
 * Ranked week lists kept by a process, per database and config, so that reading a week again
 * costs a few small queries: an entry is used only while the scoring pass has not run since
 * (its generation, stored by the pass), editors' decisions and issues are as they were (their
 * fingerprint), the repos are unchanged and no item waits to be scored in the request. Only
 * rankings of the current state are kept (an older one cannot be asked for again), and a ranking
 * in progress is kept too: requests that arrive meanwhile (every client's list after a decision)
 * wait for it instead of ranking the same week again each, at once.
 */
interface KeptLists {
  /** The store's state the rankings were made in (scoring generation, editorial version, repos). */
  state: string;
  rankings: Map<string, Promise<Ranked>>;
}
const rankedLists = new WeakMap<Db, WeakMap<Config, KeptLists>>();
const RANKED_LISTS_KEPT = 8;

function rankedListsOf(db: Db, config: Config, state: string): Map<string, Promise<Ranked>> {
  const byConfig = rankedLists.get(db) ?? new WeakMap<Config, KeptLists>();
  rankedLists.set(db, byConfig);
  let kept = byConfig.get(config);
  if (kept?.state !== state) {
    kept = { state, rankings: new Map() };
    byConfig.set(config, kept);
  }
  return kept.rankings;
}

/**
 * The candidate list of a period: the items that happened in it, plus those of the preceding
 * weeks that were neither featured nor dismissed (carry-over, losing points week by week; see
 * src/scoring/appearances.ts), grouped into stories and ordered by story score. Ranking reads
 * scores only; titles, links and reasons are read for the items of the answer.
 */
export async function listCandidates(db: Db, config: Config, options: CandidateOptions): Promise<CandidateList> {
  const { period } = options;
  const carryOver = options.carryOverWeeks ?? config.scoring.carryOverWeeks;
  const windowFrom = new Date(period.from.getTime() - carryOver * WEEK_MS);
  const stored = (options.scores ?? 'stored') === 'stored' && isIsoWeek(period);
  const features = new Map<number, Feature[]>();
  let ranked: Ranked;
  let pendingScores = 0;
  let version: string | null = null;
  if (stored) {
    const state = await loadListState(db, windowFrom, period.to);
    const scoring = repoScoring(config);
    const reweighted = state.repos
      .filter((r) => r.scoringFingerprint !== scoring({ repo: r.fullName, previousNames: r.previousNames }).fingerprint)
      .map((r) => r.id);
    pendingScores = reweighted.length === 0 ? state.waiting : await countItemsWaitingForScores(db, reweighted);
    // Items a poll stored whose scoring pass has not run yet: scored here, until it has.
    const { unscored } = state;
    const storeState = JSON.stringify({ generation: state.generation, editorial: state.editorialVersion, repos: state.repos });
    const key = JSON.stringify({
      state: storeState,
      from: period.from,
      carryOver,
      project: options.project?.toLowerCase(),
      kinds: options.kinds,
      minScore: options.minScore,
      perProject: options.perProject,
      includeDecided: options.includeDecided ?? false,
    });
    const rankFromStore = async () => {
      const listings: Listed[] = (await loadWeekListings(db, windowFrom, period.from)).map((l) => ({
        item: l.item,
        score: l.score,
        chore: l.chore,
        weeksEarlier: Math.round((period.from.getTime() - l.weekStart.getTime()) / WEEK_MS),
        weekStart: l.weekStart,
      }));
      const computed =
        unscored.length > 0
          ? await scoreInProcess(db, config, await loadItemsById(db, unscored), period, windowFrom, features)
          : [];
      return rank(db, config, options, [...listings, ...computed]);
    };
    if (unscored.length > 0) ranked = await rankFromStore();
    else {
      const lists = rankedListsOf(db, config, storeState);
      let kept = lists.get(key);
      if (kept) lists.delete(key);
      else {
        kept = rankFromStore();
        // A ranking that failed is not kept: the next request ranks again.
        kept.catch(() => {
          if (lists.get(key) === kept) lists.delete(key);
        });
      }
      lists.set(key, kept);
      if (lists.size > RANKED_LISTS_KEPT) lists.delete(lists.keys().next().value as string);
      ranked = await kept;
    }
    // A title a poll changed waits for the pass like its score: the waiting count is in the key.
    if (unscored.length === 0)
      version = createHash('sha256')
        .update(`${key}|${options.offset ?? 0}|${options.limit ?? ''}|${pendingScores}`)
        .digest('base64url');
  } else {
    const listed = await scoreInProcess(
      db,
      config,
      await loadItemsInWindow(db, windowFrom, period.to),
      period,
      windowFrom,
      features,
    );
    ranked = await rank(db, config, options, listed);
  }
  const { totalItems } = ranked;
  const totalStories = ranked.stories.length;
  const page = `${options.offset ?? 0}:${options.limit ?? ''}:${pendingScores}`;
  let answer = version === null ? undefined : ranked.pages.get(page);
  if (!answer) {
    answer = withTexts(db, cut(ranked.stories, options.offset ?? 0, options.limit), ranked.byId);
    // Pages of a kept ranking are kept with it (its texts change only with a new ranking), and
    // shared by the requests that ask for one while it is read.
    if (version !== null) {
      const pages = ranked.pages;
      pages.set(page, answer);
      answer.catch(() => {
        if (pages.get(page) === answer) pages.delete(page);
      });
      if (pages.size > PAGES_KEPT) pages.delete(pages.keys().next().value as string);
    }
  }
  const stories = await answer;
  return {
    period,
    stories,
    items: stories.flatMap((s) => s.items),
    version,
    totalItems,
    totalStories,
    editorial: ranked.editorial,
    features,
    pendingScores,
  };
}

const PAGES_KEPT = 16;

/** The page of a list: `limit` items from `offset`, its stories holding only those items. */
function cut(stories: CandidateStory[], offset: number, limit: number | undefined): CandidateStory[] {
  if (limit === undefined && offset === 0) return stories;
  let skip = offset;
  let left = limit ?? Number.POSITIVE_INFINITY;
  const page: CandidateStory[] = [];
  for (const story of stories) {
    if (left <= 0) break;
    if (skip >= story.items.length) {
      skip -= story.items.length;
      continue;
    }
    const items = story.items.slice(skip, skip + left);
    skip = 0;
    page.push(items.length === story.items.length ? story : { ...story, items });
    left -= items.length;
  }
  return page;
}

/** Editors' decisions applied, stories formed, scored and arranged: the whole list, best first. */
async function rank(db: Db, config: Config, options: CandidateOptions, all: readonly Listed[]): Promise<Ranked> {
  const { period } = options;
  const listed = all.filter(
    (l) =>
      (!options.project || l.item.project.toLowerCase() === options.project.toLowerCase()) &&
      (!options.kinds?.length || options.kinds.includes(l.item.kind)),
  );
  const state = await loadEditorialState(
    db,
    listed.map((l) => l.item),
    period.to,
  );
  const visible = listed.filter(({ item }) => {
    if (options.includeDecided) return true;
    const decided = state.decisions.get(item.id);
    if (decided && decided !== 'restore') return false;
    if (state.inDraft.has(item.id)) return false;
    const featured = state.featuredAt.get(item.id);
    // Featured already: only back as a follow-up, when something happened after publication.
    if (featured && !(state.lastEventAt.get(item.id) && (state.lastEventAt.get(item.id) as Date) > featured)) return false;
    // Carried-over items are the ones still open: decided or not, in the period itself all count.
    return true;
  });
  const scoring = repoScoring(config);
  const byId = new Map(visible.map((l) => [l.item.id, l]));
  // Until the answer is known, a candidate's reasons are those the list adds (carry-over,
  // follow-up, variety); its stored reasons come first once read.
  const scored = visible.map(({ item, score, weeksEarlier }) => {
    const { weights } = scoring(item);
    let result: Scored = { score, reasons: [] };
    if (weeksEarlier > 0) {
      result = withContribution(result, {
        signal: 'carry-over',
        value: `${weeksEarlier} week${weeksEarlier > 1 ? 's' : ''} earlier`,
        contribution: weights['carry-over'] * weeksEarlier,
      });
    }
    if (state.featuredAt.has(item.id))
      result = {
        ...result,
        reasons: [
          ...result.reasons,
          { signal: 'follow-up', value: 'featured before; something new happened since', contribution: 0 },
        ],
      };
    return { item, score: result.score, reasons: result.reasons, weights };
  });

  // Stories: an item without a story is one on its own.
  const byStory = new Map<string, typeof scored>();
  for (const entry of scored) {
    const key = entry.item.storyId === null ? `item:${entry.item.id}` : `story:${entry.item.storyId}`;
    append(byStory, key, entry);
  }
  let stories: CandidateStory[] = [...byStory.values()].map((members) => {
    members.sort(
      (a, b) => b.score - a.score || b.item.occurredAt.getTime() - a.item.occurredAt.getTime() || b.item.id - a.item.id,
    );
    const lead = members[0] as (typeof scored)[number];
    const { score } = storyScore(
      members.map((m) => m.score),
      lead.weights,
    );
    return {
      storyId: lead.item.storyId,
      project: lead.item.project,
      score,
      kind: storyKind(members.filter(isFresh).map((m) => m.item)),
      fresh: members.some(isFresh),
      items: members.map((m) => toCandidate(m.item, m.score, m.reasons, score)),
    };
  });
  if (options.minScore !== undefined) stories = stories.filter((s) => s.score >= (options.minScore as number));
  stories.sort(
    (a, b) =>
      b.score - a.score ||
      (b.items[0]?.occurredAt.getTime() ?? 0) - (a.items[0]?.occurredAt.getTime() ?? 0) ||
      (b.items[0]?.id ?? 0) - (a.items[0]?.id ?? 0),
  );
  stories = arrange(stories, config.scoring.variety, (id) => byId.get(id)?.chore ?? false);
  if (options.perProject !== undefined) {
    const seen = new Map<string, number>();
    stories = stories.filter((story) => {
      const n = (seen.get(story.project) ?? 0) + 1;
      seen.set(story.project, n);
      return n <= (options.perProject as number);
    });
  }
  return { stories, byId, totalItems: stories.reduce((n, s) => n + s.items.length, 0), editorial: state, pages: new Map() };
}

/** The answer's candidates with their titles and links, their stored reasons before the list's own. */
async function withTexts(db: Db, stories: CandidateStory[], byId: Map<number, Listed>): Promise<CandidateStory[]> {
  const toRead = stories
    .flatMap((s) => s.items)
    .map((c) => byId.get(c.id) as Listed)
    .filter((l) => !l.text && l.weekStart)
    .map((l) => ({ itemId: l.item.id, weekStart: l.weekStart as Date }));
  const read = await loadListedTexts(db, toRead);
  return stories
    .map((story) => ({
      ...story,
      items: story.items.flatMap((candidate) => {
        // An item deleted since the list was ranked (a KEP removed upstream) is left out.
        const text = byId.get(candidate.id)?.text ?? read.get(candidate.id);
        if (!text) return [];
        const { reasons, ...shown } = text;
        return [{ ...candidate, ...shown, reasons: [...reasons, ...candidate.reasons] }];
      }),
    }))
    .filter((story) => story.items.length > 0);
}

/**
 * Scores items for a period's list in process, with the weights of the config: each for the
 * period when it did something in it, else for the week of the latest thing it did in the
 * window (src/scoring/appearances.ts), with the same facts the scoring pass uses.
 */
async function scoreInProcess(
  db: Db,
  config: Config,
  items: readonly StoredForScoring[],
  period: Period,
  windowFrom: Date,
  features: Map<number, Feature[]>,
): Promise<Listed[]> {
  if (items.length === 0) return [];
  const events = await loadEvents(
    db,
    items.map((i) => i.id),
  );
  const facts = await loadScoringFacts(db, items);
  const scoring = repoScoring(config);
  const listed: Listed[] = [];
  for (const item of items) {
    const itemEvents = events.get(item.id) ?? [];
    const as = listedAs(item, itemEvents, period, windowFrom);
    if (!as) continue;
    const { rules, weights } = scoring(item);
    const assessment = assess(item, itemEvents, facts.of(item), as.scoredFor, rules, weights);
    features.set(item.id, assessment.features);
    listed.push({
      item: listedItem(item),
      score: assessment.scored.score,
      chore: assessment.scored.reasons.some((r) => r.signal === 'chore'),
      weeksEarlier: as.weeksEarlier,
      text: {
        number: item.number,
        tag: item.tag,
        title: item.title,
        url: item.url,
        author: item.author,
        reasons: assessment.scored.reasons,
      },
    });
  }
  return listed;
}

function listedItem(item: StoredForScoring): ListedItem {
  return {
    id: item.id,
    kind: item.kind,
    repoId: item.repoId,
    repo: item.repo,
    previousNames: item.previousNames,
    project: item.project,
    occurredAt: item.occurredAt,
    storyId: item.storyId,
    tracking:
      item.kind === 'issue' &&
      typeof (item.details as { tracking?: unknown }).tracking === 'object' &&
      (item.details as { tracking?: unknown }).tracking !== null,
  };
}

/**
 * Chores after the rest of their project, diminishing returns for the second and later KEPs,
 * releases and design issues of a project, and the best of each kind near its top
 * (src/scoring/arrange.ts). A story that lost points or was kept near the top says so in the
 * reasons of its lead item.
 */
function arrange(stories: CandidateStory[], variety: Variety, isChore: (itemId: number) => boolean): CandidateStory[] {
  const arranged = arrangeStories(
    stories.map((story) => ({
      story,
      project: story.project,
      score: story.score,
      kind: story.kind,
      fresh: story.fresh,
      chore: story.items.every((i) => isChore(i.id)),
    })),
    variety,
  );
  return arranged.stories.map((entry) => {
    const { story, kind } = entry;
    const lost = arranged.penalties.get(entry);
    const kept = arranged.keptForVariety.has(entry);
    if (!lost && !kept) return story;
    const [lead, ...rest] = story.items as [Candidate, ...Candidate[]];
    let scored: Scored = { score: lead.score ?? 0, reasons: lead.reasons };
    if (lost)
      scored = withContribution(scored, {
        signal: 'variety',
        value: `${lost.above} ${KIND_NAMES[kind]}${lost.above > 1 ? 's' : ''} of ${story.project} ranked above`,
        contribution: -lost.points,
      });
    if (kept)
      scored = {
        ...scored,
        reasons: [
          ...scored.reasons,
          { signal: 'variety', value: `the best ${KIND_NAMES[kind]} of ${story.project}, kept near the top`, contribution: 0 },
        ],
      };
    return {
      ...story,
      score: round(story.score - (lost?.points ?? 0)),
      items: [
        { ...lead, score: scored.score, reasons: scored.reasons, storyScore: round(story.score - (lost?.points ?? 0)) },
        ...rest,
      ],
    };
  });
}

const KIND_NAMES: Record<ItemKind, string> = { kep: 'KEP', release: 'release', issue: 'design issue', pull: 'pull request' };

/** Whether an item of the list happened in the period itself (it lost no carry-over points). */
function isFresh(entry: { reasons: Candidate['reasons'] }): boolean {
  return !entry.reasons.some((r) => r.signal === 'carry-over');
}

/**
 * What a story is about, by what happened in the period: a KEP's if a KEP or an enhancement
 * tracking issue moved, else a release's, else a design issue's, else pull requests' (a story of
 * pull requests that implement a KEP featured weeks ago is the pull requests' story).
 */
function storyKind(items: readonly ListedItem[]): ItemKind {
  const kinds = new Set(items.map((i) => (i.kind === 'issue' && i.tracking ? 'kep' : i.kind)));
  for (const kind of ['kep', 'release', 'issue'] as const) if (kinds.has(kind)) return kind;
  return 'pull';
}

/** A candidate before its texts are read (withTexts fills them in). */
function toCandidate(item: ListedItem, score: number, reasons: Candidate['reasons'], story: number): Candidate {
  return {
    id: item.id,
    kind: item.kind,
    repo: item.repo,
    number: null,
    tag: null,
    title: '',
    url: '',
    project: item.project,
    author: null,
    occurredAt: item.occurredAt,
    score: round(score),
    reasons,
    storyId: item.storyId,
    storyScore: story,
  };
}
