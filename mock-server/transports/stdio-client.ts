// Runs an MCP server as a child process and talks newline-delimited JSON-RPC over its stdio
// (basic/transports#stdio). The child gets its own process group and its whole tree is always ended.
import type { ChildProcess } from 'node:child_process';
import { deliverFrame, frameText, LineFramer, type Transport } from '../transport.ts';
import { spawnTracked, stopChild } from './processes.ts';

/** How long a process's exit waits for its stderr to end before it is reported (a grandchild may hold it open). */
const STDERR_DRAIN_MS = 250;

export interface StdioClientOptions {
  command: string;
  args?: string[];
  cwd?: string;
  /** Added to the parent's environment. */
  env?: Record<string, string>;
  /** Keep at most this many characters of stderr (default 256 KiB). */
  stderrLimit?: number;
  /** How long a reported exit waits for stderr to end (default 250 ms): a grandchild may hold it open. */
  stderrDrainMs?: number;
  /** Longest line accepted on stdout before it is reported malformed and dropped (default 64 MiB). */
  maxLineBytes?: number;
  /** Longest wait for a message to be taken by the server's stdin (a server that stops reading fills the pipe; default 10 s). */
  writeTimeoutMs?: number;
}

export class StdioClientTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onmalformed?: Transport['onmalformed'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  onnote?: Transport['onnote'];

  child?: ChildProcess;
  stderr = '';
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  private closing = false;
  private readonly framer: LineFramer;

  constructor(readonly options: StdioClientOptions) {
    this.framer = new LineFramer(
      (line) => deliverFrame(this, line),
      (bytes, max) => this.onmalformed?.(`[${bytes} bytes without a newline, dropped]`, new Error(`line longer than ${max} bytes`)),
      options.maxLineBytes,
    );
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    const { command, args = [], cwd, env } = this.options;
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        // Own process group and a marker in its environment, so its whole tree can be ended.
        child = spawnTracked(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (err) {
        reject(err);
        return;
      }
      this.child = child;
      child.once('error', (err) => {
        this.onerror?.(err);
        reject(new Error(`cannot start ${command}: ${err.message}`));
      });
      child.once('spawn', () => resolve());
      child.stdout?.on('data', (chunk: Buffer) => this.framer.push(chunk));
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (text: string) => {
        const limit = this.options.stderrLimit ?? 256 * 1024;
        if (this.stderr.length < limit) this.stderr += text.slice(0, limit - this.stderr.length);
        for (const line of text.split('\n')) if (line.trim()) this.onnote?.(`stderr: ${line.slice(0, 500)}`);
      });
      child.stdin?.on('error', () => {}); // EPIPE when the server died; reported through exit
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        if (this.closing) return;
        // 'exit' can come before the last of stderr (the crash message a verdict quotes) is read:
        // report once stderr has ended, or after a moment if a grandchild still holds it open.
        let reported = false;
        const report = () => {
          if (reported) return;
          reported = true;
          clearTimeout(timer);
          if (!this.closing) this.onclose?.(`process exited (${signal ? `signal ${signal}` : `code ${code}`})`);
        };
        const timer = setTimeout(report, this.options.stderrDrainMs ?? STDERR_DRAIN_MS);
        const err = child.stderr;
        if (!err || err.readableEnded || err.destroyed) report();
        else err.once('close', report);
      });
    });
  }

  send(message: unknown): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || this.exit) return Promise.reject(new Error('server process is not running'));
    const text = frameText(message);
    // Raw frames are written as given (fuzzing may omit or embed newlines); messages get one.
    const data = typeof message === 'object' && message !== null && 'raw' in message ? text : `${text}\n`;
    const limit = this.options.writeTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not read its stdin for ${limit} ms (the pipe is full)`)), limit);
      stdin.write(data, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** Closes stdin (the spec's first shutdown step), then SIGTERM, then SIGKILL. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const child = this.child;
    if (!child) return;
    child.stdin?.end();
    const exited = this.exit ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
    await Promise.race([exited, new Promise((r) => setTimeout(r, 500))]);
    await stopChild(child, 1_000);
    this.onclose?.('closed locally');
  }
}
