// DPoP sender-constrained tokens (an MCP authorization extension, SEP-1932; the official 0.2
// alpha's auth/dpop and auth/dpop-nonce): the client proves possession of a key with a DPoP proof
// at the token endpoint and with every request to the MCP server, and uses server-provided nonces.
// No page of the MCP specification states these: the requirement text is the DPoP extension's (in
// the modelcontextprotocol/ext-auth repository, which the extensions section points to) and
// RFC 9449's, cited by section in each requirement. The mock judged every proof as it came
// (mock-server/auth/dpop.ts); these checks read its verdicts from the auth log. A client that sends
// no DPoP proof at all does not implement the (optional) extension: not applicable.
import { DPOP_NONCE_SCENARIO, DPOP_SCENARIOS } from '../auth-scenarios.ts';
import { clientCheck, type CheckScope } from '../../kit/index.ts';
import type { ClientRun } from '../../harness/index.ts';
import { mcpRecs, of, recs, json, authEvidence, authRuns, type A } from './common.ts';

// As workload.ts: the core pages point to the extensions from this section.
const EXT_SPEC = { '2025-11-25': 'basic/authorization#mcp-authorization-extensions', '2026-07-28': 'basic/authorization#mcp-authorization-extensions' } as const;

/** The Authorization scheme and token of a request. */
const presented = (r: A) => /^(\S+)\s+(\S+)/.exec(r.headers.authorization ?? '')?.slice(1, 3) as [string, string] | undefined;
const isDpop = (r: A) => presented(r)?.[0].toLowerCase() === 'dpop';

/** The runs of these scenarios; not applicable when the client sent no DPoP proof in any of them. */
function dpopRuns(t: CheckScope, scenarios: readonly string[]): ClientRun[] {
  const { runs } = authRuns(t, scenarios);
  if (!runs.some((run) => recs(run).some((r) => r.headers.dpop !== undefined || isDpop(r)))) {
    const tried = runs.flatMap((run) => of(run, 'token'))[0];
    t.notApplicable(`the client sent no DPoP proof and never used the DPoP scheme: it does not implement DPoP (an optional extension)${tried ? `; its token request: ${tried.method} → ${tried.status}, ${json(tried.responseBody)?.token_type ?? 'no'} token` : ''}`);
  }
  return runs;
}

/** Access tokens the AS bound to a DPoP key (token_type DPoP). */
const boundTokens = (run: ClientRun) =>
  new Set(
    of(run, 'token')
      .filter((r) => r.status === 200)
      .map((r) => json(r.responseBody))
      .filter((b) => b?.token_type === 'DPoP' && typeof b.access_token === 'string')
      .map((b) => b!.access_token as string),
  );

