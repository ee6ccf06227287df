// The harness itself: verdict mapping by level, timeouts, budget, stop file, capability gating,
// evidence, wire logs, and that every check cites spec pages and anchors that exist.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REVISIONS, type Revision } from '../../schema/index.ts';
import { validateCheckResult, type CheckResult, type Results } from '../../reports/index.ts';
import { CROSS_TALK, VALID_MESSAGES, checkMeta, checksWith, definedChecks, finishResults, matchesGlob, runCheck, runConfig, selected, validMessagesResults, wireLogPath, type CheckBody, type CheckDef, type RunConfig } from '../../suites/harness/index.ts';
import { fixtureTransport } from '../fixtures/servers/fixture-server.ts';
import { RewritingTransport } from '../fixtures/servers/stateless-server.ts';
import { createMemoryPair, createMockServer, tool } from '../../mock-server/index.ts';
import { tempDir } from '../cli/server-helpers.ts';
import './fixture.ts'; // defines the server checks

const REV: Revision = '2025-11-25';

function cfg(over: Partial<RunConfig> = {}): RunConfig {
  return runConfig({ kind: 'stdio', command: 'fixture', args: [] }, [REV], { requestTimeoutMs: 3_000, startupMs: 3_000, checkTimeoutMs: 8_000, quietMs: 50, open: () => fixtureTransport({}), ...over });
}

let n = 0;
function def(level: 'MUST' | 'SHOULD' | 'MAY', body: CheckBody, requires?: string, timely?: boolean): CheckDef {
  n++;
  const spec = { id: `test/check-${n}`, title: 't', level, requirement: 'r', spec: { [REV]: 'basic/utilities/ping' }, ...(timely ? { timely } : {}) };
  return { meta: checkMeta(requires ? { ...spec, requires } : spec), body };
}

describe('messages/invalid-params cites the page of the method it probed', () => {
  /** A server with tools only (no prompts, resources, logging): tools/call is probed. `wrongCode`: -32603 instead of -32602. */
  const toolsOnly = (wrongCode: boolean) => () => {
    const [client, end] = createMemoryPair();
    const rewrite = (m: Record<string, unknown>) => {
      const e = m.error as { code?: unknown } | undefined;
      return [wrongCode && e?.code === -32602 ? { ...m, error: { ...e, code: -32603 } } : m];
    };
    void createMockServer({ revisions: [REV] }, tool('echo', { result: 'e' })).connect(new RewritingTransport(end, { outgoing: rewrite }));
    return client;
  };
  const run = (open: RunConfig['open']) => runCheck(definedChecks().find((d) => d.meta.id === 'messages/invalid-params')!, REV, cfg({ open }));
  const page = (p: string) => `https://modelcontextprotocol.io/specification/${REV}/${p}#error-handling`;
  it('tools/call on a server without prompts: the tools page, passing or warning', async () => {
    const [good, bad] = await Promise.all([run(toolsOnly(false)), run(toolsOnly(true))]);
    expect([good.verdict, good.specUrl]).toEqual(['pass', page('server/tools')]);
    expect([bad.verdict, bad.specUrl]).toEqual(['warn', page('server/tools')]);
    expect(bad.message).toMatch(/tools\/call with invalid params was answered with error code -32603/);
  });
  it('prompts/get on a server with prompts: the prompts page, passing or warning', async () => {
    const [good, bad] = await Promise.all([run(() => fixtureTransport({})), run(() => fixtureTransport({ break: 'messages/invalid-params' }))]);
    expect([good.verdict, good.specUrl]).toEqual(['pass', page('server/prompts')]);
    expect([bad.verdict, bad.specUrl]).toEqual(['warn', page('server/prompts')]);
  });
});

describe('a server that stops answering ping (the liveness probe after notifications, after a batch)', () => {
  const noPing = () => {
    const [client, end] = createMemoryPair();
    void createMockServer({ revisions: [REV] }).connect(new RewritingTransport(end, { outgoing: (m, req) => (req?.method === 'ping' ? [] : [m]) }));
    return client;
  };
  const run = (id: string) => runCheck(definedChecks().find((d) => d.meta.id === id)!, REV, cfg({ requestTimeoutMs: 500, open: noPing }));
  it('leaves messages/no-response-to-notification not verified (answering is not its requirement), and breaks messages/batch-removed (it is)', async () => {
    const [notif, batch] = await Promise.all([run('messages/no-response-to-notification'), run('messages/batch-removed')]);
    expect([notif.verdict, notif.message]).toEqual(['not-verified', expect.stringMatching(/^timed out: ping after notifications: ping \(id \d+\): no answer within 500 ms$/)]);
    expect([batch.verdict, batch.message]).toEqual(['warn', expect.stringMatching(/^the server stopped serving after a batch: ping \(id \d+\): no answer within 500 ms$/)]);
  });
});

