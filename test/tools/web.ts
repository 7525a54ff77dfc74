import type { Config } from '../../src/config/config.js';
import type { Role } from '../../src/domain/access.js';
import type { GitHub } from '../../src/github/client.js';
import type { Clock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { hashPassword, tokenHash } from '../../src/lib/secrets.js';
import type { Db } from '../../src/store/db.js';
import { createApp } from '../../src/web/app.js';
import { createThrottle } from '../../src/web/auth/throttle.js';
import { type RunningServer, startServer } from '../../src/web/server.js';
import { testGitHub } from './github-mock.js';

/**
 * The web app over real HTTP for tests, with accounts: users (name, password, role) and bearer
 * tokens. `call` speaks JSON with a token; `browser` keeps cookies and sends what a browser on
 * the page would (Origin, the CSRF token), so sign-in, CSRF and roles are exercised for real.
 */

export const PASSWORD = 'correct horse battery';
export const TOKENS: Record<string, { role: Role; token: string }> = {
  'api-editor': { role: 'editor', token: 'radar_test-editor-token-0123456789abcdef' },
  'api-maintainer': { role: 'maintainer', token: 'radar_test-maintainer-token-0123456789ab' },
};

export interface Answer {
  status: number;
  type: string;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the server answered
  body: any;
}

export interface WebTest {
  url: string;
  server: RunningServer;
  config: Config;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  browser(): Browser;
  close(): Promise<void>;
}

export interface Browser {
  cookies: Map<string, string>;
  csrf: string;
  request(method: string, path: string, options?: { body?: string; headers?: Record<string, string> }): Promise<Answer>;
  signIn(name: string, password?: string): Promise<Answer>;
  /** A JSON API call as the page's script makes it (Origin, X-CSRF-Token, cookie). */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
}

export async function startWeb(options: {
  db: Db;
  config: Config;
  clock: Clock;
  users?: Array<{ name: string; role: Role }>;
  github?: () => GitHub;
  apiToken?: string;
  metricsToken?: string;
}): Promise<WebTest> {
  const users = await Promise.all(
    (options.users ?? [{ name: 'alice', role: 'editor' }]).map(async (u) => ({ ...u, password: await hashPassword(PASSWORD) })),
  );
  const config: Config = {
    ...options.config,
    access: {
      users,
      tokens: Object.entries(TOKENS).map(([name, t]) => ({ name, role: t.role, hash: tokenHash(t.token) })),
    },
  };
  const app = createApp({
    db: options.db,
    config,
    clock: options.clock,
    logger: silentLogger(),
    github: options.github ?? (() => testGitHub()),
    apiToken: options.apiToken,
    metricsToken: options.metricsToken,
    throttle: createThrottle(),
  });
  const server = await startServer(app, 0, '127.0.0.1');
  const url = server.url;

  const answer = async (response: Response): Promise<Answer> => {
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      type,
      headers: response.headers,
      body: type.includes('json') && text ? JSON.parse(text) : text,
    };
  };

  const call: WebTest['call'] = async (method, path, body, headers = {}) =>
    answer(
      await fetch(`${url}${path}`, {
        method,
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${TOKENS['api-editor']?.token}`,
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );

  const browser = (): Browser => {
    const cookies = new Map<string, string>();
    const self: Browser = {
      cookies,
      csrf: '',
      async request(method, path, opts = {}) {
        const response = await fetch(`${url}${path}`, {
          method,
          redirect: 'manual',
          headers: {
            cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
            ...opts.headers,
          },
          body: opts.body,
        });
        for (const line of response.headers.getSetCookie()) {
          const [pair] = line.split(';');
          const [name, ...value] = (pair ?? '').split('=');
          if (!name) continue;
          if (/Max-Age=0/i.test(line)) cookies.delete(name);
          else cookies.set(name, value.join('='));
        }
        const result = await answer(response);
        const csrf = typeof result.body === 'string' ? /name="csrf-token" content="([^"]+)"/.exec(result.body)?.[1] : undefined;
        if (csrf) self.csrf = csrf;
        return result;
      },
      async signIn(name, password = PASSWORD) {
        const form = await self.request('GET', '/login');
        const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
        const result = await self.request('POST', '/login', {
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
          body: new URLSearchParams({ _csrf: token, name, password, next: '/week' }).toString(),
        });
        if (result.status === 303) await self.request('GET', '/week?week=2019-W25');
        return result;
      },
      api(method, path, body, headers = {}) {
        return self.request(method, path, {
          headers: { 'content-type': 'application/json', origin: url, 'x-csrf-token': self.csrf, ...headers },
          body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        });
      },
    };
    return self;
  };

  return { url, server, config, call, browser, close: () => server.close() };
}
