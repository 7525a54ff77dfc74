import { displayPath } from '../../config/load.js';
import { addRepo, removeRepo } from '../../config/watchlist.js';
import { SOURCE_NAMES, type SourceName } from '../../domain/source.js';
import { UsageError } from '../../lib/errors.js';
import { formatTable, jsonOutput } from '../../lib/terminal.js';
import { defineCommand } from '../command.js';

export const reposCommand = defineCommand({
  name: 'repos',
  summary: 'show or edit the watch list (in the config file itself)',
  usage: 'repos list [--json] | repos add OWNER/NAME --project NAME [--sources pulls,issues,releases] | repos remove OWNER/NAME',
  help: `The watch list lives in the config file (RADAR_CONFIG, default config/radar.yaml);
add and remove edit that file in place, changing only the lines of the repo added or removed (an
add then a remove leaves the file as it was), and refuse any edit that would make it invalid.

  repos list                 every watched repo with its project, sources and schedules
  repos add o/r --project P  watch o/r in project P (created if new); --sources defaults to pulls,releases
  repos remove o/r           stop watching o/r (its stored items stay)`,
  options: {
    project: { type: 'string' },
    sources: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 1, max: 2 },
  run: async (ctx, { values, positionals }) => {
    const [action, repo] = positionals;
    const file = ctx.env.configFile;
    switch (action) {
      case 'list': {
        const config = ctx.config();
        if (values.json) {
          ctx.stdout.write(
            `${jsonOutput(config.repos.map((r) => ({ repo: r.repo, project: r.project, sources: r.sources, schedule: r.schedule })))}\n`,
          );
          return 0;
        }
        const rows = config.repos.map((r) => [
          r.project,
          r.repo,
          r.sources.join(', '),
          r.sources.map((s) => `${s}: ${r.schedule[s]}`).join('; '),
        ]);
        ctx.stdout.write(`${formatTable(['project', 'repo', 'sources', 'schedule'], rows, 90)}\n`);
        ctx.stdout.write(`${config.repos.length} repos in ${displayPath(config.file)}\n`);
        return 0;
      }
      case 'add': {
        if (!repo) throw new UsageError('radar repos add: missing OWNER/NAME');
        if (!values.project) throw new UsageError('radar repos add: --project is required (an existing or a new project)');
        const sources = (values.sources ?? 'pulls,releases')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        for (const s of sources) {
          if (!(SOURCE_NAMES as readonly string[]).includes(s))
            throw new UsageError(`--sources: "${s}" is not a source (expected one of ${SOURCE_NAMES.join(', ')})`);
        }
        const change = addRepo(file, { repo, project: values.project, sources: sources as SourceName[] });
        ctx.stdout.write(`${change.summary} in ${displayPath(file)}\n`);
        return 0;
      }
      case 'remove': {
        if (!repo) throw new UsageError('radar repos remove: missing OWNER/NAME');
        const change = removeRepo(file, repo);
        ctx.stdout.write(`${change.summary} in ${displayPath(file)}\n`);
        return 0;
      }
      default:
        throw new UsageError(`radar repos: unknown action "${action}" (expected list, add or remove)`);
    }
  },
});
