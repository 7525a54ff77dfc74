import type { References } from '../domain/item.js';

/**
 * Pure text parsing of pull request and issue bodies: the release-note block and the issues,
 * PRs and KEPs a change refers to. No I/O; unit-tested.
 */

const RELEASE_NOTE = /```\s*release-note\b[^\n]*\n([\s\S]*?)```/i;

/** The text of the ```release-note block, trimmed; null when the body has none. */
export function extractReleaseNote(body: string | null): string | null {
  if (!body) return null;
  const match = RELEASE_NOTE.exec(body.replace(/\r\n/g, '\n'));
  if (!match) return null;
  return (match[1] ?? '').trim();
}

/** A release note that says nothing: absent, empty, or NONE / N/A as the template asks. */
export function isEmptyReleaseNote(note: string | null): boolean {
  if (note === null) return true;
  const text = note.trim().replace(/^["'`]+|["'`.]+$/g, '');
  return text === '' || /^(none|n\/a|na|no|-)$/i.test(text);
}

const KEEP_KEP_REPO = 'kubernetes/enhancements';

/**
 * Issues, PRs and KEPs referred to in a text. `repo` is the repo the text lives in, so that a
 * bare "#123" resolves there. KEPs are found as enhancement issue links, "KEP-1234" / "KEP 1234",
 * and links to keps/ paths whose file or folder starts with a number.
 */
export function extractReferences(text: string | null, repo: string): References {
  const issues = new Set<number>();
  const keps = new Set<number>();
  const external = new Set<string>();
  if (!text) return { issues: [], keps: [], external: [] };
  const lowerRepo = repo.toLowerCase();

  const addRepoRef = (owner: string, name: string, number: number) => {
    const full = `${owner}/${name}`.toLowerCase();
    if (full === lowerRepo) issues.add(number);
    else if (full === KEEP_KEP_REPO) keps.add(number);
    else external.add(`${owner}/${name}#${number}`);
  };

  // Links: https://github.com/o/r/issues/123, /pull/123
  for (const m of text.matchAll(/https?:\/\/github\.com\/([\w.-]+)\/([\w.-]+)\/(?:issues|pull)\/(\d+)/gi)) {
    addRepoRef(m[1] as string, m[2] as string, Number(m[3]));
  }
  // Cross-repo shorthand: owner/repo#123
  for (const m of text.matchAll(/(?<![\w/.-])([\w.-]+)\/([\w.-]+)#(\d+)\b/g)) {
    addRepoRef(m[1] as string, m[2] as string, Number(m[3]));
  }
  // Same-repo shorthand: #123 (not part of a URL fragment or a word)
  for (const m of text.matchAll(/(?<![\w/#&-])#(\d{1,7})\b/g)) {
    issues.add(Number(m[1]));
  }
  // KEP-1234, KEP 1234, KEP #1234
  for (const m of text.matchAll(/\bKEP[\s-]*#?(\d{1,5})\b/gi)) keps.add(Number(m[1]));
  // Links into keps/: keps/sig-x/1234-name(.md|/) (2019 names by date, like 20190101-x, are not numbers)
  for (const m of text.matchAll(/keps\/(?:[\w.-]+\/)*?(\d{1,5})-[\w.-]+/g)) keps.add(Number(m[1]));

  return {
    issues: [...issues].sort((a, b) => a - b),
    keps: [...keps].sort((a, b) => a - b),
    external: [...external].sort(),
  };
}

/**
 * Closing keywords ("Fixes #12", "closes owner/repo#3"): the issues a change resolves, which
 * ties an implementation to its tracking or design issue more strongly than a mention.
 */
export function extractClosingReferences(text: string | null): number[] {
  if (!text) return [];
  const found = new Set<number>();
  for (const m of text.matchAll(/\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+(?:[\w.-]+\/[\w.-]+)?#(\d+)/gi)) {
    found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}
