// A Markdown report for a pull-request comment or a GitHub step summary: headline, a table per
// area, each fail/warn with its evidence folded in <details>, host verdicts, run errors, baseline.
import escapeHtml from 'escape-html';
import { checkLabel, evidenceText, groupByArea, isProblem, oneLine, plural, printable } from './common.ts';
import { countVerdicts, type CheckResult, type Results } from './model.ts';

export interface MarkdownOptions {
  /** Heading level of the title (2 → `##`). Default 2. */
  headingLevel?: number;
  /** Stay under this many characters (a GitHub comment takes 65,536). Default 60,000. */
  maxChars?: number;
}

const EMOJI = { pass: '✅', fail: '❌', warn: '⚠️', info: 'ℹ️', 'not-applicable': '➖', 'not-verified': '❔' } as const;

/** Text for Markdown prose and table cells: no raw HTML, no table breaks, no accidental emphasis or links. */
export function mdText(s: string): string {
  const md = printable(s.replace(/\r?\n/g, ' '))
    .replace(/\\/g, '\\\\')
    .replace(/([`*_[\]|#~])/g, '\\$1');
  // Last, so the entities it makes (&#39;) are not backslash-escaped themselves.
  return escapeHtml(md);
}

/** Inline code that survives backticks inside (CommonMark: a longer fence plus padding). */
export function mdCode(s: string): string {
  const flat = printable(s.replace(/\r?\n/g, ' '));
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 || flat.startsWith(' ') ? `${fence} ${flat} ${fence}` : `${fence}${flat}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run in the body. */
export function mdFence(body: string, lang = ''): string {
  const longest = Math.max(0, ...(body.match(/`{3,}/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${body}\n${fence}`;
}

/** An http(s) URL as a Markdown link target, or null for anything else. */
function safeUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.href.replace(/[()<> ]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    return null;
  }
}

function problemDetails(c: CheckResult, withEvidence: boolean): string {
  const summary = `${EMOJI[c.verdict]} <code>${escapeHtml(c.id)}</code> ${escapeHtml(c.revision ?? '')} ${c.level}${c.expected ? ' (expected)' : ''} — ${escapeHtml(oneLine(c.message || c.title))}`;
  const body: string[] = [];
  if (c.message) body.push(mdText(c.message));
  if (c.requirement) body.push(`> ${mdText(c.requirement)}`);
  const url = safeUrl(c.specUrl);
  if (url) body.push(`Spec: [${mdText(c.specUrl ?? '')}](${url})`);
  if (c.wireLog) body.push(`Wire log: ${mdCode(c.wireLog)}`);
  const ev = withEvidence ? evidenceText(c.evidence, 3000) : '';
  if (ev) body.push(mdFence(ev));
  return `<details><summary>${summary}</summary>\n\n${body.join('\n\n')}\n\n</details>`;
}

function render(results: Results, h: string, withEvidence: boolean, maxProblems: number): { text: string; omitted: number } {
  const c = results.counts;
  const out: string[] = [];
  const b = results.baseline;
  const headline = b
    ? b.newFailures.length + b.staleEntries.length > 0
      ? `${EMOJI.fail} ${plural(b.newFailures.length, 'new failure')}, ${plural(b.staleEntries.length, 'stale baseline entry', 'stale baseline entries')}`
      : `${EMOJI.pass} only expected failures (${b.expectedFailures.length} baseline entries)`
    : c.failed > 0
      ? `${EMOJI.fail} ${c.failed} failed`
      : c.warned > 0
        ? `${EMOJI.warn} no MUST failed`
        : `${EMOJI.pass} all MUST checks passed`;
  out.push(`${h} mcp-conform: ${headline}`);
  out.push('');
  out.push(
    `Target: ${mdCode(results.target.description)} (${results.target.transport}) · mode ${results.mode} · revisions ${results.revisions.join(', ') || 'none'} · mcp-conform ${mdText(results.tool.version)}`,
  );
  for (const u of results.untested ?? []) out.push('', `Not tested: ${u.revision} — ${mdText(oneLine(u.reason, 300))}`);
  out.push('');
  out.push(`**${c.total} checks:** ${c.passed} passed · ${c.failed} failed · ${plural(c.warned, 'warning')} · ${c.info} info · ${c.notApplicable} not applicable · ${c.notVerified} not verified`);

  if (results.hosts && results.hosts.length > 0) {
    out.push('');
    for (const host of results.hosts) {
      const text = host.summary || (host.works ? `works with ${host.host}` : `does not work with ${host.host}`);
      out.push(`- ${host.works ? EMOJI.pass : EMOJI.fail} ${mdText(text)}`);
    }
  }

  const groups = groupByArea(results.checks);
  if (groups.size > 0) {
    out.push('');
    out.push(`${h}# By area`);
    out.push('');
    out.push(`| Area | ${EMOJI.pass} | ${EMOJI.fail} | ${EMOJI.warn} | ${EMOJI.info} | ${EMOJI['not-applicable']} | ${EMOJI['not-verified']} |`);
    out.push('|---|--:|--:|--:|--:|--:|--:|');
    for (const [area, checks] of groups) {
      const k = countVerdicts(checks);
      out.push(`| ${mdText(area)} | ${k.passed} | ${k.failed} | ${k.warned} | ${k.info} | ${k.notApplicable} | ${k.notVerified} |`);
    }
  }

  const problems = [...groups.values()].flat().filter((x) => isProblem(x.verdict));
  // Failures first, then warnings: when the list is cut, MUSTs stay.
  problems.sort((a, b) => (a.verdict === b.verdict ? 0 : a.verdict === 'fail' ? -1 : 1));
  const shown = problems.slice(0, maxProblems);
  if (shown.length > 0) {
    out.push('');
    out.push(`${h}# Failures and warnings`);
    out.push('');
    for (const p of shown) out.push(problemDetails(p, withEvidence));
  }
  const omitted = problems.length - shown.length;
  if (omitted > 0) out.push('', `… and ${omitted} more (see results.json).`);

  const notVerified = [...groups.values()].flat().filter((x) => x.verdict === 'not-verified');
  if (notVerified.length > 0) {
    out.push('');
    out.push(`<details><summary>${notVerified.length} not verified</summary>\n`);
    for (const x of notVerified.slice(0, 200)) out.push(`- ${mdCode(checkLabel(x))}: ${mdText(oneLine(x.message))}`);
    if (notVerified.length > 200) out.push(`- … and ${notVerified.length - 200} more`);
    out.push('\n</details>');
  }

  if (results.errors.length > 0) {
    out.push('');
    out.push(`${h}# Run errors`);
    out.push('');
    for (const e of results.errors) out.push(`- ${mdText(oneLine(e, 500))}`);
  }

  if (b) {
    out.push('');
    out.push(`${h}# Baseline ${mdCode(b.source)}`);
    out.push('');
    out.push(`${b.expectedFailures.length} expected · ${b.newFailures.length} new · ${b.staleEntries.length} stale · ${b.unmatchedEntries.length} unmatched`);
    for (const s of b.staleEntries) out.push(`- ${EMOJI.fail} stale: ${mdCode(s)} no longer fails; remove it from the baseline`);
    for (const n of b.newFailures) out.push(`- ${EMOJI.fail} new failure: ${mdCode(n)}`);
  }
  return { text: `${out.join('\n')}\n`, omitted };
}

export function renderMarkdown(results: Results, options: MarkdownOptions = {}): string {
  const h = '#'.repeat(Math.min(5, Math.max(1, options.headingLevel ?? 2)));
  const max = options.maxChars ?? 60_000;
  let r = render(results, h, true, Infinity);
  if (r.text.length <= max) return r.text;
  r = render(results, h, false, Infinity);
  // Still too long: list fewer problems until it fits (the full list is in results.json).
  let n = results.checks.length;
  while (r.text.length > max && n > 0) {
    n = Math.floor(n / 2);
    r = render(results, h, false, n);
  }
  return r.text;
}
