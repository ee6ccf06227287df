// Pieces every command shares (exit codes, usage errors, Ctrl-C handling, the server command's
// options): a leaf module, so the commands import it and never each other in a circle.
import type { Command } from 'commander';

export const EXIT = { ok: 0, mustFailed: 1, usage: 2, unreachable: 3, interrupted: 130 } as const;

export class UsageError extends Error {}

export interface ServerCommandOptions {
  revision: string;
  only: string[];
  skip: string[];
  out: string;
  timeout: string;
  budget?: string;
  stdio?: boolean;
  cwd?: string;
  env: string[];
  url?: string;
  header: string[];
  sse?: string;
  config?: string;
  name?: string;
  /** --reference: test the bundled reference server. */
  reference?: boolean;
  /** --call-tools values (all, none, safe, or tool-name globs). */
  callTools?: string[];
  /** false with --no-call. */
  call?: boolean;
  all?: boolean;
  scope?: string;
  /** --profile: Claude hosts to judge the server for (claude-desktop, claude-code, claude-ai, messages-api). */
  profile?: string[];
  /** --format: report files besides results.json (default json only). */
  format?: string;
  /** --baseline: expected failures. */
  baseline?: string;
  /** --fail-on: must, should or never. */
  failOn?: string;
  /** --write-baseline: file for the run's failures as a baseline. */
  writeBaseline?: string;
  /** --reporter: compact (the TTY status line) or verbose. */
  reporter?: string;
  /** --shard i/n: run the i-th of n parts of the selected checks. */
  shard?: string;
  /** --list: print the checks and exit. */
  list?: boolean;
  /** --concurrency: checks at a time (1: one after the other). */
  concurrency?: string;
  /** --isolate: every check opens sessions of its own (none shared by read-only checks). */
  isolate?: boolean;
  /** --auth-token: a bearer token the server accepts (sent as Authorization: Bearer TOKEN). */
  authToken?: string;
  /** --auth-header: the whole Authorization header value the server accepts. */
  authHeader?: string;
  /** --auth: how to get tokens (mock: the suite's own authorization server mints them). */
  auth?: string;
  /** --auth-issuer-port: the port of the --auth mock authorization server. */
  authIssuerPort?: string;
  /** --auth oauth: a client registered with the server's authorization server, and its secret. */
  authClientId?: string;
  authClientSecret?: string;
  /** --auth oauth: the port of the loopback redirect listener. */
  authRedirectPort?: string;
  /** --auth oauth: the authorization step in the user's browser. */
  authBrowser?: boolean;
}

export interface ServerRunIo {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

/**
 * Runs a command with Ctrl-C handling: the first SIGINT/SIGTERM kills the targets and aborts
 * the run, which still writes its results; a second one exits at once. A UsageError exits 2.
 */
export async function interruptible(cmd: Command, run: (io: ServerRunIo) => Promise<number>): Promise<void> {
  const ac = new AbortController();
  let hits = 0;
  const onSigint = () => {
    hits++;
    void import('../mock-server/index.ts').then((mock) => mock.killAllChildren('SIGKILL'));
    if (hits > 1) process.exit(EXIT.interrupted);
    process.stderr.write('\nmcp-conform: interrupted, writing results…\n');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    process.exitCode = await run({ out: process.stdout, err: process.stderr, signal: ac.signal });
  } catch (err) {
    if (err instanceof UsageError) cmd.error(`error: ${err.message}`, { exitCode: EXIT.usage });
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    // Nothing we started outlives the command, whatever became of the run.
    await import('../mock-server/index.ts').then((mock) => mock.endOwnProcesses(1_000));
  }
}
