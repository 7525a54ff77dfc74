import type { Config } from '../config/config.js';
import { slug } from '../config/load.js';
import { type DraftItem, draftEntry } from '../digest/draft.js';
import { type DigestSection, LANGUAGES, type Language, type RenderableIssue } from '../domain/digest.js';
import type { Clock } from '../lib/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.js';
import { isoWeekOf, type Period, parseIsoWeek } from '../lib/time.js';
import type { Db } from '../store/db.js';
import { recordDecision } from '../store/decisions.js';
import {
  deleteEntry,
  type EntryRow,
  findEntry,
  findIssue,
  type IssueRow,
  insertEntry,
  insertIssue,
  listEntries,
  listIssues,
  placeEntry,
  updateEntry,
  updateIssue,
} from '../store/digest.js';
import type { PublishedDrafts } from '../store/schema.js';
import { loadEvents, loadItemsById, loadStoryItems, type StoredForScoring } from '../store/scoring.js';
import { assessItems, featureVector } from './assessment.js';

/**
 * The editor's workflow on digest issues: create a draft, promote candidates into it (an item
 * with its whole story, with a drafted blurb), dismiss or snooze others, edit, reorder, add
 * manual entries, render, reopen. Every decision is recorded with who, when and what, and the
 * item's features, for `radar tune`. A published issue is read-only until reopened.
 */

export interface EditorialDeps {
  db: Db;
  config: Config;
  clock: Clock;
  /** Who acts: RADAR_EDITOR, the signed-in user, or the OS user. */
  editor: string;
}

export async function createIssue(
  deps: EditorialDeps,
  input: { volume: number; title?: string | undefined; period: Period },
): Promise<IssueRow> {
  if (!Number.isInteger(input.volume) || input.volume < 1)
    throw new ValidationError(`volume: "${input.volume}" is not a positive whole number`);
  const existing = await findIssue(deps.db, input.volume);
  if (existing)
    throw new ConflictError(`issue ${input.volume} exists already (${existing.status}, created by ${existing.createdBy})`);
  const created = await insertIssue(deps.db, {
    volume: input.volume,
    title: input.title?.trim() ?? '',
    from: input.period.from,
    to: input.period.to,
    createdBy: deps.editor,
  });
  if (!created) throw new ConflictError(`issue ${input.volume} exists already`);
  return created;
}

export async function getIssue(db: Db, volume: number): Promise<IssueRow> {
  const issue = await findIssue(db, volume);
  if (!issue) throw new NotFoundError(`no digest issue ${volume} (radar issue new --volume ${volume} creates it)`);
  return issue;
}

export { listIssues };

export async function updateIssueDetails(
  deps: EditorialDeps,
  volume: number,
  changes: { title?: string | undefined; period?: Period | undefined },
): Promise<IssueRow> {
  const issue = await editable(deps.db, volume);
  return updateIssue(deps.db, issue.id, {
    title: changes.title?.trim(),
    periodFrom: changes.period?.from,
    periodTo: changes.period?.to,
  });
}

export async function deleteDraft(deps: EditorialDeps, volume: number): Promise<void> {
  const issue = await editable(deps.db, volume);
  const entries = await listEntries(deps.db, issue.id);
  await deps.db.transaction().execute(async (trx) => {
    // Its items are candidates again, as when their entries are removed one by one.
    for (const entry of entries) await recordRemoval(trx, deps.editor, issue, entry);
    await trx.deleteFrom('digest_issues').where('id', '=', issue.id).execute();
  });
}

export async function reopen(deps: EditorialDeps, volume: number): Promise<IssueRow> {
  const issue = await getIssue(deps.db, volume);
  if (issue.status === 'draft') return issue;
  // Its GitHub issue is kept: the next publish updates it. Drafts follow the facts again.
  return updateIssue(deps.db, issue.id, { status: 'draft', publishedDrafts: null });
}

/** The issue, or a ConflictError when it is published (read-only until reopened). */
async function editable(db: Db, volume: number): Promise<IssueRow> {
  const issue = await getIssue(db, volume);
  if (issue.status === 'published') {
    throw new ConflictError(
      `issue ${volume} is published${issue.publishedUrl ? ` (${issue.publishedUrl})` : ''} and read-only; radar issue reopen ${volume} makes it editable again`,
    );
  }
  return issue;
}

