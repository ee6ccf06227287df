// What MCP requires of an authorization server (basic/authorization), judged through the suite's
// own OAuth client (flow.ts): its metadata (RFC 8414 / OpenID Connect discovery: issuer,
// endpoints, PKCE S256, client ID metadata documents, RFC 9207 `iss`), registration, the
// authorization code grant and its token response, and the probes a careless server lets through:
// no code_challenge, a wrong code_verifier, an unregistered redirect URI, a code redeemed twice,
// a refresh token used twice. Every check of a run shares one flow (one registration, one grant).
import { AUTHORIZATION_REVISIONS, isObject, PRM_REVISIONS, revisionsFrom } from '../../schema/index.ts';
import { check, type CheckContext } from '../harness/index.ts';
import { authPage, cite } from '../kit/index.ts';
import type { FetchedJson } from '../harness/index.ts';
import { codeOf, describeOutcome, OAuthFlow, type AuthorizationAttempt, type CimdProbe, type CimdProbeKind, type Exchange, type MetadataFound } from './flow.ts';

type T = CheckContext;

/** The revisions with Protected Resource Metadata (most checks); 2025-03-26 has a few rules of its own. */
const PRM_ERA = PRM_REVISIONS;
/** Every revision an auth-server check applies at. */
export const AS_REVISIONS = AUTHORIZATION_REVISIONS;
/** From 2025-11-25: client ID metadata documents, the security considerations' code protection. */
const MODERN = revisionsFrom('2025-11-25');

// ---- the flow of a run ----

const flows = new WeakMap<object, { modern: OAuthFlow; legacy?: OAuthFlow }>();

/**
 * The run's flow (made on first use; the runner closes it, see run.ts). At 2025-03-26 an issuer
 * without metadata is reached at its default endpoints (basic/authorization "Fallbacks for
 * Servers without Metadata Discovery"): a second flow on the same listener.
 */
export async function flowOf(t: T): Promise<OAuthFlow> {
  const target = t.config.authServer;
  if (!target) return t.notVerified('no authorization server given (mcp-conform auth-server --issuer URL)');
  let f = flows.get(target);
  if (!f) {
    f = { modern: new OAuthFlow(target, t.requestTimeoutMs) };
    flows.set(target, f);
  }
  if (t.revision !== '2025-03-26' || (await f.modern.metadata()).found) return f.modern;
  return (f.legacy ??= new OAuthFlow(target, t.requestTimeoutMs, f.modern));
}

/** Ends the flow of a run's target (its loopback listener), if one was made. */
export async function closeFlow(target: object): Promise<void> {
  const f = flows.get(target);
  flows.delete(target);
  await f?.modern.close();
}

/** A JSON answer as the wire log keeps it: tokens and secrets shortened (results folders get shared). */
function redacted(json: unknown): unknown {
  if (!isObject(json)) return json;
  const out: Record<string, unknown> = { ...json };
  for (const k of ['access_token', 'refresh_token', 'id_token', 'client_secret', 'registration_access_token']) {
    const v = out[k];
    if (typeof v === 'string') out[k] = v.length > 16 ? `${v.slice(0, 6)}…(${v.length} chars)` : '…';
  }
  return out;
}

/** Puts HTTP exchanges into the check's wire log; returns its entries (evidence). */
function show(t: T, exchanges: readonly (Exchange | FetchedJson)[]) {
  const start = t.wire.entries.length;
  for (const x of exchanges) {
    if ('what' in x) {
      t.wire.record({ dir: 'send', note: `${x.what}: HTTP ${x.method} ${x.url}`, ...(x.body !== undefined ? { raw: x.body } : {}) });
      const loc = x.headers.location ? ` Location: ${x.headers.location}` : '';
      const cache = x.headers['cache-control'] ? ` Cache-Control: ${x.headers['cache-control']}` : '';
      t.wire.record({ dir: 'recv', note: x.error ?? `HTTP ${x.status}${x.headers['content-type'] ? ` (${x.headers['content-type']})` : ''}${cache}${loc}`, ...(x.json !== undefined ? { msg: redacted(x.json) } : x.text ? { raw: x.text.slice(0, 2000) } : {}) });
    } else {
      t.wire.record({ dir: 'send', note: `HTTP GET ${x.url}` });
      t.wire.record({ dir: 'recv', note: x.error ?? `HTTP ${x.status}${x.contentType ? ` (${x.contentType})` : ''}${x.finalUrl !== x.url ? ` (from ${x.finalUrl})` : ''}`, ...(x.json !== undefined ? { msg: x.json } : x.text ? { raw: x.text.slice(0, 2000) } : {}) });
    }
  }
  return t.wire.entries.slice(start);
}

const describeFetch = (f: FetchedJson) => f.error ?? `${f.url}: HTTP ${f.status}${f.status === 200 ? (f.json === undefined ? ', not JSON' : ', not a JSON object') : ''}`;

/** The metadata document, or the check ends (not verified) naming what was tried. */
async function metadata(t: T): Promise<MetadataFound> {
  const m = await (await flowOf(t)).metadata();
  show(t, m.attempts);
  if (!m.found) return t.notVerified(`no authorization server metadata (see auth-server/metadata-discovery): ${m.attempts.map(describeFetch).join('; ')}`, t.evidence());
  return m.found;
}

