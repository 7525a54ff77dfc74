import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { createIssue, promote } from '../../src/editorial/issues.js';
import { fixedClock } from '../../src/lib/clock.js';
import { PROJECT_ROOT } from './build.js';
import { writeConfig } from './cli.js';
import { type FakeGitHub, startFakeGitHub } from './fake-github.js';
import { GitHubWorld } from './github-world.js';
import { describeExit, type RadarExit, radarEnv, startRadar } from './radar-process.js';
import { openStore, type StoreLocation } from './store-dump.js';
import type { Store } from './stores.js';

/**
 * What the crash-point and fault suites share: a fake GitHub serving the world, the child's
 * environment, a reference (uninterrupted) run with its timings, and the figures every trial
 * adds to the suite's record (printed at the end, and kept in test/artifacts/).
 */

export interface Bench {
  world: GitHubWorld;
  github: FakeGitHub;
  close(): Promise<void>;
}

export async function startBench(): Promise<Bench> {
  const world = new GitHubWorld();
  const github = await startFakeGitHub(world.route);
  return { world, github, close: () => github.close() };
}

export function childEnv(bench: Bench, store: Store, configFile: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return radarEnv({ ...store.env, RADAR_CONFIG: configFile, GITHUB_API_URL: bench.github.url, ...extra });
}

export function configFile(yaml: string): string {
  return writeConfig(yaml);
}

export interface ReferenceRun {
  exit: RadarExit;
  requests: number;
  /** From the last answer GitHub sent to the process's exit: the work after the last request. */
  tailMs: number;
  /** How many runs it logged as finished ("run finished"): the last one starts the scoring pass. */
  runsFinished: number;
  /** From the last "run finished" log to the end of scoring and grouping ("rescored"), if any. */
  scoringMs: number | null;
}

/** Runs a command to its end with nothing injected, timing what comes after its last request. */
export async function referenceRun(bench: Bench, args: string[], env: NodeJS.ProcessEnv): Promise<ReferenceRun> {
  bench.github.reset();
  let lastAnswer = Date.now();
  bench.github.tap = {
    answered: () => {
      lastAnswer = Date.now();
    },
  };
  const exit = await startRadar(args, env).exited;
  const ended = Date.now();
  bench.github.tap = null;
  if (exit.code !== 0) throw new Error(`the uninterrupted radar ${args.join(' ')} failed: ${describeExit(exit)}`);
  const logs = exit.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string; time: string });
  const finished = logs.filter((l) => l.msg === 'run finished');
  const rescored = logs.filter((l) => l.msg === 'rescored').at(-1);
  const lastFinished = finished.at(-1);
  return {
    exit,
    requests: bench.github.requests.length,
    tailMs: Math.max(0, ended - lastAnswer),
    runsFinished: finished.length,
    scoringMs: rescored && lastFinished ? Math.max(0, Date.parse(rescored.time) - Date.parse(lastFinished.time)) : null,
  };
}

export interface TrialFigure {
  suite: 'crash' | 'fault';
  command: string;
  dialect: string;
  point: string;
  killed: boolean;
  lost: number;
  duplicates: number;
  problems: string[];
  ms: number;
}

export function summarize(figures: TrialFigure[], file: string): string {
  const lines: string[] = [];
  const groups = new Map<string, TrialFigure[]>();
  figures.sort((a, b) => a.command.localeCompare(b.command) || a.point.localeCompare(b.point, 'en', { numeric: true }));
  for (const f of figures) {
    const key = `${f.command} [${f.dialect}]`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  for (const [key, trials] of groups) {
    const killed = trials.filter((t) => t.killed).length;
    const failing = trials.filter((t) => t.problems.length > 0).length;
    const lost = trials.reduce((n, t) => n + t.lost, 0);
    const duplicates = trials.reduce((n, t) => n + t.duplicates, 0);
    const seconds = (trials.reduce((n, t) => n + t.ms, 0) / 1000).toFixed(1);
    lines.push(
      `${key}: ${trials.length} points tried (${killed} killed), ${lost} items lost, ${duplicates} duplicates, ${failing} trials differing from the uninterrupted run, ${seconds} s`,
    );
  }
  const dir = join(PROJECT_ROOT, 'test/artifacts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), `${JSON.stringify(figures, null, 2)}\n`);
  return lines.join('\n');
}

/** Runs `work` for every item, as many at once as there are benches (each trial on its own fake GitHub). */
export async function inSlots<T>(
  benches: Bench[],
  items: readonly T[],
  work: (item: T, bench: Bench) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  await Promise.all(
    benches.map(async (bench) => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item, bench);
    }),
  );
}

/**
 * A draft digest issue with the leads of the best three stories of the period promoted into it,
 * written straight into the store (the editor's steps are not under test here, and five radar
 * commands would take seconds).
 */
export async function prepareIssue(location: StoreLocation, configPath: string, volume: number): Promise<void> {
  const handle = await openStore(location);
  try {
    const config = loadConfig(configPath);
    const deps = { db: handle.db, config, clock: fixedClock('2019-06-16T09:00:00Z'), editor: 'crash-suite' };
    const period = { from: new Date('2019-05-01T00:00:00Z'), to: new Date('2019-06-15T00:00:00Z') };
    await createIssue(deps, { volume, period });
    const leads = await handle.db
      .selectFrom('stories')
      .select('lead_item_id')
      .where('first_occurred_at', '>=', period.from)
      .where('last_occurred_at', '<', period.to)
      .orderBy('score', 'desc')
      .orderBy('key')
      .limit(3)
      .execute();
    for (const { lead_item_id } of leads) if (lead_item_id !== null) await promote(deps, { itemId: lead_item_id, volume });
  } finally {
    await handle.close();
  }
}
