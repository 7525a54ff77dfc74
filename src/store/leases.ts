import { randomUUID } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import { isProcessAlive } from '../lib/process.js';
import type { Db } from './db.js';

/**
 * Leases make one holder at a time work on a repo+source, across processes and machines that
 * share a PostgreSQL database. A lease expires on its own, so a holder that died (kill -9) does
 * not block the others for longer than its time to live.
 */
export async function tryAcquireLease(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  if (await acquire(db, name, holder, ttlMs)) return true;
  // A holder on this machine whose process is gone (kill -9) cannot renew: take over at once
  // instead of waiting for its lease to expire.
  const current = await leaseHolder(db, name);
  if (current && isDeadHolder(current.holder)) {
    await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', current.holder).execute();
    return acquire(db, name, holder, ttlMs);
  }
  return false;
}

/**
 * Holder ids are "host:pid:nonce". The host includes the PID namespace where there is one:
 * containers may share a host name, and a pid means something only within its namespace.
 */
function holderId(nonce: string): string {
  return `${LOCAL_HOST}:${process.pid}:${nonce}`;
}

const LOCAL_HOST = `${hostname()}${pidNamespace()}`.replaceAll(':', '_');

function pidNamespace(): string {
  try {
    return `@${/\d+/.exec(readlinkSync('/proc/self/ns/pid'))?.[0] ?? ''}`; // "pid:[4026531836]"
  } catch {
    return ''; // not Linux: the host name alone
  }
}

/**
 * A holder id for one acquisition. Each run, rescore or publish takes its own, so two of them in
 * one process exclude each other as two processes do (a holder may renew its own lease).
 */
export function newHolder(): string {
  return holderId(randomUUID().slice(0, 8));
}

/**
 * Holders of this process whose work ended without releasing its leases or closing its run,
 * because the database went away at that moment. Their leases are taken over and their runs
 * closed as soon as the database answers again, instead of after the leases expire.
 */
const givenUp = new Set<string>();

export function giveUpHolder(holder: string): void {
  givenUp.add(holder);
}

/** Whether nobody works for this holder any more: a dead process of this machine, or given up here. */
export function isDeadHolder(holder: string): boolean {
  if (givenUp.has(holder)) return true;
  const [host, pid] = holder.split(':');
  if (host !== LOCAL_HOST || !pid || !/^\d+$/.test(pid) || Number(pid) === process.pid) return false;
  return !isProcessAlive(Number(pid));
}

/** Forgets every lease: for a database only this process can open (the embedded one). */
export async function clearLeases(db: Db): Promise<void> {
  await db.deleteFrom('leases').execute();
}

async function acquire(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const now = new Date();
  const expires = new Date(now.getTime() + ttlMs);
  const result = await db
    .insertInto('leases')
    .values({ name, holder, acquired_at: now, expires_at: expires })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ holder, acquired_at: now, expires_at: expires })
        // Taken over only when expired, or renewed by its own holder.
        .where((eb) => eb.or([eb('leases.expires_at', '<', now), eb('leases.holder', '=', holder)])),
    )
    .returning(sql<number>`1`.as('ok'))
    .execute();
  return result.length > 0;
}

export async function renewLease(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const result = await db
    .updateTable('leases')
    .set({ expires_at: new Date(Date.now() + ttlMs) })
    .where('name', '=', name)
    .where('holder', '=', holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
}

export async function leaseHolder(db: Db, name: string): Promise<{ holder: string; expiresAt: Date } | undefined> {
  const row = await db.selectFrom('leases').select(['holder', 'expires_at']).where('name', '=', name).executeTakeFirst();
  return row ? { holder: row.holder, expiresAt: row.expires_at } : undefined;
}