/** Every section id an entry may go to: the configured sections and one per project. */
export function sectionIds(config: Config): string[] {
  return config.digest.sections.flatMap((s) => (s.projects ? [s.id, ...config.projects.map((p) => p.digestSection.id)] : [s.id]));
}

/** A section given by id ("news", "upstream/knative") or by project name ("Knative"). */
export function resolveSection(config: Config, given: string): string {
  const wanted = given.trim().toLowerCase();
  const ids = sectionIds(config);
  const exact = ids.find((id) => id === wanted);
  if (exact) return exact;
  const project = config.projects.find((p) => p.name.toLowerCase() === wanted || slug(p.name) === wanted);
  if (project) return project.digestSection.id;
  throw new ValidationError(`section "${given}" does not exist (expected one of ${ids.join(', ')}, or a project name)`);
}

export interface PromoteInput {
  itemId: number;
  volume: number;
  section?: string | undefined;
  /** The editor's blurb; without it radar drafts one from the facts. */
  note?: string | undefined;
  /** Only this item, not its whole story. */
  only?: boolean | undefined;
  language?: Language | undefined;
}

export async function promote(deps: EditorialDeps, input: PromoteInput): Promise<EntryRow> {
  const { db, config } = deps;
  const issue = await editable(db, input.volume);
  const [item] = await loadItemsById(db, [input.itemId]);
  if (!item) throw new NotFoundError(`no item ${input.itemId} (radar candidates lists item ids)`);
  const members = !input.only && item.storyId !== null ? await loadStoryItems(db, item.storyId) : [item];
  const others = members.filter((m) => m.id !== item.id).sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());

  const period = { from: issue.periodFrom, to: issue.periodTo };
  const events = await loadEvents(
    db,
    members.map((m) => m.id),
  );
  const language = input.language ?? config.digest.language;
  const draft = draftEntry(
    draftItem(item, events.get(item.id) ?? [], period),
    others.map((o) => draftItem(o, events.get(o.id) ?? [], period)),
    language,
  );
  const section = input.section ? resolveSection(config, input.section) : defaultSection(config, item.project);
  const features = await assessItems(db, config, [item.id], period);
  const note = input.note?.trim();
  return db.transaction().execute(async (trx) => {
    // The issue row is locked: two promotes of one story at once cannot both find it absent.
    const locked = await trx
      .selectFrom('digest_issues')
      .select('status')
      .where('id', '=', issue.id)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) throw new NotFoundError(`no digest issue ${input.volume}`);
    if (locked.status === 'published') await editable(trx, input.volume);
    const already = (await listEntries(trx, issue.id)).find(
      (e) => e.itemId === item.id || (!input.only && item.storyId !== null && e.storyId === item.storyId),
    );
    if (already)
      throw new ConflictError(
        `item ${item.id} is already in issue ${input.volume} (entry ${already.id}, section ${already.section})`,
      );
    const entry = await insertEntry(trx, {
      issueId: issue.id,
      section,
      itemId: item.id,
      storyId: input.only ? null : item.storyId,
      title: draft.title,
      titleTrusted: false,
      url: draft.url,
      blurb: note || draft.blurb,
      blurbTrusted: Boolean(note),
      links: draft.links,
      createdBy: deps.editor,
    });
    await recordDecision(trx, {
      itemId: item.id,
      storyId: item.storyId,
      action: 'promote',
      issueId: issue.id,
      week: isoWeekOf(issue.periodFrom),
      editor: deps.editor,
      reason: null,
      until: null,
      features: featureVector(features.get(item.id)?.features ?? []),
    });
    return entry;
  });
}

function defaultSection(config: Config, project: string): string {
  const configured = config.projects.find((p) => p.name === project);
  if (configured) return configured.digestSection.id;
  return config.digest.sections.find((s) => s.projects)?.id ?? (config.digest.sections[0]?.id as string);
}

export type EditorAction = 'dismiss' | 'snooze' | 'restore';