/** An authorization attempt, shown; the check ends not verified when the flow stopped before it. */
function attempt(t: T, a: AuthorizationAttempt | { stopped: string }): AuthorizationAttempt {
  if ('stopped' in a) return t.notVerified(`the authorization request was not made: ${a.stopped}`);
  t.note(`authorization request: ${a.url}`);
  show(t, a.outcome.exchanges);
  if (a.outcome.kind === 'page' && a.outcome.status >= 200 && a.outcome.status < 300) {
    return t.notVerified(`the authorization endpoint asked for user interaction (an HTTP ${a.outcome.status} page at ${a.outcome.url}): run with --browser to complete the authorization in your browser`, t.evidence());
  }
  if (a.outcome.kind === 'unreachable') return t.notVerified(a.outcome.error, t.evidence());
  return a;
}

/**
 * A client ID metadata document the suite serves is at an http loopback URL: an authorization server
 * that refuses it (as it should: https only) refuses the suite, not a requirement. The checks that
 * need an authorization then end not verified.
 */
async function clientUsable(t: T): Promise<void> {
  const g = await (await flowOf(t)).grant();
  if (!('authorization' in g) || !g.authorization || g.authorization.client.how !== 'cimd' || codeOf(g.authorization) !== undefined) return;
  const o = g.authorization.outcome;
  if (o.kind === 'page' && o.status >= 200 && o.status < 300) return; // a login page: attempt() says so
  return t.notVerified(
    `the authorization server did not accept the suite's client ID metadata document at ${g.authorization.client.clientId} (${describeOutcome(o, 'a code')}); it may insist on an https client_id URL, which the suite cannot serve: give --client-id of a registered client`,
  );
}

/**
 * A probe's refusal proves something only once the same request without the flaw got a code:
 * otherwise the check ends not verified (see auth-server/authorization-response).
 */
async function grantWorks(t: T): Promise<void> {
  await clientUsable(t);
  const g = await (await flowOf(t)).grant();
  if (!('authorization' in g) || !g.authorization) return t.notVerified(`the authorization request was not made: ${g.stopped ?? 'no client'}`);
  const a = attempt(t, g.authorization);
  if (codeOf(a) === undefined) return t.notVerified(`the authorization request without the flaw got no code either (${describeOutcome(a.outcome, 'a code')}), so a refusal proves nothing (see auth-server/authorization-response)`, t.evidence());
}

/** The grant's token response, or the check ends not verified saying where the grant stopped. */
async function tokenResponse(t: T): Promise<Exchange> {
  await clientUsable(t);
  const g = await (await flowOf(t)).grant();
  if ('authorization' in g && g.authorization) attempt(t, g.authorization);
  if (!('token' in g) || !g.token) return t.notVerified(`no token response to judge: ${g.stopped ?? 'the grant stopped'} (see auth-server/authorization-response)`, t.evidence());
  show(t, [g.token]);
  return g.token;
}

const oauthError = (x: Exchange) => (isObject(x.json) && typeof x.json.error === 'string' ? x.json.error : undefined);
const refusedTokenRequest = (x: Exchange) => x.status >= 400 && x.status < 500;

/** The claims of a JWT access token; undefined for an opaque one. */
function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const c = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as unknown;
    return isObject(c) ? c : undefined;
  } catch {
    return undefined;
  }
}

// ---- metadata ----

check(
  {
    id: 'auth-server/metadata-discovery',
    title: 'authorization server metadata is served as a JSON object at a well-known URL of the issuer (RFC 8414 or OpenID Connect discovery)',
    level: 'MUST',
    requirement:
      'Authorization servers MUST provide OAuth 2.0 Authorization Server Metadata (RFC8414) (2025-06-18); MCP authorization servers MUST provide at least one of the following discovery mechanisms: OAuth 2.0 Authorization Server Metadata (RFC8414), OpenID Connect Discovery 1.0 (2025-11-25 on). RFC 8414 §3.2: the response is a JSON object with Content-Type application/json.',
    spec: cite(PRM_ERA, authPage('overview', 'basic/authorization#overview')),
  },
  async (t) => {
    const m = await (await flowOf(t)).metadata();
    const ev = show(t, m.attempts);
    if (!m.found) {
      // Nothing answered at all (unreachable, timed out, a redirect to another host): no verdict on the server.
      if (m.attempts.every((a) => a.status === 0 || a.error !== undefined)) return t.notVerified(`cannot fetch authorization server metadata: ${m.attempts.map(describeFetch).join('; ')}`, ev);
      return t.fail(`no authorization server metadata at any well-known URL of ${t.config.authServer?.issuer}: ${m.attempts.map(describeFetch).join('; ')}`, ev);
    }
    const ct = m.found.contentType ?? '';
    if (!/^application\/json\b/i.test(ct.trim())) return t.fail(`the metadata at ${m.found.url} is served with Content-Type ${JSON.stringify(ct || '(none)')}, not application/json (RFC 8414 §3.2)`, ev);
  },
);

check(
  {
    id: 'auth-server/metadata-issuer',
    title: 'the metadata names as issuer exactly the issuer its well-known URL was built from',
    level: 'MUST',
    requirement:
      'After retrieving a metadata document, MCP clients MUST validate it as required by RFC8414 Section 3.3: the issuer value in the document MUST be identical to the issuer identifier used to construct the well-known URL. If they differ, the client MUST NOT use the metadata.',
    spec: {
      '2025-06-18': 'basic/authorization#server-metadata-discovery',
      '2025-11-25': 'basic/authorization#authorization-server-metadata-discovery',
      '2026-07-28': 'basic/authorization/authorization-server-discovery#authorization-server-metadata-discovery',
    },
  },
  async (t) => {
    const m = await metadata(t);
    const issuer = t.config.authServer?.issuer;
    if (m.doc.issuer !== issuer) return t.fail(`the metadata at ${m.url} names issuer ${JSON.stringify(m.doc.issuer)}, not ${JSON.stringify(issuer)}: clients must not use it`, t.evidence());
  },
);

