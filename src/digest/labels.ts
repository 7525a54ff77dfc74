/**
 * The fixed words of a digest, per language. Pure: no I/O, no clock.
 */
import type { Language } from '../domain/digest.js';

export interface DigestLabels {
  /** Starts the line listing an entry's links: "相关链接：". */
  linksPrefix: string;
  /** Between two links of that line: "，". */
  listSeparator: string;
  /** Shown instead of an entry title that is blank. */
  untitled: string;
  /** The period of the issue as shown under its title, without Markdown: "本期时间：2019-06-17 ~ 2019-06-23". */
  period(period: { from: Date; to: Date }): string;
}

const LABELS: Record<Language, DigestLabels> = {
  'zh-CN': {
    linksPrefix: '相关链接：',
    listSeparator: '，',
    untitled: '（无标题）',
    period: ({ from, to }) => `本期时间：${firstDay(from)} ~ ${lastDay(to)}`,
  },
  en: {
    linksPrefix: 'Links: ',
    listSeparator: ', ',
    untitled: '(untitled)',
    period: ({ from, to }) => `${firstDay(from)} – ${lastDay(to)}`,
  },
};

/** The fixed words for a language. */
export function labelsFor(language: Language): DigestLabels {
  return LABELS[language];
}

/** The UTC day of the start of a period: "2019-06-17". */
function firstDay(from: Date): string {
  return utcDay(from);
}

/**
 * The last UTC day inside a half-open period [from, to): the day before `to` when `to` is a
 * midnight (2019-06-24T00:00Z → "2019-06-23"), the day of `to` otherwise.
 */
function lastDay(to: Date): string {
  return utcDay(new Date(to.getTime() - 1));
}

/** "2019-06-17"; throws a RangeError for an invalid date. */
function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
