import { candidateJson } from '../../domain/candidate.js';
import { listCandidates, resolvePeriod } from '../../editorial/candidates.js';
import { formatTable } from '../../lib/terminal.js';
import { formatDay } from '../../lib/time.js';
import { defineCommand, positiveInt } from '../command.js';

export const candidatesCommand = defineCommand({
  name: 'candidates',
  summary: "the period's candidate list, best first, with scores and reasons",
  usage: 'candidates [--week 2019-W20 | --from ISO --to ISO] [--project NAME] [--limit N] [--json]',
  help: `Lists the upstream changes of a week (ISO week, default: the current one) or of a range.

  --week YYYY-Www   an ISO week, Monday 00:00 UTC to the next Monday
  --from/--to ISO   an explicit range [from, to)
  --project NAME    one project of the config
  --limit N         at most N items (default 50)
  --json            one JSON array on stdout (the contract in DESIGN.md)`,
  options: {
    week: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    project: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async (ctx, { values }) => {
    const period = resolvePeriod(values, ctx.clock);
    const limit = positiveInt(values.limit, '--limit') ?? 50;
    const { db } = await ctx.database();
    const candidates = await listCandidates(db, { period, project: values.project, limit });
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify(candidates.map(candidateJson), null, 2)}\n`);
      return 0;
    }
    const rows = candidates.map((c) => [
      c.id,
      c.kind,
      c.repo,
      c.number ?? c.tag ?? '',
      c.title,
      formatDay(c.occurredAt),
      c.score === null ? '' : c.score.toFixed(1),
    ]);
    ctx.stdout.write(`${formatTable(['id', 'kind', 'repo', '#', 'title', 'date', 'score'], rows, 70)}\n`);
    ctx.stdout.write(`${candidates.length} candidates from ${period.from.toISOString()} to ${period.to.toISOString()}\n`);
    return 0;
  },
});
