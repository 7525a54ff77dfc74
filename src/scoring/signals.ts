/**
 * The catalogue of scoring signals: every contribution to a score is one of these, with a
 * default weight a maintainer can override in config/radar.yaml (globally, per project, per
 * repo). A score is the sum over signals of weight × value, where the value is 1 for a yes/no
 * signal or a measured amount (a log-scaled size, a count).
 */

export interface SignalSpec {
  weight: number;
  /** What it means, for `radar tune`, docs and config errors. */
  about: string;
}

const s = (weight: number, about: string): SignalSpec => ({ weight, about });

export const SIGNALS = {
  // Labels (Kubernetes conventions, and their equivalents elsewhere through conventions.ts).
  'label:feature': s(2.5, 'labelled a feature (kind/feature, kind/enhancement)'),
  'label:api-change': s(3.5, 'labelled an API change (kind/api-change)'),
  'label:deprecation': s(3, 'labelled a deprecation or removal (kind/deprecation, impact/deprecation)'),
  'label:action-required': s(3.5, 'users must act on upgrade (action-required, impact/breaking)'),
  'label:critical-bug': s(3, 'a bug labelled priority/critical-urgent'),
  'label:bug': s(0.5, 'labelled a bug fix (kind/bug)'),
  'label:changelog': s(1.5, 'marked for the changelog (impact/changelog)'),
  'label:cleanup': s(-2.5, 'labelled a cleanup (kind/cleanup)'),
  'label:flake': s(-3.5, 'labelled a test flake (kind/flake, kind/failing-test)'),
  'label:documentation': s(-2, 'labelled documentation only (kind/documentation)'),
  'label:test-only': s(-2, 'labelled test-only (area/test without a feature)'),
  'label:dependencies': s(-3, 'labelled a dependency update (area/dependency)'),
  'label:sigs': s(1, 'SIGs whose code it changes (sig/* labels, log scale): a change across the project'),

  // The release-note block of a pull request.
  'release-note:present': s(2, 'has a release note (not NONE)'),
  'release-note:length': s(0.6, 'length of the release note (log scale)'),
  'release-note:action-required': s(3, 'the release note says ACTION REQUIRED'),
  'release-note:none': s(-1.5, 'the release note is explicitly NONE'),

  // What the title says the change is, when labels are absent (most repos outside Kubernetes).
  'title:feature': s(1.5, 'the title announces something new (add, support, introduce, promote...)'),
  'title:graduation': s(2.5, 'the title graduates something (to beta, to GA, to stable, v1)'),
  'title:important-fix': s(2, 'the title fixes a leak, panic, crash, race, deadlock, regression or security issue'),
  'title:fix': s(0.3, 'the title fixes something'),
  'title:cleanup': s(-2, 'the title is a refactor, rename, cleanup, lint or typo'),
  'title:test': s(-2.5, 'the title is about tests, e2e or CI'),
  'title:docs': s(-1.5, 'the title is about docs or comments'),
  'title:dependency': s(-3, 'the title bumps or updates a dependency or vendored code'),
  'title:revert': s(-1, 'a revert'),
  'title:cherry-pick': s(-2.5, 'a cherry-pick or backport to a release branch'),

  // What the change does to users, from its release note and title.
  'change:removal': s(2, 'removes or deprecates an API, flag, field or feature users rely on (users must act)'),
  chore: s(
    -2,
    "a chore: build or CI fix, lint, dependency bump, branch merge, placeholder title; kept out of a project's top 10",
  ),

  // Topics from configurable keyword lists (title and release note; the body counts half).
  'topic:performance': s(2, 'about performance or scalability'),
  'topic:security': s(2.5, 'about security (CVE, vulnerability, TLS, RBAC...)'),
  'topic:api': s(1, 'about an API'),
  'topic:deprecation': s(1.5, 'about a deprecation or removal'),
  'topic:new-component': s(1.5, 'introduces a new component (controller, filter, plugin...)'),
  'author:bot': s(-4, 'opened by a bot or an automated bump'),

  // What changed.
  size: s(0.7, 'size of the change on a log scale, generated, vendored, go.mod/go.sum and test files discounted'),
  'files:api': s(2, 'touches API definitions (types.go, *.proto, CRDs, api/)'),
  'files:test-only': s(-2, 'touches only tests'),
  'files:generated-only': s(-2.5, 'touches only generated, vendored or dependency files'),
  'files:docs-only': s(-1.5, 'touches only documentation'),
  'files:changelog': s(2, 'adds a changelog / version-history entry (Envoy)'),

  // Engagement and references.
  engagement: s(0.4, 'comments, reviews and reactions (log scale)'),
  'refs:kep': s(1.5, 'implements or refers to a KEP'),
  'refs:issue': s(0.3, 'fixes or implements an issue'),
  'pull:open': s(-1, 'still open: a proposal, not a change'),

  // KEPs and enhancement tracking issues.
  'kep:created': s(1, 'a new KEP: a plan, worth more with the signals below'),
  'kep:implementable': s(3, 'KEP became implementable'),
  'kep:implemented': s(3.5, 'KEP was implemented'),
  'kep:stage-alpha': s(3, 'graduated to alpha'),
  'kep:stage-beta': s(4.5, 'graduated to beta'),
  'kep:stage-stable': s(5.5, 'graduated to stable (GA)'),
  'kep:milestone': s(0.5, 'KEP milestone changed'),
  'kep:revised-only': s(-1, 'KEP text edited, no transition'),
  // How much a KEP that moved changes for users (only with a transition in the period).
  'kep:graduation': s(3, 'the KEP graduates a feature (its title: to beta, to GA, to stable)'),
  'kep:api': s(2, 'the KEP proposes API changes (an API section, Go types, a CRD)'),
  'kep:core-api': s(1.5, 'its API changes touch core types (PodSpec, Container, NodeSpec...)'),
  'kep:sigs': s(1, 'SIGs taking part: owning, participating, labelled on its pull request (log scale)'),
  'kep:next-release': s(1.5, 'it names the Kubernetes release in development as a target'),
  'kep:detail': s(0.5, 'design written out in the document (length, log scale)'),
  'kep:feature-gates': s(1, 'it declares feature gates: a user-visible feature'),
  'kep:discussion': s(0.4, 'comments, reviews and reactions on its kubernetes/enhancements pull request (log scale)'),
  'tracking:stage': s(1.5, 'enhancement tracking issue with a stage label'),
  'tracking:tracked': s(0.5, 'enhancement tracked for the release'),

  // Releases.
  'release:major': s(12, 'a major release'),
  'release:minor': s(10, 'a minor release'),
  'release:patch': s(2, 'a patch release'),
  'release:first-prerelease': s(3, 'the first pre-release of a new minor (e.g. v1.15.0-alpha.1)'),
  'release:later-prerelease': s(-4, 'a later pre-release (alpha.2, beta.1, rc.2...)'),

  // Design discussions.
  'issue:proposal': s(2.5, 'a design proposal, RFC or design doc'),
  'issue:vote': s(2, 'a vote or a decision'),

  // Computed by the candidate list, not per item.
  'carry-over': s(-3.5, 'points lost per week the item is older than the period'),
  story: s(0.3, 'share of related items added to a story'),
} as const satisfies Record<string, SignalSpec>;

export type SignalName = keyof typeof SIGNALS;

export const SIGNAL_NAMES = Object.keys(SIGNALS) as SignalName[];

export type Weights = Record<SignalName, number>;

export function defaultWeights(): Weights {
  return Object.fromEntries(SIGNAL_NAMES.map((name) => [name, SIGNALS[name].weight])) as Weights;
}

export function isSignalName(name: string): name is SignalName {
  return Object.hasOwn(SIGNALS, name);
}
