import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseBusyError } from '../lib/errors.js';
import { isProcessAlive } from '../lib/process.js';

export interface DataDirLock {
  release(): void;
}

/**
 * An exclusive lock on an embedded database folder: a file holding the owner's pid. A lock left
 * by a process that no longer runs (kill -9, power loss) is taken over; PostgreSQL's own crash
 * recovery then brings the data back to its last committed state.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const file = join(dataDir, 'radar.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, command: process.argv.slice(2).join(' '), since: new Date() }));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(file);
      if (owner && owner.pid !== process.pid && isProcessAlive(owner.pid)) {
        throw new DatabaseBusyError(
          `the embedded database in ${dataDir} is in use by another radar process (pid ${owner.pid}: radar ${owner.command}); ` +
            'stop it first, or set DATABASE_URL to share a PostgreSQL server between processes ' +
            '(while `radar serve` runs, the other commands run through it)',
        );
      }
      try {
        unlinkSync(file); // stale: its owner is gone
      } catch {
        // someone else removed it first; try again
      }
    }
  }
  throw new DatabaseBusyError(`could not lock the embedded database in ${dataDir}`);
}

/** The live process holding the lock on `dataDir`, if any. */
export function lockOwner(dataDir: string): { pid: number; command: string } | undefined {
  const owner = readOwner(join(dataDir, 'radar.lock'));
  return owner && isProcessAlive(owner.pid) ? owner : undefined;
}

function readOwner(file: string): { pid: number; command: string } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; command?: unknown };
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, command: String(parsed.command ?? '') } : undefined;
  } catch {
    return undefined; // half-written by a process killed while writing: stale
  }
}