check(
  {
    id: 'auth-server/metadata-endpoints',
    title: 'the metadata has an authorization_endpoint and a token_endpoint (absolute https URLs, or http on loopback), and response_types_supported includes "code"',
    level: 'MUST',
    requirement:
      'Authorization servers MUST implement OAuth 2.1 with appropriate security measures for both confidential and public clients; MCP clients MUST use the OAuth 2.0 Authorization Server Metadata (RFC 8414 §2: authorization_endpoint, token_endpoint and response_types_supported are REQUIRED for a server that supports the authorization code grant). All authorization server endpoints MUST be served over HTTPS.',
    spec: { ...cite(PRM_ERA, authPage('overview', 'basic/authorization#overview')), '2025-03-26': 'basic/authorization#security-considerations' },
  },
  async (t) => {
    const m = await metadata(t);
    if (m.variant === 'default') return t.notApplicable('no authorization server metadata: at 2025-03-26 the default endpoints stand in for it (see auth-server/default-endpoints)');
    const bad: string[] = [];
    for (const k of ['authorization_endpoint', 'token_endpoint'] as const) {
      const v = m.doc[k];
      if (typeof v !== 'string' || !URL.canParse(v)) {
        bad.push(`${k} is ${v === undefined ? 'missing' : `not an absolute URL: ${JSON.stringify(v)}`}`);
        continue;
      }
      const u = new URL(v);
      // Communication Security: https; a loopback http endpoint is a test deployment, allowed here.
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))) bad.push(`${k} ${v} is not an https URL`);
    }
    const rts = m.doc.response_types_supported;
    if (!Array.isArray(rts) || !rts.includes('code')) bad.push(`response_types_supported does not include "code": ${JSON.stringify(rts)}`);
    const gts = m.doc.grant_types_supported;
    if (Array.isArray(gts) && !gts.includes('authorization_code')) bad.push(`grant_types_supported leaves out authorization_code: ${JSON.stringify(gts)}`);
    if (bad.length) return t.fail(`the metadata at ${m.url}: ${bad.join('; ')}`, t.evidence());
  },
);

check(
  {
    id: 'auth-server/pkce-advertised',
    title: 'the metadata lists S256 in code_challenge_methods_supported (clients must refuse to proceed otherwise)',
    level: 'MUST',
    requirement:
      'OAuth 2.0 Authorization Server Metadata: If code_challenge_methods_supported is absent, the authorization server does not support PKCE and MCP clients MUST refuse to proceed. Authorization servers providing OpenID Connect Discovery 1.0 MUST include code_challenge_methods_supported in their metadata to ensure MCP compatibility. MCP clients MUST use the S256 code challenge method when technically capable.',
    spec: cite(MODERN, authPage('authorization-code-protection', 'basic/authorization/security-considerations#authorization-code-protection')),
  },
  async (t) => {
    const m = await metadata(t);
    const ccm = m.doc.code_challenge_methods_supported;
    if (ccm === undefined) return t.fail(`the metadata at ${m.url} has no code_challenge_methods_supported: MCP clients must refuse to proceed`, t.evidence());
    if (!Array.isArray(ccm) || !ccm.includes('S256')) return t.fail(`code_challenge_methods_supported at ${m.url} does not include S256: ${JSON.stringify(ccm)}`, t.evidence());
  },
);

check(
  {
    id: 'auth-server/cimd-advertised',
    title: 'the metadata advertises client ID metadata document support (client_id_metadata_document_supported: true)',
    level: 'SHOULD',
    requirement:
      'MCP clients and authorization servers SHOULD support OAuth Client ID Metadata Documents. Authorization servers advertise that they support clients using Client ID Metadata Documents by including "client_id_metadata_document_supported": true in their OAuth Authorization Server metadata.',
    spec: cite(MODERN, authPage('client-id-metadata-documents', 'basic/authorization/client-registration#advertising-cimd-support')),
  },
  async (t) => {
    const m = await metadata(t);
    const v = m.doc.client_id_metadata_document_supported;
    if (v !== true) return t.fail(`the metadata at ${m.url} has client_id_metadata_document_supported ${v === undefined ? 'absent' : JSON.stringify(v)}: clients cannot use a client ID metadata document`, t.evidence());
  },
);

