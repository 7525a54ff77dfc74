import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, RADAR_BIN } from '../tools/build.js';
import { writeConfig } from '../tools/cli.js';
import { type FakeGitHub, startFakeGitHub } from '../tools/fake-github.js';
import { issueJson, repositoryJson } from '../tools/github-fixtures.js';

/**
 * The real command, as `npm start` runs it: a fresh embedded database, the scheduler catching up
 * at start, a clean shutdown on SIGTERM; then other commands on the same data.
 */

const REPO = 'containerd/containerd';
const merged = issueJson({
  repo: REPO,
  number: 3210,
  title: 'Add runtime v2 shim <script>alert(1)</script>',
  createdAt: '2026-11-20T10:00:00Z',
  updatedAt: '2026-11-21T10:00:00Z',
  pull: { mergedAt: '2026-11-21T09:00:00Z' },
});

let github: FakeGitHub;
const dataDir = mkdtempSync(join(tmpdir(), 'radar-serve-'));
const configFile = writeConfig(`projects:\n  - name: containerd\n    repos:\n      - repo: ${REPO}\n        sources: [pulls]\n`);

const API_TOKEN = 'e2e-api-token-of-enough-length-0123456789';

function env(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    PORT: '0',
    RADAR_API_TOKEN: API_TOKEN,
    RADAR_DATA_DIR: dataDir,
    RADAR_CONFIG: configFile,
    GITHUB_API_URL: github.url,
    GITHUB_TOKEN: 'e2e-token',
  };
}

