// Runs a command and measures its process tree from /proc (Linux), for bench/speed.ts: wall time,
// CPU of the whole tree, CPU split between our processes and the target's, peak RSS, and time in
// which neither side was on a CPU ("waiting": timers, I/O, quiet periods, a busy run queue).
//
// The tree's total CPU is exact: once a child exits and is reaped, the kernel adds its CPU (and that
// of the descendants it reaped) to our cutime/cstime. The split is sampled: every `intervalMs` we
// read utime+stime of each live process in the tree; what a process used after its last sample
// (or a process that lived less than one interval) is reported as unattributed. Memory: the summed
// RSS of the tree's processes (shared pages counted in each) and, less often, their summed PSS.
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { spawnTracked, stopChild } from '../mock-server/index.ts';

/** getconf CLK_TCK and PAGESIZE on this machine (x86-64 Linux); a kernel with other values would need them read. */
const TICK_MS = 10;
const PAGE = 4096;

export interface Stat {
  pid: number;
  ppid: number;
  pgid: number;
  /** utime + stime, ms. */
  cpuMs: number;
  /** cutime + cstime (reaped children), ms. */
  childCpuMs: number;
  start: number;
  rss: number;
}

export function readStat(pid: number | 'self'): Stat | undefined {
  let s: string;
  try {
    s = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // pid (comm) state ppid pgrp … ; comm may hold spaces and ')': split after the last ')'.
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(f[i]);
  if (f[0] === 'Z' || f[0] === 'X') return undefined;
  return { pid: pid === 'self' ? process.pid : pid, ppid: n(1), pgid: n(2), cpuMs: (n(11) + n(12)) * TICK_MS, childCpuMs: (n(13) + n(14)) * TICK_MS, start: n(19), rss: n(21) * PAGE };
}

/** Time the process's main thread spent runnable but waiting for a CPU (ms), from schedstat. */
function runQueueMs(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'latin1').split(' ')[1]) / 1e6;
  } catch {
    return undefined;
  }
}

