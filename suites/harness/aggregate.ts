// Run-level results computed from all check results: `schema/valid-messages` (every message the
// target sent, in every check, against the schema of the negotiated revision), and the filling
// in of checks that never reported (budget, interruption).
import { specUrl, type Revision } from '../../schema/index.ts';
import type { CheckResult, WireEntry } from '../../reports/model.ts';
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

/** One `schema/valid-messages` result per revision, from the violations of every check. */
export function validMessagesResults(results: readonly CheckResult[], revisions: readonly Revision[]): CheckResult[] {
  return revisions.map((rev) => {
    const mine = results.filter((r) => r.revision === rev && r.id !== VALID_MESSAGES.id);
    const bad = mine.flatMap((r) => (r.violations ?? []).map((v) => ({ check: r.id, wireLog: r.wireLog, ...v })));
    const page = VALID_MESSAGES.spec[rev];
    const base: CheckResult = {
      id: VALID_MESSAGES.id,
      title: VALID_MESSAGES.title,
      level: VALID_MESSAGES.level,
      revision: rev,
      verdict: 'pass',
      message: '',
      requirement: VALID_MESSAGES.requirement,
      specUrl: page ? specUrl(rev, page) : null,
      durationMs: 0,
      wireLog: null,
    };
    if (mine.length === 0) return { ...base, verdict: 'not-verified', message: 'no check ran at this revision' };
    if (bad.length === 0) return base;
    // MUST violations first: they decide the verdict and are the ones shown.
    bad.sort((a, b) => Number(a.level === 'SHOULD') - Number(b.level === 'SHOULD'));
    const musts = bad.filter((b) => b.level !== 'SHOULD').length;
    const lines = bad.slice(0, SHOWN).map((b) => `during ${b.check}: ${b.pointer || '/'} ${b.message} in ${b.excerpt}`);
    const more = bad.length > SHOWN ? ` (and ${bad.length - SHOWN} more)` : '';
    const evidence: WireEntry[] = bad.slice(0, SHOWN).map((b) => ({ t: 0, dir: b.dir, raw: b.excerpt, note: `during ${b.check} (${b.wireLog ?? 'no wire log'}): ${b.pointer || '/'} ${b.message}` }));
    // Only SHOULD-level findings (a rule JSON-RPC states that the revision's schema leaves open): a warning.
    const what = musts ? `${bad.length} schema violation(s)` : `${bad.length} SHOULD-level JSON-RPC finding(s) (the schema allows them)`;
    return {
      ...base,
      verdict: musts ? 'fail' : 'warn',
      message: `${what} in messages the server sent: ${lines.join('; ')}${more}`,
      evidence,
      violations: bad.map(({ dir, pointer, message, excerpt, level }) => ({ dir, pointer, message, excerpt, ...(level ? { level } : {}) })),
    };
  });
}

/** A result for a check that never reported (budget exhausted, run interrupted, worker crashed). */
export function notRunResult(id: string, title: string, level: CheckResult['level'], rev: Revision | null, why: string, requirement = '', url: string | null = null): CheckResult {
  return { id, title, level, revision: rev, verdict: 'not-verified', message: why, requirement, specUrl: url, durationMs: 0, wireLog: null };
}
