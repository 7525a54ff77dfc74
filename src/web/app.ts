import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config/config.js';
import { allows, type Principal, type Role } from '../domain/access.js';
import type { GitHub } from '../github/client.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { packageRoot } from '../lib/paths.js';
import { randomId } from '../lib/secrets.js';
import type { Db } from '../store/db.js';
import { createApi } from './api.js';
import {
  type AccountsDeps,
  checkPassword,
  closeSession,
  openSession,
  SESSION_COOKIE,
  sessionAccount,
  tokenAccount,
} from './auth/accounts.js';
import { csrfProblem, SAFE_METHODS } from './auth/csrf.js';
import { securityHeaders } from './auth/headers.js';
import { createThrottle, type Throttle } from './auth/throttle.js';
import { errorResponse } from './errors.js';
import { probeRoutes } from './probes.js';
import { pageRoutes } from './routes.js';
import { visibleTextOnly } from './visible-text.js';

/**
 * The web app `radar serve` runs: the editor's pages and the JSON API, behind sign-in.
 *
 * - Every request is identified: a bearer token (Authorization: Bearer, the config's tokens
 *   or RADAR_API_TOKEN) or a session cookie (HttpOnly, SameSite=Lax, Secure behind TLS, stored
 *   in the database). Nothing but `/login`, `/static/*`, `/api/health` and the probes
 *   (`/livez`, `/readyz`, `/metrics`, src/web/probes.ts) answers without one:
 *   pages redirect to the sign-in page, the API answers 401.
 * - State-changing requests with a session cookie are checked for CSRF (src/web/auth/csrf.ts).
 * - The editor a decision records is the signed-in account, never a header.
 * - Bodies are limited to 1 MiB; answers carry a strict CSP with a nonce and the usual headers.
 */

export interface WebDeps {
  db: Db;
  config: Config;
  clock: Clock;
  logger: Logger;
  github: () => GitHub;
  /** RADAR_API_TOKEN, if set. */
  apiToken?: string | undefined;
  /** Sign-in attempts (one per app unless a test gives its own). */
  throttle?: Throttle;
  /** RADAR_METRICS_TOKEN, if set: /metrics then needs it (src/web/probes.ts). */
  metricsToken?: string | undefined;
  /** Further routes mounted before sign-in is required (the CLI bridge, with its own token). */
  unauthenticated?: Hono;
}

export type WebEnv = {
  Variables: {
    nonce: string;
    principal: Principal | undefined;
    csrfToken: string | undefined;
  };
};

const BODY_LIMIT = 1024 * 1024;
const LOGIN_COOKIE = 'radar_login';
const STATIC_FILES: Record<string, string> = { 'app.css': 'text/css; charset=utf-8', 'app.js': 'text/javascript; charset=utf-8' };