describe('runCheck', () => {
  it('maps a failed expectation by level: MUST fail, SHOULD warn, MAY info; with evidence', async () => {
    const body: CheckBody = async (t) => {
      const c = await t.session();
      const r = await c.request('ping');
      t.expect(false, 'nope', r);
    };
    const [must, should, may] = await Promise.all([runCheck(def('MUST', body), REV, cfg()), runCheck(def('SHOULD', body), REV, cfg()), runCheck(def('MAY', body), REV, cfg())]);
    expect([must.verdict, should.verdict, may.verdict]).toEqual(['fail', 'warn', 'info']);
    expect(must.message).toBe('nope');
    // The evidence is the ping exchange: the request sent and its answer.
    expect(must.evidence?.map((e) => e.dir)).toEqual(['send', 'recv']);
    expect(must.specUrl).toBe(`https://modelcontextprotocol.io/specification/${REV}/basic/utilities/ping`);
    expect(validateCheckResult(must).valid).toBe(true);
  });

  it('passes, or ends as the body says: not-applicable, not-verified, warn findings', async () => {
    const results = await Promise.all([
      runCheck(def('MUST', async () => {}), REV, cfg()),
      runCheck(def('MUST', (t) => t.notApplicable('no such thing')), REV, cfg()),
      runCheck(def('MUST', (t) => t.notVerified('cannot tell')), REV, cfg()),
      runCheck(def('MUST', (t) => t.warn('meh')), REV, cfg()),
    ]);
    expect(results.map((r) => [r.verdict, r.message])).toEqual([
      ['pass', ''],
      ['not-applicable', 'no such thing'],
      ['not-verified', 'cannot tell'],
      ['warn', 'meh'],
    ]);
  });

  it('a body that hangs is not verified (the target stopped answering), a failure only for a timely check; its connections are closed', async () => {
    const closed: boolean[] = [];
    const body =
      (i: number): CheckBody =>
      async (t) => {
        const c = await t.session();
        c.peer.onclose = () => (closed[i] = true);
        await new Promise(() => {});
      };
    const [plain, timely] = await Promise.all([runCheck(def('MUST', body(0)), REV, cfg({ checkTimeoutMs: 300 })), runCheck(def('MUST', body(1), undefined, true), REV, cfg({ checkTimeoutMs: 300 }))]);
    expect([plain.verdict, timely.verdict]).toEqual(['not-verified', 'fail']);
    expect(plain.message).toMatch(/did not finish within 300 ms/);
    expect(timely.message).toMatch(/did not finish within 300 ms/);
    expect(closed).toEqual([true, true]);
  });

  it('an unanswered request leaves a check not verified, saying what timed out after how long; a timely check fails (by level)', async () => {
    const body: CheckBody = async (t) => void (await (await t.connect()).request('ping', undefined, { timeoutMs: 100 }));
    const hang = cfg({ open: () => fixtureTransport({ mode: 'hang' }) });
    const [plain, timely] = await Promise.all([runCheck(def('MUST', body), REV, hang), runCheck(def('SHOULD', body, undefined, true), REV, hang)]);
    // Each connection numbers its requests in a range of its own (cross-talk detection): any id.
    expect(plain.verdict).toBe('not-verified');
    expect(plain.message).toMatch(/^timed out: ping \(id \d+\): no answer within 100 ms$/);
    expect(timely.verdict).toBe('warn');
    expect(timely.message).toMatch(/ping .*no answer within 100 ms/);
    // t.response (a response awaited by predicate) follows the same rule.
    const awaited: CheckBody = async (t) => {
      const c = await t.connect();
      await t.exchange(c, { jsonrpc: '2.0', id: 'x', method: 'ping' }, 'a ping', undefined);
    };
    const fast = cfg({ requestTimeoutMs: 100, open: () => fixtureTransport({ mode: 'hang' }) });
    const [p2, t2] = await Promise.all([runCheck(def('MUST', awaited), REV, fast), runCheck(def('MUST', awaited, undefined, true), REV, fast)]);
    expect([p2.verdict, p2.message]).toEqual(['not-verified', 'timed out: no answer to a ping within 100 ms']);
    expect([t2.verdict, t2.message]).toEqual(['fail', 'no answer to a ping within 100 ms']);
  });

  it('gates on a capability the server lacks: not-applicable before the body runs', async () => {
    let ran = false;
    const r = await runCheck(def('MUST', () => void (ran = true), 'server.completions'), REV, cfg());
    expect(r.verdict).toBe('not-applicable');
    expect(r.message).toMatch(/does not declare the capability completions/);
    expect(ran).toBe(false);
    const ok = await runCheck(def('MUST', () => void (ran = true), 'server.tools'), REV, cfg());
    expect([ok.verdict, ran]).toEqual(['pass', true]);
  });

  it('applies a check\'s transports before gating or connecting: not applicable elsewhere, with the reason the body guards gave', async () => {
    let opened = 0;
    const counting = cfg({ open: () => (opened++, fixtureTransport({})) });
    let ran = false;
    // Gated on a capability the fixture lacks: a gate run first would say so instead.
    const about = (transports: ('stdio' | 'http' | 'sse')[], requires = 'server.completions'): CheckDef => ({ meta: { ...def('MUST', () => {}).meta, requires, transports }, body: () => void (ran = true) });
    const http = await runCheck(about(['http']), REV, counting);
    expect([http.verdict, http.message]).toEqual(['not-applicable', 'the target is not reached over Streamable HTTP (it is a stdio target)']);
    const sse = await runCheck(about(['sse']), REV, counting);
    expect(sse.message).toBe('the target is not reached over the legacy HTTP+SSE transport (it is a stdio target)');
    const memory = await runCheck(about(['stdio']), REV, { ...counting, target: { kind: 'memory', connect: () => fixtureTransport({}) } });
    expect([memory.verdict, memory.message]).toEqual(['not-applicable', 'the target does not use the stdio transport']);
    expect([ran, opened]).toEqual([false, 0]);
    // On its own transport the check gates and runs as any other.
    const stdio = await runCheck(about(['stdio'], 'server.tools'), REV, counting);
    expect([stdio.verdict, ran, opened > 0]).toEqual(['pass', true, true]);
  });

  it('checksWith gives every check of a file its defaults, which a check may override', () => {
    const withStdio = checksWith({ transports: ['stdio'], requires: 'server.tools' });
    const a = withStdio({ id: 'test/with-defaults', title: 't', level: 'MUST', requirement: 'Receivers MUST respond', spec: { [REV]: 'basic/utilities/ping' } }, () => {});
    const b = withStdio({ id: 'test/with-override', title: 't', level: 'MUST', requirement: 'Receivers MUST respond', spec: { [REV]: 'basic/utilities/ping' }, transports: ['http'] }, () => {});
    expect([a.meta.transports, a.meta.requires, b.meta.transports, b.meta.requires]).toEqual([['stdio'], 'server.tools', ['http'], 'server.tools']);
  });

  it('respects the budget and the stop file', async () => {
    const late = await runCheck(def('MUST', async () => {}), REV, cfg({ deadline: Date.now() - 1 }));
    expect([late.verdict, late.message]).toEqual(['not-verified', 'not run: the run budget was exhausted']);
    const cut = await runCheck(def('MUST', () => new Promise(() => {})), REV, cfg({ deadline: Date.now() + 200 }));
    expect(cut.verdict).toBe('not-verified');
    expect(cut.message).toMatch(/budget ran out/);
    const stop = join(tempDir('stop'), 'stop');
    writeFileSync(stop, '');
    const stopped = await runCheck(def('MUST', async () => {}), REV, cfg({ stopFile: stop }));
    expect([stopped.verdict, stopped.message]).toEqual(['not-verified', 'not run: the run was interrupted']);
  });

  it('writes the wire log under a sanitised name and records the target\'s schema violations', async () => {
    const out = tempDir('wire');
    const r = await runCheck(
      def('MUST', async (t) => {
        const c = await t.session();
        await c.request('tools/list');
      }),
      REV,
      cfg({ outDir: out, open: () => fixtureTransport({ break: 'schema/valid-messages' }) }),
    );
    expect(r.verdict).toBe('pass');
    expect(r.wireLog).toBe(wireLogPath(r.id, REV));
    expect(r.wireLog).toMatch(/^wire\/test_check-\d+@2025-11-25\.jsonl$/);
    const lines = readFileSync(join(out, r.wireLog as string), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { dir: string });
    expect(lines.filter((l) => l.dir === 'send').length).toBeGreaterThanOrEqual(3); // initialize, initialized, tools/list
    expect(r.violations?.[0]).toMatchObject({ dir: 'recv', pointer: expect.stringContaining('/result/tools/0') });
    const [agg] = validMessagesResults([r], [REV]);
    expect(agg?.verdict).toBe('fail');
    expect(agg?.message).toContain(`during ${r.id}`);
    expect(agg?.message).toContain('/result/tools/0');
  });
});

