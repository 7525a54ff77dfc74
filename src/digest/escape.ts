/**
 * Escaping for the digest renderers. Pure: no I/O.
 *
 * Untrusted text (anything from GitHub, and blurbs radar drafted from it) goes through
 * escapeMarkdown / escapeMarkdownBlock / escapeHtml and renders as the literal text. Trusted
 * text (written by an editor, in Markdown) is kept as written in the Markdown output and turned
 * into a small, safe subset of HTML by markdownInlineToHtml for the HTML output. URLs of either
 * kind are only ever linked through safeUrl.
 */
import { EVERY_HIDDEN_CONTROL } from '../lib/hidden-controls.js';
import { matchCodeSpans } from './code-spans.js';
import { inUrlPath, isMentionAt, MENTION_BREAK } from './mentions.js';
import { paragraphs, singleLine, splitLines } from './text.js';

/**
 * Characters backslash-escaped wherever they appear: they can start or end emphasis, code,
 * links, images, tables, strikethrough or math anywhere in a line. Any ASCII punctuation may
 * be backslash-escaped in CommonMark, so the backslash never shows.
 */
const ALWAYS_ESCAPED = new Set(['\\', '`', '*', '{', '}', '[', ']', '(', ')', '|', '~', '$']);
/** Characters that only take effect at the start of a line (headings, list items, setext underlines, thematic breaks). */
const ESCAPED_AT_LINE_START = new Set(['#', '-', '+', '=']);
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * Escapes untrusted single-line text for GitHub-flavoured Markdown (which also renders raw
 * HTML), so that it renders as the literal text, with no link, image, HTML tag, emphasis or
 * table, wherever it is placed in a line (including the start of one). Newlines, tabs and other
 * control characters collapse to a single space; the result is trimmed.
 *
 * `& < >` become entities; `\ ` * { } [ ] ( ) | ~ $` are always backslash-escaped; `_` unless
 * it is inside a word (where it cannot emphasize: snake_case stays readable); `# - + =` and the
 * `.` of "1." only at the start, the only place they can start a block. `!` needs no escape
 * since the `[` of an image is escaped. `@login`, `#123` and `GH-123` get a zero-width space
 * after `@`, `#` or `-`, so that GitHub neither notifies nor links (they read the same); an
 * e-mail address and the path of a URL GitHub links (`https://medium.com/@login`) are left as
 * they are, since GitHub reads no mention or reference there (see mentions.ts).
 */
export function escapeMarkdown(text: string): string {
  const line = singleLine(text);
  // "2019." at the start would begin an ordered list.
  const listNumberEnd = /^\d+/.exec(line)?.[0].length ?? -1;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ALWAYS_ESCAPED.has(ch)) out += '\\' + ch;
    else if (ch === '_') out += isIntraword(line, i) ? ch : '\\_';
    // GitHub finds mentions and references in the rendered text, entities decoded: a
    // zero-width space after "@" or "#" (as Dependabot does) is what keeps "@login" from
    // notifying that person and "#123" or "owner/repo#123" from linking, and backlinking from,
    // an issue, when the digest is published there.
    else if (breaksReference(line, i)) out += `${ch}${MENTION_BREAK}`;
    else if (i === 0 && ESCAPED_AT_LINE_START.has(ch)) out += '\\' + ch;
    else if (ch === '.' && i === listNumberEnd) out += '\\.';
    else out += ch;
  }
  return out;
}

/** "@login", "#123", "GH-123": what GitHub would turn into a mention or an issue reference. */
function breaksReference(line: string, i: number): boolean {
  const ch = line[i];
  const next = line[i + 1] ?? '';
  if (ch === '@') return isMentionAt(line, i, { markdown: false });
  const reference =
    (ch === '#' && /\d/.test(next)) || (ch === '-' && /\d/.test(next) && /(^|[^A-Za-z0-9])GH$/i.test(line.slice(0, i)));
  return reference && !inUrlPath(line, i, { markdown: false });
}

