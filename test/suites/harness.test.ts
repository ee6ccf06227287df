// The harness itself: verdict mapping by level, timeouts, budget, stop file, capability gating,
// evidence, wire logs, and that every check cites spec pages and anchors that exist.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REVISIONS, type Revision } from '../../schema/index.ts';
import { validateCheckResult, type CheckResult, type Results } from '../../reports/index.ts';
import { CROSS_TALK, VALID_MESSAGES, checkMeta, definedChecks, finishResults, matchesGlob, runCheck, runConfig, selected, validMessagesResults, wireLogPath, type CheckBody, type CheckDef, type RunConfig } from '../../suites/harness/index.ts';
import { fixtureTransport } from '../fixtures/servers/fixture-server.ts';
import { tempDir } from '../cli/server-helpers.ts';
import './fixture.ts'; // defines the server checks

const REV: Revision = '2025-11-25';

function cfg(over: Partial<RunConfig> = {}): RunConfig {
  return runConfig({ kind: 'stdio', command: 'fixture', args: [] }, [REV], { requestTimeoutMs: 3_000, startupMs: 3_000, checkTimeoutMs: 8_000, quietMs: 50, open: () => fixtureTransport({}), ...over });
}

let n = 0;
function def(level: 'MUST' | 'SHOULD' | 'MAY', body: CheckBody, requires?: string): CheckDef {
  n++;
  const spec = { id: `test/check-${n}`, title: 't', level, requirement: 'r', spec: { [REV]: 'basic/utilities/ping' } };
  return { meta: checkMeta(requires ? { ...spec, requires } : spec), body };
}

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

  it('turns a body that hangs into a timeout failure and closes its connections', async () => {
    let closed = false;
    const r = await runCheck(
      def('MUST', async (t) => {
        const c = await t.session();
        c.peer.onclose = () => (closed = true);
        await new Promise(() => {});
      }),
      REV,
      cfg({ checkTimeoutMs: 300 }),
    );
    expect(r.verdict).toBe('fail');
    expect(r.message).toMatch(/did not finish within 300 ms/);
    expect(closed).toBe(true);
  });

  it('reports an unanswered request as a failure (by level) with the error text', async () => {
    const hung = await runCheck(def('SHOULD', async (t) => void (await (await t.connect()).request('ping', undefined, { timeoutMs: 100 }))), REV, cfg({ open: () => fixtureTransport({ mode: 'hang' }) }));
    expect(hung.verdict).toBe('warn');
    expect(hung.message).toMatch(/TimeoutError: ping .*no answer within 100 ms/);
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
