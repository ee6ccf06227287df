// Runs the client under test once per scenario: hosts the scenario's mock, launches the client
// command in its own process group with the official suite's contract (URL as the last argument
// or in {url}; {server} for a stdio server command; MCP_CONFORMANCE_SCENARIO, _CONTEXT and
// _PROTOCOL_VERSION in the environment), waits for it to exit or kills it at the timeout, then
// looks for processes it left behind. Every process started here is killed before a run returns.
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Revision } from '../../schema/index.ts';
import { spawnTracked, stopChild } from '../../mock-server/index.ts';
import type { ClientRun, ClientRunsFile, ProcessRecord } from '../harness/index.ts';
import { hostScenario, Recorder } from './host.ts';
import { scenarioSkip, type ClientTransportKind, type Scenario } from './scenarios/index.ts';

export interface ClientCommand {
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
}

export interface RunOptions {
  /** Longest a client may take for one scenario (default 15 s). */
  timeoutMs?: number;
  /** After the client exits: how long to wait for its stdio server to report (default 2 s, an upper
   * bound: a server that ends sooner ends the wait; 500 ms let a loaded machine's slow exit pass for a leftover). */
  graceMs?: number;
  /** Wall-clock ms (epoch) after which no scenario starts and running ones are cut short. */
  deadline?: number | null;
  /** Aborting kills the running client and starts no more scenarios. */
  signal?: AbortSignal;
  /**
   * End the run as soon as what it waits for has happened (default true): once the client has
   * exited, its output pipes closing and every stdio server reporting its end close the run, with
   * the fixed periods (20 ms, graceMs) as upper bounds only. false: always wait the 20 ms, and
   * poll the servers every 20 ms (the runner before early ends; for comparisons).
   * Nothing ends before the client exits by itself or is killed at the timeout: whether it exits,
   * how, and what it leaves behind are judged, and no message it sends can tell them in advance.
   */
  earlyEnd?: boolean;
}

const TAIL = 8 * 1024;
const URL_PLACEHOLDER = '{url}';
const SERVER_PLACEHOLDER = '{server}';

