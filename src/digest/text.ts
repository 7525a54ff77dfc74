/**
 * Plain-text helpers shared by the escaping functions and the renderers. Pure: no I/O.
 */
import { dropHiddenControls } from '../lib/hidden-controls.js';

/** Line terminators: CRLF, CR, LF and the Unicode line/paragraph separators. */
const LINE_BREAK = /\r\n|[\n\r\u2028\u2029\u0085]/;
/** C0/C1 control characters (newline and tab included) and the Unicode line/paragraph separators. */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;

/**
 * Text as one line: every control character (newline, tab, ...) becomes a space, runs of spaces
 * one space, trimmed; bidi and other hidden controls are dropped (see lib/hidden-controls.ts), so
 * that a title reads in a digest in the order it is stored. Every text a renderer shows goes
 * through here or through visibleLine.
 */
export function singleLine(text: string): string {
  return dropHiddenControls(text).replace(CONTROL, ' ').replace(/ {2,}/g, ' ').trim();
}

/** One line of a multi-line text kept as written: hidden controls dropped, control characters but tabs spaces, no trailing space. */
export function visibleLine(line: string): string {
  return dropHiddenControls(line)
    .replace(CONTROL, (ch) => (ch === '\t' ? ch : ' '))
    .trimEnd();
}

/** The lines of a text, whatever its line terminators. */
export function splitLines(text: string): string[] {
  return text.split(LINE_BREAK);
}

/**
 * The paragraphs of a multi-line text, each a list of cleaned single lines (see singleLine).
 * Blank lines separate paragraphs; any number of them counts as one; none is empty.
 */
export function paragraphs(text: string): string[][] {
  const result: string[][] = [];
  let current: string[] = [];
  for (const raw of splitLines(text)) {
    const line = singleLine(raw);
    if (line === '') {
      if (current.length > 0) result.push(current);
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length > 0) result.push(current);
  return result;
}
