import { describe, expect, it } from 'vitest';
import { prop } from '../helpers/prop.ts';
import { renderHtml, renderMatrix } from '../../reports/index.ts';
import { safeHref } from '../../reports/html.ts';
import { arbResults, check, sampleResults } from './sample.ts';

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe('renderHtml', () => {
  const html = renderHtml(sampleResults());

  it('is one standalone page that forbids scripts', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|src="http/i);
    expect(html.trimEnd().endsWith('</body></html>')).toBe(true);
  });

  it('has a column per revision (plus one for revision-independent checks) and a row per check, grouped by area', () => {
    expect(html).toContain('<tr><th>check</th><th data-r="any">any revision</th><th data-r="2025-06-18">2025-06-18</th><th data-r="2025-11-25">2025-11-25</th></tr>');
    expect(count(html, /<th class="area"/g)).toBe(3);
    expect(count(html, /<th class="check">/g)).toBe(6); // 7 results, one id on two revisions
    for (const row of html.match(/<tr class="row" data-level="\w+"><th class="check">[\s\S]*?<\/tr>/g) ?? []) expect(count(row, /<td/g)).toBe(3);
  });

  it('colours cells by verdict and folds the evidence of a failure', () => {
    const fail = /<td class="v-fail" data-v="fail" data-r="2025-11-25"><details>[\s\S]*?<\/details><\/td>/.exec(html)?.[0] ?? '';
    expect(fail).toContain('<p class="msg">server answered &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;');
    expect(fail).toContain('<a href="https://modelcontextprotocol.io/specification/2025-11-25/lifecycle#x">');
    expect(fail).toContain('<blockquote>MUST: Requirement of lifecycle/version-negotiation.</blockquote>');
    expect(fail).toContain('&quot;protocolVersion&quot;: &quot;1999-01-01&quot;');
    expect(fail).toContain('not json &lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;</pre>');
    expect(fail).toContain('<a href="wire/lifecycle_version-negotiation.jsonl">');
    expect(count(html, /class="v-pass"/g)).toBe(2);
    expect(count(html, /class="v-warn"/g)).toBe(1);
    expect(count(html, /class="v-not-applicable"/g)).toBe(1);
  });

  it('has filters by verdict, level and revision: a checkbox per value present, CSS rules keyed on them, no script', () => {
    // That they work is proven in a browser: test/reports/browser.test.ts.
    const boxes = [...html.matchAll(/<input type="checkbox" id="([^"]+)" checked>/g)].map((m) => m[1]);
    expect(boxes).toEqual(['f-v-fail', 'f-v-warn', 'f-v-not-verified', 'f-v-info', 'f-v-not-applicable', 'f-v-pass', 'f-l-MUST', 'f-l-SHOULD', 'f-l-MAY', 'f-r-any', 'f-r-2025-06-18', 'f-r-2025-11-25']);
    expect(html).toContain('body:has(#f-v-fail:checked):has(#f-r-2025-11-25:checked) tr.row:has([data-v="fail"][data-r="2025-11-25"]){display:table-row}');
    expect(html).toContain('body:has(#f-l-MAY:not(:checked)) tr.row[data-level="MAY"]{display:none!important}');
    expect(html).toContain('body:has(#f-r-any:not(:checked)) [data-r="any"]{display:none}');
    const only = renderHtml(sampleResults({ checks: [check('a/b', 'pass')] }));
    expect([...only.matchAll(/<input type="checkbox" id="([^"]+)"/g)].map((m) => m[1])).toEqual(['f-v-pass', 'f-l-MUST', 'f-r-2025-06-18', 'f-r-2025-11-25']);
  });

  it('shows host verdicts and run errors', () => {
    expect(html).toContain('<li class="bad">✗ does not work with Claude.ai because initialize fails</li>');
    expect(html).toContain('<li>target wrote to stderr: &lt;b&gt;boom&lt;/b&gt;</li>');
  });

  it('links only http(s) spec URLs and relative wire logs', () => {
    const h = renderHtml(sampleResults({ checks: [check('a/b', 'fail', { specUrl: 'javascript:alert(1)', wireLog: 'javascript:alert(2)' })] }));
    expect(h).not.toContain('href="javascript');
    expect(safeHref('https://x.test/a?b=1')).toBe('https://x.test/a?b=1');
    expect(safeHref('data:text/html,x')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
  });

  prop([arbResults], { numRuns: 100 })('never lets text become markup', (r) => {
    const h = renderHtml(r);
    expect(h).not.toMatch(/<script/i);
    expect(h).not.toMatch(/href="(?!https?:|#|wire|[^":]*")/);
    expect(count(h, /<details/g)).toBe(count(h, /<\/details>/g));
    expect(count(h, /<td/g)).toBe(count(h, /<\/td>/g));
  });
});

describe('renderMatrix', () => {
  it('puts several runs side by side, one column per target × revision', () => {
    const a = sampleResults();
    const b = sampleResults({
      target: { description: 'other-server', transport: 'http' },
      revisions: ['2025-11-25'],
      checks: [check('lifecycle/initialize-result', 'fail'), check('prompts/get', 'pass')],
    });
    const h = renderMatrix([a, b]);
    expect(h).toContain('<tr><th rowspan="2">check</th><th colspan="3">node my-server.js</th><th colspan="1">other-server</th></tr>');
    expect(h).toContain('<tr><th data-r="any">any</th><th data-r="2025-06-18">2025-06-18</th><th data-r="2025-11-25">2025-11-25</th><th data-r="2025-11-25">2025-11-25</th></tr>');
    const row = /<tr class="row" data-level="MUST"><th class="check"><code>lifecycle\/initialize-result<\/code>[\s\S]*?<\/tr>/.exec(h)?.[0] ?? '';
    expect(row.match(/<td class="[^"]+"/g)).toEqual(['<td class="none"', '<td class="v-pass"', '<td class="v-pass"', '<td class="v-fail"']);
    const prompts = /<tr class="row" data-level="MUST"><th class="check"><code>prompts\/get<\/code>[\s\S]*?<\/tr>/.exec(h)?.[0] ?? '';
    expect(prompts.match(/<td class="[^"]+"/g)).toEqual(['<td class="none"', '<td class="none"', '<td class="none"', '<td class="v-pass"']);
    expect(h).toContain('<h2>2. other-server');
  });
});