export function createApp(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const accounts: AccountsDeps = { db: deps.db, config: deps.config, clock: deps.clock, apiToken: deps.apiToken };
  const throttle = deps.throttle ?? createThrottle();

  app.onError((error, c) => errorResponse(error, c, deps.logger, wantsPage(c)));
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));

  app.use('*', securityHeaders());
  // A week of 2,000 candidates is a few MB of HTML; gzip makes it a few hundred KB.
  app.use('*', compress());
  // Inside compress: pages are cleaned before they are compressed.
  app.use('*', visibleTextOnly());
  app.use(
    '*',
    bodyLimit({
      maxSize: BODY_LIMIT,
      onError: (c) => c.json({ error: `body: larger than the ${BODY_LIMIT / 1024} KiB limit` }, 413),
    }),
  );

  const staticDir = join(packageRoot(), 'src/web/static');
  const assets = new Map(Object.keys(STATIC_FILES).map((name) => [name, readFileSync(join(staticDir, name))]));
  app.get('/static/:file', (c) => {
    const name = c.req.param('file');
    const body = assets.get(name);
    if (!body) return c.json({ error: `no file ${name}` }, 404);
    return c.body(body, 200, { 'content-type': STATIC_FILES[name] as string, 'cache-control': 'no-cache' });
  });
  app.get('/api/health', (c) => c.json({ ok: true }));
  // Probes and metrics: for orchestrators and Prometheus, which hold no account.
  app.route('/', probeRoutes({ db: deps.db, logger: deps.logger, metricsToken: deps.metricsToken }));
  app.get('/favicon.ico', (c) => c.body(null, 204));
  if (deps.unauthenticated) app.route('/', deps.unauthenticated);

  // Who is asking: a bearer token, else a session cookie.
  app.use('*', async (c, next) => {
    c.set('principal', undefined);
    c.set('csrfToken', undefined);
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      const principal = token ? tokenAccount(accounts, token) : undefined;
      if (!principal) return c.json({ error: 'authorization: unknown or malformed bearer token' }, 401);
      c.set('principal', principal);
      return next();
    }
    const secret = getCookie(c, SESSION_COOKIE);
    if (secret) {
      const signedIn = await sessionAccount(accounts, secret);
      if (signedIn) {
        c.set('principal', signedIn.principal);
        c.set('csrfToken', signedIn.session?.csrfToken);
      } else deleteCookie(c, SESSION_COOKIE, { path: '/' });
    }
    return next();
  });

  // A cookie must not let another site act: origin, content type and token are checked.
  app.use('*', async (c, next) => {
    const principal = c.get('principal');
    if (SAFE_METHODS.has(c.req.method) || c.req.path === '/login' || !principal || principal.via !== 'session') return next();
    const form = isForm(c) ? await c.req.parseBody() : undefined;
    const problem = csrfProblem(
      {
        method: c.req.method,
        url: ownUrl(c),
        origin: c.req.header('origin'),
        referer: c.req.header('referer'),
        contentType: c.req.header('content-type'),
        token: c.req.header('x-csrf-token') ?? (typeof form?._csrf === 'string' ? form._csrf : undefined),
      },
      c.get('csrfToken') ?? '',
    );
    if (problem) return c.json({ error: `refused: ${problem}` }, 403);
    return next();
  });

  app.get('/login', (c) => {
    if (c.get('principal')) return c.redirect(nextPath(c.req.query('next')));
    // One sign-in token per browser, kept across reloads and other tabs' visits.
    const existing = getCookie(c, LOGIN_COOKIE);
    const loginToken = existing && /^[\w-]{43}$/.test(existing) ? existing : randomId();
    setCookie(c, LOGIN_COOKIE, loginToken, cookieOptions(c, 600));
    return c.html(pageRoutes.login({ nonce: c.get('nonce'), loginToken, next: nextPath(c.req.query('next')) }));
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');
    const next = nextPath(field('next'));
    const again = (status: 400 | 403 | 429, error: string) => {
      const loginToken = randomId();
      setCookie(c, LOGIN_COOKIE, loginToken, cookieOptions(c, 600));
      return c.html(pageRoutes.login({ nonce: c.get('nonce'), loginToken, next, error, name: field('name') }), status);
    };
    // Login CSRF: the form's token must match the cookie set with the form, from this origin.
    const problem = csrfProblem(
      {
        method: 'POST',
        url: ownUrl(c),
        origin: c.req.header('origin'),
        referer: c.req.header('referer'),
        contentType: c.req.header('content-type'),
        token: field('_csrf'),
      },
      getCookie(c, LOGIN_COOKIE) ?? '',
    );
    if (problem) return again(403, 'The sign-in form expired or came from elsewhere: please sign in again.');
    const name = field('name').trim();
    const keys = [`name:${name.toLowerCase()}`, `address:${clientAddress(c)}`];
    const wait = throttle.waitFor(keys, deps.clock.now().getTime());
    if (wait > 0) {
      c.header('Retry-After', String(Math.ceil(wait / 1000)));
      return again(429, `Too many failed sign-ins: try again in ${Math.ceil(wait / 60_000)} minute(s).`);
    }
    const principal = name ? await checkPassword(accounts, name, field('password')) : undefined;
    if (!principal) {
      throttle.failed(keys, deps.clock.now().getTime());
      deps.logger.warn({ account: name.slice(0, 64), address: clientAddress(c) }, 'failed sign-in');
      return again(400, 'Unknown name or wrong password.');
    }
    throttle.succeeded([keys[0] as string]);
    const session = await openSession(accounts, principal, c.req.header('user-agent') ?? null);
    deleteCookie(c, LOGIN_COOKIE, { path: '/' });
    setCookie(c, SESSION_COOKIE, session.secret, cookieOptions(c, session.maxAgeSeconds));
    deps.logger.info({ account: principal.name, role: principal.role }, 'signed in');
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    const secret = getCookie(c, SESSION_COOKIE);
    if (secret) await closeSession(accounts, secret);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });

  // Everything below needs an account.
  app.use('/api/*', requireRole('editor', 'api'));
  app.route('/', createApi(deps));
  app.use('*', requireRole('editor', 'page'));
  app.route('/', pageRoutes.app({ ...deps, requireRole }));
  return app;
}

/** Refuses a request whose account lacks the role: 401/redirect without one, 403 with too little. */
export function requireRole(role: Role, kind: 'api' | 'page' = 'api'): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    if (!principal) {
      if (kind === 'page' && SAFE_METHODS.has(c.req.method))
        return c.redirect(`/login?next=${encodeURIComponent(c.req.path + new URL(c.req.url).search)}`);
      return c.json({ error: 'sign in first (a session, or Authorization: Bearer <token>)' }, 401);
    }
    if (!allows(principal.role, role)) return c.json({ error: `refused: this needs the ${role} role` }, 403);
    return next();
  };
}

function wantsPage(c: Context): boolean {
  return !c.req.path.startsWith('/api/') && (c.req.header('accept') ?? '').includes('text/html');
}

function isForm(c: Context): boolean {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  return type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
}

/** The URL as the browser addressed it: behind a TLS proxy, https. */
function ownUrl(c: Context): string {
  const url = new URL(c.req.url);
  if (c.req.header('x-forwarded-proto') === 'https') url.protocol = 'https:';
  return url.toString();
}

function cookieOptions(c: Context, maxAge: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax' as const,
    secure: new URL(ownUrl(c)).protocol === 'https:',
    maxAge,
  };
}

/** Where to go after signing in: only a path of this site. */
function nextPath(next: string | undefined): string {
  return next && /^\/(?![/\\])[\w\-./?=&%#~+]*$/.test(next) ? next : '/week';
}

function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
