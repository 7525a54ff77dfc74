import type { Db } from './db.js';
import { jsonb } from './json.js';

/** Where an incremental source stands for one repo: see each source for what `position` holds. */
export interface Cursor {
  since: Date | null;
  position: Record<string, unknown>;
}

export async function getCursor(db: Db, repoId: number, source: string): Promise<Cursor | null> {
  const row = await db
    .selectFrom('poll_cursors')
    .select(['since', 'position'])
    .where('repo_id', '=', repoId)
    .where('source', '=', source)
    .executeTakeFirst();
  return row ? { since: row.since, position: row.position ?? {} } : null;
}

/** Moves a cursor; call in the transaction that stores what was read up to it. */
export async function saveCursor(db: Db, repoId: number, source: string, cursor: Cursor): Promise<void> {
  const values = {
    repo_id: repoId,
    source,
    since: cursor.since,
    position: jsonb(cursor.position),
    updated_at: new Date(),
  };
  await db
    .insertInto('poll_cursors')
    .values(values)
    .onConflict((oc) =>
      oc
        .columns(['repo_id', 'source'])
        .doUpdateSet({ since: values.since, position: values.position, updated_at: values.updated_at }),
    )
    .execute();
}

export interface StoredValidators {
  etag: string | null;
  lastModified: string | null;
}

export async function getValidators(db: Db, requestKey: string): Promise<StoredValidators | undefined> {
  const row = await db
    .selectFrom('http_validators')
    .select(['etag', 'last_modified'])
    .where('request_key', '=', requestKey)
    .executeTakeFirst();
  return row ? { etag: row.etag, lastModified: row.last_modified } : undefined;
}

/** Remembers the ETag of one exact request; call in the transaction that stores its items. */
export async function saveValidators(
  db: Db,
  requestKey: string,
  scope: { repoId: number | null; source: string | null },
  validators: StoredValidators,
): Promise<void> {
  const values = {
    request_key: requestKey,
    repo_id: scope.repoId,
    source: scope.source,
    etag: validators.etag,
    last_modified: validators.lastModified,
    updated_at: new Date(),
  };
  await db
    .insertInto('http_validators')
    .values(values)
    .onConflict((oc) =>
      oc
        .column('request_key')
        .doUpdateSet({ etag: values.etag, last_modified: values.last_modified, updated_at: values.updated_at }),
    )
    .execute();
}
