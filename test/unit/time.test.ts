import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/lib/errors.js';
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
    expect(() => parseIsoWeek('2019-20')).toThrow(UsageError);
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

  it('refuses dates the calendar does not have instead of rolling them over, as a usage error', () => {
    const refused = (text: string, what = '--from') => {
      try {
        parseIsoInstant(text, what);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        expect((error as UsageError).exitCode).toBe(64);
        expect((error as UsageError).httpStatus).toBe(400);
        return (error as Error).message;
      }
      throw new Error(`${text} was accepted`);
    };
    expect(refused('2019-02-30')).toBe('--from: "2019-02-30" is not a valid date: February 2019 has 28 days');
    expect(refused('2019-02-29T00:00:00Z', '--since')).toBe(
      '--since: "2019-02-29T00:00:00Z" is not a valid date: February 2019 has 28 days',
    );
    expect(refused('2019-04-31', 'query.to')).toBe('query.to: "2019-04-31" is not a valid date: April 2019 has 30 days');
    expect(refused('2019-00-10')).toBe('--from: "2019-00-10" is not a valid date: there is no month 0');
    expect(refused('2019-05-00')).toBe('--from: "2019-05-00" is not a valid date: May 2019 has 31 days');
    expect(refused('2019-05-01T24:00')).toMatch(/there is no hour 24/);
    expect(refused('2019-05-01T12:60')).toMatch(/there is no minute 60/);
    expect(refused('2019-06-30T23:59:60Z')).toMatch(/there is no second 60/);
    expect(refused('2019-05-01T12:00+25:00')).toMatch(/the offset \+25:00 is not a time zone offset/);
    // Leap years, fractions and offsets still read right.
    expect(parseIsoInstant('2020-02-29', '--from')).toEqual(new Date('2020-02-29T00:00:00Z'));
    expect(parseIsoInstant('2000-02-29', '--from')).toEqual(new Date('2000-02-29T00:00:00Z'));
    expect(refused('1900-02-29')).toMatch(/the year must be from 1970/);
    expect(refused('2100-02-29')).toBe('--from: "2100-02-29" is not a valid date: February 2100 has 28 days');
    expect(parseIsoInstant('2019-12-31T23:59:59.1234Z', '--to')).toEqual(new Date('2019-12-31T23:59:59.123Z'));
    expect(parseIsoInstant('2019-05-01T00:30-0130', '--to')).toEqual(new Date('2019-05-01T02:00:00Z'));
  });

  it('refuses weeks a year does not have as a usage error', () => {
    expect(() => parseIsoWeek('2019-W53', '--week')).toThrow(UsageError);
    expect(() => parseIsoWeek('2019-W53', '--week')).toThrow('--week: "2019-W53": 2019 has no week 53');
    expect(() => parseIsoWeek('2019-W00', 'query.week')).toThrow('query.week: "2019-W00": 2019 has no week 0');
    expect(parseIsoWeek('2020-W53').from).toEqual(new Date('2020-12-28T00:00:00Z'));
  });
});
