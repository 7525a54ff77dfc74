import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { render } from '../../digest/render.js';
import { LANGUAGES, type Language, RENDER_FORMATS, type RenderFormat } from '../../domain/digest.js';
import { resolvePeriod } from '../../editorial/candidates.js';
import { createIssue, type EditorialDeps, listIssues, renderable, reopen } from '../../editorial/issues.js';
import { publish } from '../../editorial/publish.js';
import { UsageError } from '../../lib/errors.js';
import { clip, formatTable, terminalLines, terminalSafe } from '../../lib/terminal.js';
import { formatDay, isoWeekOf } from '../../lib/time.js';
import { defineCommand, positiveInt } from '../command.js';
import type { CliContext } from '../context.js';

/** The editor acting: RADAR_EDITOR, else the OS user. */
export function editorOf(ctx: CliContext): string {
  if (ctx.env.editor) return ctx.env.editor;
  try {
    return userInfo().username || 'editor';
  } catch {
    return 'editor';
  }
}

export async function editorialDeps(ctx: CliContext): Promise<EditorialDeps> {
  const { db } = await ctx.database();
  return { db, config: ctx.config(), clock: ctx.clock, editor: editorOf(ctx) };
}

function volumeOf(value: string | undefined, usage: string): number {
  if (value === undefined) throw new UsageError(`missing the volume number\nusage: radar ${usage}`);
  return positiveInt(value, 'volume') as number;
}

function languageOf(value: string | undefined): Language | undefined {
  if (value === undefined) return undefined;
  if (!(LANGUAGES as readonly string[]).includes(value))
    throw new UsageError(`--lang: "${value}" is not a language (expected one of ${LANGUAGES.join(', ')})`);
  return value as Language;
}

const USAGE = `issue new --volume N [--title T] [--week YYYY-Www | --from ISO --to ISO]
       radar issue list | show N | render N [--format md|html] [--lang zh-CN|en] [--out FILE]
       radar issue publish N [--repo owner/name] [--allow-mentions] [--dry-run] | reopen N`;

