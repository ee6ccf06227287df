// Every child process we start is recorded here and ended with its whole tree: when we close it,
// when a run ends, when the parent exits, and on SIGINT/SIGTERM/SIGHUP. Zero orphans after any run.
//
// A tree is more than the child's process group: a wrapper (npx, a shell script) can leave a child
// that ignores SIGTERM, and a descendant may have moved to a group or session of its own (setsid,
// detached) and been reparented to init once its parent died. So each child is spawned in a group
// of its own AND with a marker in its environment, MCP_CONFORM_RUN=<scope>:<owner pid>:<n>, which
// its descendants inherit whatever their group, session or parent; /proc/<pid>/environ reveals it.
// Ending a tree: snapshot it (group members, marked processes, their descendants by ppid, pids
// seen before), SIGTERM all, SIGKILL what is left after a grace period, re-scan and SIGKILL again.
//
// The scope: one per process, or, for our own worker processes (the vitest workers that run the
// checks), the one their parent opened (openScope) and passed down in MCP_CONFORM_RUN_ID, so the
// parent can end what a worker started even when the worker itself was killed.
// Linux /proc; elsewhere, process groups only.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

/** Environment variable marking every process we spawn (inherited by its descendants). */
export const RUN_MARKER = 'MCP_CONFORM_RUN';
/** Environment variable handing a scope to our own worker processes (never to a target). */
export const RUN_SCOPE = 'MCP_CONFORM_RUN_ID';

