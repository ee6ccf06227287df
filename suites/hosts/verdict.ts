// One line per selected host at the end of a run: "works with Claude Code", or "does not work
// with the Messages API MCP connector because …" with the failing check ids.
import type { CheckResult, HostVerdict, Results } from '../../reports/index.ts';
import type { HostProfile } from './profiles.ts';

const MAX_REASONS = 2;
const REASON_CHARS = 200;

function clip(s: string, n = REASON_CHARS): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

/** The verdict for one host from the run's check results. */
export function hostVerdict(host: HostProfile, checks: readonly CheckResult[]): HostVerdict {
  const prefix = `hosts/${host.id}/`;
  const mine = checks.filter((c) => c.id.startsWith(prefix));
  const failed = mine.filter((c) => c.verdict === 'fail');
  if (failed.length > 0) {
    const ids = unique(failed.map((c) => c.id));
    const reasons = unique(failed.map((c) => clip(c.message))).slice(0, MAX_REASONS);
    const more = ids.length > reasons.length ? '; …' : '';
    return { host: host.id, works: false, summary: `does not work with ${host.name} because ${reasons.join('; ')}${more} (${ids.join(', ')})`, failingChecks: ids };
  }
  const ran = mine.filter((c) => c.verdict === 'pass' || c.verdict === 'warn' || c.verdict === 'info');
  if (ran.length === 0) {
    const unverified = mine.filter((c) => c.verdict === 'not-verified');
    const why = unverified[0] ? `: ${clip(unverified[0].message)}` : mine.length === 0 ? ' (none of its checks ran)' : '';
    return { host: host.id, works: false, summary: `could not be checked against ${host.name}${why}`, failingChecks: [] };
  }
  const notes: string[] = [];
  const warned = unique(mine.filter((c) => c.verdict === 'warn').map((c) => c.id));
  if (warned.length) notes.push(`warnings: ${warned.join(', ')}`);
  const notVerified = unique(mine.filter((c) => c.verdict === 'not-verified').map((c) => c.id));
  if (notVerified.length) notes.push(`not verified: ${notVerified.join(', ')}`);
  return { host: host.id, works: true, summary: `works with ${host.name}${notes.length ? ` (${notes.join('; ')})` : ''}`, failingChecks: [] };
}

export function hostVerdicts(checks: readonly CheckResult[], hosts: readonly HostProfile[]): HostVerdict[] {
  return hosts.map((h) => hostVerdict(h, checks));
}

/** The results with `hosts` filled in for the selected hosts (unchanged when none is selected). */
export function withHostVerdicts(results: Results, hosts: readonly HostProfile[]): Results {
  if (hosts.length === 0) return results;
  return { ...results, hosts: hostVerdicts(results.checks, hosts) };
}
