import type { MiddlewareHandler } from 'hono';
import { dropHiddenControls } from '../lib/hidden-controls.js';

/**
 * Every HTML page without bidi and other hidden controls (lib/hidden-controls.ts): a title from
 * GitHub with U+202E in it would otherwise read backwards on the week page, in an item's facts
 * or in an entry's input. JSX escapes markup but lets those characters through, so they are
 * dropped from the whole page once it is rendered: no page, attribute or field can forget, and
 * dropping a character creates no markup (text in the page is escaped already). A field shows
 * the text without them, and an edit saves it so.
 */
export function visibleTextOnly(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!(c.res.headers.get('content-type') ?? '').toLowerCase().startsWith('text/html')) return;
    const page = await c.res.text();
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    const cleaned = new Response(dropHiddenControls(page), { status: c.res.status, statusText: c.res.statusText, headers });
    // Assigning over a response merges the old one's headers (its length too): start afresh.
    c.res = undefined;
    c.res = cleaned;
  };
}
