import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Compiles dist/ when a source is newer than the last build, for tests that run the real command. */
export function ensureBuilt(): void {
  const stamp = join(ROOT, 'dist/.tsbuildinfo');
  let built = 0;
  try {
    built = statSync(stamp).mtimeMs;
  } catch {
    built = 0;
  }
  const newest = Math.max(newestIn(join(ROOT, 'src')), newestIn(join(ROOT, 'migrations')));
  if (newest > built) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}

function newestIn(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export const RADAR_BIN = join(ROOT, 'bin/radar.js');
export const PROJECT_ROOT = ROOT;
