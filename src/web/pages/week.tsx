import type { FC } from 'hono/jsx';
import type { Principal } from '../../domain/access.js';
import type { Candidate, ScoreReason } from '../../domain/candidate.js';
import { ITEM_KINDS } from '../../domain/source.js';
import type { CandidateStory } from '../../editorial/candidates.js';
import { day, Kind, Layout, safeHref } from './layout.js';

/**
 * The week's candidates, grouped by project and story, best first, for review with the keyboard
 * (src/web/static/app.js): every item row carries what the script needs in data attributes.
 */

export interface WeekView {
  nonce: string;
  principal: Principal;
  csrfToken: string;
  /** "2019-W25", or null for an explicit range. */
  week: string | null;
  previousWeek: string | null;
  nextWeek: string | null;
  from: Date;
  to: Date;
  filters: { project: string; kind: string; minScore: string; decided: boolean };
  projects: string[];
  issues: Array<{ volume: number; title: string; from: Date; to: Date }>;
  currentIssue: number | null;
  stories: CandidateStory[];
  /** Items waiting for the scoring pass, shown with their last stored score meanwhile. */
  pendingScores: number;
  /** What editors already did: promoted, dismissed, snoozed, in a draft, featured. */
  states: Map<number, string>;
}

export const WeekPage: FC<WeekView> = (view) => {
  const byProject = new Map<string, CandidateStory[]>();
  for (const story of view.stories) byProject.set(story.project, [...(byProject.get(story.project) ?? []), story]);
  const count = view.stories.reduce((n, s) => n + s.items.length, 0);
  return (
    <Layout
      title={view.week ?? 'Candidates'}
      nonce={view.nonce}
      principal={view.principal}
      csrfToken={view.csrfToken}
      here="week"
      page="week"
    >
      <form class="filters" method="get" action="/week" id="filters">
        {view.previousWeek ? (
          <a class="button" href={`/week?week=${view.previousWeek}`} title="previous week">
            ←
          </a>
        ) : null}
        <input type="week" name="week" value={view.week ?? ''} aria-label="week" />
        {view.nextWeek ? (
          <a class="button" href={`/week?week=${view.nextWeek}`} title="next week">
            →
          </a>
        ) : null}
        <select name="project" aria-label="project">
          <option value="">all projects</option>
          {view.projects.map((p) => (
            <option value={p} selected={p === view.filters.project}>
              {p}
            </option>
          ))}
        </select>
        <select name="kind" aria-label="kind">
          <option value="">all kinds</option>
          {ITEM_KINDS.map((k) => (
            <option value={k} selected={k === view.filters.kind}>
              {k}
            </option>
          ))}
        </select>
        <label>
          min score <input name="min" type="number" step="0.5" value={view.filters.minScore} class="narrow" />
        </label>
        <label>
          <input type="checkbox" name="decided" value="1" checked={view.filters.decided} /> decided too
        </label>
        <button type="submit">Show</button>
        <span class="spacer" />
        <label>
          promote into{' '}
          <select id="current-issue" aria-label="current issue">
            {view.issues.length === 0 ? <option value="">no draft issue</option> : null}
            {view.issues.map((i) => (
              <option value={String(i.volume)} selected={i.volume === view.currentIssue}>
                {`Vol. ${i.volume} (${day(i.from)} – ${day(new Date(i.to.getTime() - 1))})`}
              </option>
            ))}
          </select>
        </label>
        <button type="button" id="show-help" title="keyboard shortcuts">
          ?
        </button>
      </form>
      <p class="muted" id="summary" data-to={view.to.toISOString()}>
        {`${count} candidates in ${view.stories.length} stories, ${day(view.from)} to ${day(new Date(view.to.getTime() - 1))}.`}{' '}
        <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>p</kbd> promote, <kbd>d</kbd> dismiss, <kbd>s</kbd> snooze, <kbd>u</kbd> undo,{' '}
        <kbd>?</kbd> all keys.
      </p>
      {view.pendingScores > 0 ? (
        <p class="notice" id="pending-scores">
          {`Scoring in progress: ${view.pendingScores} items wait for new scores and show their last ones; reload in a moment.`}
        </p>
      ) : null}
      {view.issues.length === 0 ? (
        <p class="notice">
          No draft issue to promote into: <a href="/issues">create one</a> for this week.
        </p>
      ) : null}
      {[...byProject].map(([project, stories]) => (
        <section class="project">
          <h2>
            {project} <span class="faint">{stories.length}</span>
          </h2>
          <div class="stories">
            {stories.map((story, index) => (
              <div class="story" data-story={String(story.storyId ?? `item-${story.items[0]?.id}`)}>
                {story.items.map((item, i) => (
                  <ItemRow item={item} rank={i === 0 ? index + 1 : null} week={view.week} state={view.states.get(item.id)} />
                ))}
              </div>
            ))}
          </div>
        </section>
      ))}
      {view.stories.length === 0 ? <p class="notice">Nothing to review in this period with these filters.</p> : null}
      <HelpDialog />
    </Layout>
  );
};

