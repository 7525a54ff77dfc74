import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import type { Env } from '../config/env.js';
import { loadConfig } from '../config/load.js';
import type { GitHub } from '../github/client.js';
import type { Clock } from '../lib/clock.js';
import { ConfigError, DatabaseBusyError, type RadarError } from '../lib/errors.js';
import { createLogger } from '../lib/logger.js';
import { lockOwner } from '../store/data-dir-lock.js';
import type { DatabaseHandle } from '../store/db.js';
import type { Command } from './command.js';
import type { CliContext, Output } from './context.js';
import { runCommand } from './main.js';
import { StatusLine } from './status-line.js';

/**
 * The CLI bridge: while `radar serve` holds the embedded database (PGlite is one process's), the
 * other commands run inside it. serve writes its address and a per-start key to `serve.json` in
 * the data folder, readable by its OS user only, the same trust as the database files beside it;
 * a command finds it there, sends its arguments, and prints what comes back, line by line.
 *
 * A bridged command runs with the server's environment (GitHub token, API URL) and a fresh read
 * of the config file, as the editor the client names (RADAR_EDITOR or its OS user); relative
 * file names resolve against the client's working directory.
 */

export const BRIDGE_FILE = 'serve.json';
export const BRIDGE_PATH = '/internal/cli';
export const BRIDGE_HEADER = 'x-radar-bridge';

export interface BridgeAddress {
  pid: number;
  url: string;
  key: string;
  configFile: string;
}