/** Proportional set size (shared pages divided among their users), bytes. */
function pss(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

export interface Measured {
  wallMs: number;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** CPU of the whole tree (ours and in-tree targets), exact. */
  treeCpuMs: number;
  /** Sampled CPU of our processes / of the target (in the tree, plus the external target's exact delta). */
  oursCpuMs: number;
  targetCpuMs: number;
  /** Tree CPU no sample saw (processes' last interval, processes shorter than one interval). */
  unattributedCpuMs: number;
  /** Sum of timer intervals minus the CPU both sides used in each (clamped at 0): time neither ran. */
  waitingMs: number;
  /** Peak of the summed RSS of our processes / of the whole tree, sampled (bytes). */
  peakRssOurs: number;
  peakRssTree: number;
  /** Peak of the summed PSS of our processes (shared pages counted once), sampled every 5th interval. */
  peakPssOurs: number;
  /** Main threads' time runnable but not running (a busy machine), summed over processes: ours, target. */
  runQueueMs: { ours: number; target: number };
  /** Processes seen in the tree: ours, target. */
  seen: { ours: number; target: number };
  /** Pids classified as ours (to pick their CPU profiles). */
  oursPids: Set<number>;
  /** CPU this (measuring) process used meanwhile: the sampler's cost. */
  samplerCpuMs: number;
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the tree and report timedOut after this long. */
  timeoutMs: number;
  /** A process of the tree whose command line matches is the target (with its descendants). */
  isTarget?: (cmdline: string) => boolean;
  /** A target that runs outside the tree (started by the bench, e.g. an HTTP server): its pid. */
  externalTarget?: number;
  /** stdout and stderr go to `${logPrefix}.out` / `.err`. */
  logPrefix: string;
  intervalMs?: number;
}

interface Seen {
  target: boolean;
  cpuMs: number;
  runQueueMs: number;
}

export async function measureRun(command: string, args: string[], opts: MeasureOptions): Promise<Measured> {
  const interval = opts.intervalMs ?? 200;
  const self0 = readStat('self')?.childCpuMs ?? 0;
  const ext0 = opts.externalTarget ? (readStat(opts.externalTarget)?.cpuMs ?? 0) : 0;
  const cpu0 = process.cpuUsage();
  const out = openSync(`${opts.logPrefix}.out`, 'w');
  const err = openSync(`${opts.logPrefix}.err`, 'w');
  const t0 = performance.now();
  let child: ChildProcess;
  try {
    child = spawnTracked(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', out, err] });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const root = child.pid ?? -1;
  const procs = new Map<string, Seen>();
  const oursPids = new Set<number>();
  let peakRssOurs = 0;
  let peakRssTree = 0;
  let peakPssOurs = 0;
  let samples = 0;
  let waitingMs = 0;
  let lastAt = t0;
  let lastSum = ext0;

  const sample = () => {
    let names: string[];
    try {
      names = readdirSync('/proc');
    } catch {
      return;
    }
    const stats = new Map<number, Stat>();
    for (const name of names) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const s = readStat(Number(name));
      if (s) stats.set(s.pid, s);
    }
    // The tree: the root, its process group, and every descendant by ppid.
    const kids = new Map<number, number[]>();
    for (const s of stats.values()) (kids.get(s.ppid) ?? kids.set(s.ppid, []).get(s.ppid)!).push(s.pid);
    const tree = new Map<number, boolean>(); // pid → is target
    const todo: Array<[number, boolean]> = [];
    for (const s of stats.values()) if (s.pid === root || s.pgid === root) todo.push([s.pid, false]);
    while (todo.length) {
      const [pid, parentTarget] = todo.pop()!;
      if (tree.has(pid) || pid === process.pid) continue;
      const s = stats.get(pid)!;
      const key = `${pid}:${s.start}`;
      let seen = procs.get(key);
      if (!seen) {
        seen = { target: parentTarget || (opts.isTarget?.(cmdline(pid)) ?? false), cpuMs: 0, runQueueMs: 0 };
        procs.set(key, seen);
      }
      seen.cpuMs = s.cpuMs;
      seen.runQueueMs = runQueueMs(pid) ?? seen.runQueueMs;
      if (!seen.target) oursPids.add(pid);
      tree.set(pid, seen.target);
      for (const k of kids.get(pid) ?? []) todo.push([k, seen.target]);
    }
    let rssOurs = 0;
    let rssTree = 0;
    for (const [pid, target] of tree) {
      const rss = stats.get(pid)!.rss;
      rssTree += rss;
      if (!target) rssOurs += rss;
    }
    peakRssOurs = Math.max(peakRssOurs, rssOurs);
    // smaps_rollup walks the page tables: costlier than stat, so less often.
    if (samples++ % 5 === 0) {
      let p = 0;
      for (const [pid, target] of tree) if (!target) p += pss(pid);
      peakPssOurs = Math.max(peakPssOurs, p);
    }
    peakRssTree = Math.max(peakRssTree, rssTree);
    let sum = opts.externalTarget ? (stats.get(opts.externalTarget)?.cpuMs ?? lastSum) : 0;
    for (const p of procs.values()) sum += p.cpuMs;
    const now = performance.now();
    waitingMs += Math.max(0, now - lastAt - (sum - lastSum));
    lastAt = now;
    lastSum = sum;
  };

  let timedOut = false;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const timer = setInterval(sample, interval);
  const killer = setTimeout(() => {
    timedOut = true;
    void stopChild(child, 2_000);
  }, opts.timeoutMs);
  sample();
  const { code, signal } = await exited;
  const wallMs = performance.now() - t0;
  clearInterval(timer);
  clearTimeout(killer);
  // What the root left behind (it should be nothing) is ended with the tree.
  await stopChild(child, 1_000);
  const treeCpuMs = (readStat('self')?.childCpuMs ?? 0) - self0;
  const extCpu = opts.externalTarget ? (readStat(opts.externalTarget)?.cpuMs ?? ext0) - ext0 : 0;
  let oursCpuMs = 0;
  let inTreeTarget = 0;
  let ours = 0;
  let target = 0;
  const runQueue = { ours: 0, target: 0 };
  for (const p of procs.values()) {
    if (p.target) {
      inTreeTarget += p.cpuMs;
      runQueue.target += p.runQueueMs;
      target++;
    } else {
      oursCpuMs += p.cpuMs;
      runQueue.ours += p.runQueueMs;
      ours++;
    }
  }
  // The last interval (exit) is counted as waiting only for what the samples did not see.
  waitingMs += Math.max(0, wallMs - (lastAt - t0) - Math.max(0, treeCpuMs + extCpu + ext0 - lastSum));
  const used = process.cpuUsage(cpu0);
  return {
    wallMs,
    exitCode: code,
    signal,
    timedOut,
    treeCpuMs,
    oursCpuMs,
    targetCpuMs: inTreeTarget + extCpu,
    unattributedCpuMs: Math.max(0, treeCpuMs - oursCpuMs - inTreeTarget),
    waitingMs,
    peakRssOurs,
    peakRssTree,
    peakPssOurs,
    runQueueMs: runQueue,
    seen: { ours, target },
    oursPids,
    samplerCpuMs: (used.user + used.system) / 1000,
  };
}