/** How the client is reached: {server} in its arguments means stdio, otherwise HTTP. */
export function clientTransport(cmd: ClientCommand): ClientTransportKind {
  return [cmd.command, ...cmd.args].some((a) => a.includes(SERVER_PLACEHOLDER)) ? 'stdio' : 'http';
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The argv with placeholders filled: `{server}` alone expands to the server argv, inside text to a quoted command line. */
export function fillArgs(cmd: ClientCommand, where: { url?: string; serverArgv?: string[] }): string[] {
  const out: string[] = [];
  let used = false;
  for (const a of [cmd.command, ...cmd.args]) {
    if (a === SERVER_PLACEHOLDER && where.serverArgv) {
      out.push(...where.serverArgv);
      used = true;
      continue;
    }
    let v = a;
    if (where.serverArgv && v.includes(SERVER_PLACEHOLDER)) {
      v = v.split(SERVER_PLACEHOLDER).join(where.serverArgv.map(shellQuote).join(' '));
      used = true;
    }
    if (where.url && v.includes(URL_PLACEHOLDER)) {
      v = v.split(URL_PLACEHOLDER).join(where.url);
      used = true;
    }
    out.push(v);
  }
  if (!used && where.url) out.push(where.url);
  return out;
}

function tail(s: string): string {
  return s.length > TAIL ? s.slice(-TAIL) : s;
}

/** Processes whose process group is `pgid` (Linux /proc; empty elsewhere). */
export function processGroupMembers(pgid: number): { pid: number; command: string }[] {
  const out: { pid: number; command: string }[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …; comm may contain spaces and parentheses.
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      if (fields[0] === 'Z') continue; // a zombie is already dead
      if (Number(fields[2]) !== pgid) continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      out.push({ pid: Number(name), command: cmdline || stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function context(sc: Scenario, hosted: Record<string, unknown> = {}): string {
  return JSON.stringify({ name: sc.name, ...(sc.context ?? {}), ...hosted });
}

/** Runs one scenario at one revision. Never throws; the run records what went wrong. */
export async function runScenario(sc: Scenario, rev: Revision, cmd: ClientCommand, opts: RunOptions = {}): Promise<ClientRun> {
  const transport = clientTransport(cmd);
  const recorder = new Recorder();
  const startedAt = new Date(recorder.startedEpoch).toISOString();
  const timeoutMs = Math.max(1, Math.min(opts.timeoutMs ?? 15_000, opts.deadline ? opts.deadline - Date.now() : Infinity));
  const proc: ProcessRecord = { argv: [], exitCode: null, signal: null, timedOut: false, stdoutTail: '', stderrTail: '', leftovers: [] };
  const hosted = await hostScenario(sc, rev, transport, recorder);
  const argv = fillArgs(cmd, hosted.url !== undefined ? { url: hosted.url } : { serverArgv: hosted.serverArgv! });
  proc.argv = argv;

  let child: ChildProcess | undefined;
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...cmd.env,
      MCP_CONFORMANCE_SCENARIO: sc.name,
      MCP_CONFORMANCE_PROTOCOL_VERSION: rev,
      MCP_CONFORMANCE_CONTEXT: context(sc, hosted.context),
    };
    let stdout = '';
    let stderr = '';
    let closed: Promise<void> = Promise.resolve();
    const exited = new Promise<void>((resolve) => {
      try {
        child = spawnTracked(argv[0]!, argv.slice(1), { cwd: cmd.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (err) {
        proc.spawnError = (err as Error).message;
        resolve();
        return;
      }
      const c = child;
      // 'close': its stdout and stderr have ended (all output is in).
      closed = new Promise<void>((r) => c.once('close', () => r()));
      child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout = tail(stdout + d)));
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = tail(stderr + d)));
      child.stdin?.on('error', () => {});
      child.once('error', (err) => {
        proc.spawnError = err.message;
        resolve();
      });
      child.once('exit', (code, signal) => {
        proc.exitCode = code;
        proc.signal = signal;
        proc.exitedAt = recorder.now();
        resolve();
      });
    });
    if (child?.pid !== undefined) proc.pid = child.pid;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const timedOut = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(true), timeoutMs);
      onAbort = () => r(true);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
    const late = await Promise.race([exited.then(() => false), timedOut]);
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    if (late && child?.pid !== undefined) {
      proc.timedOut = true;
      if (opts.signal?.aborted) proc.cutShort = 'the run was interrupted';
      else if (timeoutMs < (opts.timeoutMs ?? 15_000)) proc.cutShort = 'the run budget ran out';
      recorder.event('client-killed', opts.signal?.aborted ? 'the run was interrupted' : `no exit within ${timeoutMs} ms`);
      // Its whole tree: SIGTERM, SIGKILL after 1 s (stopChild waits for the client's exit too).
      await stopChild(child, 1_000);
    }
    const early = opts.earlyEnd ?? true;
    // Drain the pipes (a grandchild may hold them open: do not wait longer than 20 ms for that).
    await (early ? Promise.race([closed, sleep(20)]) : sleep(20));
    proc.stdoutTail = stdout;
    proc.stderrTail = stderr;

    // Give the stdio server a moment to report its end, then see what is left.
    const grace = opts.graceMs ?? 2_000;
    if (early) await recorder.serversEnded(grace);
    else {
      const until = Date.now() + grace;
      while (Date.now() < until && [...recorder.servers.values()].some((s) => s.exitedAt === undefined)) await sleep(20);
    }
    if (child?.pid !== undefined && !proc.timedOut) {
      proc.leftovers = processGroupMembers(child.pid);
      for (const s of recorder.servers.values()) {
        s.aliveAfterClient = s.exitedAt === undefined && s.pid !== undefined && alive(s.pid);
        if (s.aliveAfterClient && s.pid !== undefined && !proc.leftovers.some((l) => l.pid === s.pid)) proc.leftovers.push({ pid: s.pid, command: 'the stdio server (mcp-conform relay)' });
      }
    }
  } catch (err) {
    recorder.notes.push(`runner error: ${(err as Error).message}`);
  } finally {
    // Always: nothing the client started survives the run (leftovers were recorded above), even
    // what moved to a group or session of its own.
    if (child?.pid !== undefined) await stopChild(child, 1_000);
    for (const s of recorder.servers.values()) {
      if (s.pid !== undefined && alive(s.pid)) {
        try {
          process.kill(s.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    await hosted.close().catch((err: Error) => recorder.notes.push(`closing the mock: ${err.message}`));
  }
  const collected = recorder.collect(hosted.mock);
  const auth = hosted.auth?.records.map((r) => ({ ...r, t: Math.round((r.at - recorder.startedEpoch) * 10) / 10 }));
  return {
    scenario: sc.name,
    revision: rev,
    transport,
    startedAt,
    durationMs: Math.round(Date.now() - recorder.startedEpoch),
    ...collected,
    http: recorder.http,
    process: proc,
    servers: [...recorder.servers.values()],
    events: recorder.events,
    ...(auth ? { auth } : {}),
  };
}

export interface RunAllOptions extends RunOptions {
  /** Scenario runs at the same time (default: defaultConcurrency()). */
  concurrency?: number;
  /** Called as each run ends, in the order runs end (the CLI puts its run lines in a fixed order). */
  onRun?: (run: ClientRun) => void;
}

/**
 * Scenario runs at once by default: one per core (at least 2). A run is one client process, busy
 * while it starts; more at once (--concurrency) fills its idle time too, but on a busy machine a
 * starved client's or mock's delay can then outlast a scenario's short timeouts (request-timeout's
 * 1.5 s) and change what is seen.
 */
export function defaultConcurrency(): number {
  return Math.max(2, availableParallelism());
}

type Pair = { scenario: Scenario; revision: Revision };

/**
 * A bounded pool of scenario runs shared by every batch added to it, so a batch decided late (the
 * scenarios of a revision the version probe just accepted) fills the slots the previous ones
 * leave. Runs share nothing: each has its own mock server, session(s) and client process.
 */
export class ScenarioPool {
  /** A job ends with its run, or with why it was not run. */
  private readonly queue: { pair: Pair; done: (run: ClientRun | string) => void; fail: (err: unknown) => void }[] = [];
  private running = 0;
  private readonly limit: number;

  constructor(
    private readonly cmd: ClientCommand,
    private readonly opts: RunAllOptions = {},
  ) {
    this.limit = Math.max(1, opts.concurrency ?? defaultConcurrency());
  }

  /** Runs the pairs that apply to the client's transport; resolves with their runs, in the order given. */
  async run(pairs: readonly Pair[]): Promise<ClientRunsFile> {
    const transport = clientTransport(this.cmd);
    const file: ClientRunsFile = { format: 'mcp-conform/client-runs', version: 1, target: { argv: [this.cmd.command, ...this.cmd.args], transport }, runs: [], skipped: [] };
    const outcomes = pairs.map((pair) => {
      const why = scenarioSkip(pair.scenario, pair.revision, transport);
      if (why) return Promise.resolve<ClientRun | string>(why);
      return new Promise<ClientRun | string>((done, fail) => {
        this.queue.push({ pair, done, fail });
        this.pump();
      });
    });
    const settled = await Promise.all(outcomes);
    settled.forEach((o, i) => {
      const { scenario, revision } = pairs[i]!;
      if (typeof o === 'string') file.skipped.push({ scenario: scenario.name, revision, why: o });
      else file.runs.push(o);
    });
    return file;
  }

  private pump(): void {
    while (this.running < this.limit && this.queue.length) {
      const job = this.queue.shift()!;
      const { opts } = this;
      if ((opts.deadline && Date.now() >= opts.deadline) || opts.signal?.aborted) {
        job.done(opts.signal?.aborted ? 'not run: the run was interrupted' : 'not run: the run budget was exhausted');
        continue;
      }
      this.running++;
      void runScenario(job.pair.scenario, job.pair.revision, this.cmd, opts).then(
        (run) => {
          this.running--;
          opts.onRun?.(run);
          job.done(run);
          this.pump();
        },
        (err: unknown) => {
          // Hosting the mock failed (runScenario records everything else): the batch fails, as before.
          this.running--;
          job.fail(err);
          this.pump();
        },
      );
    }
  }
}

/** Runs each (scenario, revision) pair that applies to the client's transport. */
export async function runScenarios(pairs: readonly Pair[], cmd: ClientCommand, opts: RunAllOptions = {}): Promise<ClientRunsFile> {
  return new ScenarioPool(cmd, opts).run(pairs);
}
