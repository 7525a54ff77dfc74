import type { SourceName } from '../domain/source.js';
import { issueFeed } from '../sources/issue-feed.js';
import { kepSource } from '../sources/keps.js';
import { releaseSource } from '../sources/releases.js';
import type { Source } from '../sources/source.js';

/** The readers that serve the wanted sources; a reader serving several reads them in one pass. */
export function readersFor(wanted: readonly SourceName[]): Array<{ reader: Source; sources: SourceName[] }> {
  const readers: Source[] = [issueFeed, releaseSource, kepSource];
  const result: Array<{ reader: Source; sources: SourceName[] }> = [];
  for (const reader of readers) {
    const sources = reader.serves.filter((s) => wanted.includes(s));
    if (sources.length > 0) result.push({ reader, sources });
  }
  return result;
}
