import { SOURCE_NAMES, type SourceName } from '../../domain/source.js';
import { resolvePeriod } from '../../editorial/candidates.js';
import { coverage } from '../../ingest/coverage.js';
import { UsageError } from '../../lib/errors.js';
import { formatTable, jsonOutput, terminalSafe } from '../../lib/terminal.js';
import { WEEK_MS } from '../../lib/time.js';
import { defineCommand } from '../command.js';

export const coverageCommand = defineCommand({
  name: 'coverage',
  database: 'shared',
  summary: 'check what was captured in a period against a full listing from GitHub',
  usage: 'coverage [--from ISO --to ISO | --week 2019-W20] [--repo o/r]... [--source S]... [--repair] [--json]',
  help: `For each repo and source, lists the period again from GitHub, independently of the poll
cursors (the pulls endpoint for merged pull requests, the releases list, the issues opened in
the period, a tree comparison of the period's ends for KEPs), and reports "captured N of M,
K missing", naming the missing ones. Exits 1 when anything is missing.

  --from/--to ISO   the period (default: the last 7 days)
  --week YYYY-Www   an ISO week instead
  --repair          store the missing items (pull requests enriched as polling would)
  --json            the reports as JSON`,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    week: { type: 'string' },
    repo: { type: 'string', multiple: true },
    source: { type: 'string', multiple: true },
    repair: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  run: async (ctx, { values }) => {
    const sources = values.source?.map((s): SourceName => {
      if (!(SOURCE_NAMES as readonly string[]).includes(s))
        throw new UsageError(`--source: "${s}" is not a source (expected one of ${SOURCE_NAMES.join(', ')})`);
      return s as SourceName;
    });
    const now = ctx.clock.now();
    const period =
      values.week || values.from || values.to
        ? resolvePeriod(values, ctx.clock)
        : { from: new Date(now.getTime() - WEEK_MS), to: now };
    const config = ctx.config();
    const { db } = await ctx.database();
    const reports = await coverage(
      { db, github: ctx.github(), config, logger: ctx.logger, clock: ctx.clock },
      { period, repos: values.repo, sources, repair: values.repair ?? false, trigger: 'coverage' },
    );
    if (values.json) {
      ctx.stdout.write(`${jsonOutput(reports)}\n`);
    } else {
      const rows = reports.map((r) => [
        r.repo,
        r.source,
        r.error ? 'error' : `captured ${r.captured} of ${r.expected}, ${r.missing.length} missing`,
        r.repaired ? `${r.repaired} repaired` : '',
        r.error ?? '',
      ]);
      ctx.stdout.write(`${formatTable(['repo', 'source', 'coverage', 'repair', 'error'], rows, 90)}\n`);
      for (const report of reports.filter((r) => r.missing.length > 0)) {
        ctx.stdout.write(`\nmissing in ${report.repo} ${report.source}:\n`);
        for (const m of report.missing.slice(0, 50))
          ctx.stdout.write(`  ${terminalSafe(m.key)}  ${terminalSafe(m.title)}  ${terminalSafe(m.url)}\n`);
        if (report.missing.length > 50) ctx.stdout.write(`  ... and ${report.missing.length - 50} more (--json lists all)\n`);
      }
      ctx.stdout.write(`period ${period.from.toISOString()} .. ${period.to.toISOString()}\n`);
    }
    const failed = reports.some((r) => r.error);
    const incomplete = reports.some((r) => r.missing.length > r.repaired);
    return failed || incomplete ? 1 : 0;
  },
});
