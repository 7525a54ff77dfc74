import { describe, expect, it } from 'vitest';
import type { PullDetails } from '../../src/domain/item.js';
import { kepsChanged } from '../../src/ingest/scoring-context.js';
import { handHeuristic } from '../../src/scoring/baseline.js';
import { gradedNdcgAt, postPeriods, ranksOf } from '../../src/scoring/evaluation.js';
import type { ScoringItem } from '../../src/scoring/features.js';
import { readKepText } from '../../src/scoring/kep-text.js';

describe('measuring against a weekly digest', () => {
  it("covers from the day after the previous post's week to the moment of posting", () => {
    const periods = postPeriods([
      { postDate: '2019-03-03', published: '2019-03-05T06:00:00Z' },
      { postDate: '2019-03-10', published: '2019-03-12T20:00:00Z' },
      { postDate: '2019-03-31', published: '2019-04-02T18:00:00Z' },
    ]);
    expect(periods.map((p) => [p.from.toISOString(), p.to.toISOString()])).toEqual([
      ['2019-02-25T00:00:00.000Z', '2019-03-05T06:00:00.000Z'],
      ['2019-03-04T00:00:00.000Z', '2019-03-12T20:00:00.000Z'],
      ['2019-03-11T00:00:00.000Z', '2019-04-02T18:00:00.000Z'],
    ]);
  });

  it('grades headline picks above minor ones in nDCG, and tells ranks', () => {
    const grades = new Map([
      ['a', 2],
      ['b', 1],
    ]);
    expect(gradedNdcgAt(['a', 'b', 'c'], grades, 10)).toBe(1);
    const swapped = gradedNdcgAt(['b', 'a'], grades, 10);
    expect(swapped).toBeCloseTo((1 + 2 / Math.log2(3)) / (2 + 1 / Math.log2(3)), 10);
    expect(gradedNdcgAt(['x'], new Map(), 10)).toBe(1);
    expect(ranksOf(['x', 'a'], ['a', 'z'])).toEqual(
      new Map([
        ['a', 2],
        ['z', null],
      ]),
    );
  });

  it('compares with a hand heuristic of labels, release note, KEP repo, title words and size', () => {
    const pull = (title: string, labels: string[], details: Partial<PullDetails>): ScoringItem => ({
      id: 1,
      kind: 'pull',
      repo: 'kubernetes/kubernetes',
      title,
      body: null,
      author: null,
      state: 'merged',
      labels,
      occurredAt: new Date(),
      details: { type: 'pull', releaseNote: null, files: null, additions: null, deletions: null, ...details } as PullDetails,
    });
    const feature = handHeuristic(
      pull('Add a Foo API', ['kind/feature'], { releaseNote: 'Adds Foo.', additions: 99, deletions: 0 }),
    );
    expect(feature).toBeCloseTo(2 + 2 + 1 + 2, 5);
    expect(handHeuristic(pull('Fix e2e test flake', [], { releaseNote: 'NONE' }))).toBe(-2);
  });
});

describe('reading a KEP document', () => {
  it('counts the design, not the front matter, table of contents or checklist, and finds API changes', () => {
    const text = readKepText(
      [
        '---\ntitle: X\nstatus: provisional\nreviewers: [a, b, c, d, e]\n---',
        '<!-- toc -->\n- [Summary](#summary)\n- [Proposal](#proposal)\n<!-- /toc -->',
        '- [ ] KEP approvers have set the KEP status to `implementable`',
        '## Summary\n\nTen words of real design for the proposal right here now.',
        '### API Changes\n\n```go\ntype Foo struct {\n  Spec PodSpec\n}\n```',
      ].join('\n\n'),
    );
    expect(text.api).toBe('API Changes');
    expect(text.coreTypes).toEqual(['PodSpec']);
    expect(text.words).toBeLessThan(30);
  });

  it('names the Kubernetes releases it mentions, not Go versions or other numbers', () => {
    const text = readKepText('Alpha in 1.15, beta in v1.16. Needs go 1.12 and golang 1.13. Uses HTTP/1.1 and TLS 1.2.');
    expect(text.versions).toEqual([
      [1, 15],
      [1, 16],
    ]);
    expect(readKepText(null)).toEqual({ words: 0, api: null, coreTypes: [], versions: [] });
    // Core types only count where the proposal has API design.
    expect(readKepText('We will not change the PodSpec.').coreTypes).toEqual([]);
  });

  it('takes a pull request for a KEP proposal only when it changes one or two KEPs', () => {
    const file = (path: string) => ({ path, additions: 1, deletions: 0 });
    expect(
      kepsChanged([file('keps/sig-scheduling/20180409-scheduling-framework.md'), file('keps/sig-scheduling/x.png')]),
    ).toEqual(['keps/sig-scheduling/20180409-scheduling-framework']);
    expect(kepsChanged([file('keps/sig-node/1234-foo/kep.yaml'), file('keps/sig-node/1234-foo/README.md')])).toEqual([
      'keps/sig-node/1234-foo',
    ]);
    expect(kepsChanged(['a', 'b', 'c'].map((n) => file(`keps/sig-x/${n}.md`)))).toEqual([]);
    expect(kepsChanged(null)).toEqual([]);
  });
});
