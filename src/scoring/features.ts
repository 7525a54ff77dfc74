import type { IssueDetails, ItemDetails, KepDetails, PullDetails, ReleaseDetails, SemVer } from '../domain/item.js';
import type { ItemKind } from '../domain/source.js';
import type { Conventions } from './conventions.js';
import { readKepText } from './kep-text.js';
import type { SignalName } from './signals.js';

/**
 * Pure feature extraction: what an item is, as named signals with a value (1 for yes/no, a
 * measured amount otherwise) and what was observed, for the editor to read. No I/O, no clock.
 */

export interface Feature {
  signal: SignalName;
  /** The amount the weight multiplies. */
  x: number;
  /** What was observed: a label, a size, a transition. */
  shown: string | number | boolean | null;
}

export interface ScoringItem {
  id: number;
  kind: ItemKind;
  repo: string;
  title: string;
  body: string | null;
  author: string | null;
  state: string;
  labels: string[];
  occurredAt: Date;
  details: ItemDetails | Record<string, unknown>;
}

export interface ScoringEvent {
  type: string;
  from: string | null;
  to: string | null;
  occurredAt: Date;
}

export interface TopicRule {
  signal: SignalName;
  patterns: RegExp[];
}

export interface ScoringRules {
  conventions: Conventions;
  topics: TopicRule[];
  /** Logins of bots (lowercase); "[bot]" accounts are always bots. */
  bots: string[];
}

export interface ScoringContext {
  /** Events of this item that happened in the period being scored. */
  events: ScoringEvent[];
  /** Other releases of the same repo, to tell a first pre-release of a new minor. */
  releases: ReleaseFact[];
  /** Releases of every repo of the item's project: which release a KEP's transition falls before. */
  projectReleases?: ReleaseFact[];
  /** For a KEP: the kubernetes/enhancements pull requests that add or change its document. */
  proposals?: ProposalFact[];
}

export interface ReleaseFact {
  version: SemVer | null;
  prerelease: boolean;
  occurredAt: Date;
}

/** What scoring reads of a pull request that proposes or changes a KEP. */
export interface ProposalFact {
  number: number | null;
  labels: string[];
  comments: number | null;
  reviews: number | null;
  reactions: number | null;
  additions: number | null;
}

export function extractFeatures(item: ScoringItem, context: ScoringContext, rules: ScoringRules): Feature[] {
  switch (item.kind) {
    case 'pull':
      return pullFeatures(item, item.details as PullDetails, rules);
    case 'issue':
      return issueFeatures(item, item.details as IssueDetails, context, rules);
    case 'kep':
      return kepFeatures(item, item.details as KepDetails, context);
    case 'release':
      return releaseFeatures(item.details as ReleaseDetails, context);
  }
}

const yes = (signal: SignalName, shown: Feature['shown'] = true): Feature => ({ signal, x: 1, shown });

function pullFeatures(item: ScoringItem, details: PullDetails, rules: ScoringRules): Feature[] {
  const features: Feature[] = [...labelFeatures(item.labels, rules)];
  const note = details.releaseNote;
  if (note !== null) {
    if (isNone(note)) features.push(yes('release-note:none', 'NONE'));
    else {
      features.push(yes('release-note:present', clip(note)));
      features.push({ signal: 'release-note:length', x: Math.min(3, Math.log2(1 + note.length / 40)), shown: note.length });
      if (/action required/i.test(note)) features.push(yes('release-note:action-required'));
    }
  }
  features.push(...titleFeatures(item.title));
  features.push(...topicFeatures(item.title, note, item.body, rules));
  if (isBot(item.author, item.title, rules)) features.push(yes('author:bot', item.author ?? item.title));
  features.push(...fileFeatures(details, rules));
  const engagement = (details.comments ?? 0) + (details.reviews ?? 0) + (details.reactions ?? 0);
  if (engagement > 0) features.push({ signal: 'engagement', x: Math.min(5, Math.log2(1 + engagement)), shown: engagement });
  if (details.references?.keps.length) features.push(yes('refs:kep', details.references.keps.map((n) => `KEP-${n}`).join(', ')));
  else if (closes(item.body)) features.push(yes('refs:issue'));
  if (item.state === 'open') features.push(yes('pull:open'));
  return withChore(withRemoval(dedupe(features), item.title, note), item.title, note);
}

