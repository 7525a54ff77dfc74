import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder that holds radar's package.json, whether running from src/ (tests) or dist/src/
 * (the built command). Shipped assets (queries/, config/) are found from here.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'queries'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('radar: cannot find the package root (package.json with queries/)');
    dir = parent;
  }
}
