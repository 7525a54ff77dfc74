import { ConfigError } from '../../lib/errors.js';
import { catchUpScoring, coverageJob, pollJobs, type SchedulerOptions, startScheduler } from '../../scheduler/scheduler.js';
import { createApp } from '../../web/app.js';
import { cliBridge } from '../../web/cli-bridge.js';
import { startServer } from '../../web/server.js';
import { newBridgeKey, publishBridge } from '../bridge.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';

export const serveCommand = defineCommand({
  name: 'serve',
  database: 'own',
  summary: 'run the scheduler, the web UI and the JSON API (on HOST:PORT) until stopped',
  usage: 'serve',
  help: `Polls every watched repo and source on its schedule (config/radar.yaml) until SIGINT or
SIGTERM; runs that are overdue at start run at once; serves the editor's web UI and the JSON API
on HOST:PORT (default 127.0.0.1:3000), behind sign-in (radar users add, radar tokens add; see
README.md). What \`npm start\` runs.`,
  options: {},
  run: (ctx) => runScheduler(ctx, 'serve'),
});

export const workerCommand = defineCommand({
  name: 'worker',
  database: 'own',
  summary: 'run the scheduler only (scale-out: several workers share one PostgreSQL)',
  usage: 'worker',
  help: `Polls on schedule like \`radar serve\`, without the web server. Run several against one
PostgreSQL (DATABASE_URL): leases make each repo+source poll in one worker at a time. SIGTERM or
SIGINT ends each job after its current batch, frees its claims (a job cut short stays due, for
another worker) and exits 0. RADAR_SCHEDULER_TICK_MS (tests, tuning) claims due jobs more often
than every 15 s.`,
  options: {},
  run: (ctx) => runScheduler(ctx, 'worker'),
});

async function runScheduler(ctx: CliContext, mode: 'serve' | 'worker'): Promise<number> {
  const options = schedulerOptions(process.env);
  const config = ctx.config();
  const handle = await ctx.database();
  const github = ctx.github();
  const deps = { db: handle.db, github, config, logger: ctx.logger, clock: ctx.clock };
  const jobs = [...pollJobs(deps, ctx.shutdownSignal), coverageJob(deps)];
  const scheduler = startScheduler(jobs, { ...deps, budget: github.budget }, ctx.shutdownSignal, {
    ...options,
    budgetReserve: config.github.budgetReserve,
  });
  const scoring = catchUpScoring(deps);
  // On the embedded database, the other commands run in this process (src/cli/bridge.ts).
  const bridged = mode === 'serve' && handle.dialect === 'pglite' && handle.location === ctx.env.dataDir;
  const bridgeKey = newBridgeKey();
  const bridge = bridged
    ? cliBridge(
        {
          // Imported here: the command list includes this command.
          commands: (await import('./index.js')).commands,
          env: ctx.env,
          clock: ctx.clock,
          database: handle,
          github: () => github,
          shutdownSignal: ctx.shutdownSignal,
        },
        bridgeKey,
        ctx.logger,
      )
    : undefined;
  const web =
    mode === 'serve'
      ? await startServer(
          createApp({
            db: handle.db,
            config,
            clock: ctx.clock,
            logger: ctx.logger,
            github: () => github,
            apiToken: ctx.env.apiToken,
            metricsToken: ctx.env.metricsToken,
            unauthenticated: bridge,
          }),
          ctx.env.port,
          ctx.env.host,
        )
      : null;
  const unpublish =
    web && bridged
      ? publishBridge(ctx.env.dataDir, { pid: process.pid, url: web.url, key: bridgeKey, configFile: ctx.env.configFile })
      : () => {};
  if (web && config.access.users.length === 0 && config.access.tokens.length === 0 && !ctx.env.apiToken)
    ctx.logger.warn(
      { url: web.url },
      'no account can sign in yet: add one with `radar users add NAME --role editor` (or set RADAR_API_TOKEN for scripts)',
    );
  if (web && !ctx.env.metricsToken && !isLoopback(ctx.env.host))
    ctx.logger.warn(
      { host: ctx.env.host },
      '/metrics answers anyone who reaches this address (repo names, run figures, the API budget): set RADAR_METRICS_TOKEN, or keep the port private',
    );
  ctx.logger.info(
    { mode, database: handle.dialect, location: handle.location, repos: config.repos.length, url: web?.url ?? null },
    'radar started',
  );
  await new Promise<void>((resolve) => {
    if (ctx.shutdownSignal.aborted) resolve();
    ctx.shutdownSignal.addEventListener('abort', () => resolve(), { once: true });
  });
  ctx.logger.info('shutting down: waiting for runs in flight');
  unpublish();
  await web?.close();
  await scheduler.stop();
  await scoring;
  return 0;
}

/**
 * RADAR_SCHEDULER_TICK_MS, for tests and tuning (README "Environment"): how often due jobs are
 * claimed, instead of every 15 s. Read here rather than with the rest of the environment: it
 * concerns these two commands only.
 */
export function schedulerOptions(env: NodeJS.ProcessEnv): SchedulerOptions {
  const text = env.RADAR_SCHEDULER_TICK_MS;
  if (text === undefined || text === '') return {};
  const tickMs = Number(text);
  if (!Number.isInteger(tickMs) || tickMs < 100 || tickMs > 3_600_000)
    throw new ConfigError('environment variable RADAR_SCHEDULER_TICK_MS: expected whole milliseconds between 100 and 3600000');
  return { tickMs };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
