import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Bench,
  childEnv,
  configFile,
  inSlots,
  prepareIssue,
  type ReferenceRun,
  referenceRun,
  startBench,
  summarize,
  type TrialFigure,
} from '../tools/crash-suite.js';
import { BACKFILL_SINCE, BOT_LOGIN, DIGEST_REPO, worldConfig } from '../tools/github-world.js';
import { type KilledRun, type KillPoint, runKilledAfter, runUntilKilled } from '../tools/kill-points.js';
import {
  describeExit,
  removeTempDirs,
  runRadar,
  seededRandom,
  spreadPicks,
  startRadar,
  suiteSeed,
} from '../tools/radar-process.js';
import { compareDumps, dumpStore, runsLeftRunning, type StoreDump } from '../tools/store-dump.js';
import { CRASH_DIALECTS, openStores, type Store, type Stores } from '../tools/stores.js';

/**
 * Crash points: the real `radar` process is killed (SIGKILL) at many points of a backfill, a
 * poll, a rescore and an issue publish, then the same command is run again to its end; the
 * store must then be what an uninterrupted run leaves: the same items with the same content,
 * events, scores and reasons, the same stories (by their members), the same cursors, no run
 * left "running", and one GitHub issue per volume. Kill points are picked by a seeded generator
 * (RADAR_CRASH_SEED) among the requests the uninterrupted run made (the fake GitHub kills the
 * process when it receives the chosen request, or a few milliseconds after answering it);
 * RADAR_CRASH_TRIALS multiplies their number, RADAR_CRASH_CONCURRENCY runs that many at once.
 */

const SEED = suiteSeed();
const SCALE = Math.max(0.2, Number(process.env.RADAR_CRASH_TRIALS ?? 1) || 1);
const figures: TrialFigure[] = [];

/** Trials per command: fewer against PostgreSQL, which the PGlite trials already cover in depth. */
function trials(pglite: number, postgres: number, dialect: string): number {
  return Math.max(1, Math.round((dialect === 'pglite' ? pglite : postgres) * SCALE));
}

/**
 * Kill points spread over a run's requests; a quarter of them land in the scoring and grouping
 * pass that follows the last run, spread over the time it took in the uninterrupted run.
 */
function killPoints(random: () => number, count: number, reference: ReferenceRun): KillPoint[] {
  const tail = count < 2 ? 0 : Math.max(1, Math.round(count / 4));
  const points: KillPoint[] = spreadPicks(random, count - tail, 1, Math.max(1, reference.requests - 1)).map((request) =>
    random() < 0.5
      ? { request, stage: 'received', delayMs: 0 }
      : { request, stage: 'answered', delayMs: Math.floor(random() * 40) },
  );
  for (let i = 0; i < tail; i++) {
    const share = (i + random()) / tail;
    if (reference.scoringMs === null)
      points.push({ request: reference.requests, stage: 'answered', delayMs: Math.round(share * reference.tailMs) });
    else
      points.push({ log: 'run finished', occurrence: reference.runsFinished, delayMs: Math.round(share * reference.scoringMs) });
  }
  return points;
}

