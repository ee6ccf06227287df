// One line per selected host at the end of a run: "works with Claude Code", or "does not work
// with the Messages API MCP connector because …" with the failing check ids. The OAuth host rules
// rest on the server auth checks: where the run has those, the rules' results are made to agree
// with them (withAuthBacking) before the hosts are judged.
import { countVerdicts, type CheckResult, type HostVerdict, type Results } from '../../reports/index.ts';
import { DISCOVERY_CHECKS } from '../harness/auth.ts';
import { ruleId, type HostProfile } from './profiles.ts';

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

/** What the run's auth/* discovery checks say, over the revisions at which they judged a protected server. */
interface AuthSays {
  /** At some revision every discovery check passed. */
  works: boolean;
  /** At every revision judged, one failed: the first failing one per revision (in DISCOVERY_CHECKS order). */
  broken?: { culprit: CheckResult; revisions: string[] };
  /** …and at each revision that is auth/challenge: no Protected Resource Metadata, so the 2025-03-26 fallback (outside these checks) may still lead somewhere. */
  noPrm: boolean;
}

function authSays(checks: readonly CheckResult[]): AuthSays | undefined {
  const ids: readonly string[] = DISCOVERY_CHECKS;
  const byRev = new Map<string, CheckResult[]>();
  for (const c of checks) if (ids.includes(c.id)) byRev.set(String(c.revision), [...(byRev.get(String(c.revision)) ?? []), c]);
  let judged = 0;
  let works = false;
  const culprits: { rev: string; culprit: CheckResult }[] = [];
  for (const [rev, rs] of byRev) {
    // Not applicable (an authless server, a revision without these checks): nothing said.
    if (rs.every((r) => r.verdict === 'not-applicable')) continue;
    judged++;
    const culprit = DISCOVERY_CHECKS.map((id) => rs.find((r) => r.id === id)).find((r) => r?.verdict === 'fail');
    if (culprit) culprits.push({ rev, culprit });
    else if (DISCOVERY_CHECKS.every((id) => rs.find((r) => r.id === id)?.verdict === 'pass')) works = true;
  }
  if (judged === 0) return undefined;
  const first = culprits[0];
  const broken = first && culprits.length === judged ? { culprit: first.culprit, revisions: culprits.filter((c) => c.culprit.id === first.culprit.id).map((c) => c.rev) } : undefined;
  return { works, ...(broken ? { broken } : {}), noPrm: culprits.length > 0 && culprits.every((c) => c.culprit.id === 'auth/challenge') };
}

/**
 * The check results with each selected host's OAuth rules (kinds `oauth`, `oauth-dcr`) derived
 * from the auth/* discovery checks when the run has them: they fail where discovery fails at
 * every revision judged (citing the auth check), and a rule its own discovery could not verify
 * passes where those checks pass. Without those checks (e.g. `--only hosts`), the rules' own
 * run of the same discovery stands.
 */
export function withAuthBacking(checks: readonly CheckResult[], hosts: readonly HostProfile[]): CheckResult[] {
  const says = authSays(checks);
  if (!says) return [...checks];
  const replace = new Map<CheckResult, CheckResult>();
  for (const host of hosts) {
    const oauthRule = host.rules.find((r) => r.spec.kind === 'oauth');
    if (!oauthRule) continue;
    const oauth = checks.find((c) => c.id === ruleId(host.id, oauthRule) && c.verdict !== 'not-applicable');
    if (!oauth) continue;
    const { broken } = says;
    // With no PRM anywhere, the rule's own verdict stands: it also tried the 2025-03-26 fallback, which the auth checks do not cover.
    if (broken && oauth.verdict !== 'fail' && !says.noPrm) {
      const cite = `${broken.culprit.id} fails${broken.revisions.length ? ` at ${broken.revisions.join(', ')}` : ''}`;
      replace.set(oauth, { ...oauth, verdict: 'fail', message: `the server wants authorization but ${host.name} cannot find its OAuth authorization server: ${cite}: ${clip(broken.culprit.message)}` });
      const dcrRule = host.rules.find((r) => r.spec.kind === 'oauth-dcr');
      const dcr = dcrRule && checks.find((c) => c.id === ruleId(host.id, dcrRule) && c.verdict !== 'not-applicable');
      if (dcr && dcr.verdict !== 'not-verified') replace.set(dcr, { ...dcr, verdict: 'not-verified', message: `no authorization server metadata to look at (see ${oauth.id} and ${broken.culprit.id})` });
    } else if (says.works && oauth.verdict === 'not-verified') {
      replace.set(oauth, { ...oauth, verdict: 'pass', message: '' });
    }
  }
  return replace.size ? checks.map((c) => replace.get(c) ?? c) : [...checks];
}

/** The results with the OAuth host rules backed by the auth checks and `hosts` filled in for the selected hosts (unchanged when none is selected). */
export function withHostVerdicts(results: Results, hosts: readonly HostProfile[]): Results {
  if (hosts.length === 0) return results;
  const checks = withAuthBacking(results.checks, hosts);
  const changed = checks.some((c, i) => c !== results.checks[i]);
  return { ...results, ...(changed ? { checks, counts: countVerdicts(checks) } : {}), hosts: hostVerdicts(checks, hosts) };
}
