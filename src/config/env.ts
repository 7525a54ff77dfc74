import { createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../lib/errors.js';
import { packageRoot } from '../lib/paths.js';

/** The environment contract of DESIGN.md, validated once at start. */
export interface Env {
  databaseUrl: string | undefined;
  dataDir: string;
  /** The first of githubTokens (the one a single-token set-up gives). */
  githubToken: string | undefined;
  /** GITHUB_TOKEN and GITHUB_TOKENS, without repeats: one budget shared over all of them. */
  githubTokens: string[];
  /** A GitHub App whose installations radar authenticates as (besides or instead of tokens). */
  githubApp: GitHubAppEnv | undefined;
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

export interface GitHubAppEnv {
  appId: string;
  privateKey: KeyObject;
  installationIds: string[];
}

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'expected a postgres:// or postgresql:// URL' })
    .optional(),
  RADAR_DATA_DIR: z.string().min(1).default('./.radar'),
  GITHUB_TOKEN: z.string().optional(),
  GITHUB_TOKENS: z.string().optional(),
  GITHUB_APP_ID: z.string().regex(/^\d+$/, { error: "expected the app's numeric id" }).optional(),
  GITHUB_APP_PRIVATE_KEY: z.string().optional(),
  GITHUB_APP_PRIVATE_KEY_FILE: z.string().optional(),
  GITHUB_APP_INSTALLATION_IDS: z
    .string()
    .regex(/^\s*\d+(\s*[,\s]\s*\d+)*\s*$/, { error: 'expected numeric installation ids separated by commas' })
    .optional(),
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
  const githubTokens = [
    ...new Set([env.GITHUB_TOKEN, ...(env.GITHUB_TOKENS ?? '').split(/[\s,]+/)].map((t) => t?.trim()).filter((t) => !!t)),
  ] as string[];
  return {
    databaseUrl: env.DATABASE_URL,
    dataDir: resolve(cwd, env.RADAR_DATA_DIR),
    githubToken: githubTokens[0],
    githubTokens,
    githubApp: githubAppOf(env, cwd),
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
 * GITHUB_APP_ID, its private key (inline, with literal \n accepted as newlines as secret
 * stores often hold it, or from a file) and its installation ids come together or not at all.
 * Errors name the variable, never its value.
 */
function githubAppOf(env: z.infer<typeof envSchema>, cwd: string): GitHubAppEnv | undefined {
  const given = [
    env.GITHUB_APP_ID && 'GITHUB_APP_ID',
    (env.GITHUB_APP_PRIVATE_KEY || env.GITHUB_APP_PRIVATE_KEY_FILE) && 'GITHUB_APP_PRIVATE_KEY',
    env.GITHUB_APP_INSTALLATION_IDS && 'GITHUB_APP_INSTALLATION_IDS',
  ].filter(Boolean);
  if (given.length === 0) return undefined;
  if (given.length < 3) {
    const missing = ['GITHUB_APP_ID', 'GITHUB_APP_PRIVATE_KEY', 'GITHUB_APP_INSTALLATION_IDS'].filter((n) => !given.includes(n));
    throw new ConfigError(
      `environment variable ${missing.join(' and ')}: needed with ${given.join(' and ')} to authenticate as a GitHub App (GITHUB_APP_PRIVATE_KEY_FILE may stand for GITHUB_APP_PRIVATE_KEY)`,
    );
  }
  let pem: string;
  let source = 'GITHUB_APP_PRIVATE_KEY';
  if (env.GITHUB_APP_PRIVATE_KEY) pem = env.GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, '\n');
  else {
    source = 'GITHUB_APP_PRIVATE_KEY_FILE';
    const file = resolve(cwd, env.GITHUB_APP_PRIVATE_KEY_FILE as string);
    try {
      pem = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`environment variable ${source}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new ConfigError(
      `environment variable ${source}: expected the app's private key in PEM form (-----BEGIN RSA PRIVATE KEY-----)`,
    );
  }
  if (privateKey.asymmetricKeyType !== 'rsa')
    throw new ConfigError(`environment variable ${source}: expected an RSA key, as GitHub issues for apps`);
  const installationIds = [...new Set((env.GITHUB_APP_INSTALLATION_IDS as string).split(/[\s,]+/).filter(Boolean))];
  return { appId: env.GITHUB_APP_ID as string, privateKey, installationIds };
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
