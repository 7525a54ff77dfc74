import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load.js';
import type { Item, KepDetails } from '../../src/domain/item.js';
import type { EditorialDeps } from '../../src/editorial/issues.js';
import { rescore } from '../../src/ingest/rescore.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { Db } from '../../src/store/db.js';
import { upsertItems } from '../../src/store/items.js';
import { syncRepos } from '../../src/store/repos.js';
import { writeConfig } from './cli.js';
import { pullItem, releaseItem } from './items.js';

/**
 * A small, realistic week (2019-W25) in the store for editorial tests: the Kubernetes 1.15.0
 * release, a KEP that moved to beta with the two pull requests that implement it, a Knative
 * change, and a containerd pull request whose title is hostile.
 */
export const EDITORIAL_CONFIG = `projects:
  - name: Kubernetes
    conventions: kubernetes
    repos:
      - repo: kubernetes/kubernetes
        sources: [pulls, releases]
      - repo: kubernetes/enhancements
        sources: [keps]
  - name: Knative
    conventions: knative
    repos:
      - repo: knative/serving
        sources: [pulls]
  - name: Istio/Envoy
    repos:
      - repo: istio/istio
        sources: [pulls]
  - name: containerd
    conventions: containerd
    repos:
      - repo: containerd/containerd
        sources: [pulls]
digest:
  publish:
    repos: [radar-test/digest, radar-test/archive]
    labels: [weekly]
`;

export const HOSTILE_TITLE = '<script>alert(1)</script> ](javascript:alert(1)) | a | b |';

const at = (day: string) => new Date(`2019-06-${day}T12:00:00Z`);

export interface SeededWeek {
  config: Config;
  deps: EditorialDeps;
  ids: Record<string, number>;
}

export async function seedWeek(db: Db): Promise<SeededWeek> {
  const config = loadConfig(writeConfig(EDITORIAL_CONFIG));
  const repos = await syncRepos(db, config.repos);
  const repoId = (name: string) => repos.get(name)?.id as number;
  const pullDetails = pullItem('x/y', 1).details;

  const release = releaseItem('kubernetes/kubernetes', 'v1.15.0', at('19'), {
    body: '# Release notes for v1.15.0\n\nCustom resources can be pruned and defaulted ([#78829](https://github.com/kubernetes/kubernetes/pull/78829), [@sttts](https://github.com/sttts))',
  });
  const kepDetails: KepDetails = {
    type: 'kep',
    kepNumber: 1287,
    path: 'keps/sig-node/1287-in-place-update-pod-resources/kep.yaml',
    location: 'keps/sig-node/1287-in-place-update-pod-resources',
    blob: 'b1',
    owningSig: 'sig-node',
    participatingSigs: ['sig-autoscaling'],
    status: 'implementable',
    stage: 'beta',
    latestMilestone: 'v1.16',
    milestones: { alpha: 'v1.15', beta: 'v1.16' },
    featureGates: ['InPlacePodVerticalScaling'],
    authors: ['vinaykul'],
    commit: 'c'.repeat(40),
    creationDate: null,
    tracking: null,
  };
  const kep: Item = {
    ...pullItem('kubernetes/enhancements', 1287),
    kind: 'kep',
    key: 'KEP-1287',
    tag: 'KEP-1287',
    title: 'In-place Update of Pod Resources',
    url: 'https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/1287-in-place-update-pod-resources',
    state: 'implementable',
    labels: ['sig-node'],
    occurredAt: at('18'),
    sourceUpdatedAt: at('18'),
    details: kepDetails,
  };
  const apiPull = pullItem('kubernetes/kubernetes', 78001, {
    title: 'Add Resize to the PodSpec API',
    labels: ['kind/api-change', 'kind/feature'],
    occurredAt: at('18'),
    body: 'Implements KEP-1287.\n```release-note\nPods get a Resize field (alpha, feature gate InPlacePodVerticalScaling).\n```',
    details: {
      ...pullDetails,
      releaseNote: 'Pods get a Resize field (alpha, feature gate InPlacePodVerticalScaling).',
      references: { issues: [], keps: [1287], external: [] },
      additions: 420,
      deletions: 12,
      changedFiles: 9,
    } as Item['details'],
  });
  const kubeletPull = pullItem('kubernetes/kubernetes', 78002, {
    title: 'kubelet: resize containers in place',
    labels: ['kind/feature'],
    occurredAt: at('20'),
    body: 'Part of KEP-1287',
    details: {
      ...pullDetails,
      releaseNote: 'The kubelet resizes containers in place when the InPlacePodVerticalScaling feature gate is on.',
      references: { issues: [], keps: [1287], external: [] },
      additions: 900,
      deletions: 40,
      changedFiles: 14,
    } as Item['details'],
  });
  const knative = pullItem('knative/serving', 4386, {
    title: 'Enable HPA /metric=concurrency.',
    labels: [],
    occurredAt: at('18'),
    details: { ...pullDetails, additions: 100, deletions: 12, changedFiles: 7 } as Item['details'],
  });
  const hostile = pullItem('containerd/containerd', 3359, { title: HOSTILE_TITLE, labels: [], occurredAt: at('20') });
  const flake = pullItem('istio/istio', 14950, { title: 'Fix flaky e2e test', labels: [], occurredAt: at('21') });

  const events = [{ type: 'kep.stage', from: 'alpha', to: 'beta', commitSha: 'c'.repeat(40), occurredAt: at('18') }];
  await upsertItems(
    db,
    repoId('kubernetes/kubernetes'),
    [release, apiPull, kubeletPull].map((item) => ({ item, events: [] })),
  );
  await upsertItems(db, repoId('kubernetes/enhancements'), [{ item: kep, events }]);
  await upsertItems(db, repoId('knative/serving'), [{ item: knative, events: [] }]);
  await upsertItems(db, repoId('containerd/containerd'), [{ item: hostile, events: [] }]);
  await upsertItems(db, repoId('istio/istio'), [{ item: flake, events: [] }]);
  await rescore({ db, config, logger: silentLogger() });
  const rows = await db.selectFrom('items').select(['id', 'key']).execute();
  const ids = Object.fromEntries(rows.map((r) => [r.key, r.id]));
  return { config, ids, deps: { db, config, clock: fixedClock('2019-06-24T09:00:00Z'), editor: 'alice' } };
}
