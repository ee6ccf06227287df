// The challenged scope set is authoritative: the step-up authorization asks for it alongside the
// scopes granted before (2026-07-28 scope-selection-strategy; step 2 of the step-up flow), and no
// set relationship with scopes_supported is assumed (a challenged scope it does not list is asked for too).
import type { ClientRun } from '../../harness/index.ts';
import { parseChallenge, clientCheck, exitSummary as exitSummaryOf } from '../../kit/index.ts';
import { CHALLENGE_OUTSIDE_SUPPORTED, STEP_UP_MINIMAL } from '../auth-scenarios.ts';
import { type A, of, json, mcpRecs, authEvidence, authRuns } from './common.ts';

const SCENARIOS = ['auth/scope-step-up', STEP_UP_MINIMAL];
const words = (s: string | undefined) => (s ?? '').split(' ').filter(Boolean);

/** The scopes granted before `at`: the last token response's scope, else what its authorization asked for (RFC 6749 §5.1: omitted = as requested). */
function grantedBefore(run: ClientRun, at: number): { scopes: string[]; record?: A } {
  const tok = of(run, 'token').filter((r) => r.seq < at && r.status === 200).at(-1);
  if (!tok) return { scopes: [] };
  const said = json(tok.responseBody)?.scope;
  if (typeof said === 'string') return { scopes: words(said), record: tok };
  const asked = tok.params.scope ?? of(run, 'authorize').filter((r) => r.seq < tok.seq).at(-1)?.params.scope;
  return { scopes: words(asked), record: tok };
}

clientCheck(
  {
    id: 'client-auth/step-up-keeps-scopes',
    title: 'the step-up authorization asks for the challenged scopes alongside those granted before',
    level: 'SHOULD',
    requirement:
      'Clients MUST treat the scopes provided in the challenge as authoritative for the current operation. When re-authorizing, clients SHOULD include these scopes alongside any previously granted scopes to avoid losing permissions needed for other operations (step-up: the union of the previously requested scope set and the scopes from the current challenge).',
    spec: { '2026-07-28': 'basic/authorization#scope-selection-strategy' },
    scenarios: SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, SCENARIOS);
    let seen = 0;
    for (const run of runs) {
      const denied = mcpRecs(run).find((r) => r.status === 403 && /insufficient_scope/.test(r.responseHeaders['www-authenticate'] ?? ''));
      if (!denied) continue;
      const again = of(run, 'authorize').find((r) => r.seq > denied.seq);
      if (!again) continue; // no re-authorization: client-auth/step-up says so
      seen++;
      const challenged = words(parseChallenge(denied.responseHeaders['www-authenticate'])?.params.scope);
      const granted = grantedBefore(run, denied.seq);
      const asked = new Set(words(again.params.scope));
      const lost = granted.scopes.filter((s) => !asked.has(s));
      const left = challenged.filter((s) => !asked.has(s));
      if (lost.length || left.length) {
        const why = [lost.length ? `without ${lost.join(' ')} granted before (scope "${granted.scopes.join(' ')}")` : '', left.length ? `without ${left.join(' ')} named by the 403 challenge (scope "${challenged.join(' ')}")` : ''].filter(Boolean).join(', and ');
        return t.fail(`scenario ${run.scenario}: the step-up authorization asked for ${JSON.stringify(again.params.scope ?? '')}, ${why}`, authEvidence([...(granted.record ? [granted.record] : []), denied, again]));
      }
    }
    if (seen === 0) t.notVerified('the client never authorized again after a 403 insufficient_scope in these scenarios (client-auth/step-up judges that)');
  },
);

clientCheck(
  {
    id: 'client-auth/challenge-scope-unfiltered',
    title: 'the challenged scopes are asked for even where scopes_supported does not list them',
    level: 'MUST',
    requirement:
      'The scopes included in the WWW-Authenticate challenge MAY match scopes_supported, be a subset or superset of it, or an alternative collection that is neither a strict subset nor superset. Clients MUST NOT assume any particular set relationship between the challenged scope set and scopes_supported.',
    spec: { '2025-11-25': 'basic/authorization#protected-resource-metadata-discovery-requirements', '2026-07-28': 'basic/authorization#scope-selection-strategy' },
    scenarios: [CHALLENGE_OUTSIDE_SUPPORTED],
  },
  (t) => {
    const { runs } = authRuns(t, [CHALLENGE_OUTSIDE_SUPPORTED]);
    for (const run of runs) {
      const challenge = mcpRecs(run).find((r) => r.status === 401);
      const first = of(run, 'authorize')[0];
      if (!challenge || !first) return t.notVerified(`the client made no authorization request in ${CHALLENGE_OUTSIDE_SUPPORTED} (${exitSummaryOf(run)})`);
      const challenged = words(parseChallenge(challenge.responseHeaders['www-authenticate'])?.params.scope);
      const asked = new Set(words(first.params.scope));
      const left = challenged.filter((s) => !asked.has(s));
      if (left.length) return t.fail(`the 401 challenge asked for scope "${challenged.join(' ')}" and the PRM lists scopes_supported "mcp:basic mcp:read"; the client's authorization asked for ${JSON.stringify(first.params.scope ?? '')}, without ${left.join(' ')} (a challenged scope is required whether scopes_supported lists it or not)`, authEvidence([challenge, first]));
    }
  },
);