check(
  {
    id: 'auth-server/registration',
    title: 'an authorization server that offers dynamic client registration registers a valid client: HTTP 201 with a client_id',
    level: 'MUST',
    requirement:
      'MCP clients and authorization servers MAY support the OAuth 2.0 Dynamic Client Registration Protocol (RFC7591). One that offers a registration_endpoint MUST implement RFC 7591: §3.2.1 answers a successful registration with HTTP 201 Created and a JSON body whose client_id is REQUIRED.',
    spec: cite(PRM_ERA, authPage('dynamic-client-registration', 'basic/authorization/client-registration#dynamic-client-registration')),
  },
  async (t) => {
    const m = await metadata(t);
    const ep = m.doc.registration_endpoint;
    if (ep === undefined) return t.notApplicable(`the metadata at ${m.url} offers no registration_endpoint`);
    if (typeof ep !== 'string' || !URL.canParse(ep)) return t.fail(`registration_endpoint is not an absolute URL: ${JSON.stringify(ep)}`, t.evidence());
    const ex = await (await flowOf(t)).dcr();
    if ('stopped' in ex) return t.notVerified(ex.stopped);
    const ev = show(t, [ex]);
    if (ex.error) return t.notVerified(ex.error, ev);
    if (ex.status === 401 || ex.status === 403) return t.notVerified(`the registration endpoint ${ep} wants an initial access token (HTTP ${ex.status}, RFC 7591 §3): open registration could not be tried`, ev);
    if (ex.status !== 201) return t.fail(`registering a valid client at ${ep} was answered HTTP ${ex.status}, not 201 Created${oauthError(ex) ? ` (error=${oauthError(ex)})` : ''}`, ev);
    if (!isObject(ex.json) || typeof ex.json.client_id !== 'string' || !ex.json.client_id) return t.fail(`the registration response of ${ep} has no client_id`, ev);
  },
);

check(
  {
    id: 'auth-server/registration-supported',
    title: 'dynamic client registration is offered (a registration_endpoint in the metadata)',
    level: 'SHOULD',
    requirement:
      'MCP auth implementations SHOULD support the OAuth 2.0 Dynamic Client Registration Protocol (RFC7591) (2025-03-26); authorization servers and MCP clients SHOULD support it (2025-06-18), to allow MCP clients to obtain OAuth client IDs without user interaction. (From 2025-11-25 it is a MAY: not judged.)',
    spec: { '2025-03-26': 'basic/authorization#dynamic-client-registration', '2025-06-18': 'basic/authorization#dynamic-client-registration' },
  },
  async (t) => {
    const m = await metadata(t);
    if (m.variant === 'default') {
      // No metadata (2025-03-26): registration, if offered, is at the default /register.
      const ex = await (await flowOf(t)).dcr();
      if ('stopped' in ex) return t.notVerified(ex.stopped);
      const ev = show(t, [ex]);
      if (ex.error) return t.notVerified(ex.error, ev);
      if (ex.status === 401 || ex.status === 403) return; // offered, behind an initial access token (RFC 7591 §3)
      if (ex.status !== 201 && ex.status !== 200) return t.fail(`no metadata, and the default registration endpoint ${m.doc.registration_endpoint} answered HTTP ${ex.status}: a client without pre-registered credentials cannot get a client ID without user interaction`, ev);
      return;
    }
    if (typeof m.doc.registration_endpoint !== 'string') return t.fail(`the metadata at ${m.url} offers no registration_endpoint: a client without pre-registered credentials cannot get a client ID without user interaction`, t.evidence());
  },
);

check(
  {
    id: 'auth-server/default-endpoints',
    title: '2025-03-26: an authorization server without metadata answers at the default endpoints (/authorize, /token; /register for registration)',
    level: 'MUST',
    requirement:
      'Servers that do not support Authorization Server Metadata MUST follow the default URI schema: for servers that do not implement OAuth 2.0 Authorization Server Metadata, clients MUST use the default endpoint paths relative to the authorization base URL: /authorize (authorization endpoint), /token (token endpoint), /register (registration endpoint).',
    spec: { '2025-03-26': 'basic/authorization#fallbacks-for-servers-without-metadata-discovery' },
  },
  async (t) => {
    const m = await metadata(t);
    if (m.variant !== 'default') return t.notApplicable(`the server has metadata (${m.url}): its endpoints are judged by auth-server/metadata-endpoints`);
    const f = await flowOf(t);
    const reg = await f.registration();
    show(t, reg.exchanges);
    if (!reg.client) return t.notVerified(`no client for the default endpoints: ${reg.error ?? 'none'} (give --client-id of a registered client)`, t.evidence());
    const g = await f.grant();
    if (!('authorization' in g) || !g.authorization) return t.notVerified(`the authorization request was not made: ${g.stopped ?? 'no client'}`);
    const a = g.authorization;
    show(t, a.outcome.exchanges);
    const miss = (x: Exchange | undefined) => x !== undefined && (x.status === 404 || x.status === 405);
    if (a.outcome.kind === 'page' && miss(a.outcome.exchanges[0])) return t.fail(`no metadata, and the default authorization endpoint ${m.doc.authorization_endpoint} answered HTTP ${a.outcome.status}`, t.evidence());
    if (a.outcome.kind === 'unreachable') return t.notVerified(a.outcome.error, t.evidence());
    if (codeOf(a) === undefined) return t.notVerified(`the default authorization endpoint gave no code: ${describeOutcome(a.outcome, 'a code')}`, t.evidence());
    if (!('token' in g) || !g.token) return t.notVerified(`no token response: ${g.stopped ?? 'the grant stopped'}`, t.evidence());
    const ev = show(t, [g.token]);
    if (g.token.error) return t.notVerified(g.token.error, ev);
    if (miss(g.token)) return t.fail(`no metadata, and the default token endpoint ${m.doc.token_endpoint} answered HTTP ${g.token.status}`, ev);
    if (g.token.status !== 200 || !isObject(g.token.json) || typeof g.token.json.access_token !== 'string') return t.fail(`the default token endpoint ${m.doc.token_endpoint} did not redeem the code of its own /authorize: HTTP ${g.token.status}${oauthError(g.token) ? ` error=${oauthError(g.token)}` : ''}`, ev);
  },
);

