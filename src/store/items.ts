import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Item, ItemWithEvents } from '../domain/item.js';
import type { Db } from './db.js';
import { jsonb } from './json.js';

export interface UpsertOutcome {
  inserted: number;
  updated: number;
  /** Store ids of every item given, in input order. */
  ids: number[];
  /** Events stored for the first time. */
  eventsAdded: number;
}

/** Rows per INSERT: batched upserts are an order of magnitude faster than row by row. */
const BATCH = 500;

/**
 * Stores items idempotently: a new item is inserted, a changed one updated, an unchanged one
 * left alone (its content hash matches), so polling the same data twice stores nothing new; a
 * snapshot older than the stored one (by GitHub's updated time) is left out too.
 * Call inside the transaction that also moves the cursor.
 */
export async function upsertItems(db: Db, repoId: number, batch: readonly ItemWithEvents[]): Promise<UpsertOutcome> {
  const outcome: UpsertOutcome = { inserted: 0, updated: 0, ids: [], eventsAdded: 0 };
  // The same item twice in one batch would make one INSERT touch a row twice: keep the last.
  const unique = [...new Map(batch.map((entry) => [`${entry.item.kind}:${entry.item.key}`, entry])).values()];
  const idByKey = new Map<string, number>();
  const changedIds = new Set<number>();
  const now = new Date();
  for (let start = 0; start < unique.length; start += BATCH) {
    const chunk = unique.slice(start, start + BATCH);
    const rows = chunk.map(({ item }) => ({
      repo_id: repoId,
      kind: item.kind,
      key: item.key,
      number: item.number,
      tag: item.tag,
      title: item.title,
      url: item.url,
      author: item.author,
      state: item.state,
      labels: item.labels,
      body: item.body,
      occurred_at: item.occurredAt,
      source_updated_at: item.sourceUpdatedAt,
      details: jsonb(item.details),
      raw: jsonb(item.raw ?? null),
      content_hash: contentHash(item),
      first_seen_at: now,
      last_changed_at: now,
    }));
    const changed = await db
      .insertInto('items')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['repo_id', 'kind', 'key'])
          .doUpdateSet((eb) => ({
            number: eb.ref('excluded.number'),
            tag: eb.ref('excluded.tag'),
            title: eb.ref('excluded.title'),
            url: eb.ref('excluded.url'),
            author: eb.ref('excluded.author'),
            state: eb.ref('excluded.state'),
            labels: eb.ref('excluded.labels'),
            body: eb.ref('excluded.body'),
            occurred_at: eb.ref('excluded.occurred_at'),
            source_updated_at: eb.ref('excluded.source_updated_at'),
            details: eb.ref('excluded.details'),
            raw: eb.ref('excluded.raw'),
            content_hash: eb.ref('excluded.content_hash'),
            last_changed_at: eb.ref('excluded.last_changed_at'),
            revision: sql<number>`items.revision + 1`,
          }))
          .where('items.content_hash', '<>', (eb) => eb.ref('excluded.content_hash'))
          // Never back to an older snapshot (a slower run that read the item before it last changed).
          .where('items.source_updated_at', '<=', (eb) => eb.ref('excluded.source_updated_at')),
      )
      // xmax = 0 only on a freshly inserted row version.
      .returning(['id', 'kind', 'key', sql<boolean>`(xmax = 0)`.as('inserted')])
      .execute();
    for (const row of changed) {
      idByKey.set(`${row.kind}:${row.key}`, row.id);
      changedIds.add(row.id);
      if (row.inserted) outcome.inserted += 1;
      else outcome.updated += 1;
    }
  }
  const missing = unique.filter(({ item }) => !idByKey.has(`${item.kind}:${item.key}`));
  if (missing.length > 0) {
    const keys = missing.map(({ item }) => item.key);
    for (let start = 0; start < keys.length; start += BATCH) {
      const found = await db
        .selectFrom('items')
        .select(['id', 'kind', 'key'])
        .where('repo_id', '=', repoId)
        .where('key', 'in', keys.slice(start, start + BATCH))
        .execute();
      for (const row of found) idByKey.set(`${row.kind}:${row.key}`, row.id);
    }
  }
  outcome.ids = batch.map(({ item }) => idByKey.get(`${item.kind}:${item.key}`) as number);
  const events = await insertEvents(db, unique, idByKey);
  outcome.eventsAdded = events.added;
  // A new event can change the score of an item whose own content did not change (the upsert
  // above already moved the revision of inserted and changed ones).
  const unchangedWithNewEvents = [...events.itemIds].filter((id) => !changedIds.has(id));
  for (let start = 0; start < unchangedWithNewEvents.length; start += BATCH) {
    await db
      .updateTable('items')
      .set({ revision: sql<number>`revision + 1` })
      .where('id', 'in', unchangedWithNewEvents.slice(start, start + BATCH))
      .execute();
  }
  return outcome;
}

