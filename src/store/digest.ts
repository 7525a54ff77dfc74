import { sql } from 'kysely';
import type { DigestLink } from '../domain/digest.js';
import type { Db } from './db.js';
import { jsonb } from './json.js';
import type { EntryTexts, PublishedDrafts } from './schema.js';

/** Digest issues and their entries, as stored. */

export interface IssueRow {
  id: number;
  volume: number;
  title: string;
  periodFrom: Date;
  periodTo: Date;
  status: 'draft' | 'published';
  publishedRepo: string | null;
  publishedNumber: number | null;
  publishedUrl: string | null;
  publishedAt: Date | null;
  /** The drafts as published (see migrations 005); null unless published. */
  publishedDrafts: PublishedDrafts | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface EntryRow {
  id: number;
  issueId: number;
  section: string;
  position: number;
  itemId: number | null;
  storyId: number | null;
  title: string | null;
  titleTrusted: boolean;
  url: string | null;
  blurb: string;
  blurbTrusted: boolean;
  links: DigestLink[];
  /** An editor's title and blurb per language, over `title` and `blurb` (which serve every language). */
  texts: EntryTexts;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

function toIssue(row: {
  id: number;
  volume: number;
  title: string;
  period_from: Date;
  period_to: Date;
  status: string;
  published_repo: string | null;
  published_number: number | null;
  published_url: string | null;
  published_at: Date | null;
  published_drafts: PublishedDrafts | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}): IssueRow {
  return {
    id: row.id,
    volume: row.volume,
    title: row.title,
    periodFrom: row.period_from,
    periodTo: row.period_to,
    status: row.status as IssueRow['status'],
    publishedRepo: row.published_repo,
    publishedNumber: row.published_number,
    publishedUrl: row.published_url,
    publishedAt: row.published_at,
    publishedDrafts: row.published_drafts,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toEntry(row: {
  id: number;
  issue_id: number;
  section: string;
  position: number;
  item_id: number | null;
  story_id: number | null;
  title: string | null;
  title_trusted: boolean;
  url: string | null;
  blurb: string;
  blurb_trusted: boolean;
  links: unknown[];
  texts: EntryTexts;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}): EntryRow {
  return {
    id: row.id,
    issueId: row.issue_id,
    section: row.section,
    position: row.position,
    itemId: row.item_id,
    storyId: row.story_id,
    title: row.title,
    titleTrusted: row.title_trusted,
    url: row.url,
    blurb: row.blurb,
    blurbTrusted: row.blurb_trusted,
    links: row.links as DigestLink[],
    texts: row.texts ?? {},
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A new draft issue; undefined when the volume exists already. */
export async function insertIssue(
  db: Db,
  issue: { volume: number; title: string; from: Date; to: Date; createdBy: string },
): Promise<IssueRow | undefined> {
  const row = await db
    .insertInto('digest_issues')
    .values({
      volume: issue.volume,
      title: issue.title,
      period_from: issue.from,
      period_to: issue.to,
      status: 'draft',
      created_by: issue.createdBy,
    })
    .onConflict((oc) => oc.column('volume').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toIssue(row) : undefined;
}

export async function findIssue(db: Db, volume: number): Promise<IssueRow | undefined> {
  const row = await db.selectFrom('digest_issues').selectAll().where('volume', '=', volume).executeTakeFirst();
  return row ? toIssue(row) : undefined;
}

export async function listIssues(db: Db): Promise<IssueRow[]> {
  return (await db.selectFrom('digest_issues').selectAll().orderBy('volume', 'desc').execute()).map(toIssue);
}

export async function updateIssue(
  db: Db,
  id: number,
  changes: Partial<
    Pick<
      IssueRow,
      | 'title'
      | 'periodFrom'
      | 'periodTo'
      | 'status'
      | 'publishedRepo'
      | 'publishedNumber'
      | 'publishedUrl'
      | 'publishedAt'
      | 'publishedDrafts'
    >
  >,
): Promise<IssueRow> {
  // kysely leaves out the undefined values: only the given changes are written.
  const row = await db
    .updateTable('digest_issues')
    .set({
      title: changes.title,
      period_from: changes.periodFrom,
      period_to: changes.periodTo,
      status: changes.status,
      published_repo: changes.publishedRepo,
      published_number: changes.publishedNumber,
      published_url: changes.publishedUrl,
      published_at: changes.publishedAt,
      published_drafts:
        changes.publishedDrafts === undefined
          ? undefined
          : changes.publishedDrafts === null
            ? null
            : jsonb(changes.publishedDrafts),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toIssue(row);
}

export async function deleteIssue(db: Db, id: number): Promise<void> {
  await db.deleteFrom('digest_issues').where('id', '=', id).execute();
}

export async function listEntries(db: Db, issueId: number): Promise<EntryRow[]> {
  const rows = await db
    .selectFrom('issue_entries')
    .selectAll()
    .where('issue_id', '=', issueId)
    .orderBy('section')
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map(toEntry);
}

export async function findEntry(db: Db, id: number): Promise<EntryRow | undefined> {
  const row = await db.selectFrom('issue_entries').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toEntry(row) : undefined;
}

export interface NewEntry {
  issueId: number;
  section: string;
  itemId: number | null;
  storyId: number | null;
  title: string | null;
  titleTrusted: boolean;
  url: string | null;
  blurb: string;
  blurbTrusted: boolean;
  links: DigestLink[];
  createdBy: string;
}

/** Appends an entry at the end of its section. Call in a transaction with the decision it records. */
export async function insertEntry(db: Db, entry: NewEntry): Promise<EntryRow> {
  const last = await db
    .selectFrom('issue_entries')
    .select((eb) => eb.fn.max('position').as('position'))
    .where('issue_id', '=', entry.issueId)
    .where('section', '=', entry.section)
    .executeTakeFirst();
  const row = await db
    .insertInto('issue_entries')
    .values({
      issue_id: entry.issueId,
      section: entry.section,
      position: Number(last?.position ?? 0) + 1,
      item_id: entry.itemId,
      story_id: entry.storyId,
      title: entry.title,
      title_trusted: entry.titleTrusted,
      url: entry.url,
      blurb: entry.blurb,
      blurb_trusted: entry.blurbTrusted,
      links: jsonb(entry.links),
      created_by: entry.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEntry(row);
}

export async function updateEntry(
  db: Db,
  id: number,
  changes: {
    title?: string;
    titleTrusted?: boolean;
    blurb?: string;
    blurbTrusted?: boolean;
    url?: string | null;
    links?: DigestLink[];
    texts?: EntryTexts;
  },
): Promise<EntryRow> {
  const row = await db
    .updateTable('issue_entries')
    .set({
      // Undefined values are left out by kysely: only the given changes are written.
      title: changes.title,
      title_trusted: changes.titleTrusted,
      blurb: changes.blurb,
      blurb_trusted: changes.blurbTrusted,
      url: changes.url,
      links: changes.links === undefined ? undefined : jsonb(changes.links),
      texts: changes.texts === undefined ? undefined : jsonb(changes.texts),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEntry(row);
}

/**
 * Moves an entry to a section and a 1-based position (clamped), renumbering both sections so
 * positions stay 1..n. Call in a transaction.
 */
export async function placeEntry(db: Db, entry: EntryRow, section: string, position: number | undefined): Promise<void> {
  const siblings = (await listEntries(db, entry.issueId)).filter((e) => e.section === section && e.id !== entry.id);
  const at = Math.max(1, Math.min(position ?? siblings.length + 1, siblings.length + 1));
  siblings.splice(at - 1, 0, { ...entry, section });
  await db.updateTable('issue_entries').set({ section, updated_at: new Date() }).where('id', '=', entry.id).execute();
  await renumber(
    db,
    siblings.map((e) => e.id),
  );
  if (section !== entry.section) {
    const left = (await listEntries(db, entry.issueId)).filter((e) => e.section === entry.section);
    await renumber(
      db,
      left.map((e) => e.id),
    );
  }
}

export async function deleteEntry(db: Db, entry: EntryRow): Promise<void> {
  await db.deleteFrom('issue_entries').where('id', '=', entry.id).execute();
  const left = (await listEntries(db, entry.issueId)).filter((e) => e.section === entry.section);
  await renumber(
    db,
    left.map((e) => e.id),
  );
}

async function renumber(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const values = sql.join(ids.map((id, i) => sql`(${id}::integer, ${i + 1}::integer)`));
  await sql`update issue_entries set position = v.position from (values ${values}) as v(id, position) where issue_entries.id = v.id`.execute(
    db,
  );
}
