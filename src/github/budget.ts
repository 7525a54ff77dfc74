/**
 * GitHub's rate limits over several credentials, as one budget: what each credential has left
 * per resource (REST `core`, `graphql`) as GitHub last reported it, which credential a request
 * should use (the one with most left), and when every credential is spent. Pure: the client
 * feeds it response headers, the store shares it between processes (src/store/github-budget.ts).
 */

export type Resource = 'core' | 'graphql';
export const RESOURCES: readonly Resource[] = ['core', 'graphql'];

export interface Quota {
  limit: number;
  remaining: number;
  /** When GitHub starts a new window (from x-ratelimit-reset, wall time). */
  resetAt: Date;
  /** When this was reported. */
  observedAt: Date;
}

export interface QuotaRow extends Quota {
  credential: string;
  resource: Resource;
}

/** What a credential is assumed to have before GitHub has said: an authenticated hour's worth. */
const ASSUMED_LIMIT = 5000;

export class Budget {
  private readonly quotas = new Map<string, QuotaRow>();
  private readonly changed = new Set<string>();

  /** `credentials`: the ids of the configured credentials, in the order they were given. */
  constructor(readonly credentials: readonly string[]) {}

  /** Records what GitHub reported; an older report than the one held is ignored. */
  observe(credential: string, resource: Resource, quota: Quota): void {
    if (!this.credentials.includes(credential)) return;
    const key = keyOf(credential, resource);
    const held = this.quotas.get(key);
    if (held && held.observedAt.getTime() > quota.observedAt.getTime()) return;
    this.quotas.set(key, { credential, resource, ...quota });
    this.changed.add(key);
  }

  /** Reports shared by other processes: newer ones replace what this one holds. */
  merge(rows: readonly QuotaRow[]): void {
    for (const row of rows) {
      if (!this.credentials.includes(row.credential)) continue;
      const key = keyOf(row.credential, row.resource);
      const held = this.quotas.get(key);
      if (held && held.observedAt.getTime() >= row.observedAt.getTime()) continue;
      this.quotas.set(key, { ...row });
    }
  }

  /** The reports observed here since the last call, to share. */
  takeChanged(): QuotaRow[] {
    const rows = [...this.changed].flatMap((key) => this.quotas.get(key) ?? []);
    this.changed.clear();
    return rows;
  }

  /** What a credential has left of a resource now: a window that has reset is full again. */
  remaining(credential: string, resource: Resource, now: Date): number {
    const quota = this.quotas.get(keyOf(credential, resource));
    if (!quota) return ASSUMED_LIMIT;
    if (quota.resetAt.getTime() <= now.getTime()) return quota.limit;
    return quota.remaining;
  }

  /**
   * Whether a credential is down to the reserve left to people: `reserve`, capped at a tenth of
   * its limit, so that a small limit (60 unauthenticated) is not all reserve.
   */
  withinReserve(credential: string, resource: Resource, now: Date, reserve: number): boolean {
    const limit = this.quotas.get(keyOf(credential, resource))?.limit ?? ASSUMED_LIMIT;
    return this.remaining(credential, resource, now) <= Math.min(reserve, Math.floor(limit / 10));
  }

  /**
   * The credential a request for `resource` should use: the one with most left (the first
   * configured on a tie), or null when every one is spent. `except` skips credentials that just
   * answered "rate limited".
   */
  pick(resource: Resource, now: Date, except: ReadonlySet<string> = new Set()): string | null {
    let best: string | null = null;
    let bestLeft = 0;
    for (const credential of this.credentials) {
      if (except.has(credential)) continue;
      const left = this.remaining(credential, resource, now);
      if (left > bestLeft) {
        best = credential;
        bestLeft = left;
      }
    }
    return best;
  }

  /** Of credentials all spent, the one whose window resets first (its refusal says when). */
  soonestReset(resource: Resource, now: Date): string | null {
    let soonest: string | null = null;
    let at = Number.POSITIVE_INFINITY;
    for (const credential of this.credentials) {
      const reset = this.quotas.get(keyOf(credential, resource))?.resetAt.getTime() ?? now.getTime();
      if (reset < at) {
        soonest = credential;
        at = reset;
      }
    }
    return soonest;
  }

  /**
   * When work needing these resources can go on, if every credential has at most `reserve` left
   * of one of them: the earliest reset among the credentials of the spent resource (the latest
   * such time over the resources). Null when work can go on now.
   */
  exhaustedUntil(resources: readonly Resource[], now: Date, reserve = 0): Date | null {
    if (this.credentials.length === 0) return null;
    let until: Date | null = null;
    for (const resource of resources) {
      const spent = this.credentials.every((c) => this.withinReserve(c, resource, now, reserve));
      if (!spent) continue;
      const resets = this.credentials.map((c) => this.quotas.get(keyOf(c, resource))?.resetAt.getTime() ?? now.getTime());
      const earliest = new Date(Math.min(...resets));
      if (!until || earliest > until) until = earliest;
    }
    return until;
  }

  /** Every configured credential and resource, with what is known, for display. */
  rows(): Array<{ credential: string; resource: Resource; quota: QuotaRow | null }> {
    return this.credentials.flatMap((credential) =>
      RESOURCES.map((resource) => ({ credential, resource, quota: this.quotas.get(keyOf(credential, resource)) ?? null })),
    );
  }
}

/**
 * The quota GitHub reports in a response's x-ratelimit-* headers, or null when they are absent
 * (an error before GitHub answered, a proxy). `fallback` names the resource when GitHub does
 * not (older GitHub Enterprise servers send no x-ratelimit-resource).
 */
export function quotaFromHeaders(
  headers: Record<string, string | number | undefined>,
  fallback: Resource,
  observedAt: Date,
): { resource: Resource; quota: Quota } | null {
  const limit = Number(headers['x-ratelimit-limit']);
  const remaining = Number(headers['x-ratelimit-remaining']);
  const reset = Number(headers['x-ratelimit-reset']);
  if (![limit, remaining, reset].every((n) => Number.isFinite(n)) || headers['x-ratelimit-remaining'] === undefined) return null;
  const named = String(headers['x-ratelimit-resource'] ?? '');
  // Search and the other resources have budgets radar does not spend; only these two are tracked.
  if (named && named !== 'core' && named !== 'graphql') return null;
  const resource = (named || fallback) as Resource;
  return { resource, quota: { limit, remaining, resetAt: new Date(reset * 1000), observedAt } };
}

function keyOf(credential: string, resource: Resource): string {
  return `${resource} ${credential}`;
}
