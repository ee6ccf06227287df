// A standalone single-file HTML compatibility matrix, in the manner of wpt.fyi: rows are checks
// grouped by area, columns are revisions — or target × revision when several runs are compared.
// Every non-pass cell folds open (<details>) to the reason, the requirement, the spec link and the
// wire evidence. No script at all, and a CSP that forbids one, so escaped text stays text: the
// filters by verdict, level and revision are checkboxes and CSS (:has()).
import escapeHtml from 'escape-html';
import { REVISIONS, type Revision } from '../schema/index.ts';
import { areaOf, evidenceText, groupByArea, plural, VERDICT_GLYPH, VERDICT_WORD, wellFormed } from './common.ts';
import { countVerdicts, type CheckResult, type Level, type Results, type Verdict } from './model.ts';

export interface HtmlOptions {
  title?: string;
}

interface Column {
  run: number;
  revision: Revision | null;
}

// Worst first: when one run has two results for one cell, the cell shows the worse.
const SEVERITY: Record<Verdict, number> = { fail: 0, warn: 1, 'not-verified': 2, info: 3, 'not-applicable': 4, pass: 5 };

const e = (s: string): string => escapeHtml(s);

/** An http(s) URL for an href, or null (a results.json from elsewhere may carry javascript: URLs). */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** A relative path (a wire log beside the report) for an href, or null if it has a scheme or is absolute. */
function safeRelative(path: string | null): string | null {
  if (!path || /^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('/') || path.startsWith('\\')) return null;
  return wellFormed(path).split('/').map(encodeURIComponent).join('/');
}

function columnsOf(list: readonly Results[]): Column[] {
  const cols: Column[] = [];
  list.forEach((r, run) => {
    const revs = new Set<Revision | null>(r.revisions);
    for (const c of r.checks) revs.add(c.revision);
    const ordered = [...revs].sort((a, b) => (a === null ? -1 : b === null ? 1 : REVISIONS.indexOf(a) - REVISIONS.indexOf(b)));
    for (const revision of ordered) cols.push({ run, revision });
  });
  return cols;
}

function cellKey(run: number, id: string, revision: Revision | null): string {
  return `${run}\u0000${id}\u0000${revision ?? ''}`;
}

function cellHtml(c: CheckResult | undefined, revision: Revision | null): string {
  const r = `data-r="${e(revAttr(revision))}"`;
  if (!c) return `<td class="none" ${r} title="not run"></td>`;
  const label = `<span class="g">${e(VERDICT_GLYPH[c.verdict])}</span> ${e(VERDICT_WORD[c.verdict])}${c.expected ? ' <span class="tag">expected</span>' : ''}${c.stale ? ' <span class="tag">stale</span>' : ''}`;
  const open = `<td class="v-${c.verdict}" data-v="${c.verdict}" ${r}`;
  if (c.verdict === 'pass' && !c.message && !c.stale) return `${open} title="${e(`${c.durationMs} ms`)}">${label}</td>`;
  const parts: string[] = [];
  if (c.message) parts.push(`<p class="msg">${e(c.message)}</p>`);
  if (c.requirement) parts.push(`<blockquote>${c.level}: ${e(c.requirement)}</blockquote>`);
  const spec = safeHref(c.specUrl);
  if (spec) parts.push(`<p><a href="${e(spec)}">${e(c.specUrl ?? '')}</a></p>`);
  const log = safeRelative(c.wireLog);
  if (log) parts.push(`<p>wire log: <a href="${e(log)}">${e(c.wireLog ?? '')}</a></p>`);
  const ev = evidenceText(c.evidence, 20_000);
  if (ev) parts.push(`<pre>${e(ev)}</pre>`);
  return `${open}><details><summary>${label}</summary>${parts.join('')}</details></td>`;
}

function runHeader(r: Results, i: number, many: boolean): string {
  const k = r.counts;
  const hosts = (r.hosts ?? [])
    .map((h) => `<li class="${h.works ? 'ok' : 'bad'}">${h.works ? '✓' : '✗'} ${e(h.summary || h.host)}</li>`)
    .join('');
  const errors = r.errors.map((x) => `<li>${e(x)}</li>`).join('');
  const b = r.baseline;
  const baseline = b
    ? `<p>Baseline <code>${e(b.source)}</code>: ${b.expectedFailures.length} expected, ${b.newFailures.length} new, ${b.staleEntries.length} stale` +
      (b.staleEntries.length ? ` (<code>${b.staleEntries.map(e).join('</code>, <code>')}</code>)` : '') +
      '</p>'
    : '';
  return (
    `<section class="run"><h2>${many ? `${i + 1}. ` : ''}${e(r.target.description)} <small>(${e(r.target.transport)}, ${e(r.mode)})</small></h2>` +
    `<p>${k.total} checks: ${k.passed} passed, ${k.failed} failed, ${plural(k.warned, 'warning')}, ${k.info} info, ${k.notApplicable} not applicable, ${k.notVerified} not verified · ` +
    `${e(r.tool.name)} ${e(r.tool.version)} · ${e(r.startedAt)}</p>` +
    (hosts ? `<ul class="hosts">${hosts}</ul>` : '') +
    (errors ? `<details class="errors"><summary>${r.errors.length} run error(s)</summary><ul>${errors}</ul></details>` : '') +
    baseline +
    '</section>'
  );
}

