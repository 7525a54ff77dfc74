import type { PollProgress } from '../ingest/poll.js';
import type { Logger } from '../lib/logger.js';
import { terminalSafe } from '../lib/terminal.js';
import type { Output } from './context.js';

/**
 * Shows how a long poll or backfill is going. On a terminal: one redrawn line with a bar per
 * the whole job; otherwise a structured progress log every few seconds (stderr either way, so
 * stdout stays machine-readable).
 */
export class ProgressReporter {
  private readonly state = new Map<string, PollProgress>();
  private lastLog = 0;
  private drawn = false;

  constructor(
    private readonly stderr: Output,
    private readonly logger: Logger,
    private readonly label: string,
  ) {}

  update = (progress: PollProgress): void => {
    this.state.set(`${progress.repo} ${progress.source}`, progress);
    if (this.stderr.isTTY) this.draw();
    else if (Date.now() - this.lastLog > 5000 || progress.finished) this.log(progress.finished);
  };

  finish(): void {
    if (this.stderr.isTTY && this.drawn) this.stderr.write('\n');
  }

  private totals() {
    let done = 0;
    let total = 0;
    let finished = 0;
    let items = 0;
    for (const p of this.state.values()) {
      if (p.finished) finished += 1;
      done += p.done;
      total += p.total ?? p.done;
      items += p.itemsNew + p.itemsUpdated;
    }
    return { done, total, finished, running: this.state.size - finished, items };
  }

  private draw(): void {
    const t = this.totals();
    const share = t.total > 0 ? Math.min(1, t.done / t.total) : 0;
    const width = 24;
    const filled = Math.round(share * width);
    const active = [...this.state.values()].filter((p) => !p.finished).map((p) => p.repo);
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(share * 100)}%  ${t.items} items stored, ${t.finished} done, ${t.running} running ${terminalSafe(active.slice(0, 2).join(', '))}`;
    this.stderr.write(`\r\x1b[K${line.slice(0, 160)}`);
    this.drawn = true;
  }

  private log(final: boolean): void {
    this.lastLog = Date.now();
    const t = this.totals();
    this.logger.info(
      {
        progress: this.label,
        listed: t.done,
        estimated: t.total,
        itemsStored: t.items,
        runsFinished: t.finished,
        runsActive: t.running,
        final,
      },
      'progress',
    );
  }
}
