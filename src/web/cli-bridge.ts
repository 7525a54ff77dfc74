import { Hono } from 'hono';
import {
  BRIDGE_HEADER,
  BRIDGE_PATH,
  type BridgeHost,
  type BridgeLine,
  bridgeMismatch,
  bridgeRequestSchema,
  runBridged,
} from '../cli/bridge.js';
import type { Logger } from '../lib/logger.js';
import { sameSecret } from '../lib/secrets.js';

/**
 * `POST /internal/cli`: runs a radar command for a CLI process on this machine (src/cli/bridge.ts)
 * and streams its output back as JSON lines, the exit code last. The key of serve.json is the
 * only way in; sign-in and CSRF do not apply (no browser holds the key).
 */
export function cliBridge(host: BridgeHost, key: string, logger: Logger): Hono {
  const app = new Hono();
  app.post(BRIDGE_PATH, async (c) => {
    if (!sameSecret(c.req.header(BRIDGE_HEADER) ?? '', key))
      return c.json({ error: `${BRIDGE_HEADER}: not this server's key (see serve.json in the data folder)` }, 401);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'body: expected a JSON object' }, 400);
    }
    const parsed = bridgeRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return c.json({ error: `body.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` }, 400);
    }
    const request = parsed.data;
    const mismatch = bridgeMismatch(request, host.env);
    if (mismatch) return c.json({ error: mismatch }, 409);

    const clientGone = new AbortController();
    c.req.raw.signal.addEventListener('abort', () => clientGone.abort(), { once: true });
    const encoder = new TextEncoder();
    const started = Date.now();
    logger.info({ command: request.argv[0], editor: request.editor }, 'cli command through the bridge');
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (line: BridgeLine) => {
          if (!clientGone.signal.aborted) controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
        };
        let exit = 70;
        try {
          exit = await runBridged(request, host, send, clientGone.signal);
        } catch (error) {
          logger.error({ err: error, command: request.argv[0] }, 'bridged command failed');
          send({ stream: 'stderr', text: `radar: the server failed to run the command: ${(error as Error).message}\n` });
        }
        send({ exit });
        logger.info({ command: request.argv[0], exit, ms: Date.now() - started }, 'cli command finished');
        if (!clientGone.signal.aborted) controller.close();
      },
      cancel() {
        clientGone.abort();
      },
    });
    // no-transform: compression would hold lines back until a buffer fills.
    return c.body(stream, 200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store, no-transform' });
  });
  return app;
}
