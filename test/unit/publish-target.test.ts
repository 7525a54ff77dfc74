import { describe, expect, it } from 'vitest';
import { publishTarget, type TargetQuestion } from '../../src/editorial/publish-target.js';
import { ConflictError, UsageError } from '../../src/lib/errors.js';

const ask = (question: Partial<TargetQuestion>): TargetQuestion => ({
  volume: 9,
  requested: undefined,
  field: '--repo',
  published: null,
  allowed: ['my-org/weekly', 'my-org/archive'],
  defaultRepo: 'my-org/weekly',
  configFile: 'config/radar.yaml',
  ...question,
});

function refusal(question: TargetQuestion): Error {
  try {
    publishTarget(question);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal');
}

describe('where a publish may write', () => {
  it('goes to the default, or to another repository the config lists, spelt as listed', () => {
    expect(publishTarget(ask({}))).toBe('my-org/weekly');
    expect(publishTarget(ask({ requested: 'my-org/archive' }))).toBe('my-org/archive');
    expect(publishTarget(ask({ requested: 'My-Org/Archive' }))).toBe('my-org/archive');
  });

  it('refuses a repository the config does not list, naming the list and the file', () => {
    const error = refusal(ask({ requested: 'kubernetes/kubernetes' }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      '--repo: "kubernetes/kubernetes" is not a repository radar may publish to (digest.publish.repos in config/radar.yaml: my-org/weekly, my-org/archive)',
    );
    expect(refusal(ask({ requested: 'evil/x', field: 'body.repo' })).message).toMatch(/^body\.repo: "evil\/x" is not a/);
    expect(refusal(ask({ requested: 'not a repo' })).message).toBe('--repo: "not a repo" is not owner/name');
  });

  it('needs a repository when the config has no default, and refuses when it allows none', () => {
    expect(refusal(ask({ defaultRepo: null })).message).toBe(
      'issue 9: --repo owner/name is needed, one of my-org/weekly, my-org/archive (digest.publish.repos in config/radar.yaml)',
    );
    const none = refusal(ask({ allowed: [], defaultRepo: null, requested: 'my-org/weekly' }));
    expect(none).toBeInstanceOf(UsageError);
    expect(none.message).toBe(
      'issue 9 cannot be published: the config names no repository radar may publish to (set digest.publish.repo, or digest.publish.repos, in config/radar.yaml)',
    );
  });

  it('keeps a published issue where it was published, and says so when asked for another repository', () => {
    const published = { repo: 'my-org/archive', number: 42 };
    expect(publishTarget(ask({ published }))).toBe('my-org/archive');
    expect(publishTarget(ask({ published, requested: 'MY-ORG/archive' }))).toBe('my-org/archive');
    const moved = refusal(ask({ published, requested: 'my-org/weekly' }));
    expect(moved).toBeInstanceOf(ConflictError);
    expect(moved.message).toBe(
      'issue 9 was published to my-org/archive (#42): every publish updates that GitHub issue, and none is started in my-org/weekly; leave --repo out',
    );
    // Taken off the list since: no longer written to, even to update.
    expect(refusal(ask({ published, allowed: ['my-org/weekly'] })).message).toBe(
      'issue 9 was published to my-org/archive (#42), which digest.publish.repos in config/radar.yaml does not list (any more): radar does not write there; list it again to update that issue',
    );
  });

  it('takes an explicit --repo from the command line when the config lists none, never from the web', () => {
    const open = ask({ allowed: [], defaultRepo: null, commandLine: true });
    expect(publishTarget({ ...open, requested: 'radar-test/digest' })).toBe('radar-test/digest');
    expect(refusal(open).message).toBe(
      'issue 9: --repo owner/name is needed (or set digest.publish.repo in config/radar.yaml, where the web UI and the API need it)',
    );
    expect(publishTarget({ ...open, published: { repo: 'radar-test/digest', number: 3 } })).toBe('radar-test/digest');
    // The allowlist binds the command line too once there is one.
    expect(refusal(ask({ commandLine: true, requested: 'evil/x' })).message).toMatch(/^--repo: "evil\/x" is not a repository/);
    expect(refusal(ask({ allowed: [], defaultRepo: null, field: 'body.repo', requested: 'radar-test/digest' }))).toBeInstanceOf(
      UsageError,
    );
  });
});
