import { describe, expect, it } from 'vitest';
import { ProgressTally, renderProgressLine } from '../../src/cli/progress-tally.js';
import { StatusLine } from '../../src/cli/status-line.js';
import type { PollProgress } from '../../src/ingest/poll.js';

const report = (repo: string, done: number, total: number | null, finished = false, items = done): PollProgress => ({
  repo,
  source: 'pulls',
  done,
  total,
  itemsNew: items,
  itemsUpdated: 0,
  finished,
});

describe('progress of concurrent runs', () => {
  it('only moves forward, whatever order the runs report in', () => {
    const tally = new ProgressTally();
    const shares: number[] = [];
    const reports = [
      report('a/a', 50, 100),
      // A second run starts: two shares now, the mean drops from 50% to 25%.
      report('b/b', 0, 200),
      report('b/b', 20, 200),
      // A run's "finished" report says done 0, total 0: it is whole, not empty.
      report('a/a', 0, 0, true, 50),
      // A late report of a run with a smaller total than it said before.
      report('b/b', 10, 100),
      report('c/c', 5, null),
      report('b/b', 200, 200),
      report('b/b', 0, 0, true, 200),
      report('c/c', 0, 0, true, 5),
    ];
    for (const r of reports) {
      tally.update(r);
      shares.push(tally.snapshot().share);
    }
    for (let i = 1; i < shares.length; i++) expect(shares[i]).toBeGreaterThanOrEqual(shares[i - 1] as number);
    expect(shares[0]).toBe(0.5);
    expect(shares.at(-1)).toBe(1);
    const end = tally.snapshot();
    expect(end).toMatchObject({ items: 255, finished: 3, running: 0, active: [] });
  });

  it('counts a run without a total as nothing until it finishes, and never past 100%', () => {
    const tally = new ProgressTally();
    tally.update(report('a/a', 900, null));
    expect(tally.snapshot().share).toBe(0);
    tally.update(report('b/b', 300, 200));
    expect(tally.snapshot()).toMatchObject({ share: 0.5, running: 2, active: ['a/a', 'b/b'], listed: 1200 });
  });

  it('renders one line: bar, percent, items, runs done and running, the first two repos', () => {
    const line = renderProgressLine('backfill', {
      share: 0.375,
      listed: 0,
      estimated: 0,
      items: 120,
      finished: 1,
      running: 3,
      active: ['kubernetes/kubernetes', 'knative/serving', 'envoyproxy/envoy'],
    });
    expect(line).toBe(
      'backfill [#########...............] 37%  120 items stored, 1 done, 3 running kubernetes/kubernetes, knative/serving',
    );
    expect(renderProgressLine('poll', { share: 0, listed: 0, estimated: 0, items: 0, finished: 0, running: 0, active: [] })).toBe(
      'poll [........................] 0%  0 items stored, 0 done, 0 running',
    );
    expect(
      renderProgressLine(
        'x',
        { share: 1, listed: 0, estimated: 0, items: 0, finished: 0, running: 0, active: ['a'.repeat(300)] },
        40,
      ),
    ).toHaveLength(40);
  });
});

describe('log lines while the bar is shown', () => {
  const terminal = (isTTY = true) => {
    const written: string[] = [];
    return { written, line: new StatusLine({ write: (t) => written.push(t), isTTY }) };
  };

  it('go above the bar: cleared, written, the bar drawn again', () => {
    const { written, line } = terminal();
    line.write('{"msg":"before"}\n');
    line.show('backfill [#...] 4%');
    line.write('{"level":"warn","msg":"run warning"}\n');
    line.show('backfill [##..] 8%');
    line.done();
    line.write('{"msg":"after"}\n');
    expect(written).toEqual([
      '{"msg":"before"}\n',
      '\r\x1b[Kbackfill [#...] 4%',
      '\r\x1b[K{"level":"warn","msg":"run warning"}\nbackfill [#...] 4%',
      '\r\x1b[Kbackfill [##..] 8%',
      '\n',
      '{"msg":"after"}\n',
    ]);
    // What the terminal ends up showing: every log line whole, the bar last.
    const screen = written
      .join('')
      .split('\n')
      .map((row) => row.split('\r\x1b[K').at(-1));
    expect(screen).toEqual([
      '{"msg":"before"}',
      '{"level":"warn","msg":"run warning"}',
      'backfill [##..] 8%',
      '{"msg":"after"}',
      '',
    ]);
  });

  it('gives up the line to text that does not end one, and draws nothing off a terminal', () => {
    const tty = terminal();
    tty.line.show('bar');
    tty.line.write('partial');
    tty.line.write(' rest\n');
    expect(tty.written).toEqual(['\r\x1b[Kbar', '\r\x1b[Kpartial', ' rest\n']);

    const pipe = terminal(false);
    pipe.line.show('bar');
    pipe.line.write('{"msg":"x"}\n');
    pipe.line.done();
    expect(pipe.written).toEqual(['{"msg":"x"}\n']);
  });
});