/**
 * A change that removes or deprecates something users rely on is news (the weeklies have a
 * section for it), not a cleanup, whatever its label: it takes the place of cleanup signals.
 */
function withRemoval(features: Feature[], title: string, note: string | null): Feature[] {
  // "Remove X" alone may be internal; a release note or a substantive label says users see it.
  // Some phrasings say so by themselves ("deprecate", "drop support", "no longer supported").
  const said = note !== null && !isNone(note) ? `${title}\n${note}` : features.some(isSubstantive) ? title : null;
  const plain =
    /\bdeprecat\w*\b|\bdrop(s|ped|ping)? support\b|\bno longer (supported|available|served)\b|\bremov\w* (the )?deprecated\b/i;
  const removal = said ? removalIn(said) : plain.test(title) ? removalIn(title) : null;
  if (!removal) return features;
  return [
    ...features.filter((f) => !['label:cleanup', 'title:cleanup', 'topic:deprecation'].includes(f.signal)),
    yes('change:removal', removal),
  ];
}

const REMOVED_THING =
  '(?:deprecated|apis?|flags?|fields?|feature[- ]gates?|gates?|crds?|commands?|subcommands?|parameters?|options?|providers?|support|endpoints?|functions?|func|packages?|metrics?|annotations?|resources?|versions?|plugins?|admission|predicates?|labels?)';
const REMOVAL_RULES: RegExp[] = [
  new RegExp(`\\b(?:remov(?:e|es|ed|ing)|drop(?:s|ped|ping)?|delet(?:e|es|ed|ing))\\b[^.\\n]{0,60}?\\b${REMOVED_THING}\\b`, 'i'),
  new RegExp(
    `\\b${REMOVED_THING}\\b[^.\\n]{0,60}?\\b(?:(?:is|are|was|were|has been|have been|will be) (?:now )?(?:removed|deprecated|dropped))\\b`,
    'i',
  ),
  /\b(?:is|are|has been|have been) (?:now )?(?:deprecated|removed)\b/i,
  /\bdeprecat(?:e|es|ed|ing|ion of)\b/i,
  /\bno longer (?:supported|available|served|provided|exposed|accepted|enabled by default)\b/i,
];
// What was removed was never the users': dead code, test helpers, duplicates.
const INTERNAL_REMOVAL = /\b(unused|dead|code|redundant|duplicated?|unnecessary|obsolete tests?|leftover|stale|debug)\b/i;

function removalIn(text: string): string | null {
  for (const rule of REMOVAL_RULES) {
    if (!rule.test(text)) continue;
    // The sentence that says it; what it removes must be something users had.
    const line = text.split('\n').find((l) => rule.test(l)) ?? '';
    const sentence = line.slice(Math.max(0, line.lastIndexOf('. ', line.search(rule)) + 1)).trim();
    if (sentence && !INTERNAL_REMOVAL.test(sentence)) return clip(sentence);
  }
  return null;
}

/**
 * Signals that say a change matters to users, so that it is never taken for a chore. A topic
 * only found in the description (x < 1) does not: a branch merge lists everything it merges.
 */
function isSubstantive(feature: Feature): boolean {
  if (feature.signal === 'topic:security') return feature.x >= 1;
  return [
    'label:feature',
    'label:api-change',
    'label:deprecation',
    'label:action-required',
    'label:critical-bug',
    'release-note:present',
    'release-note:action-required',
    'title:graduation',
    'title:important-fix',
    'topic:security',
    'refs:kep',
    'change:removal',
  ].includes(feature.signal);
}

/**
 * Chores never lead a project's list: build and CI fixes, lint and formatting, dependency bumps,
 * merges of one branch or repo into another, release bookkeeping, bots, and titles that say
 * nothing ("commit#1", "adding date"). A chore with a release note or a substantive label is not
 * a chore.
 */
function withChore(features: Feature[], title: string, note: string | null): Feature[] {
  if (features.some(isSubstantive) || (note !== null && !isNone(note))) return features;
  const kind = choreKind(title, features);
  return kind ? [...features, yes('chore', kind)] : features;
}

