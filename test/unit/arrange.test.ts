import { describe, expect, it } from 'vitest';
import type { ItemKind } from '../../src/domain/source.js';
import { type Arrangeable, arrangeStories } from '../../src/scoring/arrange.js';

interface Story extends Arrangeable {
  name: string;
}
const story = (name: string, score: number, kind: ItemKind = 'pull', project = 'Kubernetes', chore = false): Story => ({
  name,
  score,
  kind,
  project,
  chore,
});
const names = (stories: Story[]) => stories.map((s) => s.name);
const off = { within: 0, minScore: 0, penalty: 0 };

describe('arranging a project list', () => {
  it('puts chores after every other story of their project', () => {
    const list = [story('bump', 9, 'pull', 'Kubernetes', true), story('feature', 5), story('fix', 2)];
    expect(names(arrangeStories(list, off).stories)).toEqual(['feature', 'fix', 'bump']);
  });

  it('keeps projects in the places they held, reordering only within each', () => {
    const list = [
      story('k-bump', 9, 'pull', 'Kubernetes', true),
      story('kn-a', 8, 'pull', 'Knative'),
      story('k-feature', 7),
      story('kn-b', 6, 'pull', 'Knative'),
    ];
    expect(names(arrangeStories(list, off).stories)).toEqual(['k-feature', 'kn-a', 'k-bump', 'kn-b']);
  });

  it('takes points from the second and later KEPs of a project, not from pull requests', () => {
    const list = [
      story('kep1', 10, 'kep'),
      story('kep2', 9.5, 'kep'),
      story('kep3', 9, 'kep'),
      story('pr1', 8),
      story('pr2', 7.9),
    ];
    const arranged = arrangeStories(list, { within: 0, minScore: 0, penalty: 1.5 });
    expect(names(arranged.stories)).toEqual(['kep1', 'kep2', 'pr1', 'pr2', 'kep3']);
    expect(arranged.penalties.get(list[1] as Story)).toEqual({ points: 1.5, above: 1 });
    expect(arranged.penalties.get(list[2] as Story)).toEqual({ points: 3, above: 2 });
    expect(arranged.penalties.has(list[3] as Story)).toBe(false);
  });

  it('keeps the best KEP, release and design issue within the top places when they score enough', () => {
    const prs = Array.from({ length: 8 }, (_, i) => story(`pr${i + 1}`, 12 - i));
    const list = [...prs, story('kep', 4.5, 'kep'), story('release', 3, 'release'), story('weak-issue', 1, 'issue')];
    const arranged = arrangeStories(list, { within: 5, minScore: 3, penalty: 0 });
    expect(names(arranged.stories).slice(0, 5)).toEqual(['pr1', 'pr2', 'pr3', 'kep', 'release']);
    expect(names(arranged.stories)).toContain('weak-issue');
    expect(names(arranged.stories).indexOf('weak-issue')).toBeGreaterThan(5);
    expect([...arranged.keptForVariety].map((s) => s.name).sort()).toEqual(['kep', 'release']);
  });

  it('never lifts a chore or a story only carried over, and changes nothing when switched off', () => {
    const carried = [story('pr1', 9), story('pr2', 8), { ...story('old-release', 7, 'release'), fresh: false }];
    expect(names(arrangeStories(carried, { within: 1, minScore: 0, penalty: 0 }).stories)).toEqual(['pr1', 'pr2', 'old-release']);
    const list = [story('pr1', 9), story('pr2', 8), story('kep-chore', 7, 'kep', 'Kubernetes', true)];
    expect(names(arrangeStories(list, { within: 1, minScore: 0, penalty: 0 }).stories)).toEqual(['pr1', 'pr2', 'kep-chore']);
    const plain = [story('a', 3), story('b', 2, 'kep'), story('c', 1, 'kep')];
    expect(names(arrangeStories(plain, off).stories)).toEqual(['a', 'b', 'c']);
  });
});
