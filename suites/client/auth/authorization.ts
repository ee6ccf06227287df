// The authorization code grant: PKCE S256 (and refusing an AS that does not advertise it), the
// `resource` parameter, state and iss validation, credentials bound to their authorization server.
import { createHash } from 'node:crypto';
import { describeAuthRecord, FOREIGN_ISS } from '../../../mock-server/index.ts';
import { AUTHORIZED_SCENARIOS, PRE_REGISTERED, PRE_REGISTERED_MIGRATION, PRM_REVISIONS, SCOPE_REVISIONS } from '../auth-scenarios.ts';
import type { CheckBody } from '../../harness/index.ts';
import { clientCheck, exitSummary as exitSummaryOf, authPage, cite } from '../../kit/index.ts';
import { type A, recs, of, json, mcpUrl, authEvidence, authRuns, originOf } from './common.ts';

const s256 = (v: string) => createHash('sha256').update(v).digest('base64url');

/** The authorization code a /authorize response redirected with. */
function codeOf(r: A): string | undefined {
  const loc = r.responseHeaders.location;
  if (!loc) return undefined;
  try {
    return new URL(loc).searchParams.get('code') ?? undefined;
  } catch {
    return undefined;
  }
}

clientCheck(
  {
    id: 'client-auth/pkce-s256',
    title: 'PKCE with S256: a code_challenge on authorization, the matching code_verifier on the token request',
    level: 'MUST',
    requirement: 'MCP clients MUST implement PKCE and MUST use the S256 code challenge method when technically capable (2025-03-26: PKCE is REQUIRED for all clients).',
    spec: { ...cite(PRM_REVISIONS, authPage('authorization-code-protection', 'basic/authorization/security-considerations')), '2025-03-26': 'basic/authorization#implementation-requirements' },
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    let seen = 0;
    for (const run of runs) {
      const challenges = new Map<string, string>();
      for (const a of of(run, 'authorize')) {
        seen++;
        const method = a.params.code_challenge_method;
        if (!a.params.code_challenge || method !== 'S256') return t.fail(`scenario ${run.scenario}: an authorization request had ${a.params.code_challenge ? `code_challenge_method ${JSON.stringify(method ?? null)}` : 'no code_challenge'}`, authEvidence([a]));
        const code = codeOf(a);
        if (code) challenges.set(code, a.params.code_challenge);
      }
      for (const tok of of(run, 'token').filter((r) => r.params.grant_type === 'authorization_code')) {
        const challenge = challenges.get(tok.params.code ?? '');
        if (challenge === undefined) continue;
        const verifier = tok.params.code_verifier;
        if (!verifier) return t.fail(`scenario ${run.scenario}: the token request carried no code_verifier`, authEvidence([tok]));
        if (s256(verifier) !== challenge) return t.fail(`scenario ${run.scenario}: the code_verifier does not match the code_challenge of the authorization request (BASE64URL(SHA256(verifier)) differs)`, authEvidence([tok]));
      }
    }
    if (seen === 0) t.notVerified('the client made no authorization request (authorization code grant) in these scenarios');
  },
);

