import type { Config } from '../config/config.js';
import type { Candidate } from '../domain/candidate.js';
import type { ItemKind } from '../domain/source.js';
import { repoScoring } from '../ingest/rescore.js';
import { loadScoringFacts } from '../ingest/scoring-context.js';
import type { Clock } from '../lib/clock.js';
import { ValidationError } from '../lib/errors.js';
import { append } from '../lib/maps.js';
import { isoWeekOf, type Period, parseIsoInstant, parseIsoWeek, WEEK_MS } from '../lib/time.js';
import { arrangeStories, type Variety } from '../scoring/arrange.js';
import { assess } from '../scoring/assess.js';
import type { Feature } from '../scoring/features.js';
import { round, type Scored, storyScore, withContribution } from '../scoring/score.js';
import { loadEditorialState } from '../store/candidates.js';
import type { Db } from '../store/db.js';
import { loadEvents, loadItemsInWindow, type StoredForScoring } from '../store/scoring.js';

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
  /** Also list items already promoted, dismissed, snoozed or featured. */
  includeDecided?: boolean | undefined;
  /** Weeks before the period whose open items carry over (default from config). */
  carryOverWeeks?: number | undefined;
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
  /** Features per item id, for `radar tune` and decision snapshots. */
  features: Map<number, Feature[]>;
}

/**
 * The candidate list of a period: the items that happened in it, plus those of the preceding
 * weeks that were neither featured nor dismissed (carry-over, decaying week by week), scored for
 * the period with the current weights, grouped into stories and ordered by story score.
 */
export async function listCandidates(db: Db, config: Config, options: CandidateOptions): Promise<CandidateList> {
  const { period } = options;
  const carryOver = options.carryOverWeeks ?? config.scoring.carryOverWeeks;
  const windowFrom = new Date(period.from.getTime() - carryOver * WEEK_MS);
  const loaded = await loadItemsInWindow(db, windowFrom, period.to);
  const state = await loadEditorialState(
    db,
    loaded.map((i) => i.id),
    period.to,
  );
  const visible = loaded.filter((item) => {
    if (options.project && item.project.toLowerCase() !== options.project.toLowerCase()) return false;
    if (options.kinds?.length && !options.kinds.includes(item.kind)) return false;
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
  const events = await loadEvents(
    db,
    visible.map((i) => i.id),
  );
  const facts = await loadScoringFacts(db, visible);
  const scoring = repoScoring(config);

  const features = new Map<number, Feature[]>();
  const scored = visible.map((item) => {
    const { rules, weights } = scoring(item);
    // A carried-over item is scored for the week it happened in; it then loses points per week.
    const own = item.occurredAt >= period.from ? period : { from: windowFrom, to: period.to };
    const { features: f, scored: s } = assess(item, events.get(item.id) ?? [], facts.of(item), own, rules, weights);
    features.set(item.id, f);
    let result = s;
    const weeksEarlier = Math.ceil(
      (period.from.getTime() - latestRelevant(item, events.get(item.id) ?? [], period).getTime()) / WEEK_MS,
    );
    if (weeksEarlier > 0) {
      result = withContribution(result, {
        signal: 'carry-over',
        value: `${weeksEarlier} week${weeksEarlier > 1 ? 's' : ''} earlier`,
        contribution: weights['carry-over'] * weeksEarlier,
      });
    }
    const followUp = state.featuredAt.has(item.id);
    if (followUp)
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
  stories.sort((a, b) => b.score - a.score || (b.items[0]?.occurredAt.getTime() ?? 0) - (a.items[0]?.occurredAt.getTime() ?? 0));
  stories = arrange(stories, config.scoring.variety);
  if (options.perProject !== undefined) {
    const seen = new Map<string, number>();
    stories = stories.filter((story) => {
      const n = (seen.get(story.project) ?? 0) + 1;
      seen.set(story.project, n);
      return n <= (options.perProject as number);
    });
  }
  let items = stories.flatMap((s) => s.items);
  if (options.limit !== undefined) items = items.slice(0, options.limit);
  return { period, stories, items, features };
}

/**
 * Chores after the rest of their project, diminishing returns for the second and later KEPs,
 * releases and design issues of a project, and the best of each kind near its top
 * (src/scoring/arrange.ts). A story that lost points or was kept near the top says so in the
 * reasons of its lead item.
 */
function arrange(stories: CandidateStory[], variety: Variety): CandidateStory[] {
  const arranged = arrangeStories(
    stories.map((story) => ({
      story,
      project: story.project,
      score: story.score,
      kind: story.kind,
      fresh: story.fresh,
      chore: story.items.every((i) => i.reasons.some((r) => r.signal === 'chore')),
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
function storyKind(items: readonly StoredForScoring[]): ItemKind {
  const kinds = new Set(
    items.map((i) => (i.kind === 'issue' && (i.details as { tracking?: unknown }).tracking ? 'kep' : i.kind)),
  );
  for (const kind of ['kep', 'release', 'issue'] as const) if (kinds.has(kind)) return kind;
  return 'pull';
}

/** When the item last did something that counts for the period (a KEP's transition inside it). */
function latestRelevant(item: StoredForScoring, events: ReadonlyArray<{ type: string; occurredAt: Date }>, period: Period): Date {
  if (item.occurredAt >= period.from) return item.occurredAt;
  const inPeriod = events.filter((e) => e.type !== 'kep.revised' && e.occurredAt >= period.from && e.occurredAt < period.to);
  return inPeriod.length > 0 ? (inPeriod.at(-1)?.occurredAt as Date) : item.occurredAt;
}

function toCandidate(item: StoredForScoring, score: number, reasons: Candidate['reasons'], story: number): Candidate {
  return {
    id: item.id,
    kind: item.kind,
    repo: item.repo,
    number: item.number,
    tag: item.tag,
    title: item.title,
    url: item.url,
    project: item.project,
    author: item.author,
    occurredAt: item.occurredAt,
    score: round(score),
    reasons,
    storyId: item.storyId,
    storyScore: story,
  };
}
