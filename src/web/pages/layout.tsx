import type { Child, FC } from 'hono/jsx';
import type { Principal } from '../../domain/access.js';

/**
 * The frame of every page: top bar, navigation, and the one script. Everything shown is escaped
 * by JSX; the CSRF token travels in a meta tag for the script's requests, and the script runs
 * under the page's CSP nonce.
 */
export interface PageProps {
  title: string;
  nonce: string;
  principal?: Principal | undefined;
  csrfToken?: string | undefined;
  /** Which navigation entry is the current page. */
  here?: 'week' | 'issues' | 'health' | undefined;
  /** What the script sets up on this page. */
  page: string;
  children?: Child;
}

export const Layout: FC<PageProps> = ({ title, nonce, principal, csrfToken, here, page, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      {csrfToken ? <meta name="csrf-token" content={csrfToken} /> : null}
      <title>{`${title} · radar`}</title>
      <link rel="stylesheet" href="/static/app.css" />
      <script src="/static/app.js" nonce={nonce} defer />
    </head>
    <body data-page={page}>
      <header class="top">
        <a class="brand" href="/">
          radar
        </a>
        {principal ? (
          <nav>
            <a href="/week" class={here === 'week' ? 'here' : ''}>
              This week
            </a>
            <a href="/issues" class={here === 'issues' ? 'here' : ''}>
              Issues
            </a>
            {principal.role === 'maintainer' ? (
              <a href="/health" class={here === 'health' ? 'here' : ''}>
                Watch list &amp; health
              </a>
            ) : null}
          </nav>
        ) : null}
        {principal ? (
          <div class="who">
            <span>
              {principal.name} <span class="faint">({principal.role})</span>
            </span>
            <form method="post" action="/logout">
              <input type="hidden" name="_csrf" value={csrfToken ?? ''} />
              <button type="submit" class="link">
                Sign out
              </button>
            </form>
          </div>
        ) : null}
      </header>
      <main>{children}</main>
      <div class="toast" id="toast" hidden role="status" aria-live="polite" />
    </body>
  </html>
);

export const Kind: FC<{ kind: string }> = ({ kind }) => <span class={`badge ${kind}`}>{kind}</span>;

/** "2019-06-18" in UTC. */
export function day(date: Date | string | null | undefined): string {
  if (!date) return '';
  return (typeof date === 'string' ? new Date(date) : date).toISOString().slice(0, 10);
}

/** Only http(s) links are links: a `javascript:` URL from GitHub text never becomes one. */
export function safeHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : undefined;
  } catch {
    return undefined;
  }
}
