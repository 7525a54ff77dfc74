import { decide, promote } from '../../editorial/issues.js';
import { UsageError } from '../../lib/errors.js';
import { terminalSafe } from '../../lib/terminal.js';
import { parseIsoInstant, parseIsoWeek } from '../../lib/time.js';
import { defineCommand, positiveInt } from '../command.js';
import { editorialDeps } from './issue.js';

function itemIdOf(value: string | undefined, usage: string): number {
  if (value === undefined) throw new UsageError(`missing the item id\nusage: radar ${usage}`);
  return positiveInt(value, 'ID') as number;
}

export const promoteCommand = defineCommand({
  name: 'promote',
  database: 'shared',
  summary: 'put a candidate (with its whole story) into a digest issue, with a drafted blurb',
  usage: 'promote ID --issue N [--section S] [--note TEXT] [--only]',
  help: `Adds item ID (an id from radar candidates) to digest issue N, together with the other items
of its story (a KEP with its pull requests, a change with its cherry-picks): one entry, linking
every artifact. The section defaults to the item's project subsection; give another by id
(news, upstream/knative, reading...) or project name. The blurb is drafted from the facts (what
changed, the KEP's transition, the release version, the size) unless --note gives yours; edit it
later with radar entry edit. The decision is recorded (who: RADAR_EDITOR, when, the item's
features) for radar tune.

  --only     this item alone, not its story`,
  options: { issue: { type: 'string' }, section: { type: 'string' }, note: { type: 'string' }, only: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  run: async (ctx, { values, positionals }) => {
    const usage = 'promote ID --issue N [--section S] [--note TEXT] [--only]';
    const itemId = itemIdOf(positionals[0], usage);
    if (!values.issue) throw new UsageError(`radar promote: --issue N is required\nusage: radar ${usage}`);
    const volume = positiveInt(values.issue, '--issue') as number;
    const entry = await promote(await editorialDeps(ctx), {
      itemId,
      volume,
      section: values.section,
      note: values.note,
      only: values.only,
    });
    ctx.stdout.write(
      `entry ${entry.id} in issue ${volume}, ${entry.section} #${entry.position}: ${terminalSafe(entry.title ?? '')} (${entry.links.length} link${entry.links.length === 1 ? '' : 's'})\n`,
    );
    return 0;
  },
});

export const dismissCommand = defineCommand({
  name: 'dismiss',
  database: 'shared',
  summary: 'leave a candidate out of the digest (recorded, hidden from later lists)',
  usage: 'dismiss ID [--reason TEXT] [--week YYYY-Www]',
  help: 'Records that the editor does not want item ID (for radar tune), and hides it from candidate lists (radar candidates --all shows it). radar restore ID undoes it.',
  options: { reason: { type: 'string' }, week: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: async (ctx, { values, positionals }) => {
    const itemId = itemIdOf(positionals[0], 'dismiss ID [--reason TEXT]');
    // Checked here so that the error names the flag (decide() checks it too, for other callers).
    if (values.week) parseIsoWeek(values.week, '--week');
    await decide(await editorialDeps(ctx), { itemId, action: 'dismiss', reason: values.reason, week: values.week });
    ctx.stdout.write(`dismissed item ${itemId}\n`);
    return 0;
  },
});

export const snoozeCommand = defineCommand({
  name: 'snooze',
  database: 'shared',
  summary: 'hide a candidate until a date',
  usage: 'snooze ID --until ISO [--reason TEXT]',
  help: 'Hides item ID from candidate lists of periods before --until; it comes back after.',
  options: { until: { type: 'string' }, reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: async (ctx, { values, positionals }) => {
    const itemId = itemIdOf(positionals[0], 'snooze ID --until ISO');
    if (!values.until) throw new UsageError('radar snooze: --until ISO is required');
    const until = parseIsoInstant(values.until, '--until');
    await decide(await editorialDeps(ctx), { itemId, action: 'snooze', until, reason: values.reason });
    ctx.stdout.write(`snoozed item ${itemId} until ${until.toISOString()}\n`);
    return 0;
  },
});

export const restoreCommand = defineCommand({
  name: 'restore',
  database: 'shared',
  summary: 'undo a dismiss or snooze',
  usage: 'restore ID',
  help: 'Makes item ID a candidate again.',
  options: {},
  positionals: { min: 1, max: 1 },
  run: async (ctx, { positionals }) => {
    const itemId = itemIdOf(positionals[0], 'restore ID');
    await decide(await editorialDeps(ctx), { itemId, action: 'restore' });
    ctx.stdout.write(`item ${itemId} is a candidate again\n`);
    return 0;
  },
});