const CHORE_RULES: Array<[string, RegExp]> = [
  [
    'build or CI fix',
    /\b(fix(es|ed|ing)?|repair|unbreak|restore)\b.{0,25}\b(build|builds|ci|bazel|makefile|make|lint|linter|presubmit|postsubmit|pipeline|gate)\b|\bbuild (break|breakage|broken|failure|fix)\b|\b(broken|failing) (build|ci)\b/i,
  ],
  [
    'lint or formatting',
    /\b(lint(s|er|ers|ing)?|golint|golangci|yamllint|shellcheck|gofmt|goimports|spelling|misspell(ing)?s?|typos?|whitespace|format(ting)? (fix|code|files))\b/i,
  ],
  [
    'dependency update',
    /\btake (a )?dependency on\b|\b(update|upgrade|bump|sync)s?\b.{0,30}\b(deps|dependenc(y|ies)|vendor(ed)?|go\.mod|go\.sum|godeps|gopkg|modules?|common (repo|files)|submodules?)\b/i,
  ],
  [
    'branch merge or sync',
    /\bmerg(e|es|ed|ing)\b.{0,40}\b(from|into|to)\b.{0,20}\b(master|main|release[-\w. ]*|branch|upstream)\b|\bsync(ing|ed)? (with|from|to) (master|main|upstream|release)\b|\bmerge (branch|master|main)\b/i,
  ],
  [
    'release bookkeeping',
    /\b(update|bump|set|prepare|cut)s?\b.{0,15}\b(version|release notes?|changelog|charts? version)\b|\bversion bump\b|\bprepare\b.{0,25}\brelease\b|\brelease notes? for\b/i,
  ],
  [
    'placeholder title',
    /^\s*(wip|tmp|temp|test|testing|fix|fixes|fixed|update|updates|updated|changes|misc|minor|cleanup|commit\s*#?\d*|adding \w+|add \w+|initial commit)\s*[.!]*\s*$/i,
  ],
];

function choreKind(title: string, features: readonly Feature[]): string | null {
  if (features.some((f) => f.signal === 'author:bot')) return 'opened by a bot';
  if (features.some((f) => ['title:dependency', 'label:dependencies', 'files:generated-only'].includes(f.signal)))
    return 'dependency update';
  for (const [kind, rule] of CHORE_RULES) if (rule.test(title)) return kind;
  if (features.some((f) => ['label:flake', 'files:test-only', 'label:test-only'].includes(f.signal))) return 'tests only';
  return null;
}

function issueFeatures(item: ScoringItem, details: IssueDetails, context: ScoringContext, rules: ScoringRules): Feature[] {
  const features: Feature[] = [...labelFeatures(item.labels, rules)];
  if (details.tracking) {
    if (details.tracking.stage) features.push(yes('tracking:stage', details.tracking.stage));
    if (details.tracking.tracked === 'yes') features.push(yes('tracking:tracked'));
    for (const event of context.events) {
      if (event.type === 'tracking.stage' && event.to)
        features.push(yes(stageSignal(event.to) ?? 'tracking:stage', `${event.from ?? 'none'} -> ${event.to}`));
    }
    return dedupe(features);
  }
  const signals = details.signals ?? [];
  if (signals.some((s) => /proposal|RFC|design|KEP|kind\/(design|proposal|kep)/i.test(s)))
    features.push(yes('issue:proposal', signals.join('; ')));
  if (signals.some((s) => /vote/i.test(s))) features.push(yes('issue:vote'));
  features.push(...topicFeatures(item.title, null, item.body, rules));
  const engagement = (details.comments ?? 0) + (details.reactions ?? 0);
  if (engagement > 0) features.push({ signal: 'engagement', x: Math.min(5, Math.log2(1 + engagement)), shown: engagement });
  return dedupe(features);
}

function kepFeatures(item: ScoringItem, details: KepDetails, context: ScoringContext): Feature[] {
  const features: Feature[] = [];
  let transition: Date | null = null;
  for (const event of context.events) {
    const before = features.length;
    switch (event.type) {
      case 'kep.created':
        features.push(yes('kep:created', event.to ?? 'new'));
        if (event.to === 'implementable') features.push(yes('kep:implementable', 'new KEP, implementable'));
        break;
      case 'kep.status':
        if (event.to === 'implementable') features.push(yes('kep:implementable', `${event.from ?? '?'} -> implementable`));
        else if (event.to === 'implemented') features.push(yes('kep:implemented', `${event.from ?? '?'} -> implemented`));
        break;
      case 'kep.stage': {
        const signal = event.to ? stageSignal(event.to) : null;
        if (signal) features.push(yes(signal, `${event.from ?? 'none'} -> ${event.to}`));
        break;
      }
      default:
        if (event.type.startsWith('kep.milestone'))
          features.push(yes('kep:milestone', `${event.from ?? 'none'} -> ${event.to ?? 'none'}`));
    }
    if (features.length > before) transition = event.occurredAt;
  }
  if (!transition) {
    if (context.events.some((e) => e.type === 'kep.revised' || e.type === 'kep.moved')) features.push(yes('kep:revised-only'));
    return dedupe(features);
  }
  const staged = features.some((f) => f.signal.startsWith('kep:stage-'));
  features.push(...kepSubstance(item, details, context, transition, staged));
  return dedupe(features);
}

/** How much a KEP that moved in the period changes for users: its scope, design and plans. */
function kepSubstance(item: ScoringItem, details: KepDetails, context: ScoringContext, at: Date, staged: boolean): Feature[] {
  const features: Feature[] = [];
  const graduation =
    /\b(graduat\w*|promot\w*|mov\w*)\b.{0,60}\b(to |as )?(beta|ga|stable|general availability|v1)\b|\bto (beta|ga|stable)\b/i;
  if (!staged && graduation.test(item.title)) features.push(yes('kep:graduation', item.title));
  const text = readKepText(item.body);
  if (text.api) {
    features.push(yes('kep:api', text.api));
    if (text.coreTypes.length > 0) features.push(yes('kep:core-api', text.coreTypes.slice(0, 4).join(', ')));
  }
  const proposals = context.proposals ?? [];
  const sigs = new Set(
    [
      details.owningSig,
      ...(details.participatingSigs ?? []),
      ...proposals.flatMap((p) => p.labels.filter((l) => l.startsWith('sig/'))),
    ]
      .filter((sig): sig is string => Boolean(sig))
      .map((sig) =>
        sig
          .toLowerCase()
          .replace(/^sig[/-]?/, '')
          .replace(/[^a-z]/g, ''),
      )
      .filter((sig) => sig.length > 1),
  );
  if (sigs.size > 1) features.push({ signal: 'kep:sigs', x: Math.min(2, Math.log2(sigs.size)), shown: `${sigs.size} SIGs` });
  if ((details.featureGates ?? []).length > 0)
    features.push(yes('kep:feature-gates', details.featureGates.slice(0, 3).join(', ')));
  const next = releaseInDevelopment(context.projectReleases ?? [], at);
  if (next && text.versions.some(([major, minor]) => major === next.major && minor === next.minor))
    features.push(yes('kep:next-release', `names v${next.major}.${next.minor}, the release in development`));
  if (text.words > 500)
    features.push({ signal: 'kep:detail', x: Math.min(3, Math.log2(text.words / 500)), shown: `${text.words} words` });
  const discussion = proposals.reduce((n, p) => n + (p.comments ?? 0) + (p.reviews ?? 0) + (p.reactions ?? 0), 0);
  if (discussion > 0)
    features.push({
      signal: 'kep:discussion',
      x: Math.min(5, Math.log2(1 + discussion)),
      shown: `${discussion} on ${proposals.map((p) => `#${p.number}`).join(', ')}`,
    });
  return features;
}

/** The minor release after the latest one published before `at` (pre-releases do not count). */
function releaseInDevelopment(releases: readonly ReleaseFact[], at: Date): { major: number; minor: number } | null {
  let latest: SemVer | null = null;
  for (const r of releases) {
    const v = r.version;
    if (!v || r.prerelease || v.prerelease || v.patch !== 0 || r.occurredAt > at) continue;
    if (!latest || v.major > latest.major || (v.major === latest.major && v.minor > latest.minor)) latest = v;
  }
  return latest ? { major: latest.major, minor: latest.minor + 1 } : null;
}

function stageSignal(stage: string): SignalName | null {
  const s = stage.toLowerCase();
  if (s === 'alpha') return 'kep:stage-alpha';
  if (s === 'beta') return 'kep:stage-beta';
  if (s === 'stable' || s === 'ga') return 'kep:stage-stable';
  return null;
}

function releaseFeatures(details: ReleaseDetails, context: ScoringContext): Feature[] {
  const version = details.version;
  if (!version) return [yes('release:patch', details.name ?? 'release')];
  const label = `${version.major}.${version.minor}.${version.patch}${version.prerelease ? `-${version.prerelease}` : ''}`;
  if (version.prerelease) {
    const earlier = context.releases.some(
      (r) =>
        r.version &&
        r.version.major === version.major &&
        r.version.minor === version.minor &&
        r.version.patch === version.patch &&
        r.prerelease &&
        r.version.prerelease !== version.prerelease &&
        isEarlierPrerelease(r.version, version),
    );
    return [yes(earlier ? 'release:later-prerelease' : 'release:first-prerelease', label)];
  }
  if (version.minor === 0 && version.patch === 0 && version.major > 0) return [yes('release:major', label)];
  if (version.patch === 0) return [yes('release:minor', label)];
  return [yes('release:patch', label)];
}

function isEarlierPrerelease(a: SemVer, b: SemVer): boolean {
  const key = (v: SemVer) =>
    (v.prerelease ?? '')
      .split('.')
      .map((p) => (/^\d+$/.test(p) ? p.padStart(6, '0') : p))
      .join('.');
  const rank = (v: SemVer) =>
    /^alpha/.test(v.prerelease ?? '') ? 0 : /^beta/.test(v.prerelease ?? '') ? 1 : /^rc/.test(v.prerelease ?? '') ? 2 : 3;
  return rank(a) < rank(b) || (rank(a) === rank(b) && key(a) < key(b));
}

function labelFeatures(labels: readonly string[], rules: ScoringRules): Feature[] {
  const lower = labels.map((l) => l.toLowerCase());
  const features: Feature[] = [];
  const has = (name: string) => lower.includes(name);
  for (const label of lower) {
    const signal = rules.conventions.labels[label];
    if (!signal) continue;
    // A bug is critical when it says so; a test label only counts when nothing else is new.
    if (signal === 'label:bug' && lower.some((l) => l === 'priority/critical-urgent'))
      features.push(yes('label:critical-bug', label));
    else features.push(yes(signal, label));
  }
  const substantive = new Set<SignalName>([
    'label:feature',
    'label:api-change',
    'label:bug',
    'label:deprecation',
    'label:action-required',
  ]);
  if (has('area/test') && !lower.some((l) => substantive.has(rules.conventions.labels[l] as SignalName)))
    features.push(yes('label:test-only', 'area/test'));
  for (const label of lower) {
    for (const [prefix, signal] of Object.entries(rules.conventions.topicLabels)) {
      if (label === prefix) features.push(yes(signal, label));
    }
  }
  const sigs = lower.filter((l) => l.startsWith('sig/'));
  if (sigs.length >= 2) features.push({ signal: 'label:sigs', x: Math.min(2, Math.log2(sigs.length)), shown: sigs.join(', ') });
  return features;
}

const TITLE_RULES: Array<[SignalName, RegExp]> = [
  [
    'title:cherry-pick',
    /automated cherry[- ]pick|cherry[- ]pick(ed)? (of|from)|\bbackport\b|^\s*\[release[-/ ]?[\w.]*\]|^\s*\[(\d+\.\d+|release-\d+\.\d+)\]/i,
  ],
  ['title:revert', /^\s*revert\b/i],
  [
    'title:dependency',
    /\b(bump|bumps|bumped)\b|auto-?update|\bupdate\s+[\w./-]+\s+to\s+(the\s+)?(latest|head|master|tip)\b|\bupdate (the )?(deps|dependenc(y|ies)|vendor|go\.mod|godeps)\b|\b(update|upgrade)\s+[\w./-]+\s+(to|from)\s+v?\d|\bvendor(ed)?\b|\bdep(endency)? (update|upgrade)/i,
  ],
  ['title:test', /\b(tests?|e2e|flak(e|y)|testing|unit test|ci|prow|travis|conformance test|presubmit|postsubmit)\b/i],
  ['title:docs', /\b(docs?|documentation|readme|typos?|comments?|godoc)\b/i],
  [
    'title:cleanup',
    /\b(refactor(ing|ed)?|clean ?up|cleanup|rename[sd]?|lint|golint|gofmt|goimports|format(ting)? (tools|code)|boilerplate|nit|tidy|simplif(y|ied)|reorgani[sz]e|move[sd]? .* to|remove unused|dead code)\b/i,
  ],
  [
    'title:graduation',
    /\b(to|as) (beta|ga|stable|v1)\b|\bgraduat(e|es|ed|ion)\b|\bpromote[sd]?\b.*\b(beta|ga|stable|v1)\b|\bv1 api\b/i,
  ],
  [
    'title:important-fix',
    /\b(leak(s|ing)?|panic(s|king)?|crash(es|ing)?|race|deadlock|regression|data loss|cve-\d+|security fix|vulnerab\w*|oom|segfault|hang(s|ing)?)\b/i,
  ],
  [
    'title:feature',
    /^\s*(\w+(\/\w+)*:\s*)?(add(s|ed|ing)?|support(s|ed)?|introduc(e|es|ed|ing)|implement(s|ed|ation of)?|enabl(e|es|ed)|allow(s|ed)?|new|promote[sd]?|expose[sd]?|provide[sd]?)\b|\b(add(s|ed|ing)? support|support for|introduc(e|es|ed|ing)|implementation of)\b/i,
  ],
  ['title:fix', /\bfix(es|ed|ing)?\b|\bresolve[sd]?\b|\bcorrect(s|ed)?\b/i],
];

/** Signals the title gives: at most one of cleanup/test/docs/dependency, plus feature/fix kinds. */
function titleFeatures(title: string): Feature[] {
  const features: Feature[] = [];
  for (const [signal, rule] of TITLE_RULES) {
    if (!rule.test(title)) continue;
    if (signal === 'title:fix' && features.some((f) => f.signal === 'title:important-fix')) continue;
    features.push(yes(signal, title.length > 60 ? `${title.slice(0, 57)}...` : title));
  }
  // What a change is not overrides what it says it adds ("Add unit tests" is a test change).
  const chores = features.filter((f) =>
    ['title:test', 'title:docs', 'title:cleanup', 'title:dependency', 'title:cherry-pick', 'title:revert'].includes(f.signal),
  );
  if (chores.length > 0) return features.filter((f) => !['title:feature', 'title:fix', 'title:graduation'].includes(f.signal));
  return features;
}

function topicFeatures(title: string, note: string | null, body: string | null, rules: ScoringRules): Feature[] {
  const features: Feature[] = [];
  const strong = `${title}\n${note ?? ''}`;
  const weak = (body ?? '').slice(0, 4000);
  for (const topic of rules.topics) {
    const inStrong = topic.patterns.find((p) => p.test(strong));
    if (inStrong) {
      features.push({ signal: topic.signal, x: 1, shown: matchText(inStrong, strong) });
      continue;
    }
    const inBody = topic.patterns.find((p) => p.test(weak));
    if (inBody) features.push({ signal: topic.signal, x: 0.5, shown: `${matchText(inBody, weak)} (in the description)` });
  }
  return features;
}

function matchText(pattern: RegExp, text: string): string {
  return (pattern.exec(text)?.[0] ?? pattern.source).trim();
}

const TEST_FILE = /(_test\.go$|(^|\/)(tests?|e2e|testdata|testing|integration)\/|\.test\.[jt]s$|_test\.py$|(^|\/)test_[^/]+$)/;
const GENERATED_FILE =
  /((^|\/)vendor\/|(^|\/)go\.(mod|sum)$|(^|\/)Godeps\/|(^|\/)Gopkg\.(lock|toml)$|zz_generated|\.pb\.go$|\.pb\.validate\.go$|(^|\/)generated\/|_generated\.go$|(^|\/)third_party\/|(^|\/)BUILD(\.bazel)?$|\.bzl$|(^|\/)api\/openapi-spec\/|package-lock\.json$)/;
const DOCS_FILE = /(\.md$|\.rst$|(^|\/)docs?\/)/;
const CODE_FILE = /\.(go|cc|cpp|c|h|hpp|rs|py|js|ts|java|proto|sh)$/;
// Where APIs are declared: Go API types, protobuf definitions, CRDs and OpenAPI documents.
const API_FILE =
  /((^|\/)apis?\/(.*\/)?(\w+_)?types\.go$|\.proto$|(^|\/)crds?\/|customresourcedefinition|openapi|staging\/src\/k8s\.io\/api\/)/i;

function fileFeatures(details: PullDetails, rules: ScoringRules): Feature[] {
  const files = details.files;
  const features: Feature[] = [];
  if (files && files.length > 0) {
    const paths = files.map((f) => f.path);
    const substantive = files.filter((f) => !TEST_FILE.test(f.path) && !GENERATED_FILE.test(f.path) && !DOCS_FILE.test(f.path));
    // Code counts whole; data and configuration (a dashboard's JSON, golden YAML) a fifth.
    const lines = Math.round(
      substantive.reduce((n, f) => n + ((f.additions ?? 0) + (f.deletions ?? 0)) * (CODE_FILE.test(f.path) ? 1 : 0.2), 0),
    );
    if (lines > 0)
      features.push({
        signal: 'size',
        x: Math.min(4, Math.log10(1 + lines)),
        shown: `${lines} lines in ${substantive.length} files`,
      });
    const api = paths.filter((p) => API_FILE.test(p) && !TEST_FILE.test(p) && !GENERATED_FILE.test(p));
    if (api.length > 0) features.push(yes('files:api', api.slice(0, 3).join(', ')));
    if (paths.every((p) => TEST_FILE.test(p))) features.push(yes('files:test-only', `${paths.length} test files`));
    else if (paths.every((p) => GENERATED_FILE.test(p))) features.push(yes('files:generated-only', paths.slice(0, 2).join(', ')));
    else if (paths.every((p) => DOCS_FILE.test(p))) features.push(yes('files:docs-only', `${paths.length} documentation files`));
    const changelog = paths.find((p) => rules.conventions.changelogFiles.some((rule) => rule.test(p)));
    if (changelog) features.push(yes('files:changelog', changelog));
  } else if (details.additions !== null || details.deletions !== null) {
    // Sizes without a file list: counted whole, a little discounted for what might be generated.
    const lines = Math.round(((details.additions ?? 0) + (details.deletions ?? 0)) * 0.7);
    if (lines > 0) features.push({ signal: 'size', x: Math.min(4, Math.log10(1 + lines)), shown: `about ${lines} lines` });
  }
  return features;
}

function isBot(author: string | null, title: string, rules: ScoringRules): boolean {
  if (author && (/\[bot\]$|-bot$|-robot$/i.test(author) || rules.bots.includes(author.toLowerCase()))) return true;
  return (
    /^\s*(\[[\w.-]+\]\s*)?\[?(auto(mated)?|bot)\]?[:\s-]/i.test(title) || /\bauto-?update(d)? (of )?dependencies\b/i.test(title)
  );
}

function isNone(note: string): boolean {
  const text = note.trim().replace(/^["'`]+|["'`.]+$/g, '');
  return text === '' || /^(none|n\/a|na|no)$/i.test(text);
}

function closes(body: string | null): boolean {
  return (
    body !== null &&
    /\b(close[sd]?|fix(es|ed)?|resolve[sd]?|implements?)\s*:?\s+(https:\/\/github\.com\/\S+\/(issues|pull)\/\d+|[\w.-]*\/?[\w.-]*#\d+)/i.test(
      body,
    )
  );
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/** One feature per signal: the strongest observation wins. */
function dedupe(features: Feature[]): Feature[] {
  const best = new Map<SignalName, Feature>();
  for (const feature of features) {
    const current = best.get(feature.signal);
    if (!current || feature.x > current.x) best.set(feature.signal, feature);
  }
  return [...best.values()];
}
