import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A GitHub REST endpoint on loopback for tests that run radar as a separate process (where nock
 * cannot reach). It answers from a route table with GitHub's headers: ETag, 304 on a matching
 * If-None-Match, rate-limit headers. Unknown routes are 404 with GitHub's error body.
 */
export interface FakeGitHub {
  url: string;
  requests: Array<{ method: string; path: string; status: number }>;
  close(): Promise<void>;
}

export type Route = (
  request: IncomingMessage,
  url: URL,
  body: unknown,
) => { status?: number; body: unknown; headers?: Record<string, string> } | undefined;

export async function startFakeGitHub(route: Route): Promise<FakeGitHub> {
  const requests: FakeGitHub['requests'] = [];
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const answer = route(request, url, text ? JSON.parse(text) : undefined);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      ...answer?.headers,
    };
    if (!answer) {
      requests.push({ method: request.method ?? 'GET', path: url.pathname, status: 404 });
      response
        .writeHead(404, headers)
        .end(JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }));
      return;
    }
    const body = JSON.stringify(answer.body);
    const etag = `"${createHash('sha256').update(body).digest('hex')}"`;
    if ((answer.status ?? 200) === 200 && request.headers['if-none-match'] === etag) {
      requests.push({ method: request.method ?? 'GET', path: url.pathname, status: 304 });
      response.writeHead(304, { ...headers, etag }).end();
      return;
    }
    requests.push({ method: request.method ?? 'GET', path: url.pathname, status: answer.status ?? 200 });
    response.writeHead(answer.status ?? 200, { ...headers, etag }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
