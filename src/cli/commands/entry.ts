import { LANGUAGES, type Language } from '../../domain/digest.js';
import { addManualEntry, editEntry, moveEntry, removeEntry } from '../../editorial/issues.js';
import { UsageError } from '../../lib/errors.js';
import { terminalSafe } from '../../lib/terminal.js';
import { defineCommand, positiveInt } from '../command.js';
import { editorialDeps } from './issue.js';

const USAGE = `entry add --issue N --section S --url URL --title T [--blurb TEXT]
       radar entry edit E [--title T] [--blurb TEXT] [--url URL] [--lang zh-CN|en]
       radar entry move E [--section S] [--position P]
       radar entry remove E`;

export const entryCommand = defineCommand({
  name: 'entry',
  database: 'shared',
  summary: 'edit a digest issue: add a manual entry, edit, move or remove an entry',
  usage: USAGE,
  help: `Entries are numbered in radar issue show. What an editor writes (titles, blurbs) is kept as
written (Markdown) when rendered; text taken from GitHub is escaped.

  entry add --issue N --section S --url URL --title T [--blurb TEXT]   a link of your own (news, reading, projects)
  entry edit E [--title T] [--blurb TEXT] [--url URL]                   replace the drafted text
                                                  [--lang L]          ... in one language only (else in every one)
  entry move E [--section S] [--position P]                             reorder, or move to another section
  entry remove E`,
  options: {
    issue: { type: 'string' },
    section: { type: 'string' },
    url: { type: 'string' },
    title: { type: 'string' },
    blurb: { type: 'string' },
    lang: { type: 'string' },
    position: { type: 'string' },
  },
  positionals: { min: 1, max: 2 },
  run: async (ctx, { values, positionals }) => {
    const [action, idText] = positionals;
    const deps = await editorialDeps(ctx);
    const entryId = () => {
      if (!idText) throw new UsageError(`radar entry ${action}: missing the entry id\nusage: radar ${USAGE}`);
      return positiveInt(idText, 'E') as number;
    };
    switch (action) {
      case 'add': {
        if (!values.issue || !values.section || !values.url || !values.title) {
          throw new UsageError(`radar entry add: --issue, --section, --url and --title are required\nusage: radar ${USAGE}`);
        }
        const entry = await addManualEntry(deps, {
          volume: positiveInt(values.issue, '--issue') as number,
          section: values.section,
          url: values.url,
          title: values.title,
          blurb: values.blurb,
        });
        ctx.stdout.write(`entry ${entry.id} added to ${entry.section} #${entry.position}\n`);
        return 0;
      }
      case 'edit': {
        if (values.title === undefined && values.blurb === undefined && values.url === undefined)
          throw new UsageError('radar entry edit: give --title, --blurb or --url');
        const entry = await editEntry(deps, entryId(), {
          title: values.title,
          blurb: values.blurb,
          url: values.url,
          language: languageOf(values.lang),
        });
        ctx.stdout.write(`entry ${entry.id} updated: ${terminalSafe(entry.title ?? '')}\n`);
        return 0;
      }
      case 'move': {
        const position = values.position === undefined ? undefined : (positiveInt(values.position, '--position') as number);
        if (!values.section && position === undefined) throw new UsageError('radar entry move: give --section or --position');
        const entry = await moveEntry(deps, entryId(), { section: values.section, position });
        ctx.stdout.write(`entry ${entry.id} is now ${entry.section} #${entry.position}\n`);
        return 0;
      }
      case 'remove': {
        const id = entryId();
        await removeEntry(deps, id);
        ctx.stdout.write(`entry ${id} removed\n`);
        return 0;
      }
      default:
        throw new UsageError(`radar entry: unknown action "${terminalSafe(action ?? '')}" (expected add, edit, move or remove)`);
    }
  },
});

function languageOf(value: string | undefined): Language | undefined {
  if (value === undefined) return undefined;
  if (!(LANGUAGES as readonly string[]).includes(value))
    throw new UsageError(`--lang: "${terminalSafe(value)}" is not a language (expected one of ${LANGUAGES.join(', ')})`);
  return value as Language;
}
