import { displayPath } from '../../config/load.js';
import { tune, writeWeights } from '../../editorial/tune.js';
import { UsageError } from '../../lib/errors.js';
import { formatTable } from '../../lib/terminal.js';
import { SIGNALS, type SignalName, type Weights } from '../../scoring/signals.js';
import { defineCommand } from '../command.js';

export const tuneCommand = defineCommand({
  name: 'tune',
  summary: 'suggest weights learnt from editor decisions, with the ranking quality of both',
  usage: 'tune [--lambda X] [--write]',
  help: `Fits the scoring weights to the promote and dismiss decisions stored so far (a regularised
logistic regression over the scorer's own features; in a week with promotions, the other top
candidates count as weak negatives), prints the current and suggested weights of every signal
the decisions exercised, and how each set ranks the decided weeks (recall@5, recall@10,
nDCG@10). Nothing changes unless --write: then the suggestion goes into scoring.weights of the
config file (comments kept); run radar rescore afterwards.

  --lambda X   regularisation strength (default 1; larger = more cautious)
  --write      save the suggested weights in the config file`,
  options: { lambda: { type: 'string' }, write: { type: 'boolean' } },
  run: async (ctx, { values }) => {
    const lambda = values.lambda === undefined ? undefined : Number(values.lambda);
    if (lambda !== undefined && (Number.isNaN(lambda) || lambda <= 0))
      throw new UsageError(`--lambda: "${values.lambda}" is not a positive number`);
    const config = ctx.config();
    const { db } = await ctx.database();
    const result = await tune(db, config, { lambda });
    if (!result) {
      ctx.stdout.write('no promote or dismiss decisions yet: nothing to learn from (radar promote, radar dismiss)\n');
      return 0;
    }
    ctx.stdout.write(
      `${result.promoted} promoted, ${result.dismissed} dismissed and ${result.implicit} passed-over candidates in ${result.weeks.length} weeks (${result.weeks.join(', ')})\n\n`,
    );
    const rows = (result.changed as SignalName[]).map((signal) => [
      signal,
      result.current[signal].toFixed(2),
      result.suggested[signal].toFixed(2),
      SIGNALS[signal]?.about ?? '',
    ]);
    ctx.stdout.write(`${formatTable(['signal', 'current', 'suggested', 'meaning'], rows, 70)}\n\n`);
    const pct = (n: number) => `${Math.round(n * 100)}%`;
    const q = result.quality;
    ctx.stdout.write(
      `${formatTable(
        ['ranking of the decided weeks', 'recall@5', 'recall@10', 'nDCG@10'],
        [
          ['current weights', pct(q.current.at5.recall), pct(q.current.at10.recall), pct(q.current.at10.ndcg)],
          ['suggested weights', pct(q.suggested.at5.recall), pct(q.suggested.at10.recall), pct(q.suggested.at10.ndcg)],
        ],
      )}\n`,
    );
    if (values.write) {
      const changed = Object.fromEntries(result.changed.map((s) => [s, result.suggested[s as SignalName]])) as Partial<Weights>;
      writeWeights(config.file, changed);
      ctx.stdout.write(
        `\nwrote ${result.changed.length} weights to scoring.weights in ${displayPath(config.file)}; run radar rescore\n`,
      );
    } else {
      ctx.stdout.write(`\nnot written: run radar tune --write to save the suggestion in ${displayPath(config.file)}\n`);
    }
    return 0;
  },
});
