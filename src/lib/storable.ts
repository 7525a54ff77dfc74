/**
 * Text PostgreSQL can store. A NUL (U+0000) is refused in text and in jsonb ("invalid byte
 * sequence for encoding UTF8: 0x00"), and so is a lone UTF-16 surrogate in jsonb: one such
 * character in one upstream PR body would fail every batch that holds it, for good. Each is
 * replaced with U+FFFD, the replacement character, so the rest of the text is kept as it was.
 */

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_UNSTORABLE = new RegExp(UNSTORABLE.source);

export function storableText(text: string): string {
  return HAS_UNSTORABLE.test(text) ? text.replace(UNSTORABLE, '\uFFFD') : text;
}

/** The value with every string in it (keys too) made storable; the same object when nothing needs it. */
export function storable<T>(value: T): T {
  return hasUnstorable(value) ? (clean(value) as T) : value;
}

/** Whether any string in the value holds a character PostgreSQL refuses. */
export function hasUnstorable(value: unknown): boolean {
  if (typeof value === 'string') return HAS_UNSTORABLE.test(value);
  if (Array.isArray(value)) return value.some(hasUnstorable);
  if (value && typeof value === 'object' && !(value instanceof Date))
    return Object.entries(value).some(([key, v]) => HAS_UNSTORABLE.test(key) || hasUnstorable(v));
  return false;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(clean);
  if (value && typeof value === 'object' && !(value instanceof Date))
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [storableText(key), clean(v)]));
  return value;
}
