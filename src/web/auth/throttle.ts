/**
 * Login attempt throttling (pure; the clock is given). Failed sign-ins are counted per account
 * name and per client address; after `free` failures in a row each further attempt must wait
 * twice as long as the last (1 minute, 2, 4... up to an hour). A success clears the account's
 * count. Kept in memory: a restart forgives, which is acceptable for a handful of editors, and
 * a second process keeps its own count.
 */

export interface Throttle {
  /** Milliseconds to wait before `keys` may try again (0: now). */
  waitFor(keys: readonly string[], now: number): number;
  failed(keys: readonly string[], now: number): void;
  succeeded(keys: readonly string[]): void;
}

interface Record {
  failures: number;
  lastFailure: number;
}

export function createThrottle(options: { free?: number; baseMs?: number; maxMs?: number; forgetMs?: number } = {}): Throttle {
  const free = options.free ?? 5;
  const baseMs = options.baseMs ?? 60_000;
  const maxMs = options.maxMs ?? 3_600_000;
  const forgetMs = options.forgetMs ?? 24 * 3_600_000;
  const records = new Map<string, Record>();
  const delay = (r: Record) => (r.failures < free ? 0 : Math.min(maxMs, baseMs * 2 ** (r.failures - free)));
  const prune = (now: number) => {
    if (records.size < 10_000) return;
    for (const [key, r] of records) if (now - r.lastFailure > forgetMs) records.delete(key);
  };
  return {
    waitFor(keys, now) {
      let wait = 0;
      for (const key of keys) {
        const r = records.get(key);
        if (!r) continue;
        if (now - r.lastFailure > forgetMs) {
          records.delete(key);
          continue;
        }
        wait = Math.max(wait, r.lastFailure + delay(r) - now);
      }
      return Math.max(0, wait);
    },
    failed(keys, now) {
      prune(now);
      for (const key of keys) {
        const r = records.get(key) ?? { failures: 0, lastFailure: now };
        records.set(key, { failures: r.failures + 1, lastFailure: now });
      }
    },
    succeeded(keys) {
      for (const key of keys) records.delete(key);
    },
  };
}
