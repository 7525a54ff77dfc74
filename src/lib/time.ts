import { UsageError } from './errors.js';

/** A half-open time range [from, to). */
export interface Period {
  from: Date;
  to: Date;
}

const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

const ISO_WEEK = /^(\d{4})-W(\d{2})$/;

/** Years a date given by a user may have: what GitHub and PostgreSQL timestamps can both hold, and a little more. */
const FIRST_YEAR = 1970;
const LAST_YEAR = 9999;

/**
 * Parses "2019-W20" into its Monday 00:00 UTC .. next Monday (ISO 8601 week numbering). `what`
 * names the field in errors, which are usage errors (exit 64, HTTP 400): "2019-W53" does not
 * roll over into 2020, since 2019 has 52 weeks.
 */
export function parseIsoWeek(text: string, what?: string): Period {
  const field = what ? `${what}: ` : '';
  const match = ISO_WEEK.exec(text.trim());
  if (!match) throw new UsageError(`${field}"${text}" is not an ISO week like 2019-W20`);
  const year = Number(match[1]);
  const week = Number(match[2]);
  // The week after the last one ends in the next year.
  if (year < FIRST_YEAR || year >= LAST_YEAR)
    throw new UsageError(`${field}"${text}": the year must be from ${FIRST_YEAR} to ${LAST_YEAR - 1}`);
  if (week < 1 || week > isoWeeksInYear(year)) {
    throw new UsageError(`${field}"${text}": ${year} has no week ${week}`);
  }
  const from = new Date(mondayOfWeek1(year).getTime() + (week - 1) * WEEK_MS);
  return { from, to: new Date(from.getTime() + WEEK_MS) };
}

/** The ISO week ("2019-W20") that contains a moment, in UTC. */
export function isoWeekOf(date: Date): string {
  // The week belongs to the year that holds its Thursday.
  const day = (date.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - day + 3));
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - mondayOfWeek1(year).getTime()) / WEEK_MS) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The ISO week that contains a moment, as a period (Monday 00:00 UTC .. next Monday). */
export function isoWeekContaining(date: Date): Period {
  const day = (date.getUTCDay() + 6) % 7; // Monday = 0
  const from = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - day));
  return { from, to: new Date(from.getTime() + WEEK_MS) };
}

/** Whether a period is exactly one ISO week. */
export function isIsoWeek(period: Period): boolean {
  return (
    period.to.getTime() - period.from.getTime() === WEEK_MS &&
    isoWeekContaining(period.from).from.getTime() === period.from.getTime()
  );
}

function mondayOfWeek1(year: number): Date {
  // Week 1 is the week with the year's first Thursday, i.e. the one containing January 4th.
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const day = (jan4.getUTCDay() + 6) % 7;
  return new Date(jan4.getTime() - day * DAY_MS);
}

function isoWeeksInYear(year: number): number {
  return isoWeekOf(new Date(Date.UTC(year, 11, 28))) === `${year}-W53` ? 53 : 52;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|([+-])(\d{2}):?(\d{2}))?)?$/;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/**
 * Parses an ISO 8601 date or date-time given by a user. A bare date means midnight UTC; a
 * date-time without a zone is read as UTC too, so that results never depend on the machine.
 * Every field is checked against the calendar: JavaScript's Date rolls 2019-02-30 over to
 * March 2 without a word, and a backfill or a snooze would then quietly start or end elsewhere.
 * A bad value is a usage error (exit 64, HTTP 400) naming the flag or field and the value.
 */
export function parseIsoInstant(text: string, what: string): Date {
  const value = text.trim();
  const match = ISO_DATE.exec(value);
  if (!match) {
    throw new UsageError(`${what}: "${text}" is not an ISO 8601 date like 2019-05-01 or 2019-05-01T12:00:00Z`);
  }
  const [, y, mo, d, h = '0', mi = '0', sec = '0', fraction = '', , sign, offH = '0', offM = '0'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, sec].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const invalid = (why: string) => new UsageError(`${what}: "${text}" is not a valid date: ${why}`);
  if (year < FIRST_YEAR || year > LAST_YEAR)
    throw new UsageError(`${what}: "${text}": the year must be from ${FIRST_YEAR} to ${LAST_YEAR}`);
  if (month < 1 || month > 12) throw invalid(`there is no month ${month}`);
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) throw invalid(`${MONTHS[month - 1]} ${year} has ${days} days`);
  if (hour > 23) throw invalid(`there is no hour ${hour} (00 to 23)`);
  if (minute > 59) throw invalid(`there is no minute ${minute} (00 to 59)`);
  // A leap second (:60) has no JavaScript Date, nor a PostgreSQL timestamp.
  if (second > 59) throw invalid(`there is no second ${second} (00 to 59)`);
  if (Number(offH) > 23 || Number(offM) > 59) throw invalid(`the offset ${match[8]} is not a time zone offset`);
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(offH) * 60 + Number(offM));
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000);
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "2019-05-20 14:03": minutes are enough to find a run, and UTC reads the same on every machine. */
export function compactUtc(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}
