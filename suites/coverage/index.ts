// Traceability: which checks prove each normative statement of the spec (schema/statements.ts),
// or why none does. The mapping is data beside the checks, keyed by check id, so check files stay
// untouched: proves.json (check id → statement ids) and exempt.json (statement id → reason).
// A statement neither proved nor exempted is `not yet`: the honest default.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, REVISIONS, type Revision } from '../../schema/index.ts';
import { loadStatements, type Statement } from '../../schema/index.ts';
import type { CheckMeta } from '../../reports/index.ts';

export const EXEMPT_REASONS = ['not observable on the wire', 'covered by schema/valid-messages'] as const;
export type ExemptReason = (typeof EXEMPT_REASONS)[number];
export type Status = 'checked' | ExemptReason | 'not yet';

const DIR = join(PROJECT_ROOT, 'suites', 'coverage');

/** check id → the ids of the statements it proves (at whichever of its revisions they exist). */
export function loadProves(file = join(DIR, 'proves.json')): Record<string, string[]> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
}

/** statement id → why no check proves it. */
export function loadExemptions(file = join(DIR, 'exempt.json')): Record<string, ExemptReason> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, ExemptReason>;
}

export interface StatementCoverage extends Statement {
  status: Status;
  /** Check ids that prove it at this revision. */
  checks: string[];
}

export interface PageCoverage {
  page: string;
  statements: number;
  checked: number;
  schema: number;
  notObservable: number;
  notYet: number;
  /** (checked + schema) / observable statements, 0–100; null when none is observable. */
  percent: number | null;
}

export interface RevisionCoverage {
  revision: Revision;
  pages: PageCoverage[];
  total: PageCoverage;
  statements: StatementCoverage[];
  /** Checks applying at this revision that prove none of its statements (their requirement is no keyword sentence of it). */
  unmappedChecks: string[];
}

export interface CoverageData {
  proves: Record<string, string[]>;
  exempt: Record<string, ExemptReason>;
}

function pageCounts(page: string, ss: StatementCoverage[]): PageCoverage {
  const n = (s: Status) => ss.filter((x) => x.status === s).length;
  const checked = n('checked');
  const schema = n('covered by schema/valid-messages');
  const notObservable = n('not observable on the wire');
  const observable = ss.length - notObservable;
  return {
    page,
    statements: ss.length,
    checked,
    schema,
    notObservable,
    notYet: n('not yet'),
    percent: observable ? Math.round(((checked + schema) / observable) * 1000) / 10 : null,
  };
}

/** The coverage of one revision by the given checks. */
export function revisionCoverage(rev: Revision, checks: readonly CheckMeta[], data: CoverageData = { proves: loadProves(), exempt: loadExemptions() }, statements = loadStatements(rev)): RevisionCoverage {
  const provers = new Map<string, string[]>();
  for (const c of checks) {
    if (!c.revisions.includes(rev)) continue;
    for (const id of data.proves[c.id] ?? []) provers.set(id, [...(provers.get(id) ?? []), c.id]);
  }
  const out: StatementCoverage[] = statements.map((s) => {
    const by = provers.get(s.id) ?? [];
    const status: Status = by.length ? 'checked' : (data.exempt[s.id] ?? 'not yet');
    return { ...s, status, checks: by };
  });
  const pages = [...new Set(out.map((s) => s.page))].map((p) => pageCounts(p, out.filter((s) => s.page === p)));
  const proving = new Set(out.flatMap((s) => s.checks));
  const unmappedChecks = checks.filter((c) => c.revisions.includes(rev) && !proving.has(c.id)).map((c) => c.id);
  return { revision: rev, pages, total: pageCounts('total', out), statements: out, unmappedChecks };
}

/** Problems with the mapping data: unknown checks, statements that exist in none of a check's revisions, bad exemptions. */
export function mappingProblems(checks: readonly CheckMeta[], data: CoverageData, statementsOf: (rev: Revision) => readonly Statement[]): string[] {
  const problems: string[] = [];
  const ids = new Map<Revision, Set<string>>();
  const idsOf = (r: Revision) => ids.get(r) ?? ids.set(r, new Set(statementsOf(r).map((s) => s.id))).get(r)!;
  const byId = new Map(checks.map((c) => [c.id, c]));
  for (const c of checks) if (!(c.id in data.proves)) problems.push(`${c.id}: no entry in suites/coverage/proves.json (an empty list if it proves no keyword sentence)`);
  for (const [cid, sids] of Object.entries(data.proves)) {
    const c = byId.get(cid);
    if (!c) {
      problems.push(`proves.json names check ${cid}, which no suite defines`);
      continue;
    }
    for (const sid of sids) if (!c.revisions.some((r) => idsOf(r).has(sid))) problems.push(`${cid} proves ${sid}, which is in none of its revisions' spec (${c.revisions.join(', ')})`);
  }
  const everywhere = new Set(REVISIONS.flatMap((r) => [...idsOf(r)]));
  for (const [sid, why] of Object.entries(data.exempt)) {
    if (!everywhere.has(sid)) problems.push(`exempt.json names ${sid}, which is in no revision's spec`);
    if (!(EXEMPT_REASONS as readonly string[]).includes(why)) problems.push(`exempt.json: ${sid} has reason "${why}" (known: ${EXEMPT_REASONS.join(', ')})`);
  }
  return problems;
}

const pct = (p: number | null) => (p === null ? '–' : `${p}%`);

/** Markdown: per-page counts, then (with `statements`) every statement and who proves it. */
export function coverageMarkdown(revs: readonly RevisionCoverage[], opts: { statements?: boolean } = {}): string {
  const lines: string[] = [];
  for (const rc of revs) {
    lines.push(`## ${rc.revision}`, '', '| page | statements | checked | schema | not observable | not yet | covered |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const p of [...rc.pages, rc.total]) {
      const name = p === rc.total ? '**total**' : p.page;
      lines.push(`| ${name} | ${p.statements} | ${p.checked} | ${p.schema} | ${p.notObservable} | ${p.notYet} | ${pct(p.percent)} |`);
    }
    lines.push('');
    if (opts.statements) {
      for (const p of rc.pages) {
        lines.push(`### ${rc.revision} ${p.page}`, '');
        for (const s of rc.statements.filter((x) => x.page === p.page)) {
          const by = s.status === 'checked' ? s.checks.join(', ') : s.status;
          lines.push(`- \`${s.id}\` **${s.level}** ${s.text.replace(/\s+/g, ' ')} — ${by}`);
        }
        lines.push('');
      }
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

export function coverageJson(revs: readonly RevisionCoverage[]): string {
  return `${JSON.stringify(
    revs.map((rc) => ({
      revision: rc.revision,
      total: rc.total,
      unmappedChecks: rc.unmappedChecks,
      pages: rc.pages,
      statements: rc.statements.map(({ id, page, anchor, level, text, status, checks }) => ({ id, page, anchor, level, text, status, checks })),
    })),
    null,
    2,
  )}\n`;
}