function isIntraword(text: string, i: number): boolean {
  return i > 0 && LETTER_OR_DIGIT.test(text[i - 1]!) && i + 1 < text.length && LETTER_OR_DIGIT.test(text[i + 1]!);
}

/**
 * Escapes untrusted multi-line text (a drafted blurb) for Markdown: each line as escapeMarkdown
 * (so no line can start a heading, list, quote, code fence, table or HTML block), lines of a
 * paragraph kept as separate lines, paragraphs separated by exactly one blank line, no leading
 * or trailing blank line. Returns '' for blank text.
 */
export function escapeMarkdownBlock(text: string): string {
  return paragraphs(text)
    .map((lines) => lines.map(escapeMarkdown).join('\n'))
    .join('\n\n');
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and (quoted) attribute values: `& < > " '`. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch]!);
}

const CONTROL = /[\p{Cc}\u2028\u2029]/u;
/** Characters that would end or break a Markdown link destination or an HTML attribute; any whitespace too. */
const URL_BREAKING = /[\s()<>"'`\\]/gu;

/**
 * The URL to link to, or null when it must not be linked. Only absolute http: and https: URLs
 * with a host are links; javascript:, data:, relative, protocol-relative, malformed URLs and
 * URLs with control characters anywhere (`java\nscript:`) are not. The URL is returned as
 * written (not normalized), trimmed, with whitespace, `( ) < > " '`, backtick and backslash
 * percent-encoded, so it can be put in a Markdown link destination or, HTML-escaped, in an
 * href. Bidi and other hidden controls are percent-encoded too (`%E2%80%AE`): the same URL to
 * a browser, but shown as it is, not reordered. The encoded URL is what is validated.
 */
export function safeUrl(url: string): string | null {
  const trimmed = url.trim();
  if (trimmed === '' || CONTROL.test(trimmed)) return null;
  const encoded = trimmed.replace(URL_BREAKING, percentEncode).replace(EVERY_HIDDEN_CONTROL, percentEncode);
  if (!/^https?:\/\/[^/?#]/i.test(encoded)) return null;
  let parsed: URL;
  try {
    parsed = new URL(encoded);
  } catch {
    return null;
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') return null;
  return encoded;
}

function percentEncode(ch: string): string {
  const code = ch.codePointAt(0)!;
  return code < 0x80 ? '%' + code.toString(16).toUpperCase().padStart(2, '0') : encodeURIComponent(ch);
}

export interface SpanOptions {
  /** Render `[label](url)` and `<url>` as links (default true); false shows their label (or URL) as text, as inside a link. */
  links?: boolean;
}

/**
 * Turns TRUSTED editor Markdown (possibly several lines and paragraphs) into HTML: one `<p>`
 * per paragraph (blank lines separate paragraphs), `<br>` for a line break within one, and
 * inline `[label](url)` / `<url>` links (through safeUrl: an unsafe URL leaves the label as
 * text), `**bold**` / `__bold__`, `*em*` / `_em_`, `` `code` `` and backslash escapes.
 * Everything else is HTML-escaped, so an editor's `<b>` shows as text, and block Markdown
 * (headings, lists, quotes) shows as written. Returns '' for blank text.
 */
export function markdownInlineToHtml(text: string): string {
  const result: string[] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length > 0) result.push(`<p>${inlineToHtml(current.join('\n'), 'links')}</p>`);
    current = [];
  };
  for (const raw of splitLines(text)) {
    const line = singleLine(raw);
    if (line === '') flush();
    else current.push(line);
  }
  flush();
  return result.join('\n');
}

/**
 * Turns one line of TRUSTED editor Markdown into inline HTML (no `<p>`), with the inline
 * syntax of markdownInlineToHtml. Newlines and control characters become spaces.
 */
export function markdownSpanToHtml(text: string, options: SpanOptions = {}): string {
  return inlineToHtml(singleLine(text), (options.links ?? true) ? 'links' : 'labels');
}

// --- A small inline Markdown parser, linear in the length of the text. ---
// Code spans, links and autolinks are read left to right; emphasis follows CommonMark's
// delimiter-run rules ("process emphasis"). Every element is emitted with both of its tags,
// properly nested, or not at all; all text is HTML-escaped.

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const UNICODE_WHITESPACE = /\s/u;
const UNICODE_PUNCTUATION = /[\p{P}\p{S}]/u;
/** After "]": "(url)", "(<url>)", optionally with a "title". */
const LINK_DESTINATION = /\(\s*(<[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/y;
const AUTOLINK = /<(https?:\/\/[^\s<>]+)>/iy;

interface Delimiter {
  char: '*' | '_';
  /** The characters of the run not (yet) used as emphasis. */
  count: number;
  length: number;
  canOpen: boolean;
  canClose: boolean;
  /** Closing tags this run ends with (used as a closer), innermost first. */
  closes: string[];
  /** Opening tags this run starts (used as an opener), outermost first. */
  opens: string[];
}

type InlineNode = string | Delimiter;

/**
 * What to do with `[label](url)` and `<url>`: make links, show the label only, or (inside
 * a link's label, so that there is no recursion) show link syntax as written.
 */
type LinkMode = 'links' | 'labels' | 'text';

function inlineToHtml(src: string, mode: LinkMode): string {
  const nodes = tokenizeInline(src, mode);
  processEmphasis(nodes.filter((node): node is Delimiter => typeof node !== 'string'));
  return nodes
    .map((node) => (typeof node === 'string' ? node : node.closes.join('') + node.char.repeat(node.count) + node.opens.join('')))
    .join('');
}

function tokenizeInline(src: string, mode: LinkMode): InlineNode[] {
  const nodes: InlineNode[] = [];
  const codeSpanEnds = matchCodeSpans(src);
  const closingBracket = mode === 'text' ? new Map<number, number>() : matchBrackets(src);
  let text = '';
  const push = (node: InlineNode) => {
    if (text !== '') nodes.push(text);
    text = '';
    nodes.push(node);
  };
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '\\' && i + 1 < src.length && ASCII_PUNCTUATION.test(src[i + 1]!)) {
      text += escapeHtml(src[i + 1]!);
      i += 2;
    } else if (ch === '`') {
      let run = 1;
      while (src[i + run] === '`') run++;
      const close = codeSpanEnds.get(i);
      if (close === undefined) {
        text += '`'.repeat(run);
        i += run;
      } else {
        let code = src.slice(i + run, close).replace(/\n/g, ' ');
        if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '') code = code.slice(1, -1);
        push(`<code>${escapeHtml(code)}</code>`);
        i = close + run;
      }
    } else if (ch === '[') {
      const close = closingBracket.get(i);
      LINK_DESTINATION.lastIndex = (close ?? 0) + 1;
      const destination = close === undefined ? null : LINK_DESTINATION.exec(src);
      if (close === undefined || !destination) {
        text += '[';
        i += 1;
      } else {
        // A link's label has no links of its own.
        const label = inlineToHtml(src.slice(i + 1, close), 'text');
        const url = safeUrl(destination[1]!.replace(/^<(.*)>$/, '$1'));
        push(url === null || mode !== 'links' ? label : `<a href="${escapeHtml(url)}">${label}</a>`);
        i = close + 1 + destination[0].length;
      }
    } else if (ch === '<') {
      AUTOLINK.lastIndex = i;
      const autolink = AUTOLINK.exec(src);
      if (!autolink) {
        text += '&lt;';
        i += 1;
      } else {
        const url = safeUrl(autolink[1]!);
        const label = escapeHtml(autolink[1]!);
        push(url === null || mode !== 'links' ? label : `<a href="${escapeHtml(url)}">${label}</a>`);
        i += autolink[0].length;
      }
    } else if (ch === '*' || ch === '_') {
      let run = 1;
      while (src[i + run] === ch) run++;
      push(delimiterRun(ch, run, src[i - 1], src[i + run]));
      i += run;
    } else {
      text += ch === '\n' ? '<br>' : escapeHtml(ch);
      i += 1;
    }
  }
  if (text !== '') nodes.push(text);
  return nodes;
}

/** The position of the "]" matching each "[" (backslash escapes left out). */
function matchBrackets(src: string): Map<number, number> {
  const matches = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\\' && i + 1 < src.length && ASCII_PUNCTUATION.test(src[i + 1]!)) i++;
    else if (ch === '[') open.push(i);
    else if (ch === ']' && open.length > 0) matches.set(open.pop()!, i);
  }
  return matches;
}

/** A run of * or _ and whether it can open and close emphasis (CommonMark's flanking rules). */
function delimiterRun(char: '*' | '_', length: number, before: string | undefined, after: string | undefined): Delimiter {
  const whitespaceBefore = before === undefined || UNICODE_WHITESPACE.test(before);
  const whitespaceAfter = after === undefined || UNICODE_WHITESPACE.test(after);
  const punctuationBefore = before !== undefined && UNICODE_PUNCTUATION.test(before);
  const punctuationAfter = after !== undefined && UNICODE_PUNCTUATION.test(after);
  const leftFlanking = !whitespaceAfter && (!punctuationAfter || whitespaceBefore || punctuationBefore);
  const rightFlanking = !whitespaceBefore && (!punctuationBefore || whitespaceAfter || punctuationAfter);
  const canOpen = char === '*' ? leftFlanking : leftFlanking && (!rightFlanking || punctuationBefore);
  const canClose = char === '*' ? rightFlanking : rightFlanking && (!leftFlanking || punctuationAfter);
  return { char, count: length, length, canOpen, canClose, closes: [], opens: [] };
}

/** CommonMark's "process emphasis" over the delimiter runs of a text, in order. */
function processEmphasis(delimiters: Delimiter[]): void {
  const n = delimiters.length;
  // The delimiter stack as a doubly linked list over the runs, in text order.
  const previous = Array.from({ length: n }, (_, i) => i - 1);
  const next = Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
  const remove = (i: number) => {
    const before = previous[i]!;
    const after = next[i]!;
    if (before >= 0) next[before] = after;
    if (after >= 0) previous[after] = before;
  };
  // Below which no opener is worth looking for again, per kind of closer.
  const openersBottom = new Map<string, number>();
  let closerIndex = n > 0 ? 0 : -1;
  while (closerIndex >= 0) {
    const closer = delimiters[closerIndex]!;
    if (!closer.canClose) {
      closerIndex = next[closerIndex]!;
      continue;
    }
    const key = `${closer.char}${closer.canOpen ? 1 : 0}${closer.length % 3}`;
    const bottom = openersBottom.get(key) ?? -1;
    let openerIndex = previous[closerIndex]!;
    while (openerIndex > bottom) {
      const opener = delimiters[openerIndex]!;
      const oddMatch =
        (opener.canClose || closer.canOpen) &&
        (opener.length + closer.length) % 3 === 0 &&
        (opener.length % 3 !== 0 || closer.length % 3 !== 0);
      if (opener.char === closer.char && opener.canOpen && !oddMatch) break;
      openerIndex = previous[openerIndex]!;
    }
    if (openerIndex > bottom && openerIndex >= 0) {
      const opener = delimiters[openerIndex]!;
      const use = opener.count >= 2 && closer.count >= 2 ? 2 : 1;
      const tag = use === 2 ? 'strong' : 'em';
      opener.count -= use;
      closer.count -= use;
      opener.opens.unshift(`<${tag}>`);
      closer.closes.push(`</${tag}>`);
      // The runs in between can no longer match anything: they stay as text.
      next[openerIndex] = closerIndex;
      previous[closerIndex] = openerIndex;
      if (opener.count === 0) remove(openerIndex);
      if (closer.count === 0) {
        const following = next[closerIndex]!;
        remove(closerIndex);
        closerIndex = following;
      }
    } else {
      openersBottom.set(key, previous[closerIndex]!);
      const following = next[closerIndex]!;
      if (!closer.canOpen) remove(closerIndex);
      closerIndex = following;
    }
  }
}
