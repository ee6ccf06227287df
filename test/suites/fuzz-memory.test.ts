// The fuzzer against in-memory targets: the correct fixture server yields no finding, each seeded
// bug is found, attributed to its oracle, shrunk to at most 3 messages and replayed.
import { describe, expect, test } from 'vitest';
import { createMockServer, tool, type Transport } from '../../mock-server/index.ts';
import {
  fuzzServer,
  memoryFactory,
  parseReplay,
  replay,
  replayFileFor,
  runModel,
  runSteps,
  SessionPool,
  type FuzzOptions,
  type FuzzStep,
  type OracleId,
  type TargetFactory,
} from '../../suites/fuzz/index.ts';
import { buggyTransport } from '../fixtures/servers/buggy-transport.ts';
import { fixtureServer } from '../fixtures/servers/fuzz-fixture-server.ts';

function factory(bugs: string[] = []): TargetFactory {
  return memoryFactory(fixtureServer, (t: Transport) => buggyTransport(t, bugs, () => void t.close()), `memory fixture ${bugs.join(' ')}`.trim());
}

const base: FuzzOptions = { revision: '2025-11-25', seed: 7, runs: 300, timeBudgetMs: 20_000, requestTimeoutMs: 300, modelShare: 0, spare: false };

describe('fuzzing an in-memory server', () => {
  test('the correct fixture server yields no finding, and every sequence oracle had something to judge', async () => {
    const report = await fuzzServer(factory(), { ...base, runs: 150, modelShare: 0.3 });
    expect(report.unreachable).toBeUndefined();
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.oracle}: ${f.message}`)).toEqual([]);
    for (const o of ['stays-alive', 'one-response-per-request', 'valid-responses', 'error-codes', 'tool-call-protocol-errors', 'stateful-model'] as const) {
      expect(report.exercised[o], o).toBeGreaterThan(0);
    }
    // Only the annotated tools are called; the unannotated one counts as destructive.
    expect(report.tools.called.sort()).toEqual(['add', 'echo']);
    expect(report.tools.skipped).toEqual([{ name: 'wipe', why: 'not annotated, so possibly destructive by the spec defaults (opt in with --call-tools <name> or all)' }]);
  }, 60_000);

  const cases: [string, OracleId][] = [
    ['crash-on-prompts/get', 'stays-alive'],
    ['hang-on-resources/read', 'one-response-per-request'],
    ['wrong-error-code', 'error-codes'],
    ['success-on-invalid', 'error-codes'],
    ['reply-to-notifications', 'one-response-per-request'],
    ['duplicate-ping', 'one-response-per-request'],
  ];
  test.each(cases)('--bug %s is found as %s, shrunk to ≤ 3 messages, and replays', async (bug, oracle) => {
    const f = factory([bug]);
    const report = await fuzzServer(f, { ...base, oracles: [oracle] });
    const finding = report.findings.find((x) => x.oracle === oracle);
    expect(finding, `no ${oracle} finding in ${report.runs} runs`).toBeDefined();
    if (!finding) return;
    expect(finding.reproduced).toBe(true);
    expect(finding.steps.length).toBeLessThanOrEqual(3);
    expect(finding.evidence.some((e) => e.dir === 'send')).toBe(true);
    // The replay file round-trips and reproduces the same violation, with the same frames.
    const file = parseReplay(JSON.stringify(replayFileFor(finding, { mode: 'server', revision: report.revision, target: { description: f.description }, requestTimeoutMs: 300, tool: { name: 'mcp-conform', version: 'test' } })));
    const pool = new SessionPool(factory([bug]), { revision: '2025-11-25', requestTimeoutMs: 300, spare: false });
    try {
      const outcome = await replay(file, pool);
      expect(outcome.reproduced, outcome.message).toBe(true);
      const sent = outcome.evidence.filter((e) => e.dir === 'send').map((e) => e.msg ?? e.raw);
      expect(sent).toEqual(finding.evidence.filter((e) => e.dir === 'send').map((e) => e.msg ?? e.raw));
    } finally {
      await pool.close();
    }
    // The correct server passes the same replay.
    const clean = new SessionPool(factory(), { revision: '2025-11-25', requestTimeoutMs: 300, spare: false });
    try {
      expect((await replay(file, clean)).reproduced).toBe(false);
    } finally {
      await clean.close();
    }
  }, 60_000);
});

describe('model-based fuzzing (fc.commands)', () => {
  const modelOpts = { revision: '2025-11-25' as const, capabilities: { tools: {}, prompts: {}, resources: {} }, seed: 3, runs: 40, requestTimeoutMs: 300 };

  test('a correct server follows the model', async () => {
    const pool = new SessionPool(factory(), { revision: '2025-11-25', requestTimeoutMs: 300, spare: false });
    try {
      const r = await runModel(pool, { ...modelOpts, tools: [], oracles: ['stateful-model'], deadline: Date.now() + 20_000 });
      expect(r.findings.map((f) => f.message)).toEqual([]);
      expect(r.runs).toBeGreaterThanOrEqual(40);
    } finally {
      await pool.close();
    }
  }, 40_000);

  test('duplicate responses are caught and shrunk to a short command list', async () => {
    const pool = new SessionPool(factory(['duplicate-tools/list']), { revision: '2025-11-25', requestTimeoutMs: 300, spare: false });
    try {
      const r = await runModel(pool, { ...modelOpts, tools: [], oracles: ['stateful-model'], deadline: Date.now() + 20_000 });
      const f = r.findings[0];
      expect(f?.oracle).toBe('stateful-model');
      expect(f?.message).toMatch(/answered 2 times/);
      expect(f?.commands?.length).toBeLessThanOrEqual(4);
      expect(f?.reproduced).toBe(true);
    } finally {
      await pool.close();
    }
  }, 40_000);

  test('a request cancelled while in progress must not be answered (and a server that ignores cancellation is caught)', async () => {
    const slow = () =>
      createMockServer(
        {},
        tool('slow', { inputSchema: { type: 'object', properties: {} }, annotations: { readOnlyHint: true }, delayMs: 400, handler: () => ({ content: [{ type: 'text', text: 'done' }] }) }),
      );
    const tools = [{ name: 'slow', arguments: (await import('fast-check')).default.constant({}) }];
    const good = new SessionPool(memoryFactory(slow), { revision: '2025-11-25', requestTimeoutMs: 1_000, spare: false });
    const bad = new SessionPool(
      memoryFactory(slow, (t) => buggyTransport(t, ['ignore-cancel'], () => void t.close())),
      { revision: '2025-11-25', requestTimeoutMs: 1_000, spare: false },
    );
    try {
      const ok = await runModel(good, { ...modelOpts, runs: 15, requestTimeoutMs: 1_000, tools, oracles: ['cancellation'], deadline: Date.now() + 20_000 });
      expect(ok.findings).toEqual([]);
      expect(ok.cancellations).toBeGreaterThan(0);
      const caught = await runModel(bad, { ...modelOpts, runs: 15, requestTimeoutMs: 1_000, tools, oracles: ['cancellation'], deadline: Date.now() + 20_000 });
      expect(caught.findings[0]?.oracle).toBe('cancellation');
      expect(caught.findings[0]?.commands?.some((c) => c.cmd === 'call-cancel')).toBe(true);
    } finally {
      await good.close();
      await bad.close();
    }
  }, 60_000);
});

describe('answers that arrive after their run', () => {
  // A slow tool the run stopped waiting for answers during the next run on the same session:
  // a late answer, not an unsolicited one. Forgetting the earlier ids shows the oracle still bites.
  const slow = () => createMockServer({ serverInfo: { name: 'slow', version: '1' } }, tool('slow', { inputSchema: { type: 'object' }, handler: async (args) => (await new Promise((r) => setTimeout(r, Number(args.ms))), 'done') }));
  const call = (id: string, ms: number): FuzzStep => ({ label: 'tools/call slow', category: 'tool call', message: { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'slow', arguments: { ms } } }, expect: { reply: 'response', id, method: 'tools/call', toolCall: true } });

  async function lateAnswerFlagged(forget: boolean): Promise<string[]> {
    // ignore-cancel: the run cancels the call it stops waiting for; this server answers it anyway (a race the spec allows).
    const pool = new SessionPool(memoryFactory(slow, (t: Transport) => buggyTransport(t, ['ignore-cancel'], () => void t.close())), { revision: '2025-11-25', requestTimeoutMs: 100, spare: false });
    try {
      const session = await pool.acquire();
      // Run 1 gives up on late-1 after 100 ms; it is answered at 300 ms, while run 2 waits for its own call.
      await runSteps(session, [call('late-1', 300)], { requestTimeoutMs: 100 });
      if (forget) session.earlierIds.clear();
      const next = await runSteps(session, [call('own-2', 600)], { requestTimeoutMs: 2_000 });
      expect(session.inbox.some((r) => (r.msg as { id?: unknown }).id === 'late-1')).toBe(true);
      return next.violations.filter((v) => /answers no request/.test(v.message)).map((v) => v.message);
    } finally {
      await pool.close();
    }
  }

  test("a late answer to an earlier run's request on the session is not unsolicited", async () => {
    expect(await lateAnswerFlagged(false)).toEqual([]);
  });

  test('an answer to an id the session never sent still is', async () => {
    expect(await lateAnswerFlagged(true)).toHaveLength(1);
  });
});
