/**
 * Escaping for the digest renderers. Pure: no I/O.
 *
 * Untrusted text (anything from GitHub, and blurbs radar drafted from it) goes through
 * escapeMarkdown / escapeMarkdownBlock / escapeHtml and renders as the literal text. Trusted
 * text (written by an editor, in Markdown) is kept as written in the Markdown output and turned
 * into a small, safe subset of HTML by markdownInlineToHtml for the HTML output. URLs of either
 * kind are only ever linked through safeUrl.
 */
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
 * since the `[` of an image is escaped. `@mentions` and `#123` references are left as they are.
 */
export function escapeMarkdown(text: string): string {
  const line = singleLine(text);
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ALWAYS_ESCAPED.has(ch)) out += '\\' + ch;
    else if (ch === '_') out += isIntraword(line, i) ? ch : '\\_';
    else if (i === 0 && ESCAPED_AT_LINE_START.has(ch)) out += '\\' + ch;
    else if (ch === '.' && /^\d+$/.test(line.slice(0, i))) out += '\\.';
    else out += ch;
  }
  return out;
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
 * href. The encoded URL is what is validated.
 */
export function safeUrl(url: string): string | null {
  const trimmed = url.trim();
  if (trimmed === '' || CONTROL.test(trimmed)) return null;
  const encoded = trimmed.replace(URL_BREAKING, percentEncode);
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
  /** Render `[label](url)` and `<url>` as links (default true); false renders the label only, e.g. inside another link. */
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
    if (current.length > 0) result.push(`<p>${inlineToHtml(current.join('\n'), true)}</p>`);
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
  return inlineToHtml(singleLine(text), options.links ?? true);
}

// --- A small inline Markdown parser: every construct is emitted with both of its tags or not at all. ---

interface Parsed {
  html: string;
  /** The index just after the closing delimiter. */
  end: number;
}

/** Emphasis nested deeper than this is left as written (bounds the recursion whatever the text). */
const MAX_EMPHASIS_DEPTH = 6;

class InlineParser {
  /** Results of parse(): the same attempt is made from many places, so remember it (keeps the parser O(n²)). */
  private readonly memo = new Map<string, Parsed | null>();

  constructor(
    private readonly src: string,
    private readonly links: boolean,
  ) {}

  /**
   * Parses from start to the end of the text (closer null), or to the first usable closer;
   * null when none is found. depth is the number of emphasis elements around.
   */
  parse(start: number, closer: string | null, depth = 0): Parsed | null {
    const key = `${start}:${closer ?? ''}:${depth}`;
    if (this.memo.has(key)) return this.memo.get(key)!;
    const result = this.scan(start, closer, depth);
    this.memo.set(key, result);
    return result;
  }

  private scan(start: number, closer: string | null, depth: number): Parsed | null {
    const src = this.src;
    let html = '';
    let i = start;
    // Whether anything but unmatched * and _ has been read: emphasis needs some content.
    let content = false;
    while (i < src.length) {
      if (closer !== null && content && src.startsWith(closer, i) && this.canClose(i, closer)) {
        return { html, end: i + closer.length };
      }
      const ch = src[i]!;
      if (ch === '\\' && i + 1 < src.length && /[!-/:-@[-`{-~]/.test(src[i + 1]!)) {
        html += escapeHtml(src[i + 1]!);
        i += 2;
      } else if (ch === '`') {
        const code = this.codeSpan(i);
        html += code.html;
        i = code.end;
      } else if (ch === '[' && this.links) {
        const link = this.link(i);
        html += link ? link.html : '[';
        i = link ? link.end : i + 1;
      } else if (ch === '<' && this.links) {
        const link = this.autolink(i);
        html += link ? link.html : '&lt;';
        i = link ? link.end : i + 1;
      } else if (ch === '*' || ch === '_') {
        const emphasis = this.emphasis(i, ch, depth);
        html += emphasis ? emphasis.html : ch;
        i = emphasis ? emphasis.end : i + 1;
        if (emphasis) content = true;
        continue;
      } else if (ch === '\n') {
        html += '<br>';
        i += 1;
      } else {
        html += escapeHtml(ch);
        i += 1;
      }
      content = true;
    }
    return closer === null ? { html, end: i } : null;
  }

  private emphasis(i: number, ch: '*' | '_', depth: number): Parsed | null {
    if (depth >= MAX_EMPHASIS_DEPTH || this.src.startsWith(ch.repeat(4), i)) return null;
    const double = ch + ch;
    if (this.src.startsWith(double, i) && this.canOpen(i, double)) {
      const inner = this.parse(i + 2, double, depth + 1);
      if (inner) return { html: `<strong>${inner.html}</strong>`, end: inner.end };
    }
    if (this.canOpen(i, ch)) {
      const inner = this.parse(i + 1, ch, depth + 1);
      if (inner) return { html: `<em>${inner.html}</em>`, end: inner.end };
    }
    return null;
  }

  private canOpen(i: number, delimiter: string): boolean {
    const next = this.src[i + delimiter.length];
    if (next === undefined || /\s/.test(next)) return false;
    return !(delimiter[0] === '_' && i > 0 && LETTER_OR_DIGIT.test(this.src[i - 1]!));
  }

  private canClose(i: number, delimiter: string): boolean {
    const previous = this.src[i - 1];
    if (previous === undefined || /\s/.test(previous)) return false;
    const next = this.src[i + delimiter.length];
    return !(delimiter[0] === '_' && next !== undefined && LETTER_OR_DIGIT.test(next));
  }

  private codeSpan(i: number): Parsed {
    const src = this.src;
    let run = 0;
    while (src[i + run] === '`') run++;
    const fence = '`'.repeat(run);
    let search = i + run;
    while (search < src.length) {
      const close = src.indexOf(fence, search);
      if (close < 0) break;
      let after = close + run;
      if (src[after] === '`') {
        while (src[after] === '`') after++;
        search = after;
        continue;
      }
      let code = src.slice(i + run, close).replace(/\n/g, ' ');
      if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '') code = code.slice(1, -1);
      return { html: `<code>${escapeHtml(code)}</code>`, end: after };
    }
    return { html: fence, end: i + run };
  }

  private link(i: number): Parsed | null {
    const src = this.src;
    let depth = 0;
    let close = -1;
    for (let j = i; j < src.length; j++) {
      const ch = src[j];
      if (ch === '\\') j++;
      else if (ch === '[') depth++;
      else if (ch === ']' && --depth === 0) {
        close = j;
        break;
      }
    }
    if (close < 0) return null;
    const destination = /^\(\s*(<[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/.exec(
      src.slice(close + 1),
    );
    if (!destination) return null;
    const label = new InlineParser(src.slice(i + 1, close), false).parse(0, null)!.html;
    const target = destination[1]!.replace(/^<(.*)>$/, '$1');
    const url = safeUrl(target);
    const html = url === null ? label : `<a href="${escapeHtml(url)}">${label}</a>`;
    return { html, end: close + 1 + destination[0].length };
  }

  private autolink(i: number): Parsed | null {
    const match = /^<(https?:\/\/[^\s<>]+)>/i.exec(this.src.slice(i));
    if (!match) return null;
    const url = safeUrl(match[1]!);
    const text = escapeHtml(match[1]!);
    return { html: url === null ? text : `<a href="${escapeHtml(url)}">${text}</a>`, end: i + match[0].length };
  }
}

function inlineToHtml(text: string, links: boolean): string {
  return new InlineParser(text, links).parse(0, null)!.html;
}