clientCheck(
  {
    id: 'client-auth/pkce-support-verified',
    title: 'no authorization with an AS that does not advertise PKCE',
    level: 'MUST',
    requirement: 'MCP clients MUST verify PKCE support before proceeding with authorization: if code_challenge_methods_supported is absent from the authorization server metadata, MCP clients MUST refuse to proceed.',
    spec: cite(SCOPE_REVISIONS, authPage('authorization-code-protection', 'basic/authorization/security-considerations')),
    scenarios: ['auth/pkce-not-advertised'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/pkce-not-advertised']);
    for (const run of runs) {
      const went = of(run, 'authorize');
      if (went.length) return t.fail('the AS metadata had no code_challenge_methods_supported, yet the client sent an authorization request', authEvidence([...of(run, 'as-metadata', 'oidc-metadata'), ...went]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/resource-parameter',
    title: 'resource (the MCP server\'s canonical URI) on every authorization and token request',
    level: 'MUST',
    requirement: 'The resource parameter MUST be included in both authorization requests and token requests, MUST identify the MCP server that the client intends to use the token with, and MUST use the canonical URI of the MCP server.',
    spec: cite(PRM_REVISIONS, authPage('resource-parameter-implementation')),
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    let seen = 0;
    for (const run of runs) {
      const url = mcpUrl(run);
      const prmResource = json(of(run, 'prm').find((r) => r.status === 200)?.responseBody ?? '')?.resource;
      const good = new Set([url, prmResource].filter((x): x is string => typeof x === 'string'));
      for (const r of of(run, 'authorize', 'token')) {
        seen++;
        const values = r.paramList.filter(([k]) => k === 'resource').map(([, v]) => v);
        const what = r.endpoint === 'authorize' ? 'an authorization request' : `a token request (${r.params.grant_type ?? 'no grant_type'})`;
        if (values.length === 0) return t.fail(`scenario ${run.scenario}: ${what} had no resource parameter`, authEvidence([r]));
        const wrong = values.find((x) => !good.has(x));
        if (wrong !== undefined) return t.fail(`scenario ${run.scenario}: ${what} had resource ${JSON.stringify(wrong)}; the MCP server is ${[...good].join(' (PRM resource ') + (good.size > 1 ? ')' : '')}`, authEvidence([r]));
      }
    }
    if (seen === 0) t.notVerified('the client made no authorization or token request in these scenarios');
  },
);

clientCheck(
  {
    id: 'client-auth/state-verified',
    title: 'state is sent and an authorization response with another state is discarded',
    level: 'SHOULD',
    requirement: 'MCP clients SHOULD use and verify state parameters in the authorization code flow and discard any results that do not include or have a mismatch with the original state.',
    spec: cite(PRM_REVISIONS, authPage('open-redirection', 'basic/authorization/security-considerations')),
    scenarios: ['auth/state-mismatch'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/state-mismatch']);
    for (const run of runs) {
      const authz = of(run, 'authorize');
      if (authz.length === 0) t.notVerified('the client made no authorization request in auth/state-mismatch');
      const without = authz.find((a) => !a.params.state);
      if (without) return t.fail('the authorization request carried no state parameter', authEvidence([without]));
      const codes = new Set(authz.map(codeOf).filter((c): c is string => !!c));
      const redeemed = of(run, 'token').find((r) => codes.has(r.params.code ?? ''));
      if (redeemed) return t.fail('the authorization response came back with another state, yet the client redeemed its code at the token endpoint', authEvidence([...authz, redeemed]));
    }
  },
);

// RFC 9207 as the 2026-07-28 "Authorization Response Validation" table applies it: one scenario
// per row (the official 0.2 alpha's), and the simple string comparison.
const ISS_SPEC = { '2026-07-28': 'basic/authorization#authorization-response-validation' };

/** The code of an authorization response the client must reject never reaches a token endpoint. */
function codeNotRedeemed(t: Parameters<CheckBody>[0], scenario: string, why: string): void {
  const { runs } = authRuns(t, [scenario]);
  for (const run of runs) {
    const authz = of(run, 'authorize');
    if (authz.length === 0) t.notVerified(`the client made no authorization request in ${scenario}`);
    const codes = new Set(authz.map(codeOf).filter((c): c is string => !!c));
    const redeemed = of(run, 'token').find((r) => codes.has(r.params.code ?? ''));
    if (redeemed) return t.fail(`${why}, yet the client sent its code to the token endpoint`, authEvidence([...of(run, 'as-metadata', 'oidc-metadata').slice(0, 1), ...authz, redeemed]));
  }
}

clientCheck(
  {
    id: 'client-auth/iss-validated',
    title: 'an authorization response with the wrong iss is rejected (RFC 9207)',
    level: 'MUST',
    requirement: 'On receiving the authorization response, MCP clients MUST apply the validation in RFC 9207 §2.4 before transmitting the authorization code to any token endpoint: with authorization_response_iss_parameter_supported true and iss present, iss is compared to the issuer recorded from the validated metadata; on mismatch the response is rejected.',
    spec: ISS_SPEC,
    scenarios: ['auth/iss-wrong-issuer'],
  },
  (t) => codeNotRedeemed(t, 'auth/iss-wrong-issuer', `the authorization response carried iss ${FOREIGN_ISS} (not the issuer of the AS metadata, which advertises iss)`),
);

clientCheck(
  {
    id: 'client-auth/iss-validated-unadvertised',
    title: 'a present iss is compared even when the AS does not advertise it',
    level: 'MUST',
    requirement: 'When authorization_response_iss_parameter_supported is false or absent and iss is present, the client compares it to the recorded issuer using simple string comparison, regardless of metadata advertisement (the third row of the table), and rejects the response on mismatch.',
    spec: ISS_SPEC,
    scenarios: ['auth/iss-unexpected'],
  },
  (t) => codeNotRedeemed(t, 'auth/iss-unexpected', `the authorization response carried iss ${FOREIGN_ISS} (not the issuer; the AS metadata does not advertise iss)`),
);

clientCheck(
  {
    id: 'client-auth/iss-required-when-advertised',
    title: 'an authorization response without iss is rejected when the AS advertises it',
    level: 'MUST',
    requirement: 'When authorization_response_iss_parameter_supported is true and the authorization response has no iss, the client rejects the response (the second row of the table; RFC 9207 §2.4).',
    spec: ISS_SPEC,
    scenarios: ['auth/iss-supported-missing'],
  },
  (t) => codeNotRedeemed(t, 'auth/iss-supported-missing', 'the AS metadata advertises authorization_response_iss_parameter_supported and the authorization response carried no iss'),
);

clientCheck(
  {
    id: 'client-auth/iss-simple-comparison',
    title: 'iss is compared by simple string comparison, without URL normalization',
    level: 'MUST',
    requirement: 'After decoding the iss value, clients MUST NOT apply scheme or host case folding, default-port elision, trailing-slash, or percent-encoding normalization (RFC 3986 §6.2.2-6.2.3) before comparison.',
    spec: ISS_SPEC,
    scenarios: ['auth/iss-normalized'],
  },
  (t) => codeNotRedeemed(t, 'auth/iss-normalized', 'the authorization response carried the issuer with a trailing slash (equal only after normalization)'),
);

clientCheck(
  {
    id: 'client-auth/iss-absent-proceeds',
    title: 'no iss, and none advertised: the client goes on',
    level: 'MUST',
    requirement: 'When authorization_response_iss_parameter_supported is false or absent and the authorization response has no iss, the client proceeds (the fourth row of the table: rejection on absence is keyed on the metadata).',
    spec: ISS_SPEC,
    scenarios: ['auth/iss-not-advertised'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/iss-not-advertised']);
    for (const run of runs) {
      const authz = of(run, 'authorize');
      if (authz.length === 0) t.notVerified('the client made no authorization request in auth/iss-not-advertised');
      const codes = new Set(authz.map(codeOf).filter((c): c is string => !!c));
      if (codes.size === 0) t.notVerified('no authorization response of auth/iss-not-advertised carried a code');
      if (!of(run, 'token').some((r) => codes.has(r.params.code ?? ''))) return t.fail(`the authorization response carried no iss and the AS does not advertise it, yet the client never redeemed the code (${exitSummaryOf(run)})`, authEvidence([...of(run, 'as-metadata', 'oidc-metadata').slice(0, 1), ...authz]));
    }
  },
);

const MIGRATION_SCENARIOS = ['auth/authorization-server-migration', PRE_REGISTERED_MIGRATION];

clientCheck(
  {
    id: 'client-auth/credentials-bound-to-as',
    title: 'client credentials of one authorization server are not used at another',
    level: 'MUST',
    requirement:
      'Clients that use pre-registered credentials, or persist client credentials obtained via Dynamic Client Registration, MUST associate those credentials with the specific authorization server that issued them; when the authorization server changes (detected via updated protected resource metadata), clients MUST NOT reuse client credentials from a different authorization server and MUST re-register with the new authorization server.',
    spec: { '2026-07-28': 'basic/authorization/client-registration#authorization-server-binding' },
    scenarios: MIGRATION_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, MIGRATION_SCENARIOS);
    for (const run of runs) {
      const changed = run.events.find((e) => e.what === 'authorization-server-changed');
      if (!changed?.detail) return t.notVerified('the authorization server never changed: the client made no request (tools, resources or prompts) that was served with a token');
      const second = originOf(changed.detail);
      const asRecs = recs(run).filter((r) => r.side === 'as');
      // client_ids the first AS issued (URL client IDs are portable across servers: not counted).
      const first = new Set(asRecs.filter((r) => originOf(r.url) !== second && r.endpoint === 'register' && r.status === 201).map((r) => json(r.responseBody)?.client_id).filter((x): x is string => typeof x === 'string'));
      // The pre-registered client belongs to the first AS only.
      if (run.scenario === PRE_REGISTERED_MIGRATION) first.add(PRE_REGISTERED.client_id);
      const atSecond = asRecs.filter((r) => originOf(r.url) === second && (r.endpoint === 'authorize' || r.endpoint === 'token'));
      // A pre-registered client that stops at the change (the SHOULD of the same section) reuses nothing.
      if (atSecond.length === 0 && run.scenario === PRE_REGISTERED_MIGRATION) continue;
      if (atSecond.length === 0) t.notVerified(`after the PRM named ${changed.detail} the client never made an authorization or token request there (${exitSummaryOf(run)})`);
      const reused = atSecond.find((r) => first.has(r.clientId ?? r.params.client_id ?? ''));
      if (reused) return t.fail(`the client used the client_id ${reused.clientId ?? reused.params.client_id} ${run.scenario === PRE_REGISTERED_MIGRATION ? 'pre-registered with' : 'registered with'} the first authorization server at the new one (${describeAuthRecord(reused)}) instead of registering anew`, authEvidence([...asRecs.filter((r) => r.endpoint === 'register'), reused]));
    }
  },
);