export const issueCommand = defineCommand({
  name: 'issue',
  database: 'shared',
  summary: 'digest issues: new, list, show, render, publish, reopen',
  usage: USAGE,
  help: `Digest issues ("Vol. 12") are drafts the editor fills with radar promote and radar entry, then
renders and publishes.

  issue new --volume N [--title T] [--week W | --from/--to]   a draft for a week (default: the current one)
  issue list                       every issue with its status
  issue show N                     its sections and entries (with entry ids for radar entry)
  issue render N [--format md|html] [--lang zh-CN|en] [--out FILE]   the issue, on stdout or into FILE
  issue publish N [--repo o/r] [--allow-mentions] [--dry-run]   create the GitHub issue, or update the
                                   one created before; the issue becomes read-only (--dry-run prints the
                                   request instead). @-mentions in what editors wrote are broken (they
                                   read the same and notify nobody) unless --allow-mentions
  issue reopen N                   make a published issue editable again (its GitHub issue is kept)

The title defaults to digest.title of the config ({volume} replaced) in the rendering language.`,
  options: {
    volume: { type: 'string' },
    title: { type: 'string' },
    week: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    format: { type: 'string' },
    lang: { type: 'string' },
    repo: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'allow-mentions': { type: 'boolean' },
    out: { type: 'string' },
  },
  positionals: { min: 1, max: 2 },
  run: async (ctx, { values, positionals }) => {
    const [action, volumeText] = positionals;
    switch (action) {
      case 'new': {
        const volume = volumeOf(values.volume ?? volumeText, USAGE);
        const period = resolvePeriod(values, ctx.clock);
        const issue = await createIssue(await editorialDeps(ctx), { volume, title: values.title, period });
        ctx.stdout.write(
          `created draft issue ${issue.volume} for ${formatDay(issue.periodFrom)} .. ${formatDay(new Date(issue.periodTo.getTime() - 1))} (${isoWeekOf(issue.periodFrom)})\n`,
        );
        return 0;
      }
      case 'list': {
        const { db } = await ctx.database();
        const issues = await listIssues(db);
        const rows = issues.map((i) => [
          i.volume,
          i.status,
          formatDay(i.periodFrom),
          formatDay(new Date(i.periodTo.getTime() - 1)),
          i.title || '(config title)',
          i.publishedUrl ?? '',
        ]);
        ctx.stdout.write(`${formatTable(['volume', 'status', 'from', 'to', 'title', 'published'], rows, 70)}\n`);
        return 0;
      }
      case 'show': {
        const volume = volumeOf(volumeText ?? values.volume, USAGE);
        const { db } = await ctx.database();
        const config = ctx.config();
        const language = languageOf(values.lang) ?? config.digest.language;
        const { issue, renderable: view, entries } = await renderable(db, config, volume, language);
        ctx.stdout.write(
          `${terminalSafe(view.title)}  [${issue.status}]  ${formatDay(issue.periodFrom)} .. ${formatDay(new Date(issue.periodTo.getTime() - 1))}${issue.publishedUrl ? `  ${issue.publishedUrl}` : ''}\n`,
        );
        const print = (section: (typeof view.sections)[number], depth: number) => {
          ctx.stdout.write(`${'  '.repeat(depth)}${depth === 0 ? '##' : '###'} ${terminalSafe(section.title)} (${section.id})\n`);
          for (const e of section.entries) {
            const row = entries.find((r) => r.id === e.id);
            ctx.stdout.write(
              `${'  '.repeat(depth + 1)}${e.position}. [entry ${e.id}] ${terminalSafe(e.title.text)}${row?.itemId ? `  (item ${row.itemId}${row.storyId ? `, story ${row.storyId}` : ''})` : ''}\n`,
            );
            if (e.blurb.text)
              ctx.stdout.write(
                `${'  '.repeat(depth + 2)}${clip(terminalSafe(e.blurb.text), 160)}${e.blurb.trusted ? '' : '  [draft]'}\n`,
              );
            for (const link of e.links)
              ctx.stdout.write(`${'  '.repeat(depth + 2)}- ${terminalSafe(link.label)} ${terminalSafe(link.url)}\n`);
          }
          for (const child of section.sections) print(child, depth + 1);
        };
        for (const section of view.sections) print(section, 0);
        ctx.stdout.write(`${entries.length} entries\n`);
        return 0;
      }
      case 'render': {
        const volume = volumeOf(volumeText ?? values.volume, USAGE);
        const format = (values.format ?? 'md') as RenderFormat;
        if (!(RENDER_FORMATS as readonly string[]).includes(format))
          throw new UsageError(`--format: "${values.format}" is not a format (expected md or html)`);
        const { db } = await ctx.database();
        const config = ctx.config();
        const { renderable: view } = await renderable(db, config, volume, languageOf(values.lang) ?? config.digest.language);
        const text = render(view, format);
        if (values.out === undefined) ctx.stdout.write(text);
        else {
          if (!values.out.trim()) throw new UsageError('--out: give a file name');
          try {
            writeFileSync(resolve(ctx.cwd, values.out), text);
          } catch (error) {
            throw new UsageError(
              `--out: cannot write ${values.out} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
            );
          }
          ctx.stderr.write(`wrote issue ${volume} (${format}) to ${values.out}\n`);
        }
        return 0;
      }
      case 'publish': {
        const volume = volumeOf(volumeText ?? values.volume, USAGE);
        const { db } = await ctx.database();
        const config = ctx.config();
        const result = await publish(
          { db, config, github: ctx.github(), clock: ctx.clock },
          {
            volume,
            repo: values.repo,
            dryRun: values['dry-run'],
            language: languageOf(values.lang),
            allowMentions: values['allow-mentions'],
            commandLine: true,
          },
        );
        if (result.action === 'dry-run') {
          ctx.stdout.write(
            `would send: ${result.request.method} ${result.request.path}\ntitle: ${terminalSafe(result.request.title)}\nlabels: ${terminalSafe(result.request.labels.join(', ')) || '(none)'}\n\n${terminalLines(result.request.body)}`,
          );
        } else {
          ctx.stdout.write(
            `${result.action} ${result.url} (issue ${volume} is now published and read-only; radar issue reopen ${volume} to edit; ${result.requests} GitHub request${result.requests === 1 ? '' : 's'})\n`,
          );
        }
        return 0;
      }
      case 'reopen': {
        const volume = volumeOf(volumeText ?? values.volume, USAGE);
        const issue = await reopen(await editorialDeps(ctx), volume);
        ctx.stdout.write(
          `issue ${issue.volume} is a draft again${issue.publishedUrl ? `; the next publish updates ${issue.publishedUrl}` : ''}\n`,
        );
        return 0;
      }
      default:
        throw new UsageError(
          `radar issue: unknown action "${terminalSafe(action ?? '')}" (expected new, list, show, render, publish or reopen)`,
        );
    }
  },
});