// ---- the grant ----

check(
  {
    id: 'auth-server/authorization-response',
    title: 'the authorization endpoint redirects to the exact redirect URI with one code and the state of the request',
    level: 'MUST',
    requirement:
      'Authorization servers MUST implement OAuth 2.1 with appropriate security measures for both confidential and public clients. OAuth 2.1 §4.1.2: the authorization response adds code and, if the request had one, the exact state to the query of the redirect URI; no parameter is repeated.',
    spec: cite(PRM_ERA, authPage('authorization-flow-steps', 'basic/authorization#authorization-flow-steps')),
  },
  async (t) => {
    await clientUsable(t);
    const g = await (await flowOf(t)).grant();
    if (!('authorization' in g) || !g.authorization) return t.notVerified(`the authorization request was not made: ${g.stopped ?? 'no client'}`);
    const a = attempt(t, g.authorization);
    const o = a.outcome;
    const who = `(client ${a.client.clientId}${a.client.how === 'given' ? ', given' : ''}, redirect URI ${a.redirectUri})`;
    if (o.kind !== 'redirected') return t.fail(`${describeOutcome(o, 'a code')} ${who}`, t.evidence());
    if (o.params.error) return t.fail(`the authorization request was refused: ${describeOutcome(o, 'a code')} ${who}`, t.evidence());
    const dup = Object.entries(o.params).filter(([k, v]) => ['code', 'state', 'iss'].includes(k) && v.length > 1).map(([k]) => k);
    if (dup.length) return t.fail(`the authorization response repeats ${dup.join(', ')}: ${o.location}`, t.evidence());
    if (codeOf(a) === undefined) return t.fail(`the authorization response has no code: ${o.location}`, t.evidence());
    const state = o.params.state?.[0];
    if (state !== a.state) return t.fail(`the authorization response ${state === undefined ? 'has no state' : `has state ${JSON.stringify(state)}`}, the request had ${JSON.stringify(a.state)}`, t.evidence());
  },
);

check(
  {
    id: 'auth-server/token-response',
    title: 'the code is redeemed for an access token: HTTP 200, JSON with access_token and token_type, Cache-Control: no-store',
    level: 'MUST',
    requirement:
      'Authorization servers MUST implement OAuth 2.1 with appropriate security measures for both confidential and public clients. OAuth 2.1 §3.2.3: a successful token response is HTTP 200 with an application/json body holding access_token and token_type, and the Cache-Control header no-store.',
    spec: cite(PRM_ERA, authPage('authorization-flow-steps', 'basic/authorization#authorization-flow-steps')),
  },
  async (t) => {
    const x = await tokenResponse(t);
    if (x.error) return t.notVerified(x.error, t.evidence());
    if (x.status !== 200) return t.fail(`the token endpoint ${x.url} refused a valid code: HTTP ${x.status}${oauthError(x) ? ` error=${oauthError(x)}` : ''} ${isObject(x.json) && typeof x.json.error_description === 'string' ? `(${x.json.error_description})` : ''}`.trim(), t.evidence());
    const bad: string[] = [];
    if (!/^application\/json\b/i.test((x.headers['content-type'] ?? '').trim())) bad.push(`Content-Type is ${JSON.stringify(x.headers['content-type'] ?? '(none)')}, not application/json`);
    if (!/\bno-store\b/i.test(x.headers['cache-control'] ?? '')) bad.push(`Cache-Control is ${JSON.stringify(x.headers['cache-control'] ?? '(none)')}, not no-store`);
    if (!isObject(x.json)) bad.push('the body is not a JSON object');
    else {
      if (typeof x.json.access_token !== 'string' || !x.json.access_token) bad.push('access_token is missing');
      if (typeof x.json.token_type !== 'string') bad.push('token_type is missing');
      if (x.json.expires_in !== undefined && typeof x.json.expires_in !== 'number') bad.push(`expires_in is not a number: ${JSON.stringify(x.json.expires_in)}`);
    }
    if (bad.length) return t.fail(`the token response of ${x.url}: ${bad.join('; ')}`, t.evidence());
  },
);

check(
  {
    id: 'auth-server/resource-audience',
    title: 'the access token is bound to the resource the client asked for (RFC 8707): a JWT names it in aud',
    level: 'SHOULD',
    requirement:
      'RFC 8707 Resource Indicators provide critical security benefits by binding tokens to their intended audiences when the Authorization Server supports the capability. RFC 8707 §2: the authorization server SHOULD audience-restrict issued access tokens to the resource(s) indicated.',
    spec: cite(PRM_ERA, authPage('token-audience-binding-and-validation', 'basic/authorization/security-considerations#token-audience-binding-and-validation')),
  },
  async (t) => {
    const x = await tokenResponse(t);
    const token = isObject(x.json) ? x.json.access_token : undefined;
    if (x.status !== 200 || typeof token !== 'string') return t.notVerified('no access token (see auth-server/token-response)', t.evidence());
    const claims = jwtClaims(token);
    const resource = t.config.authServer?.resource;
    if (!claims) return t.notVerified(`the access token is opaque (not a JWT): its audience cannot be read (resource asked for: ${resource})`);
    const aud = claims.aud;
    const auds = Array.isArray(aud) ? aud : aud === undefined ? [] : [aud];
    if (!auds.includes(resource)) return t.fail(`the access token ${aud === undefined ? 'has no aud' : `has aud ${JSON.stringify(aud)}`}, not the resource asked for (${resource})`, t.evidence());
  },
);

