import { type Budget, RESOURCES } from '../../github/budget.js';
import { describeError } from '../../lib/errors.js';
import { formatTable, jsonOutput } from '../../lib/terminal.js';
import { syncBudget } from '../../store/github-budget.js';
import { defineCommand } from '../command.js';
import { compactUtc } from '../format.js';

export const budgetCommand = defineCommand({
  name: 'budget',
  database: 'shared',
  summary: "GitHub's rate limits over every configured credential, as all radar processes last saw them",
  usage: 'budget [--refresh] [--json]',
  help: `Lists each credential (GITHUB_TOKEN, GITHUB_TOKENS, GitHub App installations; a token by
its fingerprint, never itself) with what it has left of the REST (core) and GraphQL limits, when
its window resets, and when GitHub said so. radar sends each request with the credential that has
most left; scheduled jobs wait for the reset, rather than fail, when every credential is down to
github.budgetReserve (config). Exits 75 when every credential is spent on some resource.

  --refresh   ask GitHub now (GET /rate_limit per credential, which costs nothing)
  --json      the same as JSON`,
  options: {
    refresh: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  run: async (ctx, { values }) => {
    const config = ctx.config();
    const { db } = await ctx.database();
    const github = ctx.github();
    const budget = github.budget;
    const refused = values.refresh ? (await github.refreshBudget()).filter((a) => a.error) : [];
    try {
      await syncBudget(db, budget);
    } catch (error) {
      ctx.logger.warn({ error: describeError(error) }, 'could not read the shared GitHub budget');
    }
    const now = new Date();
    const reserve = config.github.budgetReserve;
    const descriptions = new Map(github.credentials.map((c) => [c.id, c.description]));
    const rows = budget.rows().map(({ credential, resource, quota }) => ({
      credential,
      description: descriptions.get(credential) ?? credential,
      resource,
      limit: quota?.limit ?? null,
      remaining: quota ? budget.remaining(credential, resource, now) : null,
      resetsAt: quota && quota.resetAt > now ? quota.resetAt.toISOString() : null,
      reportedAt: quota?.observedAt.toISOString() ?? null,
      state: stateOf(budget, credential, resource, now, reserve, quota !== null),
    }));
    const spentUntil = budget.exhaustedUntil(RESOURCES, now, reserve);
    if (values.json) {
      ctx.stdout.write(
        `${jsonOutput({
          credentials: rows,
          reserve,
          deferredUntil: spentUntil?.toISOString() ?? null,
          errors: refused.map((r) => ({ credential: r.credential, error: r.error })),
        })}\n`,
      );
    } else if (rows.length === 0) {
      ctx.stdout.write('no GitHub credential configured: radar runs unauthenticated (set GITHUB_TOKEN)\n');
    } else {
      const table = rows.map((r) => [
        r.description,
        r.resource,
        r.remaining ?? '',
        r.limit ?? '',
        r.resetsAt ? compactUtc(new Date(r.resetsAt)) : '',
        r.reportedAt ? compactUtc(new Date(r.reportedAt)) : '',
        r.state,
      ]);
      ctx.stdout.write(
        `${formatTable(['credential', 'resource', 'remaining', 'limit', 'resets (UTC)', 'reported (UTC)', 'state'], table, 60)}\n`,
      );
      ctx.stdout.write(
        spentUntil
          ? `every credential is spent or down to its reserve: scheduled jobs wait until ${spentUntil.toISOString()}\n`
          : `scheduled jobs leave ${reserve} per credential (at most a tenth of its limit) to people (github.budgetReserve)\n`,
      );
      for (const r of refused) ctx.stdout.write(`${descriptions.get(r.credential)}: ${r.error}\n`);
    }
    if (refused.length > 0) return 77;
    return spentUntil ? 75 : 0;
  },
});

function stateOf(
  budget: Budget,
  credential: string,
  resource: 'core' | 'graphql',
  now: Date,
  reserve: number,
  seen: boolean,
): string {
  if (!seen) return 'not reported yet';
  const left = budget.remaining(credential, resource, now);
  if (left === 0) return 'spent';
  if (budget.withinReserve(credential, resource, now, reserve)) return 'reserve only';
  return 'available';
}
