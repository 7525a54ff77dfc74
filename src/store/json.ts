import { storable } from '../lib/storable.js';

/** A value as jsonb text, with the characters PostgreSQL refuses in jsonb replaced (src/lib/storable.ts). */
export function jsonb(value: unknown): string {
  return JSON.stringify(storable(value));
}
