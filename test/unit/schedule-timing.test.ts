import { describe, expect, it } from 'vitest';
import { firstRunAt, retryAt } from '../../src/scheduler/timing.js';

const at = (iso: string) => new Date(iso);
const DAY = 24 * 3600_000;

describe('when a scheduled job runs', () => {
  const now = at('2019-06-24T10:00:00Z');
  const nextCron = at('2019-06-25T03:00:00Z');

  it('runs a job that never ran, or is older than its period, now and once; else at its time', () => {
    expect(firstRunAt({ now, lastRun: null, nextCron, periodMs: DAY, catchUp: true })).toEqual({ at: now, reason: 'never run' });
    expect(firstRunAt({ now, lastRun: at('2019-06-20T03:00:00Z'), nextCron, periodMs: DAY, catchUp: true })).toEqual({
      at: now,
      reason: 'overdue',
    });
    expect(firstRunAt({ now, lastRun: at('2019-06-24T03:00:00Z'), nextCron, periodMs: DAY, catchUp: true })).toEqual({
      at: nextCron,
      reason: null,
    });
    // The nightly coverage waits for its time, however long ago it ran.
    expect(firstRunAt({ now, lastRun: null, nextCron, periodMs: DAY, catchUp: false })).toEqual({ at: nextCron, reason: null });
  });

  it('backs off 1, 2, 4 ... minutes after failures in a row, never past the next cron time', () => {
    const minutes = [1, 2, 3, 4].map((failures) => (retryAt(now, failures, nextCron).getTime() - now.getTime()) / 60_000);
    expect(minutes).toEqual([1, 2, 4, 8]);
    expect(retryAt(now, 30, nextCron)).toEqual(nextCron);
    expect(retryAt(now, 1, at('2019-06-24T10:00:30Z'))).toEqual(at('2019-06-24T10:00:30Z'));
  });
});
