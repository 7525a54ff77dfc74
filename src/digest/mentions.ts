/**
 * @-mentions in a digest published as a GitHub issue. Pure: no I/O.
 *
 * GitHub notifies (and subscribes) every user and team an issue body mentions: `@someone`,
 * `@kubernetes/sig-node-leads`. It reads a mention where "@" follows the start of a text or a
 * character that is not an ASCII letter, digit or "_" (so `感谢@someone` is one, and an e-mail
 * address is not), and not inside code or a link. A backslash does not stop it. A zero-width
 * space after the "@" does: the text reads the same and no username follows the "@". Dependabot
 * and Renovate break mentions this way; Dependabot moved to it from code spans because GitHub
 * also finds mentions in the plain text of e-mail replies, where a code span is no code any more,
 * and so does radar (and inside an HTML block, Markdown is not read at all: a code span would
 * show its backticks and still mention).
 */
import { matchCodeSpans } from './code-spans.js';

/** The break put after "@": an HTML character reference, so it is visible in the issue's source. */
export const MENTION_BREAK = '&#8203;';

const USERNAME_START = /[A-Za-z0-9]/;
const ASCII_WORD = /[A-Za-z0-9_]/;
/** What may end the local part of an e-mail address that GitHub links (GFM's e-mail autolinks). */
const EMAIL_LOCAL = /[A-Za-z0-9.+_-]/;
/** A domain with at least one dot, right after the "@": the rest of an e-mail address. */
const EMAIL_DOMAIN = /[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)+/y;
/** How far back a URL is looked for from an "@" (longer URLs are not exempt). */
const URL_LOOKBEHIND = 2_000;

export interface MentionContext {
  /**
   * Whether the text is editor Markdown as written (GitHub links a URL after "(", "*", "_" or
   * "~" too), or untrusted text about to be escaped (only a URL after a space or at the start is
   * left as it is: backslash escapes in front of one may keep GitHub from linking it).
   */
  markdown: boolean;
}

/**
 * Whether the "@" at `text[i]` is one GitHub would read as a mention: followed by a username's
 * first character, not preceded by a letter or digit, and not part of an e-mail address
 * (`a.b-@example.org` too) or of a URL's path (`https://medium.com/@someone/post`, which GitHub
 * links, and mentions nobody in a link). Underscore before "@" counts as a possible mention: in
 * `_@someone_` it is emphasis, gone once rendered.
 */
export function isMentionAt(text: string, i: number, context: MentionContext): boolean {
  if (text[i] !== '@' || !USERNAME_START.test(text[i + 1] ?? '')) return false;
  const before = text[i - 1] ?? '';
  if (before !== '_' && ASCII_WORD.test(before)) return false;
  if (EMAIL_LOCAL.test(before)) {
    EMAIL_DOMAIN.lastIndex = i + 1;
    if (EMAIL_DOMAIN.test(text)) return false;
  }
  return !inUrlPath(text, i, context);
}

const DOMAIN = '(?:[A-Za-z0-9-]+\\.)+[A-Za-z0-9-]+(?::\\d+)?';
/** Untrusted text: URL characters that escapeMarkdown leaves as they are. */
const URL_IN_TEXT = new RegExp(`^(?:https?:\\/\\/|www\\.)${DOMAIN}\\/[A-Za-z0-9\\-.\\/?#=%+,;:@!']*$`, 'i');
const URL_IN_MARKDOWN = new RegExp(`(?:^|[(*_~])(?:https?:\\/\\/|www\\.)${DOMAIN}\\/[^\\s<>]*$`, 'i');

/** Whether `text[i]` is in the path of a URL that GitHub links by itself (after its host and a "/"). */
export function inUrlPath(text: string, i: number, context: MentionContext): boolean {
  let start = i;
  const limit = Math.max(0, i - URL_LOOKBEHIND);
  while (start > limit && !/\s/.test(text[start - 1] as string)) start--;
  if (start === limit && limit > 0) return false;
  return (context.markdown ? URL_IN_MARKDOWN : URL_IN_TEXT).test(text.slice(start, i));
}

/**
 * Editor Markdown with every mention broken by a zero-width space after its "@" (see the top of
 * this file): in paragraphs, headings, lists, quotes, emphasis, link labels and HTML blocks.
 * Left as written: code spans, fenced and indented code blocks, HTML tags and comments,
 * autolinks (`<https://...>`, `<a@b.org>`), link destinations, URLs GitHub links by itself,
 * e-mail addresses, and "@" that no username follows. `&#64;` and the like count as "@".
 * Expects lines ending in "\n" (as the renderer's blocks do).
 */
