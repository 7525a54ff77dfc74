import { rescore } from '../../ingest/rescore.js';
import { defineCommand } from '../command.js';

export const rescoreCommand = defineCommand({
  name: 'rescore',
  database: 'shared',
  summary: 'score every stored item again and regroup stories (after a weight change); no GitHub requests',
  usage: 'rescore',
  help: `Recomputes every item's score with the weights now in the config, and regroups related
items into stories, from what is stored. The week's candidate list reads these stored scores.
Polls do this on their own for what changed (and for every item of a repo whose weights changed
in the config), and so do serve and worker at start; this command scores everything, whatever
changed, and logs its progress.`,
  options: {},
  run: async (ctx) => {
    const { db } = await ctx.database();
    const started = Date.now();
    const result = await rescore({ db, config: ctx.config(), logger: ctx.logger }, { all: true });
    if (result.skipped) {
      ctx.stderr.write('another radar process is rescoring right now; try again when it is done\n');
      return 1;
    }
    ctx.stdout.write(
      `rescored ${result.items} items (${result.scoresChanged} scores changed) into ${result.stories} stories (${result.itemsRegrouped} items regrouped) in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
    );
    return 0;
  },
});
