/**
 * Grows a radar store synthetically for the scale benchmark (test/bench/scale.ts). Not real
 * data: copies of real-shaped items, so that the queries see radar's own rows at a larger size.
 *
 * How it works
 *
 * 1. `snapshotSeed` freezes the store as it is (normally ~4.2k real items backfilled from
 *    ../shared/github-sim: 2019-03-01..2019-07-31) into a schema `bench_seed` (items,
 *    item_events, item_week_scores, stories, same columns). Copies are always made from this snapshot, so a
 *    `radar rescore` between two sizes (which regroups stories and renumbers them) changes
 *    nothing about what the next copies are. radar's queries never read `bench_seed`.
 * 2. `growStore(db, target)` adds copies 1, 2, 3, ... of the snapshot until the store holds
 *    about `target` items (the last copy partial). Copy `c`:
 *    - every seed item once, with a new id (the identity column assigns it), key `KEY~c`,
 *      number `NUMBER + c * 1,000,000` (null stays null), url `URL?bench-copy=c`; every other
 *      column as stored (title, body, labels, state, details, raw payload, score, reasons,
 *      revision and scored revision: the copy is as scored as its original);
 *    - every time column (item: occurred_at, source_updated_at, first_seen_at,
 *      last_changed_at, scored_at; events: occurred_at, created_at; stories: first and last
 *      occurred_at) shifted by the same whole number of weeks (the window is that of the
 *      seed's occurred_at and source_updated_at; the bookkeeping times are when the seed was
 *      backfilled and move with the rest), so the copy keeps its original's
 *      weekdays, its order and its gaps. The shifts spread the copies over two years,
 *      2018-01-01..2019-12-31: copy c's shift is lo + floor((hi - lo + 1) * frac(seed/1000 +
 *      c * 0.6180339887)) weeks, lo and hi the smallest and largest shifts that keep the seed's
 *      window inside those two years (golden-ratio sequence: any number of copies covers the
 *      range evenly, and adding copies never moves the earlier ones);
 *    - all the seed's item_events and item_week_scores (the stored score per week, its week
 *      shifted like the rest) of the copied items (mapped to the copies' ids) and its
 *      stories (key `KEY~c`, lead mapped to the lead's copy; items point at their story's copy),
 *      so per-repo and per-kind proportions, events per item and story sizes stay the seed's.
 *    - a partial (last) copy takes whole stories (items without a story one by one), each when
 *      frac(unit * 0.6180339887 + c * 0.7548776662 + seed/1000) < the fraction needed; growing
 *      the same store further takes a superset (inserts are ON CONFLICT DO NOTHING), so sizes
 *      can be grown one after another in one store.
 *    - deterministic: the same seed snapshot and `seed` give the same rows (ids aside, which
 *      follow insertion order).
 * 3. Each copy is five INSERT ... SELECT statements run by the database itself (no rows travel
 *    through Node), so 1M items takes minutes on PostgreSQL. After growing, ANALYZE (as
 *    autovacuum would after a bulk load on a server; PGlite has no autovacuum).
 *
 * What stays unlike a real store of that size: text inside `details` and `raw` (dates, the
 * numbers a body refers to) is the original's, so a copy's references point at the seed's
 * numbers; titles repeat once per copy (stories regrouped by `radar rescore` may join copies
 * of similar titles that are within 28 days of each other).
 */
import { sql } from 'kysely';
import type { Db } from '../../src/store/db.js';

const SEED_SCHEMA = 'bench_seed';
const FROM = Date.parse('2018-01-01T00:00:00Z');
const TO = Date.parse('2020-01-01T00:00:00Z');
const WEEK = 7 * 86_400_000;
const GOLDEN = 0.6180339887;
const PLASTIC = 0.7548776662;
const NUMBER_STRIDE = 1_000_000;

export interface SeedInfo {
  items: number;
  events: number;
  stories: number;
  first: Date;
  last: Date;
}