for (const dialect of CRASH_DIALECTS) {
  describe(`radar killed -9 and run again [${dialect}]`, () => {
    let stores: Stores;
    let benches: Bench[];
    let config: string;
    let backfilled: Store;
    let backfillRef: { run: ReferenceRun; dump: StoreDump };
    const random = seededRandom(SEED + (dialect === 'pglite' ? 0 : 1000));
    const backfillArgs = ['backfill', '--since', BACKFILL_SINCE];

    beforeAll(async () => {
      stores = await openStores(dialect);
      benches = await Promise.all(Array.from({ length: Number(process.env.RADAR_CRASH_CONCURRENCY ?? 2) || 1 }, startBench));
      config = configFile(worldConfig());
      backfilled = await stores.fresh();
      const bench = benches[0] as Bench;
      const run = await referenceRun(bench, backfillArgs, childEnv(bench, backfilled, config));
      backfillRef = { run, dump: await dumpStore(backfilled.location) };
    });

    afterAll(async () => {
      const mine = figures.filter((f) => f.dialect === dialect);
      if (mine.length) console.log(`crash points, seed ${SEED}:\n${summarize(mine, `crash-points-${dialect}.json`)}`);
      await Promise.all((benches ?? []).map((b) => b.close()));
      await stores?.dispose();
      removeTempDirs();
    });

    interface Trial {
      command: string;
      /** The store the killed run starts from (copied). */
      start: Store;
      kill: (bench: Bench, env: NodeJS.ProcessEnv) => Promise<KilledRun>;
      rerun: string[];
      reference: StoreDump;
      config?: string;
      /** Further properties, checked after the rerun (the GitHub issues of a publish). */
      check?: (bench: Bench) => string[];
      /** Before the killed run (a fresh digest repository). */
      prepare?: (bench: Bench) => void;
    }

    /** A killed run, the same command again to its end, and the store compared with the reference. */
    async function trial(t: Trial, bench: Bench): Promise<void> {
      const started = Date.now();
      const store = await stores.copy(t.start);
      const env = childEnv(bench, store, t.config ?? config);
      t.prepare?.(bench);
      const killedRun = await t.kill(bench, env);
      bench.github.reset();
      const rerun = await runRadar(t.rerun, env);
      const dump = await dumpStore(store.location);
      await stores.remove(store);
      const { problems, lost, duplicates } = compareDumps(t.reference, dump);
      if (rerun.code !== 0) problems.unshift(`the run after the kill did not succeed: ${describeExit(rerun)}`);
      if (!killedRun.killed && killedRun.exit.code !== 0)
        problems.unshift(`the run to be killed failed on its own: ${describeExit(killedRun.exit)}`);
      const left = runsLeftRunning(dump);
      if (left.length) problems.push(`${left.length} runs left "running" after the rerun: ${left.join(', ')}`);
      problems.push(...(t.check?.(bench) ?? []));
      const point = killedRun.killed ? killedRun.where : `${killedRun.where} (finished before the kill)`;
      figures.push({
        suite: 'crash',
        command: t.command,
        dialect,
        point,
        killed: killedRun.killed,
        lost,
        duplicates,
        problems,
        ms: Date.now() - started,
      });
      expect.soft(problems.join('\n'), `after a kill at ${killedRun.where} of ${t.command} [${dialect}]`).toBe('');
    }

    it('backfill: killed at any request or after the last, then the same backfill: the store of an uninterrupted backfill', async () => {
      expect(backfillRef.dump.items.size, 'the fixture backfill stores a few dozen items').toBeGreaterThan(60);
      expect(backfillRef.run.requests, 'over several pages and batches').toBeGreaterThan(40);
      const start = await stores.fresh();
      const points = killPoints(random, trials(6, 2, dialect), backfillRef.run);
      await inSlots(benches, points, (point, bench) =>
        trial(
          {
            command: 'backfill',
            start,
            kill: (b, env) => runUntilKilled(b.github, point, backfillArgs, env),
            rerun: backfillArgs,
            reference: backfillRef.dump,
          },
          bench,
        ),
      );
    }, 600_000);

    it('poll: killed at any request of a poll after new upstream changes, or after the last, then a poll: the store of one poll', async () => {
      for (const bench of benches) bench.world.version = 2;
      try {
        const bench = benches[0] as Bench;
        const reference = await stores.copy(backfilled);
        const run = await referenceRun(bench, ['poll'], childEnv(bench, reference, config));
        const dump = await dumpStore(reference.location);
        expect(compareDumps(backfillRef.dump, dump).problems.length, 'the poll changes the store').toBeGreaterThan(0);
        const points = killPoints(random, trials(4, 1, dialect), run);
        await inSlots(benches, points, (point, b) =>
          trial(
            {
              command: 'poll',
              start: backfilled,
              kill: (slot, env) => runUntilKilled(slot.github, point, ['poll'], env),
              rerun: ['poll'],
              reference: dump,
            },
            b,
          ),
        );
      } finally {
        for (const bench of benches) bench.world.version = 1;
      }
    }, 600_000);

    it('rescore: killed at any moment after a weight change, then rescore again: the scores and stories of one rescore', async () => {
      // New weights, so that every stored score and most stories change.
      const reweighted = configFile(
        `${worldConfig()}scoring:\n  weights:\n    label:feature: 5\n    size: 1.4\n    title:cleanup: -0.5\n    story: 0.6\n    release:later-prerelease: -1\n`,
      );
      const bench = benches[0] as Bench;
      const reference = await stores.copy(backfilled);
      // No request to hook: kills are spread over the measured time from the database being
      // open (PGlite says so in a debug log) to the end, or from the start (PostgreSQL).
      const anchor = dialect === 'pglite' ? 'embedded database ready' : undefined;
      const debug = { LOG_LEVEL: 'debug' };
      const proc = startRadar(['rescore'], childEnv(bench, reference, reweighted, debug));
      let from = Date.now();
      if (anchor) await proc.waitForLog(anchor).then(() => (from = Date.now()));
      const result = await proc.exited;
      const windowMs = Date.now() - from;
      expect(result.code, describeExit(result)).toBe(0);
      const dump = await dumpStore(reference.location);
      expect(compareDumps(backfillRef.dump, dump).problems.length, 'the new weights change the scores').toBeGreaterThan(0);
      // Without the anchor, the first half of the time is the process starting.
      const delays = spreadPicks(random, trials(3, 1, dialect), anchor ? 0 : Math.round(windowMs / 2), windowMs);
      await inSlots(benches, delays, (delay, b) =>
        trial(
          {
            command: 'rescore',
            start: backfilled,
            config: reweighted,
            kill: (_slot, env) => runKilledAfter(delay, ['rescore'], { ...env, ...debug }, anchor),
            rerun: ['rescore'],
            reference: dump,
          },
          b,
        ),
      );
    }, 600_000);

    it('issue publish: killed before, while and after GitHub creates the issue, then publish again: one GitHub issue', async () => {
      // A digest issue with the leads of three stories promoted: where every publish trial starts.
      const bench = benches[0] as Bench;
      const editorial = await stores.copy(backfilled);
      await prepareIssue(editorial.location, config, 1);

      const reference = await stores.copy(editorial);
      bench.world.resetIssues();
      const run = await referenceRun(bench, ['issue', 'publish', '1'], childEnv(bench, reference, config));
      const dump = await dumpStore(reference.location);
      const [published] = bench.world.created;
      expect(bench.world.created).toHaveLength(1);
      expect(published?.body).toContain('<!-- radar-digest volume=1 -->');

      // GET /user and GET the repo's recent issues (to find one made before), then POST the issue.
      const post = run.requests;
      const all: KillPoint[] = [
        { request: 1, stage: 'received', delayMs: 0 },
        { request: post, stage: 'received', delayMs: 0 },
        // GitHub created the issue; radar never hears back.
        { request: post, stage: 'routed', delayMs: 0 },
        { request: post, stage: 'answered', delayMs: 0 },
        { request: post, stage: 'answered', delayMs: Math.round(random() * run.tailMs) },
      ];
      // Against PostgreSQL: the issue created and never answered, and a kill while radar records it.
      const points = dialect === 'pglite' ? all : [all[2], all[4]].filter((p): p is KillPoint => p !== undefined);
      const oneIssue = (b: Bench): string[] => {
        const created = b.world.created.filter((i) => i.body.includes('<!-- radar-digest volume=1 -->'));
        const problems: string[] = [];
        if (created.length !== 1)
          problems.push(`${created.length} GitHub issues for volume 1 in ${DIGEST_REPO} instead of 1 (by ${BOT_LOGIN})`);
        const [issue] = created;
        if (issue && (issue.title !== published?.title || issue.body !== published?.body))
          problems.push(`the GitHub issue's title or body differs from an uninterrupted publish's`);
        return problems;
      };
      await inSlots(benches, points, (point, b) =>
        trial(
          {
            command: 'issue publish',
            start: editorial,
            prepare: (slot) => slot.world.resetIssues(),
            kill: (slot, e) => runUntilKilled(slot.github, point, ['issue', 'publish', '1'], e),
            rerun: ['issue', 'publish', '1'],
            reference: dump,
            check: oneIssue,
          },
          b,
        ),
      );
    }, 600_000);
  });
}
