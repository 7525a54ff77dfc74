import { describe, expect, it } from 'vitest';
import { parseIsoWeek } from '../../src/lib/time.js';
import { appearances, listedAs } from '../../src/scoring/appearances.js';

const at = (iso: string) => new Date(iso);
const W19 = parseIsoWeek('2019-W19');
const W20 = parseIsoWeek('2019-W20');
const W21 = parseIsoWeek('2019-W21');

describe('appearances', () => {
  it('lists an item in its own week and in each week a KEP moved, not in weeks of a mere revision', () => {
    const kep = { occurredAt: at('2019-05-22T10:00:00Z') }; // W21, its latest transition
    const found = appearances(kep, [
      { type: 'kep.created', occurredAt: at('2019-05-06T00:00:00Z') }, // W19, on its first instant
      { type: 'kep.revised', occurredAt: at('2019-05-14T00:00:00Z') }, // W20: no news
      { type: 'kep.stage', occurredAt: at('2019-05-22T10:00:00Z') },
    ]);
    expect(found).toEqual([
      { week: W19, lists: true },
      { week: W21, lists: true },
    ]);
  });

  it('keeps a week of news that does not list the item by itself (a design issue closed)', () => {
    const found = appearances({ occurredAt: at('2019-05-07T12:00:00Z') }, [
      { type: 'issue.closed', occurredAt: at('2019-05-19T23:59:59Z') }, // Sunday: still W20
    ]);
    expect(found).toEqual([
      { week: W19, lists: true },
      { week: W20, lists: false },
    ]);
  });
});

describe('listedAs', () => {
  const windowFrom = new Date(W21.from.getTime() - 2 * 7 * 86_400_000); // two carry-over weeks

  it('scores an item that did something in the period for the period', () => {
    expect(listedAs({ occurredAt: at('2019-05-21T00:00:00Z') }, [], W21, windowFrom)).toEqual({
      scoredFor: W21,
      weeksEarlier: 0,
    });
  });

  it('scores a carried-over item for the week it last did something in, counting the weeks since', () => {
    const item = { occurredAt: at('2019-05-07T12:00:00Z') };
    expect(listedAs(item, [], W21, windowFrom)).toEqual({ scoredFor: W19, weeksEarlier: 2 });
    const closed = [{ type: 'issue.closed', occurredAt: at('2019-05-15T00:00:00Z') }];
    expect(listedAs(item, closed, W21, windowFrom)).toEqual({ scoredFor: W20, weeksEarlier: 1 });
    // Only what happened up to the period's end counts, and a revision is no news.
    const later = [
      { type: 'kep.revised', occurredAt: at('2019-05-15T00:00:00Z') },
      { type: 'issue.closed', occurredAt: at('2019-06-01T00:00:00Z') },
    ];
    expect(listedAs(item, later, W21, windowFrom)).toEqual({ scoredFor: W19, weeksEarlier: 2 });
  });

  it('is null for an item that did nothing in the window', () => {
    expect(listedAs({ occurredAt: at('2019-04-01T00:00:00Z') }, [], W21, windowFrom)).toBeNull();
  });

  it('scores a range that is not a week for the range itself', () => {
    const range = { from: at('2019-05-08T00:00:00Z'), to: at('2019-05-12T00:00:00Z') };
    expect(listedAs({ occurredAt: at('2019-05-09T00:00:00Z') }, [], range, at('2019-04-10T00:00:00Z'))).toEqual({
      scoredFor: range,
      weeksEarlier: 0,
    });
    expect(listedAs({ occurredAt: at('2019-05-06T09:00:00Z') }, [], range, at('2019-04-10T00:00:00Z'))).toEqual({
      scoredFor: W19,
      weeksEarlier: 1,
    });
  });
});
