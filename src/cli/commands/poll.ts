import { SOURCE_NAMES, type SourceName } from '../../domain/source.js';
import { poll } from '../../ingest/poll.js';
import { UsageError } from '../../lib/errors.js';
import { jsonOutput } from '../../lib/terminal.js';
import { parseIsoInstant } from '../../lib/time.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { formatRunTable, runJson, totalsLine } from '../format.js';
import { ProgressReporter } from '../progress.js';
import { interruptedExitCode, runsExitCode } from '../run-outcome.js';

const sharedOptions = {
  repo: { type: 'string', multiple: true },
  source: { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const pollCommand = defineCommand({
  name: 'poll',
  database: 'shared',
  summary: 'poll every watched repo and source once, now, and print a run summary',
  usage: 'poll [--repo o/r]... [--source pulls|keps|releases|issues]... [--since ISO] [--until ISO] [--json]',
  help: `Reads what changed upstream since each repo+source's stored cursor (or since --since),
stores it, and prints one line per run: new and updated items, counted requests, 304 answers,
GraphQL points. If a run failed (the others are still stored) it exits 77 when GitHub refused the
token, else 1 when a run failed for another reason, else 75 when the rate limit stopped them.
Stopped by SIGINT or SIGTERM, it ends each run after the batch in hand, says so and exits 0.

  --repo o/r      only this repo (repeatable)
  --source S      only this source (repeatable)
  --since ISO     read from this time, even if the cursor is further on
  --until ISO     stop at changes made at or after this time
  --json          print the runs as a JSON array`,
  options: sharedOptions,
  run: (ctx, args) => runPoll(ctx, args.values, 'poll'),
});

export const backfillCommand = defineCommand({
  name: 'backfill',
  database: 'shared',
  summary: 'import history since a date, with progress; resumable after an interruption',
  usage: 'backfill --since ISO [--until ISO] [--repo o/r]... [--source S]... [--json]',
  help: `Imports the history of every watched repo and source from --since. Safe to interrupt at
any moment (Ctrl-C, kill -9): rerun the same command and it continues where the stored cursors
say, with no duplicate and no gap. Exits as poll does: 77 token refused, 1 a run failed, 75 rate
limited; 0 when SIGINT or SIGTERM stopped it after a stored batch (radar help poll).`,
  options: sharedOptions,
  run: async (ctx, args) => {
    if (!args.values.since)
      throw new UsageError('radar backfill: --since is required\nusage: radar backfill --since ISO [--until ISO]');
    return runPoll(ctx, args.values, 'backfill');
  },
});

async function runPoll(
  ctx: CliContext,
  values: { repo?: string[]; source?: string[]; since?: string; until?: string; json?: boolean },
  trigger: 'poll' | 'backfill',
): Promise<number> {
  const since = values.since ? parseIsoInstant(values.since, '--since') : undefined;
  const until = values.until ? parseIsoInstant(values.until, '--until') : undefined;
  if (since && until && until <= since) throw new UsageError(`--until (${values.until}) must be after --since (${values.since})`);
  const sources = values.source?.map((s): SourceName => {
    if (!(SOURCE_NAMES as readonly string[]).includes(s)) {
      throw new UsageError(`--source: "${s}" is not a source (expected one of ${SOURCE_NAMES.join(', ')})`);
    }
    return s as SourceName;
  });
  const config = ctx.config();
  const { db } = await ctx.database();
  const github = ctx.github();
  const progress = new ProgressReporter(ctx.stderr, ctx.logger, trigger);
  const result = await poll(
    { db, github, config, logger: ctx.logger, clock: ctx.clock },
    { repos: values.repo, sources, since, until, trigger, onProgress: progress.update, signal: ctx.shutdownSignal },
  );
  progress.finish();
  if (values.json) ctx.stdout.write(`${jsonOutput(result.runs.map(runJson))}\n`);
  else ctx.stdout.write(`${formatRunTable(result.runs)}\n${totalsLine(result.runs)}\n`);
  const interrupted = interruptedExitCode(ctx.shutdownSignal, result.runs);
  if (interrupted) {
    ctx.stderr.write(
      `radar ${trigger}: stopped by ${interrupted.signal} after the last stored batch: run the same command again to continue\n`,
    );
    return interrupted.code;
  }
  return runsExitCode(result.runs);
}
