// One defect, one finding: a server that writes every response on every open stream (the
// `broadcast` fault) is reported once as transport/cross-talk, not as failures scattered over
// the checks that happened to run beside each other; --concurrency 1 gives the verdicts of a
// correct server; the revision probe is not fooled. And one schema defect repeated in many
// messages is one schema/valid-messages row with a count, pointing at where it happened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Revision } from '../../schema/index.ts';
import { createMockServer, MockClient, serveMockHttp, SseClientTransport, tool, type ServedMock } from '../../mock-server/index.ts';
import { validateCheckResult, validateResults, type CheckResult, type Results } from '../../reports/index.ts';
import {
  CROSS_TALK,
  checkMeta,
  definedChecks,
  finishResults,
  probeTarget,
  runCheck,
  runChecks,
  runConfig,
  validMessagesResults,
  vitestConcurrency,
  withCrossTalk,
  type CheckDef,
  type RunConfig,
} from '../../suites/harness/index.ts';
import { startHttpFixture, type HttpFixture } from '../fixtures/servers/http-fixture.ts';
import { fixtureTransport } from '../fixtures/servers/fixture-server.ts';
import { tempDir } from '../cli/server-helpers.ts';
import './fixture.ts'; // defines the server checks

const REVS: Revision[] = ['2024-11-05', '2025-11-25'];
const TIMEOUTS = { requestTimeoutMs: 3_000, startupMs: 5_000, checkTimeoutMs: 15_000, quietMs: 150 };
// The areas where a broadcasting server used to spoil checks (answers taken for the wrong request,
// "answers" to notifications), plus the transport-independent lifecycle checks.
const AREAS = ['messages/', 'cancellation/', 'ping/', 'lifecycle/'];
const defs = (): CheckDef[] => definedChecks().filter((d) => d.meta.side === 'server' && AREAS.some((a) => d.meta.id.startsWith(a)));
const label = (r: CheckResult) => `${r.id} [${r.revision}] ${r.verdict}`;
const verdicts = (rs: readonly CheckResult[]) => Object.fromEntries(rs.map((r) => [`${r.id} [${r.revision}]`, r.verdict]));

describe('the broadcast fault', () => {
  let served: ServedMock | undefined;
  afterAll(() => served?.close());

  it.each([
    { faults: [] as string[], strays: 0 },
    { faults: ['broadcast'], strays: 1 },
  ])('faults $faults: an answer reaches the other session $strays time(s)', async ({ faults, strays }) => {
    served = await serveMockHttp(createMockServer({}, tool('echo', { inputSchema: { type: 'object' }, result: 'hi' })), { legacySse: true, faults });
    const [a, b] = [new MockClient(new SseClientTransport({ url: served.url })), new MockClient(new SseClientTransport({ url: served.url }))];
    try {
      await Promise.all([a.start(), b.start()]);
      expect((await a.initialize()).ok).toBe(true);
      expect((await b.initialize()).ok).toBe(true);
      const before = b.peer.unsolicited.length;
      expect((await a.request('tools/list')).ok).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      // b never sent that id: with the fault the answer lands there too, as an unsolicited response.
      expect(b.peer.unsolicited.length - before).toBe(strays);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await served.close();
      served = undefined;
    }
  });
});

