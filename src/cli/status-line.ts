import type { Output } from './context.js';

const CLEAR = '\r\x1b[K';

/**
 * stderr with one redrawn status line at its bottom (the backfill progress bar), shared by
 * everything that writes there. Log lines and messages written while the line is shown go above
 * it: the line is cleared, the text written, the line drawn again below. Without this the JSON
 * log lines of concurrent runs land in the middle of the bar and the next redraw half-overwrites
 * them. Off a terminal nothing is drawn and text passes through unchanged.
 */
export class StatusLine implements Output {
  readonly isTTY: boolean;
  private line: string | null = null;

  constructor(private readonly out: Output) {
    this.isTTY = out.isTTY === true;
  }

  write(text: string): void {
    if (this.line === null || text === '') {
      this.out.write(text);
      return;
    }
    // Text that does not end a line would share the bar's line: the bar waits for the next show().
    if (!text.endsWith('\n')) {
      this.out.write(`${CLEAR}${text}`);
      this.line = null;
      return;
    }
    this.out.write(`${CLEAR}${text}${this.line}`);
  }

  /** Draws (or redraws) the status line; on a terminal only. */
  show(line: string): void {
    if (!this.isTTY) return;
    this.out.write(`${CLEAR}${line}`);
    this.line = line;
  }

  /** Leaves the last status line on screen and ends it, so that what follows starts below it. */
  done(): void {
    if (this.line === null) return;
    this.out.write('\n');
    this.line = null;
  }
}
