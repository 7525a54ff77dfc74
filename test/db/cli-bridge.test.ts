import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { type BridgeAddress, type BridgeRequest, forwardCommand, newBridgeKey } from '../../src/cli/bridge.js';
import { commands } from '../../src/cli/commands/index.js';
import { loadEnv } from '../../src/config/env.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createApp } from '../../src/web/app.js';
import { cliBridge } from '../../src/web/cli-bridge.js';
import { type RunningServer, startServer } from '../../src/web/server.js';
import { describeEachDialect } from '../tools/db.js';
import { seedWeek } from '../tools/editorial.js';
import { testGitHub } from '../tools/github-mock.js';

/**
 * The CLI bridge of `radar serve`, over real HTTP: the key is the only way in, and a command
 * sent through it runs against the server's database as the client's editor, with the client's
 * working directory, its output streamed back and its exit code last.
 */
describeEachDialect('CLI bridge', (t) => {
  let server: RunningServer | undefined;
  const stopping = new AbortController();
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start() {
    const seeded = await seedWeek(t().db);
    const configFile = seeded.config.file as string;
    const env = loadEnv({ RADAR_CONFIG: configFile, GITHUB_TOKEN: 'server-token' }, tmpdir());
    const key = newBridgeKey();
    const bridge = cliBridge(
      {
        commands,
        env,
        clock: fixedClock('2019-06-24T00:00:00Z'),
        database: t().handle,
        github: () => testGitHub(),
        shutdownSignal: stopping.signal,
      },
      key,
      silentLogger(),
    );
    const app = createApp({
      db: t().db,
      config: seeded.config,
      clock: fixedClock('2019-06-24T00:00:00Z'),
      logger: silentLogger(),
      github: () => testGitHub(),
      unauthenticated: bridge,
    });
    server = await startServer(app, 0);
    const address: BridgeAddress = { pid: process.pid, url: server.url, key, configFile };
    const request = (argv: string[], extra: Partial<BridgeRequest> = {}): BridgeRequest => ({
      argv,
      cwd: process.cwd(),
      editor: 'carol',
      logLevel: 'warn',
      configFile,
      tty: { stdout: false, stderr: false },
      ...extra,
    });
    const run = async (argv: string[], extra: Partial<BridgeRequest> = {}, at: BridgeAddress = address) => {
      let stdout = '';
      let stderr = '';
      const code = await forwardCommand(
        at,
        request(argv, extra),
        { stdout: { write: (text) => (stdout += text) }, stderr: { write: (text) => (stderr += text) } },
        new AbortController().signal,
      );
      return { code, stdout, stderr };
    };
    return { ...seeded, address, key, run, request };
  }

  it('runs a command in the server as the client editor, streaming its output', async () => {
    const { run, ids, deps } = await start();
    const listed = await run(['candidates', '--week', '2019-W25', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((c: { id: number }) => c.id)).toContain(ids['14950']);

    expect((await run(['issue', 'new', '--volume', '7', '--week', '2019-W25'])).code).toBe(0);
    const promoted = await run(['promote', String(ids['14950']), '--issue', '7']);
    expect(promoted).toMatchObject({ code: 0, stderr: '' });
    const decisions = await deps.db.selectFrom('decisions').select(['item_id', 'editor', 'action']).execute();
    expect(decisions).toEqual([{ item_id: ids['14950'], editor: 'carol', action: 'promote' }]);
  });

  it('writes --out files relative to the client working directory', async () => {
    const { run } = await start();
    const cwd = mkdtempSync(join(tmpdir(), 'radar-bridge-cwd-'));
    await run(['issue', 'new', '--volume', '3', '--week', '2019-W25']);
    const rendered = await run(['issue', 'render', '3', '--out', 'digest.md'], { cwd });
    expect(rendered.code).toBe(0);
    expect(rendered.stderr).toContain('wrote issue 3');
    expect(readFileSync(join(cwd, 'digest.md'), 'utf8')).toMatch(/^# /);
  });

  it('passes usage errors and exit codes through, and logs at the client level to its stderr', async () => {
    const { run } = await start();
    const bad = await run(['issue', 'show', '999']);
    expect(bad.code).toBe(66);
    expect(bad.stderr).toMatch(/radar issue: .*999/);
    const logged = await run(['rescore'], { logLevel: 'info' });
    expect(logged.code).toBe(0);
    const lines = logged.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ app: 'radar' });
  });

  it('refuses a request without the key, with another key, a bad body or another config', async () => {
    const { address, request, run } = await start();
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${address.url}/internal/cli`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    expect((await post({}, request(['runs']))).status).toBe(401);
    expect((await post({ 'x-radar-bridge': newBridgeKey() }, request(['runs']))).status).toBe(401);
    const malformed = await post({ 'x-radar-bridge': address.key }, { ...request(['runs']), argv: 'runs' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/^body\.argv: /);
    // Nothing ran: no run was recorded, no decision made.
    expect(await t().db.selectFrom('runs').select('id').execute()).toEqual([]);

    await expect(run(['runs'], { configFile: '/elsewhere/radar.yaml' })).rejects.toThrow(
      /reads the config .*radar\.yaml, this command \/elsewhere\/radar\.yaml: run it with the same RADAR_CONFIG/,
    );
    await expect(run(['runs'], {}, { ...address, key: newBridgeKey() })).rejects.toThrow(/refused the command \(401\)/);
  });

  it('says so when the server does not answer', async () => {
    const { address, run } = await start();
    await server?.close();
    server = undefined;
    await expect(run(['runs'], {}, address)).rejects.toThrow(
      /radar serve \(pid \d+\) at http:\/\/127\.0\.0\.1:\d+ holds the embedded database but does not answer \(ECONNREFUSED\)/,
    );
  });
});
