// Every server check proven both ways: the fixture passes all of them when correct, and with
// `--break <id>` exactly that check (and what BREAKS says necessarily follows) fails — at the
// initialize-era revisions, and at 2026-07-28 (served statelessly) for the checks that apply there.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Revision } from '../../schema/index.ts';
import { definedChecks, runChecks, runConfig, validMessagesResults } from '../../suites/harness/index.ts';
import { referenceServer } from '../../mock-server/reference/server.ts';
import { BREAKS, fixtureTransport, MODERN } from '../fixtures/servers/fixture-server.ts';
import { startHttpFixture } from '../fixtures/servers/http-fixture.ts';
import { FIXTURE_COMMAND, label, runAgainstFixture, warmUp } from './fixture.ts';

const STATEFUL: Revision[] = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];
/** Where a check runs (schema/valid-messages, a run-wide check, runs at every revision). */
const appliesAt = (id: string, rev: Revision) => definedChecks().find((d) => d.meta.id === id)?.meta.revisions.includes(rev) ?? id === 'schema/valid-messages';

describe('fixture server, in-process', () => {
  it('passes every check at every revision when correct', async () => {
    const results = await runAgainstFixture({}, [...STATEFUL, MODERN]);
    const bad = results.filter((r) => r.verdict !== 'pass').map(label);
    expect(bad).toEqual([]);
    expect(results.length).toBeGreaterThan(100);
    // The base-protocol, progress, cancellation and stdio checks that 2026-07-28 still states.
    expect(results.filter((r) => r.revision === MODERN).map((r) => r.id).sort()).toEqual([
      'cancellation/invalid-ignored',
      'cancellation/no-response-after-cancel',
      'cancellation/server-only-for-listen',
      'messages/batch-removed',
      'messages/error-codes-defined',
      'messages/error-codes-outside-reserved',
      'messages/invalid-params',
      'messages/invalid-request',
      'messages/large-request',
      'messages/meta-key-format',
      'messages/no-response-to-notification',
      'messages/parse-error',
      'messages/response-id',
      'messages/result-xor-error',
      'messages/trace-context-format',
      'messages/unknown-method',
      'progress/increasing',
      'progress/stops-after-completion',
      'progress/token-echoed',
      'schema/valid-messages',
      'stdio/exits-on-stdin-close',
      'stdio/no-embedded-newlines',
      'stdio/no-requests-on-stdout',
      'stdio/nothing-after-cancel',
      'stdio/stdout-only-messages',
      'stdio/survives-malformed-input',
    ]);
  }, 120_000);

  it('has a break for every check (and every break names a check)', () => {
    const ids = definedChecks().map((d) => d.meta.id);
    expect(Object.keys(BREAKS).sort()).toEqual([...ids, 'schema/valid-messages'].sort());
  });

  const ids = Object.keys(BREAKS);
  // Side by side (up to vitest's maxConcurrency, 5): each case mostly waits (answer timeouts, quiet
  // windows; ~0.2 s of CPU in ~2 s), and one at a time they held a CI worker for over a minute.
  it.concurrent.for(ids)('--break %s fails that check, and only what follows from it', { timeout: 60_000 }, async (id, { expect }) => {
    // Two initialize-era revisions for every break, and 2026-07-28 where the check applies.
    const pair: Revision[] = ['2025-03-26', '2025-11-25'];
    const modern = appliesAt(id, MODERN);
    const results = await runAgainstFixture({ break: id }, modern ? [...pair, MODERN] : pair);
    const def = definedChecks().find((d) => d.meta.id === id);
    const level = def?.meta.level ?? 'MUST';
    const expected = level === 'MUST' ? 'fail' : level === 'SHOULD' ? 'warn' : 'info';
    const mine = results.filter((r) => r.id === id);
    if (pair.some((r) => appliesAt(id, r))) expect(mine.filter((r) => r.revision !== MODERN).map((r) => r.verdict), mine.map(label).join('\n')).toContain(expected);
    if (modern) expect(mine.find((r) => r.revision === MODERN)?.verdict, mine.map(label).join('\n')).toBe(expected);
    const allowed = new Set([id, ...(BREAKS[id]?.alsoFails ?? [])]);
    const others = results.filter((r) => (r.verdict === 'fail' || r.verdict === 'warn') && !allowed.has(r.id)).map(label);
    expect(others).toEqual([]);
  });
});

