import type { PollProgress } from '../ingest/poll.js';

/**
 * The pure part of the progress display: many runs report concurrently, each with its own
 * figures, and the bar must only move forward. Each run counts as one share of the job: a run
 * with a known total by the part of it listed, one without a total as nothing until it finishes
 * (a partial count without a total says nothing about how far it is), a finished one as whole.
 * Runs start while others run, so the number of shares grows and the mean can drop: what is
 * shown is the highest share reached so far, never less.
 */

export interface ProgressSnapshot {
  /** 0..1, never less than in an earlier snapshot. */
  share: number;
  /** Entries listed so far, and the runs' own estimate of all (a run without one counts what it listed). */
  listed: number;
  estimated: number;
  /** Items stored so far, by every run. */
  items: number;
  finished: number;
  running: number;
  /** Repos of the runs still going, in the order they started. */
  active: string[];
}

interface RunState {
  repo: string;
  done: number;
  total: number | null;
  items: number;
  finished: boolean;
}

export class ProgressTally {
  private readonly runs = new Map<string, RunState>();
  private shown = 0;

  update(progress: PollProgress): void {
    const key = `${progress.repo} ${progress.source}`;
    const before = this.runs.get(key);
    // A run's own reports can go back too (its "finished" report says done 0, total 0): keep its highest.
    this.runs.set(key, {
      repo: progress.repo,
      done: Math.max(before?.done ?? 0, progress.done),
      total: progress.total && progress.total > 0 ? Math.max(before?.total ?? 0, progress.total) : (before?.total ?? null),
      items: Math.max(before?.items ?? 0, progress.itemsNew + progress.itemsUpdated),
      finished: (before?.finished ?? false) || progress.finished,
    });
  }

  snapshot(): ProgressSnapshot {
    let sum = 0;
    let listed = 0;
    let estimated = 0;
    let items = 0;
    let finished = 0;
    const active: string[] = [];
    for (const run of this.runs.values()) {
      items += run.items;
      listed += run.done;
      estimated += Math.max(run.total ?? 0, run.done);
      if (run.finished) {
        finished += 1;
        sum += 1;
        continue;
      }
      active.push(run.repo);
      if (run.total) sum += Math.min(1, run.done / run.total);
    }
    const share = this.runs.size > 0 ? sum / this.runs.size : 0;
    this.shown = Math.max(this.shown, Math.min(1, share));
    return { share: this.shown, listed, estimated, items, finished, running: this.runs.size - finished, active };
  }
}

const BAR_WIDTH = 24;

/** One line, at most `max` characters: "backfill [######..........] 25%  120 items stored, 1 done, 3 running a/b, c/d". */
export function renderProgressLine(label: string, snapshot: ProgressSnapshot, max = 160): string {
  const filled = Math.floor(snapshot.share * BAR_WIDTH);
  const percent = Math.floor(snapshot.share * 100);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
  const active = snapshot.active.slice(0, 2).join(', ');
  const line = `${label} [${bar}] ${percent}%  ${snapshot.items} items stored, ${snapshot.finished} done, ${snapshot.running} running${active ? ` ${active}` : ''}`;
  return line.slice(0, max);
}
