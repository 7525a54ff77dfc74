import { parse as parseYaml } from 'yaml';
import type { ItemEvent } from '../domain/item.js';

/**
 * Pure parsing of KEP documents in both formats, and the transitions between two versions.
 *
 * - kep.yaml (current): keps/sig-x/NNNN-name/kep.yaml, the metadata alone;
 * - Markdown with YAML front matter (2019 era): keps/sig-x/YYYYMMDD-name.md or NNNN-name.md,
 *   metadata between the leading `---` lines.
 */

export interface KepFields {
  title: string;
  number: number | null;
  owningSig: string | null;
  participatingSigs: string[];
  status: string | null;
  stage: string | null;
  latestMilestone: string | null;
  milestones: Record<string, string>;
  featureGates: string[];
  authors: string[];
}

export type KepParse =
  /** `lenient`: the YAML error, when the metadata was not valid YAML but could be read line by line. */
  { kind: 'kep'; fields: KepFields; lenient?: string } | { kind: 'not-a-kep' } | { kind: 'malformed'; error: string };

/**
 * Whether a path in kubernetes/enhancements can hold KEP metadata. The templates are not KEPs:
 * keps/YYYYMMDD-kep-template.md, keps/NNNN-kep-template/, the cloud-provider template, and any
 * copy still named with the placeholder (YYYYMMDD-/NNNN-). A README is a KEP's document only in
 * the KEP's own folder (keps/sig-x/1234-name/README.md); the READMEs of keps/ and of SIG folders
 * describe folders, not KEPs.
 */
export function isKepCandidate(path: string): boolean {
  if (!path.startsWith('keps/')) return false;
  const segments = path.split('/');
  const name = segments.at(-1) as string;
  if (segments.some(isTemplateName)) return false;
  if (name === 'README.md') return segments.length >= 4 && /^\d+-/.test(segments.at(-2) as string);
  return name === 'kep.yaml' || name.endsWith('.md');
}

/** A template's file or folder name: "kep-template.md", "NNNN-kep-template", "0004-cloud-provider-template.md", "YYYYMMDD-x.md". */
function isTemplateName(segment: string): boolean {
  return /^(YYYYMMDD|NNNN)-/i.test(segment) || /(^|[-_])template(\.md)?$/i.test(segment);
}

/** The KEP a path belongs to: its folder for the folder format, the file without .md otherwise. */
export function kepLocation(path: string): string {
  if (path.endsWith('/kep.yaml') || path.endsWith('/README.md')) return path.slice(0, path.lastIndexOf('/'));
  return path.replace(/\.md$/, '');
}

export function parseKepDocument(path: string, text: string): KepParse {
  let source: string;
  let where: string;
  let prose = '';
  if (path.endsWith('kep.yaml')) {
    source = text;
    where = '';
  } else {
    const frontMatter = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(\r?\n|$)/.exec(text);
    if (!frontMatter) return { kind: 'not-a-kep' }; // a plain document in keps/ (notes, a README)
    source = frontMatter[1] ?? '';
    where = 'front matter: ';
    prose = text.slice(frontMatter[0].length);
  }
  let metadata: unknown;
  let lenient: string | undefined;
  try {
    metadata = parseYaml(source, { prettyErrors: true });
  } catch (error) {
    // Hand-written 2019 metadata is often not valid YAML ("- @handle", unquoted "[link](url)");
    // its simple "key: value" and "- item" lines still say what the KEP is.
    lenient = `${where}${firstLine(error)}`;
    metadata = readLeniently(source);
  }
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) {
    return { kind: 'malformed', error: `${where}metadata is not a YAML mapping` };
  }
  const m = metadata as Record<string, unknown>;
  const written = text_(m.title);
  if (!written) return { kind: 'malformed', error: lenient ?? `${where}metadata has no title` };
  const milestones: Record<string, string> = {};
  if (m.milestone && typeof m.milestone === 'object' && !Array.isArray(m.milestone)) {
    for (const [stage, value] of Object.entries(m.milestone as Record<string, unknown>)) {
      const milestone = text_(value);
      if (milestone) milestones[stage.toLowerCase()] = milestone;
    }
  }
  return {
    kind: 'kep',
    fields: {
      title: kepTitle(written, path, prose),
      number: kepNumber(m['kep-number'], path),
      owningSig: text_(m['owning-sig']),
      participatingSigs: list(m['participating-sigs']),
      status: normaliseWord(text_(m.status)),
      stage: normaliseWord(text_(m.stage)),
      latestMilestone: text_(m['latest-milestone']),
      milestones,
      featureGates: featureGates(m['feature-gates'] ?? m['feature-gate']),
      authors: list(m.authors).map((a) => a.replace(/^@/, '')),
    },
    ...(lenient ? { lenient } : {}),
  };
}

/**
 * Titles the template ships with ("KEP Template", "Title"): an author who copied the template and
 * never changed the metadata title.
 */
const PLACEHOLDER_TITLE = /^(kep[\s-]*)?(template|title)$/i;

/**
 * A KEP's title: the metadata's, unless it is still the template's placeholder; then the
 * document's first "# " heading (when that is not a placeholder too), else its file name.
 */
export function kepTitle(written: string, path: string, prose: string): string {
  if (!PLACEHOLDER_TITLE.test(written.trim())) return written;
  const heading = firstHeading(prose);
  if (heading && !PLACEHOLDER_TITLE.test(heading) && !/^table of contents$/i.test(heading)) return heading;
  return slugTitle(path);
}

