import { displayPath } from '../../config/load.js';
import { tune, writeLearnt } from '../../editorial/tune.js';
import { UsageError, ValidationError } from '../../lib/errors.js';
import { formatTable } from '../../lib/terminal.js';
import { isSignalName, SIGNALS } from '../../scoring/signals.js';
import type { Comparison, Ranking } from '../../scoring/tune.js';
import { isWordSignal } from '../../scoring/words.js';
import { defineCommand } from '../command.js';

export const tuneCommand = defineCommand({
  name: 'tune',
  database: 'shared',
  summary: 'suggest weights learnt from editor decisions, with the ranking quality of both',
  usage: 'tune [--lambda X] [--all] [--write [--force]]',
  help: `Learns scoring weights from the promote and dismiss decisions: in each decided week (a digest
issue's period) and project, a promotion is the choice of that item among the candidates the
editor passed over or dismissed, under a prior centred on the current weights, so that few
decisions move the weights little. Words of the promoted items (title, release note, start of
the body) are learnt too, as word:<word> signals. Prints the decisions used, every weight the
decisions exercised (current, suggested, ± its posterior standard deviation, and how many
promoted and other items support it), and how both sets rank the decided weeks: in-sample,
leave-one-week-out (with two weeks or more) and on earlier weeks already learnt from.

A sign change needs at least 5 promoted and 5 other examples and a 95% interval that excludes 0,
else the weight stops at 0; a signal moves to at most twice its size (or 3), a word to ±1.5.
Only the decisions after the last written tune (scoring.tuned.through) are learnt from.

--write saves the suggestion in the config file (scoring.weights, scoring.words,
scoring.tuned; comments kept), and refuses (exit 65) when it ranks the decided weeks worse than
the current weights on a measure shown; run radar rescore afterwards.

  --lambda X   prior strength (default 1; larger = closer to the current weights)
  --all        learn from every decision, also those already learnt from
  --write      save the suggestion in the config file
  --force      with --write: save it even when it ranks the decided weeks worse`,
  options: {
    lambda: { type: 'string' },
    all: { type: 'boolean' },
    write: { type: 'boolean' },
    force: { type: 'boolean' },
  },
  run: async (ctx, { values }) => {
    const lambda = values.lambda === undefined ? undefined : Number(values.lambda);
    if (lambda !== undefined && !(Number.isFinite(lambda) && lambda > 0))
      throw new UsageError(`--lambda: "${values.lambda}" is not a positive number`);
    if (values.force && !values.write) throw new UsageError('--force goes with --write (radar tune --write --force)');
    const config = ctx.config();
    const { db } = await ctx.database();
    const result = await tune(db, config, { ...(lambda === undefined ? {} : { lambda }), all: values.all ?? false });
    const write = (text: string) => ctx.stdout.write(text);
    if (!result) {
      write('no promote or dismiss decisions yet: nothing to learn from (radar promote, radar dismiss)\n');
      return 0;
    }
    if (result.staleTuned !== null)
      write(
        `scoring.tuned.through says the weights learnt from decisions up to ${result.staleTuned}, but this database's last is ${result.through}: learning from all of them\n`,
      );
    if (result.periods.learnt.length === 0) {
      write(
        `no decision since the last tune (through decision ${config.scoring.tunedThrough}): nothing new to learn from; radar tune --all learns from every decision again\n`,
      );
      return 0;
    }
    const { learnt } = result;
    const d = learnt.decisions;
    write(
      `learnt from ${d.promoted} promoted and ${d.dismissed} dismissed items, against ${d.passedOver} passed over, in ${d.weeks.length} week${d.weeks.length === 1 ? '' : 's'} (${d.lists} week × project lists): ${d.weeks.join(', ')}\n`,
    );
    const notes: string[] = [];
    if (result.unlisted > 0) notes.push(`${result.unlisted} promoted items not in their week's list and without a snapshot`);
    if (d.unused > 0)
      notes.push(`${d.unused} decision${d.unused === 1 ? '' : 's'} with no other candidate in its list to compare with`);
    if (notes.length) write(`not used: ${notes.join('; ')}\n`);
    if (result.periods.earlier.length)
      write(
        `checked on ${result.periods.earlier.length} earlier week${result.periods.earlier.length === 1 ? '' : 's'} already learnt from: ${result.periods.earlier.join(', ')}\n`,
      );
    write(
      `β = ${learnt.beta.toFixed(2)}: a score point is worth ${learnt.beta.toFixed(2)} log-odds between two candidates of a week\n\n`,
    );

    const moved = learnt.support.filter((s) => s.suggested !== s.current || s.limit !== null);
    const rows = moved.map((s) => [
      s.signal,
      s.current.toFixed(2),
      s.suggested.toFixed(2),
      s.sd.toFixed(2),
      `${s.promoted} / ${s.others}`,
      `${meaning(s.signal)}${s.limit === 'sign' ? ' [held at 0: too little support to change sign]' : s.limit === 'bound' ? ' [at its bound]' : ''}`,
    ]);
    if (rows.length)
      write(`${formatTable(['signal', 'current', 'suggested', '±', 'support (promoted / other)', 'meaning'], rows, 90)}\n`);
    const still = learnt.support.length - moved.length;
    write(
      `${rows.length === 0 ? 'the decisions move no weight' : ''}${still > 0 ? `${rows.length === 0 ? '; ' : ''}${still} more signal${still === 1 ? '' : 's'} exercised and unchanged` : ''}\n\n`,
    );

    const q = learnt.quality;
    if (q) {
      const pct = (n: number) => `${Math.round(n * 100)}%`;
      const line = (name: string, r: Ranking) => [name, r.lists, pct(r.recall5), pct(r.recall10), pct(r.ndcg10)];
      const both = (name: string, c: Comparison) => [
        line(`${name}, current`, c.current),
        line(`${name}, suggested`, c.suggested),
      ];
      const table = [
        ...both('in-sample', q.inSample),
        ...(q.leaveOneWeekOut ? both(`leave-one-week-out (${q.leaveOneWeekOut.folds} folds)`, q.leaveOneWeekOut) : []),
        ...(q.earlier ? both('earlier weeks', q.earlier) : []),
      ];
      write(`${formatTable(['ranking of the decided weeks', 'lists', 'recall@5', 'recall@10', 'nDCG@10'], table)}\n`);
      if (!q.leaveOneWeekOut && !q.earlier) write('one decided week: in-sample only, an optimistic measure\n');
      write('\n');
    }

    const changedWeights = Object.fromEntries(
      learnt.support
        .filter((s) => !isWordSignal(s.signal) && s.suggested !== s.current)
        .map((s) => [s.signal, s.suggested] as const),
    );
    const wordsChanged =
      JSON.stringify(Object.entries(learnt.words).sort()) !== JSON.stringify(Object.entries(config.scoring.words).sort());
    const changes = Object.keys(changedWeights).length + (wordsChanged ? 1 : 0);
    const { verdict } = learnt;
    if (changes === 0) {
      write('nothing to write: the suggestion is the current weights\n');
      return 0;
    }
    if (!values.write) {
      write(
        verdict.worse || verdict.unchecked
          ? `would not write: ${verdict.reason} (radar tune --write --force writes it anyway)\n`
          : `would write: ${verdict.reason}; radar tune --write saves it in ${displayPath(config.file)}\n`,
      );
      return 0;
    }
    if ((verdict.worse || verdict.unchecked) && !values.force)
      throw new ValidationError(`not written: ${verdict.reason}; radar tune --write --force writes it anyway`);
    writeLearnt(config.file, { weights: changedWeights, words: learnt.words, through: result.through });
    const wordCount = Object.keys(learnt.words).length;
    write(
      `wrote ${Object.keys(changedWeights).length} weight${Object.keys(changedWeights).length === 1 ? '' : 's'} to scoring.weights and ${wordCount} word${wordCount === 1 ? '' : 's'} to scoring.words in ${displayPath(config.file)}, learnt through decision ${result.through}${verdict.worse ? ' (forced: it ranks the decided weeks worse)' : verdict.unchecked ? ' (forced: unchecked)' : ''}; run radar rescore\n`,
    );
    return 0;
  },
});

function meaning(signal: string): string {
  if (isWordSignal(signal)) return `the word "${signal.slice(5)}" in the title, release note or start of the body`;
  return isSignalName(signal) ? SIGNALS[signal].about : '';
}
