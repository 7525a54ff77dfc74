import { isMap, isSeq, type Node, stringify, type YAMLMap, type YAMLSeq } from 'yaml';

/**
 * Line edits of a YAML file, guided by the parsed document's ranges, for the watch list: adding
 * or removing a repo changes only that repo's lines. Printing the edited Document instead
 * re-indents the whole file and moves comments, so an add then a remove was not a no-op diff.
 * Each function returns null when the file is laid out in a way it does not handle (flow
 * collections, an entry sharing a line with something else); the caller then edits the Document.
 */

interface BlockItem {
  /** Start of the line holding the item's "- ". */
  lineStart: number;
  /** After the newline that ends the item's last line (or the end of the text). */
  end: number;
  /** Columns of the "-" and of the item's first key. */
  dash: number;
  key: number;
}

/** Where an item of a block sequence of maps is, or null for another layout. */
function blockItem(text: string, node: unknown): BlockItem | null {
  if (!isMap(node) || node.flow || !node.range) return null;
  const [start, valueEnd] = node.range;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const prefix = /^( *)-( +)$/.exec(text.slice(lineStart, start));
  if (!prefix) return null;
  const newline = text.indexOf('\n', Math.max(start, valueEnd - 1));
  const end = newline === -1 ? text.length : newline + 1;
  // Whatever follows the item on its last line must be a comment, nothing that belongs to another node.
  if (!/^[ \t]*(#.*)?\n?$/.test(text.slice(valueEnd, end))) return null;
  return { lineStart, end, dash: (prefix[1] as string).length, key: start - lineStart };
}

function blockSeq(node: unknown): YAMLSeq | null {
  return isSeq(node) && !node.flow && node.items.length > 0 ? node : null;
}

function scalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function itemLines(dash: number, key: number, pairs: string[], nested = ''): string {
  const [first, ...rest] = pairs;
  return `${' '.repeat(dash)}-${' '.repeat(key - dash - 1)}${first}\n${rest.map((p) => `${' '.repeat(key)}${p}\n`).join('')}${nested}`;
}

function repoPairs(repo: string, sources: readonly string[]): string[] {
  return [`repo: ${scalar(repo)}`, `sources: [${sources.map(scalar).join(', ')}]`];
}

/** Inserts whole lines after `at`, the end of a line (or of a text without a final newline). */
function insertLines(text: string, at: number, lines: string): string {
  if (at === text.length && text.length > 0 && !text.endsWith('\n')) return `${text}\n${lines.replace(/\n$/, '')}`;
  return `${text.slice(0, at)}${lines}${text.slice(at)}`;
}

/** A repo added at the end of an existing project's repos, indented as its last repo is. */
export function insertRepo(text: string, repos: YAMLSeq, repo: string, sources: readonly string[]): string | null {
  const seq = blockSeq(repos);
  const last = seq && blockItem(text, seq.items.at(-1));
  if (!last) return null;
  return insertLines(text, last.end, itemLines(last.dash, last.key, repoPairs(repo, sources)));
}

/** A new project with one repo, after the last project, laid out as the last project is. */
export function insertProject(
  text: string,
  projects: YAMLSeq,
  name: string,
  repo: string,
  sources: readonly string[],
): string | null {
  const seq = blockSeq(projects);
  const model = seq?.items.at(-1);
  const project = blockItem(text, model);
  const repos = isMap(model) ? blockSeq((model as YAMLMap).get('repos', true)) : null;
  const firstRepo = repos && blockItem(text, repos.items[0]);
  if (!project || !firstRepo) return null;
  const nested = itemLines(firstRepo.dash, firstRepo.key, repoPairs(repo, sources));
  return insertLines(text, project.end, itemLines(project.dash, project.key, [`name: ${scalar(name)}`, 'repos:'], nested));
}

/** The lines of one item of a block sequence taken out (its comments on other lines stay). */
export function removeItem(text: string, item: Node): string | null {
  const found = blockItem(text, item);
  if (!found) return null;
  let { lineStart } = found;
  // The file's last line had no newline: the one before it goes, so that the file still ends as it did.
  if (found.end === text.length && !text.endsWith('\n') && lineStart > 0) lineStart -= 1;
  return text.slice(0, lineStart) + text.slice(found.end);
}