const ISS_REQUIREMENT =
  'MCP authorization servers SHOULD include the iss parameter in authorization responses, including error responses, as defined in RFC9207 Section 2. Authorization servers that include the iss parameter MUST advertise this by setting authorization_response_iss_parameter_supported to true in their metadata.';
const ISS_SPEC = { '2026-07-28': 'basic/authorization#authorization-response-validation' } as const;

/** The iss values of the grant's authorization response (ends the check when there is none). */
async function issOf(t: T): Promise<{ iss: string[]; a: AuthorizationAttempt }> {
  const g = await (await flowOf(t)).grant();
  if (!('authorization' in g) || !g.authorization) return t.notVerified(`the authorization request was not made: ${g.stopped ?? 'no client'}`);
  const a = attempt(t, g.authorization);
  if (a.outcome.kind !== 'redirected') return t.notVerified(`no authorization response: ${describeOutcome(a.outcome, 'a code')}`, t.evidence());
  return { iss: a.outcome.params.iss ?? [], a };
}

check(
  { id: 'auth-server/iss-parameter', title: 'the authorization response carries iss (RFC 9207), an error response too', level: 'SHOULD', requirement: ISS_REQUIREMENT, spec: ISS_SPEC },
  async (t) => {
    const { iss, a } = await issOf(t);
    if (!iss.length) return t.fail(`the authorization response has no iss parameter: ${a.outcome.kind === 'redirected' ? a.outcome.location : ''}`, t.evidence());
    // An error response: the request without code_challenge, when it is refused by a redirect (headless runs only).
    const e = await (await flowOf(t)).noChallenge();
    if ('stopped' in e || e.outcome.kind !== 'redirected' || !e.outcome.params.error) return;
    show(t, e.outcome.exchanges);
    if (!e.outcome.params.iss?.length) return t.fail(`the error response to an authorization request without code_challenge has no iss parameter: ${e.outcome.location}`, t.evidence());
  },
);

check(
  { id: 'auth-server/iss-advertised', title: 'an authorization server that sends iss advertises authorization_response_iss_parameter_supported: true', level: 'MUST', requirement: ISS_REQUIREMENT, spec: ISS_SPEC },
  async (t) => {
    const { iss } = await issOf(t);
    if (!iss.length) return t.notApplicable('the authorization response carries no iss (see auth-server/iss-parameter)');
    const m = await metadata(t);
    if (m.doc.authorization_response_iss_parameter_supported !== true) return t.fail(`the authorization response carries iss, but the metadata at ${m.url} has authorization_response_iss_parameter_supported ${JSON.stringify(m.doc.authorization_response_iss_parameter_supported) ?? 'absent'}`, t.evidence());
  },
);

check(
  {
    id: 'auth-server/iss-value',
    title: 'the iss of the authorization response is the issuer identifier, character for character',
    level: 'MUST',
    requirement: `${ISS_REQUIREMENT} RFC 9207 §2: the iss parameter value is the issuer identifier of the authorization server that created the authorization response; clients compare it to the recorded issuer by simple string comparison.`,
    spec: ISS_SPEC,
  },
  async (t) => {
    const { iss } = await issOf(t);
    if (!iss.length) return t.notApplicable('the authorization response carries no iss (see auth-server/iss-parameter)');
    const issuer = t.config.authServer?.issuer;
    if (iss.length > 1 || iss[0] !== issuer) return t.fail(`the authorization response's iss is ${JSON.stringify(iss.length > 1 ? iss : iss[0])}, not the issuer ${JSON.stringify(issuer)}: a client must reject the response`, t.evidence());
  },
);

// ---- what a careful authorization server refuses ----

const CODE_PROTECTION = cite(PRM_ERA, authPage('authorization-code-protection', 'basic/authorization/security-considerations#authorization-code-protection'));

check(
  {
    id: 'auth-server/pkce-required',
    title: 'an authorization request without code_challenge is refused (PKCE enforced)',
    level: 'MUST',
    requirement:
      'Authorization servers MUST implement OAuth 2.1 with appropriate security measures for both confidential and public clients. OAuth 2.1 §4.1.1: clients MUST use code_challenge and code_verifier and authorization servers MUST enforce their use except under the conditions described in Section 7.5.1 (an OpenID Connect nonce, which this request does not carry).',
    spec: CODE_PROTECTION,
  },
  async (t) => {
    await grantWorks(t);
    const a = attempt(t, await (await flowOf(t)).noChallenge());
    if (codeOf(a) !== undefined) return t.fail(`an authorization request without code_challenge got a code: ${a.outcome.kind === 'redirected' ? a.outcome.location : ''}`, t.evidence());
  },
);