export function neutraliseMentions(markdown: string): string {
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) out.push(...neutraliseInline(paragraph.join('\n')).split('\n'));
    paragraph = [];
  };
  let fence: { char: string; length: number } | null = null;
  let indentedCode = false;
  let afterBlank = true;
  /** The content column of the last list item: deeper than that by 4 is code. */
  let listColumn = 0;
  for (const line of markdown.split('\n')) {
    if (fence) {
      out.push(line);
      const close = /^ {0,3}(`+|~+)[ \t]*$/.exec(line);
      if (close?.[1]?.[0] === fence.char && close[1].length >= fence.length) fence = null;
      continue;
    }
    if (line.trim() === '') {
      flush();
      out.push(line);
      afterBlank = true;
      continue;
    }
    const indent = columns(line);
    const opening = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (opening && !(opening[1]?.startsWith('`') && opening[2]?.includes('`'))) {
      flush();
      out.push(line);
      fence = { char: (opening[1] as string)[0] as string, length: (opening[1] as string).length };
      afterBlank = false;
      indentedCode = false;
      continue;
    }
    if ((afterBlank || indentedCode) && indent >= listColumn + 4) {
      flush();
      out.push(line);
      indentedCode = true;
      afterBlank = false;
      continue;
    }
    indentedCode = false;
    const item = /^( *)([-+*]|\d{1,9}[.)])( {1,4})(?=\S)/.exec(line);
    if (item) listColumn = (item[0] as string).length;
    else if (afterBlank && indent < listColumn) listColumn = 0;
    paragraph.push(line);
    afterBlank = false;
  }
  flush();
  return out.join('\n');
}

/** Leading indentation in columns, a tab counting to the next multiple of 4. */
function columns(line: string): number {
  let width = 0;
  for (const ch of line) {
    if (ch === ' ') width += 1;
    else if (ch === '\t') width += 4 - (width % 4);
    else break;
  }
  return width;
}

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
/** HTML comments, tags and autolinks: copied as written. */
const RAW_INLINE =
  /<!--[\s\S]*?-->|<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>|<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+>/y;
/** A link destination after "]": "(url)" or "(<url>)". */
const DESTINATION = /\]\((?:<[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)/y;
/** "@" written as a character reference. */
const AT_REFERENCE = /&(?:#0*64|#[xX]0*40|commat);/y;

/** One paragraph (lines joined by "\n") of editor Markdown with its mentions broken. */
function neutraliseInline(text: string): string {
  const codeSpanEnds = matchCodeSpans(text);
  let out = '';
  let i = 0;
  const copy = (length: number) => {
    out += text.slice(i, i + length);
    i += length;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '\\' && text[i + 1] !== '@' && ASCII_PUNCTUATION.test(text[i + 1] ?? '')) copy(2);
    else if (ch === '`') {
      let run = 1;
      while (text[i + run] === '`') run++;
      const close = codeSpanEnds.get(i);
      copy(close === undefined ? run : close + run - i);
    } else if (ch === '<' && matchAt(RAW_INLINE, text, i)) copy(matchAt(RAW_INLINE, text, i) as number);
    else if (ch === ']' && matchAt(DESTINATION, text, i)) copy(matchAt(DESTINATION, text, i) as number);
    else if (ch === '@' && isMentionAt(text, i, { markdown: true })) {
      out += `@${MENTION_BREAK}`;
      i += 1;
    } else if (ch === '&' && matchAt(AT_REFERENCE, text, i)) {
      const length = matchAt(AT_REFERENCE, text, i) as number;
      // As the "@" it stands for: the same rules, read on a text with "@" in its place.
      const asAt = `${text.slice(Math.max(0, i - URL_LOOKBEHIND), i)}@${text.slice(i + length, i + length + 256)}`;
      const mention = isMentionAt(asAt, Math.min(i, URL_LOOKBEHIND), { markdown: true });
      copy(length);
      if (mention) out += MENTION_BREAK;
    } else copy(1);
  }
  return out;
}

function matchAt(pattern: RegExp, text: string, i: number): number | null {
  pattern.lastIndex = i;
  const match = pattern.exec(text);
  return match ? match[0].length : null;
}
