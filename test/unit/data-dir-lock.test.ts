import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseBusyError } from '../../src/lib/errors.js';
import { acquireDataDirLock } from '../../src/store/data-dir-lock.js';

describe('embedded database lock', () => {
  it('refuses a second holder while the first runs, naming its pid and command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'radar-lock-'));
    writeFileSync(join(dir, 'radar.lock'), JSON.stringify({ pid: process.ppid, command: 'serve' }));
    expect(() => acquireDataDirLock(dir)).toThrow(DatabaseBusyError);
    expect(() => acquireDataDirLock(dir)).toThrow(`is in use by another radar process (pid ${process.ppid}: radar serve)`);
  });

  it('takes over a lock left by a process that is gone, and releases it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'radar-lock-'));
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(dir, 'radar.lock'), JSON.stringify({ pid: gone, command: 'backfill' }));
    const lock = acquireDataDirLock(dir);
    expect(existsSync(join(dir, 'radar.lock'))).toBe(true);
    lock.release();
    expect(existsSync(join(dir, 'radar.lock'))).toBe(false);
  });

  it('takes over a half-written lock file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'radar-lock-'));
    writeFileSync(join(dir, 'radar.lock'), '{"pid": 12');
    acquireDataDirLock(dir).release();
  });
});