/**
 * The opening of a self-contained report page, through its <h1>: no script and no network (a CSP
 * that forbids both, so escaped text stays text), the given styles inline.
 */
export function documentStart(title: string, css: string): string[] {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title><style>${css}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
  ];
}

const VERDICTS: readonly Verdict[] = ['fail', 'warn', 'not-verified', 'info', 'not-applicable', 'pass'];
const LEVELS: readonly Level[] = ['MUST', 'SHOULD', 'MAY'];

/** The data-r value of a revision (null: the revision-independent checks). */
export const revAttr = (r: Revision | null): string => r ?? 'any';

/**
 * Filters by verdict, level and revision without a script (the CSP forbids one): a checkbox per
 * value present, and CSS rules keyed on which are checked. The page marks up
 * - each check row as `<tr class="row" data-level=…>`;
 * - each verdict in it as an element with `data-v` and `data-r` (a cell, or a glyph in a cell);
 * - each element of a revision's column (cells, headers, glyphs) with `data-r`.
 * A row shows when it holds a verdict that is checked at a revision that is checked, and its level
 * is checked; an unchecked revision's elements are hidden. Browsers without :has() show everything
 * and no filters (the rules sit in @supports).
 */
export function filters(present: { verdicts: Iterable<Verdict>; levels: Iterable<string>; revisions: Iterable<Revision | null> }): { html: string; css: string } {
  const vs = new Set(present.verdicts);
  const ls = new Set(present.levels);
  const verdicts = VERDICTS.filter((v) => vs.has(v));
  const levels = LEVELS.filter((l) => ls.has(l));
  const rs = new Set(present.revisions);
  const revisions = [null, ...REVISIONS].filter((r) => rs.has(r)).map(revAttr);
  const box = (id: string, label: string) => `<label><input type="checkbox" id="${id}" checked> ${label}</label>`;
  const html =
    '<fieldset class="filters"><legend>Show</legend>' +
    `<span>verdict: ${verdicts.map((v) => box(`f-v-${v}`, `${e(VERDICT_GLYPH[v])} ${e(VERDICT_WORD[v])}`)).join(' ')}</span>` +
    `<span>level: ${levels.map((l) => box(`f-l-${l}`, l)).join(' ')}</span>` +
    `<span>revision: ${revisions.map((r) => box(`f-r-${r}`, r === 'any' ? 'any revision' : r)).join(' ')}</span>` +
    '</fieldset>';
  const rules: string[] = ['tr.row{display:none}'];
  for (const v of verdicts) for (const r of revisions) rules.push(`body:has(#f-v-${v}:checked):has(#f-r-${r}:checked) tr.row:has([data-v="${v}"][data-r="${r}"]){display:table-row}`);
  // After the rules that show, and !important: an unchecked level hides its rows whatever they hold.
  for (const l of levels) rules.push(`body:has(#f-l-${l}:not(:checked)) tr.row[data-level="${l}"]{display:none!important}`);
  for (const r of revisions) rules.push(`body:has(#f-r-${r}:not(:checked)) [data-r="${r}"]{display:none}`);
  const css = `.filters{display:none;margin:.5em 0 1em;border:1px solid #ccc}.filters span{margin-right:1.5em}.filters label{white-space:nowrap}
@supports selector(:has(a)){.filters{display:block}
${rules.join('\n')}
}`;
  return { html, css };
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b}
h1{font-size:1.4em}h2{font-size:1.1em;margin:.4em 0}small{color:#666;font-weight:normal}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}
thead th{position:sticky;top:0;background:#f4f4f4;z-index:1}
th.area{background:#e8e8e8;text-align:left;font-size:1.05em}
th.check{font-weight:normal;max-width:28em}th.check code{font-weight:bold}.title{color:#555;display:block;font-size:.9em}
.v-pass{background:#d7f5dd}.v-fail{background:#f8d7da}.v-warn{background:#fff3cd}.v-info{background:#d6ecf5}
.v-not-applicable{background:#eee;color:#777}.v-not-verified{background:#e4e2f3}.none{background:repeating-linear-gradient(45deg,#fafafa,#fafafa 4px,#f0f0f0 4px,#f0f0f0 8px)}
td details summary{cursor:pointer;white-space:nowrap}td details[open]{min-width:30em;max-width:60em}
pre{white-space:pre-wrap;word-break:break-all;background:#fff;border:1px solid #ddd;padding:4px;max-height:30em;overflow:auto;font-size:12px}
blockquote{margin:.3em 0;padding-left:.6em;border-left:3px solid #999;color:#333}
.tag{font-size:.75em;border:1px solid #888;border-radius:3px;padding:0 3px}
.hosts{list-style:none;padding:0}.hosts .ok{color:#1b5e20}.hosts .bad{color:#b71c1c}
tfoot td{font-size:.9em;color:#333}
`;

/** The matrix of one or more runs (one column per target × revision). */
export function renderMatrix(list: readonly Results[], options: HtmlOptions = {}): string {
  const many = list.length > 1;
  const cols = columnsOf(list);
  const cells = new Map<string, CheckResult>();
  const meta = new Map<string, CheckResult>();
  list.forEach((r, run) => {
    for (const c of r.checks) {
      const key = cellKey(run, c.id, c.revision);
      const prior = cells.get(key);
      if (!prior || SEVERITY[c.verdict] < SEVERITY[prior.verdict]) cells.set(key, c);
      if (!meta.has(c.id)) meta.set(c.id, c);
    }
  });
  const title = options.title ?? (many ? 'mcp-conform compatibility matrix' : `mcp-conform: ${list[0]?.target.description ?? 'no run'}`);

  const head: string[] = [];
  if (many) {
    const spans = list.map((r, run) => `<th colspan="${cols.filter((c) => c.run === run).length}">${e(r.target.description)}</th>`);
    head.push(`<tr><th rowspan="2">check</th>${spans.join('')}</tr>`);
    head.push(`<tr>${cols.map((c) => `<th data-r="${e(revAttr(c.revision))}">${e(c.revision ?? 'any')}</th>`).join('')}</tr>`);
  } else {
    head.push(`<tr><th>check</th>${cols.map((c) => `<th data-r="${e(revAttr(c.revision))}">${e(c.revision ?? 'any revision')}</th>`).join('')}</tr>`);
  }

  const body: string[] = [];
  for (const [area, checks] of groupByArea([...meta.values()])) {
    body.push(`<tbody><tr><th class="area" colspan="${cols.length + 1}" id="${e(wellFormed(`area-${area}`))}">${e(area)}</th></tr>`);
    for (const m of checks) {
      const row = cols.map((col) => cellHtml(cells.get(cellKey(col.run, m.id, col.revision)), col.revision)).join('');
      body.push(`<tr class="row" data-level="${e(m.level)}"><th class="check"><code>${e(m.id)}</code> ${e(m.level)}<span class="title">${e(m.title)}</span></th>${row}</tr>`);
    }
    body.push('</tbody>');
  }

  const foot = cols
    .map((col) => {
      const inCol = list[col.run]?.checks.filter((c) => c.revision === col.revision) ?? [];
      const k = countVerdicts(inCol);
      return `<td data-r="${e(revAttr(col.revision))}">${k.passed}/${k.total} pass${k.failed ? `, ${k.failed} fail` : ''}${k.warned ? `, ${k.warned} warn` : ''}</td>`;
    })
    .join('');

  const areas = [...new Set([...meta.keys()].map(areaOf))].sort();
  const all = list.flatMap((r) => r.checks);
  const filter = filters({ verdicts: all.map((c) => c.verdict), levels: all.map((c) => c.level), revisions: cols.map((c) => c.revision) });
  return [
    ...documentStart(title, `${CSS}${filter.css}`),
    ...list.map((r, i) => runHeader(r, i, many)),
    areas.length > 1 ? `<p>Areas: ${areas.map((a) => `<a href="#${e(encodeURIComponent(wellFormed(`area-${a}`)))}">${e(a)}</a>`).join(' · ')}</p>` : '',
    all.length ? filter.html : '',
    `<table><thead>${head.join('')}</thead>${body.join('')}<tfoot><tr><td></td>${foot}</tr></tfoot></table>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** The matrix of one run: one column per revision. */
export function renderHtml(results: Results, options: HtmlOptions = {}): string {
  return renderMatrix([results], options);
}
