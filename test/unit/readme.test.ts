import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SIGNALS } from '../../src/scoring/signals.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the README', () => {
  it('lists every scoring signal with its default weight', () => {
    const table = new Map(
      [...readme.matchAll(/^\| `([\w:-]+)` \| (-?[\d.]+) \|/gm)].map((m) => [m[1] as string, Number(m[2])] as const),
    );
    for (const [name, spec] of Object.entries(SIGNALS)) expect(table.get(name), name).toBe(spec.weight);
  });
});
