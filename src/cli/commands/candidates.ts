import type { Candidate } from '../../domain/candidate.js';
import { candidateJson } from '../../domain/candidate.js';
import { ITEM_KINDS, type ItemKind } from '../../domain/source.js';
import { listCandidates, resolvePeriod } from '../../editorial/candidates.js';
import { UsageError } from '../../lib/errors.js';
import { clip, jsonOutput, terminalSafe } from '../../lib/terminal.js';
import { formatDay } from '../../lib/time.js';
import { defineCommand, positiveInt } from '../command.js';

export const candidatesCommand = defineCommand({
  name: 'candidates',
  database: 'shared',
  summary: "the period's candidate list, best first, with scores and reasons",
  usage:
    'candidates [--week 2019-W20 | --from ISO --to ISO] [--project NAME] [--kind K]... [--min-score X] [--per-project N] [--limit N] [--all] [--explain] [--json]',
  help: `Lists the upstream changes of a week (ISO week, default: the current one) or of a range, as
stories (a KEP with its tracking issue and pull requests, a change with its cherry-picks) ordered
by score. Items of the preceding weeks that were neither featured nor dismissed carry over,
losing points per week (scoring.carryOverWeeks). Items already promoted, dismissed or snoozed,
or featured in a published issue (unless something new happened since), are hidden.

A week's list is read from the scores the scoring pass stores (it runs after every poll); while
it has items left to score (after a weight change, say), they show their last stored score and
a note on stderr says how many wait. A range that is not an ISO week is scored as it is read.

  --week YYYY-Www   an ISO week, Monday 00:00 UTC to the next Monday
  --from/--to ISO   an explicit range [from, to)
  --project NAME    one project of the config
  --kind K          pull, kep, release or issue (repeatable)
  --min-score X     stories scoring at least X
  --per-project N   the best N stories of each project (table default: scoring.perProject; --json: all)
  --limit N         at most N items in all, after the per-project cut (default: no overall limit)
  --all             include decided and featured items
  --explain         show every reason: signal, what was seen, points
  --json            one JSON array on stdout (the contract in DESIGN.md), best stories first`,
  options: {
    week: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    project: { type: 'string' },
    kind: { type: 'string', multiple: true },
    'min-score': { type: 'string' },
    'per-project': { type: 'string' },
    limit: { type: 'string' },
    all: { type: 'boolean' },
    explain: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  run: async (ctx, { values }) => {
    const period = resolvePeriod(values, ctx.clock);
    const kinds = values.kind?.map((k): ItemKind => {
      if (!(ITEM_KINDS as readonly string[]).includes(k))
        throw new UsageError(`--kind: "${k}" is not a kind (expected one of ${ITEM_KINDS.join(', ')})`);
      return k as ItemKind;
    });
    const minScore = values['min-score'] === undefined ? undefined : Number(values['min-score']);
    if (minScore !== undefined && Number.isNaN(minScore))
      throw new UsageError(`--min-score: "${values['min-score']}" is not a number`);
    const config = ctx.config();
    if (values.project && !config.projects.some((p) => p.name.toLowerCase() === values.project?.toLowerCase())) {
      throw new UsageError(
        `--project: "${values.project}" is not a project of the config (${config.projects.map((p) => p.name).join(', ')})`,
      );
    }
    // --json is for programs: every candidate unless a cut is asked for (an overall cap would let
    // a busy project fill it and a quiet one vanish); the table shows each project's best.
    const perProject =
      positiveInt(values['per-project'], '--per-project') ?? (values.json ? undefined : config.scoring.perProject);
    const limit = positiveInt(values.limit, '--limit');
    const { db } = await ctx.database();
    const list = await listCandidates(db, config, {
      period,
      project: values.project,
      kinds,
      minScore,
      perProject,
      limit,
      includeDecided: values.all ?? false,
    });
    if (list.pendingScores > 0)
      ctx.stderr.write(
        `note: ${list.pendingScores} items wait for the scoring pass and show their last stored score (radar rescore, or the next poll, scores them)\n`,
      );
    if (values.json) {
      ctx.stdout.write(`${jsonOutput(list.items.map(candidateJson))}\n`);
      return 0;
    }
    const projects = [...config.projects.map((p) => p.name), ...new Set(list.stories.map((s) => s.project))];
    const listed = new Set(list.items.map((i) => i.id));
    let printed = 0;
    for (const project of [...new Set(projects)]) {
      const stories = list.stories.filter((s) => s.project === project && s.items.some((i) => listed.has(i.id)));
      if (stories.length === 0) continue;
      ctx.stdout.write(`\n${terminalSafe(project)}\n`);
      stories.forEach((story, index) => {
        story.items
          .filter((i) => listed.has(i.id))
          .forEach((item, position) => {
            const rank = position === 0 ? `${String(index + 1).padStart(2)}.` : '   ';
            const score = position === 0 ? story.score.toFixed(1).padStart(6) : ' '.repeat(6);
            ctx.stdout.write(`${rank}${score}  ${line(item)}\n`);
            if (values.explain) for (const reason of item.reasons) ctx.stdout.write(`              ${explainLine(reason)}\n`);
            printed += 1;
          });
      });
    }
    ctx.stdout.write(
      `\n${printed} items in ${list.stories.length} stories, ${period.from.toISOString().slice(0, 10)} to ${period.to.toISOString().slice(0, 10)}${values.explain ? '' : ' (--explain for the reasons)'}\n`,
    );
    return 0;
  },
});

function line(item: Candidate): string {
  const ref =
    item.kind === 'release'
      ? (item.tag ?? '')
      : item.kind === 'kep'
        ? item.number
          ? `KEP-${item.number}`
          : 'KEP'
        : `#${item.number}`;
  const clipped = clip(terminalSafe(item.title), 72);
  return `[${item.id}] ${item.kind.padEnd(7)} ${terminalSafe(item.repo)} ${terminalSafe(ref)}  ${clipped}  (${formatDay(item.occurredAt)}, ${item.score?.toFixed(1) ?? '-'})`;
}

function explainLine(reason: Candidate['reasons'][number]): string {
  const sign = reason.contribution >= 0 ? '+' : '';
  const value = reason.value === true || reason.value === null ? '' : `: ${terminalSafe(String(reason.value))}`;
  return `${`${sign}${reason.contribution.toFixed(2)}`.padStart(7)}  ${reason.signal}${value}`;
}
