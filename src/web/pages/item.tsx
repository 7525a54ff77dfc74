import type { FC } from 'hono/jsx';
import type { Principal } from '../../domain/access.js';
import type { itemDetail } from '../../editorial/items.js';
import { day, Kind, Layout, safeHref } from './layout.js';
import { Reasons } from './week.js';

/** Everything stored about one item: facts, its timeline, its story, and what editors did. */
export interface ItemView {
  nonce: string;
  principal: Principal;
  csrfToken: string;
  item: Awaited<ReturnType<typeof itemDetail>>;
}

export const ItemPage: FC<ItemView> = ({ nonce, principal, csrfToken, item }) => (
  <Layout title={item.title} nonce={nonce} principal={principal} csrfToken={csrfToken} page="item">
    <p class="muted">
      <a href={`/week?week=${item.week}`}>{`← ${item.week}`}</a>
    </p>
    <h1>
      <Kind kind={item.kind} /> {item.title}
    </h1>
    <p class="meta muted">
      {`${item.repo}${item.number !== null ? ` #${item.number}` : item.tag ? ` ${item.tag}` : ''} · ${item.state} · ${day(item.occurred_at)}`}
      {item.author ? ` · ${item.author}` : ''}
      {safeHref(item.url) ? (
        <>
          {' · '}
          <a href={safeHref(item.url)} rel="noopener noreferrer" target="_blank">
            open on GitHub
          </a>
        </>
      ) : null}
    </p>
    {item.labels.length > 0 ? (
      <p>
        {item.labels.map((l) => (
          <>
            <span class="badge state">{l}</span>{' '}
          </>
        ))}
      </p>
    ) : null}
    <h2>{`Score for ${item.week}`}</h2>
    <Reasons score={item.score} reasons={item.reasons} />

    <h2>Story</h2>
    {item.story.items.length <= 1 ? (
      <p class="muted">On its own: no related item found.</p>
    ) : (
      <table class="grid">
        <tr>
          <th>kind</th>
          <th>item</th>
          <th>date</th>
        </tr>
        {item.story.items.map((s) => (
          <tr>
            <td>
              <Kind kind={s.kind} />
            </td>
            <td>
              {s.id === item.id ? <strong>{s.title}</strong> : <a href={`/items/${s.id}`}>{s.title}</a>}
              <div class="faint">{`${s.repo}${s.number !== null ? ` #${s.number}` : s.tag ? ` ${s.tag}` : ''}`}</div>
            </td>
            <td>{day(s.occurred_at)}</td>
          </tr>
        ))}
      </table>
    )}

    <h2>Timeline</h2>
    {item.events.length === 0 ? (
      <p class="muted">No event recorded.</p>
    ) : (
      <ul class="timeline">
        {item.events.map((e) => (
          <li>
            <span class="mono">{day(e.occurred_at)}</span> <strong>{e.type}</strong>
            {e.from || e.to ? ` ${e.from ?? '∅'} → ${e.to ?? '∅'}` : ''}
            {e.commit_sha ? <span class="faint mono">{` ${e.commit_sha.slice(0, 10)}`}</span> : null}
          </li>
        ))}
      </ul>
    )}

    <h2>Decisions</h2>
    {item.decisions.length === 0 ? (
      <p class="muted">None yet.</p>
    ) : (
      <table class="grid">
        <tr>
          <th>when</th>
          <th>what</th>
          <th>who</th>
          <th>why</th>
        </tr>
        {item.decisions.map((d) => (
          <tr>
            <td class="mono">{d.created_at.slice(0, 16).replace('T', ' ')}</td>
            <td>{`${d.action}${d.issue ? ` into Vol. ${d.issue}` : ''}${d.until ? ` until ${day(d.until)}` : ''}`}</td>
            <td>{d.editor}</td>
            <td>{d.reason ?? ''}</td>
          </tr>
        ))}
      </table>
    )}

    <h2>Stored facts</h2>
    <pre class="facts">{JSON.stringify(item.details, null, 2)}</pre>
  </Layout>
);
