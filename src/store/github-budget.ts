import { sql } from 'kysely';
import type { Budget, QuotaRow, Resource } from '../github/budget.js';
import type { Db } from './db.js';

/**
 * The GitHub budget shared by every radar process on one database (see migration 010): each
 * process writes what GitHub told it and reads what the others were told. A report older than
 * the stored one never replaces it.
 */
export async function saveQuotas(db: Db, rows: readonly QuotaRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('github_budget')
    .values(
      rows.map((r) => ({
        credential: r.credential,
        resource: r.resource,
        quota_limit: r.limit,
        remaining: r.remaining,
        reset_at: r.resetAt,
        observed_at: r.observedAt,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['credential', 'resource'])
        .doUpdateSet({
          quota_limit: (eb) => eb.ref('excluded.quota_limit'),
          remaining: (eb) => eb.ref('excluded.remaining'),
          reset_at: (eb) => eb.ref('excluded.reset_at'),
          observed_at: (eb) => eb.ref('excluded.observed_at'),
        })
        .where(sql<boolean>`excluded.observed_at >= github_budget.observed_at`),
    )
    .execute();
}

export async function loadQuotas(db: Db): Promise<QuotaRow[]> {
  const rows = await db.selectFrom('github_budget').selectAll().orderBy('credential').orderBy('resource').execute();
  return rows.map((r) => ({
    credential: r.credential,
    resource: r.resource as Resource,
    limit: r.quota_limit,
    remaining: r.remaining,
    resetAt: new Date(r.reset_at),
    observedAt: new Date(r.observed_at),
  }));
}

/** Shares what this process learnt and takes in what the others did. */
export async function syncBudget(db: Db, budget: Budget): Promise<void> {
  const changed = budget.takeChanged();
  try {
    await saveQuotas(db, changed);
  } catch (error) {
    // Not lost: shared at the next sync.
    for (const row of changed) budget.observe(row.credential, row.resource, row);
    throw error;
  }
  budget.merge(await loadQuotas(db));
}
