// Every child process we start is recorded here and killed, with its whole process group, when
// we close it, when the parent exits, and on SIGINT/SIGTERM/SIGHUP: zero orphans after any run.
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole group (children were spawned detached, as group leaders).
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export function killAllChildren(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const c of live) killGroup(c, signal);
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => killAllChildren('SIGKILL'));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAllChildren('SIGKILL');
      // Re-raise so the default behaviour (exit with 128+n) still happens after cleanup,
      // unless someone else also listens and decides otherwise.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

export function trackChild(child: ChildProcess): void {
  hook();
  live.add(child);
  child.once('exit', () => {
    // The leader exited; its group may live on (grandchildren). Kill the group anyway.
    killGroup(child, 'SIGKILL');
    live.delete(child);
  });
}

/** SIGTERM the group, then SIGKILL after graceMs; resolves when the leader has exited. */
export async function stopChild(child: ChildProcess, graceMs = 2_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, 'SIGKILL');
    return;
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs + 1_000))]);
  clearTimeout(timer);
  killGroup(child, 'SIGKILL');
}

export function liveChildren(): number[] {
  return [...live].map((c) => c.pid).filter((p): p is number => p !== undefined);
}
