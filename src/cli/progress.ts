import type { PollProgress } from '../ingest/poll.js';
import type { Logger } from '../lib/logger.js';
import { terminalSafe } from '../lib/terminal.js';
import type { Output } from './context.js';
import { ProgressTally, renderProgressLine } from './progress-tally.js';
import { StatusLine } from './status-line.js';

/**
 * Shows how a long poll or backfill is going. On a terminal: one redrawn line with a bar for
 * the whole job, which only moves forward (progress-tally.ts), kept below the log lines (which
 * go through the same StatusLine: cleared, the log line written, the bar drawn again); otherwise
 * a structured progress log every few seconds. stderr either way, so stdout stays
 * machine-readable.
 */
export class ProgressReporter {
  private readonly tally = new ProgressTally();
  private readonly line: StatusLine;
  private lastLog = 0;

  constructor(
    stderr: Output,
    private readonly logger: Logger,
    private readonly label: string,
  ) {
    // main.ts hands commands a StatusLine that the logger writes through; a plain stream gets one of its own.
    this.line = stderr instanceof StatusLine ? stderr : new StatusLine(stderr);
  }

  update = (progress: PollProgress): void => {
    this.tally.update(progress);
    if (this.line.isTTY) this.line.show(terminalSafe(renderProgressLine(this.label, this.tally.snapshot())));
    else if (Date.now() - this.lastLog > 5000 || progress.finished) this.log(progress.finished);
  };

  finish(): void {
    this.line.done();
  }

  private log(final: boolean): void {
    this.lastLog = Date.now();
    const t = this.tally.snapshot();
    this.logger.info(
      {
        progress: this.label,
        listed: t.listed,
        estimated: t.estimated,
        share: Math.round(t.share * 1000) / 1000,
        itemsStored: t.items,
        runsFinished: t.finished,
        runsActive: t.running,
        final,
      },
      'progress',
    );
  }
}
