import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { expect, it } from 'vitest';
import { leaseHolder, releaseLease, tryAcquireLease } from '../../src/store/leases.js';
import { describeEachDialect } from '../tools/db.js';

/** A pid that surely ran and is gone: a child that exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

describeEachDialect('leases', (t) => {
  it('gives a repo+source to one holder at a time, until released or expired', async () => {
    const { db } = t();
    expect(await tryAcquireLease(db, 'run:1:pulls', 'host-a:1:x', 60_000)).toBe(true);
    expect(await tryAcquireLease(db, 'run:1:pulls', 'host-b:2:y', 60_000)).toBe(false);
    expect(await tryAcquireLease(db, 'run:1:pulls', 'host-a:1:x', 60_000)).toBe(true); // renewal by its holder
    await releaseLease(db, 'run:1:pulls', 'host-a:1:x');
    expect(await tryAcquireLease(db, 'run:1:pulls', 'host-b:2:y', 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await tryAcquireLease(db, 'run:1:pulls', 'host-c:3:z', 60_000)).toBe(true); // expired
  });

  it('takes over at once from a holder on this machine whose process is gone (kill -9)', async () => {
    const { db } = t();
    const dead = `${hostname()}:${deadPid()}:old`;
    expect(await tryAcquireLease(db, 'run:2:keps', dead, 600_000)).toBe(true);
    expect(await tryAcquireLease(db, 'run:2:keps', `${hostname()}:${process.pid}:new`, 600_000)).toBe(true);
    expect((await leaseHolder(db, 'run:2:keps'))?.holder).toBe(`${hostname()}:${process.pid}:new`);
  });

  it('leaves a live holder alone, here or on another machine', async () => {
    const { db } = t();
    expect(await tryAcquireLease(db, 'run:3:pulls', `${hostname()}:${process.ppid}:live`, 600_000)).toBe(true);
    expect(await tryAcquireLease(db, 'run:3:pulls', `${hostname()}:${process.pid}:me`, 600_000)).toBe(false);
    expect(await tryAcquireLease(db, 'run:4:pulls', `elsewhere:${deadPid()}:x`, 600_000)).toBe(true);
    expect(await tryAcquireLease(db, 'run:4:pulls', `${hostname()}:${process.pid}:me`, 600_000)).toBe(false);
  });
});
