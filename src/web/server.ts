import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export interface ServerLimits {
  /** Time for a client to send its request headers. */
  headersTimeoutMs: number;
  /** Time for the whole request, body included. */
  requestTimeoutMs: number;
  /** How often Node checks those (its default is 30 s). */
  checkEveryMs: number;
}

const LIMITS: ServerLimits = { headersTimeoutMs: 30_000, requestTimeoutMs: 60_000, checkEveryMs: 5_000 };

/**
 * Serves the app on `hostname` (loopback by default: opening radar to a network is a choice,
 * HOST=0.0.0.0) at `port` (0: any free port). A client gets 30 s to send its request headers
 * and 60 s for the whole request, so a body trickled a byte at a time cannot hold a connection;
 * Node answers 408 and closes it.
 */
export function startServer(
  // biome-ignore lint/suspicious/noExplicitAny: any app's environment
  app: Hono<any>,
  port: number,
  hostname = '127.0.0.1',
  limits: Partial<ServerLimits> = {},
): Promise<RunningServer> {
  const { headersTimeoutMs, requestTimeoutMs, checkEveryMs } = { ...LIMITS, ...limits };
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        port,
        hostname,
        serverOptions: {
          headersTimeout: headersTimeoutMs,
          requestTimeout: requestTimeoutMs,
          connectionsCheckingInterval: checkEveryMs,
        },
      },
      (info: AddressInfo) => {
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
      },
    );
    server.once('error', reject);
  });
}
