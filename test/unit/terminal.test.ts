import { describe, expect, it } from 'vitest';
import { formatTable, terminalSafe } from '../../src/lib/terminal.js';

describe('terminal output of untrusted text', () => {
  it('neutralises escape sequences and control characters', () => {
    const hostile = 'fix \u001b[2J\u001b[31mred\u0007 bell\r\nnext\u009b';
    const safe = terminalSafe(hostile);
    const controls = [...safe].filter((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f));
    expect(controls).toEqual([]);
    expect(safe).toBe('fix \\x1b[2J\\x1b[31mred\\x07 bell next\\x9b');
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
});
