import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { expect, it } from 'vitest';
import type { IngestDeps } from '../../src/ingest/poll.js';
import { type RunContext, recordRun } from '../../src/ingest/run.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { leaseHolder, newHolder, releaseLease, tryAcquireLease } from '../../src/store/leases.js';
import { describeEachDialect } from '../tools/db.js';

/** A pid that surely ran and is gone: a child that exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

/** This machine (and PID namespace) as holder ids name it. */
const here = newHolder().split(':')[0] as string;

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
    const dead = `${here}:${deadPid()}:old`;
    expect(await tryAcquireLease(db, 'run:2:keps', dead, 600_000)).toBe(true);
    expect(await tryAcquireLease(db, 'run:2:keps', `${here}:${process.pid}:new`, 600_000)).toBe(true);
    expect((await leaseHolder(db, 'run:2:keps'))?.holder).toBe(`${here}:${process.pid}:new`);
  });

  it('leaves a live holder alone, here or on another machine', async () => {
    const { db } = t();
    expect(await tryAcquireLease(db, 'run:3:pulls', `${here}:${process.ppid}:live`, 600_000)).toBe(true);
    expect(await tryAcquireLease(db, 'run:3:pulls', `${here}:${process.pid}:me`, 600_000)).toBe(false);
    expect(await tryAcquireLease(db, 'run:4:pulls', `elsewhere:${deadPid()}:x`, 600_000)).toBe(true);
    expect(await tryAcquireLease(db, 'run:4:pulls', `${here}:${process.pid}:me`, 600_000)).toBe(false);
  });

  it('keeps two holders of one process apart, as two processes', async () => {
    const { db } = t();
    const first = newHolder();
    expect(await tryAcquireLease(db, 'rescore', first, 600_000)).toBe(true);
    expect(await tryAcquireLease(db, 'rescore', newHolder(), 600_000)).toBe(false);
    expect(await tryAcquireLease(db, 'rescore', first, 600_000)).toBe(true); // its own renewal
  });

  it('leaves alone a holder in another PID namespace on a host of the same name (containers)', async () => {
    const { db } = t();
    const otherContainer = `${hostname()}@1:${deadPid()}:x`;
    expect(here).not.toBe(`${hostname()}@1`);
    expect(await tryAcquireLease(db, 'run:5:pulls', otherContainer, 600_000)).toBe(true);
    expect(await tryAcquireLease(db, 'run:5:pulls', newHolder(), 600_000)).toBe(false);
  });

  function runContext(source: string, leaseKeys: string[]): RunContext {
    const deps = { db: t().db, clock: fixedClock('2019-05-20T00:00:00Z'), logger: silentLogger() } as IngestDeps;
    return { deps, batchId: 'b', trigger: 'poll', repo: 'knative/serving', repoId: 1, source, leaseKeys, logger: silentLogger() };
  }

  it('a run holds every cursor it moves: a pulls+issues run waits for a pulls run, and holds nothing meanwhile', async () => {
    const { db } = t();
    expect(await tryAcquireLease(db, 'run:1:pulls', 'elsewhere:1:x', 600_000)).toBe(true);
    let ran = false;
    const summary = await recordRun(runContext('pulls+issues', ['pulls', 'issues']), async () => {
      ran = true;
    });
    expect(summary).toMatchObject({ status: 'skipped', error: 'skipped: elsewhere:1:x is working on it' });
    expect(ran).toBe(false);
    expect(await leaseHolder(db, 'run:1:issues')).toBeUndefined();
  });

  it('a run that lost its lease to another process stops at its next batch', async () => {
    const { db } = t();
    await db.insertInto('repos').values({ full_name: 'knative/serving', project: 'Knative' }).execute();
    const summary = await recordRun(runContext('pulls', ['pulls']), async (run) => {
      // This process stalled past its lease; another took the repo over.
      await db.updateTable('leases').set({ holder: 'elsewhere:1:x' }).where('name', '=', 'run:1:pulls').execute();
      await run.heartbeat();
      throw new Error('not reached');
    });
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/lost the lease run:1:pulls/);
    expect((await leaseHolder(db, 'run:1:pulls'))?.holder).toBe('elsewhere:1:x');
  });
});
