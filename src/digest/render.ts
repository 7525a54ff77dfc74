/**
 * Renders a digest issue in one of the formats. Pure: no I/O, no clock.
 */
import type { RenderableIssue, RenderFormat } from '../domain/digest.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';

/** The issue rendered as Markdown (the GitHub issue body) or as a standalone HTML5 page. */
export function render(issue: RenderableIssue, format: RenderFormat): string {
  switch (format) {
    case 'md':
      return renderMarkdown(issue);
    case 'html':
      return renderHtml(issue);
    default: {
      const unknown: never = format;
      throw new Error(`unknown digest format: ${String(unknown)}`);
    }
  }
}