export interface GrowResult {
  items: number;
  events: number;
  stories: number;
  copies: number;
  seconds: number;
}

/** Freezes the store's items, events and stories into `bench_seed` (once per store). */
export async function snapshotSeed(db: Db): Promise<SeedInfo> {
  await sql`create schema if not exists ${sql.raw(SEED_SCHEMA)}`.execute(db);
  for (const table of ['items', 'item_events', 'item_week_scores', 'stories']) {
    await sql`drop table if exists ${sql.raw(`${SEED_SCHEMA}.${table}`)}`.execute(db);
    await sql`create table ${sql.raw(`${SEED_SCHEMA}.${table}`)} as select * from ${sql.raw(table)}`.execute(db);
  }
  return seedInfo(db);
}

export async function seedInfo(db: Db): Promise<SeedInfo> {
  const row = (
    await sql<{ items: number; events: number; stories: number; first: Date; last: Date }>`
      select (select count(*) from bench_seed.items)::int as items,
             (select count(*) from bench_seed.item_events)::int as events,
             (select count(*) from bench_seed.stories)::int as stories,
             (select min(occurred_at) from bench_seed.items) as first,
             (select max(greatest(occurred_at, source_updated_at)) from bench_seed.items) as last`.execute(db)
  ).rows[0];
  if (!row || row.items === 0) throw new Error('the seed snapshot holds no items');
  return { ...row, first: new Date(row.first), last: new Date(row.last) };
}

/** Copy c's shift in whole weeks (see the top of the file). */
export function shiftWeeks(c: number, seed: SeedInfo, seedNumber: number): number {
  const lo = Math.ceil((FROM - seed.first.getTime()) / WEEK);
  const hi = Math.floor((TO - seed.last.getTime()) / WEEK);
  if (hi < lo) throw new Error('the seed spans more than the two years copies are spread over');
  const u = (((seedNumber / 1000 + c * GOLDEN) % 1) + 1) % 1;
  return lo + Math.floor((hi - lo + 1) * u);
}

async function columnsOf(db: Db, table: string): Promise<string[]> {
  const rows = await sql<{ column_name: string }>`
    select column_name from information_schema.columns
    where table_schema = 'public' and table_name = ${table} and column_name <> 'id'
    order by ordinal_position`.execute(db);
  return rows.rows.map((r) => r.column_name);
}

/** Expression per column for copy c; columns not named are copied as they are. */
function projection(columns: string[], alias: string, overrides: Record<string, string>): string {
  return columns.map((c) => overrides[c] ?? `${alias}.${c}`).join(', ');
}

/**
 * Adds copies of the seed until the store holds about `target` items. Counts what is there
 * first: calling it with growing targets grows the same store.
 */
