/**
 * What of an issue gets rendered, and in which order: the rules both renderers share. Pure.
 */
import type { DigestEntry, DigestLink, DigestSection } from '../domain/digest.js';
import { safeUrl } from './escape.js';

/** Whether a section has entries, itself or in a subsection at any depth; sections without are left out. */
export function hasEntries(section: DigestSection): boolean {
  return section.entries.length > 0 || section.sections.some(hasEntries);
}

/** The sections to render: those with entries, in their order. */
export function visibleSections(sections: DigestSection[]): DigestSection[] {
  return sections.filter(hasEntries);
}

/** A section's entries in the order they are numbered: by position, then id (so that ties are deterministic). */
export function orderedEntries(section: DigestSection): DigestEntry[] {
  return [...section.entries].sort((a, b) => a.position - b.position || a.id - b.id);
}

/**
 * The links of an entry's links line: all of them, except that there is no line when the
 * only link goes where the title already does. Links with neither a label nor a safe URL
 * are dropped (there would be nothing to show).
 */
export function linksLine(entry: DigestEntry): DigestLink[] {
  const [only, ...others] = entry.links;
  if (only && others.length === 0 && entry.url !== null && sameUrl(only.url, entry.url)) return [];
  return entry.links.filter((link) => link.label.trim() !== '' || safeUrl(link.url) !== null);
}

function sameUrl(a: string, b: string): boolean {
  return (safeUrl(a) ?? a.trim()) === (safeUrl(b) ?? b.trim());
}

/** The text shown for a link: its label, or its (safe) URL when the label is blank. */
export function linkText(link: DigestLink): string {
  return link.label.trim() !== '' ? link.label : (safeUrl(link.url) ?? '');
}
