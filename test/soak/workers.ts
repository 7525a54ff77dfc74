/**
 * Soak: three `radar worker`s and one `radar serve` on a fresh PostgreSQL database, against
 * ../shared/github-sim replaying the real 2019 history of the default watch list, for several
 * simulated days, with a worker killed with -9 in the middle of a job and another stopped with
 * SIGTERM in the middle of one, each replaced later.
 *
 *   npm run soak                        # 7 simulated days
 *   SOAK_DAYS=3 npm run soak
 *   SOAK_ADMIN_URL=postgres://postgres@host:5432/postgres npm run soak
 *
 * The database is `radar_soak` (dropped and created again) on the server of SOAK_ADMIN_URL, else
 * TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test. Logs of every radar process
 * go to test/artifacts/soak/. Prints a summary per check, then the whole summary as JSON on
 * stdout; exits 1 when a check fails, 2 when something it needs is missing.
 *
 * How the days pass. radar has no clock of its own to move: its schedules, run times and the
 * start of a first poll read the system clock. github-sim's clock is what moves: it starts at
 * 2019-05-06, radar backfills from 2019-05-01, then each cycle advances the simulator one day
 * (POST /_sim/clock {"advance":"P1D"}), which makes that day's pull requests, issues, releases
 * and KEP commits visible and changes the answers to radar's conditional requests. radar's cron
 * schedules are compressed to seconds (a temporary radar.yaml with a seconds field: every 5 or 7
 * s), so every job is due again soon after an advance, and the scheduler claims due jobs every
 * 500 ms (RADAR_SCHEDULER_TICK_MS). A cycle is over once every repo+source of the backfill has
 * a successful run that started after that day's advance; between advances the polls repeat and
 * GitHub answers 304. So this exercises incremental polling of real history day by day, the
 * conditional requests between days, four schedulers (serve polls too) sharing claims and
 * leases, scoring passes from several processes, and stopping and killing workers mid-job. It
 * does not exercise radar's own sense of days: the nightly coverage check is scheduled out of
 * the way (its last-7-days window is of the system clock, where the simulator has nothing), and
 * overdue catch-up after real downtime is left to test/db/scheduler.test.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { ensureBuilt, PROJECT_ROOT } from '../tools/build.js';
import { jobSpans, OVERLAPPING_RUNS_SQL, overlappingSpans } from '../tools/job-spans.js';
import { queryPostgres } from '../tools/pg-query.js';
import { parseExposition } from '../tools/prometheus.js';
import { type RadarExit, type RadarProcess, startRadar, tempDir } from '../tools/radar-process.js';

const SIM = join(PROJECT_ROOT, '../shared/github-sim/run.sh');
const SIM_START = '2019-05-06T00:00:00Z';
const BACKFILL_SINCE = '2019-05-01';
const DAYS = Math.max(3, Number(process.env.SOAK_DAYS ?? 7) || 7);
/** The day a worker is killed with -9 mid-job, its replacement starts, another gets SIGTERM mid-job, its replacement. */
const KILL_DAY = 2;
const REPLACE_KILLED_DAY = 3;
const TERM_DAY = Math.min(5, DAYS - 1);
const REPLACE_TERMED_DAY = Math.min(6, DAYS);
const CYCLE_TIMEOUT_MS = 180_000;
const STOP_BOUND_MS = 15_000;
const METRICS_TOKEN = 'soak-metrics-token-0123456789abcdef';
const GITHUB_TOKEN = 'soak-token';
const DATABASE = 'radar_soak';
const ARTIFACTS = join(PROJECT_ROOT, 'test/artifacts/soak');

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const checks: Check[] = [];
function check(name: string, ok: boolean, detail: string): void {
  checks.push({ name, ok, detail });
  process.stderr.write(`${ok ? 'ok  ' : 'FAIL'}  ${name}: ${detail}\n`);
}