export async function growStore(db: Db, target: number, options: { seed?: number } = {}): Promise<GrowResult> {
  const started = Date.now();
  const seedNumber = options.seed ?? 1;
  const seed = await seedInfo(db);
  const extra = Math.max(0, target - seed.items);
  const full = Math.floor(extra / seed.items);
  const fraction = (extra - full * seed.items) / seed.items;
  const copies = fraction > 0 ? full + 1 : full;
  const itemColumns = await columnsOf(db, 'items');
  const eventColumns = await columnsOf(db, 'item_events');
  const storyColumns = await columnsOf(db, 'stories');

  for (let c = 1; c <= copies; c++) {
    const f = c <= full ? 1 : fraction;
    const shift = `make_interval(weeks => ${shiftWeeks(c, seed, seedNumber)})`;
    const suffix = `'~${c}'`;
    // unit: a story, or an item in none (odd numbers); taken when its hash is below f.
    const hashOf = (unit: string) => `((${unit})::float8 * ${GOLDEN} + ${c * PLASTIC + seedNumber / 1000})`;
    const taken = (unit: string) => (f >= 1 ? 'true' : `(${hashOf(unit)} - floor(${hashOf(unit)})) < ${f}`);
    const itemUnit = (s: string) => `case when ${s}.story_id is null then ${s}.id * 2 + 1 else ${s}.story_id * 2 end`;
    await db.transaction().execute(async (trx) => {
      await sql
        .raw(
          `insert into stories (${storyColumns.join(', ')})
           select ${projection(storyColumns, 'st', {
             key: `st.key || ${suffix}`,
             lead_item_id: 'null',
             first_occurred_at: `st.first_occurred_at + ${shift}`,
             last_occurred_at: `st.last_occurred_at + ${shift}`,
           })}
           from ${SEED_SCHEMA}.stories st where ${taken('st.id * 2')}
           on conflict (key) do nothing`,
        )
        .execute(trx);
      await sql
        .raw(
          `insert into items (${itemColumns.join(', ')})
           select ${projection(itemColumns, 's', {
             key: `s.key || ${suffix}`,
             number: `s.number + ${c * NUMBER_STRIDE}`,
             url: `s.url || '?bench-copy=${c}'`,
             occurred_at: `s.occurred_at + ${shift}`,
             source_updated_at: `s.source_updated_at + ${shift}`,
             first_seen_at: `s.first_seen_at + ${shift}`,
             last_changed_at: `s.last_changed_at + ${shift}`,
             scored_at: `s.scored_at + ${shift}`,
             story_id: 'ns.id',
             // A copy's link keys name its own numbers and times: the next pass computes them.
             link_keys: 'null',
             link_digest: 'null',
           })}
           from ${SEED_SCHEMA}.items s
           left join ${SEED_SCHEMA}.stories st on st.id = s.story_id
           left join stories ns on ns.key = st.key || ${suffix}
           where ${taken(itemUnit('s'))}
           on conflict (repo_id, kind, key) do nothing`,
        )
        .execute(trx);
      await sql
        .raw(
          `insert into item_events (${eventColumns.join(', ')})
           select ${projection(eventColumns, 'e', {
             item_id: 'ni.id',
             occurred_at: `e.occurred_at + ${shift}`,
             created_at: `e.created_at + ${shift}`,
           })}
           from ${SEED_SCHEMA}.item_events e
           join ${SEED_SCHEMA}.items s on s.id = e.item_id
           join items ni on ni.repo_id = s.repo_id and ni.kind = s.kind and ni.key = s.key || ${suffix}
           where ${taken(itemUnit('s'))}
           on conflict (item_id, event_key) do nothing`,
        )
        .execute(trx);
      await sql
        .raw(
          `insert into item_week_scores (item_id, week_start, lists, score, chore, reasons)
           select ni.id, w.week_start + ${shift}, w.lists, w.score, w.chore, w.reasons
           from ${SEED_SCHEMA}.item_week_scores w
           join ${SEED_SCHEMA}.items s on s.id = w.item_id
           join items ni on ni.repo_id = s.repo_id and ni.kind = s.kind and ni.key = s.key || ${suffix}
           where ${taken(itemUnit('s'))}
           on conflict (item_id, week_start) do nothing`,
        )
        .execute(trx);
      await sql
        .raw(
          `update stories ns set lead_item_id = ni.id
           from ${SEED_SCHEMA}.stories st
           join ${SEED_SCHEMA}.items s on s.id = st.lead_item_id
           join items ni on ni.repo_id = s.repo_id and ni.kind = s.kind and ni.key = s.key || ${suffix}
           where ns.key = st.key || ${suffix} and ns.lead_item_id is null`,
        )
        .execute(trx);
    });
  }
  await sql`analyze`.execute(db);
  const counts = (
    await sql<{ items: number; events: number; stories: number }>`
      select (select count(*) from items)::int as items, (select count(*) from item_events)::int as events,
             (select count(*) from stories)::int as stories`.execute(db)
  ).rows[0] as { items: number; events: number; stories: number };
  return { ...counts, copies, seconds: (Date.now() - started) / 1000 };
}
