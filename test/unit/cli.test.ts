import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schedulerOptions } from '../../src/cli/commands/serve.js';
import { ConfigError } from '../../src/lib/errors.js';
import type { DatabaseHandle } from '../../src/store/db.js';
import { runCli, writeConfig } from '../tools/cli.js';

const CONFIG = writeConfig('projects:\n  - name: K\n    repos:\n      - repo: kubernetes/kubernetes\n        sources: [pulls]\n');
// Usage errors are found before anything is opened: a database that must never be touched.
const untouchable = new Proxy({} as DatabaseHandle, {
  get() {
    throw new Error('the database should not be opened for a usage error');
  },
});
const run = (argv: string[], configFile = CONFIG) => runCli(argv, { database: untouchable, configFile });

describe('radar command line', () => {
  it('lists the commands on --help and explains one with help <command>', async () => {
    const overview = await run(['--help']);
    expect(overview.code).toBe(0);
    for (const name of ['serve', 'worker', 'poll', 'backfill', 'candidates', 'repos', 'runs', 'migrate']) {
      expect(overview.stderr).toMatch(new RegExp(`\\n  ${name}\\s`));
    }
    const poll = await run(['help', 'poll']);
    expect(poll.stderr).toContain('usage: radar poll [--repo o/r]...');
  });

  it('refuses unknown commands and flags with exit 64 and the usage', async () => {
    expect(await run(['pull'])).toMatchObject({ code: 64, stderr: expect.stringContaining('unknown command "pull"') });
    const flag = await run(['poll', '--sincee', '2019-05-01']);
    expect(flag.code).toBe(64);
    expect(flag.stderr).toContain("radar poll: unknown option '--sincee'");
    expect(flag.stderr).toContain('usage: radar poll');
  });

  it('names the flag and the expected format for bad values', async () => {
    expect((await run(['poll', '--since', 'yesterday'])).stderr).toContain('--since: "yesterday" is not an ISO 8601 date');
    expect((await run(['poll', '--source', 'commits'])).stderr).toContain('--source: "commits" is not a source');
    expect((await run(['poll', '--since', '2019-05-02', '--until', '2019-05-01'])).stderr).toContain(
      '--until (2019-05-01) must be after --since',
    );
    expect((await run(['candidates', '--week', '2019-20'])).stderr).toContain('"2019-20" is not an ISO week like 2019-W20');
    expect((await run(['candidates', '--limit', '0'])).stderr).toContain(
      '--limit: "0" is not a whole number from 1 to 2147483647',
    );
    expect((await run(['backfill'])).stderr).toContain('--since is required');
  });

  it('refuses impossible dates in every date flag with exit 64, naming the flag and the value', async () => {
    const cases: Array<[string[], string]> = [
      [['poll', '--since', '2019-02-30'], '--since: "2019-02-30" is not a valid date: February 2019 has 28 days'],
      [
        ['poll', '--until', '2019-04-31T10:00:00Z'],
        '--until: "2019-04-31T10:00:00Z" is not a valid date: April 2019 has 30 days',
      ],
      [['backfill', '--since', '2019-13-01'], '--since: "2019-13-01" is not a valid date: there is no month 13'],
      [
        ['candidates', '--from', '2019-02-30', '--to', '2019-03-10'],
        '--from: "2019-02-30" is not a valid date: February 2019 has 28 days',
      ],
      [['candidates', '--from', '2019-02-01', '--to', '2019-02-29'], '--to: "2019-02-29" is not a valid date'],
      [['candidates', '--week', '2019-W53'], '--week: "2019-W53": 2019 has no week 53'],
      [
        ['coverage', '--from', '2019-06-31', '--to', '2019-07-02'],
        '--from: "2019-06-31" is not a valid date: June 2019 has 30 days',
      ],
      [['issue', 'new', '--volume', '3', '--week', '2019-W00'], '--week: "2019-W00": 2019 has no week 0'],
      [['snooze', '12', '--until', '2019-09-31'], '--until: "2019-09-31" is not a valid date: September 2019 has 30 days'],
      [['dismiss', '12', '--week', '2019-W54'], '--week: "2019-W54": 2019 has no week 54'],
    ];
    for (const [argv, message] of cases) {
      const result = await run(argv);
      expect({ argv, code: result.code }).toEqual({ argv, code: 64 });
      expect(result.stderr).toContain(message);
    }
  });

  it('stops with exit 78 and the config path on an invalid config', async () => {
    const bad = writeConfig('projects:\n  - name: K\n    repos:\n      - repo: kubernetes\n        sources: [pulls]\n');
    const result = await run(['poll'], bad);
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/radar\.yaml: projects\[0\]\.repos\[0\]\.repo: "kubernetes" is not owner\/name \(line 4\)/);
  });

  it('radar repos add then remove leaves the config file byte for byte as it was', async () => {
    const text =
      '# watched\nprojects:\n    - name: K      # kube\n      repos:\n        -  repo: kubernetes/kubernetes  # main\n           sources: [pulls]\n';
    const file = writeConfig(text);
    const added = await run(['repos', 'add', 'kubernetes/kubectl', '--project', 'K'], file);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toMatch(/^added kubernetes\/kubectl \(pulls, releases\) to project K in /);
    expect(readFileSync(file, 'utf8')).toBe(
      `${text}        -  repo: kubernetes/kubectl\n           sources: [pulls, releases]\n`,
    );
    expect((await run(['repos', 'remove', 'kubernetes/kubectl'], file)).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('shows the watch list without opening the database', async () => {
    const listed = await run(['repos', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/K\s+kubernetes\/kubernetes\s+pulls\s+pulls: \*\/30 \* \* \* \*/);
  });
});

describe('RADAR_SCHEDULER_TICK_MS (radar serve and radar worker)', () => {
  it('sets how often due jobs are claimed; unset or empty keeps the default', () => {
    expect(schedulerOptions({ RADAR_SCHEDULER_TICK_MS: '250' })).toEqual({ tickMs: 250 });
    expect(schedulerOptions({})).toEqual({});
    expect(schedulerOptions({ RADAR_SCHEDULER_TICK_MS: '' })).toEqual({});
  });

  it.each(['fast', '99', '1.5', '3600001'])('refuses %s, naming the variable', (value) => {
    expect(() => schedulerOptions({ RADAR_SCHEDULER_TICK_MS: value })).toThrow(ConfigError);
    expect(() => schedulerOptions({ RADAR_SCHEDULER_TICK_MS: value })).toThrow(
      /RADAR_SCHEDULER_TICK_MS: expected whole milliseconds/,
    );
  });
});