function radar(
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
  cwd = PROJECT_ROOT,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RADAR_BIN, ...args], { cwd, env: { ...env(), ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function waitForLog(child: ChildProcess, message: string, output: { text: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${message}" log within 60 s:\n${output.text}`)), 60_000);
    const check = () => {
      if (output.text.includes(`"msg":"${message}"`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr?.on('data', check);
    check();
  });
}

beforeAll(async () => {
  github = await startFakeGitHub((_request, url, body) => {
    if (url.pathname === `/repos/${REPO}`) return { body: repositoryJson(REPO) };
    if (url.pathname === `/repos/${REPO}/issues`) return { body: [merged] };
    if (url.pathname === '/graphql') {
      const number = (body as { variables: { n0: number } }).variables.n0;
      const details = {
        number,
        state: 'MERGED',
        merged: true,
        mergedAt: '2026-11-21T09:00:00Z',
        additions: 40,
        deletions: 3,
        changedFiles: 2,
        reviews: { totalCount: 2 },
        files: { totalCount: 0, nodes: [] },
      };
      return {
        body: { data: { rateLimit: { cost: 1, remaining: 4999, resetAt: '2026-11-28T00:00:00Z' }, repository: { p0: details } } },
      };
    }
    return undefined;
  });
});

afterAll(async () => {
  await github.close();
});

describe('radar serve on the embedded database', () => {
  it('starts with nothing installed, polls what is overdue, runs the other commands, refuses a second scheduler, and stops cleanly on SIGTERM', async () => {
    const serve = spawn(process.execPath, [RADAR_BIN, 'serve'], { cwd: PROJECT_ROOT, env: env() });
    const output = { text: '' };
    serve.stderr.on('data', (d) => (output.text += d));
    const exited = new Promise<number | null>((resolve) => serve.on('close', resolve));

    await waitForLog(serve, 'radar started', output);
    await waitForLog(serve, 'job finished', output);
    expect(output.text).toContain('"reason":"never run"');

    // The JSON API is served by the same process, over real HTTP.
    const url = /"msg":"radar started"/.test(output.text) ? /"url":"(http:\/\/[^"]+)"/.exec(output.text)?.[1] : undefined;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/api/health`)).json()).toEqual({ ok: true });
    // Nothing but the health check without an account; a script signs in with a token.
    expect((await fetch(`${url}/api/candidates?from=2026-11-01&to=2026-12-01`)).status).toBe(401);
    const api = (await (
      await fetch(`${url}/api/candidates?from=2026-11-01&to=2026-12-01`, { headers: { authorization: `Bearer ${API_TOKEN}` } })
    ).json()) as { items: unknown[] };
    // Scored and grouped by the scheduler's pass after the polls that stored something.
    expect(output.text).toContain('"msg":"rescored"');
    expect(api.items).toMatchObject([{ kind: 'pull', repo: REPO, number: 3210, story_id: expect.any(Number) }]);

    // The other commands run through serve (the CLI bridge), as the editor who typed them.
    expect(statSync(join(dataDir, 'serve.json')).mode & 0o777).toBe(0o600);
    const through = await radar(['candidates', '--from', '2026-11-01', '--to', '2026-12-01', '--json']);
    expect(through).toMatchObject({ code: 0, stderr: '' });
    const [candidate] = JSON.parse(through.stdout) as Array<{ id: number; number: number }>;
    expect(candidate).toMatchObject({ number: 3210 });
    expect((await radar(['issue', 'new', '--volume', '1', '--from', '2026-11-01', '--to', '2026-12-01'])).code).toBe(0);
    const promoted = await radar(['promote', String(candidate?.id), '--issue', '1'], { RADAR_EDITOR: 'carol' });
    expect(promoted.code).toBe(0);
    const cwd = mkdtempSync(join(tmpdir(), 'radar-serve-cwd-'));
    const rendered = await radar(['issue', 'render', '1', '--out', 'issue-1.md'], {}, cwd);
    expect(rendered.code).toBe(0);
    expect(readFileSync(join(cwd, 'issue-1.md'), 'utf8')).toContain('Add runtime v2 shim');
    expect(output.text).toContain('"command":"promote","editor":"carol","msg":"cli command through the bridge"');
    // What needs the database to itself is refused, saying why.
    const worker = await radar(['worker']);
    expect(worker.code).toBe(75);
    expect(worker.stderr).toMatch(/the embedded database in .* is in use by another radar process \(pid \d+: radar serve\)/);

    serve.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dataDir, 'serve.json'))).toBe(false);
    expect(output.text).toContain('"msg":"scheduler stopped"');
    for (const line of output.text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(output.text).not.toContain('e2e-token');
    expect(output.text).not.toContain(API_TOKEN);

    // With serve stopped, commands open the database themselves; the promotion was kept.
    const listed = await radar(['candidates', '--from', '2026-11-01', '--to', '2026-12-01', '--all', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ kind: 'pull', repo: REPO, number: 3210 }]);
    expect((await radar(['issue', 'show', '1'])).stdout).toContain('Add runtime v2 shim');

    const runs = await radar(['runs', '--json']);
    expect(JSON.parse(runs.stdout)).toMatchObject([
      { repo: REPO, source: 'pulls', trigger: 'schedule', status: 'succeeded', items_new: 1 },
      { repo: REPO, source: 'repo', trigger: 'schedule', status: 'succeeded' },
    ]);
  });

  it('after a kill -9, the next command opens the database itself despite the stale serve.json', async () => {
    const serve = spawn(process.execPath, [RADAR_BIN, 'serve'], { cwd: PROJECT_ROOT, env: env() });
    const output = { text: '' };
    serve.stderr.on('data', (d) => (output.text += d));
    const exited = new Promise((resolve) => serve.on('close', resolve));
    await waitForLog(serve, 'radar started', output);
    serve.kill('SIGKILL');
    await exited;
    expect(existsSync(join(dataDir, 'serve.json'))).toBe(true);
    const runs = await radar(['runs', '--json']);
    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.stdout).length).toBeGreaterThan(0);
  });

  it('exits non-zero with the path inside the file for a bad config, before starting anything', async () => {
    const bad = writeConfig('projects:\n  - name: X\n    repos:\n      - repo: nope\n        sources: [pulls]\n');
    const child = spawn(process.execPath, [RADAR_BIN, 'serve'], { cwd: PROJECT_ROOT, env: { ...env(), RADAR_CONFIG: bad } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(78);
    expect(stderr).toContain('projects[0].repos[0].repo: "nope" is not owner/name (line 4)');
  });
});
