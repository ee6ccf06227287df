// basic/authorization, the client side: judged from what the mock authorization server and the
// protected mock MCP server were asked in the auth scenarios (auth-scenarios.ts): discovery (PRM
// from the challenge, else the well-known URLs in order; AS metadata URLs in the spec's order),
// PKCE S256 (and refusing an AS that does not advertise it), `resource` on authorization and token
// requests, the Bearer header on every request and never in the query, only tokens from the
// server's own AS, state and iss validation, scope selection, step-up and its retry limit.
// Authorization is OPTIONAL: a client that never attempts it in any auth scenario is not-applicable.
import { createHash } from 'node:crypto';
import { isObject, type Revision } from '../../schema/index.ts';
import { describeAuthRecord, ID_JAG_TYPE, ID_TOKEN_TYPE, JWT_BEARER_GRANT, OFFICIAL_CIMD_PLACEHOLDER, TOKEN_EXCHANGE_GRANT } from '../../mock-server/index.ts';
import type { WireEntry } from '../../reports/index.ts';
import { clientRuns, type AuthRunRecord, type ClientRun, type ClientView } from '../harness/index.ts';
import { asMetadataUrls, parseChallenge, prmWellKnown } from '../harness/auth.ts';
import type { CheckScope } from '../harness/types.ts';
import { AUTH_SCENARIO_NAMES, AUTHORIZED_SCENARIOS, LEGACY_AUTH_REVISION, PRE_REGISTERED, PRM_REVISIONS, SCOPE_REVISIONS, XAA_CLIENT, XAA_SCENARIO } from './auth-scenarios.ts';
import { clientCheck } from './check.ts';
import { exitSummary as exitSummaryOf } from './analysis.ts';

type A = AuthRunRecord;
const ALL_REVS: Revision[] = [LEGACY_AUTH_REVISION, ...PRM_REVISIONS];

/** The page of each revision: 2026-07-28 split basic/authorization into sub-pages. */
function cite(revs: readonly Revision[], anchor: string, modernPage = 'basic/authorization', legacyAnchor = anchor): Partial<Record<Revision, string>> {
  const out: Partial<Record<Revision, string>> = {};
  for (const r of revs) out[r] = r === '2026-07-28' ? `${modernPage}#${anchor}` : `basic/authorization#${r === LEGACY_AUTH_REVISION ? legacyAnchor : anchor}`;
  return out;
}

const recs = (run: ClientRun): A[] => run.auth ?? [];
/** Anything but a plain MCP request without a token: the client is doing OAuth. */
const attempted = (run: ClientRun) => recs(run).some((r) => r.endpoint !== 'mcp' || r.headers.authorization !== undefined);
const mcpRecs = (run: ClientRun) => recs(run).filter((r) => r.side === 'rs' && r.endpoint === 'mcp');
const of = (run: ClientRun, ...endpoints: A['endpoint'][]) => recs(run).filter((r) => endpoints.includes(r.endpoint));
const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
};

