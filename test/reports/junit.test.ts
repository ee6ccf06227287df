import { describe, expect, it } from 'vitest';
import { prop } from '../helpers/prop.ts';
import { applyBaseline, escapeXmlAttr, escapeXmlText, parseBaseline, renderJUnit } from '../../reports/index.ts';
import { arbResults, NASTY, sampleResults } from './sample.ts';
import { all, parseXml } from './xml.ts';

describe('escapeXmlText / escapeXmlAttr', () => {
  it('escapes the markup characters', () => {
    expect(escapeXmlText(`a<b>&c"d'e`)).toBe(`a&lt;b&gt;&amp;c"d'e`);
    expect(escapeXmlAttr(`a<b>&c"d'e`)).toBe('a&lt;b&gt;&amp;c&quot;d&apos;e');
  });
  it('keeps newlines in attributes and shows characters XML cannot hold', () => {
    expect(escapeXmlAttr('a\nb\tc')).toBe('a&#10;b&#9;c');
    expect(escapeXmlText('x\u0000y\u001bz\uFFFF')).toBe('x\\u0000y\\u001bz\\uffff');
    expect(escapeXmlText('lone \uD800 high, pair \uD83D\uDE00 ok')).toBe('lone \\ud800 high, pair \uD83D\uDE00 ok');
  });
  it('round-trips through a strict parser', () => {
    const doc = parseXml(`<r a="${escapeXmlAttr(NASTY)}">${escapeXmlText(NASTY)}</r>`);
    expect(doc.attributes.a).toContain('<script>alert("x")</script>');
    expect(doc.text).toContain(`<script>alert("x")</script> & 'quotes'`);
  });
});

describe('renderJUnit', () => {
  const doc = parseXml(renderJUnit(sampleResults()));

  it('has one testsuite per area and one testcase per check × revision', () => {
    expect(doc.name).toBe('testsuites');
    const suites = all(doc, 'testsuite').map((s) => s.attributes.name);
    expect(suites).toEqual(['lifecycle', 'logging', 'tools', 'mcp-conform run']);
    const names = all(doc, 'testcase').map((t) => t.attributes.name);
    expect(names).toContain('lifecycle/initialize-result [2025-06-18]');
    expect(names).toContain('lifecycle/initialize-result [2025-11-25]');
    expect(names).toContain('logging/set-level');
  });

  it('marks fail as failure, n/a and not-verified as skipped, and counts them', () => {
    expect(doc.attributes).toMatchObject({ tests: '8', failures: '1', errors: '1', skipped: '2' });
    const failure = all(doc, 'failure');
    expect(failure).toHaveLength(1);
    expect(failure[0]?.attributes.type).toBe('MUST');
    expect(failure[0]?.attributes.message).toContain('<script>alert("x")</script>');
    expect(all(doc, 'skipped').map((s) => s.attributes.message)).toEqual([
      'not-verified: no list change could be provoked',
      'not-applicable: server has no tools capability',
    ]);
    expect(all(doc, 'error')[0]?.attributes.message).toBe('target wrote to stderr: <b>boom</b>');
  });

  it('puts the wire evidence in system-out', () => {
    const failing = all(doc, 'testcase').find((t) => t.attributes.name === 'lifecycle/version-negotiation [2025-11-25]');
    const out = failing?.children.find((c) => c.name === 'system-out')?.text ?? '';
    expect(out).toContain('"protocolVersion": "1999-01-01"');
    expect(out).toContain('not json </pre><script>x</script>');
  });

  it('shows expected failures as skipped and stale entries as failures', () => {
    const { results } = applyBaseline(sampleResults(), parseBaseline('server: [lifecycle/version-negotiation, tools/call-unknown-tool, lifecycle/initialize-result]'));
    const d = parseXml(renderJUnit(results));
    expect(all(d, 'skipped').map((s) => s.attributes.message)).toContain(`expected failure (baseline): server answered ${NASTY}`.replace('\u0000', '\\u0000').replace('\u0007', '\\u0007').replace('\uD800', '\\ud800'));
    const stale = all(d, 'testsuite').find((s) => s.attributes.name === 'mcp-conform baseline');
    expect(stale?.children.map((c) => c.attributes.name)).toEqual(['stale entry lifecycle/initialize-result']);
  });

  prop([arbResults], { numRuns: 100 })('is well-formed XML for any results', (r) => {
    const d = parseXml(renderJUnit(r));
    expect(all(d, 'testcase').length).toBe(r.checks.length + r.errors.length);
  });
});
