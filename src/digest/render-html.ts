/**
 * Renders a digest issue as a standalone HTML5 page (for previews, mail and the archive).
 * Pure: the same issue always gives the same text. No script, no external resource.
 */
import type { DigestEntry, DigestLink, DigestSection, RenderableIssue } from '../domain/digest.js';
import { escapeHtml, markdownInlineToHtml, markdownSpanToHtml, safeUrl } from './escape.js';
import { type DigestLabels, labelsFor } from './labels.js';
import { linksLine, linkText, orderedEntries, visibleSections } from './outline.js';
import { paragraphs, singleLine } from './text.js';

const STYLE = [
  'body { margin: 0; padding: 2rem 1rem; color: #1f2328; background: #fff;',
  '  font: 16px/1.75 -apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Hiragino Sans GB",',
  '    "Microsoft YaHei", "Noto Sans CJK SC", Helvetica, Arial, sans-serif; }',
  'article { max-width: 46rem; margin: 0 auto; }',
  'h1 { font-size: 1.9rem; line-height: 1.3; margin: 0 0 0.25rem; }',
  'h2 { font-size: 1.45rem; margin: 2.5rem 0 1rem; padding-bottom: 0.3rem; border-bottom: 1px solid #d1d9e0; }',
  'h3 { font-size: 1.15rem; margin: 1.75rem 0 0.75rem; }',
  'h4, h5, h6 { font-size: 1rem; margin: 1.5rem 0 0.5rem; }',
  '.period { color: #59636e; margin: 0 0 2rem; }',
  'ol { padding-left: 1.75rem; }',
  'li { margin: 0 0 1.25rem; }',
  'li p { margin: 0.4rem 0; }',
  '.links { color: #59636e; font-size: 0.92rem; }',
  'a { color: #0969da; text-decoration: none; }',
  'a:hover { text-decoration: underline; }',
  'code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f6f8fa;',
  '  padding: 0.1em 0.3em; border-radius: 4px; }',
];

/**
 * The issue as an HTML5 document: `<article>` with the title (`<h1>`), the period
 * (`<p class="period">`), a `<section>` per section (`<h2>`, subsections nested with `<h3>`)
 * holding an `<ol>` of entries. Same leaving-out rules as the Markdown. Ends with one newline.
 */
export function renderHtml(issue: RenderableIssue): string {
  const labels = labelsFor(issue.language);
  const title = escapeHtml(singleLine(issue.title));
  const out = new Lines();
  out.add(0, '<!doctype html>');
  out.add(0, `<html lang="${escapeHtml(issue.language)}">`);
  out.add(0, '<head>');
  out.add(1, '<meta charset="utf-8">');
  out.add(1, '<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.add(1, `<title>${title}</title>`);
  out.add(1, '<style>');
  for (const rule of STYLE) out.add(2, rule);
  out.add(1, '</style>');
  out.add(0, '</head>');
  out.add(0, '<body>');
  out.add(1, '<article>');
  out.add(2, `<h1>${title}</h1>`);
  out.add(2, `<p class="period">${escapeHtml(labels.period(issue.period))}</p>`);
  for (const section of visibleSections(issue.sections)) renderSection(section, 2, 2, labels, out);
  out.add(1, '</article>');
  out.add(0, '</body>');
  out.add(0, '</html>');
  return out.text();
}

class Lines {
  private readonly lines: string[] = [];

  add(depth: number, line: string): void {
    this.lines.push('  '.repeat(depth) + line);
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

function renderSection(section: DigestSection, level: number, depth: number, labels: DigestLabels, out: Lines): void {
  const heading = `h${Math.min(level, 6)}`;
  out.add(depth, `<section data-section="${escapeHtml(section.id)}">`);
  out.add(depth + 1, `<${heading}>${escapeHtml(singleLine(section.title))}</${heading}>`);
  const entries = orderedEntries(section);
  if (entries.length > 0) {
    out.add(depth + 1, '<ol>');
    for (const entry of entries) renderEntry(entry, depth + 2, labels, out);
    out.add(depth + 1, '</ol>');
  }
  for (const subsection of visibleSections(section.sections)) renderSection(subsection, level + 1, depth + 1, labels, out);
  out.add(depth, '</section>');
}

function renderEntry(entry: DigestEntry, depth: number, labels: DigestLabels, out: Lines): void {
  out.add(depth, '<li>');
  out.add(depth + 1, `<p class="title"><strong>${titleHtml(entry, labels)}</strong></p>`);
  for (const paragraph of blurbHtml(entry)) out.add(depth + 1, paragraph);
  const links = linksLine(entry);
  if (links.length > 0) {
    const html = links.map(linkHtml).join(escapeHtml(labels.listSeparator));
    out.add(depth + 1, `<p class="links">${escapeHtml(labels.linksPrefix)}${html}</p>`);
  }
  out.add(depth, '</li>');
}

function titleHtml(entry: DigestEntry, labels: DigestLabels): string {
  const url = entry.url === null ? null : safeUrl(entry.url);
  // A trusted title is editor Markdown; inside the title's own link, its links show as their labels.
  let text = entry.title.trusted
    ? markdownSpanToHtml(entry.title.text, { links: url === null })
    : untrustedHtml(singleLine(entry.title.text));
  if (text === '') text = escapeHtml(url ?? labels.untitled);
  return url === null ? text : `<a href="${escapeHtml(url)}">${text}</a>`;
}

/** The blurb's `<p>` elements, one a line. */
function blurbHtml(entry: DigestEntry): string[] {
  if (entry.blurb.trusted) {
    const html = markdownInlineToHtml(entry.blurb.text);
    return html === '' ? [] : html.split('\n');
  }
  return paragraphs(entry.blurb.text).map((lines) => `<p>${lines.map(untrustedHtml).join('<br>')}</p>`);
}

function linkHtml(link: DigestLink): string {
  const url = safeUrl(link.url);
  const text = untrustedHtml(singleLine(linkText(link)));
  return url === null ? text : `<a href="${escapeHtml(url)}">${text}</a>`;
}

/**
 * Untrusted text as HTML text: escapeHtml, and the brackets as character references too, so
 * that the text stays inert even if the page is ever pasted into Markdown ("[x](javascript:…)"
 * is not a link there either).
 */
function untrustedHtml(text: string): string {
  return escapeHtml(text).replace(/[[\]]/g, (ch) => (ch === '[' ? '&#91;' : '&#93;'));
}
