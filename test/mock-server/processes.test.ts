// Ending a child's whole tree (mock-server/transports/processes.ts): a wrapper that leaves a
// SIGTERM-ignoring child, or a grandchild in a session of its own reparented when its parent
// exited; a leader that exited before it was stopped; a scope's marked processes that nothing
// tracks any more (a worker that died). Each test's processes carry TREE_KEY=<id>: /proc tells
// what is left, and afterAll kills whatever a failing test left.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, killAllChildren, markedProcesses, openScope, RUN_MARKER, RUN_SCOPE, spawnTracked, stopChild } from '../../mock-server/index.ts';

const WRAPPER = resolve(import.meta.dirname, '../fixtures/processes/stubborn-wrapper.mjs');
const TREE_KEY = 'MCP_CONFORM_TEST_TREE';
const LINGER = ['-e', 'setInterval(() => {}, 1e6)'];
const trees: string[] = [];
const dirs: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tree(): { id: string; pids: string; env: NodeJS.ProcessEnv } {
  const id = randomUUID();
  const pids = mkdtempSync(join(tmpdir(), 'mcp-conform-procs-'));
  trees.push(id);
  dirs.push(pids);
  return { id, pids, env: { ...process.env, [TREE_KEY]: id, STUBBORN_PIDS: pids } };
}

/** Waits (bounded) until the wrapper's stubborn process has started and set up its handlers. */
async function stubbornStarted(pids: string): Promise<number[]> {
  const until = Date.now() + 20_000;
  while (readdirSync(pids).length === 0 && Date.now() < until) await sleep(50);
  return readdirSync(pids).map(Number);
}

async function left(id: string, withinMs = 3_000): Promise<number[]> {
  const until = Date.now() + withinMs;
  for (;;) {
    const rest = markedProcesses(id, TREE_KEY);
    if (rest.length === 0 || Date.now() > until) return rest;
    await sleep(50);
  }
}

afterAll(() => {
  for (const id of trees) {
    for (const pid of markedProcesses(id, TREE_KEY)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const linux = process.platform === 'linux';

// Linux only (skipped elsewhere): the tree is found and proven gone through /proc, which the
// process tracking reads there and nowhere else.
describe.runIf(linux)('ending a child and its whole tree', () => {
  it.each([
    ['a SIGTERM-ignoring child', []],
    ['a grandchild in its own session, its parent gone', ['--setsid']],
  ])('stopChild ends the wrapper, its command and %s (SIGKILL after the grace period)', async (_what, flag) => {
    const t = tree();
    const child = spawnTracked(process.execPath, [WRAPPER, ...flag, '--', process.execPath, ...LINGER], { env: t.env, stdio: 'ignore' });
    const stubborn = await stubbornStarted(t.pids);
    expect(stubborn).toHaveLength(1);
    expect(markedProcesses(t.id, TREE_KEY)).toContain(stubborn[0]);
    const t0 = Date.now();
    await stopChild(child, 300);
    expect(await left(t.id)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 30_000);

  it('stopChild after the leader exited on its own still ends what it left (group and session)', async () => {
    const t = tree();
    // The wrapper's command exits at once, so the wrapper does: only its stubborn process remains.
    const a = spawnTracked(process.execPath, [WRAPPER, '--', process.execPath, '-e', 'setTimeout(() => {}, 1500)'], { env: t.env, stdio: 'ignore' });
    const b = spawnTracked(process.execPath, [WRAPPER, '--setsid', '--', process.execPath, '-e', 'setTimeout(() => {}, 1500)'], { env: t.env, stdio: 'ignore' });
    await Promise.all([a, b].map((c) => new Promise((r) => c.once('exit', r))));
    const stubborn = await stubbornStarted(t.pids);
    while (readdirSync(t.pids).length < 2) await sleep(50);
    expect(stubborn.length).toBeGreaterThan(0);
    expect((await left(t.id, 0)).length).toBeGreaterThanOrEqual(2);
    await Promise.all([stopChild(a, 300), stopChild(b, 300)]);
    expect(await left(t.id)).toEqual([]);
  }, 30_000);

  it('killAllChildren (exit and signal handlers) ends whole trees at once, synchronously', async () => {
    const t = tree();
    spawnTracked(process.execPath, [WRAPPER, '--setsid', '--', process.execPath, ...LINGER], { env: t.env, stdio: 'ignore' });
    await stubbornStarted(t.pids);
    killAllChildren('SIGKILL');
    expect(await left(t.id)).toEqual([]);
  }, 30_000);

  it('a scope ends the marked processes nothing tracks (what a killed worker started), not others', async () => {
    const t = tree();
    const scope = openScope();
    // As a worker in the scope would have spawned it: the scope's marker, owner long gone.
    const orphan = spawn(process.execPath, [WRAPPER, '--setsid', '--', process.execPath, ...LINGER], { env: { ...t.env, [RUN_MARKER]: `${scope.id}:1:1` }, stdio: 'ignore', detached: true });
    orphan.unref();
    const other = tree();
    const bystander = spawn(process.execPath, LINGER, { env: { ...other.env, [RUN_MARKER]: `${scope.id}x:1:1` }, stdio: 'ignore' });
    await stubbornStarted(t.pids);
    expect(await scope.end(300)).toBeGreaterThanOrEqual(3);
    expect(await left(t.id)).toEqual([]);
    expect(markedProcesses(other.id, TREE_KEY)).toEqual([bystander.pid]);
    bystander.kill('SIGKILL');
  }, 30_000);

  it('a child gets a marker of its own and never our scope (a target that is mcp-conform opens its own)', () => {
    const a = childEnv({ PATH: '/bin', [RUN_SCOPE]: 'outer' });
    const b = childEnv({ PATH: '/bin' });
    expect(a.env[RUN_SCOPE]).toBeUndefined();
    expect(a.env[RUN_MARKER]).toBe(a.marker);
    expect(a.marker).not.toBe(b.marker);
    expect(a.marker.split(':').slice(0, 2)).toEqual(b.marker.split(':').slice(0, 2));
  });
});