function json(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Access tokens the run's AS issued. */
function issuedTokens(run: ClientRun): string[] {
  return of(run, 'token')
    .filter((r) => r.status === 200)
    .map((r) => json(r.responseBody)?.access_token)
    .filter((x): x is string => typeof x === 'string');
}

const bearerOf = (r: A) => /^Bearer\s+(\S+)/i.exec(r.headers.authorization ?? '')?.[1];

/** The first 401 the protected server answered, and its parsed challenge. */
function firstChallenge(run: ClientRun) {
  const r = mcpRecs(run).find((x) => x.status === 401);
  const c = parseChallenge(r?.responseHeaders['www-authenticate']);
  return { record: r, params: c?.params ?? {} };
}

/** The MCP endpoint URL of the run (what the client connected to). */
function mcpUrl(run: ClientRun): string | undefined {
  const r = mcpRecs(run)[0];
  return r ? `${new URL(r.url).origin}${pathOf(r.url)}` : undefined;
}

function authEvidence(list: readonly A[], max = 10): WireEntry[] {
  return list.slice(-max).map((r) => ({
    t: r.t,
    dir: 'recv' as const,
    raw: r.endpoint === 'token' || r.endpoint === 'register' ? r.body.slice(0, 1000) : r.url,
    note: `${describeAuthRecord(r)}${r.headers.authorization ? ` [Authorization: ${r.headers.authorization.slice(0, 20)}…]` : ''}`,
  }));
}

/**
 * The auth runs of these scenarios at the check's revision; not-applicable over stdio, for
 * scenarios that do not apply, and when the client never attempted authorization in any auth scenario.
 */
function authRuns(t: CheckScope, scenarios: readonly string[]): { v: ClientView; runs: ClientRun[] } {
  const v = clientRuns(t);
  v.requireTransport('http');
  const all = v.runs.filter((r) => AUTH_SCENARIO_NAMES.includes(r.scenario));
  const runs = all.filter((r) => scenarios.includes(r.scenario));
  if (runs.length === 0) {
    const skipped = v.file.skipped.filter((s) => scenarios.includes(s.scenario) && s.revision === t.revision);
    if (skipped.length && skipped.every((s) => /transport|revision/.test(s.why))) t.notApplicable(`scenario ${skipped[0]!.scenario} ${skipped[0]!.why}`);
    t.notVerified(`scenario ${scenarios.join(' / ')} was not run at ${t.revision}${skipped.length ? ` (${skipped[0]!.why})` : ''}`);
  }
  const cut = runs.find((r) => r.process.cutShort);
  if (cut) t.notVerified(`scenario ${cut.scenario} was cut short: ${cut.process.cutShort}`);
  if (!all.some(attempted)) {
    if (all.some((r) => AUTHORIZED_SCENARIOS.includes(r.scenario))) t.notApplicable('the client never attempted OAuth authorization in any auth scenario (it gave up at the 401; authorization is OPTIONAL)');
    t.notVerified('the client attempted no authorization in these scenarios, and no scenario it should get through ran to tell whether it does OAuth at all');
  }
  for (const r of runs) v.record(r);
  return { v, runs };
}

// ---------------------------------------------------------------- the flow as a whole

clientCheck(
  {
    id: 'client-auth/completes-flow',
    title: 'on a 401 the client authorizes and gets through with the token',
    level: 'MUST',
    requirement: 'MCP clients MUST be able to parse WWW-Authenticate headers and respond appropriately to HTTP 401 Unauthorized responses from the MCP server (2025-03-26: follow the OAuth 2.1 flow with RFC 8414 metadata or the default endpoints).',
    spec: {
      ...cite(PRM_REVISIONS, 'protected-resource-metadata-discovery-requirements', 'basic/authorization/authorization-server-discovery'),
      '2025-06-18': 'basic/authorization#authorization-server-location',
      '2025-03-26': 'basic/authorization#authorization-flow-steps',
    },
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    const stuck: string[] = [];
    const evidence: A[] = [];
    for (const run of runs) {
      if (mcpRecs(run).some((r) => r.status < 400 && bearerOf(r) !== undefined)) continue;
      const last = recs(run).filter((r) => r.status >= 400 || r.endpoint !== 'mcp').slice(-3);
      stuck.push(`${run.scenario}: ${last.length ? last.map(describeAuthRecord).join('; ') : 'no request after the 401'}`);
      evidence.push(...last);
    }
    if (stuck.length) t.fail(`the client never got through to the MCP server with a token in ${stuck.length} of ${runs.length} scenario(s): ${stuck.join(' | ')}`, authEvidence(evidence));
  },
);

// ---------------------------------------------------------------- discovery

const METADATA_SCENARIOS = ['auth/metadata-default', 'auth/metadata-var1', 'auth/metadata-var2', 'auth/metadata-var3'];

clientCheck(
  {
    id: 'client-auth/prm-discovery',
    title: 'the PRM is found from the challenge, else at the well-known URLs in order',
    level: 'MUST',
    requirement:
      'MCP clients MUST support both discovery mechanisms and use the resource metadata URL from the parsed WWW-Authenticate headers when present; otherwise, they MUST fall back to constructing and requesting the well-known URIs in the order listed above (path-inserted, then root). (2025-06-18: MCP clients MUST use the resource_metadata of the challenge.)',
    spec: { ...cite(SCOPE_REVISIONS, 'protected-resource-metadata-discovery-requirements', 'basic/authorization/authorization-server-discovery'), '2025-06-18': 'basic/authorization#authorization-server-location' },
    scenarios: METADATA_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, METADATA_SCENARIOS);
    for (const run of runs) {
      const { params } = firstChallenge(run);
      const url = mcpUrl(run);
      const firstAs = recs(run).find((r) => r.side === 'as')?.seq ?? Infinity;
      const prm = recs(run).filter((r) => r.side === 'rs' && r.method === 'GET' && r.url.includes('/.well-known/oauth-protected-resource') && r.seq < firstAs);
      if (prm.length === 0) {
        if (!attempted(run)) continue; // completes-flow reports a client that gave up
        return t.fail(`scenario ${run.scenario}: the client never fetched the Protected Resource Metadata before going to an authorization server`, authEvidence(recs(run).slice(0, 6)));
      }
      const asked = prm.map((r) => r.url);
      if (params.resource_metadata) {
        if (asked[0] !== params.resource_metadata) return t.fail(`scenario ${run.scenario}: the challenge named resource_metadata ${params.resource_metadata}, but the client first fetched ${asked[0]}`, authEvidence(prm));
        continue;
      }
      if (!url) continue;
      const order = prmWellKnown(url);
      const ok = asked.every((a, i) => a === order[i]);
      if (!ok) return t.fail(`scenario ${run.scenario}: with no resource_metadata in the challenge the client fetched ${asked.join(', ')}; the order is ${order.join(', then ')}`, authEvidence(prm));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/as-metadata-discovery',
    title: 'the authorization server metadata URLs are tried in the spec\'s order',
    level: 'MUST',
    requirement:
      'MCP clients MUST attempt multiple well-known endpoints: for issuer URLs with path components, OAuth 2.0 metadata with path insertion, then OpenID Connect with path insertion, then OpenID Connect path appending; without a path, OAuth 2.0 metadata, then OpenID Connect. (2025-06-18: MCP clients MUST follow RFC 8414 — the OAuth 2.0 URL first.)',
    spec: { ...cite(SCOPE_REVISIONS, 'authorization-server-metadata-discovery', 'basic/authorization/authorization-server-discovery'), '2025-06-18': 'basic/authorization#server-metadata-discovery' },
    scenarios: METADATA_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, METADATA_SCENARIOS);
    for (const run of runs) {
      const prmDoc = json(of(run, 'prm').find((r) => r.status === 200)?.responseBody ?? '');
      const issuer = Array.isArray(prmDoc?.authorization_servers) ? prmDoc.authorization_servers[0] : undefined;
      if (typeof issuer !== 'string') continue;
      const order = asMetadataUrls(issuer);
      const tried: A[] = [];
      for (const r of recs(run)) {
        if (r.method !== 'GET' || !/\/\.well-known\/(oauth-authorization-server|openid-configuration)/.test(r.url)) continue;
        tried.push(r);
        if (r.status === 200) break;
      }
      if (tried.length === 0) continue; // no AS discovery at all: completes-flow says so
      const urls = tried.map((r) => r.url);
      const expected = t.revision === '2025-06-18' ? order.slice(0, 1) : order;
      const bad = t.revision === '2025-06-18' ? urls[0] !== expected[0] : !urls.every((u, i) => u === order[i]);
      if (bad) return t.fail(`scenario ${run.scenario} (issuer ${issuer}): the client tried ${urls.join(', ')}; the order is ${expected.join(', then ')}`, authEvidence(tried));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/metadata-issuer-validated',
    title: 'authorization server metadata naming another issuer is not used',
    level: 'MUST',
    requirement:
      'After retrieving a metadata document, MCP clients MUST validate it as required by RFC 8414 Section 3.3: the issuer value in the document MUST be identical to the issuer identifier used to construct the well-known URL. If they differ, the client MUST NOT use the metadata.',
    spec: { '2026-07-28': 'basic/authorization/authorization-server-discovery#authorization-server-metadata-discovery' },
    scenarios: ['auth/metadata-issuer-mismatch'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/metadata-issuer-mismatch']);
    for (const run of runs) {
      const read = of(run, 'as-metadata', 'oidc-metadata').filter((r) => r.status === 200);
      if (read.length === 0) t.notVerified('the client never read the authorization server metadata in auth/metadata-issuer-mismatch');
      const used = of(run, 'register', 'authorize', 'token');
      if (used.length) return t.fail(`the metadata at ${read[0]!.url} names the issuer https://honest.example, not the one its URL was built from, yet the client used it (${describeAuthRecord(used[0]!)})`, authEvidence([read[0]!, ...used.slice(0, 3)]));
    }
  },
);

const LEGACY_SCENARIOS = ['auth/2025-03-26-oauth-metadata-backcompat', 'auth/2025-03-26-oauth-endpoint-fallback'];

clientCheck(
  {
    id: 'client-auth/legacy-metadata-discovery',
    title: '2025-03-26: metadata at the authorization base URL first, then the default endpoints',
    level: 'MUST',
    requirement: 'The authorization base URL MUST be determined from the MCP server URL by discarding any existing path component; clients MUST first attempt to discover endpoints via the metadata document (/.well-known/oauth-authorization-server) before falling back to the default paths /authorize, /token, /register.',
    spec: { '2025-03-26': 'basic/authorization#fallbacks-for-servers-without-metadata-discovery' },
    scenarios: LEGACY_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, LEGACY_SCENARIOS);
    for (const run of runs) {
      const url = mcpUrl(run);
      if (!url || !attempted(run)) continue;
      const base = new URL(url).origin;
      const oauth = recs(run).filter((r) => ['authorize', 'token', 'register'].includes(r.endpoint));
      const first = oauth[0];
      if (!first) continue; // completes-flow says it never got there
      const meta = recs(run).find((r) => r.method === 'GET' && r.url === `${base}/.well-known/oauth-authorization-server`);
      if (!meta || meta.seq > first.seq) return t.fail(`scenario ${run.scenario}: the client went to ${describeAuthRecord(first)} without first requesting ${base}/.well-known/oauth-authorization-server`, authEvidence(recs(run).filter((r) => r.seq <= first.seq)));
      const elsewhere = oauth.find((r) => !r.url.startsWith(`${base}/`) || !['/authorize', '/token', '/register'].includes(pathOf(r.url)));
      if (elsewhere) return t.fail(`scenario ${run.scenario}: an OAuth request went to ${elsewhere.url}, not to the default endpoint of the authorization base URL ${base}`, authEvidence([elsewhere]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/prm-resource-match',
    title: 'PRM whose resource is another server is not used',
    level: 'MUST',
    requirement:
      'MCP clients MUST use OAuth 2.0 Protected Resource Metadata (RFC 9728) for authorization server discovery; RFC 9728 §3.3: if the resource value of the metadata is not identical to the resource the client asked about, the client MUST NOT use the metadata.',
    spec: cite(PRM_REVISIONS, 'overview'),
    scenarios: ['auth/resource-mismatch'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/resource-mismatch']);
    for (const run of runs) {
      const used = of(run, 'authorize', 'token', 'register');
      if (used.length) return t.fail(`the PRM named resource https://other.example/mcp, yet the client went on to the authorization server it listed (${describeAuthRecord(used[0]!)})`, authEvidence([...of(run, 'prm'), ...used]));
    }
  },
);

// ---------------------------------------------------------------- the authorization code grant

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
    spec: { ...cite(PRM_REVISIONS, 'authorization-code-protection', 'basic/authorization/security-considerations'), '2025-03-26': 'basic/authorization#implementation-requirements' },
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
    spec: cite(SCOPE_REVISIONS, 'authorization-code-protection', 'basic/authorization/security-considerations'),
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
    spec: cite(PRM_REVISIONS, 'resource-parameter-implementation'),
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
    spec: cite(PRM_REVISIONS, 'open-redirection', 'basic/authorization/security-considerations'),
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

clientCheck(
  {
    id: 'client-auth/iss-validated',
    title: 'an authorization response with the wrong iss is rejected (RFC 9207)',
    level: 'MUST',
    requirement: 'On receiving the authorization response, MCP clients MUST apply the validation in RFC 9207 §2.4 before transmitting the authorization code to any token endpoint: a present iss is compared to the recorded issuer; on mismatch the response is rejected.',
    spec: { '2026-07-28': 'basic/authorization#authorization-response-validation' },
    scenarios: ['auth/iss-mismatch'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/iss-mismatch']);
    for (const run of runs) {
      const authz = of(run, 'authorize');
      if (authz.length === 0) t.notVerified('the client made no authorization request in auth/iss-mismatch');
      const codes = new Set(authz.map(codeOf).filter((c): c is string => !!c));
      const redeemed = of(run, 'token').find((r) => codes.has(r.params.code ?? ''));
      if (redeemed) return t.fail('the authorization response carried iss https://attacker.example (not the issuer of the AS metadata), yet the client sent its code to the token endpoint', authEvidence([...authz, redeemed]));
    }
  },
);

const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
};

clientCheck(
  {
    id: 'client-auth/credentials-bound-to-as',
    title: 'client credentials of one authorization server are not used at another',
    level: 'MUST',
    requirement:
      'Clients that use pre-registered credentials, or persist client credentials obtained via Dynamic Client Registration, MUST associate those credentials with the specific authorization server that issued them; when the authorization server changes (detected via updated protected resource metadata), clients MUST NOT reuse client credentials from a different authorization server and MUST re-register with the new authorization server.',
    spec: { '2026-07-28': 'basic/authorization/client-registration#authorization-server-binding' },
    scenarios: ['auth/authorization-server-changed'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/authorization-server-changed']);
    for (const run of runs) {
      const changed = run.events.find((e) => e.what === 'authorization-server-changed');
      if (!changed?.detail) return t.notVerified('the authorization server never changed: the client made no successful tools/call with a token');
      const second = originOf(changed.detail);
      const asRecs = recs(run).filter((r) => r.side === 'as');
      // client_ids the first AS issued (URL client IDs are portable across servers: not counted).
      const first = new Set(asRecs.filter((r) => originOf(r.url) !== second && r.endpoint === 'register' && r.status === 201).map((r) => json(r.responseBody)?.client_id).filter((x): x is string => typeof x === 'string'));
      const atSecond = asRecs.filter((r) => originOf(r.url) === second && (r.endpoint === 'authorize' || r.endpoint === 'token'));
      if (atSecond.length === 0) t.notVerified(`after the PRM named ${changed.detail} the client never made an authorization or token request there (${exitSummaryOf(run)})`);
      const reused = atSecond.find((r) => first.has(r.clientId ?? r.params.client_id ?? ''));
      if (reused) return t.fail(`the client used the client_id ${reused.clientId ?? reused.params.client_id} registered with the first authorization server at the new one (${describeAuthRecord(reused)}) instead of registering anew`, authEvidence([...asRecs.filter((r) => r.endpoint === 'register'), reused]));
    }
  },
);

// ---------------------------------------------------------------- using the token

clientCheck(
  {
    id: 'client-auth/bearer-every-request',
    title: 'once it has a token, every HTTP request to the MCP server carries Authorization: Bearer',
    level: 'MUST',
    requirement: 'MCP client MUST use the Authorization request header field (Authorization: Bearer <access-token>); authorization MUST be included in every HTTP request from client to server, even if they are part of the same logical session.',
    spec: cite(ALL_REVS, 'token-requirements'),
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    for (const run of runs) {
      const firstToken = of(run, 'token').find((r) => r.status === 200);
      if (!firstToken) continue;
      const bare = mcpRecs(run).find((r) => r.seq > firstToken.seq && bearerOf(r) === undefined);
      if (bare) return t.fail(`scenario ${run.scenario}: after getting a token the client sent ${bare.method} ${pathOf(bare.url)} ${bare.headers.authorization ? `with Authorization ${JSON.stringify(bare.headers.authorization.slice(0, 30))}` : 'without an Authorization header'}`, authEvidence([firstToken, bare]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/no-token-in-query',
    title: 'access tokens are never put in the URL query string',
    level: 'MUST',
    requirement: 'Access tokens MUST NOT be included in the URI query string.',
    spec: cite(ALL_REVS, 'token-requirements'),
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    for (const run of runs) {
      const tokens = issuedTokens(run);
      const leak = recs(run).find((r) => r.side === 'rs' && (r.params.access_token !== undefined || tokens.some((tok) => r.url.includes(tok))));
      if (leak) return t.fail(`scenario ${run.scenario}: the client put an access token in the URL of ${leak.method} ${pathOf(leak.url)}?…`, authEvidence([leak]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/tokens-from-its-as',
    title: 'only tokens issued by the MCP server\'s own authorization server are sent to it',
    level: 'MUST',
    requirement: 'MCP clients MUST NOT send tokens to the MCP server other than ones issued by the MCP server\'s authorization server.',
    spec: cite(PRM_REVISIONS, 'token-handling'),
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    for (const run of runs) {
      const tokens = new Set(issuedTokens(run));
      const foreign = mcpRecs(run).find((r) => {
        const b = bearerOf(r);
        return b !== undefined && !tokens.has(b);
      });
      if (foreign) return t.fail(`scenario ${run.scenario}: the client sent a Bearer token its MCP server's authorization server never issued (${bearerOf(foreign)!.slice(0, 16)}…)`, authEvidence([foreign]));
    }
  },
);

// ---------------------------------------------------------------- scopes

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
    spec: cite(SCOPE_REVISIONS, 'scope-selection-strategy'),
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
    spec: cite(SCOPE_REVISIONS, 'step-up-authorization-flow'),
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

const RETRY_LIMIT = 3;

clientCheck(
  {
    id: 'client-auth/retry-limit',
    title: 'step-up is retried a few times at most when the scope is never granted',
    level: 'SHOULD',
    requirement: 'Retry the original request with the new authorization no more than a few times and treat this as a permanent authorization failure; clients SHOULD implement retry limits and SHOULD track scope upgrade attempts to avoid repeated failures for the same resource and operation combination.',
    spec: cite(SCOPE_REVISIONS, 'step-up-authorization-flow'),
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

// ---------------------------------------------------------------- client registration

const REGISTRATION_PAGE = 'basic/authorization/client-registration';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A URL-formatted client_id (a client ID metadata document's URL). */
const isUrlId = (id: string | undefined): id is string => !!id && /^https?:\/\//i.test(id);

/** The client_ids a run's authorization and token requests were made as. */
function clientIdsUsed(run: ClientRun): { id: string; record: A }[] {
  return of(run, 'authorize', 'token')
    .map((r) => ({ id: r.params.client_id ?? r.clientId ?? '', record: r }))
    .filter((x) => x.id !== '');
}

/** The authorization server metadata the client read (the first document served). */
function asMetadataOf(run: ClientRun): Record<string, unknown> | undefined {
  const r = of(run, 'as-metadata', 'oidc-metadata').find((x) => x.status === 200 && x.method === 'GET');
  return r ? json(r.responseBody) : undefined;
}

/** The metadata a client registered with: dynamic registration requests (by the client_id they got) and fetched metadata documents. */
function registeredMetadata(run: ClientRun): Map<string, { how: 'dcr' | 'cimd'; doc: Record<string, unknown>; record: A }> {
  const out = new Map<string, { how: 'dcr' | 'cimd'; doc: Record<string, unknown>; record: A }>();
  for (const r of of(run, 'register')) {
    const id = json(r.responseBody)?.client_id;
    const doc = json(r.body);
    if (typeof id === 'string' && doc) out.set(id, { how: 'dcr', doc, record: r });
  }
  for (const r of of(run, 'cimd-fetch')) {
    const doc = json(r.responseBody);
    if (r.status === 200 && doc) out.set(r.url, { how: 'cimd', doc, record: r });
  }
  return out;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

clientCheck(
  {
    id: 'client-auth/pre-registration-used',
    title: 'pre-registered client information is used first',
    level: 'SHOULD',
    requirement:
      'MCP clients SHOULD support an option for static client credentials such as those supplied by a pre-registration flow; clients supporting all options SHOULD use pre-registered client information for the server if the client has it available (before client ID metadata documents or dynamic registration).',
    spec: { '2025-11-25': 'basic/authorization#preregistration', '2026-07-28': `${REGISTRATION_PAGE}#pre-registration` },
    scenarios: ['auth/pre-registration'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/pre-registration']);
    for (const run of runs) {
      const given = PRE_REGISTERED.client_id;
      const registered = of(run, 'register');
      const other = clientIdsUsed(run).find((x) => x.id !== given);
      if (registered.length || other) {
        const how = registered.length ? 'registered dynamically' : `used the client_id ${other!.id}${isUrlId(other!.id) ? ' (a client ID metadata document)' : ''}`;
        return t.fail(`the client had pre-registered credentials (context.client_id ${given}), yet ${how} instead`, authEvidence([...registered, ...(other ? [other.record] : [])]));
      }
    }
  },
);

clientCheck(
  {
    id: 'client-auth/cimd-used',
    title: 'a client ID metadata document is used when the AS supports it (before dynamic registration)',
    level: 'SHOULD',
    requirement:
      'MCP clients SHOULD support OAuth Client ID Metadata Documents; clients supporting all options SHOULD use Client ID Metadata Documents if the authorization server indicates that it supports them (client_id_metadata_document_supported), and Dynamic Client Registration only as a fallback.',
    spec: { '2025-11-25': 'basic/authorization#client-registration-approaches', '2026-07-28': `${REGISTRATION_PAGE}#client-id-metadata-documents` },
    scenarios: ['auth/basic-cimd'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/basic-cimd']);
    for (const run of runs) {
      const first = of(run, 'authorize', 'register')[0];
      if (!first) continue; // completes-flow says it never got there
      if (first.endpoint === 'register') return t.fail('the AS metadata had client_id_metadata_document_supported: true, yet the client registered dynamically instead of using a client ID metadata document URL as its client_id', authEvidence([first]));
      const id = first.params.client_id;
      if (!isUrlId(id)) return t.fail(`the AS supports client ID metadata documents, yet the client's authorization request used the client_id ${JSON.stringify(id ?? null)} (no metadata document URL)`, authEvidence([first]));
    }
  },
);

/** Scenarios whose AS does not advertise client ID metadata documents (and offers dynamic registration). */
const NO_CIMD_SCENARIOS = ['auth/token-endpoint-auth-basic', 'auth/token-endpoint-auth-post', 'auth/token-endpoint-auth-none', 'auth/offline-access-scope', 'auth/offline-access-not-supported', 'auth/authorization-server-changed'];

clientCheck(
  {
    id: 'client-auth/cimd-capability-checked',
    title: 'no client ID metadata document URL with an AS that does not advertise support (dynamic registration instead)',
    level: 'SHOULD',
    requirement:
      'MCP clients SHOULD check for the client_id_metadata_document_supported capability and MAY fall back to Dynamic Client Registration or pre-registration if unavailable; clients SHOULD use Dynamic Client Registration as a fallback if the authorization server supports it (registration_endpoint).',
    spec: { '2025-11-25': 'basic/authorization#discovery', '2026-07-28': `${REGISTRATION_PAGE}#advertising-cimd-support` },
    scenarios: NO_CIMD_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, NO_CIMD_SCENARIOS);
    for (const run of runs) {
      if (asMetadataOf(run)?.client_id_metadata_document_supported === true) continue;
      const url = clientIdsUsed(run).find((x) => isUrlId(x.id));
      if (url) return t.fail(`scenario ${run.scenario}: the AS metadata does not advertise client_id_metadata_document_supported, yet the client used the client ID metadata document URL ${url.id} as its client_id`, authEvidence([url.record]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/cimd-document',
    title: 'the client ID metadata document: an https URL with a path, client_id, client_name and redirect_uris, client_id equal to the URL',
    level: 'MUST',
    requirement:
      'Clients MUST host their metadata document at an HTTPS URL; the client_id URL MUST use the "https" scheme and contain a path component; the metadata document MUST include at least client_id, client_name and redirect_uris; clients MUST ensure the client_id value in the metadata matches the document URL exactly.',
    spec: { '2025-11-25': 'basic/authorization#implementation-requirements', '2026-07-28': `${REGISTRATION_PAGE}#implementation-requirements` },
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    let seen = 0;
    let placeholder = 0;
    const notes: string[] = [];
    for (const run of runs) {
      const docs = registeredMetadata(run);
      for (const id of new Set(clientIdsUsed(run).map((x) => x.id).filter(isUrlId))) {
        seen++;
        const u = new URL(id);
        const used = clientIdsUsed(run).find((x) => x.id === id)!.record;
        if (u.protocol !== 'https:') {
          if (!LOOPBACK_HOSTS.has(u.hostname)) return t.fail(`scenario ${run.scenario}: the client ID metadata document URL ${id} is not https`, authEvidence([used]));
          notes.push(`${id}: http on loopback, accepted by the test's authorization server (a deployed client's URL must be https)`);
        }
        if (u.pathname === '/' || u.pathname === '') return t.fail(`scenario ${run.scenario}: the client ID metadata document URL ${id} has no path component`, authEvidence([used]));
        if (id === OFFICIAL_CIMD_PLACEHOLDER) {
          placeholder++;
          continue;
        }
        const fetched = of(run, 'cimd-fetch').filter((r) => r.url === id);
        if (fetched.length === 0) continue; // the AS refused it before fetching (its reason is in the evidence of completes-flow)
        const served = docs.get(id);
        if (!served) {
          const f = fetched[0]!;
          return t.fail(`scenario ${run.scenario}: the client ID metadata document ${id} was not served as a JSON object (${f.reason ?? `HTTP ${f.status}`})`, authEvidence(fetched));
        }
        const d = served.doc;
        const missing = ['client_id', 'client_name', 'redirect_uris'].filter((k) => d[k] === undefined);
        if (missing.length) return t.fail(`scenario ${run.scenario}: the client ID metadata document ${id} lacks ${missing.join(', ')}`, authEvidence([served.record]));
        if (d.client_id !== id) return t.fail(`scenario ${run.scenario}: the client ID metadata document's client_id ${JSON.stringify(d.client_id)} is not its URL ${id} exactly`, authEvidence([served.record]));
        if (typeof d.client_name !== 'string' || !strings(d.redirect_uris)) return t.fail(`scenario ${run.scenario}: the client ID metadata document ${id} has a client_name that is no string or redirect_uris that are no list of strings`, authEvidence([served.record]));
      }
    }
    if (seen === 0) t.notApplicable('the client used no client ID metadata document (no URL-formatted client_id)');
    if (placeholder === seen) t.notVerified(`the client used only the official conformance suite's placeholder URL ${OFFICIAL_CIMD_PLACEHOLDER}, which serves no document (accepted unfetched, as the official suite does): nothing to judge`);
    if (notes.length) t.note([...new Set(notes)].join('; '));
  },
);

clientCheck(
  {
    id: 'client-auth/redirect-uri-registered',
    title: 'authorization requests use a redirect URI the client registered, on localhost or https',
    level: 'MUST',
    requirement: 'MCP clients MUST have redirect URIs registered with the authorization server; all redirect URIs MUST be either localhost or use HTTPS.',
    spec: {
      ...cite(PRM_REVISIONS, 'open-redirection', 'basic/authorization/security-considerations'),
      '2025-06-18': 'basic/authorization#open-redirection',
      '2025-03-26': 'basic/authorization#security-considerations',
    },
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    let seen = 0;
    for (const run of runs) {
      const reg = registeredMetadata(run);
      for (const a of of(run, 'authorize')) {
        const ru = a.params.redirect_uri;
        if (ru === undefined) continue;
        seen++;
        let u: URL | undefined;
        try {
          u = new URL(ru);
        } catch {
          u = undefined;
        }
        if (!u || (u.protocol === 'http:' && !LOOPBACK_HOSTS.has(u.hostname))) return t.fail(`scenario ${run.scenario}: the redirect URI ${ru} is neither localhost nor https`, authEvidence([a]));
        const r = reg.get(a.params.client_id ?? '');
        if (!r) continue; // pre-registered: the registration is outside the run
        const list = strings(r.doc.redirect_uris) ?? [];
        if (!list.includes(ru)) return t.fail(`scenario ${run.scenario}: the authorization request's redirect_uri ${ru} is not one the client registered (${r.how === 'dcr' ? 'dynamic registration' : 'client ID metadata document'}: ${list.join(', ') || 'none'})`, authEvidence([r.record, a]));
      }
    }
    if (seen === 0) t.notVerified('the client sent no authorization request with a redirect_uri in these scenarios');
  },
);

clientCheck(
  {
    id: 'client-auth/dcr-application-type',
    title: 'dynamic registration names an appropriate application_type ("native" for localhost redirect URIs)',
    level: 'MUST',
    requirement:
      'MCP clients MUST specify an appropriate application_type during Dynamic Client Registration; native applications (desktop applications, mobile apps, CLI tools, and locally-hosted web applications accessed via localhost) SHOULD use application_type: "native".',
    spec: { '2026-07-28': `${REGISTRATION_PAGE}#application-type-and-redirect-uri-constraints` },
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    let seen = 0;
    for (const run of runs) {
      for (const r of of(run, 'register')) {
        const d = json(r.body);
        if (!d) continue;
        seen++;
        const at = d.application_type;
        if (at === undefined) return t.fail(`scenario ${run.scenario}: the registration request has no application_type (under OpenID Connect it defaults to "web", which conflicts with native redirect URIs)`, authEvidence([r]));
        const local = (strings(d.redirect_uris) ?? []).every((x) => /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/i.test(x) || !/^https?:/i.test(x));
        if (at !== 'native' && at !== 'web') return t.fail(`scenario ${run.scenario}: application_type ${JSON.stringify(at)} is neither "native" nor "web"`, authEvidence([r]));
        if (at === 'web' && local) return t.fail(`scenario ${run.scenario}: application_type "web" with localhost redirect URIs (${(strings(d.redirect_uris) ?? []).join(', ')}): a locally run client is "native"`, authEvidence([r]));
      }
    }
    if (seen === 0) t.notApplicable('the client registered no client dynamically');
  },
);

clientCheck(
  {
    id: 'client-auth/registration-failure-handled',
    title: 'a refused dynamic registration is handled: a few retries at most, no authorization without a client_id, and the client ends',
    level: 'MUST',
    requirement:
      'MCP clients MUST be prepared to handle registration failures due to redirect URI constraints when authorization servers implement OIDC. When a registration request is rejected, clients SHOULD surface a meaningful error to the user or developer. Clients MAY retry registration with an adjusted application_type or with redirect URIs that conform to the authorization server\'s requirements.',
    spec: { '2026-07-28': `${REGISTRATION_PAGE}#application-type-and-redirect-uri-constraints` },
    scenarios: ['auth/registration-refused'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/registration-refused']);
    for (const run of runs) {
      const regs = of(run, 'register');
      if (regs.length === 0) t.notVerified(`the client never tried dynamic registration in auth/registration-refused (${exitSummaryOf(run)})`);
      const used = of(run, 'authorize', 'token').find((r) => r.params.client_id ?? r.clientId);
      if (used) return t.fail(`every registration was refused, yet the client went on as ${used.params.client_id ?? used.clientId} (${describeAuthRecord(used)})`, authEvidence([...regs.slice(-2), used]));
      if (regs.length > RETRY_LIMIT) return t.fail(`every registration was refused (invalid_redirect_uri) and the client tried ${regs.length} times; a few (≤ ${RETRY_LIMIT}) is the limit here`, authEvidence(regs.slice(-3)));
      if (run.process.timedOut) return t.fail(`after the refused registration the client was still running at the scenario timeout (${regs.length} registration request(s)): the failure was not handled`, authEvidence(regs));
    }
  },
);

// ---------------------------------------------------------------- refresh tokens (2026-07-28)

const OFFLINE_SCENARIOS = ['auth/offline-access-scope', 'auth/offline-access-not-supported'];
const scopesOf = (r: A) => (r.params.scope ?? '').split(' ').filter(Boolean);

clientCheck(
  {
    id: 'client-auth/refresh-grant-type',
    title: 'a client that wants refresh tokens registers the refresh_token grant type',
    level: 'SHOULD',
    requirement: 'MCP Clients that desire refresh tokens SHOULD include refresh_token in their grant_types client metadata.',
    spec: { '2026-07-28': 'basic/authorization#refresh-tokens' },
    scenarios: ['auth/offline-access-scope'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/offline-access-scope']);
    let wanted = 0;
    for (const run of runs) {
      const asked = of(run, 'authorize', 'token').find((r) => scopesOf(r).includes('offline_access') || r.params.grant_type === 'refresh_token');
      if (!asked) continue;
      wanted++;
      const meta = registeredMetadata(run).get(asked.params.client_id ?? asked.clientId ?? '');
      if (!meta) continue; // pre-registered: its metadata is outside the run
      const grants = strings(meta.doc.grant_types) ?? ['authorization_code'];
      if (!grants.includes('refresh_token')) return t.fail(`the client asked for a refresh token (${asked.params.grant_type === 'refresh_token' ? 'a refresh_token grant' : 'scope offline_access'}), but its ${meta.how === 'dcr' ? 'registration request' : 'client ID metadata document'} lists grant_types ${JSON.stringify(grants)} without refresh_token`, authEvidence([meta.record, asked]));
    }
    if (wanted === 0) t.notApplicable('the client did not ask for a refresh token (no offline_access scope, no refresh_token grant)');
  },
);

clientCheck(
  {
    id: 'client-auth/offline-access-when-listed',
    title: 'offline_access is asked for only when the AS lists it in scopes_supported',
    level: 'MAY',
    requirement: 'MCP Clients that desire refresh tokens MAY add offline_access to the scope parameter of the authorization and token requests when the Authorization Server metadata contains it in scopes_supported.',
    spec: { '2026-07-28': 'basic/authorization#refresh-tokens' },
    scenarios: OFFLINE_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, OFFLINE_SCENARIOS);
    for (const run of runs) {
      const listed = strings(asMetadataOf(run)?.scopes_supported) ?? [];
      if (listed.includes('offline_access')) continue;
      const asked = of(run, 'authorize', 'token').find((r) => scopesOf(r).includes('offline_access'));
      if (asked) return t.fail(`scenario ${run.scenario}: the AS metadata's scopes_supported (${listed.join(' ') || 'none'}) has no offline_access, yet the client asked for it`, authEvidence([asked]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/no-refresh-assumed',
    title: 'no refresh with a refresh token the authorization server never issued',
    level: 'MUST',
    requirement: 'MCP Clients that desire refresh tokens MUST NOT assume refresh tokens will be issued; the AS retains discretion.',
    spec: { '2026-07-28': 'basic/authorization#refresh-tokens' },
    scenarios: OFFLINE_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, OFFLINE_SCENARIOS);
    for (const run of runs) {
      const issued = new Set(of(run, 'token').map((r) => json(r.responseBody)?.refresh_token).filter((x): x is string => typeof x === 'string'));
      const bad = of(run, 'token').find((r) => r.params.grant_type === 'refresh_token' && !issued.has(r.params.refresh_token ?? ''));
      if (bad) return t.fail(`scenario ${run.scenario}: the client sent a refresh_token grant with a refresh token the authorization server never issued (${issued.size ? `it issued ${issued.size}` : 'it issued none'})`, authEvidence([...of(run, 'token').filter((r) => r.seq < bad.seq).slice(-2), bad]));
    }
  },
);

// ---------------------------------------------------------------- enterprise-managed authorization (an extension)

const XAA_SPEC: Partial<Record<Revision, string>> = { '2025-11-25': 'basic/authorization#mcp-authorization-extensions', '2026-07-28': 'basic/authorization#mcp-authorization-extensions' };

/** The JWT's payload and header, unverified (the mock verified what it accepted). */
function decodeJwt(jwt: string | undefined): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const [h, p] = (jwt ?? '').split('.');
  try {
    const header = json(Buffer.from(h ?? '', 'base64url').toString('utf8'));
    const payload = json(Buffer.from(p ?? '', 'base64url').toString('utf8'));
    return header && payload ? { header, payload } : undefined;
  } catch {
    return undefined;
  }
}

/** The XAA run's token exchanges (at the IdP) and JWT bearer grants (at the MCP server's AS); not applicable without an exchange. */
function xaaRequests(t: CheckScope, run: ClientRun) {
  const exchanges = of(run, 'token').filter((r) => r.params.grant_type === TOKEN_EXCHANGE_GRANT);
  if (exchanges.length === 0) t.notApplicable('the client made no token exchange at the enterprise IdP: it does not implement enterprise-managed authorization (an optional extension)');
  const prm = json(of(run, 'prm').find((r) => r.status === 200)?.responseBody ?? '');
  const asIssuer = Array.isArray(prm?.authorization_servers) && typeof prm.authorization_servers[0] === 'string' ? prm.authorization_servers[0] : undefined;
  return { exchanges, bearers: of(run, 'token').filter((r) => r.params.grant_type === JWT_BEARER_GRANT), asIssuer, resource: typeof prm?.resource === 'string' ? prm.resource : mcpUrl(run) };
}

clientCheck(
  {
    id: 'client-auth/xaa-token-exchange',
    title: 'enterprise-managed authorization: the ID token is exchanged at the IdP for an ID-JAG for the MCP server\'s AS',
    level: 'MUST',
    requirement:
      'Enterprise-managed authorization (an MCP authorization extension): the MCP Client makes a Token Exchange (RFC 8693) request to the IdP\'s token endpoint with requested_token_type urn:ietf:params:oauth:token-type:id-jag and the ID Token as subject_token (subject_token_type urn:ietf:params:oauth:token-type:id_token); audience MUST be the issuer identifier of the Resource Authorization Server; resource is OPTIONAL and if set MUST be the Resource Identifier of the MCP Server.',
    spec: XAA_SPEC,
    scenarios: [XAA_SCENARIO],
  },
  (t) => {
    const { runs } = authRuns(t, [XAA_SCENARIO]);
    for (const run of runs) {
      const { exchanges, asIssuer, resource } = xaaRequests(t, run);
      const e = exchanges[0]!;
      const p = e.params;
      const problems: string[] = [];
      if (p.requested_token_type !== ID_JAG_TYPE) problems.push(`requested_token_type ${JSON.stringify(p.requested_token_type ?? null)}, not ${ID_JAG_TYPE}`);
      if (p.subject_token_type !== ID_TOKEN_TYPE) problems.push(`subject_token_type ${JSON.stringify(p.subject_token_type ?? null)}, not ${ID_TOKEN_TYPE}`);
      const idToken = decodeJwt(p.subject_token);
      if (!idToken || idToken.payload.iss !== originOf(e.url)) problems.push(`a subject_token that is not the IdP's ID token (${idToken ? `iss ${JSON.stringify(idToken.payload.iss)}` : 'no JWT'})`);
      if (asIssuer !== undefined && p.audience !== asIssuer) problems.push(`audience ${JSON.stringify(p.audience ?? null)}, not the issuer of the MCP server's authorization server (${asIssuer})`);
      if (p.resource !== undefined && p.resource !== resource) problems.push(`resource ${JSON.stringify(p.resource)}, not the MCP server (${resource})`);
      if (problems.length) return t.fail(`the token exchange at the IdP (${e.url}) had ${problems.join('; ')}`, authEvidence([e]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/xaa-jwt-bearer',
    title: 'enterprise-managed authorization: the ID-JAG is presented to the MCP server\'s AS as a JWT bearer grant, with the client\'s credentials there',
    level: 'MUST',
    requirement:
      'Enterprise-managed authorization (an MCP authorization extension): the MCP Client presents the ID-JAG to the Resource Authorization Server\'s token endpoint using grant_type urn:ietf:params:oauth:grant-type:jwt-bearer and the ID-JAG as the assertion (RFC 7523 §2.1: the assertion parameter MUST contain a single JWT), authenticating with its credentials as registered with the Resource Authorization Server, and uses the access token with the MCP server.',
    spec: XAA_SPEC,
    scenarios: [XAA_SCENARIO],
  },
  (t) => {
    const { runs } = authRuns(t, [XAA_SCENARIO]);
    for (const run of runs) {
      const { exchanges, bearers } = xaaRequests(t, run);
      const jag = exchanges.map((r) => (r.status === 200 ? json(r.responseBody)?.access_token : undefined)).find((x): x is string => typeof x === 'string');
      if (!jag) return t.notVerified(`the IdP issued no ID-JAG (${describeAuthRecord(exchanges[0]!)}): see client-auth/xaa-token-exchange`, authEvidence(exchanges));
      const b = bearers[0];
      if (!b) return t.fail('the client got an ID-JAG from the IdP but never presented it to the MCP server\'s authorization server (no grant_type jwt-bearer request)', authEvidence(exchanges));
      if (b.params.assertion !== jag) return t.fail(`the JWT bearer grant's assertion is not the ID-JAG the IdP issued (${decodeJwt(b.params.assertion)?.header.typ ?? 'no JWT'})`, authEvidence([exchanges[0]!, b]));
      if (originOf(b.url) === originOf(exchanges[0]!.url)) return t.fail(`the JWT bearer grant went to the IdP (${b.url}), not to the MCP server's authorization server`, authEvidence([b]));
      if (b.clientAuth !== 'client_secret_basic' || b.clientId !== XAA_CLIENT.client_id) return t.fail(`the JWT bearer grant authenticated ${b.clientId ? `as ${b.clientId} ` : ''}with ${b.clientAuth ?? 'nothing'}; the client is registered at the AS as ${XAA_CLIENT.client_id} with client_secret_basic`, authEvidence([b]));
      const ok = bearers.find((r) => r.status === 200);
      if (!ok) return t.fail(`the authorization server refused the JWT bearer grant (${describeAuthRecord(b)})`, authEvidence(bearers));
      if (!mcpRecs(run).some((r) => r.seq > ok.seq && r.status < 400 && bearerOf(r) !== undefined)) return t.fail('the client got an access token for the ID-JAG but never got through to the MCP server with it', authEvidence([ok, ...mcpRecs(run).filter((r) => r.seq > ok.seq).slice(0, 3)]));
    }
  },
);
