// Checks that only read (meta.shared) run on sessions they share, one check at a time per session.
// Proven here: the verdicts are those of a run where every check opens its own sessions
// (--isolate), on the reference server as a real stdio process; far fewer sessions are opened;
// what one check saw (schema violations, messages) is never another's; a session a check left
// busy is not handed on. (server-everything, the SDK v1 and v2 servers: real-peers.test.ts and
// sdk-v2.test.ts assert their recorded verdicts with sessions shared.)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { entryArgs, type Revision } from '../../schema/index.ts';
import type { CheckResult } from '../../reports/index.ts';
import { createMemoryPair, createMockServer, on, tool, type MockClient } from '../../mock-server/index.ts';
import { check, definedChecks, runChecks, runConfig, type CheckDef } from '../../suites/harness/index.ts';
import { warmUp } from './fixture.ts';
import '../../suites/server/tools.ts';
import '../../suites/server/prompts.ts';
import '../../suites/server/resources.ts';
import '../../suites/server/completion.ts';
import '../../suites/server/pagination.ts';
import '../../suites/server/ping.ts';
import '../../suites/server/base-protocol.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mcp-conform-shared-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const REVS: Revision[] = ['2025-11-25', '2026-07-28'];
const AREAS = ['tools/', 'prompts/', 'resources/', 'completion/', 'pagination/', 'ping/', 'messages/'];
const verdicts = (rs: readonly CheckResult[]) => Object.fromEntries(rs.map((r) => [`${r.id} [${r.revision}]`, r.verdict]));
/** A timeout is a loaded machine's verdict, not the check's: such rows are left out of the comparison. */
const timedOut = (r: CheckResult | undefined) => r?.verdict === 'not-verified' && /timed out|did not finish/.test(r.message);

