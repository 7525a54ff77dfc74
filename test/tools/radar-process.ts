import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, RADAR_BIN } from './build.js';

/**
 * The real `radar` command as a child process, for the crash-point and fault suites: started,
 * watched (its logs parsed as they come), killed with SIGKILL at a chosen moment, and awaited.
 */

export interface RadarExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RadarProcess {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output: { stdout: string; stderr: string };
  exited: Promise<RadarExit>;
  /** SIGKILL, once; resolves when the process is gone. */
  kill(): Promise<RadarExit>;
  /** Whether kill() was called before the process ended on its own. */
  killed(): boolean;
  /** Resolves when the `occurrence`-th JSON log line with this msg appears on stderr. */
  waitForLog(msg: string, timeoutMs?: number, occurrence?: number): Promise<Record<string, unknown>>;
}

export function radarEnv(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TZ: 'UTC',
    GITHUB_TOKEN: 'crash-suite-token',
    RADAR_EDITOR: 'crash-suite',
    ...vars,
  };
}

export function startRadar(args: string[], env: NodeJS.ProcessEnv): RadarProcess {
  const started = Date.now();
  const child = spawn(process.execPath, [RADAR_BIN, ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (d) => {
    output.stdout += d;
  });
  child.stderr?.on('data', (d) => {
    output.stderr += d;
    for (const listener of listeners) listener();
  });
  const exited = new Promise<RadarExit>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, ...output, ms: Date.now() - started }));
  });
  let killRequested = false;
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    child,
    output,
    exited,
    kill: () => {
      if (!done && !killRequested) {
        killRequested = true;
        child.kill('SIGKILL');
      }
      return exited;
    },
    killed: () => killRequested,
    waitForLog: (msg, timeoutMs = 60_000, occurrence = 1) =>
      new Promise((resolve, reject) => {
        let seen = 0;
        let found = 0;
        const check = () => {
          const lines = output.stderr.split('\n');
          for (; seen < lines.length - 1; seen++) {
            const line = lines[seen] as string;
            if (!line.startsWith('{')) continue;
            try {
              const parsed = JSON.parse(line) as Record<string, unknown>;
              if (parsed.msg === msg && ++found >= occurrence) {
                cleanup();
                resolve(parsed);
                return;
              }
            } catch {
              // a partial line
            }
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no "${msg}" log within ${timeoutMs} ms; stderr:\n${output.stderr.slice(-4000)}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`radar ${args.join(' ')} exited before logging "${msg}"; stderr:\n${output.stderr.slice(-4000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('close', onExit);
        };
        listeners.add(check);
        child.on('close', onExit);
        check();
      }),
  };
}

/** Runs a command to its end. */
export function runRadar(args: string[], env: NodeJS.ProcessEnv): Promise<RadarExit> {
  return startRadar(args, env).exited;
}

/** The lines of stderr that are not JSON logs: what a person reads. */
export function humanLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('{'))
    .map((line) => line.trimEnd());
}

/** A stack trace in output ("    at fn (file:line:col)"). */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+[:(]\d+:\d+\)?$/m.test(text);
}

/** A short description of how a command ended, for failure messages. */
export function describeExit(exit: RadarExit): string {
  const human = humanLines(exit.stderr).slice(-6).join('\n    ');
  return `exit ${exit.code ?? exit.signal} after ${exit.ms} ms${human ? `; stderr:\n    ${human}` : ''}`;
}

const tempDirs: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A copy of a prepared embedded database folder (migrated, or backfilled), without its lock. */
export function copyDataDir(from: string): string {
  const dir = tempDir('radar-trial-');
  cpSync(from, dir, { recursive: true, filter: (source) => !source.endsWith('radar.lock') && !source.endsWith('serve.json') });
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** mulberry32: a small seeded generator, so every trial's kill point is reproducible from the seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The suite's seed: RADAR_CRASH_SEED, else a fixed one (so CI failures reproduce). */
export function suiteSeed(): number {
  const fromEnv = Number(process.env.RADAR_CRASH_SEED);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 20_190_501;
}

/** Picks `count` distinct integers from [low, high], spread over the range, in ascending order. */
export function spreadPicks(random: () => number, count: number, low: number, high: number): number[] {
  const span = high - low + 1;
  if (count >= span) return Array.from({ length: span }, (_, i) => low + i);
  const picks = new Set<number>();
  // One pick per equal slice of the range, at a seeded place inside it.
  for (let i = 0; i < count; i++) {
    const from = low + Math.floor((i * span) / count);
    const to = low + Math.floor(((i + 1) * span) / count) - 1;
    picks.add(from + Math.floor(random() * (to - from + 1)));
  }
  return [...picks].sort((a, b) => a - b);
}
