// `mcp-conform report` (re-render a saved results.json), --fail-on and --write-baseline (shared by
// server, client and report), --shard's split. The rules are tested as functions; three CLI runs
// prove the command's plumbing (each costs a few seconds of CPU).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, prop } from '../helpers/prop.ts';
import { describe, expect, it } from 'vitest';
import { applyBaseline, exitCodeFor, parseBaseline, REASON_PLACEHOLDER, renderBaseline, validateResults, type Results } from '../../reports/index.ts';
import { exitFor, gated, planReports, ReportOptionError } from '../../cli/report-options.ts';
import { mergeResults } from '../../cli/report.ts';
import { parseShard, shardIds } from '../../cli/shard.ts';
import { UsageError } from '../../cli/common.ts';
import { runAllEntries } from '../../cli/server-all.ts';
import { arbResults, check, sampleResults } from '../reports/sample.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'mcp-conform-report-'));
const warnOnly = () => sampleResults({ checks: sampleResults().checks.filter((c) => c.verdict !== 'fail') });

describe('--fail-on', () => {
  it('must fails on a MUST only, should on a SHOULD too, never on nothing', () => {
    expect([exitCodeFor(sampleResults(), 'must'), exitCodeFor(sampleResults(), 'should'), exitCodeFor(sampleResults(), 'never')]).toEqual([1, 1, 0]);
    expect([exitCodeFor(warnOnly(), 'must'), exitCodeFor(warnOnly(), 'should'), exitCodeFor(warnOnly(), 'never')]).toEqual([0, 1, 0]);
    expect(exitCodeFor(warnOnly())).toBe(0);
  });

  it('with a baseline: a warning counts by default and with should, not with must', async () => {
    const baseline = parseBaseline('server:\n  - lifecycle/version-negotiation\n', 'b.yml');
    const r = warnOnly();
    expect(exitFor(gated(r, { formats: [], baseline }), {})).toBe(1);
    expect(exitFor(gated(r, { formats: [], baseline, failOn: 'should' }), { failOn: 'should' })).toBe(1);
    expect(exitFor(gated(r, { formats: [], baseline, failOn: 'must' }), { failOn: 'must' })).toBe(0);
    await expect(planReports({ format: 'json', failOn: 'sometimes' })).rejects.toThrow(ReportOptionError);
  });
});

describe('--write-baseline', () => {
  it('lists each failing and warning check with a reason placeholder, and applied to the same run finds nothing new or stale', () => {
    const r = sampleResults({ checks: [...sampleResults().checks, check('tools/partly', 'fail'), check('tools/partly', 'pass', { revision: '2025-06-18' })] });
    const text = renderBaseline(r, new Date('2026-01-01T00:00:00Z'));
    const b = parseBaseline(text, 'written.yml');
    expect(b.sections.server?.map((e) => e.text)).toEqual(['lifecycle/version-negotiation', 'tools/call-unknown-tool', 'tools/partly@2025-11-25']);
    expect(text.split('\n').filter((l) => l.startsWith('  - ')).every((l) => l.includes(`# ${REASON_PLACEHOLDER}`))).toBe(true);
    const applied = applyBaseline(r, b);
    expect([applied.newFailures, applied.staleEntries, exitCodeFor(applied.results)]).toEqual([[], [], 0]);
    expect(renderBaseline(sampleResults({ checks: [check('a/b', 'pass')] }))).toMatch(/\nserver: \[\]\n$/);
  });

  const realistic = arbResults.map((r) => ({ ...r, checks: r.checks.map((c, i) => ({ ...c, id: `area${i % 3}/check-${c.id.length % 5}` })) }));
  prop([realistic])('holds for any run', (r) => {
    const applied = applyBaseline(r, parseBaseline(renderBaseline(r), 'w.yml'));
    expect(applied.newFailures).toEqual([]);
    expect(applied.staleEntries).toEqual([]);
  });

  it('is refused with --all (every entry would write the one file)', async () => {
    const o = { revision: 'all', only: [], skip: [], out: dir, timeout: '5000', env: [], header: [], config: 'x.json', all: true, writeBaseline: 'b.yml' };
    await expect(runAllEntries(o, [], { out: process.stdout, err: process.stderr }, async () => 0)).rejects.toThrow(/--write-baseline writes the failures of one server/);
  });
});

