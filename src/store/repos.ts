import { sql } from 'kysely';
import type { WatchedRepo } from '../config/config.js';
import type { Db } from './db.js';
import type { RepoRow } from './schema.js';

/**
 * Mirrors the config's watch list into the repos table (the config is the source of truth; the
 * table gives items a stable repo id that survives a rename).
 */
export async function syncRepos(db: Db, watched: readonly WatchedRepo[]): Promise<Map<string, RepoRow>> {
  const rows = await db.selectFrom('repos').selectAll().execute();
  const byName = new Map(rows.map((row) => [row.full_name.toLowerCase(), row]));
  // A repo that GitHub reported moved is known under its new name; the config may still use the old one.
  for (const row of rows)
    for (const old of row.previous_names) if (!byName.has(old.toLowerCase())) byName.set(old.toLowerCase(), row);
  const result = new Map<string, RepoRow>();
  for (const repo of watched) {
    const key = repo.repo.toLowerCase();
    let row = byName.get(key);
    if (!row) {
      row = await db
        .insertInto('repos')
        .values({ full_name: repo.repo, project: repo.project })
        // Jobs starting together on a fresh database each mirror the watch list: the second waits.
        .onConflict((oc) => oc.expression(sql`lower(full_name)`).doUpdateSet({ project: repo.project }))
        .returningAll()
        .executeTakeFirstOrThrow();
      byName.set(key, row);
    } else if (row.project !== repo.project) {
      row = await db
        .updateTable('repos')
        .set({ project: repo.project, updated_at: new Date() })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    result.set(key, row);
  }
  return result;
}

/** Records what GitHub says about a repo: its id, default branch, and a new name after a move. */
export async function updateRepoIdentity(
  db: Db,
  repoId: number,
  identity: { fullName: string; nodeId: string | null; defaultBranch: string | null },
): Promise<RepoRow> {
  const current = await db.selectFrom('repos').selectAll().where('id', '=', repoId).executeTakeFirstOrThrow();
  const renamed = current.full_name.toLowerCase() !== identity.fullName.toLowerCase();
  return db
    .updateTable('repos')
    .set({
      full_name: identity.fullName,
      node_id: identity.nodeId,
      default_branch: identity.defaultBranch,
      previous_names: renamed ? [...current.previous_names, current.full_name] : current.previous_names,
      updated_at: new Date(),
    })
    .where('id', '=', repoId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listRepos(db: Db): Promise<RepoRow[]> {
  return db.selectFrom('repos').selectAll().orderBy('id').execute();
}
