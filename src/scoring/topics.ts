import type { TopicRule } from './features.js';
import type { SignalName } from './signals.js';

/**
 * Default keyword lists per topic (regular expressions, case-insensitive), matched in a
 * change's title and release note (and, at half weight, its description). A maintainer can
 * replace any list in config/radar.yaml under scoring.topics.
 */
export const DEFAULT_TOPICS = {
  performance: [
    '\\bperformance\\b',
    '\\blatency\\b',
    '\\bthroughput\\b',
    'scalab(le|ility)',
    '\\bfaster\\b',
    '\\bspeed(s|ed)? up\\b',
    '\\boptimi[sz](e|es|ed|ation)\\b',
    '\\bmemory (usage|footprint|consumption)\\b',
    '\\bcpu (usage|consumption)\\b',
    '\\b(fewer|less|reduce[sd]?|avoid(s|ed)?) (memory )?allocations?\\b',
    '\\bqps\\b',
    '\\b\\d+(\\.\\d+)?x (faster|less|fewer|improvement)',
  ],
  security: [
    '\\bcve-\\d{4}-\\d+',
    '\\bsecurity\\b',
    '\\bvulnerab',
    '\\bm?tls\\b',
    '\\brbac\\b',
    '\\bprivilege',
    '\\bauthn\\b|\\bauthz\\b|\\bauthenticat|\\bauthoriz',
    '\\bsecrets?\\b',
    '\\bjwt\\b|\\boauth\\b|\\boidc\\b',
    '\\bnon-?root\\b',
    '\\bseccomp\\b|\\bapparmor\\b|\\bselinux\\b',
    '\\bcertificate (rotation|expir\\w*|validation)\\b',
  ],
  api: ['\\bapi\\b', '\\bcrds?\\b', '\\bv1(alpha|beta)\\d\\b', '\\bapi version\\b', '\\bproto(buf)?\\b', '\\bopenapi\\b'],
  deprecation: [
    '\\bdeprecat',
    '\\bremov(e|es|ed|al) (the )?(deprecated|support|flag|api|field)',
    '\\bdrop(s|ped)? support\\b',
    '\\bno longer\\b',
  ],
  'new-component': [
    '\\bnew (controller|component|filter|plugin|extension|operator|adapter|source|broker|channel|command|subcommand|api|resource|runtime|snapshotter|endpoint|flag)\\b',
    '\\bexposes? (a |the )?[`/\\w-]+ endpoint\\b',
    '\\b(add|introduce|implement)(s|ed)? (a |an |the )?(new )?([\\w-]+ ){1,3}(filter|controller|plugin|extension|adapter|source|broker|channel|snapshotter)\\b',
  ],
} as const;

export type TopicName = keyof typeof DEFAULT_TOPICS;
export const TOPIC_NAMES = Object.keys(DEFAULT_TOPICS) as TopicName[];

export function topicRules(lists: Record<TopicName, readonly string[]>): TopicRule[] {
  return TOPIC_NAMES.map((name) => ({
    signal: `topic:${name}` as SignalName,
    patterns: lists[name].map((source) => new RegExp(source, 'i')),
  }));
}

/** Logins of automation accounts in the watched projects (lowercase). */
export const DEFAULT_BOTS = [
  'k8s-ci-robot',
  'k8s-merge-robot',
  'knative-automation',
  'knative-prow-robot',
  'knative-prow-releaser-robot',
  'istio-testing',
  'istio-bot',
  'dependabot',
  'dependabot[bot]',
  'renovate[bot]',
  'mergify[bot]',
  'github-actions[bot]',
];
