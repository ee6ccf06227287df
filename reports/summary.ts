// Terminal summary of a run: counts per spec area, every fail/warn with its reason and spec URL,
// run errors, the baseline outcome, and host verdicts last (the line people act on).
import { checkLabel, groupByArea, isProblem, oneLine, plural, VERDICT_GLYPH } from './common.ts';
import { paint, shouldColor, type ColorStream, type Paint } from './color.ts';
import { countVerdicts, type CheckResult, type Counts, type HostVerdict, type Results, type Verdict } from './model.ts';

export interface SummaryOptions {
  /** ANSI colour; default off (printSummary decides from the stream). */
  color?: boolean;
}

function colorFor(p: Paint, v: Verdict): (s: string) => string {
  switch (v) {
    case 'pass':
      return p.green;
    case 'fail':
      return p.red;
    case 'warn':
      return p.yellow;
    case 'info':
      return p.blue;
    default:
      return p.dim;
  }
}

/** `3 passed, 1 failed, …`, leaving out zeros. */
export function countsText(c: Counts, p: Paint = paint(false)): string {
  const parts: string[] = [];
  const add = (n: number, word: string, color: (s: string) => string) => {
    if (n > 0) parts.push(color(`${n} ${word}`));
  };
  add(c.passed, 'passed', p.green);
  add(c.failed, 'failed', p.red);
  if (c.warned > 0) parts.push(p.yellow(plural(c.warned, 'warning')));
  add(c.info, 'info', p.blue);
  add(c.notApplicable, 'not applicable', p.dim);
  add(c.notVerified, 'not verified', p.dim);
  return parts.length > 0 ? parts.join(', ') : 'no checks';
}

/** One compact line per finished check, for live progress: `✓ lifecycle/initialize-result [2025-11-25]`. */
export function progressLine(c: CheckResult, options: SummaryOptions = {}): string {
  const p = paint(options.color ?? false);
  const glyph = colorFor(p, c.verdict)(VERDICT_GLYPH[c.verdict]);
  const reason = c.verdict !== 'pass' && c.message ? p.dim(` — ${oneLine(c.message, 120)}`) : '';
  return `${glyph} ${oneLine(checkLabel(c), 200)}${c.expected ? p.dim(' (expected)') : ''}${reason}`;
}

function hostLine(h: HostVerdict, p: Paint): string {
  const text = oneLine(h.summary || (h.works ? `works with ${h.host}` : `does not work with ${h.host}`), 300);
  return h.works ? `${p.green('✓')} ${text}` : `${p.red('✗')} ${text}`;
}

export function renderSummary(results: Results, options: SummaryOptions = {}): string {
  const p = paint(options.color ?? false);
  const out: string[] = [];
  const revs = results.revisions.length > 0 ? results.revisions.join(', ') : 'none';
  out.push(p.bold(oneLine(`mcp-conform ${results.tool.version} · ${results.mode} · ${results.target.description} (${results.target.transport})`, 300)));
  out.push(p.dim(`revisions: ${revs}`));
  for (const u of results.untested ?? []) out.push(p.yellow(`not tested: ${u.revision} — ${oneLine(u.reason, 300)}`));
  out.push('');

  const groups = groupByArea(results.checks);
  const width = Math.max(0, ...[...groups.keys()].map((a) => a.length));
  for (const [area, checks] of groups) {
    out.push(`  ${p.bold(oneLine(area, 60).padEnd(width))}  ${countsText(countVerdicts(checks), p)}`);
    for (const c of checks) {
      if (!isProblem(c.verdict)) continue;
      const glyph = colorFor(p, c.verdict)(VERDICT_GLYPH[c.verdict]);
      const expected = c.expected ? p.dim(' (expected)') : '';
      out.push(`    ${glyph} ${oneLine(c.id, 120)} ${p.dim(`[${c.revision ?? 'any revision'}]`)} ${c.level}${expected} — ${oneLine(c.message || c.title)}`);
      if (c.specUrl) out.push(`        ${p.dim(oneLine(c.specUrl, 300))}`);
    }
  }
  if (groups.size === 0) out.push('  (no checks ran)');

  if (results.errors.length > 0) {
    out.push('');
    out.push(p.red(p.bold('Run errors:')));
    for (const e of results.errors) out.push(`  - ${oneLine(e, 300)}`);
  }

  const b = results.baseline;
  if (b) {
    out.push('');
    out.push(p.bold(`Baseline ${oneLine(b.source, 200)}:`) + ` ${b.expectedFailures.length} expected, ${b.newFailures.length} new, ${b.staleEntries.length} stale`);
    for (const s of b.staleEntries) out.push(`  ${p.red('stale')} ${oneLine(s)} — no longer fails; remove it from the baseline`);
    for (const n of b.newFailures) out.push(`  ${p.red('new')}   ${oneLine(n)}`);
    for (const u of b.unmatchedEntries) out.push(`  ${p.dim(`unmatched ${oneLine(u)} — no check of this run has that id`)}`);
  }

  out.push('');
  const ms = Date.parse(results.endedAt) - Date.parse(results.startedAt);
  const took = Number.isFinite(ms) && ms >= 0 ? ` in ${(ms / 1000).toFixed(1)} s` : '';
  out.push(p.bold(`${results.counts.total} checks${took}: `) + countsText(results.counts, p));

  if (results.hosts && results.hosts.length > 0) {
    out.push('');
    for (const h of results.hosts) out.push(hostLine(h, p));
  }
  return `${out.join('\n')}\n`;
}

/** Writes the summary to a stream, in colour when it is a terminal and NO_COLOR is unset. */
export function printSummary(results: Results, stream: NodeJS.WritableStream & ColorStream = process.stdout): void {
  stream.write(renderSummary(results, { color: shouldColor(stream) }));
}