describe('a broadcasting legacy SSE server', () => {
  let clean: HttpFixture;
  let broadcasting: HttpFixture;
  beforeAll(async () => {
    [clean, broadcasting] = await Promise.all([startHttpFixture(), startHttpFixture({ broadcast: true })]);
  });
  afterAll(async () => {
    await Promise.all([clean?.close(), broadcasting?.close()]);
  });
  const cfg = (f: HttpFixture): RunConfig => runConfig({ kind: 'sse', url: f.sseUrl }, REVS, TIMEOUTS);
  const run = async (f: HttpFixture, concurrency: number) => {
    const results = await runChecks(defs(), cfg(f), { concurrency });
    const all = withCrossTalk([...results, ...validMessagesResults(results, REVS)], { revisions: REVS, transport: 'sse', concurrency });
    return { results: all.filter((r) => r.id !== CROSS_TALK.id), xtalk: all.find((r) => r.id === CROSS_TALK.id) };
  };

  it('correct server: every check passes or is as before, and transport/cross-talk passes', async () => {
    const { results, xtalk } = await run(clean, 6);
    expect(results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn').map(label)).toEqual([]);
    expect(results.some((r) => r.crossTalk)).toBe(false);
    expect(xtalk?.verdict).toBe('pass');
    expect(validateCheckResult(xtalk).valid).toBe(true);
  }, 120_000);

  it('checks side by side: one transport/cross-talk failure with the first stray answer and a count; no check fails for it', async () => {
    const reference = verdicts((await run(clean, 6)).results);
    const { results, xtalk } = await run(broadcasting, 6);
    // Nothing is blamed on the checks: each either has the correct server's verdict, or says it could not tell its answers from the strays.
    const off = results.filter((r) => reference[`${r.id} [${r.revision}]`] !== r.verdict);
    expect(off.filter((r) => r.verdict !== 'not-verified').map(label)).toEqual([]);
    for (const r of off) expect(r.message).toMatch(/cross-talk, see transport\/cross-talk.*--concurrency 1/);
    expect(results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn').map(label)).toEqual([]);
    // The one finding, MUST, run-level, with the evidence of the first stray answer and the count.
    expect(xtalk).toMatchObject({ id: CROSS_TALK.id, level: 'MUST', revision: null, verdict: 'fail' });
    const seen = results.filter((r) => r.crossTalk);
    expect(seen.length).toBeGreaterThan(1);
    const count = seen.reduce((n, r) => n + (r.crossTalk?.count ?? 0), 0);
    expect(xtalk?.crossTalk?.count).toBe(count);
    expect(xtalk?.message).toMatch(new RegExp(`^${count} answer\\(s\\) arrived on connections that never sent their ids, in ${seen.length} check\\(s\\)`));
    expect(xtalk?.evidence?.[0]?.note).toMatch(/^during \S+ \[\S+\] .*cross-talk: a response/);
    expect(xtalk?.evidence?.[0]?.msg).toHaveProperty('id');
    expect(xtalk?.specUrl).toBe('https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#multiple-connections');
    expect(validateCheckResult(xtalk).valid).toBe(true);
  }, 180_000);

  it('--concurrency 1: the verdicts of the correct server (not-verified at worst where one check holds two sessions)', async () => {
    const reference = verdicts((await run(clean, 1)).results);
    const { results, xtalk } = await run(broadcasting, 1);
    // No check is blamed: each has the correct server's verdict, except that a check holding two
    // sessions at once (lifecycle/version-*) may say it could not tell its answers apart.
    const off = results.filter((r) => reference[`${r.id} [${r.revision}]`] !== r.verdict);
    expect(off.filter((r) => r.verdict !== 'not-verified' || !/came twice/.test(r.message)).map(label)).toEqual([]);
    expect(results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn').map(label)).toEqual([]);
    expect(off.length).toBeLessThan(results.length / 10);
    // What strays now comes only from checks that hold two sessions at once; it is still this server's defect.
    if (xtalk?.verdict === 'fail') expect(xtalk.message).toMatch(/with --concurrency 1 they came from sessions a check held at once/);
    else expect(xtalk?.verdict).toBe('not-verified');
  }, 240_000);

  it('the revision probe finds the same revisions as for the correct server', async () => {
    const [a, b] = await Promise.all([probeTarget({ kind: 'sse', url: clean.sseUrl }, 'all', 10_000), probeTarget({ kind: 'sse', url: broadcasting.sseUrl }, 'all', 10_000)]);
    expect(a.supported.length).toBeGreaterThan(2);
    expect(b.supported).toEqual(a.supported);
    expect(b.probes.filter((p) => p.answered !== undefined && p.answered !== p.asked)).toEqual([]);
    const seq = await probeTarget({ kind: 'sse', url: broadcasting.sseUrl }, 'all', 10_000, { sequential: true });
    expect(seq.supported).toEqual(a.supported);
  }, 60_000);
});

describe('transport/cross-talk, run level', () => {
  const row = (over: Partial<CheckResult> = {}): CheckResult => ({ id: 'a/b', title: 't', level: 'MUST', revision: '2025-11-25', verdict: 'pass', message: '', requirement: '', specUrl: null, durationMs: 1, wireLog: null, ...over });
  const results = (checks: CheckResult[], transport: Results['target']['transport']): Results => ({
    format: 'mcp-conform/results',
    formatVersion: 1,
    tool: { name: 'x', version: '1' },
    mode: 'server',
    target: { description: 'd', transport },
    revisions: ['2025-11-25'],
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:01.000Z',
    errors: [],
    counts: { total: 0, passed: 0, failed: 0, warned: 0, info: 0, notApplicable: 0, notVerified: 0 },
    checks,
  });

  it('is added once for HTTP and SSE targets (pass, not-verified at --concurrency 1, fail with strays), never for stdio', () => {
    const ids = (r: Results) => r.checks.map((c) => `${c.id} ${c.verdict}`);
    expect(ids(finishResults(results([row()], 'stdio'), ['2025-11-25']))).toEqual(['a/b pass', 'schema/valid-messages pass']);
    expect(ids(finishResults(results([row()], 'http'), ['2025-11-25']))).toEqual(['a/b pass', 'schema/valid-messages pass', 'transport/cross-talk pass']);
    expect(ids(finishResults(results([row()], 'sse'), ['2025-11-25'], { concurrency: 1 }))).toEqual(['a/b pass', 'schema/valid-messages pass', 'transport/cross-talk not-verified']);
    const stray = { t: 1, dir: 'recv' as const, msg: { jsonrpc: '2.0', id: 7, result: {} }, note: 'cross-talk: a response to id 7, which this check never sent' };
    const twice = finishResults(results([row({ crossTalk: { count: 3, first: stray } }), row({ id: 'c/d', crossTalk: { count: 2, first: stray } })], 'sse'), ['2025-11-25']);
    // Finishing again (the reporter does, after the host verdicts) keeps one.
    const again = finishResults(twice, ['2025-11-25']);
    const found = again.checks.filter((c) => c.id === CROSS_TALK.id);
    expect(found.map((c) => [c.verdict, c.crossTalk?.count])).toEqual([['fail', 5]]);
    expect(found[0]?.message).toMatch(/^5 answer\(s\) .* in 2 check\(s\).*First: id 7 during a\/b \[2025-11-25\]/);
    expect(again.counts.failed).toBe(1);
    expect(validateResults(again).errors).toEqual([]);
  });

  it('with cross-talk found, a verdict resting on an answer with id null becomes not-verified; others stay', () => {
    const stray = { t: 1, dir: 'recv' as const, msg: { jsonrpc: '2.0', id: 7, result: {} }, note: 'cross-talk: a response to id 7, which this check never sent' };
    const nullAnswer = { t: 2, dir: 'recv' as const, msg: { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } } };
    const byId = { t: 3, dir: 'recv' as const, msg: { jsonrpc: '2.0', id: 3, error: { code: -32700, message: 'Parse error' } } };
    const checks = [
      row({ id: 'x/y', crossTalk: { count: 1, first: stray } }),
      row({ id: 'messages/invalid-request', verdict: 'fail', message: 'answered with -32700', evidence: [nullAnswer] }),
      row({ id: 'other/by-id', verdict: 'fail', message: 'wrong code', evidence: [byId] }),
    ];
    const out = withCrossTalk(checks, { revisions: ['2025-11-25'], transport: 'sse' });
    expect(out.map((c) => `${c.id} ${c.verdict}`)).toEqual(['x/y pass', 'messages/invalid-request not-verified', 'other/by-id fail', 'transport/cross-talk fail']);
    expect(out[1]?.message).toMatch(/an answer with id null cannot be told from another check's; rerun with --concurrency 1 \(it would have said: answered with -32700\)/);
    // Without cross-talk, nothing is demoted.
    expect(withCrossTalk(checks.slice(1), { revisions: ['2025-11-25'], transport: 'sse' }).map((c) => c.verdict)).toEqual(['fail', 'fail', 'pass']);
  });

  it('--concurrency N splits into at most 2 worker processes', () => {
    expect(vitestConcurrency(1)).toEqual({ workers: 1, perWorker: 1 });
    expect(vitestConcurrency(2)).toEqual({ workers: 2, perWorker: 1 });
    expect(vitestConcurrency(6)).toEqual({ workers: 2, perWorker: 3 });
    expect(vitestConcurrency(7)).toEqual({ workers: 2, perWorker: 3 });
  });
});

describe('schema/valid-messages groups one defect repeated', () => {
  const REV: Revision = '2025-11-25';
  let n = 0;
  const lister = (times: number): CheckDef => ({
    meta: checkMeta({ id: `test/lister-${++n}`, title: 't', level: 'MUST', requirement: 'r', spec: { [REV]: 'server/tools' } }),
    body: async (t) => {
      const c = await t.session();
      for (let i = 0; i < times; i++) await c.request('tools/list');
    },
  });

  it('60 messages with one defect: one row with count 60, naming the checks and wire logs where they were', async () => {
    const out = tempDir('grouped');
    // The fixture's schema break lists a tool without inputSchema: every tools/list answer has the same defect.
    const cfg = runConfig({ kind: 'stdio', command: 'fixture', args: [] }, [REV], { ...TIMEOUTS, outDir: out, open: () => fixtureTransport({ break: 'schema/valid-messages' }) });
    const [a, b] = await Promise.all([runCheck(lister(45), REV, cfg), runCheck(lister(15), REV, cfg)]);
    // Per check: one row, counted.
    expect(a.violations?.map((v) => [v.type, v.pointer, v.count])).toEqual([['ListToolsResult', expect.stringContaining('/result/tools/0'), 45]]);
    expect(b.violations?.[0]?.count).toBe(15);
    const [agg] = validMessagesResults([a, b], [REV]);
    expect(agg?.verdict).toBe('fail');
    expect(agg?.violations).toHaveLength(1);
    const v = agg!.violations![0]!;
    expect(v).toMatchObject({ dir: 'recv', type: 'ListToolsResult', count: 60 });
    expect(v.pointer).toContain('/result/tools/0');
    expect(v.at).toEqual([
      { check: a.id, revision: REV, wireLog: a.wireLog, count: 45 },
      { check: b.id, revision: REV, wireLog: b.wireLog, count: 15 },
    ]);
    expect(agg?.message).toMatch(/^60 schema violation\(s\), 1 distinct, in messages the server sent: 60× ListToolsResult \/result\/tools\/0/);
    expect(agg?.message).toContain(`during ${a.id} and 1 other check(s)`);
    expect(agg?.evidence).toHaveLength(1);
    expect(validateCheckResult(agg).valid).toBe(true);
  }, 60_000);
});