describe('run-level results', () => {
  it('finishResults adds schema/valid-messages per revision and recounts', () => {
    const check: CheckResult = { id: 'a/b', title: 't', level: 'MUST', revision: REV, verdict: 'pass', message: '', requirement: '', specUrl: null, durationMs: 1, wireLog: null };
    const base: Results = {
      format: 'mcp-conform/results',
      formatVersion: 1,
      tool: { name: 'x', version: '1' },
      mode: 'server',
      target: { description: 'd', transport: 'stdio' },
      revisions: [REV],
      startedAt: '',
      endedAt: '',
      errors: [],
      counts: { total: 1, passed: 1, failed: 0, warned: 0, info: 0, notApplicable: 0, notVerified: 0 },
      checks: [check],
    };
    const r = finishResults(base, [REV]);
    expect(r.checks.map((c) => c.id)).toEqual(['a/b', 'schema/valid-messages']);
    expect(r.counts.total).toBe(2);
  });

  it('selects checks by id, area or glob', () => {
    expect(matchesGlob('lifecycle/version-same', 'lifecycle')).toBe(true);
    expect(matchesGlob('lifecycle/version-same', 'lifecycle/version-*')).toBe(true);
    expect(matchesGlob('lifecycle/version-same', 'life')).toBe(false);
    expect(matchesGlob('a/b/c', 'a/*')).toBe(false);
    expect(matchesGlob('a/b/c', 'a/**')).toBe(true);
    expect(selected('ping/response', { only: ['ping'], skip: ['ping/response'] })).toBe(false);
  });
});

