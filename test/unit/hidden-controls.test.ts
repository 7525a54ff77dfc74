import { describe, expect, it } from 'vitest';
import {
  dropHiddenControls,
  escapeHiddenControlsInJson,
  hasHiddenControls,
  markHiddenControls,
} from '../../src/lib/hidden-controls.js';

/** A file name with an override in it: stored "invoice" U+202E "gpj.exe", shown "invoiceexe.jpg". */
const OVERRIDE = 'invoice\u202Egpj.exe';
const BIDI = [...'\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C'];
const OTHER_HIDDEN = [...'\u2060\u2061\u2062\u2063\u2064\u206A\u206E\u206F\uFEFF\uFFF9\uFFFA\uFFFB'];
/** "hi" in tag characters: invisible everywhere. */
const TAG_SMUGGLED = '\u{E0068}\u{E0069}';

/** Text that must come out exactly as it went in. */
const LEGITIMATE = [
  '云原生周报：Kubernetes 1.15 正式发布',
  'مرحبا بالعالم', // Arabic letters run right to left by themselves
  'שלום עולם',
  'Pod 资源原地扩缩容 👩‍💻 👨‍👩‍👧‍👦 🏳️‍🌈', // ZWJ sequences
  '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} Scotland', // an emoji tag sequence
  'می\u200Cخواهم', // Persian with ZERO WIDTH NON-JOINER
  'क्\u200Dष', // Devanagari with ZERO WIDTH JOINER
  'ภาษา\u200Bไทย', // Thai word boundary
  '葛\u{E0100}城市', // an ideographic variation sequence
  '1\uFE0F\u20E3 keycap, soft\u00ADhyphen',
];

describe('hidden controls', () => {
  it('drops every bidi control, so the text reads in the order it is stored', () => {
    expect(dropHiddenControls(OVERRIDE)).toBe('invoicegpj.exe');
    for (const ch of BIDI) {
      expect(dropHiddenControls(`a${ch}b`), `U+${ch.codePointAt(0)?.toString(16)}`).toBe('ab');
      expect(hasHiddenControls(`a${ch}b`)).toBe(true);
    }
  });

  it('drops the other invisible format characters and tag characters outside an emoji', () => {
    for (const ch of OTHER_HIDDEN) expect(dropHiddenControls(`a${ch}b`), `U+${ch.codePointAt(0)?.toString(16)}`).toBe('ab');
    expect(dropHiddenControls(`fix${TAG_SMUGGLED} typo`)).toBe('fix typo');
    // A tag sequence that does not start with the black flag is smuggled text, not an emoji.
    expect(dropHiddenControls(`🏳\u{E0067}\u{E0062}\u{E007F}`)).toBe('🏳');
  });

  it('keeps legitimate text exactly: CJK, Arabic and Hebrew letters, emoji sequences, joiners', () => {
    for (const text of LEGITIMATE) {
      expect(dropHiddenControls(text)).toBe(text);
      expect(markHiddenControls(text)).toBe(text);
      expect(hasHiddenControls(text)).toBe(false);
    }
    // A hidden control next to an emoji sequence goes; the sequence stays whole.
    expect(dropHiddenControls('\u202E👩‍💻\u2066')).toBe('👩‍💻');
  });

  it('shows each one as a visible <U+XXXX> for the terminal', () => {
    expect(markHiddenControls(OVERRIDE)).toBe('invoice<U+202E>gpj.exe');
    expect(markHiddenControls(`\u2067x\u2069 ${TAG_SMUGGLED}`)).toBe('<U+2067>x<U+2069> <U+E0068><U+E0069>');
  });

  it('escapes them in JSON text without changing the value', () => {
    const value = { title: `${OVERRIDE} ${TAG_SMUGGLED}`, emoji: LEGITIMATE[3] };
    const json = escapeHiddenControlsInJson(JSON.stringify(value));
    expect(json).toContain('invoice\\u202egpj.exe');
    expect(json).toContain('\\udb40\\udc68\\udb40\\udc69');
    expect(hasHiddenControls(json)).toBe(false);
    expect(JSON.parse(json)).toEqual(value);
  });
});