const newId = () => `${process.pid.toString(36)}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
let scopeId: string | undefined;
/** This process's scope: inherited from the parent that opened it, else our own. */
function scope(): string {
  scopeId ??= process.env[RUN_SCOPE] || newId();
  return scopeId;
}
let serial = 0;

interface Tracked {
  child: ChildProcess;
  pid: number;
  marker: string | undefined;
  /** Start time (clock ticks since boot) of the child: its descendants cannot be older. */
  since: number;
  /** Pids seen in the tree, with their start times (a pid reused by another process differs). */
  known: Map<number, number>;
}

const live = new Map<ChildProcess, Tracked>();
let hooked = false;
const scopes = new Set<string>();

// ---- /proc ---------------------------------------------------------------------------------

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  start: number;
  zombie: boolean;
}

// One buffer for every stat read: a /proc/<pid>/stat line is a few hundred bytes. Read with
// open/read/close, it costs a third of readFileSync's CPU (no fstat, no allocation), and a stop
// scans every process of the machine (measured: ~13 vs ~26–42 µs a read).
const statBuf = Buffer.alloc(4096);

function readStatText(pid: number | string): string {
  const fd = openSync(`/proc/${pid}/stat`, 'r');
  try {
    const n = readSync(fd, statBuf, 0, statBuf.length, 0);
    return n < statBuf.length ? statBuf.toString('latin1', 0, n) : readFileSync(`/proc/${pid}/stat`, 'latin1');
  } finally {
    closeSync(fd);
  }
}

function readStat(pid: number | string): Proc | undefined {
  try {
    const stat = readStatText(pid);
    // pid (comm) state ppid pgrp session … starttime (field 22); comm may hold spaces and ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid: Number(pid), ppid: Number(f[1]), pgid: Number(f[2]), start: Number(f[19]), zombie: f[0] === 'Z' || f[0] === 'X' };
  } catch {
    return undefined;
  }
}

/** Every process, or null without /proc. */
function scan(): Map<number, Proc> | null {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return null;
  }
  const out = new Map<number, Proc>();
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const p = readStat(name);
    if (p) out.set(p.pid, p);
  }
  return out;
}

const KEY = `${RUN_MARKER}=`;
function markerOf(pid: number): string | undefined {
  let env: string;
  try {
    env = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return undefined; // gone, or not ours to read
  }
  const at = env.startsWith(KEY) ? 0 : env.indexOf(`\0${KEY}`) + 1;
  if (at <= 0 && !env.startsWith(KEY)) return undefined;
  const end = env.indexOf('\0', at);
  return env.slice(at + KEY.length, end < 0 ? undefined : end);
}

const ownStart = readStat('self')?.start ?? 0;

/** Adds every descendant (by ppid) of the pids in `set`, except ourselves. */
function withDescendants(set: Set<number>, procs: Map<number, Proc>): Set<number> {
  const kids = new Map<number, number[]>();
  for (const p of procs.values()) {
    const list = kids.get(p.ppid);
    if (list) list.push(p.pid);
    else kids.set(p.ppid, [p.pid]);
  }
  const todo = [...set];
  while (todo.length) {
    for (const k of kids.get(todo.pop()!) ?? []) {
      if (set.has(k) || k === process.pid) continue;
      set.add(k);
      todo.push(k);
    }
  }
  return set;
}

const leaderAlive = (t: Tracked) => t.child.exitCode === null && t.child.signalCode === null;

/** The tracked child's tree as it stands: live (non-zombie) pids, remembered in t.known. */
function treeOf(t: Tracked, procs: Map<number, Proc>): Set<number> {
  const set = new Set<number>();
  const leader = leaderAlive(t);
  for (const p of procs.values()) {
    if (p.pid === process.pid) continue;
    // The group id is ours while the leader lives (once reaped, the number may be reused; its
    // members were remembered at its exit).
    if ((leader && p.pgid === t.pid) || t.known.get(p.pid) === p.start) set.add(p.pid);
    else if (t.marker && p.start >= t.since && markerOf(p.pid) === t.marker) set.add(p.pid);
  }
  if (leader) set.add(t.pid);
  withDescendants(set, procs);
  for (const pid of [...set]) {
    const p = procs.get(pid);
    if (!p || p.zombie) set.delete(pid);
    else t.known.set(pid, p.start);
  }
  return set;
}

/** Live processes whose marker starts with `prefix` (a scope's or an owner's), and their descendants. */
function marked(prefix: string, procs: Map<number, Proc>): Set<number> {
  const set = new Set<number>();
  for (const p of procs.values()) {
    if (p.pid === process.pid || p.zombie || p.start < ownStart) continue;
    if (markerOf(p.pid)?.startsWith(prefix)) set.add(p.pid);
  }
  withDescendants(set, procs);
  for (const pid of [...set]) if (procs.get(pid)?.zombie !== false) set.delete(pid);
  return set;
}

function signalAll(pids: Iterable<number>, signal: NodeJS.Signals, group?: number): void {
  if (group !== undefined) {
    try {
      process.kill(-group, signal);
    } catch {
      // no such group any more
    }
  }
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

/** The pids of `pids` still running (not gone, not a zombie, not a reused pid). */
function stillAlive(pids: Map<number, number>): number[] {
  const out: number[] = [];
  for (const [pid, start] of pids) {
    const p = readStat(pid);
    if (p && !p.zombie && p.start === start) out.push(pid);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(pids: Map<number, number>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (stillAlive(pids).length && Date.now() < until) await sleep(25);
}

function startsOf(pids: Set<number>, procs: Map<number, Proc>): Map<number, number> {
  return new Map([...pids].map((pid) => [pid, procs.get(pid)?.start ?? 0]));
}

// ---- ending trees ------------------------------------------------------------------------------

/** Ends a tracked tree now (synchronous: for exit and signal handlers). */
function killTreeNow(t: Tracked, signal: NodeJS.Signals): void {
  const procs = scan();
  if (!procs) {
    if (leaderAlive(t)) signalAll([t.pid], signal, t.pid);
    return;
  }
  signalAll(treeOf(t, procs), signal, leaderAlive(t) ? t.pid : undefined);
}

/** Ends every tracked child's tree now, with `signal` (default SIGKILL). Synchronous. */
export function killAllChildren(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const t of live.values()) killTreeNow(t, signal);
}

/**
 * After the SIGTERM: up to three rounds of re-scanning what `find` names now (anything that
 * appeared meanwhile) plus what of `seen` still lives, SIGKILL to it, and a bounded wait.
 */
async function killRounds(seen: Map<number, number>, find: (procs: Map<number, Proc>) => Set<number>, group?: () => number | undefined): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const procs = scan() ?? new Map<number, Proc>();
    const rest = find(procs);
    for (const pid of stillAlive(seen)) rest.add(pid);
    if (!rest.size) return;
    for (const [pid, start] of startsOf(rest, procs)) seen.set(pid, start);
    signalAll(rest, 'SIGKILL', group?.());
    await waitGone(seen, 1_000);
  }
}

/** Ends what carries a marker with `prefix`: SIGTERM, then SIGKILL after graceMs (0: at once). */
async function endMarked(prefix: string, graceMs: number): Promise<number> {
  const procs = scan();
  if (!procs) return 0;
  const first = marked(prefix, procs);
  if (!first.size) return 0;
  const seen = startsOf(first, procs);
  if (graceMs > 0) {
    signalAll(first, 'SIGTERM');
    await waitGone(seen, graceMs);
  }
  await killRounds(seen, (now) => marked(prefix, now));
  return first.size;
}

function killMarkedNow(prefix: string): void {
  const procs = scan();
  if (procs) signalAll(marked(prefix, procs), 'SIGKILL');
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    killAllChildren('SIGKILL');
    // What escaped the tracked trees but carries our marker, and what our workers left.
    killMarkedNow(`${scope()}:${process.pid}:`);
    for (const s of scopes) killMarkedNow(`${s}:`);
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAllChildren('SIGKILL');
      // Re-raise so the default behaviour (exit with 128+n) still happens after cleanup,
      // unless someone else also listens and decides otherwise. ('exit' does not run then.)
      if (process.listenerCount(sig) === 0) {
        killMarkedNow(`${scope()}:${process.pid}:`);
        for (const s of scopes) killMarkedNow(`${s}:`);
        process.kill(process.pid, sig);
      }
    });
  }
}

function track(child: ChildProcess, marker: string | undefined): void {
  hook();
  const pid = child.pid;
  if (pid === undefined) return; // never started: nothing to end
  const t: Tracked = { child, pid, marker, since: readStat(pid)?.start ?? ownStart, known: new Map() };
  live.set(child, t);
  child.once('exit', () => {
    // The leader is gone; its group (survivors) may live on. Remember who is in it while the
    // group id still names them; they are ended with the rest of the tree when it is stopped.
    // An empty group (the usual end) needs no scan of /proc, which costs a read per process.
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    const procs = scan();
    if (procs) for (const p of procs.values()) if (p.pgid === pid && !p.zombie) t.known.set(p.pid, p.start);
  });
}

/** Records a child spawned elsewhere (ideally detached, with childEnv()'s marker). */
export function trackChild(child: ChildProcess, marker?: string): void {
  track(child, marker);
}

/** The environment for a child: `env` (default ours) with a fresh marker, without our scope. */
export function childEnv(env: NodeJS.ProcessEnv = process.env): { env: NodeJS.ProcessEnv; marker: string } {
  const marker = `${scope()}:${process.pid}:${++serial}`;
  const out: NodeJS.ProcessEnv = { ...env, [RUN_MARKER]: marker };
  delete out[RUN_SCOPE]; // a target that is itself mcp-conform opens a scope of its own
  return { env: out, marker };
}

/**
 * spawn() in a process group of its own, marked and tracked: stopChild ends its whole tree.
 * Throws as spawn does; a failed start is reported through the child's 'error' event.
 */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const { env, marker } = childEnv(options.env ?? process.env);
  const child = spawn(command, args, { ...options, env, detached: true });
  if (child.pid !== undefined) track(child, marker);
  else child.once('spawn', () => track(child, marker));
  return child;
}

/**
 * Ends the child's whole tree: SIGTERM to its group and every descendant found, SIGKILL after
 * graceMs to whatever is left, then a re-scan for anything that appeared meanwhile. Resolves when
 * the tree is gone (or, should a process refuse even SIGKILL, after a bounded wait).
 */
export async function stopChild(child: ChildProcess, graceMs = 1_000): Promise<void> {
  const t = live.get(child) ?? (child.pid !== undefined ? { child, pid: child.pid, marker: undefined, since: ownStart, known: new Map<number, number>() } : undefined);
  if (!t) return;
  const exited = leaderAlive(t) ? new Promise<void>((r) => child.once('exit', () => r())) : Promise.resolve();
  const procs = scan();
  if (!procs) {
    // No /proc: the process group is all we can reach.
    if (leaderAlive(t)) {
      signalAll([t.pid], 'SIGTERM', t.pid);
      await Promise.race([exited, sleep(graceMs)]);
      signalAll([t.pid], 'SIGKILL', t.pid);
      await Promise.race([exited, sleep(1_000)]);
    }
    live.delete(child);
    return;
  }
  const tree = treeOf(t, procs);
  if (tree.size) {
    const seen = startsOf(tree, procs);
    signalAll(tree, 'SIGTERM', leaderAlive(t) ? t.pid : undefined);
    await waitGone(seen, graceMs);
    await killRounds(seen, (now) => treeOf(t, now), () => (leaderAlive(t) ? t.pid : undefined));
  }
  await Promise.race([exited, sleep(1_000)]);
  live.delete(child);
}

/** Ends every tracked child's tree (as stopChild, all at once). */
export async function stopAllChildren(graceMs = 1_000): Promise<void> {
  await Promise.all([...live.keys()].map((c) => stopChild(c, graceMs)));
}

/**
 * A scope for worker processes we start by other means (vitest's): pass `env` to them; whatever
 * they spawn through this module is marked with the scope, so `end()` finds and ends it even when
 * a worker died before it could. Until end() the scope is also swept if this process exits.
 */
export function openScope(): { id: string; env: Record<string, string>; end: (graceMs?: number) => Promise<number> } {
  const id = newId();
  scopes.add(id);
  hook();
  return {
    id,
    env: { [RUN_SCOPE]: id },
    end: async (graceMs = 1_000) => {
      try {
        return await endMarked(`${id}:`, graceMs);
      } finally {
        scopes.delete(id);
      }
    },
  };
}

/**
 * Ends every process this process spawned through this module, tracked or not any more (their
 * marker tells), and what they left behind. For the end of a run and for tests.
 */
export async function endOwnProcesses(graceMs = 1_000): Promise<number> {
  await stopAllChildren(graceMs);
  return endMarked(`${scope()}:${process.pid}:`, graceMs);
}

/** Pids of the tracked children still running. */
export function liveChildren(): number[] {
  return [...live.values()].filter(leaderAlive).map((t) => t.pid);
}

/** Live processes carrying a marker that starts with `prefix` (Linux; empty elsewhere). For tests. */
export function markedProcesses(prefix: string, envKey = RUN_MARKER): number[] {
  const procs = scan();
  if (!procs) return [];
  const key = `${envKey}=`;
  const out: number[] = [];
  for (const p of procs.values()) {
    if (p.zombie || p.pid === process.pid) continue;
    let env: string;
    try {
      env = readFileSync(`/proc/${p.pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    for (const entry of env.split('\0')) if (entry.startsWith(key) && entry.slice(key.length).startsWith(prefix)) out.push(p.pid);
  }
  return out;
}