check(
  {
    id: 'auth-server/pkce-verifier-checked',
    title: 'a code redeemed with a code_verifier that does not match its code_challenge is refused',
    level: 'MUST',
    requirement:
      'MCP clients MUST implement PKCE according to OAuth 2.1 Section 7.5.2, ensuring that only the original requestor can exchange an authorization code for tokens. OAuth 2.1 §4.1.3: the authorization server MUST verify the code_verifier against the code_challenge of the authorization request.',
    spec: CODE_PROTECTION,
  },
  async (t) => {
    await clientUsable(t);
    const r = await (await flowOf(t)).wrongVerifier();
    if (!('attempt' in r)) return t.notVerified(`the authorization request was not made: ${r.stopped}`);
    attempt(t, r.attempt);
    if (!r.token) return t.notVerified(`no code to redeem: ${r.stopped ?? 'none'}`, t.evidence());
    const ev = show(t, [r.token]);
    if (r.token.error) return t.notVerified(r.token.error, ev);
    if (r.token.status === 200) return t.fail(`the token endpoint ${r.token.url} issued tokens for a code_verifier that does not match the code_challenge`, ev);
    if (!refusedTokenRequest(r.token)) return t.fail(`a wrong code_verifier was answered HTTP ${r.token.status}, not a 4xx error (invalid_grant)`, ev);
  },
);

check(
  {
    id: 'auth-server/redirect-uri-exact',
    title: 'an authorization request with a redirect URI that was never registered is not redirected there',
    level: 'MUST',
    requirement:
      'Authorization servers MUST validate exact redirect URIs against pre-registered values to prevent redirection attacks. Authorization servers MUST take precautions to prevent redirecting user agents to untrusted URIs (OAuth 2.1 Section 7.12.2). (2025-03-26: Servers MUST validate redirect URIs to prevent open redirect vulnerabilities.)',
    spec: { ...cite(PRM_ERA, authPage('open-redirection', 'basic/authorization/security-considerations#open-redirection')), '2025-03-26': 'basic/authorization#security-considerations' },
  },
  async (t) => {
    await grantWorks(t);
    const a = attempt(t, await (await flowOf(t)).badRedirect());
    if (a.outcome.kind === 'redirected') return t.fail(`the authorization endpoint redirected to the unregistered ${a.redirectUri}: ${a.outcome.location}`, t.evidence());
  },
);

check(
  {
    id: 'auth-server/code-single-use',
    title: 'an authorization code redeemed a second time is refused',
    level: 'MUST',
    requirement:
      'An attacker who has gained access to an authorization code contained in an authorization response can try to redeem the authorization code for an access token (OAuth 2.1 Section 7.5). OAuth 2.1 §4.1.3: authorization codes are single-use; if a code is used more than once, the authorization server MUST deny the request.',
    spec: CODE_PROTECTION,
  },
  async (t) => {
    await tokenResponse(t);
    const x = await (await flowOf(t)).reuse();
    if ('stopped' in x) return t.notVerified(x.stopped, t.evidence());
    const ev = show(t, [x]);
    if (x.error) return t.notVerified(x.error, ev);
    if (x.status === 200) return t.fail(`the token endpoint ${x.url} redeemed the same authorization code twice`, ev);
    if (!refusedTokenRequest(x)) return t.fail(`a reused code was answered HTTP ${x.status}, not a 4xx error (invalid_grant)`, ev);
  },
);

check(
  {
    id: 'auth-server/refresh-rotation',
    title: 'for a public client, a refresh gives a new refresh token and the used one is refused afterwards',
    level: 'MUST',
    requirement: 'For public clients, authorization servers MUST rotate refresh tokens as described in OAuth 2.1 Section 4.3.1 "Token Endpoint Extension".',
    spec: cite(PRM_ERA, authPage('token-theft', 'basic/authorization/security-considerations#token-theft')),
  },
  async (t) => {
    const x = await tokenResponse(t);
    const f = await flowOf(t);
    const client = (await f.registration()).client;
    if (client?.clientSecret) return t.notApplicable(`the client (${client.how === 'given' ? '--client-id' : client.how}) is confidential: rotation is required for public clients`);
    const r = await f.refresh();
    if ('stopped' in r) return r.notApplicable ? t.notApplicable(r.stopped) : t.notVerified(r.stopped, t.evidence());
    const ev = show(t, [r.first, ...(r.again ? [r.again] : [])]);
    const old = isObject(x.json) ? x.json.refresh_token : undefined;
    if (r.first.status !== 200) return t.notVerified(`the refresh was refused (HTTP ${r.first.status}${oauthError(r.first) ? ` error=${oauthError(r.first)}` : ''}): rotation cannot be seen`, ev);
    const next = isObject(r.first.json) ? r.first.json.refresh_token : undefined;
    if (typeof next !== 'string' || next === old) return t.fail(`the refresh response ${next === old ? 'returned the same refresh token' : 'has no new refresh_token'}: refresh tokens of a public client are not rotated`, ev);
    if (!r.again) return t.notVerified('the used refresh token could not be tried again', ev);
    if (r.again.status === 200) return t.fail('the refresh token already used was accepted again: the rotated-out token stays valid', ev);
  },
);

// ---- client ID metadata documents: what the authorization server does with a URL client_id ----

const CIMD_SPEC = cite(MODERN, authPage('implementation-requirements', 'basic/authorization/client-registration#implementation-requirements'));
const CIMD_REQUIREMENT = 'MCP implementations supporting Client ID Metadata Documents MUST follow the requirements specified in OAuth Client ID Metadata Document. For Authorization Servers:';

/**
 * One client ID metadata document probe, shown. Not applicable when the metadata does not
 * advertise client ID metadata documents; not verified when the request could not be made.
 */
