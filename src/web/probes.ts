import { Hono } from 'hono';
import type { Logger } from '../lib/logger.js';
import { sameSecret } from '../lib/secrets.js';
import type { Db } from '../store/db.js';
import { checkReadiness } from '../store/readiness.js';
import { createMetrics } from './metrics.js';

/**
 * What an orchestrator and a monitoring system ask, answered without an account (mounted before
 * sign-in, like /api/health):
 *
 * - `/livez`: the process answers HTTP. No database call: a database outage must not make a
 *   supervisor restart every radar process, which would not bring it back.
 * - `/readyz`: the database answers within READY_TIMEOUT_MS and has every migration applied;
 *   503 with what is wrong otherwise, so traffic goes elsewhere until it is.
 * - `/metrics`: Prometheus text (src/web/metrics.ts). With a metrics token, only for
 *   `Authorization: Bearer <token>`: the figures name the watched repos and the API budget.
 */
export interface ProbeDeps {
  db: Db;
  logger: Logger;
  /** RADAR_METRICS_TOKEN: when set, /metrics needs it as a bearer token. */
  metricsToken?: string | undefined;
}

export const READY_TIMEOUT_MS = 2_000;
export const PROBE_PATHS = ['/livez', '/readyz', '/metrics'] as const;

export function probeRoutes(deps: ProbeDeps): Hono {
  const app = new Hono();
  const metrics = createMetrics(deps.db, deps.logger);
  const noStore = { 'cache-control': 'no-store' };

  app.get('/livez', (c) => c.json({ ok: true }, 200, noStore));

  app.get('/readyz', async (c) => {
    const readiness = await checkReadiness(deps.db, READY_TIMEOUT_MS);
    const body = {
      ok: readiness.ok,
      database: readiness.database,
      pending_migrations: readiness.pendingMigrations,
      ...(readiness.error ? { error: readiness.error } : {}),
      ms: readiness.ms,
    };
    if (!readiness.ok) deps.logger.warn({ database: readiness.database, error: readiness.error }, 'not ready');
    return c.json(body, readiness.ok ? 200 : 503, noStore);
  });

  app.get('/metrics', async (c) => {
    if (deps.metricsToken) {
      const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (!given || !sameSecret(given, deps.metricsToken))
        return c.json({ error: 'metrics: Authorization: Bearer <RADAR_METRICS_TOKEN> required' }, 401, {
          'www-authenticate': 'Bearer realm="radar metrics"',
        });
    }
    return c.body(await metrics.render(), 200, { 'content-type': metrics.contentType, ...noStore });
  });
  return app;
}
