// Run-level results computed from all check results: `schema/valid-messages` (every message the
// target sent, in every check, against the schema of the negotiated revision), and the filling
// in of checks that never reported (budget, interruption).
import { specUrl, type Revision } from '../../schema/index.ts';
import { checkResult, type CheckResult, type MessageViolation, type WireEntry } from '../../reports/model.ts';
import { checkMeta } from './check.ts';

export const VALID_MESSAGES = checkMeta({
  id: 'schema/valid-messages',
  title: 'Every message the server sends conforms to the schema',
  level: 'MUST',
  requirement: 'All messages between MCP clients and servers MUST follow the JSON-RPC 2.0 specification; the schema is the source of truth for all protocol messages and structures.',
  spec: {
    '2024-11-05': 'basic/messages',
    '2025-03-26': 'basic#messages',
    '2025-06-18': 'basic#messages',
    '2025-11-25': 'basic#messages',
    '2026-07-28': 'basic#messages',
  },
});

const SHOWN = 8;

type Row = MessageViolation & { count: number; at: NonNullable<MessageViolation['at']> };

/**
 * The violations of every check, one row per (type, pointer, cause) with the number of messages
 * that had it and where they were (check results and wire logs): one defect in 60 messages is one
 * row with count 60, not 60 rows.
 */
export function groupViolations(results: readonly CheckResult[]): Row[] {
  const rows = new Map<string, Row>();
  for (const r of results) {
    for (const v of r.violations ?? []) {
      const n = v.count ?? 1;
      const k = JSON.stringify([v.dir, v.type ?? '', v.pointer, v.message, v.level ?? '']);
      let row = rows.get(k);
      if (!row) {
        row = { dir: v.dir, ...(v.type !== undefined ? { type: v.type } : {}), pointer: v.pointer, message: v.message, excerpt: v.excerpt, ...(v.level ? { level: v.level } : {}), count: 0, at: [] };
        rows.set(k, row);
      }
      row.count += n;
      const here = row.at.find((a) => a.check === r.id && a.revision === r.revision);
      if (here) here.count += n;
      else row.at.push({ check: r.id, revision: r.revision, wireLog: r.wireLog, count: n });
    }
  }
  return [...rows.values()].sort((a, b) => b.count - a.count);
}

/** One `schema/valid-messages` result per revision, from the violations of every check. */
export function validMessagesResults(results: readonly CheckResult[], revisions: readonly Revision[]): CheckResult[] {
  return revisions.map((rev) => {
    const mine = results.filter((r) => r.revision === rev && r.id !== VALID_MESSAGES.id);
    const rows = groupViolations(mine);
    const page = VALID_MESSAGES.spec[rev];
    const base = checkResult(VALID_MESSAGES, rev, { verdict: 'pass', message: '', specUrl: page ? specUrl(rev, page) : null });
    if (mine.length === 0) return { ...base, verdict: 'not-verified', message: 'no check ran at this revision' };
    if (rows.length === 0) return base;
    // MUST violations first: they decide the verdict and are the ones shown.
    rows.sort((a, b) => Number(a.level === 'SHOULD') - Number(b.level === 'SHOULD'));
    const musts = rows.filter((r) => r.level !== 'SHOULD').length;
    const total = rows.reduce((n, r) => n + r.count, 0);
    const where = (r: Row) => `during ${r.at[0]!.check}${r.at.length > 1 ? ` and ${r.at.length - 1} other check(s)` : ''}`;
    const what = (r: Row) => `${r.count > 1 ? `${r.count}× ` : ''}${r.type ? `${r.type} ` : ''}${r.pointer || '/'} ${r.message}`;
    // The first row leads (the summary shows one line); every row, with where each message was, is in `violations`.
    const lines = rows.slice(0, SHOWN).map((r) => `${what(r)} (${where(r)}) in ${r.excerpt}`);
    const more = rows.length > SHOWN ? ` (and ${rows.length - SHOWN} more)` : '';
    const evidence: WireEntry[] = rows.slice(0, SHOWN).map((r) => ({ t: 0, dir: r.dir, raw: r.excerpt, note: `${what(r)}: ${r.at.map((a) => `${a.check} ×${a.count} (${a.wireLog ?? 'no wire log'})`).join(', ')}` }));
    // Only SHOULD-level findings (a rule JSON-RPC states that the revision's schema leaves open): a warning.
    const kind = musts ? `${total} schema violation(s), ${rows.length} distinct,` : `${total} SHOULD-level JSON-RPC finding(s) (the schema allows them), ${rows.length} distinct,`;
    return {
      ...base,
      verdict: musts ? 'fail' : 'warn',
      message: `${kind} in messages the server sent: ${lines.join('; ')}${more}`,
      evidence,
      violations: rows,
    };
  });
}

/** A result for a check that never reported (budget exhausted, run interrupted, worker crashed). */
export function notRunResult(id: string, title: string, level: CheckResult['level'], rev: Revision | null, why: string, requirement = '', url: string | null = null): CheckResult {
  return checkResult({ id, title, level, requirement }, rev, { verdict: 'not-verified', message: why, specUrl: url });
}