const ItemRow: FC<{ item: Candidate; rank: number | null; week: string | null; state: string | undefined }> = ({
  item,
  rank,
  week,
  state,
}) => (
  <div
    class={`item${state ? ' decided' : ''}`}
    tabindex={-1}
    data-item={String(item.id)}
    data-url={safeHref(item.url) ?? ''}
    data-week={week ?? ''}
    data-state={state ?? ''}
  >
    <span class="rank">{rank === null ? '' : `${rank}.`}</span>
    <span class="score" title="story score">
      {rank === null ? '' : (item.storyScore ?? item.score ?? 0).toFixed(1)}
    </span>
    <div class="main">
      <div>
        <Kind kind={item.kind} />{' '}
        <a class="title" href={`/items/${item.id}`}>
          {item.title}
        </a>{' '}
        {state ? <span class="badge state">{state}</span> : null}
      </div>
      <div class="meta">
        <span>{`${item.repo}${item.number !== null ? ` #${item.number}` : item.tag ? ` ${item.tag}` : ''}`}</span>
        {item.author ? <span>{item.author}</span> : null}
        <span>{day(item.occurredAt)}</span>
        {safeHref(item.url) ? (
          <a href={safeHref(item.url)} rel="noopener noreferrer" target="_blank">
            GitHub
          </a>
        ) : null}
        <Reasons score={item.score} reasons={item.reasons} />
      </div>
    </div>
    <span class="actions">
      <button type="button" data-action="promote" title="promote (p)">
        Promote
      </button>
      <button type="button" data-action="dismiss" title="dismiss (d)">
        Dismiss
      </button>
    </span>
  </div>
);

export const Reasons: FC<{ score: number | null; reasons: ScoreReason[] }> = ({ score, reasons }) => (
  <details class="reasons">
    <summary>{`score ${(score ?? 0).toFixed(2)}: why`}</summary>
    <table>
      {reasons.map((r) => (
        <tr>
          <td
            class={`n ${r.contribution >= 0 ? 'plus' : 'minus'}`}
          >{`${r.contribution >= 0 ? '+' : ''}${r.contribution.toFixed(2)}`}</td>
          <td class="mono">{r.signal}</td>
          <td>{r.value === null || r.value === true ? '' : String(r.value)}</td>
        </tr>
      ))}
    </table>
  </details>
);

const HelpDialog: FC = () => (
  <div class="overlay" id="help" hidden>
    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title">
      <h2 id="help-title">Keyboard</h2>
      <table>
        {(
          [
            ['j / k', 'next / previous candidate'],
            ['o', 'open on GitHub'],
            ['Enter', 'open its details'],
            ['p', 'promote into the current issue (its whole story)'],
            ['d', 'dismiss'],
            ['s', 'snooze for a week'],
            ['u', 'undo the last decision'],
            ['x', 'select for a batch: p, d and s then act on every selected'],
            ['r', 'show or hide the reasons'],
            ['?', 'this help; Esc closes it'],
          ] as const
        ).map(([key, what]) => (
          <tr>
            <td>
              <kbd>{key}</kbd>
            </td>
            <td>{what}</td>
          </tr>
        ))}
      </table>
      <p>
        <button type="button" id="close-help">
          Close
        </button>
      </p>
    </div>
  </div>
);