describe('lifecycle/capabilities-honoured: a server supports resources by offering them', () => {
  const run = (undeclaredResources: 'empty' | 'listed') => {
    const def = definedChecks().filter((d) => d.meta.id === 'lifecycle/capabilities-honoured');
    return runChecks(def, runConfig({ kind: 'stdio', command: 'node', args: [] }, STATEFUL, { requestTimeoutMs: 1_500, checkTimeoutMs: 6_000, quietMs: 120, open: () => fixtureTransport({ undeclaredResources }) }), { concurrency: 4 });
  };
  it('an empty resources/list without the resources capability passes (no support shown; nothing requires refusing it)', async () => {
    const results = await run('empty');
    expect(results.map(label)).toEqual(STATEFUL.map((r) => `lifecycle/capabilities-honoured [${r}] pass`));
  });
  it('a resources/list that lists a resource without the capability fails', async () => {
    const results = await run('listed');
    expect(results.map(label)).toEqual(STATEFUL.map((r) => `lifecycle/capabilities-honoured [${r}] fail: the server does not declare the resources capability, yet resources/list lists 1 item(s)`));
  });
});

describe('schema/valid-messages and the batch probe, at revisions without batches', () => {
  const revs: Revision[] = ['2025-06-18', '2025-11-25', MODERN];
  const run = async (batches: 'answer' | 'with-notification') => {
    const def = definedChecks().filter((d) => d.meta.id === 'messages/batch-removed');
    warmUp(revs);
    const results = await runChecks(def, runConfig({ kind: 'stdio', command: 'node', args: [] }, revs, { requestTimeoutMs: 1_500, checkTimeoutMs: 15_000, quietMs: 120, open: () => fixtureTransport({ batches }) }), { concurrency: 3 });
    return [...results, ...validMessagesResults(results, revs)];
  };
  it('an array answering the batch the suite sent is no violation (those revisions say nothing of answering one)', async () => {
    const results = await run('answer');
    expect(results.map(label)).toEqual([...revs.map((r) => `messages/batch-removed [${r}] pass`), ...revs.map((r) => `schema/valid-messages [${r}] pass`)]);
  });
  it('an array holding anything but those answers (a notification of its own) still is', async () => {
    const results = await run('with-notification');
    const valid = results.filter((r) => r.id === 'schema/valid-messages');
    expect(valid.map((r) => `${r.revision} ${r.verdict}`)).toEqual(revs.map((r) => `${r} fail`));
    expect(valid[0]?.message).toMatch(/JSON-RPC batches are not part of revision 2025-06-18/);
  });
});

describe('at 2026-07-28 over Streamable HTTP (the reference server, in-process)', () => {
  it('the checks pass; cancelling with notifications/cancelled does not apply (closing the response stream is the cancellation), nor do the stdio checks or the trace context format (it sends none)', async () => {
    const f = await startHttpFixture({ server: referenceServer() });
    try {
      const defs = definedChecks().filter((d) => d.meta.revisions.includes(MODERN));
      // Concurrent clients reuse JSON-RPC ids (each starts at 1): every answer must still reach its own POST.
      const results = await runChecks(defs, runConfig({ kind: 'http', url: f.url }, [MODERN], { requestTimeoutMs: 3_000, checkTimeoutMs: 10_000, quietMs: 120 }), { concurrency: 6 });
      expect(results.length).toBe(defs.length);
      const stdio = defs.filter((d) => d.meta.id.startsWith('stdio/')).map((d) => `${d.meta.id} not-applicable`);
      expect(stdio.length).toBeGreaterThan(0);
      expect(results.filter((r) => r.verdict !== 'pass').map((r) => `${r.id} ${r.verdict}`)).toEqual(['messages/trace-context-format not-applicable', 'cancellation/no-response-after-cancel not-applicable', 'cancellation/invalid-ignored not-applicable', ...stdio]);
      expect(results.find((r) => r.id === 'cancellation/no-response-after-cancel')?.message).toMatch(/closing its response stream .* not observable/);
      // The reference server propagates no trace context (it MAY; the format binds only values sent).
      expect(results.find((r) => r.id === 'messages/trace-context-format')?.message).toMatch(/sent no traceparent, tracestate or baggage/);
    } finally {
      await f.close();
    }
  }, 60_000);
});

