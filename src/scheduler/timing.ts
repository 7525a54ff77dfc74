/**
 * When a scheduled job runs: pure arithmetic on times, for the scheduler (src/scheduler/scheduler.ts).
 */

const MINUTE_MS = 60_000;

/**
 * The first run of a job new to the schedules table: now when it never ran or its last run is
 * older than its period (catch up once after downtime), else its next cron time. A job that does
 * not catch up (the nightly coverage) waits for its time.
 */
export function firstRunAt(input: { now: Date; lastRun: Date | null; nextCron: Date; periodMs: number; catchUp: boolean }): {
  at: Date;
  reason: string | null;
} {
  const { now, lastRun, nextCron, periodMs, catchUp } = input;
  if (!catchUp) return { at: nextCron, reason: null };
  if (!lastRun) return { at: now, reason: 'never run' };
  if (now.getTime() - lastRun.getTime() > periodMs) return { at: now, reason: 'overdue' };
  return { at: nextCron, reason: null };
}

/**
 * After a failure, the job is tried again sooner than its next cron time, backing off: 1, 2, 4,
 * ... minutes after `failures` failures in a row, never later than its next cron time would be.
 */
export function retryAt(now: Date, failures: number, nextCron: Date): Date {
  const backoff = MINUTE_MS * 2 ** Math.min(Math.max(failures - 1, 0), 16);
  return new Date(Math.min(now.getTime() + backoff, nextCron.getTime()));
}