function wireNotes(dir: string): { opened: number; reused: number } {
  let opened = 0;
  let reused = 0;
  for (const f of readdirSync(join(dir, 'wire'))) {
    const text = readFileSync(join(dir, 'wire', f), 'utf8');
    opened += text.match(/"note":"connecting \(/g)?.length ?? 0;
    reused += text.match(/reusing a session shared by read-only checks/g)?.length ?? 0;
  }
  return { opened, reused };
}

/** An in-process mock server with these behaviours; `sessions()` counts the connections opened. */
function counted(...behaviours: Parameters<typeof createMockServer>[1][]) {
  let n = 0;
  const target = {
    kind: 'memory' as const,
    connect: () => {
      n++;
      const [client, server] = createMemoryPair();
      void createMockServer({}, ...behaviours).connect(server);
      return client;
    },
  };
  return { target, sessions: () => n };
}

/** Two read-only checks, run one after the other: `a` then `b`. */
function twoShared(ids: [string, string], body: (n: string, c: MockClient) => Promise<void>): CheckDef[] {
  return ids.map((n) => check({ id: `shared-test/${n}`, title: n, level: 'MUST', requirement: 'r', spec: { '2025-11-25': 'basic' }, shared: true }, async (t) => body(n, await t.session())));
}

describe('sessions shared by read-only checks', () => {
  it('the reference server over stdio: the same verdicts as with --isolate, with far fewer sessions opened', async () => {
    warmUp(REVS);
    // Only the shared checks: the others open their own sessions either way (CI time: the isolated
    // run starts a server per check). Shared checks beside unshared ones: real-peers.test.ts.
    const defs = definedChecks().filter((d) => d.meta.side === 'server' && d.meta.shared && AREAS.some((a) => d.meta.id.startsWith(a)));
    expect(defs.length).toBeGreaterThan(20);
    const target = { kind: 'stdio' as const, command: process.execPath, args: entryArgs('mock-server/reference/stdio') };
    const run = async (isolate: boolean) => {
      const outDir = mkdtempSync(join(tmp, isolate ? 'isolated-' : 'shared-'));
      const cfg = runConfig(target, REVS, { outDir, isolate, requestTimeoutMs: 5_000, startupMs: 20_000, checkTimeoutMs: 40_000 });
      return { results: await runChecks(defs, cfg, { concurrency: 4 }), wire: wireNotes(outDir) };
    };
    const isolated = await run(true);
    const shared = await run(false);
    const before = new Map(isolated.results.map((r) => [`${r.id} [${r.revision}]`, r]));
    const compared = shared.results.filter((r) => !timedOut(r) && !timedOut(before.get(`${r.id} [${r.revision}]`)));
    expect(compared.length).toBeGreaterThan(shared.results.length * 0.9);
    const now = verdicts(compared);
    const then = Object.fromEntries(Object.keys(now).map((k) => [k, before.get(k)?.verdict]));
    expect(now).toEqual(then);
    expect(isolated.wire.reused).toBe(0);
    expect(shared.wire.reused).toBeGreaterThan(20);
    expect(shared.wire.opened).toBeLessThan(isolated.wire.opened * 0.7);
  }, 300_000);

  // Two read-only checks on a server that answers tools/list with an invalid result: the first
  // check sees it; the second, on the same session, does not inherit it.
  it("one check's schema violations and received messages are not the next one's", async () => {
    const seen: { id: string; received: number }[] = [];
    const defs = twoShared(['a', 'b'], async (n, c) => {
      if (n === 'a') await c.request('tools/list', {});
      else await c.request('ping', {});
      seen.push({ id: n, received: c.peer.received.length });
    });
    const { target, sessions } = counted(tool('x', { annotations: { readOnlyHint: true } }), on('tools/list', () => ({ tools: 'not a list' })));
    const results = await runChecks(defs, runConfig(target, ['2025-11-25']), { concurrency: 1 });
    expect(sessions()).toBe(1);
    const [a, b] = results;
    expect(a?.violations?.length).toBeGreaterThan(0);
    expect(b?.violations).toBeUndefined();
    // a opened the session: the initialize answer and its own; b only its own.
    expect(seen).toEqual([
      { id: 'a', received: 2 },
      { id: 'b', received: 1 },
    ]);
  });

  it('a session left with a request in flight is closed, not handed to the next check', async () => {
    // c leaves a call unanswered behind it; d must get a fresh session.
    const defs = twoShared(['c', 'd'], async (n, c) => {
      if (n === 'c') void c.request('tools/call', { name: 'never', arguments: {} }, { timeoutMs: 10_000 }).catch(() => {});
      else await c.request('ping', {});
    });
    const { target, sessions } = counted(tool('never', { annotations: { readOnlyHint: true }, handler: () => new Promise(() => {}) }));
    const results = await runChecks(defs, runConfig(target, ['2025-11-25']), { concurrency: 1 });
    expect(results.map((r) => r.verdict)).toEqual(['pass', 'pass']);
    expect(sessions()).toBe(2);
  });

  // A check gated on a capability an earlier session of the run did not declare ends
  // not-applicable without a session of its own (a process start on stdio); one whose capability
  // was declared opens its session and gates on it as before. With --isolate every check asks.
  it('a capability gate another session already failed opens no session', async () => {
    const gated = (n: string, requires: string) => check({ id: `shared-test/${n}`, title: n, level: 'MUST', requirement: 'r', spec: { '2025-11-25': 'basic' }, requires }, async (t) => {
      await (await t.session()).request('ping', {});
    });
    const defs = [...twoShared(['gate-first', 'gate-unused'], async (_n, c) => {
      await c.request('ping', {});
    }).slice(0, 1), gated('gate-absent', 'server.tasks'), gated('gate-present', 'server.tools')];
    const run = async (isolate: boolean) => {
      const { target, sessions } = counted(tool('x', { annotations: { readOnlyHint: true } }));
      const outDir = mkdtempSync(join(tmp, 'gate-'));
      const results = await runChecks(defs, runConfig(target, ['2025-11-25'], { outDir, isolate }), { concurrency: 1 });
      return { verdicts: results.map((r) => r.verdict), sessions: sessions(), absentLog: readFileSync(join(outDir, 'wire', 'shared-test_gate-absent@2025-11-25.jsonl'), 'utf8') };
    };
    const memo = await run(false);
    const isolated = await run(true);
    expect(memo.verdicts).toEqual(['pass', 'not-applicable', 'pass']);
    expect(isolated.verdicts).toEqual(memo.verdicts);
    expect(memo.sessions).toBe(2);
    expect(isolated.sessions).toBe(3);
    expect(memo.absentLog).toMatch(/capabilities as declared in the session opened by shared-test\/gate-first/);
  });

  // tools/call-result and tools/content-valid judge one sample of generated calls: each tool is
  // called once per argument set in the run, not once per check; with --isolate each check calls.
  it('one sample of generated tool calls serves every check that judges the same tools', async () => {
    const ids = ['tools/call-result', 'tools/content-valid'];
    const defs = definedChecks().filter((d) => ids.includes(d.meta.id));
    const calls = async (isolate: boolean) => {
      let n = 0;
      const { target } = counted(tool('echo', { annotations: { readOnlyHint: true }, inputSchema: { type: 'object', properties: { s: { type: 'string' } } }, handler: () => ((n++), { content: [{ type: 'text', text: 'x' }] }) }));
      const outDir = mkdtempSync(join(tmp, 'sample-'));
      const results = await runChecks(defs, runConfig(target, ['2025-11-25'], { outDir, isolate }), { concurrency: 2 });
      return { n, verdicts: results.map((r) => r.verdict), notes: readdirSync(join(outDir, 'wire')).map((f) => readFileSync(join(outDir, 'wire', f), 'utf8')).join('') };
    };
    const shared = await calls(false);
    const isolated = await calls(true);
    expect(shared.verdicts).toEqual(['pass', 'pass']);
    expect(isolated.verdicts).toEqual(['pass', 'pass']);
    expect(isolated.n).toBe(2 * shared.n);
    expect(shared.notes).toMatch(/the generated calls of 1 tool\(s\): shared with read-only checks, made by tools\/(call-result|content-valid)/);
  });
});
