import type { Config } from '../config/config.js';
import type { Env } from '../config/env.js';
import type { GitHub } from '../github/client.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { DatabaseHandle } from '../store/db.js';

export interface Output {
  write(text: string): void;
  /** Whether a person is watching (progress bars, colours). */
  isTTY?: boolean;
}

/**
 * What a command may use. Everything is created on first use, so `radar --help` or
 * `radar repos list` never opens the database or checks the token.
 */
/** Standard input, for the few commands that read a secret from it (radar users add). */
export type Input = AsyncIterable<Buffer | string> & { isTTY?: boolean };

export interface CliContext {
  env: Env;
  /** The directory the command was started in: relative file names (--out) resolve against it. */
  cwd: string;
  stdin?: Input | undefined;
  stdout: Output;
  stderr: Output;
  logger: Logger;
  clock: Clock;
  config(): Config;
  /** Opens the database and brings its schema up to date. */
  database(): Promise<DatabaseHandle>;
  github(): GitHub;
  /** Resolves when the process is asked to stop (SIGINT, SIGTERM). */
  shutdownSignal: AbortSignal;
}
