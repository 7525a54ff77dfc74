import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isKepCandidate, kepLocation, kepTitle, kepTransitions, parseKepDocument } from '../../src/sources/kep-document.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/keps/${name}`, import.meta.url), 'utf8');

describe('KEP documents', () => {
  it('reads the YAML front matter of a 2019 Markdown KEP', () => {
    const parsed = parseKepDocument('keps/sig-api-machinery/0006-apply.md', fixture('0006-apply-v1.md'));
    expect(parsed).toEqual({
      kind: 'kep',
      fields: {
        title: 'Apply',
        number: 6,
        owningSig: 'sig-api-machinery',
        participatingSigs: ['sig-cli'],
        status: 'provisional',
        stage: null,
        latestMilestone: null,
        milestones: {},
        featureGates: [],
        authors: ['lavalamp'],
      },
    });
  });

  it('reads a kep.yaml with stage, milestones and feature gates', () => {
    const parsed = parseKepDocument(
      'keps/sig-node/1287-in-place-update-pod-resources/kep.yaml',
      fixture('1287-in-place-update-kep.yaml'),
    );
    expect(parsed.kind).toBe('kep');
    if (parsed.kind !== 'kep') return;
    expect(parsed.fields).toMatchObject({
      title: 'In-place Update of Pod Resources',
      number: 1287,
      owningSig: 'sig-node',
      participatingSigs: ['sig-autoscaling', 'sig-scheduling'],
      status: 'implementable',
      stage: 'alpha',
      latestMilestone: 'v1.27',
      milestones: { alpha: 'v1.27', beta: 'v1.29' },
      featureGates: ['InPlacePodVerticalScaling'],
      authors: ['kgolab', 'vinaykul'],
    });
    expect(parsed.lenient).toBeUndefined();
  });

  it('reads hand-written front matter that is not valid YAML line by line, and says so', () => {
    const parsed = parseKepDocument('keps/sig-node/20190226-pod-overhead.md', fixture('legacy-handles.md'));
    expect(parsed.kind).toBe('kep');
    if (parsed.kind !== 'kep') return;
    expect(parsed.lenient).toMatch(/^front matter: Plain value cannot start with reserved character @/);
    expect(parsed.fields).toMatchObject({
      title: 'Pod Overhead',
      number: null,
      owningSig: 'sig-node',
      status: 'implementable',
      authors: ['egernst'],
      participatingSigs: ['sig-scheduling'],
    });
  });

  it('reports metadata it cannot read at all as malformed, with the parse error', () => {
    const parsed = parseKepDocument('keps/sig-x/20190101-broken.md', fixture('broken-front-matter.md'));
    expect(parsed.kind).toBe('malformed');
    expect(parsed.kind === 'malformed' && parsed.error).toMatch(/^front matter: /);
    expect(parseKepDocument('keps/sig-x/1/kep.yaml', '- just\n- a list\n')).toEqual({
      kind: 'malformed',
      error: 'metadata is not a YAML mapping',
    });
    expect(parseKepDocument('keps/sig-x/2/kep.yaml', 'status: provisional\n')).toEqual({
      kind: 'malformed',
      error: 'metadata has no title',
    });
  });

  it('takes the title of a KEP whose author kept the template title from its heading, else from its file name', () => {
    const copied = parseKepDocument('keps/sig-storage/20190408-volume-scheduling-limits.md', fixture('template-title.md'));
    expect(copied.kind === 'kep' && copied.fields).toMatchObject({
      title: 'Volume Scheduling Limits',
      owningSig: 'sig-storage',
      status: 'implementable',
    });
    // The template committed unchanged: its heading is the template's too.
    const unfilled = parseKepDocument('keps/sig-windows/20190424-windows-cri-containerd.md', fixture('unfilled-template.md'));
    expect(unfilled.kind === 'kep' && unfilled.fields).toMatchObject({ title: 'Windows cri containerd', status: null });
    expect(kepTitle('Title', 'keps/sig-x/0042-20190101-node-labels/kep.yaml', '')).toBe('Node labels');
    expect(kepTitle('Pod Overhead', 'keps/sig-node/20190226-pod-overhead.md', '# pod overhead\n')).toBe('Pod Overhead');
  });

  it('leaves documents without metadata alone', () => {
    expect(parseKepDocument('keps/sig-node/notes.md', '# Notes\n\nNo front matter here.\n')).toEqual({ kind: 'not-a-kep' });
  });

  it('knows which paths can be KEPs and where each KEP lives', () => {
    expect(isKepCandidate('keps/sig-node/20190226-pod-overhead.md')).toBe(true);
    expect(isKepCandidate('keps/sig-node/1287-in-place/kep.yaml')).toBe(true);
    expect(isKepCandidate('keps/YYYYMMDD-kep-template.md')).toBe(false);
    expect(isKepCandidate('keps/NNNN-kep-template/kep.yaml')).toBe(false);
    expect(isKepCandidate('keps/NNNN-kep-template/README.md')).toBe(false);
    expect(isKepCandidate('keps/sig-cloud-provider/providers/0004-cloud-provider-template.md')).toBe(false);
    expect(isKepCandidate('keps/sig-foo/YYYYMMDD-my-new-idea.md')).toBe(false);
    // "template" inside a real KEP's name does not make it the template.
    expect(isKepCandidate('keps/sig-apps/20190301-pod-template-hash-labels.md')).toBe(true);
    // A README is a KEP's document only in the KEP's own folder.
    expect(isKepCandidate('keps/sig-node/1287-in-place/README.md')).toBe(true);
    expect(isKepCandidate('keps/sig-cluster-lifecycle/README.md')).toBe(false);
    expect(isKepCandidate('keps/sig-cluster-lifecycle/kubeadm/README.md')).toBe(false);
    expect(isKepCandidate('keps/prod-readiness/README.md')).toBe(false);
    expect(isKepCandidate('keps/README.md')).toBe(false);
    expect(isKepCandidate('keps/sig-node/diagram.png')).toBe(false);
    expect(isKepCandidate('contributors/notes.md')).toBe(false);
    expect(kepLocation('keps/sig-node/1287-in-place/kep.yaml')).toBe('keps/sig-node/1287-in-place');
    expect(kepLocation('keps/sig-node/20190226-pod-overhead.md')).toBe('keps/sig-node/20190226-pod-overhead');
  });

  it('records each transition across three versions of one KEP, with the commit that made it', () => {
    const [v1, v2, v3] = ['0006-apply-v1.md', '0006-apply-v2.md', '0006-apply-v3.md'].map((f) => {
      const parsed = parseKepDocument('keps/sig-api-machinery/0006-apply.md', fixture(f));
      if (parsed.kind !== 'kep') throw new Error('fixture should parse');
      return parsed.fields;
    });
    const at = (day: string) => new Date(`2019-${day}T12:00:00Z`);
    const path = 'keps/sig-api-machinery/0006-apply.md';
    const created = kepTransitions(null, v1!, { commit: 'c1', at: at('03-20'), added: true, path });
    const toImplementable = kepTransitions(v1!, v2!, { commit: 'c2', at: at('04-22'), added: false, path });
    const toImplemented = kepTransitions(v2!, v3!, { commit: 'c3', at: at('06-30'), added: false, path });
    const summary = [...created, ...toImplementable, ...toImplemented].map(
      (e) => `${e.commitSha} ${e.type} ${e.from ?? '-'} -> ${e.to ?? '-'}`,
    );
    expect(summary).toEqual([
      'c1 kep.created - -> provisional',
      'c1 kep.revised - -> -',
      'c2 kep.status provisional -> implementable',
      'c2 kep.revised - -> -',
      'c3 kep.status implementable -> implemented',
      'c3 kep.revised - -> -',
    ]);
    expect(toImplemented[0]?.occurredAt).toEqual(at('06-30'));
  });

  it('records stage graduations and milestone moves', () => {
    const base = parseKepDocument('keps/sig-node/1287-x/kep.yaml', fixture('1287-in-place-update-kep.yaml'));
    if (base.kind !== 'kep') throw new Error('fixture should parse');
    const beta = { ...base.fields, stage: 'beta', latestMilestone: 'v1.29', milestones: { alpha: 'v1.27', beta: 'v1.29' } };
    const events = kepTransitions(base.fields, beta, {
      commit: 'c9',
      at: new Date('2023-09-01T00:00:00Z'),
      added: false,
      path: 'keps/sig-node/1287-x/kep.yaml',
    });
    expect(events.map((e) => [e.type, e.from, e.to])).toEqual([
      ['kep.stage', 'alpha', 'beta'],
      ['kep.milestone', 'v1.27', 'v1.29'],
      ['kep.revised', null, null],
    ]);
  });

  it('does not call a KEP first seen mid-history "created"', () => {
    const parsed = parseKepDocument('keps/sig-node/x.md', fixture('legacy-handles.md'));
    if (parsed.kind !== 'kep') throw new Error('fixture should parse');
    const events = kepTransitions(null, parsed.fields, {
      commit: 'c1',
      at: new Date(),
      added: false,
      path: 'keps/sig-node/x.md',
    });
    expect(events.map((e) => e.type)).toEqual(['kep.revised']);
  });
});
