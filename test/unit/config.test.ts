import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { addRepo, removeRepo } from '../../src/config/watchlist.js';
import { ConfigError, NotFoundError, ValidationError } from '../../src/lib/errors.js';

const FIXTURE = new URL('../fixtures/config/valid.yaml', import.meta.url).pathname;
const SHIPPED = new URL('../../config/radar.yaml', import.meta.url).pathname;

function errorOf(text: string): string {
  try {
    parseConfig(text, 'config/radar.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

const base = (repos: string) => `projects:\n  - name: Kubernetes\n    repos:\n${repos}`;

describe('config loading', () => {
  it('reads a valid file into one frozen object with effective schedules', () => {
    const config = loadConfig(FIXTURE);
    expect(config.github).toEqual({ concurrency: 2, pageSize: 100, requestTimeoutMs: 30_000, budgetReserve: 100 });
    expect(config.projects.map((p) => p.name)).toEqual(['Kubernetes', 'Knative']);
    expect(config.repos.map((r) => [r.repo, r.project, r.sources])).toEqual([
      ['kubernetes/kubernetes', 'Kubernetes', ['pulls', 'releases']],
      ['kubernetes/enhancements', 'Kubernetes', ['keps']],
      ['knative/serving', 'Knative', ['pulls', 'issues']],
    ]);
    // global override, repo override, default
    expect(config.repos[0]?.schedule.pulls).toBe('*/15 * * * *');
    expect(config.repos[1]?.schedule.keps).toBe('0 * * * *');
    expect(config.repos[0]?.schedule.releases).toBe('20 * * * *');
    expect(Object.isFrozen(config.repos[0])).toBe(true);
  });

  it('accepts the shipped default watch list', () => {
    const config = loadConfig(SHIPPED);
    expect(config.projects.map((p) => p.name)).toEqual(['Kubernetes', 'Knative', 'Istio/Envoy', 'containerd']);
    expect(config.repos.find((r) => r.repo === 'kubernetes/enhancements')?.sources).toEqual(['keps', 'pulls']);
  });

  it('names file, path and expectation for a repo that is not owner/name', () => {
    const message = errorOf(
      `${base('      - repo: kubernetes/kubernetes\n        sources: [pulls]\n')}  - name: Knative\n    repos:\n      - repo: knative\n        sources: [pulls]\n`,
    );
    expect(message).toBe('config/radar.yaml: projects[1].repos[0].repo: "knative" is not owner/name (line 8)');
  });

  it('rejects an unknown source', () => {
    expect(errorOf(base('      - repo: a/b\n        sources: [pulls, commits]\n'))).toBe(
      'config/radar.yaml: projects[0].repos[0].sources[1]: "commits" is not a source (expected one of pulls, keps, releases, issues) (line 5)',
    );
  });

  it('rejects a bad cron expression', () => {
    const message = errorOf(`schedule:\n  pulls: "61 * * * *"\n${base('      - repo: a/b\n        sources: [pulls]\n')}`);
    expect(message).toMatch(
      /^config\/radar\.yaml: schedule\.pulls: "61 \* \* \* \*" is not a valid cron expression \(61 is a invalid expression for minute\) \(line 2\)$/,
    );
  });

  it('rejects a duplicate repo, naming where it was first', () => {
    const message = errorOf(
      `${base('      - repo: a/b\n        sources: [pulls]\n')}  - name: Other\n    repos:\n      - repo: A/B\n        sources: [releases]\n`,
    );
    expect(message).toBe(
      'config/radar.yaml: projects[1].repos[0].repo: duplicate repo "A/B" (already watched at projects[0].repos[0]) (line 8)',
    );
  });

  it('lists where issues may be published; a config with only digest.publish.repo publishes there alone', () => {
    const publish = (yaml: string) =>
      parseConfig(`${base('      - repo: a/b\n        sources: [pulls]\n')}digest:\n  publish:\n${yaml}`, 'x.yaml').digest
        .publish;
    expect(publish('    repo: my-org/weekly\n')).toEqual({ repo: 'my-org/weekly', repos: ['my-org/weekly'], labels: [] });
    expect(publish('    repo: My-Org/Weekly\n    repos: [my-org/weekly, my-org/archive]\n')).toEqual({
      repo: 'my-org/weekly',
      repos: ['my-org/weekly', 'my-org/archive'],
      labels: [],
    });
    // One listed: it is the default. Several and no repo: each publish names one.
    expect(publish('    repos: [my-org/weekly]\n').repo).toBe('my-org/weekly');
    expect(publish('    repos: [my-org/weekly, my-org/archive]\n').repo).toBeNull();
    expect(parseConfig(base('      - repo: a/b\n        sources: [pulls]\n'), 'x.yaml').digest.publish).toEqual({
      repo: null,
      repos: [],
      labels: [],
    });
  });

  it('names the path and line of a publish target that is not allowed, listed twice, or not owner/name', () => {
    const config = (yaml: string) => `${base('      - repo: a/b\n        sources: [pulls]\n')}digest:\n  publish:\n${yaml}`;
    expect(errorOf(config('    repos: [my-org/weekly]\n    repo: my-org/other\n'))).toBe(
      'config/radar.yaml: digest.publish.repo: "my-org/other" is not in digest.publish.repos: list it there too, or leave repo out (line 9)',
    );
    expect(errorOf(config('    repos:\n      - my-org/weekly\n      - My-Org/Weekly\n'))).toBe(
      'config/radar.yaml: digest.publish.repos[1]: duplicate repo "My-Org/Weekly" (already at digest.publish.repos[0]) (line 10)',
    );
    expect(errorOf(config('    repos: [weekly]\n'))).toBe(
      'config/radar.yaml: digest.publish.repos[0]: "weekly" is not owner/name (line 8)',
    );
    expect(errorOf(config('    repos: []\n'))).toBe(
      'config/radar.yaml: digest.publish.repos: expected at least one repository (or leave repos out) (line 8)',
    );
  });

  it('rejects unknown keys, a missing list, YAML syntax errors, and lists every problem', () => {
    expect(errorOf(base('      - repo: a/b\n        source: [pulls]\n'))).toContain('projects[0].repos[0]: unknown key "source"');
    expect(errorOf('github: {}\n')).toContain('config/radar.yaml: projects:');
    expect(errorOf('projects: [\n')).toMatch(/^config\/radar\.yaml:\d+:\d+: YAML syntax error/);
    const many = errorOf(base('      - repo: nope\n        sources: []\n'));
    expect(many.split('\n')).toHaveLength(2);
  });

  it('validates scoring: signal names (suggesting the closest), regular expressions, conventions', () => {
    expect(errorOf(`scoring:\n  weights:\n    label:featur: 3\n${base('      - repo: a/b\n        sources: [pulls]\n')}`)).toBe(
      'config/radar.yaml: scoring.weights.label:featur: unknown signal "label:featur" (did you mean "label:feature"?) (line 3)',
    );
    expect(
      errorOf(`scoring:\n  topics:\n    performance: ["(unclosed"]\n${base('      - repo: a/b\n        sources: [pulls]\n')}`),
    ).toMatch(/scoring\.topics\.performance\[0\]: "\(unclosed" is not a valid regular expression/);
    expect(errorOf(base('      - repo: a/b\n        sources: [pulls]\n        conventions: gitlab\n'))).toContain(
      'projects[0].repos[0].conventions: "gitlab" is not a convention (expected one of default, kubernetes, knative, envoy, containerd)',
    );
  });

  it('validates scoring.words: words as radar reads them, weights in range; reads scoring.tuned', () => {
    const repos = base('      - repo: a/b\n        sources: [pulls]\n');
    expect(errorOf(`scoring:\n  words:\n    Scheduling: 1\n${repos}`)).toBe(
      'config/radar.yaml: scoring.words.Scheduling: "Scheduling" is not a word as radar reads it (did you mean "scheduling"?) (line 3)',
    );
    expect(errorOf(`scoring:\n  words:\n    the: 1\n${repos}`)).toBe(
      'config/radar.yaml: scoring.words.the: "the" is not a word radar weighs (a stop word, a number or version, or not a word) (line 3)',
    );
    expect(errorOf(`scoring:\n  words:\n    scheduling: 11\n${repos}`)).toBe(
      'config/radar.yaml: scoring.words.scheduling: expected a weight from -10 to 10 (line 3)',
    );
    expect(errorOf(`scoring:\n  tuned:\n    through: -1\n${repos}`)).toMatch(/scoring\.tuned\.through: /);

    const config = parseConfig(
      `scoring:\n  words:\n    scheduling: 0.8\n  tuned:\n    through: 12\n${repos}`,
      'config/radar.yaml',
    );
    expect(config.scoring.words).toEqual({ scheduling: 0.8 });
    expect(config.scoring.tunedThrough).toBe(12);
    expect(parseConfig(repos, 'config/radar.yaml').scoring).toMatchObject({ words: {}, tunedThrough: null });
  });

  it('merges weights: defaults, then scoring.weights, then the project, then the repo', () => {
    const config = parseConfig(
      `scoring:\n  weights:\n    size: 1\nprojects:\n  - name: P\n    conventions: knative\n    weights:\n      size: 2\n      title:test: -1\n    repos:\n      - repo: a/b\n        sources: [pulls]\n        weights:\n          size: 3\n      - repo: a/c\n        sources: [pulls]\n`,
      'config/radar.yaml',
    );
    expect(config.scoring.weights.size).toBe(1);
    expect(config.repos.map((r) => [r.repo, r.conventions, r.weights.size, r.weights['title:test']])).toEqual([
      ['a/b', 'knative', 3, -1],
      ['a/c', 'knative', 2, -1],
    ]);
  });

  it('reports a missing file with the variable that chooses it', () => {
    expect(() => loadConfig('/nonexistent/radar.yaml')).toThrow(/radar\.yaml: file not found \(set RADAR_CONFIG/);
  });
});

describe('environment', () => {
  it('applies the documented defaults', () => {
    const env = loadEnv({}, '/work');
    expect(env).toMatchObject({
      databaseUrl: undefined,
      dataDir: '/work/.radar',
      githubApiUrl: 'https://api.github.com',
      port: 3000,
    });
  });

  it('rejects bad values by variable name, without echoing secrets', () => {
    expect(() => loadEnv({ DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(/DATABASE_URL: expected a postgres:\/\//);
    try {
      loadEnv({ DATABASE_URL: 'mysql://u:secret@h/db' });
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
    }
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/PORT: expected a port number/);
    expect(() => loadEnv({ GITHUB_API_URL: 'ftp://x' })).toThrow(/GITHUB_API_URL/);
  });

  it('treats empty variables as unset and strips a trailing slash from the API URL', () => {
    const env = loadEnv({ DATABASE_URL: '', GITHUB_TOKEN: '', GITHUB_API_URL: 'http://127.0.0.1:9/' });
    expect(env.databaseUrl).toBeUndefined();
    expect(env.githubToken).toBeUndefined();
    expect(env.githubApiUrl).toBe('http://127.0.0.1:9');
  });

  it('takes several tokens as one budget: GITHUB_TOKEN first, then GITHUB_TOKENS, without repeats', () => {
    const env = loadEnv({ GITHUB_TOKEN: 'ghp_one', GITHUB_TOKENS: 'ghp_two, ghp_one\nghp_three' });
    expect(env.githubTokens).toEqual(['ghp_one', 'ghp_two', 'ghp_three']);
    expect(env.githubToken).toBe('ghp_one');
    expect(loadEnv({ GITHUB_TOKENS: 'ghp_two,ghp_three' }).githubToken).toBe('ghp_two');
  });

  it('reads a GitHub App: id, private key (inline with \\n, or from a file) and installation ids', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const app = loadEnv({
      GITHUB_APP_ID: '123456',
      GITHUB_APP_PRIVATE_KEY: pem.replace(/\n/g, '\\n'),
      GITHUB_APP_INSTALLATION_IDS: '42, 43',
    }).githubApp;
    expect(app).toMatchObject({ appId: '123456', installationIds: ['42', '43'] });
    expect(app?.privateKey.asymmetricKeyType).toBe('rsa');
    const dir = mkdtempSync(join(tmpdir(), 'radar-app-key-'));
    writeFileSync(join(dir, 'app.pem'), pem);
    expect(
      loadEnv({ GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY_FILE: 'app.pem', GITHUB_APP_INSTALLATION_IDS: '7' }, dir).githubApp
        ?.installationIds,
    ).toEqual(['7']);
  });

  it('says which GitHub App variable is missing or wrong, never echoing the key', () => {
    expect(() => loadEnv({ GITHUB_APP_ID: '1' })).toThrow(
      /GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_IDS: needed with GITHUB_APP_ID/,
    );
    expect(() => loadEnv({ GITHUB_APP_ID: 'my-app', GITHUB_APP_PRIVATE_KEY: 'x', GITHUB_APP_INSTALLATION_IDS: '1' })).toThrow(
      /GITHUB_APP_ID: expected the app's numeric id/,
    );
    let message = '';
    try {
      loadEnv({ GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: 'not-a-key-secret', GITHUB_APP_INSTALLATION_IDS: '1' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/GITHUB_APP_PRIVATE_KEY: expected the app's private key in PEM form/);
    expect(message).not.toContain('not-a-key-secret');
    expect(() =>
      loadEnv({ GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY_FILE: '/nonexistent/app.pem', GITHUB_APP_INSTALLATION_IDS: '1' }),
    ).toThrow(/GITHUB_APP_PRIVATE_KEY_FILE: cannot read \/nonexistent\/app.pem \(ENOENT\)/);
    expect(() => loadEnv({ GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: 'x', GITHUB_APP_INSTALLATION_IDS: 'a,b' })).toThrow(
      /GITHUB_APP_INSTALLATION_IDS: expected numeric installation ids/,
    );
  });
});

describe('radar repos add/remove edit the YAML in place', () => {
  function copy(): string {
    const dir = mkdtempSync(join(tmpdir(), 'radar-config-'));
    const file = join(dir, 'radar.yaml');
    copyFileSync(FIXTURE, file);
    return file;
  }

  it('adds to an existing project keeping comments and order', () => {
    const file = copy();
    const change = addRepo(file, { repo: 'knative/eventing', project: 'knative', sources: ['pulls', 'releases'] });
    expect(change.summary).toBe('added knative/eventing (pulls, releases) to project Knative');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# A small watch list for tests.');
    expect(text).toContain('  # The one that matters most');
    expect(text).toContain('- repo: knative/serving   # serving first');
    expect(text).toContain('      - repo: knative/eventing\n        sources: [pulls, releases]');
    expect(text.indexOf('knative/serving')).toBeLessThan(text.indexOf('knative/eventing'));
    expect(loadConfig(file).repos.map((r) => r.repo)).toContain('knative/eventing');
  });

  it('creates a new project when needed', () => {
    const file = copy();
    addRepo(file, { repo: 'containerd/containerd', project: 'containerd', sources: ['pulls'] });
    expect(loadConfig(file).projects.at(-1)).toMatchObject({ name: 'containerd' });
  });

  it('refuses duplicates and unknown repos, leaving the file untouched', () => {
    const file = copy();
    const before = readFileSync(file, 'utf8');
    expect(() => addRepo(file, { repo: 'Kubernetes/Kubernetes', project: 'X', sources: ['pulls'] })).toThrow(ValidationError);
    expect(() => addRepo(file, { repo: 'not-a-repo', project: 'X', sources: ['pulls'] })).toThrow(
      /"not-a-repo" is not owner\/name/,
    );
    expect(() => removeRepo(file, 'no/such')).toThrow(NotFoundError);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('removes a repo, and its project with its last repo', () => {
    const file = copy();
    expect(removeRepo(file, 'kubernetes/enhancements').summary).toBe('removed kubernetes/enhancements from project Kubernetes');
    const change = removeRepo(file, 'knative/serving');
    expect(change.summary).toContain('the project was removed too');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# A small watch list for tests.');
    expect(loadConfig(file).projects.map((p) => p.name)).toEqual(['Kubernetes']);
  });

  // Hand-kept: a four-space list, a three-space one, comments aligned in a column, a project
  // without a final newline. Only the lines of what is added or removed may change.
  const HAND_KEPT = `# radar watch list (hand-kept; keep the comments aligned)
github:
  concurrency: 2          # polite
projects:
    # ---- Kubernetes ------------------------------------------------
    - name: Kubernetes    # the big one
      repos:
      -   repo: kubernetes/kubernetes   # everything
          sources: [pulls, releases]    # both
          # KEPs live elsewhere
      -   repo: kubernetes/enhancements
          sources:
            - keps

    # ---- Knative ---------------------------------------------------
    - name: Knative
      repos:
         - repo: knative/serving        # serving first
           sources: [pulls, issues]
           schedule: {pulls: "*/10 * * * *"}`;

  function handKept(): string {
    const file = join(mkdtempSync(join(tmpdir(), 'radar-config-')), 'radar.yaml');
    writeFileSync(file, HAND_KEPT);
    return file;
  }

  it('add then remove gives the file back byte for byte, and each changes only its own lines', () => {
    const file = handKept();
    addRepo(file, { repo: 'kubernetes/kubectl', project: 'kubernetes', sources: ['pulls', 'releases'] });
    const added = readFileSync(file, 'utf8');
    // The new entry is indented as its neighbours, after the last of them; nothing else moved.
    expect(added).toBe(
      HAND_KEPT.replace(
        '            - keps\n',
        '            - keps\n      -   repo: kubernetes/kubectl\n          sources: [pulls, releases]\n',
      ),
    );
    expect(loadConfig(file).repos.map((r) => r.repo)).toContain('kubernetes/kubectl');
    removeRepo(file, 'kubernetes/kubectl');
    expect(readFileSync(file, 'utf8')).toBe(HAND_KEPT);

    // The last project, whose last line has no newline.
    addRepo(file, { repo: 'knative/eventing', project: 'Knative', sources: ['pulls'] });
    expect(readFileSync(file, 'utf8')).toBe(`${HAND_KEPT}\n         - repo: knative/eventing\n           sources: [pulls]`);
    removeRepo(file, 'knative/eventing');
    expect(readFileSync(file, 'utf8')).toBe(HAND_KEPT);
  });

  it('adds a new project laid out as the last one, and removing its only repo takes exactly it away', () => {
    const file = handKept();
    addRepo(file, { repo: 'containerd/containerd', project: 'containerd: runtime', sources: ['pulls'] });
    expect(readFileSync(file, 'utf8')).toBe(
      `${HAND_KEPT}\n    - name: "containerd: runtime"\n      repos:\n         - repo: containerd/containerd\n           sources: [pulls]`,
    );
    expect(loadConfig(file).projects.at(-1)?.name).toBe('containerd: runtime');
    expect(removeRepo(file, 'containerd/containerd').summary).toContain('the project was removed too');
    expect(readFileSync(file, 'utf8')).toBe(HAND_KEPT);

    // A middle repo removed: its two lines go, its neighbours' comments stay where they were.
    removeRepo(file, 'kubernetes/kubernetes');
    expect(readFileSync(file, 'utf8')).toBe(
      HAND_KEPT.replace(
        '      -   repo: kubernetes/kubernetes   # everything\n          sources: [pulls, releases]    # both\n',
        '',
      ),
    );
  });

  it('edits a flow-style list through the document, still valid', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'radar-config-')), 'radar.yaml');
    writeFileSync(file, 'projects:\n  - name: K\n    repos: [{repo: kubernetes/kubernetes, sources: [pulls]}]\n');
    addRepo(file, { repo: 'kubernetes/kubectl', project: 'K', sources: ['pulls'] });
    expect(loadConfig(file).repos.map((r) => r.repo)).toEqual(['kubernetes/kubernetes', 'kubernetes/kubectl']);
    removeRepo(file, 'kubernetes/kubectl');
    expect(loadConfig(file).repos.map((r) => r.repo)).toEqual(['kubernetes/kubernetes']);
  });

  it('refuses to edit a file that is already invalid', () => {
    const file = copy();
    writeFileSync(file, 'projects: []\n');
    expect(() => addRepo(file, { repo: 'a/b', project: 'P', sources: ['pulls'] })).toThrow(ConfigError);
  });
});
