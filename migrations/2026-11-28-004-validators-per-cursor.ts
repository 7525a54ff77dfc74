import { type Kysely, sql } from 'kysely';

/**
 * Stored ETags are now kept per reader cursor ("pulls", "issues", "issues+pulls"... before the
 * request key), since two readers that send the same listing request keep different things from
 * it; and only for the request a listing ends on. The ETags stored before say neither, so they
 * are dropped: the next poll of each source reads its last page once more, unconditionally.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`delete from http_validators`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to restore: ETags are a cache.
}