describe('--shard', () => {
  it('i/n with 1 ≤ i ≤ n', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/2', '3/2', '1/0', '1', 'a/b', '1/2/3']) expect(() => parseShard(bad)).toThrow(UsageError);
  });

  prop([fc.uniqueArray(fc.string(), { maxLength: 40 }), fc.integer({ min: 1, max: 8 })])('the shards cut the list into n contiguous parts, sizes within one', (ids, count) => {
    const parts = Array.from({ length: count }, (_, i) => shardIds(ids, { index: i + 1, count }));
    expect(parts.flat()).toEqual(ids);
    const sizes = parts.map((p) => p.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });
});

describe('mergeResults', () => {
  it('joins the checks, recomputes the run-wide ones, and says so when shards overlap', async () => {
    const r = sampleResults();
    const [a, b] = [r.checks.slice(0, 3), r.checks.slice(3)];
    const part = (checks: Results['checks'], startedAt: string, endedAt: string): Results => ({ ...r, checks, startedAt, endedAt, errors: [] });
    const merged = await mergeResults([part(a, '2026-01-01T00:00:01Z', '2026-01-01T00:00:05Z'), part(b, '2026-01-01T00:00:00Z', '2026-01-01T00:00:04Z')]);
    expect(merged.checks.filter((c) => c.id !== 'schema/valid-messages').map((c) => `${c.id}@${c.revision}`).sort()).toEqual(r.checks.map((c) => `${c.id}@${c.revision}`).sort());
    expect(merged.checks.filter((c) => c.id === 'schema/valid-messages').map((c) => c.revision)).toEqual(r.revisions);
    expect([merged.startedAt, merged.endedAt]).toEqual(['2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z']);
    expect(merged.counts.total).toBe(merged.checks.length);
    expect(validateResults(merged).valid).toBe(true);
    const twice = await mergeResults([part(a, r.startedAt, r.endedAt), part(a, r.startedAt, r.endedAt)], ['x', 'y']);
    expect(twice.errors.some((e) => e.includes('is in x and y'))).toBe(true);
    await expect(mergeResults([r, { ...r, mode: 'client' }])).rejects.toThrow(UsageError);
  });

  it('judges the hosts again over every shard: an OAuth host rule (shard 1) agrees with the auth checks of another shard', async () => {
    const { hosts: _sampleHosts, ...r } = sampleResults({ checks: [] });
    const one: Results = { ...r, checks: [check('hosts/claude-ai/oauth', 'pass'), check('hosts/claude-ai/oauth-dcr', 'pass')], hosts: [{ host: 'claude-ai', works: true, summary: 'works with Claude.ai', failingChecks: [] }] };
    const two: Results = { ...r, checks: [check('auth/challenge', 'pass'), check('auth/prm-document', 'fail', { message: 'the metadata at X names resource "Y", not this server' }), check('auth/authorization-servers-resolve', 'not-verified')] };
    const merged = await mergeResults([one, two]);
    expect(merged.checks.find((c) => c.id === 'hosts/claude-ai/oauth')).toMatchObject({ verdict: 'fail', message: expect.stringContaining('auth/prm-document fails at 2025-11-25') });
    expect(merged.hosts).toEqual([expect.objectContaining({ host: 'claude-ai', works: false, failingChecks: ['hosts/claude-ai/oauth'] })]);
    expect(merged.counts.failed).toBe(merged.checks.filter((c) => c.verdict === 'fail').length);
    expect(validateResults(merged).valid).toBe(true);
  });
});

describe('mcp-conform report', () => {
  it('re-renders a saved results.json, writes a baseline, and exits by --fail-on and the baseline', async () => {
    const saved = join(dir, 'saved');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(saved);
    writeFileSync(join(saved, 'results.json'), JSON.stringify(warnOnly()));
    const out = join(dir, 'rendered');
    const baseline = join(dir, 'b', 'baseline.yml');
    const first = await cli(['report', saved, '--format', 'markdown,junit', '--out', out, '--fail-on', 'should', '--write-baseline', baseline]);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stdout).toContain('tools/call-unknown-tool');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('tools/call-unknown-tool');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('<testsuites');
    expect(readFileSync(baseline, 'utf8')).toContain(`"tools/call-unknown-tool"  # ${REASON_PLACEHOLDER}`);

    const again = await cli(['report', join(saved, 'results.json'), '--baseline', baseline]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('1 expected, 0 new, 0 stale');

    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ format: 'something else' }));
    const bad = await cli(['report', join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not an mcp-conform results file');
  }, 90_000);
});
