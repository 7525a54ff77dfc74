import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { type IngestDeps, poll } from '../../src/ingest/poll.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { writeConfig } from '../tools/cli.js';
import { describeEachDialect } from '../tools/db.js';
import { FakeRepo, serveIssueListing } from '../tools/fake-repo.js';
import { issueJson, releaseJson, repositoryJson } from '../tools/github-fixtures.js';
import { githubApi, nock, testGitHub } from '../tools/github-mock.js';

/**
 * A poll that reads less than everything (one source of a shared listing, an --until window,
 * a repoll before an older backfill) must not leave behind an ETag or a cursor that makes a
 * later poll skip what it did not read.
 */

const kep = (name: string) => readFileSync(new URL(`../fixtures/keps/${name}`, import.meta.url), 'utf8');

function deps(db: IngestDeps['db'], repo: string, sources: string): IngestDeps {
  return {
    db,
    github: testGitHub(),
    config: loadConfig(writeConfig(`projects:\n  - name: P\n    repos:\n      - repo: ${repo}\n        sources: [${sources}]\n`)),
    logger: silentLogger(),
    clock: fixedClock('2019-05-20T00:00:00Z'),
  };
}

describeEachDialect('polls that read part of a listing', (t) => {
  const keys = async () =>
    (await t().db.selectFrom('items').select(['kind', 'key']).orderBy('kind').orderBy('key').execute()).map(
      (r) => `${r.kind}:${r.key}`,
    );

  it('an issues-only poll reads what a pulls-only poll of the same listing kept nothing of', async () => {
    const REPO = 'knative/serving';
    const d = deps(t().db, REPO, 'pulls, issues');
    const listing = [
      issueJson({
        repo: REPO,
        number: 2,
        title: 'Proposal: a new autoscaler API',
        createdAt: '2019-05-01T01:00:00Z',
        updatedAt: '2019-05-03T00:00:00Z',
      }),
    ];
    const serve = () => {
      const scope = githubApi();
      scope.get(`/repos/${REPO}`).reply(200, repositoryJson(REPO), { etag: '"r"' });
      serveIssueListing(scope, REPO, listing);
    };
    serve();
    await poll(d, { since: new Date('2019-05-01T00:00:00Z'), trigger: 'poll' }); // pulls and issues together
    nock.cleanAll();
    expect(await keys()).toEqual(['issue:2']);

    listing.push(
      issueJson({
        repo: REPO,
        number: 3,
        title: 'RFC: eventing delivery spec',
        createdAt: '2019-05-04T00:00:00Z',
        updatedAt: '2019-05-04T00:00:00Z',
      }),
    );
    serve();
    await poll(d, { sources: ['pulls'], trigger: 'schedule' }); // reads the page, keeps no issue
    nock.cleanAll();
    serve();
    const issuesOnly = await poll(d, { sources: ['issues'], trigger: 'schedule' });
    nock.cleanAll();
    expect(issuesOnly.runs.find((r) => r.source === 'issues')).toMatchObject({ status: 'succeeded', itemsNew: 1 });
    expect(await keys()).toEqual(['issue:2', 'issue:3']);
  });

  describe('releases', () => {
    const REPO = 'containerd/containerd';
    const releases = [
      releaseJson({ repo: REPO, tag: 'v1.3.0', createdAt: '2019-05-15T00:00:00Z' }),
      releaseJson({ repo: REPO, tag: 'v1.2.6', createdAt: '2019-04-10T00:00:00Z' }),
      releaseJson({ repo: REPO, tag: 'v1.2.5', createdAt: '2019-03-01T00:00:00Z' }),
    ];
    const serve = () =>
      githubApi()
        .get(`/repos/${REPO}`)
        .reply(200, repositoryJson(REPO), { etag: '"r"' })
        .get(`/repos/${REPO}/releases`)
        .query({ per_page: 100, page: 1 })
        .reply(function () {
          // GitHub's ETag: the same page, the same tag; asked with it, a 304.
          return this.req.headers['if-none-match'] === '"page-1"' ? [304, ''] : [200, releases, { etag: '"page-1"' }];
        });

    it('a backfill further back than ever reads the older releases, though page 1 has not changed', async () => {
      const d = deps(t().db, REPO, 'releases');
      serve();
      await poll(d, { trigger: 'schedule' }); // the default look-back: v1.3.0
      expect(await keys()).toEqual(['release:v1.3.0']);
      serve();
      await poll(d, { since: new Date('2019-01-01T00:00:00Z'), trigger: 'backfill' });
      expect(await keys()).toEqual(['release:v1.2.5', 'release:v1.2.6', 'release:v1.3.0']);
    });

    it('a release left out by --until is stored by the next poll', async () => {
      const d = deps(t().db, REPO, 'releases');
      serve();
      await poll(d, { since: new Date('2019-03-15T00:00:00Z'), until: new Date('2019-05-01T00:00:00Z'), trigger: 'backfill' });
      expect(await keys()).toEqual(['release:v1.2.6']);
      serve();
      await poll(d, { trigger: 'schedule' });
      expect(await keys()).toEqual(['release:v1.2.6', 'release:v1.3.0']);
    });
  });

  it('a KEP commit left out by --until is processed by the next poll', async () => {
    const REPO = 'kubernetes/enhancements';
    const gates = 'keps/sig-node/1287-in-place-update-pod-resources/kep.yaml';
    const repo = new FakeRepo(REPO)
      .commit({ sha: 'a'.repeat(40), date: '2019-04-20T10:00:00Z', message: 'base', files: { 'keps/README.md': '# KEPs' } })
      .commit({
        sha: 'b'.repeat(40),
        date: '2019-05-02T10:00:00Z',
        message: 'add',
        files: { [gates]: kep('1287-in-place-update-kep.yaml') },
      })
      .commit({
        sha: 'c'.repeat(40),
        date: '2019-05-15T10:00:00Z',
        message: 'to beta',
        files: { [gates]: kep('1287-in-place-update-kep.yaml').replace('stage: alpha', 'stage: beta') },
      });
    const serve = () => {
      const scope = githubApi();
      scope.get(`/repos/${REPO}`).reply(200, repositoryJson(REPO), { etag: '"r"' });
      serveIssueListing(scope, REPO, []);
      repo.serve(scope);
    };
    const d = deps(t().db, REPO, 'keps');
    const stages = async () =>
      (await t().db.selectFrom('item_events').select(['to_value', 'commit_sha']).where('type', '=', 'kep.stage').execute()).map(
        (e) => `${e.to_value}@${e.commit_sha?.[0]}`,
      );
    serve();
    await poll(d, { since: new Date('2019-05-01T00:00:00Z'), until: new Date('2019-05-10T00:00:00Z'), trigger: 'backfill' });
    nock.cleanAll();
    expect(await stages()).toEqual([]);
    serve();
    await poll(d, { trigger: 'schedule' });
    nock.cleanAll();
    expect(await stages()).toEqual(['beta@c']);
  });
});
