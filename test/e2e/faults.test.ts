import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Bench,
  childEnv,
  configFile,
  inSlots,
  referenceRun,
  startBench,
  summarize,
  type TrialFigure,
} from '../tools/crash-suite.js';
import {
  countOf,
  FAULTS,
  faultTap,
  graphqlRateLimited,
  type PlannedFault,
  primaryRateLimitFarAway,
  REQUEST_KINDS,
  type RequestKind,
} from '../tools/faults.js';
import { issueJson } from '../tools/github-fixtures.js';
import { BACKFILL_SINCE, KUBERNETES, worldConfig } from '../tools/github-world.js';
import {
  describeExit,
  hasStackTrace,
  type RadarExit,
  removeTempDirs,
  runRadar,
  seededRandom,
  suiteSeed,
} from '../tools/radar-process.js';
import { compareDumps, dumpStore, runsLeftRunning, type StoreDump } from '../tools/store-dump.js';
import { CRASH_DIALECTS, openStores, type Stores } from '../tools/stores.js';

/**
 * Faults: GitHub answers a backfill with server errors, rate limits, dropped connections,
 * truncated or malformed bodies, GraphQL errors and answers too slow for the client's timeout,
 * each aimed at a seeded request of one kind; then the backfill runs once more with nothing
 * injected. The store must then be the one an uninterrupted backfill leaves (nothing lost,
 * nothing twice), and the faulty run must end with a clear status: succeeded when the fault is
 * one radar promises to wait out or retry, otherwise failed with a one-line error that names
 * the request, never "running" and never a stack trace.
 */

const SEED = suiteSeed();
const figures: TrialFigure[] = [];
const backfillArgs = ['backfill', '--since', BACKFILL_SINCE];

interface FaultPlan {
  name: string;
  faults: Array<{ kind: RequestKind; fault: PlannedFault['fault'] }>;
  /** Whether the README promises that radar rides it out (retries, waits): the faulty run succeeds. */
  retried: boolean;
  /** Config of the faulty run (a short client timeout). */
  config?: string;
  /** What a failed run's error must say. */
  error?: RegExp;
}

