import { describe, expect, it } from 'vitest';
import { rulesFor } from '../../src/scoring/assess.js';
import { extractFeatures, type ScoringItem } from '../../src/scoring/features.js';
import { scoreFeatures } from '../../src/scoring/score.js';
import { defaultWeights } from '../../src/scoring/signals.js';
import { DEFAULT_TOPICS, type TopicName } from '../../src/scoring/topics.js';
import { bodyStart, itemWords, normaliseWord, withWordWeights, wordFeatures } from '../../src/scoring/words.js';

const TOPICS = Object.fromEntries(Object.entries(DEFAULT_TOPICS).map(([k, v]) => [k, [...v]])) as Record<TopicName, string[]>;

describe('words', () => {
  it.each([
    ['Scheduling', 'scheduling'],
    ['nodes', 'node'],
    ['policies', 'policy'],
    ['APIs', 'api'],
    ['status', 'status'],
    ['Kubernetes', 'kubernetes'],
    ['kube-apiserver', 'kube-apiserver'],
    ['data-plane.', 'data-plane'],
    ['v1.15.0', null],
    ['1.15', null],
    ['v1beta1', 'v1beta1'],
    ['2019-03-04', null],
    ['the', null],
    ['fixes', null],
    ['a', null],
    ['pkg.go', null],
  ])('normalises %s to %s', (token, word) => {
    expect(normaliseWord(token)).toBe(word);
  });

  it('reads the title, the release note and the start of the body, without templates, code or sign-offs', () => {
    const body = [
      '<!-- Thanks for sending a pull request! -->',
      '**What type of PR is this?**',
      '/kind feature',
      '**What this PR does / why we need it**: Scheduler framework gains a Permit extension point.',
      '```release-note',
      'Scheduling framework: Permit plugins',
      '```',
      'See [the design](https://example.org/design) by @someone, me@example.org',
      'Signed-off-by: Someone Else <someone@example.org>',
    ].join('\n');
    const words = itemWords({
      title: 'Add Permit to the Scheduling Framework (#12345)',
      body,
      details: { releaseNote: 'Scheduling framework: Permit plugins' },
    });

    expect([...words.keys()]).toEqual([
      'permit',
      'scheduling',
      'framework',
      'plugin',
      'scheduler',
      'gain',
      'extension',
      'point',
      'design',
    ]);
    expect(words.get('scheduling')).toBe('Scheduling');
    expect(bodyStart('x'.repeat(5000))).toHaveLength(600);
  });

  it('adds a named contribution for each weighted word, which the reasons add up to', () => {
    const item: ScoringItem = {
      id: 1,
      kind: 'pull',
      repo: 'kubernetes/kubernetes',
      title: 'Scheduling: preemption honours PodDisruptionBudgets',
      body: null,
      author: 'someone',
      state: 'merged',
      labels: ['kind/feature'],
      occurredAt: new Date('2019-06-18T00:00:00Z'),
      details: { releaseNote: null, references: { issues: [], keps: [], external: [] } },
    };
    const weights = withWordWeights(defaultWeights(), { scheduling: 0.8, preemption: -0.25, kubelet: 1 });

    const features = extractFeatures(item, { events: [], releases: [] }, rulesFor('kubernetes', { topics: TOPICS, bots: [] }));
    const words = wordFeatures(item, weights);
    const scored = scoreFeatures([...features, ...words], weights);

    expect(words).toEqual([
      { signal: 'word:scheduling', x: 1, shown: 'Scheduling' },
      { signal: 'word:preemption', x: 1, shown: 'preemption' },
    ]);
    expect(scored.reasons).toContainEqual({ signal: 'word:scheduling', value: 'Scheduling', contribution: 0.8 });
    expect(scored.reasons).toContainEqual({ signal: 'word:preemption', value: 'preemption', contribution: -0.25 });
    expect(scored.reasons.reduce((n, r) => n + r.contribution, 0)).toBeCloseTo(scored.score, 10);
    expect(wordFeatures(item, defaultWeights())).toEqual([]);
  });
});
