// Records every message of a connection, in both directions, with time: the evidence a failing
// check shows and the wire/<check-id>.jsonl file it links to.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
/** One recorded message of the wire log (also the evidence entry in results.json, reports/model.ts). */
export interface WireEntry {
  /** Milliseconds since the check started. */
  t: number;
  /** send: we sent it; recv: the target sent it. */
  dir: 'send' | 'recv';
  /** Parsed message, or the raw text when it was not JSON. */
  msg?: unknown;
  raw?: string;
  /** Transport detail (HTTP status, headers, stderr line…). */
  note?: string;
}

export class WireLog {
  readonly entries: WireEntry[] = [];
  private readonly t0 = performance.now();
  /** Cap so a flooding target cannot exhaust memory; later entries are counted, not kept. */
  dropped = 0;

  constructor(private readonly maxEntries = 20_000, private readonly maxRawChars = 64 * 1024) {}

  now(): number {
    return Math.round((performance.now() - this.t0) * 10) / 10;
  }

  record(entry: Omit<WireEntry, 't'>): WireEntry {
    const e: WireEntry = { t: this.now(), ...entry };
    if (e.raw !== undefined && e.raw.length > this.maxRawChars) {
      e.raw = `${e.raw.slice(0, this.maxRawChars)}… [${e.raw.length} chars]`;
      delete e.msg;
    }
    if (this.entries.length >= this.maxEntries) this.dropped++;
    else this.entries.push(e);
    return e;
  }

  note(dir: WireEntry['dir'], note: string): void {
    this.record({ dir, note });
  }

  /** Entries matching a predicate, for evidence excerpts. */
  find(pred: (e: WireEntry) => boolean): WireEntry[] {
    return this.entries.filter(pred);
  }

  /** The last n entries: the default excerpt of a failure. */
  tail(n = 6): WireEntry[] {
    return this.entries.slice(-n);
  }

  toJsonl(): string {
    const lines = this.entries.map((e) => JSON.stringify(e));
    if (this.dropped) lines.push(JSON.stringify({ t: this.now(), dir: 'recv', note: `${this.dropped} more entries dropped (log cap)` }));
    return lines.length ? `${lines.join('\n')}\n` : '';
  }

  writeTo(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, this.toJsonl());
  }

  /** Streams entries to a file as they come (record mode). */
  static appendEntry(file: string, entry: WireEntry): void {
    appendFileSync(file, `${JSON.stringify(entry)}\n`);
  }
}
