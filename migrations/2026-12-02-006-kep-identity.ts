import { type Kysely, sql } from 'kysely';

/**
 * KEP items were keyed by number ("KEP-34"), so every KEP claiming one number became one item
 * (2019 had five KEP-34s). A KEP's key is now its identity: the location (its folder, or its
 * file without .md) where radar first recorded it, kept when it moves or changes number; a
 * location some other KEP was first recorded at takes "@" and the commit it first appeared in.
 * This re-keys the KEP-N items the same way: the location of the document their earliest event
 * is about (every KEP event names its path), their current location when they have no event.
 * Items keyed by location already (2019 KEPs named by date) keep their key.
 *
 * A story's key is made of its lead item's key, so the stories led by a re-keyed KEP follow:
 * the editors' decisions and issue entries on them stay attached. And `tag`, what editors read,
 * becomes KEP-N for a numbered KEP and its current location otherwise.
 *
 * One KEP-N item that stood for several KEPs stays one item (its documents are not in the
 * database); a backfill of the period into a new database separates them.
 */

interface KepRow {
  id: number;
  repo_id: number;
  key: string;
  location: string | null;
  first_path: string | null;
  first_commit: string | null;
}

const NUMBER_KEY = /^KEP-\d+$/;

export async function up(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<KepRow>`
    select i.id, i.repo_id, i.key, i.details->>'location' as location, first.path as first_path, first.commit_sha as first_commit
    from items i
    left join lateral (
      select e.details->>'path' as path, e.commit_sha
      from item_events e
      where e.item_id = i.id and e.details->>'path' is not null
      order by e.occurred_at, e.id
      limit 1
    ) first on true
    where i.kind = 'kep'
    order by i.id`.execute(db);

  const taken = new Map<number, Set<string>>();
  const takenIn = (repoId: number) => {
    const keys = taken.get(repoId) ?? new Set<string>();
    taken.set(repoId, keys);
    return keys;
  };
  for (const row of rows) if (!NUMBER_KEY.test(row.key)) takenIn(row.repo_id).add(row.key);

  for (const row of rows) {
    if (!NUMBER_KEY.test(row.key)) continue;
    const keys = takenIn(row.repo_id);
    const location = row.first_path ? locationOf(row.first_path) : (row.location ?? row.key);
    const candidates = [
      location,
      ...(row.first_commit ? [`${location}@${row.first_commit.slice(0, 7)}`] : []),
      `${location}@${row.id}`,
    ];
    const key = candidates.find((k) => !keys.has(k)) as string;
    keys.add(key);
    await rekey(db, row.id, row.key, key);
  }

  await sql`
    update items set tag = case when number is not null then 'KEP-' || number else details->>'location' end
    where kind = 'kep'`.execute(db);
}

/**
 * Back to number keys where a number is free to take (KEPs that share a number keep their
 * location key: one key cannot stand for two items), and tag back to the key.
 */
export async function down(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ id: number; repo_id: number; key: string; number: number | null }>`
    select id, repo_id, key, number from items where kind = 'kep' order by id`.execute(db);
  const taken = new Set(rows.map((r) => `${r.repo_id}:${r.key}`));
  for (const row of rows) {
    if (row.number === null || NUMBER_KEY.test(row.key)) continue;
    const key = `KEP-${row.number}`;
    if (taken.has(`${row.repo_id}:${key}`)) continue;
    taken.add(`${row.repo_id}:${key}`);
    await rekey(db, row.id, row.key, key);
  }
  await sql`update items set tag = key where kind = 'kep'`.execute(db);
}

async function rekey(db: Kysely<any>, itemId: number, from: string, to: string): Promise<void> {
  await sql`update items set key = ${to} where id = ${itemId}`.execute(db);
  // Story keys are "kind:owner/name:item key" of their lead.
  await sql`
    update stories set key = left(key, length(key) - ${from.length}::integer) || ${to}
    where lead_item_id = ${itemId} and key like 'kep:%' and right(key, ${from.length + 1}::integer) = ${`:${from}`}`.execute(db);
}

/** The KEP a document belongs to: its folder for kep.yaml or a README, the file without .md otherwise. */
function locationOf(path: string): string {
  if (path.endsWith('/kep.yaml') || path.endsWith('/README.md')) return path.slice(0, path.lastIndexOf('/'));
  return path.replace(/\.md$/, '');
}
