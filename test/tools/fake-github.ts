import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A GitHub REST endpoint on loopback for tests that run radar as a separate process (where nock
 * cannot reach). It answers from a route table with GitHub's headers: ETag, 304 on a matching
 * If-None-Match, rate-limit headers. Unknown routes are 404 with GitHub's error body.
 *
 * For the crash-point and fault suites, `tap` sees every request with its number (counted from
 * the last `reset()`) at three moments: when it arrives (it may answer with a fault instead, or
 * withhold any answer), once the route has answered it (its side effects done: an issue created)
 * but before a byte is sent, and once the answer is sent.
 */
export interface FakeGitHub {
  url: string;
  requests: Array<{ n: number; method: string; path: string; status: number; fault?: string }>;
  /** Hooks of the current trial (null: answer everything from the route). */
  tap: Tap | null;
  /** Numbers requests from 1 again and forgets the log. */
  reset(): void;
  close(): Promise<void>;
}

export type Route = (
  request: IncomingMessage,
  url: URL,
  body: unknown,
) => { status?: number; body: unknown; headers?: Record<string, string> } | undefined;

export interface Exchange {
  /** 1-based number of this request since the last reset(). */
  n: number;
  method: string;
  url: URL;
  body: unknown;
}

/** What a misbehaving GitHub (or the network in between) does instead of answering. */
export type Fault =
  /** An HTTP answer of its own (500, 502, 503, 403 secondary rate limit, 429, a GraphQL 200 with errors). */
  | {
      kind: 'answer';
      status: number;
      body: unknown;
      /** Headers, or a function making them when the fault is sent (a rate-limit reset time). */
      headers?: Record<string, string> | (() => Record<string, string>);
      label?: string;
    }
  /** The connection is dropped before any answer. */
  | { kind: 'reset' }
  /** The usual status line and headers, half of the body, then the connection is dropped. */
  | { kind: 'truncate' }
  /** 200 with a JSON content type and a body that is not JSON. */
  | { kind: 'malformed' }
  /** The usual answer, `ms` late (past the client's timeout). */
  | { kind: 'slow'; ms: number };

export interface Tap {
  /** The request arrived: a fault to answer instead, 'withhold' to leave it unanswered, or nothing. */
  received?(exchange: Exchange): Fault | 'withhold' | undefined | Promise<Fault | 'withhold' | undefined>;
  /** The route answered (its side effects are done), nothing is sent yet: 'withhold' leaves it unanswered. */
  routed?(exchange: Exchange): 'withhold' | undefined | Promise<'withhold' | undefined>;
  /** The answer was sent. */
  answered?(exchange: Exchange): void;
}

export function faultLabel(fault: Fault): string {
  if (fault.kind === 'answer') return fault.label ?? String(fault.status);
  if (fault.kind === 'slow') return `slow ${fault.ms} ms`;
  return fault.kind;
}

export async function startFakeGitHub(route: Route): Promise<FakeGitHub> {
  const requests: FakeGitHub['requests'] = [];
  let counter = 0;
  const fake: FakeGitHub = {
    url: '',
    requests,
    tap: null,
    reset: () => {
      counter = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? JSON.parse(text) : undefined;
    const method = request.method ?? 'GET';
    const exchange: Exchange = { n: ++counter, method, url, body };
    const log = (status: number, fault?: string) =>
      requests.push({ n: exchange.n, method, path: url.pathname, status, ...(fault ? { fault } : {}) });
    const tap = fake.tap;

    const received = await tap?.received?.(exchange);
    if (received === 'withhold') {
      log(0, 'withheld');
      return; // the connection stays open until the client goes
    }
    if (received && received.kind !== 'slow' && received.kind !== 'truncate') {
      log(received.kind === 'answer' ? received.status : 0, faultLabel(received));
      sendFault(response, received);
      tap?.answered?.(exchange);
      return;
    }
    if (received?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, received.ms));

    const answer = route(request, url, body);
    if ((await tap?.routed?.(exchange)) === 'withhold') {
      log(0, 'withheld after routing');
      return;
    }
    if (response.destroyed || response.socket?.destroyed) {
      log(0, received ? `${faultLabel(received)}: client gone` : 'client gone');
      return;
    }
    const headers: Record<string, string> = { ...baseHeaders(), ...answer?.headers };
    if (!answer) {
      log(404, received ? faultLabel(received) : undefined);
      response
        .writeHead(404, headers)
        .end(JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }));
      tap?.answered?.(exchange);
      return;
    }
    const json = JSON.stringify(answer.body);
    const etag = `"${createHash('sha256').update(json).digest('hex')}"`;
    if ((answer.status ?? 200) === 200 && request.headers['if-none-match'] === etag) {
      log(304, received ? faultLabel(received) : undefined);
      response.writeHead(304, { ...headers, etag }).end();
      tap?.answered?.(exchange);
      return;
    }
    log(answer.status ?? 200, received ? faultLabel(received) : undefined);
    if (received?.kind === 'truncate') {
      // The whole length announced, half of it sent, then the connection goes.
      response.writeHead(answer.status ?? 200, { ...headers, etag, 'content-length': String(Buffer.byteLength(json)) });
      response.write(json.slice(0, Math.floor(json.length / 2)), () => response.socket?.destroy());
    } else response.writeHead(answer.status ?? 200, { ...headers, etag }).end(json);
    tap?.answered?.(exchange);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  return fake;
}

function baseHeaders(): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
  };
}

function sendFault(response: ServerResponse, fault: Exclude<Fault, { kind: 'slow' } | { kind: 'truncate' }>): void {
  switch (fault.kind) {
    case 'answer':
      response
        .writeHead(fault.status, { ...baseHeaders(), ...(typeof fault.headers === 'function' ? fault.headers() : fault.headers) })
        .end(JSON.stringify(fault.body));
      return;
    case 'reset':
      response.socket?.resetAndDestroy();
      return;
    case 'malformed':
      response.writeHead(200, baseHeaders()).end('{"message": "upstream proxy error" <html>');
      return;
  }
}
