import type { Exchange, FakeGitHub } from './fake-github.js';
import { type RadarExit, type RadarProcess, startRadar } from './radar-process.js';

/**
 * Kill points that do not depend on timing: the fake GitHub kills the radar process (SIGKILL)
 * when its n-th request arrives (before answering it), once the route has answered it but
 * before anything is sent (a created issue that radar never hears about), or a given number of
 * milliseconds after the answer was sent (so kills also land between the database writes that
 * follow a request). The work after the last request (scoring and grouping) is reached from
 * radar's own log: a few milliseconds after the n-th "run finished" line.
 */

export type KillStage = 'received' | 'routed' | 'answered';

export type KillPoint =
  | {
      request: number;
      stage: KillStage;
      /** After the answer ('answered' only). */
      delayMs: number;
    }
  | { log: string; occurrence: number; delayMs: number };

export interface KilledRun {
  exit: RadarExit;
  /** Whether the process was killed (false: it finished before the kill point). */
  killed: boolean;
  /** "request 7 (GET /repos/o/r/issues?page=5), as it arrived". */
  where: string;
  /** Requests the process made before it died. */
  requests: number;
}

export function describeRequest(exchange: Pick<Exchange, 'method' | 'url' | 'body'>): string {
  const { url } = exchange;
  if (url.pathname === '/graphql') {
    const query = (exchange.body as { query?: string } | undefined)?.query ?? '';
    return `POST /graphql ${/query\s+(\w+)/.exec(query)?.[1] ?? ''}`.trim();
  }
  const page = url.searchParams.get('page');
  return `${exchange.method} ${url.pathname}${page ? `?page=${page}` : ''}`;
}

const STAGE_TEXT: Record<KillStage, string> = {
  received: 'as it arrived, unanswered',
  routed: 'after GitHub acted on it, before the answer',
  answered: 'after the answer',
};

export function describePoint(point: KillPoint, request?: string): string {
  if ('log' in point) return `${point.delayMs} ms after log "${point.log}" #${point.occurrence}`;
  const delay = point.stage === 'answered' ? ` + ${point.delayMs} ms` : '';
  return `request ${point.request}${request ? ` (${request})` : ''}, ${STAGE_TEXT[point.stage]}${delay}`;
}

/** Runs radar until the kill point, then SIGKILL; resolves once the process is gone. */
export async function runUntilKilled(
  github: FakeGitHub,
  point: KillPoint,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<KilledRun> {
  github.reset();
  let proc: RadarProcess | undefined;
  let where = describePoint(point);
  if ('log' in point) {
    github.tap = null;
    const run = startRadar(args, env);
    let timer: NodeJS.Timeout | undefined;
    run.waitForLog(point.log, 120_000, point.occurrence).then(
      () => {
        timer = setTimeout(() => void run.kill(), point.delayMs);
      },
      () => undefined,
    );
    const exit = await run.exited;
    clearTimeout(timer);
    return { exit, killed: run.killed() && exit.signal === 'SIGKILL', where, requests: github.requests.length };
  }
  const hit = (exchange: Exchange) => {
    where = describePoint(point, describeRequest(exchange));
  };
  github.tap = {
    received: (exchange) => {
      if (exchange.n !== point.request || point.stage !== 'received') return undefined;
      hit(exchange);
      void proc?.kill();
      return 'withhold';
    },
    routed: (exchange) => {
      if (exchange.n !== point.request || point.stage !== 'routed') return undefined;
      hit(exchange);
      void proc?.kill();
      return 'withhold';
    },
    answered: (exchange) => {
      if (exchange.n !== point.request || point.stage !== 'answered') return;
      hit(exchange);
      if (point.delayMs <= 0) void proc?.kill();
      else setTimeout(() => void proc?.kill(), point.delayMs);
    },
  };
  proc = startRadar(args, env);
  const exit = await proc.exited;
  github.tap = null;
  return { exit, killed: proc.killed() && exit.signal === 'SIGKILL', where, requests: github.requests.length };
}

/**
 * Runs radar and kills it `delayMs` after a log line (`anchor`, e.g. "embedded database ready"),
 * or after it started: for work that makes no request (rescore).
 */
export async function runKilledAfter(
  delayMs: number,
  args: string[],
  env: NodeJS.ProcessEnv,
  anchor?: string,
): Promise<KilledRun> {
  const proc = startRadar(args, env);
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    timer = setTimeout(() => void proc.kill(), delayMs);
  };
  if (anchor) proc.waitForLog(anchor).then(arm, () => undefined);
  else arm();
  const exit = await proc.exited;
  clearTimeout(timer);
  const where = `${delayMs} ms after ${anchor ? `"${anchor}"` : 'start'}`;
  return { exit, killed: proc.killed() && exit.signal === 'SIGKILL', where, requests: 0 };
}
