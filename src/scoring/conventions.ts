import type { SignalName } from './signals.js';

/**
 * Projects label things differently. A convention says which labels mean which signal (and
 * which files make a changelog entry); the config chooses one per project or repo.
 */
export interface Conventions {
  name: string;
  /** Exact label names (lowercase) and the signal each gives. */
  labels: Record<string, SignalName>;
  /** Label prefixes (sig/, area/) that point at a topic. */
  topicLabels: Record<string, SignalName>;
  /** Files whose change is a changelog entry. */
  changelogFiles: RegExp[];
}

const common: Record<string, SignalName> = {
  'kind/feature': 'label:feature',
  'kind/enhancement': 'label:feature',
  enhancement: 'label:feature',
  feature: 'label:feature',
  'kind/api-change': 'label:api-change',
  'kind/deprecation': 'label:deprecation',
  deprecation: 'label:deprecation',
  'action-required': 'label:action-required',
  'release-note-action-required': 'label:action-required',
  'kind/bug': 'label:bug',
  bug: 'label:bug',
  'kind/cleanup': 'label:cleanup',
  cleanup: 'label:cleanup',
  'kind/flake': 'label:flake',
  'kind/failing-test': 'label:flake',
  flake: 'label:flake',
  'kind/documentation': 'label:documentation',
  'kind/docs': 'label:documentation',
  documentation: 'label:documentation',
  'area/dependency': 'label:dependencies',
  'area/dependencies': 'label:dependencies',
  dependencies: 'label:dependencies',
};

const topics: Record<string, SignalName> = {
  'sig/scalability': 'topic:performance',
  'area/performance': 'topic:performance',
  'area/security': 'topic:security',
  'area/api': 'topic:api',
};

export const CONVENTIONS: Record<string, Conventions> = {
  default: { name: 'default', labels: common, topicLabels: topics, changelogFiles: [] },
  kubernetes: { name: 'kubernetes', labels: common, topicLabels: topics, changelogFiles: [/^CHANGELOG/] },
  knative: {
    name: 'knative',
    labels: {
      ...common,
      'kind/enhancement': 'label:feature',
      'area/api': 'label:api-change',
      'kind/good-first-issue': 'label:cleanup',
    },
    topicLabels: { ...topics, 'area/autoscale': 'topic:performance' },
    changelogFiles: [],
  },
  envoy: {
    name: 'envoy',
    labels: { ...common, deprecation: 'label:deprecation', api: 'label:api-change' },
    topicLabels: topics,
    // Envoy records user-visible changes in its version history with the change itself.
    changelogFiles: [
      /^docs\/root\/intro\/version_history\.rst$/,
      /^docs\/root\/version_history\/current\.rst$/,
      /^changelogs\/current\.yaml$/,
    ],
  },
  containerd: {
    name: 'containerd',
    labels: {
      ...common,
      'impact/changelog': 'label:changelog',
      'impact/breaking': 'label:action-required',
      'impact/deprecation': 'label:deprecation',
    },
    topicLabels: topics,
    changelogFiles: [/^releases\/.*\.toml$/],
  },
};

export const CONVENTION_NAMES = Object.keys(CONVENTIONS);
