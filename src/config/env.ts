import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../lib/errors.js';
import { packageRoot } from '../lib/paths.js';

/** The environment contract of DESIGN.md, validated once at start. */
export interface Env {
  databaseUrl: string | undefined;
  dataDir: string;
  githubToken: string | undefined;
  githubApiUrl: string;
  configFile: string;
  port: number;
  /** Interface the web server binds: loopback unless a maintainer opens it up. */
  host: string;
  /** A bearer token for automation (role editor), besides the config's tokens. */
  apiToken: string | undefined;
  /** When set, /metrics answers only with it as a bearer token. */
  metricsToken: string | undefined;
  editor: string | undefined;
  logLevel: string;
}

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'expected a postgres:// or postgresql:// URL' })
    .optional(),
  RADAR_DATA_DIR: z.string().min(1).default('./.radar'),
  GITHUB_TOKEN: z.string().optional(),
  GITHUB_API_URL: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://api.github.com' })
    .default('https://api.github.com'),
  RADAR_CONFIG: z.string().min(1).optional(),
  PORT: z.coerce
    .number({ error: 'expected a port number' })
    .int({ error: 'expected a port number' })
    .min(0, { error: 'expected a port between 0 and 65535' })
    .max(65535, { error: 'expected a port between 0 and 65535' })
    .default(3000),
  HOST: z
    .string()
    .regex(/^[\w.:-]+$/, { error: 'expected an address to bind, such as 127.0.0.1, 0.0.0.0 or ::1' })
    .default('127.0.0.1'),
  RADAR_API_TOKEN: z.string().min(20, { error: 'expected a token of at least 20 characters' }).optional(),
  RADAR_METRICS_TOKEN: z.string().min(20, { error: 'expected a token of at least 20 characters' }).optional(),
  RADAR_EDITOR: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export function loadEnv(source: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Env {
  // Empty variables mean unset, as in most shells' `VAR= cmd` idiom.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      // Never echo a value: DATABASE_URL may hold a password.
      return `environment variable ${name}: ${issue.message}`;
    });
    throw new ConfigError(problems.join('\n'));
  }
  const env = result.data;
  return {
    databaseUrl: env.DATABASE_URL,
    dataDir: resolve(cwd, env.RADAR_DATA_DIR),
    githubToken: env.GITHUB_TOKEN?.trim() || undefined,
    githubApiUrl: env.GITHUB_API_URL.replace(/\/+$/, ''),
    configFile: env.RADAR_CONFIG ? resolve(cwd, env.RADAR_CONFIG) : defaultConfigFile(cwd),
    port: env.PORT,
    host: env.HOST,
    apiToken: env.RADAR_API_TOKEN?.trim() || undefined,
    metricsToken: env.RADAR_METRICS_TOKEN?.trim() || undefined,
    editor: env.RADAR_EDITOR,
    logLevel: env.LOG_LEVEL,
  };
}

/**
 * config/radar.yaml in the working directory, as DESIGN.md says; when radar runs from elsewhere
 * and there is none, the watch list shipped with the package.
 */
function defaultConfigFile(cwd: string): string {
  const local = resolve(cwd, 'config/radar.yaml');
  if (existsSync(local)) return local;
  return join(packageRoot(), 'config/radar.yaml');
}
