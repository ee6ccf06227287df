// Scopes: which scope a client asks for, step-up on insufficient_scope, and its retry limit.
import type { ClientRun } from '../../harness/index.ts';
import { parseChallenge, authPage, cite, clientCheck } from '../../kit/index.ts';
import { SCOPE_REVISIONS } from '../auth-scenarios.ts';
import { type A, recs, mcpRecs, of, authEvidence, authRuns, RETRY_LIMIT } from './common.ts';

const SCOPE_CASES: Record<string, { expected: string | undefined; why: string }> = {
  'auth/scope-from-www-authenticate': { expected: 'mcp:basic', why: 'the scope of the 401 challenge' },
  'auth/scope-from-scopes-supported': { expected: 'mcp:basic mcp:read', why: 'all of scopes_supported of the PRM (the challenge had no scope)' },
  'auth/scope-omitted-when-undefined': { expected: undefined, why: 'no scope parameter (neither the challenge nor the PRM names scopes)' },
};

const sameSet = (a: string | undefined, b: string | undefined) => {
  const x = new Set((a ?? '').split(' ').filter(Boolean));
  const y = new Set((b ?? '').split(' ').filter(Boolean));
  return x.size === y.size && [...x].every((s) => y.has(s));
};

clientCheck(
  {
    id: 'client-auth/scope-selection',
    title: 'the initial scope: the challenge\'s, else scopes_supported, else none',
    level: 'SHOULD',
    requirement: 'During the initial authorization handshake, MCP clients SHOULD follow this priority order for scope selection: use the scope parameter from the initial WWW-Authenticate header; if not available, use all scopes in scopes_supported of the PRM, omitting the scope parameter if scopes_supported is undefined.',
    spec: cite(SCOPE_REVISIONS, authPage('scope-selection-strategy')),
    scenarios: Object.keys(SCOPE_CASES),
  },
  (t) => {
    const { runs } = authRuns(t, Object.keys(SCOPE_CASES));
    for (const run of runs) {
      const c = SCOPE_CASES[run.scenario]!;
      const first = of(run, 'authorize')[0];
      if (!first) continue; // completes-flow says it never got there
      const asked = first.paramList.find(([k]) => k === 'scope')?.[1];
      if (c.expected === undefined ? asked !== undefined : !sameSet(asked, c.expected)) {
        return t.fail(`scenario ${run.scenario}: the client asked for ${asked === undefined ? 'no scope' : `scope ${JSON.stringify(asked)}`}; expected ${c.expected === undefined ? '' : `${JSON.stringify(c.expected)}: `}${c.why}`, authEvidence([first]));
      }
    }
  },
);

/** The 403 insufficient_scope answers of a run. */
const insufficient = (run: ClientRun) => mcpRecs(run).filter((r) => r.status === 403 && /insufficient_scope/.test(r.responseHeaders['www-authenticate'] ?? ''));
const isCall = (r: A) => /"method"\s*:\s*"tools\/call"/.test(r.body);

clientCheck(
  {
    id: 'client-auth/step-up',
    title: 'on 403 insufficient_scope the client authorizes again with the scopes named and retries',
    level: 'SHOULD',
    requirement: 'Clients SHOULD respond to insufficient_scope errors by requesting a new access token with an increased set of scopes via a step-up authorization flow; clients acting on behalf of a user SHOULD attempt the step-up authorization flow (then retry the original request).',
    spec: cite(SCOPE_REVISIONS, authPage('step-up-authorization-flow')),
    scenarios: ['auth/scope-step-up'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/scope-step-up']);
    for (const run of runs) {
      const denied = insufficient(run)[0];
      if (!denied) return t.notVerified(`the client never got a 403 insufficient_scope (it did not call add_numbers with a token)`);
      const wanted = parseChallenge(denied.responseHeaders['www-authenticate'])?.params.scope ?? '';
      const again = of(run, 'authorize').find((r) => r.seq > denied.seq);
      if (!again) {
        // A refresh cannot add scopes (RFC 6749 §6): asking the token endpoint again is no step-up.
        const asked = of(run, 'token').filter((r) => r.seq > denied.seq);
        const tried = asked.length ? `; it only asked the token endpoint again (${asked.map((r) => `grant_type ${r.params.grant_type ?? '?'}${r.params.scope ? ` scope "${r.params.scope}"` : ', no scope'}`).join('; ')}), which cannot grant more than the original authorization` : '';
        return t.fail(`after 403 insufficient_scope (scope "${wanted}") the client did not authorize again (no step-up)${tried}`, authEvidence([denied, ...recs(run).filter((r) => r.seq > denied.seq).slice(0, 4)]));
      }
      const got = new Set((again.params.scope ?? '').split(' '));
      const missing = wanted.split(' ').filter((s) => s && !got.has(s));
      if (missing.length) return t.fail(`the step-up authorization asked for ${JSON.stringify(again.params.scope ?? '')}, without ${missing.join(' ')} named by the 403 challenge (scope "${wanted}")`, authEvidence([denied, again]));
      const retried = mcpRecs(run).find((r) => r.seq > again.seq && isCall(r) && r.status < 400);
      if (!retried) return t.fail('after the step-up authorization the client never retried the call successfully', authEvidence([denied, again, ...mcpRecs(run).filter((r) => r.seq > again.seq).slice(0, 3)]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/retry-limit',
    title: 'step-up is retried a few times at most when the scope is never granted',
    level: 'SHOULD',
    requirement: 'Retry the original request with the new authorization no more than a few times and treat this as a permanent authorization failure; clients SHOULD implement retry limits and SHOULD track scope upgrade attempts to avoid repeated failures for the same resource and operation combination.',
    spec: cite(SCOPE_REVISIONS, authPage('step-up-authorization-flow')),
    scenarios: ['auth/scope-retry-limit'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/scope-retry-limit']);
    for (const run of runs) {
      const denied = insufficient(run);
      if (denied.length === 0) t.notVerified('the client never got a 403 insufficient_scope (it did not call add_numbers with a token)');
      const stepUps = of(run, 'authorize').filter((r) => r.seq > denied[0]!.seq).length;
      if (stepUps > RETRY_LIMIT || run.process.timedOut) {
        return t.fail(`the scope was never granted, and the client ${run.process.timedOut ? `was still trying at the scenario timeout (${stepUps} step-up authorizations, ${denied.length} refused calls)` : `stepped up ${stepUps} times (${denied.length} refused calls); a few (≤ ${RETRY_LIMIT}) is the limit here`}`, authEvidence(denied.slice(-4)));
      }
    }
  },
);
