// The live terminal display of a run: on a TTY one line redrawn in place — counts by verdict, the
// area of the check that finished last, elapsed time — instead of a line per check; the grouped
// summary follows at the end. Not on a TTY (CI logs, pipes), or with --reporter verbose, the
// reporter writes its plain line per check as before.
import { areaOf, oneLine, plural } from './common.ts';
import { paint, shouldColor, type ColorStream } from './color.ts';
import { countVerdicts, type CheckResult } from './model.ts';
import { countsText } from './summary.ts';

export type ReporterKind = 'compact' | 'verbose';
export const REPORTER_KINDS: readonly ReporterKind[] = ['compact', 'verbose'];

export interface TerminalStream extends ColorStream {
  write(chunk: string): unknown;
  columns?: number;
}

const CLEAR = '\r\u001b[2K';

export interface LiveProgressOptions {
  color?: boolean;
  /** Clock, for tests. */
  now?: () => number;
  /** When the run started (the elapsed time counts from it); default: now. */
  startedAt?: number;
  /** How often the elapsed time is redrawn with no check finishing; 0 for never. Default 1000. */
  tickMs?: number;
}

/** A progress stream (see ConformReporter's `progress`) that keeps one status line up to date. */
export class LiveProgress {
  readonly isTTY = true;
  private readonly checks: CheckResult[] = [];
  private readonly t0: number;
  private readonly now: () => number;
  private readonly color: boolean;
  private area = '';
  private shown = false;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: TerminalStream,
    options: LiveProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.t0 = options.startedAt ?? this.now();
    this.color = options.color ?? shouldColor(out);
    const tick = options.tickMs ?? 1000;
    if (tick > 0) {
      this.timer = setInterval(() => this.draw(), tick);
      this.timer.unref(); // never what keeps a process alive
    }
  }

  /** The status line as drawn (no escapes when colour is off). */
  line(): string {
    const p = paint(this.color);
    const secs = ((this.now() - this.t0) / 1000).toFixed(0);
    const counts = this.checks.length ? `${plural(this.checks.length, 'check')}: ${countsText(countVerdicts(this.checks), p)}` : 'starting…';
    const text = `${counts}${this.area ? ` · ${oneLine(this.area, 40)}` : ''} · ${secs} s`;
    const width = this.out.columns ?? 0;
    // Escapes take no columns: cut only an uncoloured line, so no sequence is cut in half.
    return !this.color && width > 1 && text.length >= width ? `${text.slice(0, width - 2)}…` : text;
  }

  /** A finished check: counted, and its area becomes the current one. */
  onCheck(check: CheckResult): void {
    this.checks.push(check);
    this.area = areaOf(check.id);
    this.draw();
  }

  /** Other text (a note, a run line) goes above the status line. */
  write(chunk: string): boolean {
    this.out.write(`${this.shown ? CLEAR : ''}${chunk}`);
    this.shown = false;
    if (chunk.endsWith('\n') && this.checks.length) this.draw();
    return true;
  }

  /** Stops the clock and removes the status line (the summary is printed next). */
  // Not `end`: a plain stream handed back by progressFor has an end() that would close stdout.
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.ended = true;
    if (this.shown) this.out.write(CLEAR);
    this.shown = false;
  }

  private draw(): void {
    if (this.ended) return;
    this.out.write(`${CLEAR}${this.line()}`);
    this.shown = true;
  }
}

/** What shows a run's progress on `out`: the live line on a TTY with `compact` (the default), else `out` itself. */
export function progressFor(out: TerminalStream, kind: ReporterKind = 'compact', options: LiveProgressOptions = {}): TerminalStream & { finish?(): void } {
  return out.isTTY && kind === 'compact' ? new LiveProgress(out, options) : out;
}
