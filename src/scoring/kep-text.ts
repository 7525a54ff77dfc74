/**
 * What a KEP's document says about how much it changes for users, read from its Markdown (pure):
 * how much design it holds, whether it proposes API changes (and to core types), and which
 * Kubernetes releases it names. Headings, tables of contents and the template's checklists are
 * not design, so they are not counted.
 */

export interface KepText {
  /** Words of prose and code, without front matter, tables of contents and checklists. */
  words: number;
  /** Headings or code that propose API changes: "API", "API Changes", Go types, CRD or OpenAPI. */
  api: string | null;
  /** Core API types the proposal changes (PodSpec, Container, NodeSpec, ...), as named in it. */
  coreTypes: string[];
  /** Kubernetes minor versions the text names ("1.15", "v1.16"), as [major, minor] pairs. */
  versions: Array<[number, number]>;
}

const CORE_TYPES = [
  'PodSpec',
  'PodStatus',
  'Container',
  'ContainerStatus',
  'PodSecurityContext',
  'SecurityContext',
  'NodeSpec',
  'NodeStatus',
  'ServiceSpec',
  'PersistentVolumeSpec',
  'PersistentVolumeClaimSpec',
  'ObjectMeta',
  'ListOptions',
  'ResourceRequirements',
  'Volume',
  'VolumeSource',
  'Probe',
  'Lifecycle',
];
const CORE_TYPE = new RegExp(`\\b(${CORE_TYPES.join('|')})\\b`, 'g');

// A heading that introduces API design ("### API Changes", "## Proposed API", "#### API Design").
const API_HEADING =
  /^#{2,5}\s+(?:[\w/-]+\s+){0,2}(?:API|APIs|CRDs?|Types?)(?:\s+(?:changes?|design|definitions?|spec(?:ification)?|types?|objects?|extensions?|updates?))?\s*$/im;
const API_CODE = /```(?:go|golang)?\s*\n[\s\S]*?\btype\s+[A-Z]\w*\s+struct\s*\{|apiVersion:\s*[\w.-]+\/v\d/;

export function readKepText(text: string | null): KepText {
  if (!text) return { words: 0, api: null, coreTypes: [], versions: [] };
  const body = text
    .replace(/^\uFEFF?---[ \t]*\r?\n[\s\S]*?\r?\n---[ \t]*(\r?\n|$)/, '') // front matter
    .replace(/<!--\s*toc\s*-->[\s\S]*?<!--\s*\/toc\s*-->/gi, '') // table of contents
    .replace(/^\s*[-*]\s+\[[ xX]\].*$/gm, ''); // the template's checklist
  const words = (body.match(/[A-Za-z][A-Za-z'-]*/g) ?? []).length;
  const heading = API_HEADING.exec(body);
  const code = API_CODE.exec(body);
  const api = heading ? heading[0].replace(/^#+\s*/, '').trim() : code ? 'API types in the proposal' : null;
  // Core types count when the proposal has API design, where they are changed rather than mentioned.
  const coreTypes = api ? [...new Set([...body.matchAll(CORE_TYPE)].map((m) => m[1] as string))] : [];
  const versions = new Map<string, [number, number]>();
  for (const m of body.matchAll(/\bv?1\.(\d{1,2})\b(?!\.\d+\.)/gi)) {
    // Go's own versions (go 1.12) are not Kubernetes releases.
    if (/\b(go|golang)\s*$/i.test(body.slice(Math.max(0, (m.index ?? 0) - 8), m.index))) continue;
    const minor = Number(m[1]);
    if (minor >= 5 && minor <= 40) versions.set(`1.${minor}`, [1, minor]);
  }
  return { words, api, coreTypes, versions: [...versions.values()] };
}