clientCheck(
  {
    id: 'client-auth/dpop-token-request-proof',
    title: 'DPoP: every token request carries one valid DPoP proof, so the token is bound to the client\'s key',
    level: 'MUST',
    requirement:
      'DPoP extension (SEP-1932), RFC 9449 §5: to get a DPoP-bound access token the client sends a DPoP proof in the DPoP header of its token request; RFC 9449 §4.2–4.3: one proof per request, a JWT with typ dpop+jwt, an asymmetric alg, the public key in jwk, signed with it, and jti, htm (POST), htu (the token endpoint, without query or fragment) and a current iat.',
    spec: EXT_SPEC,
    scenarios: DPOP_SCENARIOS,
  },
  (t) => {
    for (const run of dpopRuns(t, DPOP_SCENARIOS)) {
      const tokens = of(run, 'token');
      if (tokens.length === 0) return t.fail(`scenario ${run.scenario}: the client used DPoP with the MCP server but never made a token request`, authEvidence(mcpRecs(run).slice(0, 5)));
      const bad = tokens.find((r) => r.headers.dpop === undefined || r.dpop?.error !== undefined);
      if (bad) return t.fail(`scenario ${run.scenario}: ${bad.headers.dpop === undefined ? 'a token request without a DPoP proof (its token is a Bearer token, not bound to the key)' : `the token endpoint refused the DPoP proof: ${bad.dpop!.error}`}`, authEvidence([bad]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/dpop-auth-scheme',
    title: 'DPoP: the bound access token is presented as Authorization: DPoP, never as Bearer',
    level: 'MUST',
    requirement:
      'DPoP extension (SEP-1932), RFC 9449 §7.1: a DPoP-bound access token is sent in the Authorization header with the DPoP scheme (Authorization: DPoP <token>) together with a DPoP proof; §7.2: not with the Bearer scheme.',
    spec: EXT_SPEC,
    scenarios: DPOP_SCENARIOS,
  },
  (t) => {
    let judged = false;
    for (const run of dpopRuns(t, DPOP_SCENARIOS)) {
      const bound = boundTokens(run);
      if (bound.size === 0) continue;
      judged = true;
      const uses = mcpRecs(run).filter((r) => bound.has(presented(r)?.[1] ?? ''));
      const wrong = uses.find((r) => !isDpop(r));
      if (wrong) return t.fail(`scenario ${run.scenario}: the DPoP-bound token went to the MCP server as ${JSON.stringify(presented(wrong)![0])}, not DPoP`, authEvidence([wrong]));
      if (uses.length === 0) return t.fail(`scenario ${run.scenario}: the client got a DPoP-bound token and never presented it to the MCP server`, authEvidence(of(run, 'token').slice(-3)));
    }
    if (!judged) t.notVerified('the authorization server issued the client no DPoP-bound token (see client-auth/dpop-token-request-proof)');
  },
);

clientCheck(
  {
    id: 'client-auth/dpop-fresh-proof',
    title: 'DPoP: every MCP request with the token carries a fresh, valid proof (new jti, htm/htu of the request, ath of the token, the bound key)',
    level: 'MUST',
    requirement:
      'DPoP extension (SEP-1932), RFC 9449 §7.1 and §4.2–4.3: each request with a DPoP-bound token carries exactly one DPoP proof, made for that request: a unique jti, htm and htu of the request, a current iat, ath = the base64url SHA-256 of the access token, signed with the key whose thumbprint the token is bound to (cnf.jkt).',
    spec: EXT_SPEC,
    scenarios: DPOP_SCENARIOS,
  },
  (t) => {
    let judged = false;
    for (const run of dpopRuns(t, DPOP_SCENARIOS)) {
      const uses = mcpRecs(run).filter(isDpop);
      if (uses.length) judged = true;
      const bad = uses.find((r) => r.dpop?.error !== undefined || r.dpop === undefined);
      if (bad) return t.fail(`scenario ${run.scenario}: ${bad.method} to the MCP server with ${bad.dpop?.error ? `an invalid DPoP proof: ${bad.dpop.error}` : 'the DPoP scheme but no proof judged'}`, authEvidence(uses.slice(0, uses.indexOf(bad) + 1).slice(-3)));
    }
    if (!judged) t.notVerified('the client never presented a token with the DPoP scheme (see client-auth/dpop-auth-scheme)');
  },
);

/** Answered use_dpop_nonce, then a later request of the same kind got through with a valid proof. */
function nonceCheck(t: CheckScope, side: 'token' | 'mcp') {
  const runs = dpopRuns(t, [DPOP_NONCE_SCENARIO]);
  for (const run of runs) {
    const list = side === 'token' ? of(run, 'token') : mcpRecs(run).filter(isDpop);
    const challenge = list.find((r) => r.dpop?.nonceChallenged);
    const where = side === 'token' ? 'token endpoint' : 'MCP server';
    if (!challenge) t.notVerified(`scenario ${run.scenario}: no valid DPoP proof reached the ${where}'s nonce check, so it never challenged (see the other client-auth/dpop-* checks)`, authEvidence(list.slice(0, 3)));
    const after = list.filter((r) => r.seq > challenge.seq);
    const ok = after.find((r) => r.status < 400 && r.dpop && !r.dpop.error && !r.dpop.nonceChallenged);
    if (!ok) {
      const nonce = challenge.responseHeaders['dpop-nonce'];
      const retry = after[0];
      return t.fail(
        `scenario ${run.scenario}: the ${where} answered use_dpop_nonce with DPoP-Nonce ${JSON.stringify(nonce)}, and the client ${retry ? `retried with ${retry.dpop?.nonce === undefined ? 'no nonce' : `nonce ${JSON.stringify(retry.dpop.nonce)}`}${retry.dpop?.error ? ` (${retry.dpop.error})` : ''} → ${retry.status}` : 'did not retry'}`,
        authEvidence([challenge, ...after.slice(0, 2)]),
      );
    }
  }
}

clientCheck(
  {
    id: 'client-auth/dpop-as-nonce',
    title: 'DPoP: on use_dpop_nonce from the token endpoint, the token request is retried with a proof carrying the nonce',
    level: 'MUST',
    requirement:
      'DPoP extension (SEP-1932), RFC 9449 §8: an authorization server that requires a nonce answers a token request with error use_dpop_nonce and the nonce in the DPoP-Nonce header; the client then sends the request again with a new proof whose nonce claim is that value.',
    spec: EXT_SPEC,
    scenarios: [DPOP_NONCE_SCENARIO],
  },
  (t) => nonceCheck(t, 'token'),
);

clientCheck(
  {
    id: 'client-auth/dpop-rs-nonce',
    title: 'DPoP: on use_dpop_nonce from the MCP server, the request is retried with a proof carrying the nonce',
    level: 'MUST',
    requirement:
      'DPoP extension (SEP-1932), RFC 9449 §9: a resource server that requires a nonce answers 401 with a DPoP challenge carrying error="use_dpop_nonce" and the nonce in the DPoP-Nonce header; the client then sends the request again with a new proof whose nonce claim is that value.',
    spec: EXT_SPEC,
    scenarios: [DPOP_NONCE_SCENARIO],
  },
  (t) => nonceCheck(t, 'mcp'),
);
