import type { FC } from 'hono/jsx';
import type { WatchedRepo } from '../../config/config.js';
import type { Principal } from '../../domain/access.js';
import type { RunSummary } from '../../domain/run.js';
import type { QuotaRow } from '../../github/budget.js';
import { compactUtc } from '../../lib/time.js';
import { Layout } from './layout.js';

/**
 * For maintainers: what is watched (read from the config file, which stays the source of truth)
 * and how each repo+source's last run went, with what it cost of GitHub's budget.
 */
export interface HealthView {
  nonce: string;
  principal: Principal;
  csrfToken: string;
  configFile: string;
  repos: WatchedRepo[];
  /** The latest run of each repo and source label. */
  runs: RunSummary[];
  /** The rate limit GitHub reported last, and when. */
  rateLimit: { remaining: number; at: Date } | null;
  /** What each credential has left, as any radar process last saw it. */
  budget: QuotaRow[];
  now: Date;
}

export const HealthPage: FC<HealthView> = (view) => {
  const runsOf = (repo: string) => view.runs.filter((r) => r.repo.toLowerCase() === repo.toLowerCase());
  return (
    <Layout
      title="Watch list & health"
      nonce={view.nonce}
      principal={view.principal}
      csrfToken={view.csrfToken}
      here="health"
      page="health"
    >
      <h1>Watch list &amp; health</h1>
      <p class="muted">
        {`${view.repos.length} repos watched, from ${view.configFile} (edit it, or use radar repos add|remove). `}
        {view.rateLimit
          ? `GitHub rate limit remaining: ${view.rateLimit.remaining} (reported ${compactUtc(view.rateLimit.at)} UTC).`
          : 'No rate limit reported yet.'}
      </p>
      <table class="grid">
        <tr>
          <th>project</th>
          <th>repo</th>
          <th>source</th>
          <th>schedule</th>
          <th>last run</th>
          <th>status</th>
          <th class="n">new</th>
          <th class="n">updated</th>
          <th class="n">requests</th>
          <th class="n">304s</th>
          <th class="n">points</th>
          <th>error</th>
        </tr>
        {view.repos.flatMap((repo) => {
          const runs = runsOf(repo.repo);
          return repo.sources.map((source) => {
            const run = runs.find((r) => r.source.split('+').includes(source) || r.source.startsWith(`${source}:`));
            return (
              <tr>
                <td>{repo.project}</td>
                <td>{repo.repo}</td>
                <td>{source}</td>
                <td class="mono">{repo.schedule[source]}</td>
                <td class="mono">{run ? compactUtc(run.startedAt) : 'never'}</td>
                <td class={run ? `status-${run.status}` : 'faint'}>{run ? run.status : '—'}</td>
                <td class="n">{run?.itemsNew ?? ''}</td>
                <td class="n">{run?.itemsUpdated ?? ''}</td>
                <td class="n">{run?.requests ?? ''}</td>
                <td class="n">{run?.notModified ?? ''}</td>
                <td class="n">{run?.graphqlPoints ?? ''}</td>
                <td>{run?.error ?? ''}</td>
              </tr>
            );
          });
        })}
      </table>
      <h2>GitHub budget</h2>
      {view.budget.length === 0 ? (
        <p class="muted">No credential has reported its rate limit yet.</p>
      ) : (
        <table class="grid">
          <tr>
            <th>credential</th>
            <th>resource</th>
            <th class="n">remaining</th>
            <th class="n">limit</th>
            <th>resets (UTC)</th>
            <th>reported (UTC)</th>
          </tr>
          {view.budget.map((q) => {
            const reset = q.resetAt <= view.now;
            return (
              <tr>
                <td class="mono">{q.credential}</td>
                <td>{q.resource}</td>
                <td class={!reset && q.remaining === 0 ? 'n status-failed' : 'n'}>{reset ? q.limit : q.remaining}</td>
                <td class="n">{q.limit}</td>
                <td class="mono">{reset ? 'reset' : compactUtc(q.resetAt)}</td>
                <td class="mono">{compactUtc(q.observedAt)}</td>
              </tr>
            );
          })}
        </table>
      )}
    </Layout>
  );
};
