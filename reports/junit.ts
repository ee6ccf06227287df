// JUnit XML, the format every CI server reads: one <testsuite> per spec area, one <testcase> per
// check × revision. fail → <failure>; not-applicable / not-verified / expected failures → <skipped>;
// warn and info pass, with the reason in <system-out> (a warn fails when a baseline says so).
import { areaOf, checkLabel, evidenceText, groupByArea } from './common.ts';
import type { CheckResult, Results } from './model.ts';

// XML 1.0 forbids most C0 controls, U+FFFE/U+FFFF and unpaired surrogates even as character
// references, so they are shown as visible \uXXXX text instead of being dropped silently.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function replaceInvalid(s: string): string {
  return s.replace(INVALID_XML, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Escapes text content of an element. */
export function escapeXmlText(s: string): string {
  return replaceInvalid(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value (double- or single-quoted); newlines and tabs survive as references. */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function attrs(pairs: Record<string, string | number>): string {
  return Object.entries(pairs)
    .map(([k, v]) => ` ${k}="${escapeXmlAttr(String(v))}"`)
    .join('');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

type Outcome = 'pass' | 'failure' | 'skipped';

function outcomeOf(c: CheckResult, warningsFail: boolean): Outcome {
  const failing = c.verdict === 'fail' || (warningsFail && c.verdict === 'warn');
  if (failing) return c.expected ? 'skipped' : 'failure';
  if (c.verdict === 'not-applicable' || c.verdict === 'not-verified') return 'skipped';
  return 'pass';
}

function detailText(c: CheckResult): string {
  const lines = [`${c.verdict.toUpperCase()} (${c.level}): ${c.message || c.title}`];
  if (c.requirement) lines.push(`Requirement: ${c.requirement}`);
  if (c.specUrl) lines.push(`Spec: ${c.specUrl}`);
  if (c.wireLog) lines.push(`Wire log: ${c.wireLog}`);
  return lines.join('\n');
}

function testcase(c: CheckResult, warningsFail: boolean, indent: string): string {
  const outcome = outcomeOf(c, warningsFail);
  const head = `${indent}<testcase${attrs({ name: checkLabel(c), classname: `mcp-conform.${areaOf(c.id)}`, time: seconds(c.durationMs) })}`;
  const body: string[] = [];
  const reason = c.message || c.title;
  if (outcome === 'failure') {
    body.push(`${indent}  <failure${attrs({ message: reason, type: c.level })}>${escapeXmlText(detailText(c))}</failure>`);
  } else if (outcome === 'skipped') {
    const why = c.expected ? `expected failure (baseline): ${reason}` : `${c.verdict}: ${reason}`;
    body.push(`${indent}  <skipped${attrs({ message: why })}/>`);
  }
  const evidence = evidenceText(c.evidence);
  const out = c.verdict === 'pass' && !evidence ? '' : [outcome === 'failure' ? '' : detailText(c), evidence].filter(Boolean).join('\n\n');
  if (out) body.push(`${indent}  <system-out>${escapeXmlText(out)}</system-out>`);
  return body.length === 0 ? `${head}/>` : `${head}>\n${body.join('\n')}\n${indent}</testcase>`;
}

export function renderJUnit(results: Results): string {
  const warningsFail = results.baseline?.warningsFail ?? false;
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  let totalMs = 0;
  const props = [
    `    <properties>`,
    `      <property${attrs({ name: 'mode', value: results.mode })}/>`,
    `      <property${attrs({ name: 'target', value: results.target.description })}/>`,
    `      <property${attrs({ name: 'transport', value: results.target.transport })}/>`,
    `      <property${attrs({ name: 'revisions', value: results.revisions.join(',') })}/>`,
    `    </properties>`,
  ].join('\n');

  for (const [area, checks] of groupByArea(results.checks)) {
    let f = 0;
    let s = 0;
    let ms = 0;
    for (const c of checks) {
      const o = outcomeOf(c, warningsFail);
      if (o === 'failure') f++;
      else if (o === 'skipped') s++;
      ms += c.durationMs;
    }
    tests += checks.length;
    failures += f;
    skipped += s;
    totalMs += ms;
    suites.push(
      `  <testsuite${attrs({ name: area, tests: checks.length, failures: f, errors: 0, skipped: s, time: seconds(ms), timestamp: results.startedAt })}>\n` +
        `${props}\n${checks.map((c) => testcase(c, warningsFail, '    ')).join('\n')}\n  </testsuite>`,
    );
  }

  // Problems of the run itself and stale baseline entries get suites of their own, so a CI
  // page shows them even when every check passed.
  const extra: Array<{ suite: string; name: string; kind: 'error' | 'failure'; message: string }> = [];
  for (const [i, e] of results.errors.entries()) extra.push({ suite: 'mcp-conform run', name: `run error ${i + 1}`, kind: 'error', message: e });
  for (const s of results.baseline?.staleEntries ?? []) {
    extra.push({ suite: 'mcp-conform baseline', name: `stale entry ${s}`, kind: 'failure', message: `${s} is listed as failing but no longer fails; remove it from ${results.baseline?.source}` });
  }
  for (const name of [...new Set(extra.map((x) => x.suite))]) {
    const items = extra.filter((x) => x.suite === name);
    const e = items.filter((x) => x.kind === 'error').length;
    const f = items.length - e;
    tests += items.length;
    errors += e;
    failures += f;
    const cases = items.map(
      (x) => `    <testcase${attrs({ name: x.name, classname: name.replace(' ', '.'), time: '0.000' })}>\n      <${x.kind}${attrs({ message: x.message.split('\n', 1)[0] ?? '' })}>${escapeXmlText(x.message)}</${x.kind}>\n    </testcase>`,
    );
    suites.push(`  <testsuite${attrs({ name, tests: items.length, failures: f, errors: e, skipped: 0, time: '0.000', timestamp: results.startedAt })}>\n${cases.join('\n')}\n  </testsuite>`);
  }

  const root = attrs({ name: 'mcp-conform', tests, failures, errors, skipped, time: seconds(totalMs) });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${root}>\n${suites.join('\n')}${suites.length ? '\n' : ''}</testsuites>\n`;
}