/** Dismiss (not for the digest), snooze (not before a date) or restore an item; recorded for learning. */
export async function decide(
  deps: EditorialDeps,
  input: {
    itemId: number;
    action: EditorAction;
    reason?: string | undefined;
    until?: Date | undefined;
    week?: string | undefined;
  },
): Promise<void> {
  const [item] = await loadItemsById(deps.db, [input.itemId]);
  if (!item) throw new NotFoundError(`no item ${input.itemId} (radar candidates lists item ids)`);
  if (input.action === 'snooze') {
    if (!input.until) throw new ValidationError('snooze needs --until, the date the item comes back');
    if (input.until <= deps.clock.now())
      throw new ValidationError(`--until (${input.until.toISOString()}) must be in the future`);
  }
  const week = input.week ?? isoWeekOf(item.occurredAt);
  const features = await assessItems(deps.db, deps.config, [item.id], parseIsoWeek(week, 'week'));
  await recordDecision(deps.db, {
    itemId: item.id,
    storyId: item.storyId,
    action: input.action,
    issueId: null,
    week,
    editor: deps.editor,
    reason: input.reason?.trim() || null,
    until: input.until ?? null,
    features: featureVector(features.get(item.id)?.features ?? []),
  });
}

export async function addManualEntry(
  deps: EditorialDeps,
  input: { volume: number; section: string; url: string; title: string; blurb?: string | undefined },
): Promise<EntryRow> {
  const issue = await editable(deps.db, input.volume);
  const title = input.title.trim();
  if (!title) throw new ValidationError('title: a manual entry needs a title');
  const url = checkUrl(input.url, 'url');
  return insertEntry(deps.db, {
    issueId: issue.id,
    section: resolveSection(deps.config, input.section),
    itemId: null,
    storyId: null,
    title,
    titleTrusted: true,
    url,
    blurb: input.blurb?.trim() ?? '',
    blurbTrusted: true,
    links: [{ label: title, url, kind: 'link' }],
    createdBy: deps.editor,
  });
}

export interface EntryChanges {
  title?: string | undefined;
  blurb?: string | undefined;
  /** The language the title and blurb are written for; without it they serve every language. */
  language?: Language | undefined;
  url?: string | undefined;
  section?: string | undefined;
  position?: number | undefined;
}

/**
 * Edits an entry's text and moves it, all or nothing: every change is checked before any is
 * written, and they are written in one transaction. What the editor writes is theirs: kept as
 * written when rendered.
 */
export async function changeEntry(deps: EditorialDeps, entryId: number, changes: EntryChanges): Promise<EntryRow> {
  const entry = await entryOf(deps.db, entryId);
  await editableById(deps.db, entry.issueId);
  const title = changes.title?.trim();
  if (title !== undefined && !title) throw new ValidationError('title: cannot be empty');
  const url = changes.url === undefined ? undefined : changes.url.trim() === '' ? null : checkUrl(changes.url, 'url');
  if (changes.position !== undefined && (!Number.isInteger(changes.position) || changes.position < 1)) {
    throw new ValidationError(`position: "${changes.position}" is not a positive whole number`);
  }
  const section = changes.section === undefined ? undefined : resolveSection(deps.config, changes.section);
  // A manual entry's one link is its title and URL.
  const manual = entry.itemId === null && (title !== undefined || url !== undefined);
  const linkUrl = url === undefined ? entry.url : url;
  const language = changes.language;
  if (language && entry.itemId === null && url !== undefined)
    throw new ValidationError('url: a manual entry has one URL for every language (leave out lang to change it)');
  const texts =
    language && (title !== undefined || changes.blurb !== undefined)
      ? {
          ...entry.texts,
          [language]: {
            ...entry.texts[language],
            ...(title !== undefined ? { title } : {}),
            ...(changes.blurb !== undefined ? { blurb: changes.blurb.trim() } : {}),
          },
        }
      : undefined;
  await deps.db.transaction().execute(async (trx) => {
    if (texts) await updateEntry(trx, entryId, { texts, ...(url !== undefined ? { url } : {}) });
    else if (title !== undefined || changes.blurb !== undefined || url !== undefined) {
      await updateEntry(trx, entryId, {
        ...(title !== undefined ? { title, titleTrusted: true } : {}),
        ...(changes.blurb !== undefined ? { blurb: changes.blurb.trim(), blurbTrusted: true } : {}),
        ...(url !== undefined ? { url } : {}),
        ...(manual ? { links: linkUrl ? [{ label: title ?? entry.title ?? linkUrl, url: linkUrl, kind: 'link' }] : [] } : {}),
      });
    }
    if (section !== undefined || changes.position !== undefined)
      await placeEntry(trx, entry, section ?? entry.section, changes.position);
  });
  return entryOf(deps.db, entryId);
}

