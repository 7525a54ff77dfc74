import { describe, expect, it } from 'vitest';
import { hasUnstorable, storable, storableText } from '../../src/lib/storable.js';

describe('storable text', () => {
  it('replaces NUL and lone surrogates with U+FFFD and keeps everything else', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('lone \uD800 high, lone \uDC00 low')).toBe('lone \uFFFD high, lone \uFFFD low');
    // A real pair (an emoji outside the BMP), Chinese text and a ZWJ sequence are untouched.
    const kept = '调度框架 👩‍💻 \uD83D\uDE00';
    expect(storableText(kept)).toBe(kept);
    expect(storableText('\uDC00\uD800')).toBe('\uFFFD\uFFFD'); // low before high is no pair
  });

  it('cleans strings at any depth, keys too, and returns the same object when nothing needs it', () => {
    const clean = { title: 'ok', labels: ['a'], at: new Date(0), nested: { n: 1 } };
    expect(storable(clean)).toBe(clean);
    expect(hasUnstorable(clean)).toBe(false);
    const dirty = { title: 'x\u0000', labels: ['ok', 'y\uD800'], nested: { 'k\u0000': [{ v: '\u0000' }] }, n: 3, none: null };
    expect(hasUnstorable(dirty)).toBe(true);
    expect(storable(dirty)).toEqual({
      title: 'x\uFFFD',
      labels: ['ok', 'y\uFFFD'],
      nested: { 'k\uFFFD': [{ v: '\uFFFD' }] },
      n: 3,
      none: null,
    });
    expect(dirty.title).toBe('x\u0000'); // the input is not changed
  });
});
