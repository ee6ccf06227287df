// Step-up keeps what was granted: the re-authorization asks for the challenged scopes alongside
// those granted before (2026-07-28 scope-selection-strategy; the union of step 2 of the step-up flow).
import type { ClientRun } from '../../harness/index.ts';
import { parseChallenge, clientCheck } from '../../kit/index.ts';
import { STEP_UP_MINIMAL } from '../auth-scenarios.ts';
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
