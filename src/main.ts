import type { KeyObject } from 'node:crypto';
import { type BridgeRequest, findBridge, forwardCommand } from './cli/bridge.js';
import type { Command } from './cli/command.js';
import { commands } from './cli/commands/index.js';
import { editorOf } from './cli/commands/issue.js';
import type { CliContext, Input, Output } from './cli/context.js';
import { runCommand } from './cli/main.js';
import { StatusLine } from './cli/status-line.js';
import type { Config } from './config/config.js';
import { type Env, loadEnv } from './config/env.js';
import { loadConfig } from './config/load.js';
import { GitHub } from './github/client.js';
import { type Credential, installationCredential, tokenCredential } from './github/credentials.js';
import { type Clock, systemClock } from './lib/clock.js';
import { DatabaseBusyError, RadarError } from './lib/errors.js';
import { createLogger, type Logger } from './lib/logger.js';
import { lockOwner } from './store/data-dir-lock.js';
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
  // On a terminal, logs and the progress bar share stderr through one StatusLine, which keeps
  // log lines above the bar instead of inside it (src/cli/status-line.ts).
  const stderr = io.stderr.isTTY ? new StatusLine(io.stderr) : io.stderr;
  const logger = createLogger({
    level: env.logLevel,
    destination: io.logDestination ?? (stderr instanceof StatusLine ? stderr : undefined),
  });
  const shutdownSignal = io.shutdownSignal ?? new AbortController().signal;
  const resources = new Resources(env, logger, io.overrides ?? {}, shutdownSignal);
  const ctx: CliContext = {
    env,
    cwd: io.cwd,
    stdin: io.stdin,
    stdout: io.stdout,
    stderr,
    logger,
    clock: io.clock ?? systemClock,
    config: () => resources.config(),
    database: () => {
      // Undeclared, the command would skip the bridge and find the database locked by serve.
      if (!commands.find((c) => c.name === io.argv[0])?.database)
        return Promise.reject(new Error(`radar ${io.argv[0]} opens the database but does not declare it (Command.database)`));
      return resources.database();
    },
    github: () => resources.github(),
    shutdownSignal,
  };
  // With the embedded database held by a running `radar serve`, commands run inside it.
  const throughServe = (command: Command) => {
    if (command.database !== 'shared' || env.databaseUrl || io.overrides?.database) return undefined;
    const server = findBridge(env.dataDir);
    if (!server) {
      const owner = lockOwner(env.dataDir);
      if (owner?.command === 'serve' && owner.pid !== process.pid)
        throw new DatabaseBusyError(
          `radar serve (pid ${owner.pid}) holds the embedded database in ${env.dataDir} but takes no commands yet ` +
            '(it is starting or stopping): try again in a moment',
        );
      return undefined;
    }
    logger.debug({ pid: server.pid, url: server.url }, 'running the command in radar serve');
    const request = {
      argv: io.argv,
      cwd: io.cwd,
      editor: editorOf(ctx),
      logLevel: env.logLevel as BridgeRequest['logLevel'],
      configFile: env.configFile,
      tty: { stdout: io.stdout.isTTY === true, stderr: io.stderr.isTTY === true },
    };
    return forwardCommand(server, request, io, ctx.shutdownSignal);
  };
  try {
    return await runCommand(commands, io.argv, () => ctx, stderr, throughServe);
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
    private readonly shutdownSignal: AbortSignal,
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
        // The embedded database belongs to this process alone (see data-dir-lock): whatever a
        // previous process left running or leased was interrupted. On a server, only the runs
        // nobody works on any more are.
        const embedded = handle.dialect === 'pglite' && !this.overrides.database;
        if (embedded) await clearLeases(handle.db);
        const closed = await closeAbandonedRuns(handle.db, { all: embedded });
        if (closed > 0) this.logger.warn({ runs: closed }, 'runs interrupted by a previous process marked failed');
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
      const config = this.config();
      const credentials = credentialsOf(this.env, config.github.requestTimeoutMs);
      if (credentials.length === 0) {
        this.logger.warn(
          { apiUrl: this.env.githubApiUrl },
          'GITHUB_TOKEN is not set: radar runs unauthenticated (60 requests an hour on github.com, no GraphQL)',
        );
      } else if (credentials.length > 1) {
        this.logger.info({ credentials: credentials.map((c) => c.description) }, 'GitHub budget shared over several credentials');
      }
      if (this.overrides.github) {
        this.cachedGithub = this.overrides.github(this.env, this.logger);
        return this.cachedGithub;
      }
      this.cachedGithub = new GitHub({
        baseUrl: this.env.githubApiUrl,
        credentials,
        signal: this.shutdownSignal,
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

/** The tokens, then the GitHub App's installations, in the order given (the first wins ties). */
function credentialsOf(env: Env, timeoutMs: number): Credential[] {
  const tokens = env.githubTokens.map(tokenCredential);
  const app = env.githubApp;
  const installations = (app?.installationIds ?? []).map((installationId) =>
    installationCredential({
      appId: app?.appId as string,
      installationId,
      privateKey: app?.privateKey as KeyObject,
      baseUrl: env.githubApiUrl,
      timeoutMs,
    }),
  );
  return [...tokens, ...installations];
}
