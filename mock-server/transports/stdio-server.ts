// Serves a Peer over this process's stdin/stdout (basic/transports#stdio): newline-delimited
// JSON-RPC, frames reassembled across chunks, raw frames written exactly as given. stdout must
// carry nothing but messages, so console output can be redirected to stderr.
import type { Readable, Writable } from 'node:stream';
import { deliverFrame, frameText, isRawFrame, LineFramer, type Transport } from '../transport.ts';

export interface StdioServerOptions {
  /** Default process.stdin. */
  input?: Readable;
  /** Default process.stdout. */
  output?: Writable;
  /** Longest line accepted before it is reported malformed and dropped (default 64 MiB). */
  maxLineBytes?: number;
  /** Send console.log/info/debug to stderr while serving on process.stdout (default true). */
  guardStdout?: boolean;
}

/** Points console.log/info/debug at stderr; returns the undo. */
export function redirectConsoleToStderr(): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug };
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  return () => Object.assign(console, saved);
}

export class StdioServerTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onmalformed?: Transport['onmalformed'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  onnote?: Transport['onnote'];

  private readonly input: Readable;
  private readonly output: Writable;
  private readonly framer: LineFramer;
  private closed = false;
  private started = false;
  private restoreConsole?: () => void;

  constructor(private readonly options: StdioServerOptions = {}) {
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
    this.framer = new LineFramer(
      (line) => {
        if (!this.closed) deliverFrame(this, line);
      },
      (bytes, max) => this.onmalformed?.(`[${bytes} bytes without a newline, dropped]`, new Error(`line longer than ${max} bytes`)),
      options.maxLineBytes,
    );
  }

  private readonly onData = (chunk: Buffer | string) => this.feed(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  private readonly onEnd = () => this.ended('stdin closed');
  private readonly onError = (err: Error) => this.onerror?.(err);
  private readonly onOutputError = (err: Error) => {
    this.onerror?.(err);
    this.ended(`stdout failed: ${err.message}`);
  };

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.output === process.stdout && (this.options.guardStdout ?? true)) this.restoreConsole = redirectConsoleToStderr();
    this.input.on('data', this.onData);
    this.input.once('end', this.onEnd);
    this.input.on('error', this.onError);
    this.output.on('error', this.onOutputError);
    this.input.resume();
  }

  private feed(chunk: Buffer): void {
    this.framer.push(chunk);
  }

  send(message: unknown): Promise<void> {
    if (this.closed) return Promise.reject(new Error('stdio transport is closed'));
    const text = frameText(message);
    // Raw frames are written as given (fuzzing may omit or embed newlines); messages get one.
    const data = isRawFrame(message) ? text : `${text}\n`;
    return new Promise((resolve, reject) => this.output.write(data, (err) => (err ? reject(err) : resolve())));
  }

  private ended(reason: string): void {
    if (this.closed) return;
    this.detach();
    this.onclose?.(reason);
  }

  private detach(): void {
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('error', this.onError);
    this.output.off('error', this.onOutputError);
    // Stop reading so a stdin that stays open does not keep the process alive.
    this.input.pause();
    this.restoreConsole?.();
    this.restoreConsole = undefined;
  }

  /** Stops reading; stdout is left open (the process may still flush other output). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.detach();
    this.onclose?.('closed locally');
  }
}
