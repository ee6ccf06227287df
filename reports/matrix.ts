// The compatibility matrix (`mcp-conform matrix`): many targets' results side by side. The model
// is built from each target's results.json (or from why there is none: unreachable, crashed, out
// of budget), then written as matrix.json, matrix.md and a self-contained matrix.html whose cells
// link to each target's own report.html and wire logs (in <slug>/ beside the matrix), with the
// single-run report's filters by verdict, level and revision.
import escapeHtml from 'escape-html';
import { documentStart, filters, revAttr } from './html.ts';
import { REVISIONS, type Revision } from '../schema/index.ts';
import { areaOf, groupByArea, VERDICT_GLYPH, VERDICT_WORD, wellFormed } from './common.ts';
import { countVerdicts, type CheckResult, type Counts, type Level, type Mode, type Results, type Verdict } from './model.ts';

export const MATRIX_FORMAT = 'mcp-conform/matrix';
export const MATRIX_FORMAT_VERSION = 1;

/**
 * What became of a target: tested (its results are in), crashed (its process exited or would not
 * start before it answered), unreachable (no answer: connection refused, no MCP there…), error
 * (the run itself failed: a bad option, a crash of mcp-conform), timeout (killed when its budget
 * ran out).
 */
export type MatrixStatus = 'tested' | 'crashed' | 'unreachable' | 'error' | 'timeout';

export interface MatrixCell {
  revision: Revision | null;
  verdict: Verdict;
  message: string;
  /** Relative to the matrix folder. */
  wireLog: string | null;
}

export interface MatrixRevisionRate {
  revision: Revision | null;
  counts: Counts;
  /** passed ÷ (checks run − not applicable), as a percentage rounded down; null when none applied. */
  passRate: number | null;
}

export interface MatrixTarget {
  name: string;
  /** Its folder inside the matrix folder. */
  slug: string;
  mode: Exclude<Mode, 'fuzz'>;
  /** What was tested (the run's target description, or the command line when there is no run). */
  description: string;
  transport: string;
  status: MatrixStatus;
  /** Why it is not `tested`, or the run's errors. */
  reason: string;
  exitCode: number | null;
  durationMs: number;
  revisions: Revision[];
  counts: Counts;
  rates: MatrixRevisionRate[];
  /** Relative links (null when the file was not written). */
  results: string | null;
  report: string | null;
  wire: string | null;
  /** check id → its results, one per revision. */
  cells: Record<string, MatrixCell[]>;
}

export interface MatrixCheck {
  id: string;
  title: string;
  level: Level;
  area: string;
}

export interface Matrix {
  format: typeof MATRIX_FORMAT;
  formatVersion: typeof MATRIX_FORMAT_VERSION;
  tool: { name: string; version: string };
  startedAt: string;
  endedAt: string;
  /** Set for one shard's matrix (`matrix --shard i/n`). */
  shard?: { index: number; count: number };
  targets: MatrixTarget[];
  checks: MatrixCheck[];
}

/** What the runner knows about one target besides its results.json. */
export interface MatrixRun extends Pick<MatrixTarget, 'name' | 'slug' | 'mode' | 'description' | 'transport' | 'status' | 'reason' | 'exitCode' | 'durationMs'> {
  results: Results | null;
  /** Whether <slug>/report.html and <slug>/wire exist. */
  hasReport: boolean;
  hasWire: boolean;
}

const SEVERITY: Record<Verdict, number> = { fail: 0, warn: 1, 'not-verified': 2, info: 3, 'not-applicable': 4, pass: 5 };

function revRank(r: Revision | null): number {
  return r === null ? -1 : REVISIONS.indexOf(r);
}

export function passRate(k: Counts): number | null {
  const applicable = k.total - k.notApplicable;
  return applicable > 0 ? Math.floor((100 * k.passed) / applicable) : null;
}

function ratesOf(checks: readonly CheckResult[]): MatrixRevisionRate[] {
  const revs = [...new Set(checks.map((c) => c.revision))].sort((a, b) => revRank(a) - revRank(b));
  return revs.map((revision) => {
    const counts = countVerdicts(checks.filter((c) => c.revision === revision));
    return { revision, counts, passRate: passRate(counts) };
  });
}

