/**
 * Text from GitHub is untrusted; in a terminal, control characters could move the cursor, clear
 * the screen or forge output, and bidi controls could make a line read in another order than it
 * is stored (see hidden-controls.ts). Everything printed in tables and summaries goes through here.
 */
import { escapeHiddenControlsInJson, markHiddenControls } from './hidden-controls.js';

// C0 controls except tab and newline, DEL, and C1 controls (which include CSI on some terminals).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Makes untrusted text safe to print on one line of a terminal: line breaks and tabs become
 * spaces, other control characters `\x1b`, and bidi and other hidden controls a visible
 * `<U+202E>`, so the editor sees the text in the order it is stored, and that something was
 * hidden in it.
 */
export function terminalSafe(text: string): string {
  return terminalLines(text.replace(/[\r\n\t\u2028\u2029]+/g, ' '));
}

/** As terminalSafe, but keeping line breaks: for messages of several lines. */
export function terminalLines(text: string): string {
  return markHiddenControls(
    text.replace(/\r\n?/g, '\n').replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`),
  );
}

/**
 * `--json` output: JSON.stringify leaves U+202E and the like as they are, and a terminal shows
 * them. Written as `\u202e` escapes they are the same JSON value, for any program that reads it.
 */
export function jsonOutput(value: unknown): string {
  return escapeHiddenControlsInJson(JSON.stringify(value, null, 2));
}

/** Renders rows as an aligned plain-text table; cells are made terminal-safe and clipped. */
export function formatTable(header: string[], rows: Array<Array<string | number | null | undefined>>, maxWidth = 60): string {
  const cells = rows.map((row) => row.map((cell) => clip(terminalSafe(cell == null ? '' : String(cell)), maxWidth)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => displayWidth(row[i] ?? ''))));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(cell))))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

const GRAPHEMES = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * The text cut to at most `max` columns, ending with "…" when cut. It is cut between
 * user-perceived characters, never inside one: an emoji sequence joined by U+200D, a flag or a
 * letter with its accents stays whole or goes whole.
 */
export function clip(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let out = '';
  let width = 0;
  for (const { segment } of GRAPHEMES.segment(text)) {
    const next = width + graphemeWidth(segment);
    if (next > max - 1) break;
    out += segment;
    width = next;
  }
  return `${out}…`;
}

/**
 * Approximate column width: CJK and other wide characters take two columns, so do emoji (a
 * sequence such as 👩‍💻 is one emoji, two columns); combining marks take none.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of GRAPHEMES.segment(text)) width += graphemeWidth(segment);
  return width;
}

const EMOJI = /\p{Emoji_Presentation}|\p{Emoji}\uFE0F/u;

function graphemeWidth(grapheme: string): number {
  const code = grapheme.codePointAt(0) ?? 0;
  if (EMOJI.test(grapheme)) return 2;
  return code >= 0x1100 &&
    (code <= 0x115f ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6))
    ? 2
    : 1;
}