/** Writes serve.json (owner-only, atomically); returns what removes it again. */
export function publishBridge(dataDir: string, address: BridgeAddress): () => void {
  const file = join(dataDir, BRIDGE_FILE);
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(address)}\n`, { mode: 0o600 });
  renameSync(partial, file);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    try {
      // Only our own: a later serve may have replaced it after a kill -9 of ours.
      if (readBridge(file)?.pid === address.pid) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.once('exit', remove);
  return remove;
}

/** The running `radar serve` that holds the embedded database in `dataDir`, if there is one. */
export function findBridge(dataDir: string): BridgeAddress | undefined {
  const owner = lockOwner(dataDir);
  if (!owner || owner.pid === process.pid) return undefined;
  const address = readBridge(join(dataDir, BRIDGE_FILE));
  // A serve.json of an earlier serve (killed with -9) does not name the lock's owner.
  return address?.pid === owner.pid ? address : undefined;
}

export function newBridgeKey(): string {
  return randomBytes(32).toString('base64url');
}

function readBridge(file: string): BridgeAddress | undefined {
  try {
    const parsed = addressSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const addressSchema = z.object({ pid: z.number().int(), url: z.url(), key: z.string().min(20), configFile: z.string() });

export const bridgeRequestSchema = z.object({
  argv: z.array(z.string().max(100_000)).min(1).max(1000),
  cwd: z.string().min(1),
  editor: z.string().min(1).max(200),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  configFile: z.string().min(1),
  tty: z.object({ stdout: z.boolean(), stderr: z.boolean() }),
});
export type BridgeRequest = z.infer<typeof bridgeRequestSchema>;

/** One line of the answer: output as it is written, then the exit code. */
export type BridgeLine = { stream: 'stdout' | 'stderr'; text: string } | { exit: number };

/** What the server lends a bridged command. */
export interface BridgeHost {
  commands: Command[];
  env: Env;
  clock: Clock;
  database: DatabaseHandle;
  github: () => GitHub;
  /** Aborted when the server stops. */
  shutdownSignal: AbortSignal;
}

/** Why the server will not run this command, if it will not: a config other than its own. */
export function bridgeMismatch(request: BridgeRequest, env: Env): string | undefined {
  if (request.configFile === env.configFile) return undefined;
  return (
    `radar serve (pid ${process.pid}) reads the config ${env.configFile}, this command ${request.configFile}: ` +
    'run it with the same RADAR_CONFIG, or stop radar serve'
  );
}

/** Runs a bridged command inside the server; `emit` carries its output to the client. */
export async function runBridged(
  request: BridgeRequest,
  host: BridgeHost,
  emit: (line: BridgeLine) => void,
  clientGone: AbortSignal,
): Promise<number> {
  const output = (stream: 'stdout' | 'stderr', isTTY: boolean): Output => ({
    write: (text) => emit({ stream, text }),
    isTTY,
  });
  // As in main.ts: on the client's terminal, log lines go above the progress bar, not into it.
  const stderr = request.tty.stderr ? new StatusLine(output('stderr', true)) : output('stderr', false);
  let config: Config | undefined;
  const ctx: CliContext = {
    env: { ...host.env, editor: request.editor, logLevel: request.logLevel },
    cwd: request.cwd,
    stdout: output('stdout', request.tty.stdout),
    stderr,
    logger: createLogger({ level: request.logLevel, destination: stderr }),
    clock: host.clock,
    // Read again for each command, so that an edit since serve started (radar tune --write) counts.
    config: () => {
      config ??= loadConfig(host.env.configFile);
      return config;
    },
    database: async () => host.database,
    github: host.github,
    shutdownSignal: AbortSignal.any([host.shutdownSignal, clientGone]),
  };
  return runCommand(host.commands, request.argv, () => ctx, stderr);
}

/**
 * Sends a command to the running serve and writes its output here as it comes. Node's http
 * rather than fetch: a backfill may print nothing for longer than fetch's body timeout.
 */
export function forwardCommand(
  address: BridgeAddress,
  request: BridgeRequest,
  io: { stdout: Output; stderr: Output },
  signal: AbortSignal,
): Promise<number> {
  const server = `radar serve (pid ${address.pid}) at ${address.url}`;
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(request);
    let exit: number | undefined;
    let answered = false;
    const req = httpRequest(
      new URL(BRIDGE_PATH, address.url),
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          [BRIDGE_HEADER]: address.key,
        },
      },
      (res) => {
        answered = true;
        res.setEncoding('utf8');
        let buffer = '';
        if (res.statusCode !== 200) {
          res.on('data', (chunk: string) => (buffer += chunk));
          res.on('end', () => reject(refusal(server, res.statusCode ?? 0, buffer)));
          return;
        }
        res.on('data', (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
            const line = JSON.parse(buffer.slice(0, end)) as BridgeLine;
            buffer = buffer.slice(end + 1);
            if ('exit' in line) exit = line.exit;
            else (line.stream === 'stdout' ? io.stdout : io.stderr).write(line.text);
          }
        });
        res.on('close', () => {
          if (exit !== undefined) resolve(exit);
          else if (signal.aborted) resolve(130);
          else
            reject(
              new DatabaseBusyError(
                `lost ${server} while it ran the command: it may or may not have finished (radar runs, radar issue list tell)`,
              ),
            );
        });
      },
    );
    req.on('error', (error) => {
      if (answered) return; // the answer's close reports it
      if (signal.aborted) return resolve(130);
      reject(
        new DatabaseBusyError(
          `${server} holds the embedded database but does not answer (${(error as NodeJS.ErrnoException).code ?? error.message}); ` +
            'wait for it to start or stop it, or set DATABASE_URL to share a PostgreSQL server between processes',
        ),
      );
    });
    // Ctrl-C here: closing the connection stops the command in the server (its runs end cleanly).
    signal.addEventListener('abort', () => req.destroy(), { once: true });
    req.end(body);
  });
}

function refusal(server: string, status: number, body: string): RadarError {
  let message = body.slice(0, 500);
  try {
    message = String((JSON.parse(body) as { error?: unknown }).error ?? message);
  } catch {
    // not JSON: the text itself
  }
  if (status === 409) return new ConfigError(message);
  return new DatabaseBusyError(`${server} refused the command (${status}): ${message}`);
}
