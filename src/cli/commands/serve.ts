import { coverageJob, pollJobs, startScheduler } from '../../scheduler/scheduler.js';
import { createApi } from '../../web/api.js';
import { startServer } from '../../web/server.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { editorOf } from './issue.js';

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'run the scheduler and the JSON API (on PORT) until stopped',
  usage: 'serve',
  help: `Polls every watched repo and source on its schedule (config/radar.yaml) until SIGINT or
SIGTERM; runs that are overdue at start run at once; serves the JSON API on PORT (default 3000;
see README.md). What \`npm start\` runs.`,
  options: {},
  run: (ctx) => runScheduler(ctx, 'serve'),
});

export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'run the scheduler only (scale-out: several workers share one PostgreSQL)',
  usage: 'worker',
  help: `Polls on schedule like \`radar serve\`, without the web server. Run several against one
PostgreSQL (DATABASE_URL): leases make each repo+source poll in one worker at a time.`,
  options: {},
  run: (ctx) => runScheduler(ctx, 'worker'),
});

async function runScheduler(ctx: CliContext, mode: 'serve' | 'worker'): Promise<number> {
  const config = ctx.config();
  const handle = await ctx.database();
  const github = ctx.github();
  const deps = { db: handle.db, github, config, logger: ctx.logger, clock: ctx.clock };
  const jobs = [...pollJobs(deps, ctx.shutdownSignal), coverageJob(deps)];
  const scheduler = startScheduler(jobs, deps, ctx.shutdownSignal);
  const web =
    mode === 'serve'
      ? await startServer(
          createApi({
            db: handle.db,
            config,
            clock: ctx.clock,
            logger: ctx.logger,
            github: () => github,
            defaultEditor: editorOf(ctx),
          }),
          ctx.env.port,
        )
      : null;
  ctx.logger.info(
    { mode, database: handle.dialect, location: handle.location, repos: config.repos.length, url: web?.url ?? null },
    'radar started',
  );
  await new Promise<void>((resolve) => {
    if (ctx.shutdownSignal.aborted) resolve();
    ctx.shutdownSignal.addEventListener('abort', () => resolve(), { once: true });
  });
  ctx.logger.info('shutting down: waiting for runs in flight');
  await web?.close();
  await scheduler.stop();
  return 0;
}
