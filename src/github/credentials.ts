import { createHash, createSign, type KeyObject } from 'node:crypto';
import { GitHubAuthError } from './errors.js';

/**
 * The credentials radar may spend GitHub's budget with: personal access tokens, and GitHub App
 * installations (each has a rate limit of its own). A credential is known by an id that is safe
 * to log, store and show (a token's is a fingerprint, never the token).
 */
export interface Credential {
  id: string;
  /** For people: "token 3fa9c1e2d0" or "GitHub App 123, installation 456". */
  description: string;
  /** The token to send; an installation's is minted and renewed as it nears expiry. */
  token(): Promise<string>;
  /** GitHub refused the token: an installation token is minted again at the next token(). */
  invalidate(): void;
}

export function tokenCredential(token: string): Credential {
  const fingerprint = createHash('sha256').update(token).digest('hex').slice(0, 10);
  return {
    id: `token:${fingerprint}`,
    description: `token ${fingerprint}`,
    token: async () => token,
    invalidate: () => {},
  };
}

export interface InstallationOptions {
  appId: string;
  installationId: string;
  privateKey: KeyObject;
  /** REST base URL (GITHUB_API_URL). */
  baseUrl: string;
  timeoutMs?: number;
  /** For tests: the time that JWTs and expiry are measured against. */
  now?: () => Date;
}

/** A token minted this long before the old one expires, so that no request carries a dying one. */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * A GitHub App installation: an installation access token (an hour's life) minted with a JWT
 * signed by the app's private key (POST /app/installations/{id}/access_tokens), kept until five
 * minutes before it expires. Concurrent callers share one mint.
 */
export function installationCredential(options: InstallationOptions): Credential {
  const now = options.now ?? (() => new Date());
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  let current: { token: string; expiresAt: number } | null = null;
  let minting: Promise<string> | null = null;
  const description = `GitHub App ${options.appId}, installation ${options.installationId}`;

  const mint = async (): Promise<string> => {
    const url = `${baseUrl}/app/installations/${encodeURIComponent(options.installationId)}/access_tokens`;
    const request = `POST /app/installations/${options.installationId}/access_tokens`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${appJwt(options.appId, options.privateKey, now())}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'radar (cloud-native upstream tracker)',
        },
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new GitHubAuthError(
        `could not mint a token for ${description} (${request}): ${(error as Error).message}`,
        0,
        request,
        { cause: error },
      );
    }
    const body = (await response.json().catch(() => ({}))) as { token?: unknown; expires_at?: unknown; message?: unknown };
    if (!response.ok || typeof body.token !== 'string') {
      const detail = typeof body.message === 'string' ? ` (${body.message})` : '';
      throw new GitHubAuthError(
        `GitHub refused to mint a token for ${description}: ${response.status}${detail} for ${request}; check GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_IDS`,
        response.status,
        request,
      );
    }
    const expiresAt = Date.parse(String(body.expires_at));
    current = { token: body.token, expiresAt: Number.isFinite(expiresAt) ? expiresAt : now().getTime() + 60 * 60_000 };
    return body.token;
  };

  return {
    id: `app:${options.appId}:installation:${options.installationId}`,
    description,
    token: async () => {
      if (current && current.expiresAt - RENEW_BEFORE_MS > now().getTime()) return current.token;
      minting ??= mint().finally(() => {
        minting = null;
      });
      return minting;
    },
    invalidate: () => {
      current = null;
    },
  };
}

/**
 * The JWT a GitHub App authenticates as itself with: RS256, issued a minute in the past (clock
 * drift, as GitHub advises), valid for nine minutes (GitHub allows ten).
 */
export function appJwt(appId: string, privateKey: KeyObject, at: Date): string {
  const seconds = Math.floor(at.getTime() / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ iat: seconds - 60, exp: seconds + 9 * 60, iss: appId }));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}

function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}