function say(text: string): void {
  process.stderr.write(`soak: ${text}\n`);
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function adminUrl(): string {
  return process.env.SOAK_ADMIN_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

const query = queryPostgres;

interface Sim {
  url: string;
  child: ChildProcess;
  control(path: string, body?: unknown): Promise<unknown>;
}

async function startSim(): Promise<Sim> {
  // A little latency, as a real API has: jobs last long enough to be caught in the middle.
  const child = spawn(SIM, ['--port', '0', '--clock', SIM_START, '--latency-ms', '25'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`github-sim printed no URL within 120 s: ${err.slice(-500)}`)), 120_000);
    child.stdout?.on('data', (d) => {
      out += d;
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`github-sim exited (${code}) before listening: ${err.slice(-500)}`)));
  });
  const control = async (path: string, body?: unknown) => {
    const response = await fetch(
      `${url}/_sim/${path}`,
      body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
    );
    if (!response.ok) throw new Error(`github-sim ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<unknown>;
  };
  return { url, child, control };
}

/** The default watch list with its schedules compressed to seconds (see the top of this file). */
function soakConfig(): string {
  const document = parseDocument(readFileSync(join(PROJECT_ROOT, 'config/radar.yaml'), 'utf8'));
  // Sources of a repo on one cron poll together, as the backfill read them (the same runs).
  document.setIn(['schedule', 'pulls'], '*/5 * * * * *');
  document.setIn(['schedule', 'issues'], '*/5 * * * * *');
  document.setIn(['schedule', 'keps'], '*/5 * * * * *');
  document.setIn(['schedule', 'releases'], '*/7 * * * * *');
  document.setIn(['schedule', 'coverage'], '0 0 1 1 *');
  const file = join(tempDir('radar-soak-'), 'radar.yaml');
  writeFileSync(file, document.toString());
  return file;
}

interface Member {
  name: string;
  role: 'worker' | 'serve';
  proc: RadarProcess;
  pid: number;
  /** When it was killed with -9 (its open jobs end then). */
  killedAt?: number;
  /** Whether the soak sent it a signal (otherwise it must still be running at the end). */
  signalled?: boolean;
  exit?: RadarExit;
}

interface RunRow {
  id: number;
  repo: string | null;
  source: string | null;
  status: string;
  holder: string | null;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
  trigger: string;
}

const RUN_COLUMNS = `runs.id, repos.full_name as repo, runs.source, runs.status, runs.holder, runs.started_at,
  runs.finished_at, runs.error, runs.trigger`;

function holderPid(holder: string | null): number | null {
  const pid = holder?.split(':')[1];
  return pid && /^\d+$/.test(pid) ? Number(pid) : null;
}

async function main(): Promise<number> {
  if (!existsSync(SIM)) {
    process.stderr.write(
      `soak: needs the GitHub simulator at ${SIM} (../shared/github-sim next to this project); it is not there, so nothing was run\n`,
    );
    return 2;
  }
  ensureBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  const admin = adminUrl();
  const databaseUrl = withDatabase(admin, DATABASE);
  try {
    await query(admin, `drop database if exists ${DATABASE} with (force)`);
    await query(admin, `create database ${DATABASE}`);
  } catch (error) {
    process.stderr.write(
      `soak: needs a PostgreSQL server to create ${DATABASE} on (${new URL(admin).host}): ${(error as Error).message}\n`,
    );
    return 2;
  }
  say(`database ${DATABASE} on ${new URL(admin).host}; starting github-sim at ${SIM_START}`);
  const sim = await startSim();
  const members: Member[] = [];
  const started = Date.now();
  try {
    return await soak(sim, databaseUrl, members);
  } finally {
    for (const member of members)
      if (member.proc.child.exitCode === null && member.proc.child.signalCode === null) await member.proc.kill();
    for (const member of members) writeFileSync(join(ARTIFACTS, `${member.name}.log`), member.proc.output.stderr);
    sim.child.kill('SIGTERM');
    say(`done in ${Math.round((Date.now() - started) / 1000)} s; logs in ${ARTIFACTS}`);
  }
}

async function soak(sim: Sim, databaseUrl: string, members: Member[]): Promise<number> {
  const config = soakConfig();
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TZ: 'UTC',
    DATABASE_URL: databaseUrl,
    GITHUB_API_URL: sim.url,
    GITHUB_TOKEN,
    RADAR_CONFIG: config,
    RADAR_SCHEDULER_TICK_MS: '500',
    ...extra,
  });
  const run = async (args: string[]) => {
    const exit = await startRadar(args, env()).exited;
    if (exit.code !== 0) throw new Error(`radar ${args.join(' ')} exited ${exit.code}: ${exit.stderr.slice(-2000)}`);
    return exit;
  };
  await run(['migrate']);
  say(`radar backfill --since ${BACKFILL_SINCE} (simulated now ${SIM_START})`);
  const backfill = await run(['backfill', '--since', BACKFILL_SINCE]);
  writeFileSync(join(ARTIFACTS, 'backfill.log'), backfill.stderr);
  const expected = (
    await query<{ repo: string; source: string }>(
      databaseUrl,
      `select distinct repos.full_name as repo, runs.source from runs join repos on repos.id = runs.repo_id
        where runs.trigger = 'backfill' and runs.status = 'succeeded' order by 1, 2`,
    )
  ).map((r) => `${r.repo} ${r.source}`);
  say(`${expected.length} repo+sources to poll every simulated day`);

  let counter = 0;
  const start = async (role: 'worker' | 'serve'): Promise<Member> => {
    const name = role === 'serve' ? 'serve' : `worker-${++counter}`;
    const extra: Record<string, string> = role === 'serve' ? { PORT: '0', RADAR_METRICS_TOKEN: METRICS_TOKEN } : {};
    const proc = startRadar([role], env(extra));
    const member: Member = { name, role, proc, pid: proc.child.pid as number };
    members.push(member);
    void proc.exited.then((exit) => {
      member.exit = exit;
    });
    await proc.waitForLog('scheduler started', 60_000);
    return member;
  };
  const serve = await start('serve');
  const base = String((await serve.proc.waitForLog('radar started')).url);
  for (let i = 0; i < 3; i++) await start('worker');
  say(`radar serve at ${base} and 3 workers (pids ${members.map((m) => m.pid).join(', ')})`);

  const alive = () => members.filter((m) => m.role === 'worker' && m.exit === undefined && m.killedAt === undefined);
  const cycles: Array<Record<string, unknown>> = [];
  const events: Array<Record<string, unknown>> = [];

  /**
   * Waits until a live worker has a run in flight, preferably a listing of pulls, issues or KEPs
   * (several requests) if one comes within 20 s rather than a quick identity check ("repo") or a
   * releases page, and returns the worker and its runs.
   */
  const workerMidJob = async (since: Date): Promise<{ member: Member; runs: RunRow[] } | null> => {
    const started = Date.now();
    while (Date.now() - started < 60_000) {
      const running = await query<RunRow>(
        databaseUrl,
        `select ${RUN_COLUMNS} from runs left join repos on repos.id = runs.repo_id
          where runs.status = 'running' and runs.started_at >= $1 order by runs.id`,
        [since],
      );
      const anyRun = Date.now() - started > 20_000;
      for (const member of alive()) {
        const mine = running.filter((r) => holderPid(r.holder) === member.pid);
        if (mine.some((r) => anyRun || /pulls|issues|keps/.test(r.source ?? ''))) return { member, runs: mine };
      }
      await wait(20);
    }
    return null;
  };

  let lastAdvance = new Date();
  for (let day = 1; day <= DAYS; day++) {
    const clock = (await sim.control('clock', { advance: 'P1D' })) as { now: string };
    const [{ now: advancedAt } = { now: new Date() }] = await query<{ now: Date }>(databaseUrl, 'select now()');
    lastAdvance = advancedAt;
    const cycleStarted = Date.now();

    if (day === KILL_DAY || day === TERM_DAY) {
      const how = day === KILL_DAY ? 'SIGKILL' : 'SIGTERM';
      const caught = await workerMidJob(advancedAt);
      if (!caught) {
        check(`${how} a worker mid-job (day ${day})`, false, 'no worker had a run in flight within 60 s of the advance');
      } else {
        const { member, runs } = caught;
        const signalledAt = Date.now();
        member.signalled = true;
        member.proc.child.kill(how);
        if (how === 'SIGKILL') member.killedAt = signalledAt;
        const exit = await member.proc.exited;
        const stoppedMs = Date.now() - signalledAt;
        events.push({
          day,
          signal: how,
          worker: member.name,
          pid: member.pid,
          runsInFlight: runs.map((r) => `#${r.id} ${r.repo} ${r.source}`),
          runIds: runs.map((r) => r.id),
          exit: exit.code ?? exit.signal,
          stoppedMs,
        });
        say(
          `day ${day}: ${how} to ${member.name} with ${runs.length} run(s) in flight: ${runs.map((r) => `${r.repo} ${r.source}`).join(', ')}`,
        );
        if (how === 'SIGTERM') {
          check(
            `SIGTERM to ${member.name} mid-job exits 0 within ${STOP_BOUND_MS / 1000} s`,
            exit.code === 0 && stoppedMs < STOP_BOUND_MS,
            `exit ${exit.code ?? exit.signal} after ${stoppedMs} ms`,
          );
        }
      }
    }
    if (day === REPLACE_KILLED_DAY || day === REPLACE_TERMED_DAY) {
      const replacement = await start('worker');
      events.push({ day, started: replacement.name, pid: replacement.pid });
      say(`day ${day}: started ${replacement.name} (pid ${replacement.pid})`);
    }

    // The cycle is over once every repo+source has a successful run that started after the advance.
    let missing = expected;
    while (Date.now() - cycleStarted < CYCLE_TIMEOUT_MS) {
      const polled = await query<{ repo: string; source: string }>(
        databaseUrl,
        `select distinct repos.full_name as repo, runs.source from runs join repos on repos.id = runs.repo_id
          where runs.status = 'succeeded' and runs.started_at >= $1`,
        [advancedAt],
      );
      const done = new Set(polled.map((r) => `${r.repo} ${r.source}`));
      missing = expected.filter((e) => !done.has(e));
      if (missing.length === 0) break;
      await wait(500);
    }
    const [figures] = await query<{ runs: string; items_new: string; requests: string; not_modified: string; points: string }>(
      databaseUrl,
      `select count(*) as runs, coalesce(sum(items_new), 0) as items_new, coalesce(sum(requests), 0) as requests,
         coalesce(sum(not_modified), 0) as not_modified, coalesce(sum(graphql_points), 0) as points
         from runs where started_at >= $1`,
      [advancedAt],
    );
    const cycle = {
      day,
      simulatedNow: clock.now,
      seconds: Math.round((Date.now() - cycleStarted) / 100) / 10,
      polled: `${expected.length - missing.length}/${expected.length}`,
      missing,
      runs: Number(figures?.runs),
      itemsNew: Number(figures?.items_new),
      requests: Number(figures?.requests),
      notModified: Number(figures?.not_modified),
      graphqlPoints: Number(figures?.points),
    };
    cycles.push(cycle);
    say(
      `day ${day} (${clock.now.slice(0, 10)}): ${cycle.polled} repo+sources polled in ${cycle.seconds} s, ${cycle.runs} runs, ${cycle.itemsNew} new items, ${cycle.requests} requests, ${cycle.notModified} answered 304`,
    );
    if (missing.length > 0) say(`day ${day}: not polled within ${CYCLE_TIMEOUT_MS / 1000} s: ${missing.join(', ')}`);
  }
  check(
    'every repo+source polled in each simulated day',
    cycles.every((c) => (c.missing as string[]).length === 0),
    cycles.map((c) => `day ${c.day} ${c.polled}`).join(', '),
  );

  // Once a last round of polls has seen the last day: what serve answers.
  const metricsText = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const anonymous = await fetch(`${base}/metrics`);
  const livez = await fetch(`${base}/livez`);
  const readyz = await fetch(`${base}/readyz`);
  const readyBody = await readyz.text();
  check(
    '/livez and /readyz answer 200',
    livez.status === 200 && readyz.status === 200,
    `/livez ${livez.status}, /readyz ${readyz.status} ${readyBody}`,
  );
  check('/metrics refuses a scrape without the token', anonymous.status === 401, `status ${anonymous.status}`);
  const metrics = parseExposition(metricsText.status === 200 ? await metricsText.text() : '');
  const simStats = (await sim.control('stats')) as {
    requests: number;
    restCounted: number;
    notModified: number;
    graphqlPoints: number;
    rateLimited: number;
  };
  const sum = (name: string) => metrics.series(name).reduce((n, s) => n + s.value, 0);
  const totals = {
    requests: sum('radar_github_requests_total'),
    notModified: sum('radar_github_not_modified_total'),
    graphqlPoints: sum('radar_github_graphql_points_total'),
    itemsNew: sum('radar_items_new_total'),
    rateLimitRemaining: {
      core: metrics.value('radar_github_rate_limit_remaining', { resource: 'core' }) ?? null,
      graphql: metrics.value('radar_github_rate_limit_remaining', { resource: 'graphql' }) ?? null,
    },
  };
  check(
    '/metrics with the token: requests, 304s, GraphQL points, items stored, rate limit remaining',
    metricsText.status === 200 &&
      totals.requests > 0 &&
      totals.notModified > 0 &&
      totals.graphqlPoints > 0 &&
      totals.itemsNew > 0 &&
      totals.rateLimitRemaining.core !== null &&
      totals.rateLimitRemaining.graphql !== null,
    `status ${metricsText.status}, ${JSON.stringify(totals)}`,
  );
  // radar counts what GitHub charged (REST requests other than 304s, GraphQL points) and the 304s;
  // the simulator counts what it received. radar cannot count more, and loses only the figures of
  // the run killed with -9 and of runs in flight at the scrape.
  const near = (ours: number, theirs: number) => ours <= theirs && ours >= 0.9 * theirs;
  check(
    "/metrics totals agree with github-sim's accounting",
    near(totals.requests, simStats.restCounted) &&
      near(totals.notModified, simStats.notModified) &&
      near(totals.graphqlPoints, simStats.graphqlPoints),
    `requests ${totals.requests} of ${simStats.restCounted} REST charged, 304s ${totals.notModified} of ${simStats.notModified}, GraphQL points ${totals.graphqlPoints} of ${simStats.graphqlPoints}`,
  );
  const lastSuccess = new Map(
    metrics.series('radar_run_last_success_timestamp_seconds').map((s) => [`${s.labels.repo} ${s.labels.source}`, s.value]),
  );
  const stale = expected.filter((key) => !((lastSuccess.get(key) ?? 0) * 1000 >= lastAdvance.getTime() - 1000));
  check(
    '/metrics: last success of every repo+source within the last simulated day',
    stale.length === 0,
    stale.length ? `stale or missing: ${stale.join(', ')}` : `${expected.length} of ${expected.length}`,
  );

  // Stop everything as a supervisor does; then what the database says.
  const died = members.filter((m) => m.exit !== undefined && !m.signalled);
  check(
    'no radar process ended on its own',
    died.length === 0,
    died.map((m) => `${m.name} exited ${m.exit?.code ?? m.exit?.signal}`).join(', ') || `${members.length} processes`,
  );
  const running = members.filter((m) => m.exit === undefined && !m.signalled);
  const stops = await Promise.all(
    running.map(async (member) => {
      const at = Date.now();
      member.signalled = true;
      member.proc.child.kill('SIGTERM');
      const exit = await member.proc.exited;
      return { name: member.name, code: exit.code, ms: Date.now() - at };
    }),
  );
  check(
    `SIGTERM to the ${stops.length} remaining processes: each exits 0 within ${STOP_BOUND_MS / 1000} s`,
    stops.every((s) => s.code === 0 && s.ms < STOP_BOUND_MS),
    stops.map((s) => `${s.name} ${s.code} in ${s.ms} ms`).join(', '),
  );

  const runs = await query<RunRow>(
    databaseUrl,
    `select ${RUN_COLUMNS} from runs left join repos on repos.id = runs.repo_id order by runs.id`,
  );
  const leftRunning = runs.filter((r) => r.status === 'running');
  check(
    'no run left running',
    leftRunning.length === 0,
    leftRunning.map((r) => `#${r.id} ${r.repo} ${r.source}`).join(', ') || 'none',
  );
  const overlaps = await query<{ a: number; b: number; repo: string; source: string }>(databaseUrl, OVERLAPPING_RUNS_SQL);
  check(
    'no repo+source polled twice at the same time (runs table)',
    overlaps.length === 0,
    overlaps.map((o) => `runs ${o.a} and ${o.b} of ${o.repo} ${o.source}`).join(', ') || `${runs.length} runs, none overlapping`,
  );
  const spans = jobSpans(
    members.map((m) => ({ name: m.name, stderr: m.proc.output.stderr })),
    new Map(members.filter((m) => m.killedAt !== undefined).map((m) => [m.name, m.killedAt as number])),
  );
  const jobOverlaps = overlappingSpans(spans);
  check(
    'no job ran in two processes at once (their logs)',
    jobOverlaps.length === 0,
    jobOverlaps.slice(0, 5).join('; ') || `${spans.length} jobs run by ${members.length} processes, none at once`,
  );
  const claims = await query<{ name: string; claimed_by: string }>(
    databaseUrl,
    'select name, claimed_by from schedules where claimed_by is not null',
  );
  check(
    'no claim left once every process stopped',
    claims.length === 0,
    claims.map((c) => `${c.name} by ${c.claimed_by}`).join(', ') || 'none',
  );

  // What the kill and the SIGTERM cut short was finished by other processes; nothing else failed.
  const KILLED = 'interrupted: the run stopped before it could record its end';
  const TERMED = 'interrupted by SIGTERM';
  const takenOver = (r: RunRow) =>
    runs.some(
      (later) =>
        later.repo === r.repo &&
        later.source === r.source &&
        later.status === 'succeeded' &&
        holderPid(later.holder) !== holderPid(r.holder) &&
        later.started_at >= (r.finished_at ?? r.started_at),
    );
  for (const event of events.filter((e) => e.signal)) {
    const pid = event.pid as number;
    const expectedError = event.signal === 'SIGKILL' ? KILLED : TERMED;
    // Each run in flight at the signal either finished its last batch first, or stopped after one
    // (SIGTERM) or died (kill -9) and was closed: then another process polled that repo+source again.
    const inFlight = runs.filter((r) => (event.runIds as number[]).includes(r.id));
    const cut = runs.filter((r) => holderPid(r.holder) === pid && r.status === 'failed' && r.error === expectedError);
    const unclear = inFlight.filter((r) => r.status !== 'succeeded' && !(r.status === 'failed' && r.error === expectedError));
    const notTakenOver = cut.filter((r) => !takenOver(r));
    const cutJobs = spans.filter((s) => s.process === event.worker && s.end !== 'job finished');
    const jobsNotFinished = cutJobs.filter(
      (s) => !spans.some((o) => o.job === s.job && o.process !== s.process && o.end === 'job finished' && o.from >= s.to),
    );
    check(
      `${event.signal} on day ${event.day}: what ${event.worker} had in flight finished, or was cut short and finished by another process`,
      inFlight.length > 0 && unclear.length === 0 && notTakenOver.length === 0 && jobsNotFinished.length === 0,
      `${inFlight.length} run(s) in flight: ${inFlight.map((r) => `#${r.id} ${r.repo} ${r.source} ${r.status}`).join(', ')}; ` +
        `${cut.length} run(s) closed as "${expectedError}", ${cutJobs.length} job(s) cut (${cutJobs.map((s) => s.job).join(', ') || 'none'}); ` +
        `not taken over: ${[...notTakenOver.map((r) => `#${r.id}`), ...jobsNotFinished.map((s) => s.job)].join(', ') || 'none'}`,
    );
  }
  // Runs may fail only as the signals cut them: by the kill, or by a SIGTERM (the day-5 one, or
  // the final stop, after which nobody polls again).
  const signalled = new Map(events.filter((e) => e.signal).map((e) => [e.pid as number, e.signal as string]));
  for (const member of members) if (!signalled.has(member.pid)) signalled.set(member.pid, 'SIGTERM');
  const otherFailures = runs.filter(
    (r) => r.status === 'failed' && r.error !== (signalled.get(holderPid(r.holder) ?? -1) === 'SIGKILL' ? KILLED : TERMED),
  );
  check(
    'no run failed other than those the signals cut short',
    otherFailures.length === 0,
    otherFailures
      .slice(0, 5)
      .map((r) => `#${r.id} ${r.repo} ${r.source}: ${r.error}`)
      .join('; ') || `${runs.filter((r) => r.status === 'failed').length} cut short, no other failure`,
  );
  const [duplicates] = await query<{ n: string }>(
    databaseUrl,
    `select count(*) as n from (select repo_id, kind, coalesce(number::text, tag, key) from items group by 1, 2, 3 having count(*) > 1) d`,
  );
  const [items] = await query<{ n: string }>(databaseUrl, 'select count(*) as n from items');
  check('no item stored twice', Number(duplicates?.n) === 0, `${items?.n} items, ${duplicates?.n} stored twice`);

  const failed = checks.filter((c) => !c.ok);
  const summary = {
    ok: failed.length === 0,
    days: DAYS,
    simulated: { from: SIM_START, to: (cycles.at(-1)?.simulatedNow as string) ?? SIM_START },
    repoSources: expected.length,
    processes: members.map((m) => ({ name: m.name, role: m.role, pid: m.pid })),
    cycles,
    events,
    metrics: totals,
    github: simStats,
    runs: runs.length,
    items: Number(items?.n),
    checks,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  say(failed.length === 0 ? `all ${checks.length} checks passed` : `${failed.length} of ${checks.length} checks failed`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main().catch((error: Error) => {
  process.stderr.write(`soak: ${error.stack ?? error.message}\n`);
  return 1;
});
