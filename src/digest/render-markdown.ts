/**
 * Renders a digest issue as GitHub-flavoured Markdown (the body of the weekly issue). Pure:
 * the same issue always gives the same text.
 */
import type { DigestEntry, DigestLink, DigestSection, RenderableIssue } from '../domain/digest.js';
import { escapeMarkdown, escapeMarkdownBlock, safeUrl } from './escape.js';
import { type DigestLabels, labelsFor } from './labels.js';
import { neutraliseMentions } from './mentions.js';
import { linksLine, linkText, orderedEntries, visibleSections } from './outline.js';
import { singleLine, splitLines, visibleLine } from './text.js';

/**
 * The issue as Markdown:
 *
 *     # {title}
 *
 *     > 本期时间：2019-06-17 ~ 2019-06-23
 *
 *     ## {section}
 *
 *     1. **[{entry title}]({url})**
 *
 *        {blurb}
 *
 *        相关链接：[{label}]({url})，[{label}]({url})
 *
 *     ### {subsection}
 *
 * Sections and subsections without entries are left out; a section's own entries come
 * before its subsections. Untrusted text is escaped (its mentions always broken); trusted text
 * is kept as written, its mentions broken too when `breakMentions` says so (for the body
 * published to GitHub: see mentions.ts). Ends with one newline; no line has trailing spaces.
 */
export function renderMarkdown(issue: RenderableIssue, options: MarkdownOptions = {}): string {
  const labels = labelsFor(issue.language);
  const trusted: Trusted = options.breakMentions ? neutraliseMentions : (text) => text;
  const blocks = [`# ${trusted(singleLine(issue.title))}`, `> ${labels.period(issue.period)}`];
  for (const section of visibleSections(issue.sections)) renderSection(section, 2, { labels, trusted }, blocks);
  const lines = blocks.join('\n\n').split('\n');
  return lines.map((line) => line.trimEnd()).join('\n') + '\n';
}

export interface MarkdownOptions {
  /** Break @-mentions in what editors wrote (titles, blurbs, the issue's and the sections' titles). */
  breakMentions?: boolean;
}

/** What becomes of trusted text once cleaned (after singleLine or visibleLine, so nothing dropped later can join an "@" to a name). */
type Trusted = (markdown: string) => string;

interface Context {
  labels: DigestLabels;
  trusted: Trusted;
}

function renderSection(section: DigestSection, level: number, context: Context, blocks: string[]): void {
  blocks.push(`${'#'.repeat(Math.min(level, 6))} ${context.trusted(singleLine(section.title))}`);
  orderedEntries(section).forEach((entry, index) => {
    blocks.push(renderEntry(entry, index + 1, context));
  });
  for (const subsection of visibleSections(section.sections)) renderSection(subsection, level + 1, context, blocks);
}

/**
 * One list item. Everything after the title line is indented to the item's content column
 * (the width of "1. ", 4 for "10. "), so that it stays inside the item.
 */
function renderEntry(entry: DigestEntry, number: number, { labels, trusted }: Context): string {
  const marker = `${number}. `;
  const indent = ' '.repeat(marker.length);
  const parts = [titleLine(entry, labels, trusted)];
  const blurb = entry.blurb.trusted ? trusted(trustedBlock(entry.blurb.text)) : escapeMarkdownBlock(entry.blurb.text);
  if (blurb !== '') parts.push(blurb);
  const links = linksLine(entry);
  if (links.length > 0) parts.push(labels.linksPrefix + links.map(markdownLink).join(labels.listSeparator));
  return parts
    .join('\n\n')
    .split('\n')
    .map((line, index) => (index === 0 ? marker + line : line === '' ? '' : indent + line))
    .join('\n');
}

function titleLine(entry: DigestEntry, labels: DigestLabels, trusted: Trusted): string {
  const url = entry.url === null ? null : safeUrl(entry.url);
  const title = entry.title.trusted ? trusted(singleLine(entry.title.text)) : escapeMarkdown(entry.title.text);
  const text = title !== '' ? title : escapeMarkdown(url ?? labels.untitled);
  return url === null ? `**${text}**` : `**[${text}](${url})**`;
}

function markdownLink(link: DigestLink): string {
  const url = safeUrl(link.url);
  const text = escapeMarkdown(linkText(link));
  return url === null ? text : `[${text}](${url})`;
}

/**
 * Trusted editor Markdown kept as written: its lines (and their indentation) as they are,
 * without trailing spaces, hidden controls or control characters other than tabs, at most one
 * blank line in a row, no blank line at either end.
 */
function trustedBlock(text: string): string {
  const lines = splitLines(text).map(visibleLine);
  const kept: string[] = [];
  for (const line of lines) {
    if (line === '' && (kept.length === 0 || kept[kept.length - 1] === '')) continue;
    kept.push(line);
  }
  while (kept[kept.length - 1] === '') kept.pop();
  return kept.join('\n');
}
