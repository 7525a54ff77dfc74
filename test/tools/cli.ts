import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type Clock, fixedClock } from '../../src/lib/clock.js';
import { main } from '../../src/main.js';
import type { DatabaseHandle } from '../../src/store/db.js';
import { testGitHub } from './github-mock.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  logs: Array<Record<string, unknown>>;
}

export interface CliOptions {
  database: DatabaseHandle;
  configFile: string;
  env?: Record<string, string>;
  clock?: Clock;
  token?: string | null;
  /** Standard input, for commands that read it (radar users add). */
  stdin?: string;
}

/** Runs `radar ...` in-process against a test database and the mocked GitHub. */
export async function runCli(argv: string[], options: CliOptions): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const log: string[] = [];
  const token = options.token === undefined ? 'test-token' : options.token;
  const code = await main({
    argv,
    env: { RADAR_CONFIG: options.configFile, ...(token ? { GITHUB_TOKEN: token } : {}), ...options.env },
    cwd: process.cwd(),
    stdout: { write: (t) => out.push(t) },
    stderr: { write: (t) => err.push(t) },
    stdin: options.stdin === undefined ? undefined : Readable.from([Buffer.from(options.stdin)]),
    logDestination: { write: (t) => log.push(t) },
    clock: options.clock ?? fixedClock('2019-05-20T00:00:00Z'),
    overrides: {
      database: async () => options.database,
      github: (env, logger) => testGitHub({ token: env.githubToken ?? null, tokens: env.githubTokens, logger }),
    },
  });
  const stdout = out.join('');
  const stderr = err.join('');
  const logs = log
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, stdout, stderr, logs };
}

/** Writes a config file for a test and returns its path. */
export function writeConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'radar-cli-'));
  const file = join(dir, 'radar.yaml');
  writeFileSync(file, yaml);
  return file;
}
