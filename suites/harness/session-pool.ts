// Sessions shared by checks that only read (meta.shared). Opening a session costs a process start
// on a stdio target (0.3–2 s of CPU) and an initialize everywhere; a check that lists, gets or
// reads, and watches no notification, learns the same from a session another such check opened.
// A pooled session serves one check at a time (its wire log, strays and violations are that
// check's: Peer.handOver), per worker process, per target and revision. It goes back to the pool
// only when the check left nothing in flight and the connection is open; an idle one is closed.
import type { Revision } from '../../schema/index.ts';
import type { MockClient } from '../../mock-server/index.ts';
import type { RunConfig } from './config.ts';
import type { OpenedTransport } from './connect.ts';

export interface SharedSession {
  client: MockClient;
  opened: OpenedTransport;
  /** The first request id of the connection (its id range: crosstalk.ts). */
  firstId: number;
  /** Which check opened it, and how many used it: said in the wire log of each check reusing it. */
  openedBy: string;
  uses: number;
  key: string;
}

/** An idle session is closed after this long: a run's last checks leave nothing running for long. */
const IDLE_MS = 10_000;

/** Pools by what reaches the target: the opener of an in-process run, a memory target, or the target's description. */
const byOpener = new WeakMap<object, Map<string, SharedSession[]>>();
const byDescription = new Map<string, SharedSession[]>();
const idleTimers = new Map<SharedSession, NodeJS.Timeout>();

function poolOf(cfg: Pick<RunConfig, 'target' | 'open'>, key: string): SharedSession[] {
  const owner = cfg.open ?? (cfg.target.kind === 'memory' ? cfg.target : undefined);
  if (!owner) {
    let list = byDescription.get(key);
    if (!list) byDescription.set(key, (list = []));
    return list;
  }
  let pools = byOpener.get(owner);
  if (!pools) byOpener.set(owner, (pools = new Map()));
  let list = pools.get(key);
  if (!list) pools.set(key, (list = []));
  return list;
}

/** The pool key of a run's target at a revision (functions and labels of memory targets aside). */
export function sharedKey(cfg: Pick<RunConfig, 'target'>, revision: Revision): string {
  const t = cfg.target;
  return `${revision} ${t.kind === 'memory' ? 'memory' : JSON.stringify(t)}`;
}

/** An idle shared session for this target and revision, taken out of the pool; undefined if none. */
export function takeShared(cfg: Pick<RunConfig, 'target' | 'open'>, revision: Revision): SharedSession | undefined {
  const list = poolOf(cfg, sharedKey(cfg, revision));
  for (let s = list.pop(); s; s = list.pop()) {
    clearTimeout(idleTimers.get(s));
    idleTimers.delete(s);
    if (!s.client.peer.closed) return s;
  }
  return undefined;
}

/** Puts a session back after a check, or closes it if the check left it busy or it closed. */
export async function giveBack(cfg: Pick<RunConfig, 'target' | 'open'>, s: SharedSession): Promise<void> {
  if (s.client.peer.closed || s.client.peer.busy > 0) {
    await s.client.close().catch(() => {});
    return;
  }
  const list = poolOf(cfg, s.key);
  list.push(s);
  const timer = setTimeout(() => {
    idleTimers.delete(s);
    const i = list.indexOf(s);
    if (i >= 0) list.splice(i, 1);
    void s.client.close().catch(() => {});
  }, IDLE_MS);
  timer.unref();
  idleTimers.set(s, timer);
}

// Values several read-only checks judge alike (one sample of tool calls): made once by the first
// check that asks, on its session, and awaited by the others. Keyed like the pools; dropped at the
// end of a run (closeSharedSessions) so a later run in the same process makes its own.
const memos = new Map<string, { by: string; value: Promise<unknown> }>();
const ownerIds = new WeakMap<object, number>();
let nextOwner = 0;

function memoKey(cfg: Pick<RunConfig, 'target' | 'open'>, revision: Revision, name: string): string {
  const owner = cfg.open ?? (cfg.target.kind === 'memory' ? cfg.target : undefined);
  let prefix = '';
  if (owner) {
    let id = ownerIds.get(owner);
    if (id === undefined) ownerIds.set(owner, (id = nextOwner++));
    prefix = `#${id} `;
  }
  return `${prefix}${sharedKey(cfg, revision)} ${name}`;
}

/**
 * The shared value `name` for this target and revision: `make()`'s promise if no check made it
 * yet (then `by` is this check), else the one made by `by`. A failed making is forgotten.
 */
export function sharedValue<V>(cfg: Pick<RunConfig, 'target' | 'open'>, revision: Revision, name: string, by: string, make: () => Promise<V>): { by: string; value: Promise<V> } {
  const key = memoKey(cfg, revision, name);
  const known = memos.get(key);
  if (known) return known as { by: string; value: Promise<V> };
  const value = make();
  const memo = { by, value };
  memos.set(key, memo);
  value.catch(() => {
    if (memos.get(key) === memo) memos.delete(key);
  });
  return memo;
}

// The server capabilities a session opened with default options declared, per target and revision
// (the first seen in this process). A check whose capability gate they fail ends not-applicable
// without a session of its own: on a stdio target that is a process start saved (the tasks checks
// against a server without tasks). A gate they pass still opens the check's session and gates on
// what that session declares. Dropped with the memos.
const declared = new Map<string, { by: string; caps: unknown }>();

export function rememberCapabilities(cfg: Pick<RunConfig, 'target' | 'open'>, revision: Revision, by: string, caps: unknown): void {
  const key = memoKey(cfg, revision, 'server capabilities');
  if (!declared.has(key)) declared.set(key, { by, caps });
}

export function knownCapabilities(cfg: Pick<RunConfig, 'target' | 'open'>, revision: Revision): { by: string; caps: unknown } | undefined {
  return declared.get(memoKey(cfg, revision, 'server capabilities'));
}

/** Closes every idle shared session of this process (the end of an in-process run). */
export async function closeSharedSessions(): Promise<void> {
  memos.clear();
  declared.clear();
  const all = [...idleTimers.keys()];
  for (const s of all) clearTimeout(idleTimers.get(s));
  idleTimers.clear();
  for (const list of byDescription.values()) list.length = 0;
  // Pools keyed by an opener are emptied through their sessions (a WeakMap cannot be walked).
  await Promise.all(all.map((s) => s.client.close().catch(() => {})));
}