async function insertEvents(
  db: Db,
  entries: readonly ItemWithEvents[],
  idByKey: Map<string, number>,
): Promise<{ added: number; itemIds: Set<number> }> {
  const rows = entries.flatMap(({ item, events }) =>
    events.map((event) => ({
      item_id: idByKey.get(`${item.kind}:${item.key}`) as number,
      type: event.type,
      from_value: event.from,
      to_value: event.to,
      commit_sha: event.commitSha,
      occurred_at: event.occurredAt,
      details: jsonb(event.details ?? {}),
      event_key: eventKey(event),
    })),
  );
  const itemsWithNewEvents = new Set<number>();
  let added = 0;
  for (let start = 0; start < rows.length; start += BATCH) {
    const result = await db
      .insertInto('item_events')
      .values(rows.slice(start, start + BATCH))
      .onConflict((oc) => oc.columns(['item_id', 'event_key']).doNothing())
      .returning('item_id')
      .execute();
    added += result.length;
    for (const row of result) itemsWithNewEvents.add(row.item_id);
  }
  return { added, itemIds: itemsWithNewEvents };
}

function eventKey(event: ItemWithEvents['events'][number]): string {
  return [event.type, event.commitSha ?? event.occurredAt.toISOString(), event.from ?? '', event.to ?? ''].join('|');
}

/** A digest of everything stored about an item, to tell a real change from a re-read. */
export function contentHash(item: Item): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        item.title,
        item.url,
        item.author,
        item.state,
        item.labels,
        item.body,
        item.occurredAt.toISOString(),
        item.sourceUpdatedAt.toISOString(),
        item.details,
        item.raw,
      ]),
    )
    .digest('base64url');
}

export interface KnownItemRow {
  key: string;
  sourceUpdatedAt: Date;
  occurredAt: Date;
  state: string;
  labels: string[];
  details: Record<string, unknown>;
  /** The GraphQL enrichment kept in raw (pull requests), to reuse without asking again. */
  rawDetails: unknown;
}

/** Items of one repo and kind already stored, by key. */
export async function findKnownItems(
  db: Db,
  repoId: number,
  kind: string,
  keys: readonly string[],
): Promise<Map<string, KnownItemRow>> {
  const found = new Map<string, KnownItemRow>();
  for (let start = 0; start < keys.length; start += BATCH) {
    const rows = await knownQuery(db, repoId, kind)
      .where('key', 'in', keys.slice(start, start + BATCH))
      .execute();
    for (const row of rows) found.set(row.key, toKnown(row));
  }
  return found;
}

/**
 * KEPs of a repo already stored at these locations (details.location), and those keyed by one of
 * them (the location a KEP was first recorded at, kept as its key after it moved on).
 */
export async function findKnownKeps(db: Db, repoId: number, locations: readonly string[]): Promise<KnownItemRow[]> {
  const found: KnownItemRow[] = [];
  for (let start = 0; start < locations.length; start += BATCH) {
    const chunk = locations.slice(start, start + BATCH);
    const rows = await knownQuery(db, repoId, 'kep')
      .where((eb) => eb.or([eb(sql<string>`details->>'location'`, 'in', chunk), eb('key', 'in', chunk)]))
      .execute();
    for (const row of rows) found.push(toKnown(row));
  }
  return found;
}

function knownQuery(db: Db, repoId: number, kind: string) {
  return db
    .selectFrom('items')
    .select([
      'key',
      'source_updated_at',
      'occurred_at',
      'state',
      'labels',
      'details',
      sql<unknown>`raw->'details'`.as('raw_details'),
    ])
    .where('repo_id', '=', repoId)
    .where('kind', '=', kind);
}

function toKnown(row: {
  key: string;
  source_updated_at: Date;
  occurred_at: Date;
  state: string;
  labels: string[];
  details: Record<string, unknown>;
  raw_details: unknown;
}): KnownItemRow {
  return {
    key: row.key,
    sourceUpdatedAt: row.source_updated_at,
    occurredAt: row.occurred_at,
    state: row.state,
    labels: row.labels,
    details: row.details,
    rawDetails: row.raw_details ?? null,
  };
}
