import type { ItemKind } from './source.js';

/** The languages a digest is rendered in. zh-CN is the default of the model newsletter. */
export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const RENDER_FORMATS = ['md', 'html'] as const;
export type RenderFormat = (typeof RENDER_FORMATS)[number];

/**
 * A piece of text and where it came from. Text from GitHub (a PR title, a release note, a
 * blurb radar drafted from them) is untrusted and escaped wherever it is rendered; text an
 * editor wrote is kept as written (Markdown).
 */
export interface Text {
  text: string;
  trusted: boolean;
}

/** A link to one artifact of an entry's story (a PR, a KEP, a release, an issue, a web page). */
export interface DigestLink {
  /** "kubernetes/kubernetes#76968", "KEP-1287", "v1.15.0", or a manual link's title. Untrusted. */
  label: string;
  url: string;
  kind: ItemKind | 'link';
}

export interface DigestEntry {
  id: number;
  /** 1-based order within its section. */
  position: number;
  title: Text;
  blurb: Text;
  /** The link of the title (the lead item, or a manual entry's URL); null when none. */
  url: string | null;
  /** Every artifact of the story, the lead first. */
  links: DigestLink[];
}

export interface DigestSection {
  /** "news", "upstream", "upstream/kubernetes", "projects", "reading", ... */
  id: string;
  /** In the rendering language; written by maintainers in the config (trusted). */
  title: string;
  entries: DigestEntry[];
  /** The upstream section has one subsection per watched project. */
  sections: DigestSection[];
}

/** A digest issue ready to render: sections in order, titles in the rendering language. */
export interface RenderableIssue {
  volume: number;
  /** Written by the editor or from the config's title template (trusted). */
  title: string;
  language: Language;
  period: { from: Date; to: Date };
  sections: DigestSection[];
}