describe('check metadata', () => {
  const specRoot = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'mcp-spec');
  const slug = (heading: string) =>
    heading
      .trim()
      .toLowerCase()
      .replace(/`/g, '')
      .replace(/[^a-z0-9 _-]/g, '')
      .replace(/ /g, '-');

  // Reads the spec pages in ../shared/mcp-spec (CI has them beside the clone); elsewhere there is nothing to read.
  it.skipIf(!existsSync(specRoot))('cites spec pages and anchors that exist, at every revision it applies to', () => {
    const problems: string[] = [];
    // The run-level checks too (schema/valid-messages, transport/cross-talk).
    for (const { meta } of [...definedChecks(), { meta: VALID_MESSAGES }, { meta: CROSS_TALK }]) {
      if (!meta.requirement.includes(meta.level === 'MUST' ? 'MUST' : meta.level)) problems.push(`${meta.id}: the requirement does not say ${meta.level}`);
      for (const rev of meta.revisions) {
        expect(REVISIONS).toContain(rev);
        const ref = meta.spec[rev];
        if (!ref) {
          problems.push(`${meta.id} [${rev}]: no spec page`);
          continue;
        }
        const [page, anchor] = ref.split('#') as [string, string | undefined];
        const file = [join(specRoot, rev, 'docs', `${page}.mdx`), join(specRoot, rev, 'docs', page, 'index.mdx')].find(existsSync);
        if (!file) {
          problems.push(`${meta.id} [${rev}]: no page ${page}`);
          continue;
        }
        const text = readFileSync(file, 'utf8');
        if (anchor && !text.split('\n').some((l) => /^#{1,6} /.test(l) && slug(l.replace(/^#+ /, '')) === anchor)) problems.push(`${meta.id} [${rev}]: no heading #${anchor} in ${page}`);
        if (!/\*\*(MUST|SHOULD|MAY)/.test(text)) problems.push(`${meta.id} [${rev}]: ${page} states no requirement`);
      }
    }
    expect(problems).toEqual([]);
  });
});
