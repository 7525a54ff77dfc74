/**
 * Invisible format characters that can reorder or hide text ("Trojan Source", CVE-2021-42574):
 * a title from GitHub with U+202E RIGHT-TO-LEFT OVERRIDE in it reads backwards from there on,
 * wherever it is shown. Pure: no I/O.
 *
 * Neutralised:
 * - the bidi controls: embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, and the
 *   marks U+200E LRM, U+200F RLM, U+061C ALM;
 * - the other invisible format characters of U+2060–U+206F (word joiner, invisible operators,
 *   the deprecated shaping and digit controls), U+FEFF (a byte order mark inside text), the
 *   interlinear annotation characters U+FFF9–U+FFFB (which some renderers hide text between),
 *   and the tag characters U+E0000–U+E007F (invisible copies of ASCII, used to smuggle text),
 *   except in an emoji tag sequence (the flags of England, Scotland and Wales: U+1F3F4, tags,
 *   U+E007F CANCEL TAG).
 *
 * Kept, because real text needs them and they reorder or hide nothing: U+200D ZERO WIDTH JOINER
 * (emoji sequences such as 👩‍💻, Indic conjuncts), U+200C ZERO WIDTH NON-JOINER (Persian, Indic),
 * U+200B ZERO WIDTH SPACE (word boundaries in Thai, Khmer, Lao; and the break radar itself puts
 * after "@" so that a published digest mentions nobody), the variation selectors (emoji and
 * CJK ideographic variants), U+00AD SOFT HYPHEN, and the letters of every script: Arabic and
 * Hebrew still run right to left by the ordinary bidi algorithm, which only these controls can
 * override.
 */

const FLAG_TAG_SEQUENCE = '\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}';
const HIDDEN_CLASS = '\u061C\u200E\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB\u{E0000}-\u{E007F}';

/**
 * Every hidden control, one at a time, emoji tag sequences included: for a URL, where they can
 * only disguise where a link leads. Global: use with replace, not test.
 */
export const EVERY_HIDDEN_CONTROL = new RegExp(`[${HIDDEN_CLASS}]`, 'gu');

/** A hidden control, or an emoji tag sequence (group 1) to keep whole. */
const HIDDEN = new RegExp(`(${FLAG_TAG_SEQUENCE})|[${HIDDEN_CLASS}]`, 'gu');

/** Whether the text holds any character that dropHiddenControls would remove. */
export function hasHiddenControls(text: string): boolean {
  return dropHiddenControls(text) !== text;
}

/**
 * The text without its hidden controls: what is left reads in logical order, as stored. For
 * rendered Markdown and HTML, the web pages and what is published to GitHub.
 */
export function dropHiddenControls(text: string): string {
  return replaceHidden(text, () => '');
}

/** Each hidden control as a visible `<U+202E>`, for a terminal, where an editor should see it is there. */
export function markHiddenControls(text: string): string {
  return replaceHidden(text, (code) => `<U+${hex(code)}>`);
}

/**
 * JSON text with each hidden control written as a `\uXXXX` escape (a surrogate pair for a tag
 * character): the same JSON value, which no longer reorders the terminal it is printed on.
 * Only valid on JSON text, where such characters can only be inside strings.
 */
export function escapeHiddenControlsInJson(json: string): string {
  return replaceHidden(json, (_, ch) => {
    let escaped = '';
    for (let i = 0; i < ch.length; i++) escaped += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return escaped;
  });
}

function replaceHidden(text: string, replacement: (code: number, ch: string) => string): string {
  // Most text has none: skip the allocation.
  if (!/[\u061C\u200E\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB\uDB40]/.test(text)) return text;
  return text.replace(HIDDEN, (ch: string, flag: string | undefined) => flag ?? replacement(ch.codePointAt(0) as number, ch));
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}
