import { readFileSync } from 'node:fs';

/**
 * Whether a process on this machine still runs. A process killed with -9 whose parent died too
 * can linger as a zombie (in containers where nothing reaps orphans): it answers signals but
 * holds nothing, so Linux's /proc is asked too.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc (macOS): trust the signal check
  }
}
