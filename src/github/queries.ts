import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../lib/paths.js';

/**
 * The GraphQL documents in queries/, one operation per file. Each asks for `rateLimit { cost }`
 * (so every run can count its points) and offers `capacity` aliases (p0..p49 style), each
 * switched on by its `$iN` variable, so one static document serves any batch up to that size.
 */
export interface QueryDocument {
  name: string;
  text: string;
  /** How many aliased objects one query can carry. */
  capacity: number;
  /** The letter its aliases start with (p0.., t0.., b0..). */
  aliasPrefix: string;
}

const cache = new Map<string, QueryDocument>();

export function loadQuery(name: 'pull-details' | 'tree-entries' | 'blob-texts'): QueryDocument {
  const cached = cache.get(name);
  if (cached) return cached;
  const file = join(packageRoot(), 'queries', `${name}.graphql`);
  const text = readFileSync(file, 'utf8');
  if (!/rateLimit\s*\{[^}]*\bcost\b/.test(text)) {
    throw new Error(`${file}: every radar query must ask for rateLimit { cost } so its points are counted`);
  }
  const capacity = new Set([...text.matchAll(/\$i(\d+): Boolean/g)].map((m) => m[1])).size;
  if (capacity === 0) throw new Error(`${file}: no $iN switches found`);
  const aliasPrefix = /^\s+([a-z])0:\s/m.exec(text)?.[1];
  if (!aliasPrefix) throw new Error(`${file}: no aliases (x0: ...) found`);
  const document = { name, text, capacity, aliasPrefix };
  cache.set(name, document);
  return document;
}

/** Splits work into the fewest batches of at most `capacity`, evenly sized. */
export function evenBatches<T>(items: readonly T[], capacity: number): T[][] {
  if (items.length === 0) return [];
  const count = Math.ceil(items.length / capacity);
  const size = Math.ceil(items.length / count);
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}