export function editEntry(
  deps: EditorialDeps,
  entryId: number,
  changes: {
    title?: string | undefined;
    blurb?: string | undefined;
    url?: string | undefined;
    language?: Language | undefined;
  },
): Promise<EntryRow> {
  return changeEntry(deps, entryId, changes);
}

export function moveEntry(
  deps: EditorialDeps,
  entryId: number,
  to: { section?: string | undefined; position?: number | undefined },
): Promise<EntryRow> {
  return changeEntry(deps, entryId, to);
}

export async function removeEntry(deps: EditorialDeps, entryId: number): Promise<void> {
  const entry = await entryOf(deps.db, entryId);
  const issue = await editableById(deps.db, entry.issueId);
  await deps.db.transaction().execute(async (trx) => {
    await deleteEntry(trx, entry);
    await recordRemoval(trx, deps.editor, issue, entry);
  });
}

async function recordRemoval(db: Db, editor: string, issue: IssueRow, entry: EntryRow): Promise<void> {
  if (entry.itemId === null) return;
  await recordDecision(db, {
    itemId: entry.itemId,
    storyId: entry.storyId,
    action: 'remove',
    issueId: issue.id, // set to null if the issue is deleted; the week stays
    week: isoWeekOf(issue.periodFrom),
    editor,
    reason: null,
    until: null,
    features: {},
  });
}

async function entryOf(db: Db, id: number): Promise<EntryRow> {
  const entry = await findEntry(db, id);
  if (!entry) throw new NotFoundError(`no entry ${id} (radar issue show lists entry ids)`);
  return entry;
}

async function editableById(db: Db, issueId: number): Promise<IssueRow> {
  const row = await db.selectFrom('digest_issues').select('volume').where('id', '=', issueId).executeTakeFirstOrThrow();
  return editable(db, row.volume);
}

