import { describe, expect, it } from 'vitest';
import {
  extractClosingReferences,
  extractReferences,
  extractReleaseNote,
  isEmptyReleaseNote,
} from '../../src/sources/references.js';
import { compareSemVer, parseSemVer, releaseLevel } from '../../src/sources/semver.js';
import { proposalSignals, trackingLabels } from '../../src/sources/signals.js';

describe('release-note blocks', () => {
  const body = (note: string) =>
    `**What this PR does**:\r\nAdds dry-run.\r\n\r\n**Release note**:\r\n\`\`\`release-note\r\n${note}\r\n\`\`\`\r\n`;

  it('extracts the block, whatever the line endings', () => {
    expect(extractReleaseNote(body('Server-side dry-run is beta and on by default.'))).toBe(
      'Server-side dry-run is beta and on by default.',
    );
    expect(extractReleaseNote('```release-note\nACTION REQUIRED: the flag --foo is removed\n```')).toBe(
      'ACTION REQUIRED: the flag --foo is removed',
    );
  });

  it('tells an absent or NONE note apart from a real one', () => {
    expect(extractReleaseNote('no block here')).toBeNull();
    expect(extractReleaseNote(null)).toBeNull();
    expect(isEmptyReleaseNote(extractReleaseNote(body('NONE')))).toBe(true);
    expect(isEmptyReleaseNote('"none"')).toBe(true);
    expect(isEmptyReleaseNote('N/A')).toBe(true);
    expect(isEmptyReleaseNote('Fixes a leak')).toBe(false);
  });
});

describe('references', () => {
  it('finds same-repo issues, cross-repo links and KEPs', () => {
    const text = `Implements KEP-1287 (https://github.com/kubernetes/enhancements/issues/1024).
Fixes #74203, follow-up to kubernetes/test-infra#12000 and https://github.com/knative/serving/pull/3456.
See keps/sig-api-machinery/0015-dry-run.md. Not a ref: http://x.io/#123 or abc#9.`;
    expect(extractReferences(text, 'kubernetes/kubernetes')).toEqual({
      issues: [74203],
      keps: [15, 1024, 1287],
      external: ['knative/serving#3456', 'kubernetes/test-infra#12000'],
    });
  });

  it('resolves links to its own repo as issues', () => {
    expect(extractReferences('see https://github.com/istio/istio/issues/13018', 'istio/istio').issues).toEqual([13018]);
  });

  it('finds closing keywords', () => {
    expect(extractClosingReferences('Fixes #12, closes: #13 and resolves knative/serving#14. Mentions #15.')).toEqual([
      12, 13, 14,
    ]);
  });
});

describe('semantic versions of release tags', () => {
  it('parses the tag styles of the watched projects', () => {
    expect(parseSemVer('v1.15.0-alpha.1')).toEqual({ major: 1, minor: 15, patch: 0, prerelease: 'alpha.1' });
    expect(parseSemVer('1.2.0-rc.3')).toEqual({ major: 1, minor: 2, patch: 0, prerelease: 'rc.3' });
    expect(parseSemVer('v0.6.0')).toEqual({ major: 0, minor: 6, patch: 0, prerelease: null });
    expect(parseSemVer('kubernetes-1.14.1')).toEqual({ major: 1, minor: 14, patch: 1, prerelease: null });
    expect(parseSemVer('v1.10')).toEqual({ major: 1, minor: 10, patch: 0, prerelease: null });
    expect(parseSemVer('latest')).toBeNull();
  });

  it('orders pre-releases before their release', () => {
    const tags = ['v1.15.0', 'v1.15.0-beta.1', 'v1.15.0-alpha.10', 'v1.15.0-alpha.2', 'v1.14.3', 'v1.15.0-rc.1'];
    const sorted = [...tags].sort((a, b) => compareSemVer(parseSemVer(a)!, parseSemVer(b)!));
    expect(sorted).toEqual(['v1.14.3', 'v1.15.0-alpha.2', 'v1.15.0-alpha.10', 'v1.15.0-beta.1', 'v1.15.0-rc.1', 'v1.15.0']);
  });

  it('classifies major, minor and patch releases', () => {
    expect(releaseLevel(parseSemVer('v2.0.0')!)).toBe('major');
    expect(releaseLevel(parseSemVer('v1.15.0')!)).toBe('minor');
    expect(releaseLevel(parseSemVer('v1.14.3')!)).toBe('patch');
  });
});

describe('design discussion signals', () => {
  const facts = (title: string, extra: Partial<Parameters<typeof proposalSignals>[0]> = {}) => ({
    title,
    body: null,
    labels: [],
    comments: 0,
    reactions: 0,
    ...extra,
  });

  it('names every rule that fires', () => {
    expect(proposalSignals(facts('[Proposal] A new HTTP filter for request mirroring'))).toEqual(['title: proposal']);
    expect(proposalSignals(facts('Vote: API redesign of the Route spec'))).toEqual(['title: vote', 'title: API']);
    expect(
      proposalSignals(
        facts('API versioning policy', { labels: ['kind/design'], body: 'Design doc: https://docs.google.com/document/d/abc' }),
      ),
    ).toEqual(['label: kind/design', 'title: API', 'body: design doc link']);
    expect(proposalSignals(facts('Flaky test', { comments: 45 }))).toEqual(['engagement: 45 comments']);
  });

  it('keeps quiet on ordinary issues', () => {
    expect(proposalSignals(facts('Typo in README', { labels: ['kind/documentation'], comments: 2 }))).toEqual([]);
  });

  it('reads the stage and tracking labels of an enhancement issue', () => {
    expect(trackingLabels(['kind/feature', 'sig/storage', 'stage/beta', 'tracked/yes'])).toEqual({
      stage: 'beta',
      tracked: 'yes',
      sigs: ['storage'],
    });
    expect(trackingLabels([])).toEqual({ stage: null, tracked: null, sigs: [] });
  });
});
