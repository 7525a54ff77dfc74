/**
 * Text from GitHub is untrusted; in a terminal, control characters could move the cursor, clear
 * the screen or forge output. Everything printed in tables and summaries goes through here.
 */

// C0 controls except tab and newline, DEL, and C1 controls (which include CSI on some terminals).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Makes untrusted text safe to print on one line of a terminal. */
export function terminalSafe(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
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

function clip(text: string, max: number): string {
  return displayWidth(text) <= max ? text : `${[...text].slice(0, max - 1).join('')}…`;
}

/** Approximate column width: CJK and other wide characters take two columns. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    width +=
      code >= 0x1100 &&
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
  return width;
}
