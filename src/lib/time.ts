import { ValidationError } from './errors.js';

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

/** Parses "2019-W20" into its Monday 00:00 UTC .. next Monday (ISO 8601 week numbering). `what` names the field in errors. */
export function parseIsoWeek(text: string, what?: string): Period {
  const field = what ? `${what}: ` : '';
  const match = ISO_WEEK.exec(text.trim());
  if (!match) throw new ValidationError(`${field}"${text}" is not an ISO week like 2019-W20`);
  const year = Number(match[1]);
  const week = Number(match[2]);
  // The week after the last one ends in the next year.
  if (year < FIRST_YEAR || year >= LAST_YEAR)
    throw new ValidationError(`${field}"${text}": the year must be from ${FIRST_YEAR} to ${LAST_YEAR - 1}`);
  if (week < 1 || week > isoWeeksInYear(year)) {
    throw new ValidationError(`${field}"${text}": ${year} has no week ${week}`);
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

function mondayOfWeek1(year: number): Date {
  // Week 1 is the week with the year's first Thursday, i.e. the one containing January 4th.
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const day = (jan4.getUTCDay() + 6) % 7;
  return new Date(jan4.getTime() - day * DAY_MS);
}

function isoWeeksInYear(year: number): number {
  return isoWeekOf(new Date(Date.UTC(year, 11, 28))) === `${year}-W53` ? 53 : 52;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses an ISO 8601 date or date-time given by a user. A bare date means midnight UTC; a
 * date-time without a zone is read as UTC too, so that results never depend on the machine.
 */
export function parseIsoInstant(text: string, what: string): Date {
  const value = text.trim();
  if (!ISO_DATE.test(value)) {
    throw new ValidationError(`${what}: "${text}" is not an ISO 8601 date like 2019-05-01 or 2019-05-01T12:00:00Z`);
  }
  const hasZone = /Z|[+-]\d{2}:?\d{2}$/.test(value.slice(10));
  const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : hasZone ? value : `${value}Z`);
  if (Number.isNaN(date.getTime())) throw new ValidationError(`${what}: "${text}" is not a valid date`);
  const year = Number(value.slice(0, 4));
  if (year < FIRST_YEAR || year > LAST_YEAR)
    throw new ValidationError(`${what}: "${text}": the year must be from ${FIRST_YEAR} to ${LAST_YEAR}`);
  return date;
}

export function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
