import { describe, expect, it } from 'vitest';
import { prop } from '../helpers/prop.ts';
import { applyBaseline, parseBaseline, renderMarkdown } from '../../reports/index.ts';
import { mdCode, mdFence, mdText } from '../../reports/markdown.ts';
import { arbResults, check, sampleResults } from './sample.ts';

/** The Markdown outside fenced code blocks (where raw text is shown literally anyway). */
function outsideFences(md: string): string {
  return md.replace(/^(`{3,})[^`\n]*\n[\s\S]*?\n\1$/gm, ''); // an info string holds no backtick
}

describe('markdown helpers', () => {
  it('mdText neutralises HTML, tables and emphasis without mangling entities', () => {
    expect(mdText(`<script>x</script> | *a* _b_ [c](d) 'q' #`)).toBe('&lt;script&gt;x&lt;/script&gt; \\| \\*a\\* \\_b\\_ \\[c\\](d) &#39;q&#39; \\#');
    expect(mdText('a\nb')).toBe('a b');
  });
  it('mdCode and mdFence outlast the backticks inside', () => {
    expect(mdCode('a`b')).toBe('`` a`b ``');
    expect(mdCode('plain')).toBe('`plain`');
    expect(mdFence('x\n````\ny')).toBe('`````\nx\n````\ny\n`````');
  });
});

describe('renderMarkdown', () => {
  const md = renderMarkdown(sampleResults());

  it('has a headline, the target, counts, host verdicts and a table per area', () => {
    expect(md.startsWith('## mcp-conform: ❌ 1 failed\n')).toBe(true);
    expect(md).toContain('Target: `node my-server.js` (stdio) · mode server');
    expect(md).toContain('**7 checks:** 2 passed · 1 failed · 1 warning ·');
    expect(md).toContain('- ❌ does not work with Claude.ai because initialize fails');
    expect(md).toContain('| lifecycle | 2 | 1 | 0 | 0 | 0 | 0 |');
    expect(md).toContain('| tools | 0 | 0 | 1 | 0 | 1 | 1 |');
  });

  it('folds each failure and warning with requirement, spec link and evidence', () => {
    expect(md.match(/<details><summary>(❌|⚠️)/g)).toHaveLength(2);
    expect(md).toContain('> Requirement of lifecycle/version-negotiation.');
    expect(md).toContain('(https://modelcontextprotocol.io/specification/2025-11-25/lifecycle#x)');
    expect(md).toMatch(/```\n→ sent at \+0ms\n\{\n {2}"jsonrpc": "2.0"/);
    expect(md).toContain('- target wrote to stderr: &lt;b&gt;boom&lt;/b&gt;');
  });

  it('has no raw HTML from messages outside code blocks', () => {
    expect(outsideFences(md)).not.toMatch(/<script|<b>|<\/pre>/);
    expect(md).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('headlines the baseline outcome when one was applied', () => {
    const ok = applyBaseline(sampleResults(), parseBaseline('server: [lifecycle/version-negotiation, tools/call-unknown-tool]'));
    expect(renderMarkdown(ok.results)).toMatch(/^## mcp-conform: ✅ only expected failures \(2 baseline entries\)\n/);
    const stale = applyBaseline(sampleResults(), parseBaseline('server: [lifecycle/version-negotiation, lifecycle/initialize-result]'));
    const m = renderMarkdown(stale.results);
    expect(m).toMatch(/^## mcp-conform: ❌ 1 new failure, 1 stale baseline entry\n/);
    expect(m).toContain('- ❌ stale: `lifecycle/initialize-result` no longer fails; remove it from the baseline');
  });

  it('does not link a javascript: spec URL', () => {
    const m = renderMarkdown(sampleResults({ checks: [check('a/b', 'fail', { specUrl: 'javascript:alert(1)' })] }));
    expect(m).not.toContain('](javascript:');
  });

  it('stays under maxChars, dropping evidence first and then listed failures', () => {
    const big = Array.from({ length: 300 }, (_, i) =>
      check(`tools/c${i}`, 'fail', { evidence: [{ t: 0, dir: 'recv', msg: { filler: 'x'.repeat(500) } }] }),
    );
    const r = sampleResults({ checks: big });
    const m = renderMarkdown(r, { maxChars: 20_000 });
    expect(m.length).toBeLessThanOrEqual(20_000);
    expect(m).not.toContain('filler');
    expect(m).toMatch(/… and \d+ more \(see results\.json\)\./);
    expect(renderMarkdown(r, { maxChars: 10_000_000 })).toContain('filler');
  });

  prop([arbResults], { numRuns: 100 })('never lets a message open an HTML tag outside code', (r) => {
    for (const line of outsideFences(renderMarkdown(r)).split('\n')) {
      // Lines that open <details> are HTML blocks (backticks are literal there); elsewhere code
      // spans show their content literally (CommonMark), so they are set aside. mdCode never
      // emits a newline, so spans are whole within a line.
      const prose = line.startsWith('<details>') ? line : line.replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
      for (const t of prose.match(/<\/?[a-z][^>]*>/gi) ?? []) expect(t).toMatch(/^<\/?(details|summary|code)>$/);
    }
  });
});
