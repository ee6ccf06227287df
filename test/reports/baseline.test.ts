import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyBaseline, BaselineError, exitCodeFor, globToRegExp, loadBaseline, parseBaseline, validateResults } from '../../reports/index.ts';
import { check, sampleResults } from './sample.ts';

describe('parseBaseline', () => {
  it('reads the official sections and entry forms, and ours', () => {
    const b = parseBaseline(
      ['server:', '  - tools-call-simple-text', '  - auth/basic-dcr:some-check', '  - tools/*', '  - lifecycle/initialize-result@2025-06-18', 'client:', '  - initialize', 'fuzz:'].join('\n'),
      'b.yml',
    );
    expect(b.source).toBe('b.yml');
    expect(b.sections.server).toEqual([
      { text: 'tools-call-simple-text', pattern: 'tools-call-simple-text' },
      { text: 'auth/basic-dcr:some-check', scenario: 'auth/basic-dcr', pattern: 'some-check' },
      { text: 'tools/*', pattern: 'tools/*' },
      { text: 'lifecycle/initialize-result@2025-06-18', pattern: 'lifecycle/initialize-result', revision: '2025-06-18' },
    ]);
    expect(b.sections.client).toEqual([{ text: 'initialize', pattern: 'initialize' }]);
    expect(b.sections.fuzz).toBeUndefined();
    expect(parseBaseline('')).toEqual({ source: 'baseline', sections: {} });
  });

  it('rejects what it cannot read, saying why', () => {
    expect(() => parseBaseline('- a')).toThrow(BaselineError);
    expect(() => parseBaseline('sever: [a]')).toThrow(/unknown section 'sever'/);
    expect(() => parseBaseline('server: a')).toThrow(/must be a list/);
    expect(() => parseBaseline('server:\n  - scenario: check')).toThrow(/no space after the colon/);
    expect(() => parseBaseline('server: [":x"]')).toThrow(/both sides/);
    expect(() => parseBaseline('server: ["a/b@1999-01-01"]')).toThrow(/not a known revision/);
    expect(() => parseBaseline('server: [[')).toThrow(/not valid YAML/);
  });

  it('globs: * within a segment, ** across', () => {
    expect(globToRegExp('tools/*').test('tools/call')).toBe(true);
    expect(globToRegExp('tools/*').test('tools/call/deep')).toBe(false);
    expect(globToRegExp('tools/**').test('tools/call/deep')).toBe(true);
    expect(globToRegExp('a.b/c+?').test('a.b/c+x')).toBe(true);
    expect(globToRegExp('a.b/*').test('axb/c')).toBe(false);
  });
});

describe('applyBaseline', () => {
  // sample: lifecycle/version-negotiation fails, tools/call-unknown-tool warns, the rest pass or skip.
  const apply = (yaml: string, warningsFail?: boolean) =>
    applyBaseline(sampleResults(), parseBaseline(yaml, 'b.yml'), warningsFail === undefined ? {} : { warningsFail });

  it('marks listed failures expected without changing verdicts, and exits 0', () => {
    const r = apply('server: [lifecycle/version-negotiation, tools/call-unknown-tool]');
    expect(r.newFailures).toEqual([]);
    expect(r.expectedFailures).toEqual(['lifecycle/version-negotiation', 'tools/call-unknown-tool']);
    expect(r.staleEntries).toEqual([]);
    const failing = r.results.checks.find((c) => c.id === 'lifecycle/version-negotiation');
    expect(failing).toMatchObject({ verdict: 'fail', expected: true });
    expect(r.results.checks.filter((c) => c.expected).length).toBe(2);
    expect(r.results.counts).toEqual(sampleResults().counts);
    expect(exitCodeFor(r.results)).toBe(0);
    expect(validateResults(r.results).errors).toEqual([]);
  });

  it('reports unlisted failures as new (warnings too, as the official suite does) and exits 1', () => {
    const r = apply('server: [lifecycle/version-negotiation]');
    expect(r.newFailures).toEqual(['tools/call-unknown-tool@2025-11-25']);
    expect(exitCodeFor(r.results)).toBe(1);
    const lenient = apply('server: [lifecycle/version-negotiation]', false);
    expect(lenient.newFailures).toEqual([]);
    expect(exitCodeFor(lenient.results)).toBe(0);
  });

  it('reports entries whose checks now pass as stale, marks them, and exits 1', () => {
    const r = apply('server: [lifecycle/*, tools/call-unknown-tool, lifecycle/initialize-result@2025-06-18]');
    expect(r.expectedFailures).toEqual(['lifecycle/*', 'tools/call-unknown-tool']);
    expect(r.staleEntries).toEqual(['lifecycle/initialize-result@2025-06-18']);
    const stale = r.results.checks.filter((c) => c.stale).map((c) => `${c.id}@${c.revision}`);
    expect(stale).toEqual(['lifecycle/initialize-result@2025-06-18']);
    expect(exitCodeFor(r.results)).toBe(1);
  });

  it('treats a bare area like a scenario, and says nothing for checks that did not run or apply', () => {
    const r = apply('server: [lifecycle, tools/list-pagination, tools/list-changed, tools/call-unknown-tool, no-such-scenario, "x:tools/call-unknown-tool"]');
    expect(r.expectedFailures).toEqual(['lifecycle', 'tools/call-unknown-tool']);
    expect(r.staleEntries).toEqual([]);
    expect(r.unmatchedEntries).toEqual(['no-such-scenario', 'x:tools/call-unknown-tool']);
    expect(exitCodeFor(r.results)).toBe(0);
  });

  it('uses the section of the run mode, and re-applying starts afresh', () => {
    const client = apply('client: [lifecycle/version-negotiation, tools/call-unknown-tool]');
    expect(client.newFailures).toHaveLength(2);
    const once = apply('server: [lifecycle/version-negotiation, tools/call-unknown-tool]').results;
    const again = applyBaseline(once, parseBaseline('server: []'));
    expect(again.results.checks.some((c) => c.expected)).toBe(false);
  });

  it('a passing check listed by id alone is stale; absent ones are unmatched', () => {
    const results = sampleResults({ checks: [check('tools/a', 'pass'), check('tools/a', 'fail', { revision: '2025-06-18' })] });
    const r = applyBaseline(results, parseBaseline('server: [tools/a, tools/a@2025-11-25]'));
    expect(r.expectedFailures).toEqual(['tools/a']);
    expect(r.staleEntries).toEqual(['tools/a@2025-11-25']);
  });

  it('loadBaseline reads a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcp-conform-baseline-'));
    try {
      const file = join(dir, 'expected.yml');
      await writeFile(file, 'server:\n  - tools/*\n');
      expect((await loadBaseline(file)).sections.server).toEqual([{ text: 'tools/*', pattern: 'tools/*' }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
