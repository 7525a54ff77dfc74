import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { allows } from '../../src/domain/access.js';
import { hashPassword, newToken, PASSWORD_HASH, sameSecret, tokenHash, verifyPassword } from '../../src/lib/secrets.js';
import { csrfProblem } from '../../src/web/auth/csrf.js';
import { createThrottle } from '../../src/web/auth/throttle.js';
import { runCli, writeConfig } from '../tools/cli.js';

const CONFIG = `# the team's radar
projects:
  - name: Kubernetes
    repos:
      - repo: kubernetes/kubernetes
        sources: [pulls]
`;

describe('passwords and tokens', () => {
  it('hashes passwords with scrypt and checks them in constant time', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(PASSWORD_HASH);
    expect(hash).not.toContain('correct');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterz', hash)).toBe(false);
    expect(await verifyPassword('x', 'not a hash')).toBe(false);
    expect(await hashPassword('correct horse battery')).not.toBe(hash); // salted
  });

  it('makes tokens that are stored only as digests', () => {
    const { token, hash } = newToken();
    expect(token).toMatch(/^radar_[\w-]{43}$/);
    expect(hash).toBe(tokenHash(token));
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(sameSecret(token, token)).toBe(true);
    expect(sameSecret(token, `${token}x`)).toBe(false);
  });

  it('lets a maintainer do what an editor may, not the other way round', () => {
    expect(allows('maintainer', 'editor')).toBe(true);
    expect(allows('editor', 'editor')).toBe(true);
    expect(allows('editor', 'maintainer')).toBe(false);
  });
});

describe('CSRF', () => {
  const base = {
    method: 'POST',
    url: 'http://127.0.0.1:3000/api/items/1/dismiss',
    origin: 'http://127.0.0.1:3000',
    referer: undefined,
    contentType: 'application/json',
    token: 'tok',
  };
  it('lets same-origin requests with the token through, and reads are never checked', () => {
    expect(csrfProblem(base, 'tok')).toBeNull();
    expect(csrfProblem({ ...base, origin: undefined, referer: 'http://127.0.0.1:3000/week' }, 'tok')).toBeNull();
    expect(csrfProblem({ ...base, method: 'GET', origin: 'https://evil.example', token: undefined }, 'tok')).toBeNull();
    expect(csrfProblem({ ...base, contentType: 'application/x-www-form-urlencoded' }, 'tok')).toBeNull();
  });
  it.each([
    [{ origin: 'https://evil.example' }, /cross-origin/],
    [{ origin: 'http://127.0.0.1:3001' }, /cross-origin/],
    [{ origin: undefined }, /must say where it comes from/],
    [{ contentType: 'text/plain' }, /text\/plain refused/],
    [{ token: undefined }, /CSRF token/],
    [{ token: 'tok2' }, /CSRF token/],
  ])('refuses %o', (change, problem) => {
    expect(csrfProblem({ ...base, ...change }, 'tok')).toMatch(problem);
  });
});

describe('sign-in throttling', () => {
  it('lets five failures pass, then doubles the wait, and forgets after a success', () => {
    const throttle = createThrottle({ free: 5, baseMs: 60_000, maxMs: 3_600_000 });
    const keys = ['name:alice', 'address:10.0.0.1'];
    for (let i = 0; i < 5; i++) {
      expect(throttle.waitFor(keys, 1000 * i)).toBe(0);
      throttle.failed(keys, 1000 * i);
    }
    expect(throttle.waitFor(keys, 4000)).toBe(60_000);
    throttle.failed(keys, 70_000);
    expect(throttle.waitFor(keys, 70_000)).toBe(120_000);
    // Another name from another address is not slowed down.
    expect(throttle.waitFor(['name:bob', 'address:10.0.0.2'], 70_000)).toBe(0);
    throttle.succeeded(keys);
    expect(throttle.waitFor(keys, 70_000)).toBe(0);
  });
});

describe('radar users and radar tokens', () => {
  it('adds, lists and removes accounts in the config file, keeping its comments, never the secret in clear', async () => {
    const file = writeConfig(CONFIG);
    const database = undefined as never;
    const run = (argv: string[], stdin?: string) => runCli(argv, { database, configFile: file, stdin });
    const added = await run(['users', 'add', 'alice', '--role', 'maintainer'], 'correct horse battery\n');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('added user alice (maintainer)');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain("# the team's radar");
    expect(text).not.toContain('correct horse battery');
    expect(loadConfig(file).access.users).toEqual([
      { name: 'alice', role: 'maintainer', password: expect.stringMatching(PASSWORD_HASH) },
    ]);

    expect((await run(['users', 'add', 'bob'], 'short\n')).code).toBe(64);
    expect((await run(['users', 'add', 'bob', '--role', 'admin'], 'correct horse battery\n')).stderr).toContain(
      '--role: "admin" is not a role (expected one of editor, maintainer)',
    );
    expect((await run(['users', 'add', 'bob'])).stderr).toContain('give the password on standard input');

    const token = await run(['tokens', 'add', 'ci']);
    expect(token.code).toBe(0);
    const shown = token.stdout.trim();
    expect(shown).toMatch(/^radar_/);
    expect(readFileSync(file, 'utf8')).not.toContain(shown);
    expect(loadConfig(file).access.tokens).toEqual([{ name: 'ci', role: 'editor', hash: tokenHash(shown) }]);
    expect(JSON.parse((await run(['tokens', 'list', '--json'])).stdout)).toEqual([{ name: 'ci', role: 'editor' }]);

    expect((await run(['users', 'remove', 'alice'])).code).toBe(0);
    expect((await run(['users', 'remove', 'alice'])).code).toBe(66);
    expect(loadConfig(file).access.users).toEqual([]);
  });

  it('refuses a config with a password in clear or a duplicate account', () => {
    const clear = writeConfig(`${CONFIG}access:\n  users:\n    - name: alice\n      role: editor\n      password: hunter2\n`);
    expect(() => loadConfig(clear)).toThrow(/access\.users\[0\]\.password: expected a scrypt hash written by `radar users add`/);
    const twice = writeConfig(
      `${CONFIG}access:\n  tokens:\n    - {name: ci, role: editor, hash: "sha256:${'a'.repeat(64)}"}\n    - {name: CI, role: editor, hash: "sha256:${'b'.repeat(64)}"}\n`,
    );
    expect(() => loadConfig(twice)).toThrow(/access\.tokens\[1\]\.name: duplicate name "CI"/);
  });
});