describe('stdio/exits-on-stdin-close against a real child process', () => {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  // The in-process fixture models closing stdin; this is the real thing: a process, its stdin, its exit.
  it.each([
    { name: 'correct', brk: undefined, verdict: 'pass' },
    { name: '--break stdio/exits-on-stdin-close', brk: 'stdio/exits-on-stdin-close', verdict: 'warn' },
  ])('$name: $verdict, and the process is gone when the check has ended', async ({ brk, verdict }) => {
    const pidDir = mkdtempSync(join(tmpdir(), 'mcp-conform-pids-'));
    try {
      const def = definedChecks().find((d) => d.meta.id === 'stdio/exits-on-stdin-close');
      expect(def).toBeDefined();
      const args = [...FIXTURE_COMMAND.slice(1), ...(brk ? ['--break', brk] : [])];
      const cfg = runConfig({ kind: 'stdio', command: process.execPath, args, env: { MCP_CONFORM_FIXTURE_PIDS: pidDir } }, [MODERN], { requestTimeoutMs: 1_500, startupMs: 20_000, checkTimeoutMs: 25_000, quietMs: 120 });
      const [r] = await runChecks([def!], cfg);
      expect(r && label(r)).toMatch(new RegExp(`^stdio/exits-on-stdin-close \\[${MODERN}\\] ${verdict}`));
      if (verdict === 'warn') expect(r?.message).toContain('still running 1500 ms after its stdin was closed');
      const pids = readdirSync(pidDir).map(Number);
      expect(pids).toHaveLength(1);
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      rmSync(pidDir, { recursive: true, force: true });
    }
  }, 60_000);
});

// Real servers do not name their tools after the official fixture contract: the progress and
// cancellation checks find a tool that reports progress by calling the tools the run may call.
describe('progress and cancellation on a server without the fixture tool (the tool survey)', () => {
  const SURVEYED = ['progress/token-echoed', 'progress/increasing', 'progress/stops-after-completion', 'cancellation/no-response-after-cancel', 'stdio/nothing-after-cancel'];
  const run = (opts: Parameters<typeof fixtureTransport>[0], callTools?: 'none') =>
    runChecks(
      definedChecks().filter((d) => SURVEYED.includes(d.meta.id)),
      runConfig({ kind: 'stdio', command: 'node', args: [] }, ['2025-11-25', MODERN], { requestTimeoutMs: 1_500, checkTimeoutMs: 8_000, quietMs: 120, ...(callTools ? { callTools } : {}), open: () => fixtureTransport(opts) }),
      { concurrency: 4 },
    );

  it('finds the tool that reports progress, and passes with it', async () => {
    const results = await run({ progressToolName: 'report_status' });
    expect(results.filter((r) => r.verdict !== 'pass').map(label)).toEqual([]);
    expect(results.filter((r) => r.id === 'stdio/nothing-after-cancel')).toHaveLength(1); // 2026-07-28 only
  }, 60_000);

  it.each(['progress/increasing', 'progress/stops-after-completion', 'progress/token-echoed', 'cancellation/no-response-after-cancel', 'stdio/nothing-after-cancel'])('fails %s when that tool breaks it', async (id) => {
    const results = await run({ progressToolName: 'report_status', break: id });
    const level = definedChecks().find((d) => d.meta.id === id)?.meta.level;
    expect(results.filter((r) => r.id === id).map((r) => r.verdict)).toContain(level === 'MUST' ? 'fail' : 'warn');
  }, 60_000);

  it('is not verified, naming the tools tried, when no tool the run may call reports progress', async () => {
    const results = await run({ progressToolName: 'report_status', noProgress: true });
    expect(results.length).toBe(SURVEYED.length * 2 - 1);
    for (const r of results) {
      expect(r.verdict, label(r)).toBe('not-verified');
      expect(r.message, label(r)).toMatch(/none of the 2 tool\(s\) the run may call \(quiet, report_status\)/);
    }
    const off = await run({ progressToolName: 'report_status' }, 'none');
    for (const r of off) expect(r.message, label(r)).toMatch(/tool calls are disabled/);
  }, 60_000);
});
