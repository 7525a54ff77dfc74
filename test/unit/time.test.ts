import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/lib/errors.js';
import { isoWeekOf, parseIsoInstant, parseIsoWeek } from '../../src/lib/time.js';

describe('ISO weeks', () => {
  it('maps a week to Monday 00:00 UTC .. next Monday', () => {
    expect(parseIsoWeek('2019-W20')).toEqual({ from: new Date('2019-05-13T00:00:00Z'), to: new Date('2019-05-20T00:00:00Z') });
    expect(parseIsoWeek('2019-W25').from).toEqual(new Date('2019-06-17T00:00:00Z'));
  });

  it('handles weeks that straddle years', () => {
    expect(parseIsoWeek('2020-W01').from).toEqual(new Date('2019-12-30T00:00:00Z'));
    expect(isoWeekOf(new Date('2021-01-03T12:00:00Z'))).toBe('2020-W53');
    expect(parseIsoWeek('2020-W53').from).toEqual(new Date('2020-12-28T00:00:00Z'));
    expect(() => parseIsoWeek('2019-W53')).toThrow(/2019 has no week 53/);
  });

  it('round-trips every day of a year', () => {
    for (let day = 0; day < 366; day++) {
      const date = new Date(Date.UTC(2019, 0, 1 + day, 13));
      const period = parseIsoWeek(isoWeekOf(date));
      expect(date >= period.from && date < period.to).toBe(true);
    }
  });

  it('rejects malformed weeks', () => {
    expect(() => parseIsoWeek('2019-20')).toThrow(ValidationError);
    expect(() => parseIsoWeek('2019-W00')).toThrow(/has no week 0/);
  });
});

describe('ISO instants from users', () => {
  it('reads dates and zone-less times as UTC', () => {
    expect(parseIsoInstant('2019-05-01', '--since')).toEqual(new Date('2019-05-01T00:00:00Z'));
    expect(parseIsoInstant('2019-05-01T12:30', '--since')).toEqual(new Date('2019-05-01T12:30:00Z'));
    expect(parseIsoInstant('2019-05-01T12:30:00+02:00', '--since')).toEqual(new Date('2019-05-01T10:30:00Z'));
  });

  it('names the flag in errors', () => {
    expect(() => parseIsoInstant('yesterday', '--since')).toThrow('--since: "yesterday" is not an ISO 8601 date');
    expect(() => parseIsoInstant('2019-13-45', '--until')).toThrow('--until: "2019-13-45" is not a valid date');
  });
});
