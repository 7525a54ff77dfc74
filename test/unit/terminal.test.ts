import { describe, expect, it } from 'vitest';
import { clip, displayWidth, formatTable, jsonOutput, terminalLines, terminalSafe } from '../../src/lib/terminal.js';

describe('terminal output of untrusted text', () => {
  it('neutralises escape sequences and control characters', () => {
    const hostile = 'fix \u001b[2J\u001b[31mred\u0007 bell\r\nnext\u009b';
    const safe = terminalSafe(hostile);
    const controls = [...safe].filter((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f));
    expect(controls).toEqual([]);
    expect(safe).toBe('fix \\x1b[2J\\x1b[31mred\\x07 bell next\\x9b');
  });

  it('shows bidi and other hidden controls as visible markers, and keeps emoji and RTL letters', () => {
    expect(terminalSafe('Fix \u202Eevil\u202C in \u2066kubelet\u2069')).toBe(
      'Fix <U+202E>evil<U+202C> in <U+2066>kubelet<U+2069>',
    );
    expect(terminalSafe('👩‍💻 مرحبا 上游')).toBe('👩‍💻 مرحبا 上游');
    // Messages of several lines keep their lines, nothing else.
    expect(terminalLines('--repo: "a\u202Eb" is not owner/name\nusage: radar issue\r\n\u001b[2J')).toBe(
      '--repo: "a<U+202E>b" is not owner/name\nusage: radar issue\n\\x1b[2J',
    );
  });

  it('prints --json with hidden controls escaped, the same JSON value', () => {
    const value = [{ title: 'a\u202Eb 👩‍💻' }];
    const text = jsonOutput(value);
    expect(text).toContain('"a\\u202eb 👩‍💻"');
    expect(JSON.parse(text)).toEqual(value);
  });

  it('aligns columns, counting wide characters twice, and clips long cells', () => {
    const table = formatTable(
      ['a', 'b'],
      [
        ['上游', 'x'],
        ['ab', 'y'.repeat(30)],
      ],
      10,
    );
    const lines = table.split('\n');
    expect(lines[0]).toBe('a     b');
    expect(lines[2]).toBe('上游  x');
    expect(lines[3]).toBe(`ab    ${'y'.repeat(9)}…`);
  });

  it('counts an emoji sequence as one wide character and never cuts one in half', () => {
    expect(displayWidth('👩‍💻')).toBe(2);
    expect(displayWidth('🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}')).toBe(2);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(clip('ab👨‍👩‍👧‍👦cd', 4)).toBe('ab…');
    expect(clip('ab👨‍👩‍👧‍👦cd', 5)).toBe('ab👨‍👩‍👧‍👦…');
    expect(clip('ab👨‍👩‍👧‍👦', 4)).toBe('ab👨‍👩‍👧‍👦');
    const table = formatTable(['t', 'n'], [['👩‍💻 x', 1]]);
    expect(table.split('\n')[2]).toBe('👩‍💻 x  1');
  });
});
