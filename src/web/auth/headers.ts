import { createHash, randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { renderHtml } from '../../digest/render-html.js';

/**
 * Security headers on every answer. The Content-Security-Policy allows only this origin's
 * styles and scripts carrying the request's nonce: no inline script, no eval, no framing, no
 * form posted elsewhere. Text from GitHub is escaped where it is shown, and this is the second
 * line behind that.
 */
export function securityHeaders(): MiddlewareHandler<{ Variables: { nonce: string } }> {
  const preview = previewStyleHash();
  return async (c, next) => {
    const nonce = randomBytes(16).toString('base64');
    c.set('nonce', nonce);
    await next();
    c.header(
      'Content-Security-Policy',
      [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        // The HTML preview (an iframe's srcdoc, under this policy) keeps its own style.
        `style-src 'self' '${preview}'`,
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "frame-src 'self'",
        "base-uri 'none'",
      ].join('; '),
    );
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'same-origin');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    c.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}

/** The CSP hash of the style element of a rendered HTML issue (src/digest/render-html.ts). */
function previewStyleHash(): string {
  const html = renderHtml({
    volume: 1,
    title: 'x',
    language: 'en',
    period: { from: new Date(0), to: new Date(0) },
    sections: [],
  });
  const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  return `sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}`;
}