function checkUrl(url: string, field: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new ValidationError(`${field}: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new ValidationError(`${field}: "${url}" is not an http(s) URL`);
  return parsed.toString();
}

/** The issue with its entries placed in the configured sections, in a language, ready to render. */
export async function renderable(
  db: Db,
  config: Config,
  volume: number,
  language: Language,
  /** Drafts to render with (those about to be published); by default the issue's own. */
  given?: PublishedDrafts,
): Promise<{ issue: IssueRow; renderable: RenderableIssue; entries: EntryRow[] }> {
  const issue = await getIssue(db, volume);
  const entries = await listEntries(db, issue.id);
  // A published issue reads as it was published, whatever changed upstream since.
  const kept = given?.[language] ?? (issue.status === 'published' ? issue.publishedDrafts?.[language] : undefined);
  const drafts = kept
    ? new Map(Object.entries(kept).map(([id, draft]) => [Number(id), draft]))
    : await draftsIn(db, issue, entries, language);
  const bySection = (id: string) =>
    entries
      .filter((e) => e.section === id)
      .map((e) => ({
        id: e.id,
        position: e.position,
        // An editor's text for this language, else their text for every language, else radar's
        // own draft, written again in the rendering language.
        title:
          e.texts[language]?.title !== undefined
            ? { text: e.texts[language]?.title ?? '', trusted: true }
            : e.titleTrusted
              ? { text: e.title ?? '', trusted: true }
              : { text: drafts.get(e.id)?.title ?? e.title ?? '', trusted: false },
        blurb:
          e.texts[language]?.blurb !== undefined
            ? { text: e.texts[language]?.blurb ?? '', trusted: true }
            : e.blurbTrusted
              ? { text: e.blurb, trusted: true }
              : { text: drafts.get(e.id)?.blurb ?? e.blurb, trusted: false },
        url: e.url,
        links: e.links,
      }));
  const known = new Set(sectionIds(config));
  const sections: DigestSection[] = config.digest.sections.map((s) => ({
    id: s.id,
    title: s.title[language],
    entries: bySection(s.id),
    sections: s.projects
      ? [
          ...config.projects.map((p) => ({
            id: p.digestSection.id,
            title: p.digestSection.title[language],
            entries: bySection(p.digestSection.id),
            sections: [],
          })),
          // Entries of a project no longer in the config keep their place under their old id.
          ...[...new Set(entries.map((e) => e.section))]
            .filter((id) => !known.has(id) && id.startsWith(`${s.id}/`))
            .map((id) => ({ id, title: id.slice(s.id.length + 1), entries: bySection(id), sections: [] })),
        ]
      : [],
  }));
  const title = issue.title || config.digest.title[language].replaceAll('{volume}', String(issue.volume));
  return {
    issue,
    entries,
    renderable: { volume: issue.volume, title, language, period: { from: issue.periodFrom, to: issue.periodTo }, sections },
  };
}

/** The drafts of an issue in every language, as they read now: kept with the issue when it is published. */
export async function draftsToPublish(db: Db, volume: number): Promise<PublishedDrafts> {
  const issue = await getIssue(db, volume);
  if (issue.status === 'published' && issue.publishedDrafts) return issue.publishedDrafts;
  const entries = await listEntries(db, issue.id);
  const result: PublishedDrafts = {};
  for (const language of LANGUAGES) {
    const drafts = await draftsIn(db, issue, entries, language);
    result[language] = Object.fromEntries([...drafts].map(([id, draft]) => [String(id), draft]));
  }
  return result;
}

/** Drafts of the entries whose title or blurb radar wrote, in a language, from their current facts. */
async function draftsIn(
  db: Db,
  issue: IssueRow,
  entries: EntryRow[],
  language: Language,
): Promise<Map<number, { title: string; blurb: string }>> {
  const drafted = entries.filter((e) => e.itemId !== null && (!e.titleTrusted || !e.blurbTrusted));
  const result = new Map<number, { title: string; blurb: string }>();
  if (drafted.length === 0) return result;
  const period = { from: issue.periodFrom, to: issue.periodTo };
  const leadIds = drafted.map((e) => e.itemId as number);
  const leads = new Map((await loadItemsById(db, leadIds)).map((i) => [i.id, i]));
  for (const entry of drafted) {
    const lead = leads.get(entry.itemId as number);
    if (!lead) continue;
    const members = entry.storyId !== null ? await loadStoryItems(db, entry.storyId) : [lead];
    const others = members.filter((m) => m.id !== lead.id);
    const events = await loadEvents(
      db,
      members.map((m) => m.id),
    );
    const draft = draftEntry(
      draftItem(lead, events.get(lead.id) ?? [], period),
      others.map((o) => draftItem(o, events.get(o.id) ?? [], period)),
      language,
    );
    result.set(entry.id, { title: draft.title, blurb: draft.blurb });
  }
  return result;
}

function draftItem(
  item: StoredForScoring,
  events: ReadonlyArray<{ type: string; from: string | null; to: string | null; occurredAt: Date }>,
  period: Period,
): DraftItem {
  // Whichever kind it is, the facts a draft reads (absent ones are undefined).
  const d = item.details as Record<string, unknown>;
  const transitions = events.filter((e) => e.type !== 'kep.revised' && e.type !== 'kep.moved');
  const inPeriod = transitions.filter((e) => e.occurredAt >= period.from && e.occurredAt < period.to);
  const transition = inPeriod.at(-1) ?? transitions.at(-1) ?? null;
  return {
    kind: item.kind,
    repo: item.repo,
    project: item.project,
    number: item.number,
    tag: item.tag,
    title: item.title,
    url: item.url,
    state: item.state,
    releaseNote: (d.releaseNote as string | null | undefined) ?? null,
    size: {
      additions: (d.additions as number | null | undefined) ?? null,
      deletions: (d.deletions as number | null | undefined) ?? null,
      files: (d.changedFiles as number | null | undefined) ?? null,
    },
    release: item.kind === 'release' ? { prerelease: Boolean(d.prerelease), body: item.body } : undefined,
    kep:
      item.kind === 'kep'
        ? {
            number: (d.kepNumber as number | null) ?? null,
            sig: (d.owningSig as string | null) ?? null,
            status: (d.status as string | null) ?? null,
            stage: (d.stage as string | null) ?? null,
          }
        : undefined,
    transition: item.kind === 'kep' && transition ? { type: transition.type, from: transition.from, to: transition.to } : null,
  };
}