/** The first level-1 ATX heading outside fenced code blocks, without closing hashes or emphasis. */
function firstHeading(prose: string): string | null {
  let fenced = false;
  for (const line of prose.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^# +(.+?)\s*#*\s*$/.exec(line);
    if (heading) {
      const text = (heading[1] as string).replace(/[*_`]/g, '').trim();
      if (text !== '') return text;
    }
  }
  return null;
}

/** "keps/sig-windows/20190424-windows-cri-containerd.md" -> "Windows cri containerd". */
function slugTitle(path: string): string {
  const location = kepLocation(path);
  const slug = location
    .slice(location.lastIndexOf('/') + 1)
    .replace(/^(\d+-)+/, '')
    .replace(/[-_]+/g, ' ')
    .trim();
  const words = slug === '' ? location.slice(location.lastIndexOf('/') + 1) : slug;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Reads "key: value" lines, indented "- item" lists and one level of "sub: value" maps, without
 * YAML's rules: enough for KEP metadata that a strict parser refuses.
 */
export function readLeniently(source: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  let current: string | null = null;
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '').replace(/\s+$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const top = /^([A-Za-z][\w-]*):(?:\s+(.*))?$/.exec(line);
    if (top) {
      current = top[1] as string;
      result[current] = top[2] ? unquote(top[2]) : null;
      continue;
    }
    if (!current) continue;
    const item = /^\s+-\s*(.*)$/.exec(line);
    if (item) {
      const list = Array.isArray(result[current]) ? (result[current] as unknown[]) : [];
      list.push(unquote(item[1] ?? ''));
      result[current] = list;
      continue;
    }
    const nested = /^\s+([\w-]+):\s*(.*)$/.exec(line);
    if (nested) {
      const map =
        result[current] && typeof result[current] === 'object' && !Array.isArray(result[current])
          ? (result[current] as Record<string, unknown>)
          : {};
      map[nested[1] as string] = unquote(nested[2] ?? '');
      result[current] = map;
    }
  }
  return result;
}

function unquote(value: string): string {
  const trimmed = value.trim();
  const quoted = /^"(.*)"\s*(?:-.*)?$/.exec(trimmed) ?? /^'(.*)'\s*(?:-.*)?$/.exec(trimmed);
  return quoted ? (quoted[1] as string) : trimmed;
}

/** kep-number when given (0 is the template's), else the number a file or folder name starts with. */
function kepNumber(value: unknown, path: string): number | null {
  const given =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : null;
  if (given && given > 0) return given;
  // keps/sig-x/1234-name(.md|/kep.yaml); 2019 names by date (20190228-x) are not numbers.
  const named = /\/(\d{1,5})-[^/]+(?:\/(?:kep\.yaml|README\.md)|\.md)$/.exec(path);
  return named ? Number(named[1]) : null;
}

function featureGates(value: unknown): string[] {
  if (!Array.isArray(value)) return typeof value === 'string' ? [value] : [];
  return value
    .map((gate) => (typeof gate === 'string' ? gate : text_((gate as { name?: unknown } | null)?.name)))
    .filter((name): name is string => Boolean(name));
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => text_(v)).filter((v): v is string => Boolean(v));
  const single = text_(value);
  return single ? [single] : [];
}

function text_(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' || /^(tbd|n\/a)$/i.test(trimmed) ? null : trimmed;
}

/** "Implementable " -> "implementable"; a template placeholder ("a|b|c") is not a value. */
function normaliseWord(value: string | null): string | null {
  if (!value) return null;
  const word = value.toLowerCase().replace(/^["']|["']$/g, '');
  return word.includes('|') ? null : word;
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n')[0]?.trim() ?? 'unparsable YAML';
}

export interface KepChange {
  commit: string;
  at: Date;
  /** The document was added in this commit (not merely first seen). */
  added: boolean;
  path: string;
}

/**
 * The events between two versions of one KEP: creation, status (provisional -> implementable ->
 * implemented), stage (alpha -> beta -> stable), latest milestone, per-stage milestones; and a
 * revision event for every commit that changed it, so its history is complete.
 */
export function kepTransitions(before: KepFields | null, after: KepFields, change: KepChange): ItemEvent[] {
  const at = change.at;
  const commitSha = change.commit;
  const events: ItemEvent[] = [];
  const event = (type: string, from: string | null, to: string | null, details?: Record<string, unknown>) =>
    events.push({ type, from, to, commitSha, occurredAt: at, details: { path: change.path, ...details } });
  if (!before) {
    if (change.added) event('kep.created', null, after.status, { title: after.title, stage: after.stage });
  } else {
    if (before.status !== after.status) event('kep.status', before.status, after.status);
    if (before.stage !== after.stage) event('kep.stage', before.stage, after.stage);
    if (before.latestMilestone !== after.latestMilestone) event('kep.milestone', before.latestMilestone, after.latestMilestone);
    for (const stage of new Set([...Object.keys(before.milestones), ...Object.keys(after.milestones)])) {
      const from = before.milestones[stage] ?? null;
      const to = after.milestones[stage] ?? null;
      if (from !== to) event(`kep.milestone.${stage}`, from, to, { stage });
    }
  }
  event('kep.revised', null, null, { title: after.title });
  return events;
}