describe('GitHub faults during a backfill, then one clean backfill [pglite]', () => {
  let stores: Stores;
  let benches: Bench[];
  let config: string;
  let reference: StoreDump;
  const counts = new Map<RequestKind, number>();
  const random = seededRandom(SEED + 7);

  beforeAll(async () => {
    stores = await openStores('pglite');
    benches = await Promise.all([startBench(), startBench()]);
    config = configFile(worldConfig());
    const bench = benches[0] as Bench;
    const store = await stores.fresh();
    await referenceRun(bench, backfillArgs, childEnv(bench, store, config));
    for (const kind of Object.values(REQUEST_KINDS)) counts.set(kind, countOf(bench.github, kind));
    reference = await dumpStore(store.location);
  });

  afterAll(async () => {
    if (figures.length) console.log(`faults, seed ${SEED}:\n${summarize(figures, 'faults.json')}`);
    await Promise.all((benches ?? []).map((b) => b.close()));
    await stores?.dispose();
    removeTempDirs();
  });

  const K = REQUEST_KINDS;
  const plans: FaultPlan[] = [
    {
      name: 'server errors (500, 502, 503)',
      retried: true,
      faults: [
        { kind: K.kubernetesListing, fault: FAULTS.internalError },
        { kind: K.graphql, fault: FAULTS.badGateway },
        { kind: K.releases, fault: FAULTS.unavailable },
        { kind: K.identity, fault: FAULTS.badGateway },
      ],
    },
    {
      name: 'rate limits (403 secondary with Retry-After, 429 abuse, GraphQL RATE_LIMITED)',
      retried: true,
      faults: [
        { kind: K.kubernetesListing, fault: FAULTS.secondaryRateLimit },
        { kind: K.containerdListing, fault: FAULTS.abuse },
        { kind: K.graphql, fault: graphqlRateLimited() },
      ],
    },
    {
      name: 'connections dropped, bodies truncated or not JSON',
      retried: true,
      faults: [
        { kind: K.kubernetesListing, fault: FAULTS.reset },
        { kind: K.graphql, fault: FAULTS.truncated },
        { kind: K.containerdListing, fault: FAULTS.truncated },
        { kind: K.releases, fault: FAULTS.malformed },
      ],
    },
    {
      name: 'GraphQL 200 with errors (a query timeout)',
      retried: true,
      faults: [
        { kind: K.graphql, fault: FAULTS.graphqlTimeout },
        { kind: K.graphql, fault: FAULTS.graphqlTimeout },
      ],
    },
    {
      name: 'answers slower than the client timeout',
      retried: false,
      config: configFile(worldConfig({ requestTimeoutMs: 2000 })),
      error: /time(d)? ?out|aborted/i,
      faults: [
        { kind: K.kubernetesListing, fault: { kind: 'slow', ms: 3500 } },
        { kind: K.graphql, fault: { kind: 'slow', ms: 3500 } },
      ],
    },
    {
      name: 'the rate limit exhausted for an hour',
      retried: false,
      error: /rate limit.*GET \/repos\/kubernetes\/kubernetes\/issues|GET \/repos\/kubernetes\/kubernetes\/issues.*rate limit/i,
      faults: [{ kind: K.kubernetesListing, fault: primaryRateLimitFarAway() }],
    },
  ];

  /** Everything that makes a status unclear, one line each. */
  function statusProblems(plan: FaultPlan, exit: RadarExit, dump: StoreDump): string[] {
    const problems: string[] = [];
    // README "Command line": a failed run exits 77 (token refused), 1 (another failure) or 75 (rate limit only).
    const runFailed: Array<number | null> = [1, 75, 77];
    if (exit.code !== 0 && !runFailed.includes(exit.code))
      problems.push(`exited ${exit.code} instead of 0, or 1, 75 or 77 (a run failed): ${describeExit(exit)}`);
    if (hasStackTrace(exit.stderr) || hasStackTrace(exit.stdout)) problems.push('printed a stack trace');
    if (exit.stderr.includes('crash-suite-token')) problems.push('printed the token');
    const faultyRuns = dump.runs.filter((r) => r.trigger === 'backfill').slice(0, 6);
    const running = faultyRuns.filter((r) => r.status === 'running');
    if (running.length) problems.push(`${running.length} runs left "running"`);
    // A run the rate limit stopped is `deferred` (README "GitHub budget"): stopped, like a failed one.
    const failed = faultyRuns.filter((r) => r.status === 'failed' || r.status === 'deferred');
    for (const run of faultyRuns.filter((r) => r.status === 'deferred'))
      if (!/rate limit/i.test(run.error ?? ''))
        problems.push(`run ${run.repo} ${run.source} deferred for no rate limit: ${run.error}`);
    if (plan.retried && (exit.code !== 0 || failed.length))
      problems.push(
        `not ridden out (the README promises retries): ${failed.map((r) => `${r.repo} ${r.source} failed: ${r.error}`).join('; ') || describeExit(exit)}`,
      );
    for (const run of failed) {
      if (!run.error || run.error.includes('\n'))
        problems.push(`run ${run.repo} ${run.source} failed without a one-line error: ${JSON.stringify(run.error)}`);
      else if (!/GET |POST |graphql/.test(run.error))
        problems.push(`the error of run ${run.repo} ${run.source} names no request: ${run.error}`);
      else if (plan.error && !plan.error.test(run.error))
        problems.push(`the error of run ${run.repo} ${run.source} does not say what happened: ${run.error}`);
    }
    if (!plan.retried && runFailed.includes(exit.code) && failed.length === 0)
      problems.push(`exited ${exit.code} without a failed run`);
    if (exit.code === 75 && failed.some((r) => !/rate limit/i.test(r.error ?? '')))
      problems.push('exited 75 (rate limited) though a run failed for another reason');
    return problems;
  }

  it('rides out or reports every fault, and one clean rerun leaves the store of an uninterrupted backfill', async () => {
    expect(reference.items.size).toBeGreaterThan(60);
    // Where each fault lands, drawn before the trials run (two at a time) so the seed decides it.
    const trials = plans.map((plan) => ({
      plan,
      planned: plan.faults.map(
        ({ kind, fault }): PlannedFault => ({
          kind,
          fault,
          occurrence: 1 + Math.floor(random() * Math.max(1, counts.get(kind) ?? 1)),
        }),
      ),
    }));
    await inSlots(benches, trials, async ({ plan, planned }, bench) => {
      const started = Date.now();
      const store = await stores.fresh();
      const applied: string[] = [];
      bench.github.reset();
      bench.github.tap = faultTap(planned, applied);
      const faulty = await runRadar(backfillArgs, childEnv(bench, store, plan.config ?? config));
      bench.github.tap = null;
      const afterFaults = await dumpStore(store.location);
      const problems = statusProblems(plan, faulty, afterFaults);
      if (applied.length < planned.length)
        problems.push(`only ${applied.length} of ${planned.length} faults were reached: ${applied.join('; ')}`);

      bench.github.reset();
      const clean = await runRadar(backfillArgs, childEnv(bench, store, config));
      if (clean.code !== 0) problems.push(`the clean rerun did not succeed: ${describeExit(clean)}`);
      const dump = await dumpStore(store.location);
      await stores.remove(store);
      const compared = compareDumps(reference, dump);
      problems.push(...compared.problems);
      const left = runsLeftRunning(dump);
      if (left.length) problems.push(`${left.length} runs left "running": ${left.join(', ')}`);
      figures.push({
        suite: 'fault',
        command: 'backfill',
        dialect: 'pglite',
        point: `${plan.name}: ${applied.join('; ')}; the faulty run: exit ${faulty.code}, ${outcome(afterFaults)}`,
        killed: false,
        lost: compared.lost,
        duplicates: compared.duplicates,
        problems,
        ms: Date.now() - started,
      });
      expect.soft(problems.join('\n'), `with ${plan.name} (${applied.join('; ') || 'none reached'})`).toBe('');
    });
  }, 600_000);
});