/** One row of the matrix from a run. */
export function matrixTarget(run: MatrixRun): MatrixTarget {
  const r = run.results;
  const checks = r?.checks ?? [];
  const cells: Record<string, MatrixCell[]> = {};
  for (const c of checks) {
    (cells[c.id] ??= []).push({ revision: c.revision, verdict: c.verdict, message: c.message, wireLog: c.wireLog ? `${run.slug}/${c.wireLog}` : null });
  }
  for (const list of Object.values(cells)) list.sort((a, b) => revRank(a.revision) - revRank(b.revision));
  const reason = run.reason || (r?.errors.length ? r.errors.join('; ') : '');
  return {
    name: run.name,
    slug: run.slug,
    mode: run.mode,
    description: r?.target.description ?? run.description,
    transport: r?.target.transport ?? run.transport,
    status: run.status,
    reason,
    exitCode: run.exitCode,
    durationMs: run.durationMs,
    revisions: r?.revisions ?? [],
    counts: countVerdicts(checks),
    rates: ratesOf(checks),
    results: r ? `${run.slug}/results.json` : null,
    report: run.hasReport ? `${run.slug}/report.html` : null,
    wire: run.hasWire ? `${run.slug}/wire/` : null,
    cells,
  };
}

function checksOf(runs: readonly MatrixRun[]): MatrixCheck[] {
  const seen = new Map<string, MatrixCheck>();
  for (const run of runs) for (const c of run.results?.checks ?? []) if (!seen.has(c.id)) seen.set(c.id, { id: c.id, title: c.title, level: c.level, area: areaOf(c.id) });
  return [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function buildMatrix(runs: readonly MatrixRun[], meta: Pick<Matrix, 'tool' | 'startedAt' | 'endedAt' | 'shard'>): Matrix {
  return {
    format: MATRIX_FORMAT,
    formatVersion: MATRIX_FORMAT_VERSION,
    tool: meta.tool,
    startedAt: meta.startedAt,
    endedAt: meta.endedAt,
    ...(meta.shard ? { shard: meta.shard } : {}),
    targets: runs.map(matrixTarget),
    checks: checksOf(runs),
  };
}

/** Matrices of shards (disjoint targets) as one: targets in the given order, a repeated name kept once. */
export function mergeMatrices(parts: readonly Matrix[]): Matrix {
  const first = parts[0];
  if (!first) throw new Error('no matrix to merge');
  const targets: MatrixTarget[] = [];
  for (const m of parts) for (const t of m.targets) if (!targets.some((x) => x.slug === t.slug)) targets.push(t);
  const checks = new Map<string, MatrixCheck>();
  for (const m of parts) for (const c of m.checks) if (!checks.has(c.id)) checks.set(c.id, c);
  return {
    format: MATRIX_FORMAT,
    formatVersion: MATRIX_FORMAT_VERSION,
    tool: first.tool,
    startedAt: parts.map((m) => m.startedAt).sort()[0] as string,
    endedAt: parts.map((m) => m.endedAt).sort().at(-1) as string,
    targets,
    checks: [...checks.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

/** A loose shape test for a matrix.json read back (report merge). */
export function isMatrix(v: unknown): v is Matrix {
  const m = v as Partial<Matrix> | null;
  return !!m && m.format === MATRIX_FORMAT && m.formatVersion === MATRIX_FORMAT_VERSION && Array.isArray(m.targets) && Array.isArray(m.checks);
}

/** Any MUST failure (fail) — or, with `should`, a SHOULD one (warn) too — among the tested targets. */
export function matrixFails(m: Matrix, failOn: 'must' | 'should' | 'never'): boolean {
  if (failOn === 'never') return false;
  return m.targets.some((t) => t.counts.failed > 0 || (failOn === 'should' && t.counts.warned > 0));
}

const STATUS_WORD: Record<MatrixStatus, string> = { tested: 'tested', crashed: 'CRASHED', unreachable: 'UNREACHABLE', error: 'RUN ERROR', timeout: 'OUT OF BUDGET' };

function rateText(r: MatrixRevisionRate): string {
  return r.passRate === null ? 'n/a' : `${r.passRate}% (${r.counts.passed}/${r.counts.total - r.counts.notApplicable})`;
}

function worst(cells: readonly MatrixCell[]): Verdict {
  return cells.reduce<Verdict>((w, c) => (SEVERITY[c.verdict] < SEVERITY[w] ? c.verdict : w), 'pass');
}

function revisionColumns(m: Matrix): (Revision | null)[] {
  const revs = new Set<Revision | null>();
  for (const t of m.targets) for (const r of t.rates) revs.add(r.revision);
  return [...revs].sort((a, b) => revRank(a) - revRank(b));
}

// ---- text -------------------------------------------------------------------------------------

/** The lines the command prints: one per target. */
export function renderMatrixSummary(m: Matrix): string {
  const width = Math.max(6, ...m.targets.map((t) => t.name.length));
  const lines = m.targets.map((t) => {
    const head = `${t.name.padEnd(width)}  `;
    if (t.status !== 'tested') return `${head}${STATUS_WORD[t.status]}: ${t.reason || `exit ${t.exitCode}`}`;
    const k = t.counts;
    const rates = t.rates.map((r) => `${r.revision ?? 'any'} ${r.passRate === null ? 'n/a' : `${r.passRate}%`}`).join(', ');
    return `${head}${k.passed} passed, ${k.failed} failed, ${k.warned} warned, ${k.notVerified} not verified, ${k.notApplicable} n/a · ${rates}`;
  });
  return `${lines.join('\n')}\n`;
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function cellGlyphs(cells: readonly MatrixCell[] | undefined): string {
  if (!cells?.length) return '';
  return cells.map((c) => VERDICT_GLYPH[c.verdict]).join('');
}

export function renderMatrixMarkdown(m: Matrix): string {
  const revs = revisionColumns(m);
  const out: string[] = ['# mcp-conform compatibility matrix', ''];
  out.push(`${m.targets.length} targets · ${m.checks.length} checks · ${m.tool.name} ${m.tool.version} · ${m.startedAt}${m.shard ? ` · shard ${m.shard.index}/${m.shard.count}` : ''}`, '');
  out.push('Pass rate: passed ÷ checks run that apply (not-applicable left out), per revision.', '');
  out.push(`| target | status | ${revs.map((r) => r ?? 'any').join(' | ')} | report |`);
  out.push(`|---|---|${revs.map(() => '---|').join('')}---|`);
  for (const t of m.targets) {
    const status = t.status === 'tested' ? `tested (${t.counts.failed} failed, ${t.counts.warned} warned)` : `**${STATUS_WORD[t.status]}**: ${t.reason || `exit ${t.exitCode}`}`;
    const rates = revs.map((rev) => {
      const r = t.rates.find((x) => x.revision === rev);
      return r ? rateText(r) : '';
    });
    out.push(`| ${mdCell(t.name)} | ${mdCell(status)} | ${rates.join(' | ')} | ${t.report ? `[report](${t.report})` : t.results ? `[results](${t.results})` : ''} |`);
  }
  out.push('');
  if (m.checks.length) {
    out.push(`Cells: one glyph per revision tested, oldest first (${Object.entries(VERDICT_GLYPH).map(([v, g]) => `${g} ${v}`).join(', ')}).`, '');
    for (const [area, checks] of groupByArea(m.checks.map((c) => ({ ...c, revision: null })))) {
      out.push(`## ${area}`, '');
      out.push(`| check | ${m.targets.map((t) => mdCell(t.name)).join(' | ')} |`);
      out.push(`|---|${m.targets.map(() => '---|').join('')}`);
      for (const c of checks) out.push(`| \`${c.id}\` ${c.level} | ${m.targets.map((t) => cellGlyphs(t.cells[c.id])).join(' | ')} |`);
      out.push('');
    }
  }
  return `${out.join('\n')}\n`;
}

// ---- HTML -------------------------------------------------------------------------------------

const e = (s: string): string => escapeHtml(s);
/** A relative link of ours (slug/file): each segment encoded. */
const rel = (p: string): string => wellFormed(p).split('/').map(encodeURIComponent).join('/');

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b}
h1{font-size:1.4em}small{color:#666}
table{border-collapse:collapse;margin-bottom:1.5em}th,td{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}
thead th{position:sticky;top:0;background:#f4f4f4;z-index:1}
th.area{background:#e8e8e8;font-size:1.05em}th.check{font-weight:normal;max-width:28em}.title{color:#555;display:block;font-size:.9em}
.v-pass{background:#d7f5dd}.v-fail{background:#f8d7da}.v-warn{background:#fff3cd}.v-info{background:#d6ecf5}
.v-not-applicable{background:#eee;color:#777}.v-not-verified{background:#e4e2f3}.none{background:#fafafa}
.s-crashed,.s-unreachable,.s-error,.s-timeout{background:#f8d7da}
td a{color:inherit;text-decoration:none}td a:hover{text-decoration:underline}.g{font-family:monospace;letter-spacing:1px}
.wire{font-size:.8em;margin-left:.3em}
`;

function cellHtml(t: MatrixTarget, c: MatrixCheck): string {
  const cells = t.cells[c.id];
  if (!cells?.length) return `<td class="none" title="${e(t.status === 'tested' ? 'not run' : STATUS_WORD[t.status])}"></td>`;
  const v = worst(cells);
  const title = cells.map((x) => `${x.revision ?? 'any'}: ${VERDICT_WORD[x.verdict]}${x.message ? ` — ${x.message}` : ''}`).join('\n');
  // A glyph per revision, each marked for the filters (reports/html.ts).
  const glyphs = `<span class="g">${cells.map((x) => `<span data-v="${x.verdict}" data-r="${e(revAttr(x.revision))}">${e(VERDICT_GLYPH[x.verdict])}</span>`).join('')}</span>`;
  const body = t.report ? `<a href="${e(rel(t.report))}#${e(encodeURIComponent(wellFormed(`area-${c.area}`)))}">${glyphs}</a>` : glyphs;
  // The wire log of the worst revision: the evidence for what the cell shows.
  const log = cells.find((x) => x.verdict === v && x.wireLog)?.wireLog ?? cells.find((x) => x.wireLog)?.wireLog;
  const wire = log ? `<a class="wire" href="${e(rel(log))}" title="wire log">log</a>` : '';
  return `<td class="v-${v}" title="${e(title)}">${body}${wire}</td>`;
}

export function renderMatrixHtml(m: Matrix): string {
  const revs = revisionColumns(m);
  const title = `mcp-conform compatibility matrix (${m.targets.length} targets)`;
  const summary: string[] = [`<tr><th>target</th><th>status</th>${revs.map((r) => `<th data-r="${e(revAttr(r))}">${e(r ?? 'any')}</th>`).join('')}<th>links</th></tr>`];
  for (const t of m.targets) {
    const status = t.status === 'tested' ? `tested: ${t.counts.passed} passed, ${t.counts.failed} failed, ${t.counts.warned} warned, ${t.counts.notVerified} not verified` : `${STATUS_WORD[t.status]}: ${t.reason || `exit ${t.exitCode}`}`;
    const rates = revs.map((rev) => {
      const r = t.rates.find((x) => x.revision === rev);
      return r ? `<td data-r="${e(revAttr(rev))}">${e(rateText(r))}</td>` : `<td class="none" data-r="${e(revAttr(rev))}"></td>`;
    });
    const links = [t.report && `<a href="${e(rel(t.report))}">report</a>`, t.results && `<a href="${e(rel(t.results))}">results.json</a>`, t.wire && `<a href="${e(rel(t.wire))}">wire logs</a>`].filter(Boolean).join(' · ');
    summary.push(
      `<tr class="s-${t.status}"><th><span id="${e(wellFormed(`target-${t.slug}`))}">${e(t.name)}</span><span class="title">${e(t.description)} (${e(t.transport)}, ${e(t.mode)})</span></th><td>${e(status)}</td>${rates.join('')}<td>${links}</td></tr>`,
    );
  }
  const body: string[] = [];
  for (const [area, checks] of groupByArea(m.checks.map((c) => ({ ...c, revision: null })))) {
    body.push(`<tbody><tr><th class="area" colspan="${m.targets.length + 1}" id="${e(wellFormed(`area-${area}`))}">${e(area)}</th></tr>`);
    for (const c of checks) body.push(`<tr class="row" data-level="${e(c.level)}"><th class="check"><code>${e(c.id)}</code> ${e(c.level)}<span class="title">${e(c.title)}</span></th>${m.targets.map((t) => cellHtml(t, c)).join('')}</tr>`);
    body.push('</tbody>');
  }
  const legend = Object.entries(VERDICT_GLYPH).map(([v, g]) => `${e(g)} ${e(v)}`).join(', ');
  const all = m.targets.flatMap((t) => Object.values(t.cells).flat());
  const filter = filters({ verdicts: all.map((x) => x.verdict), levels: m.checks.map((c) => c.level), revisions: revs });
  return [
    ...documentStart(title, `${CSS}${filter.css}`),
    `<p>${e(m.tool.name)} ${e(m.tool.version)} · ${e(m.startedAt)} – ${e(m.endedAt)}${m.shard ? ` · shard ${m.shard.index}/${m.shard.count}` : ''}. Pass rate: passed ÷ checks run that apply (not-applicable left out).</p>`,
    `<table><thead>${summary[0]}</thead><tbody>${summary.slice(1).join('')}</tbody></table>`,
    m.checks.length
      ? `${filter.html}<p>Each cell: one glyph per revision, oldest first (${legend}); it links to the target's report, and “log” to the wire log of the worst revision.</p>` +
        `<table><thead><tr><th>check</th>${m.targets.map((t) => `<th><a href="#${e(encodeURIComponent(wellFormed(`target-${t.slug}`)))}">${e(t.name)}</a></th>`).join('')}</tr></thead>${body.join('')}</table>`
      : '<p>No target ran any check.</p>',
    '</body></html>',
    '',
  ].join('\n');
}

export function renderMatrixJson(m: Matrix): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
