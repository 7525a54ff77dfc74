import { jsonOutput } from '../../lib/terminal.js';
import { listRuns } from '../../store/runs.js';
import { defineCommand, positiveInt } from '../command.js';
import { formatRunTable, runJson } from '../format.js';

export const runsCommand = defineCommand({
  name: 'runs',
  database: 'shared',
  summary: 'recent poll runs with their figures (requests, 304s, points, items, errors)',
  usage: 'runs [--limit N] [--repo o/r] [--source S] [--trigger poll|backfill|schedule|coverage] [--json]',
  help: `Lists the most recent runs first: when each started (UTC), its figures, the REST requests
GitHub said were left in the hour after it (remaining), and for coverage runs the items a full
listing expected and how many were stored (captured/expected). --json has the same, as
started_at, rate_limit_remaining and coverage: {captured, expected} (null for other runs).`,
  options: {
    limit: { type: 'string' },
    repo: { type: 'string' },
    source: { type: 'string' },
    trigger: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async (ctx, { values }) => {
    const { db } = await ctx.database();
    const runs = await listRuns(db, {
      limit: positiveInt(values.limit, '--limit') ?? 20,
      repo: values.repo,
      source: values.source,
      trigger: values.trigger,
    });
    if (values.json) ctx.stdout.write(`${jsonOutput(runs.map(runJson))}\n`);
    else ctx.stdout.write(`${formatRunTable(runs, { history: true })}\n`);
    return 0;
  },
});