for (const dialect of CRASH_DIALECTS) {
  describe(`GitHub text with a NUL byte [${dialect}]`, () => {
    let stores: Stores;
    let bench: Bench;

    beforeAll(async () => {
      stores = await openStores(dialect);
      bench = await startBench();
    });

    afterAll(async () => {
      await bench?.close();
      await stores?.dispose();
      removeTempDirs();
    });

    it('does not block the repo: the poll succeeds, the item is stored with the NUL replaced, and the run warns about it', async () => {
      const title = 'Fix \u0000 handling in the kubelet log parser';
      const body =
        'Logs may contain NUL bytes (\u0000) from crashed writers.\n\n```release-note\nThe kubelet no longer stops at a \u0000 in a log line.\n```';
      const nul = issueJson({
        repo: KUBERNETES,
        number: 77_999,
        title,
        body,
        labels: ['kind/bug', 'sig/node'],
        createdAt: '2019-05-03T10:00:00Z',
        updatedAt: '2019-05-03T12:00:00Z',
        pull: { mergedAt: '2019-05-03T12:00:00Z' },
      });
      bench.world.extra.set(KUBERNETES, [nul]);
      const store = await stores.fresh();
      const config = configFile(worldConfig({ pageSize: 100 }));

      const polled = await runRadar(
        ['poll', '--repo', KUBERNETES, '--source', 'pulls', '--since', BACKFILL_SINCE, '--json'],
        childEnv(bench, store, config),
      );

      const runs =
        polled.code === 0 || polled.code === 1 ? (JSON.parse(polled.stdout || '[]') as Array<Record<string, unknown>>) : [];
      const pulls = runs.find((r) => r.source === 'pulls');
      expect.soft(polled.code, `the poll with a NUL byte in a pull request: ${describeExit(polled)}`).toBe(0);
      expect.soft(pulls?.status, `the pulls run: ${String(pulls?.error)}`).toBe('succeeded');
      const dump = await dumpStore(store.location);
      const stored = dump.items.get(`${KUBERNETES} pull #77999`);
      expect.soft(stored, 'the pull request with a NUL byte is stored').toBeDefined();
      if (stored) {
        const content = JSON.parse(stored.content) as { title: string; body: string };
        expect.soft(content.title, 'its title has no NUL').not.toContain('\u0000');
        expect.soft(content.body, 'its body has no NUL').not.toContain('\u0000');
        const replaced = (text: string) => new RegExp(`^${text.split('\u0000').map(escapeRegExp).join('(?:\uFFFD|\\s?)')}$`);
        expect.soft(content.title, 'its title is the title with the NUL replaced').toMatch(replaced(title));
      }
      expect.soft(dump.items.size, 'the other pull requests of the repo are stored too').toBeGreaterThan(30);
      const warnings = JSON.stringify(pulls?.warnings ?? []);
      expect.soft(warnings, 'a warning in the run says a NUL byte was replaced').toMatch(/NUL|\\u0000|null (byte|character)/i);
    }, 120_000);
  });
}

/** "4 runs succeeded, 1 failed (kubernetes/kubernetes pulls+issues: ...)" */
function outcome(dump: StoreDump): string {
  const runs = dump.runs.filter((r) => r.trigger === 'backfill');
  const failed = runs.filter((r) => r.status === 'failed');
  const detail = failed.map((r) => `${r.repo} ${r.source}: ${r.error}`).join('; ');
  return `${runs.length - failed.length} runs succeeded, ${failed.length} failed${detail ? ` (${detail})` : ''}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
