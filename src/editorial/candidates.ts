import type { Candidate } from '../domain/candidate.js';
import type { ItemKind } from '../domain/source.js';
import type { Clock } from '../lib/clock.js';
import { ValidationError } from '../lib/errors.js';
import { isoWeekOf, type Period, parseIsoInstant, parseIsoWeek } from '../lib/time.js';
import { listItemsInPeriod } from '../store/candidates.js';
import type { Db } from '../store/db.js';

export interface PeriodInput {
  week?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** A week (2019-W20) or an explicit range; the current ISO week when neither is given. */
export function resolvePeriod(input: PeriodInput, clock: Clock): Period {
  if (input.week && (input.from || input.to)) throw new ValidationError('give either a week or --from/--to, not both');
  if (input.week) return parseIsoWeek(input.week);
  if (input.from || input.to) {
    if (!input.from || !input.to) throw new ValidationError('--from and --to go together');
    const period = { from: parseIsoInstant(input.from, '--from'), to: parseIsoInstant(input.to, '--to') };
    if (period.to <= period.from) throw new ValidationError(`--to (${input.to}) must be after --from (${input.from})`);
    return period;
  }
  return parseIsoWeek(isoWeekOf(clock.now()));
}

export interface CandidateListOptions {
  period: Period;
  project?: string | undefined;
  kinds?: ItemKind[] | undefined;
  limit?: number | undefined;
}

export async function listCandidates(db: Db, options: CandidateListOptions): Promise<Candidate[]> {
  return listItemsInPeriod(db, options);
}
