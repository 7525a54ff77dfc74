import { describe, expect, it } from 'vitest';
import { groupStories, type StoryItem } from '../../src/scoring/stories.js';
import { groupingDigest, linkKeyHash, storyKeys } from '../../src/scoring/story-keys.js';
import { seededRandom } from '../tools/radar-process.js';

/** Draws from a seeded generator: the same sequence on every run. */
function random(seed: number) {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  return { int, pick: <T>(list: readonly T[]) => list[int(list.length)] as T };
}

const WORDS = ['scheduler', 'framework', 'volume', 'snapshot', 'kubelet', 'quota', 'sandbox', 'runtime', 'cgroup', 'topology'];
const GATES = ['PodPriority', 'VolumeSnapshot', 'SandboxQuota'];
const DAY = 86_400_000;

/**
 * Items of every kind whose texts draw on a few words, gates and numbers, so that pairs of them
 * are linked by each rule of groupStories.
 */
function items(seed: number, count: number): StoryItem[] {
  const r = random(seed);
  const randomTitle = () => Array.from({ length: 2 + r.int(5) }, () => r.pick(WORDS)).join(' ');
  const kepTitles: string[] = [];
  const base = (id: number): StoryItem => ({
    id,
    kind: 'pull',
    repo: r.pick(['kubernetes/kubernetes', 'kubernetes/enhancements', 'containerd/containerd']),
    key: String(id),
    number: 100 + r.int(40),
    title: randomTitle(),
    body: null,
    occurredAt: new Date(Date.UTC(2019, 0, 1) + r.int(200) * DAY),
    state: 'merged',
    kepNumber: null,
    keps: [],
    featureGates: [],
    releaseNote: null,
    prerelease: false,
    patch: null,
    tracking: false,
    project: 'Kubernetes',
    baseRef: 'master',
    sigs: r.int(2) === 0 ? ['node'] : [],
    kepLocation: null,
    kepLocations: [],
  });
  return Array.from({ length: count }, (_, i) => {
    const item = base(i + 1);
    if (item.repo === 'containerd/containerd') item.project = 'containerd';
    switch (r.int(6)) {
      case 0:
        kepTitles.push(item.title);
        return {
          ...item,
          kind: 'kep',
          repo: 'kubernetes/enhancements',
          project: 'Kubernetes',
          key: `KEP-${item.number}`,
          kepNumber: item.number,
          featureGates: r.int(2) === 0 ? [r.pick(GATES)] : [],
          sigs: ['node'],
          kepLocation: `keps/sig-node/${item.number}-x`,
        };
      case 1: {
        const patch = r.int(3);
        const tag = `v1.${r.int(2)}.${patch}`;
        return { ...item, kind: 'release', key: tag, number: null, title: tag, patch, prerelease: r.int(4) === 0 };
      }
      case 2:
        return { ...item, kind: 'issue', repo: 'kubernetes/enhancements', tracking: true };
      default: {
        const style = r.int(8);
        const changeTitle =
          style === 0
            ? `[release-1.14] ${item.title}`
            : style === 1
              ? `Prepare v1.${r.int(2)}.${r.int(3)} release`
              : style === 2
                ? `Add ${r.pick(WORDS)} for the ${kepTitles.length > 0 ? r.pick(kepTitles) : randomTitle()}`
                : item.title;
        return {
          ...item,
          title: changeTitle,
          body: r.int(3) === 0 ? `Fixes #${100 + r.int(40)}` : null,
          keps: r.int(4) === 0 ? [100 + r.int(40)] : [],
          releaseNote:
            r.int(3) === 0 ? `The ${r.pick(GATES)} feature gate is on` : r.int(3) === 0 ? `Turns on ${r.pick(GATES)}` : null,
          baseRef: r.int(8) === 0 ? 'release-1.15' : 'master',
          kepLocations: item.repo === 'kubernetes/enhancements' && r.int(3) === 0 ? [`keps/sig-node/${100 + r.int(40)}-x`] : [],
        };
      }
    }
  });
}

const overlaps = (probes: string[], keys: string[]) => {
  const held = new Set(keys);
  return probes.some((probe) => held.has(probe));
};

describe('story link keys', () => {
  it('let either of two items that groupStories links find the other by its probes', () => {
    const all = items(5, 500);
    const keysOf = new Map(all.map((item) => [item.id, storyKeys(item)]));
    let linked = 0;
    for (let i = 0; i < all.length; i++)
      for (let j = i + 1; j < all.length; j++) {
        const a = all[i] as StoryItem;
        const b = all[j] as StoryItem;
        if (groupStories([a, b]).length !== 1) continue;
        linked += 1;
        const ka = keysOf.get(a.id) as ReturnType<typeof storyKeys>;
        const kb = keysOf.get(b.id) as ReturnType<typeof storyKeys>;
        // Whichever of the two changed looks the other up (its probes, and its keys to complete).
        expect(overlaps([...ka.probes, ...ka.complete], kb.keys), `${a.title} -> ${b.title}`).toBe(true);
        expect(overlaps([...kb.probes, ...kb.complete], ka.keys), `${b.title} -> ${a.title}`).toBe(true);
      }
    // Every kind of link occurs among the pairs (a test that finds no pair cannot fail).
    expect(linked).toBeGreaterThan(500);
  });

  it('hash keys to 32-bit integers and digest what grouping reads', () => {
    expect(linkKeyHash('n:kubernetes/kubernetes#1')).toBe(linkKeyHash('n:kubernetes/kubernetes#1'));
    expect(linkKeyHash('n:kubernetes/kubernetes#1')).not.toBe(linkKeyHash('n:kubernetes/kubernetes#2'));
    for (const key of ['', 'a', 'sp:kubernetes/kubernetes|642|cgroup quota'])
      expect(Number.isInteger(linkKeyHash(key)) && Math.abs(linkKeyHash(key)) <= 2 ** 31).toBe(true);
    const [item] = items(1, 1) as [StoryItem];
    // The state is not read by grouping: a merge alone keeps the digest, a new title does not.
    expect(groupingDigest({ ...item, state: 'open' })).toBe(groupingDigest({ ...item, state: 'merged' }));
    expect(groupingDigest({ ...item, title: `${item.title} again` })).not.toBe(groupingDigest(item));
  });
});
