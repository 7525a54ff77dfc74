import { commands } from './cli/commands/index.js';
import type { CliContext, Input, Output } from './cli/context.js';
import { runCommand } from './cli/main.js';
import type { Config } from './config/config.js';
import { type Env, loadEnv } from './config/env.js';
import { loadConfig } from './config/load.js';
import { GitHub } from './github/client.js';
import { type Clock, systemClock } from './lib/clock.js';
import { RadarError } from './lib/errors.js';
import { createLogger, type Logger } from './lib/logger.js';
import { type DatabaseHandle, openDatabase } from './store/db.js';
import { clearLeases } from './store/leases.js';
import { migrateToLatest } from './store/migrator.js';
import { closeAbandonedRuns } from './store/runs.js';

/**
 * The composition root: environment and config -> logger, database, GitHub gateway -> the
 * command asked for. Nothing is created before a command needs it.
 */

export interface MainIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: Output;
  stderr: Output;
  stdin?: Input;
  clock?: Clock;
  /** Aborted when the process should stop; created from SIGINT/SIGTERM when absent. */
  shutdownSignal?: AbortSignal;
  /** Where logs go (stderr by default). */
  logDestination?: { write(text: string): void };
  /** Replacements for tests: an already open database, a GitHub gateway with short retries. */
  overrides?: {
    database?: () => Promise<DatabaseHandle>;
    github?: (env: Env, logger: Logger) => GitHub;
  };
}

export async function main(io: MainIo): Promise<number> {
  let env: Env;
  try {
    env = loadEnv(io.env, io.cwd);
  } catch (error) {
    if (error instanceof RadarError) {
      io.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  const logger = createLogger({ level: env.logLevel, destination: io.logDestination });
  const resources = new Resources(env, logger, io.overrides ?? {});
  const ctx: CliContext = {
    env,
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    logger,
    clock: io.clock ?? systemClock,
    config: () => resources.config(),
    database: () => resources.database(),
    github: () => resources.github(),
    shutdownSignal: io.shutdownSignal ?? new AbortController().signal,
  };
  try {
    return await runCommand(commands, io.argv, () => ctx, io.stderr);
  } finally {
    await resources.close();
  }
}

class Resources {
  private cachedConfig: Config | undefined;
  private cachedDatabase: Promise<DatabaseHandle> | undefined;
  private cachedGithub: GitHub | undefined;

  constructor(
    private readonly env: Env,
    private readonly logger: Logger,
    private readonly overrides: NonNullable<MainIo['overrides']>,
  ) {}

  config(): Config {
    this.cachedConfig ??= loadConfig(this.env.configFile);
    return this.cachedConfig;
  }

  database(): Promise<DatabaseHandle> {
    this.cachedDatabase ??= (async () => {
      const handle = this.overrides.database
        ? await this.overrides.database()
        : await openDatabase({ databaseUrl: this.env.databaseUrl, dataDir: this.env.dataDir, logger: this.logger });
      try {
        await migrateToLatest(handle.db, this.logger);
        if (handle.dialect === 'pglite' && !this.overrides.database) {
          // The embedded database belongs to this process alone (see data-dir-lock): whatever a
          // previous process left running or leased was interrupted.
          await clearLeases(handle.db);
          const closed = await closeAbandonedRuns(handle.db, new Date());
          if (closed > 0) this.logger.warn({ runs: closed }, 'runs interrupted by a previous process marked failed');
        }
      } catch (error) {
        await handle.close();
        throw error;
      }
      return handle;
    })();
    return this.cachedDatabase;
  }

  github(): GitHub {
    if (!this.cachedGithub) {
      if (!this.env.githubToken) {
        this.logger.warn(
          { apiUrl: this.env.githubApiUrl },
          'GITHUB_TOKEN is not set: radar runs unauthenticated (60 requests an hour on github.com, no GraphQL)',
        );
      }
      const config = this.config();
      if (this.overrides.github) {
        this.cachedGithub = this.overrides.github(this.env, this.logger);
        return this.cachedGithub;
      }
      this.cachedGithub = new GitHub({
        baseUrl: this.env.githubApiUrl,
        token: this.env.githubToken,
        logger: this.logger,
        timeoutMs: config.github.requestTimeoutMs,
      });
    }
    return this.cachedGithub;
  }

  async close(): Promise<void> {
    if (this.cachedDatabase) {
      const handle = await this.cachedDatabase.catch(() => undefined);
      await handle?.close();
    }
  }
}