async function cimdProbe(t: T, kind: CimdProbeKind): Promise<CimdProbe> {
  const m = await metadata(t);
  if (m.doc.client_id_metadata_document_supported !== true) return t.notApplicable(`the metadata at ${m.url} does not advertise client_id_metadata_document_supported (see auth-server/cimd-advertised)`);
  const p = await (await flowOf(t)).cimdProbe(kind);
  if ('stopped' in p) return t.notVerified(`the authorization request was not made: ${p.stopped}`);
  t.note(`client ID metadata document ${p.clientId} (${kind}), fetched ${p.fetches} time(s): ${p.body}`);
  t.note(`authorization request: ${p.attempt.url}`);
  show(t, p.attempt.outcome.exchanges);
  if (p.attempt.outcome.kind === 'unreachable') return t.notVerified(p.attempt.outcome.error, t.evidence());
  return p;
}

/** Why a correct document got no code: an http loopback URL the server may refuse (as the spec lets it), never a violation. */
const refusedCorrect = (p: CimdProbe) =>
  `the authorization server ${p.fetches ? 'fetched' : 'did not fetch'} the suite's correct client ID metadata document at ${p.clientId} and gave no code (${describeOutcome(p.attempt.outcome, 'a code')}); ` +
  `${p.clientId.startsWith('http:') ? 'client_id URLs must use https, so it may refuse this http loopback URL (allowed): ' : ''}give --cimd-base-url, a public https URL forwarded to the loopback listener (--redirect-port), to serve the documents where it can fetch them`;

/**
 * A probe's refusal proves something only once a correct document, at a fresh URL, was fetched
 * and got a code: otherwise the check ends not verified (see auth-server/cimd-fetched).
 */
async function cimdWorks(t: T): Promise<void> {
  const p = await cimdProbe(t, 'valid');
  if (codeOf(p.attempt) === undefined) {
    const o = p.attempt.outcome;
    if (o.kind === 'page' && o.status >= 200 && o.status < 300) return t.notVerified(`${describeOutcome(o, 'a code')} for the suite's client ID metadata document at ${p.clientId}`, t.evidence());
    return t.notVerified(refusedCorrect(p), t.evidence());
  }
  if (!p.fetches) return t.notVerified(`the authorization server gave a code for the client_id ${p.clientId} without fetching its document (see auth-server/cimd-fetched): whether it validates documents cannot be seen`, t.evidence());
}

/** The check fails when the probe got a code (or was redirected to a URI the document does not list). */
async function cimdRefused(t: T, kind: CimdProbeKind, what: string): Promise<void> {
  const p = await cimdProbe(t, kind);
  const a = p.attempt;
  if (codeOf(a) !== undefined) return t.fail(`the authorization server issued a code for ${what} (client_id ${p.clientId}): ${a.outcome.kind === 'redirected' ? a.outcome.location : ''}`, t.evidence());
  if (kind === 'bad-redirect' && a.outcome.kind === 'redirected') return t.fail(`the authorization server redirected to ${a.redirectUri}, which the client ID metadata document at ${p.clientId} does not list: ${a.outcome.location}`, t.evidence());
}

check(
  {
    id: 'auth-server/cimd-fetched',
    title: 'an authorization request with a URL client_id makes the authorization server fetch that client ID metadata document',
    level: 'SHOULD',
    requirement: `${CIMD_REQUIREMENT} SHOULD fetch metadata documents when encountering URL-formatted client_ids.`,
    spec: CIMD_SPEC,
  },
  async (t) => {
    const p = await cimdProbe(t, 'valid');
    if (p.fetches) return;
    if (codeOf(p.attempt) !== undefined) return t.fail(`the authorization server issued a code for the client_id ${p.clientId} without fetching the client ID metadata document there`, t.evidence());
    return t.notVerified(refusedCorrect(p), t.evidence());
  },
);

check(
  {
    id: 'auth-server/cimd-client-id-match',
    title: "a client ID metadata document whose client_id is not its own URL is refused (no code)",
    level: 'MUST',
    requirement: `${CIMD_REQUIREMENT} MUST validate that the fetched document's client_id matches the URL exactly.`,
    spec: CIMD_SPEC,
  },
  async (t) => {
    await cimdWorks(t);
    await cimdRefused(t, 'client-id-mismatch', "a document whose client_id names another URL");
  },
);

check(
  {
    id: 'auth-server/cimd-redirect-uri',
    title: 'an authorization request with a redirect_uri its client ID metadata document does not list is refused, not redirected there',
    level: 'MUST',
    requirement: `${CIMD_REQUIREMENT} MUST validate redirect URIs presented in an authorization request against those in the metadata document.`,
    spec: CIMD_SPEC,
  },
  async (t) => {
    await cimdWorks(t);
    await cimdRefused(t, 'bad-redirect', 'a redirect_uri the client ID metadata document does not list');
  },
);

check(
  {
    id: 'auth-server/cimd-invalid-document',
    title: 'a client ID metadata document that is not valid JSON, or lacks redirect_uris, is refused (no code)',
    level: 'MUST',
    requirement: `${CIMD_REQUIREMENT} MUST validate the document structure is valid JSON and contains required fields. (Clients: the metadata document MUST include at least client_id, client_name, redirect_uris.)`,
    spec: CIMD_SPEC,
  },
  async (t) => {
    await cimdWorks(t);
    await cimdRefused(t, 'not-json', 'a client ID metadata document that is not valid JSON');
    await cimdRefused(t, 'no-redirect-uris', 'a client ID metadata document without redirect_uris');
  },
);
