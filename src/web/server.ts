import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the app on `hostname` (loopback by default: opening radar to a network is a choice,
 * HOST=0.0.0.0) at `port` (0: any free port). A client gets 30 s to send its request headers
 * and 60 s for the whole request, so a body trickled a byte at a time cannot hold a connection.
 */
// biome-ignore lint/suspicious/noExplicitAny: any app's environment
export function startServer(app: Hono<any>, port: number, hostname = '127.0.0.1'): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info: AddressInfo) => {
      const host =
        hostname === '0.0.0.0' || hostname === '::' ? '127.0.0.1' : hostname.includes(':') ? `[${hostname}]` : hostname;
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive connections of browsers would hold close() open.
            (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
          }),
      });
    });
    const http = server as unknown as { headersTimeout: number; requestTimeout: number };
    http.headersTimeout = 30_000;
    http.requestTimeout = 60_000;
    server.once('error', reject);
  });
}
