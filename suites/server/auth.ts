// basic/authorization, the server side: a protected MCP server (Streamable HTTP) challenges a
// request without a token with 401 and a Bearer challenge pointing at its Protected Resource
// Metadata (RFC 9728), serves that document, lists authorization servers whose metadata resolves,
// refuses every token that is missing, malformed, expired, wrongly signed, from another issuer or
// for another resource with 401, asks for missing scope with 403 insufficient_scope, and returns
// nothing before authorization. A server that answers without a token does not require
// authorization: every check here is then not-applicable. The token checks need tokens the suite
// mints itself (`--auth mock`: the server under test trusts the suite's authorization server).
import { AUTHORIZATION_REVISIONS, isStateless, PRM_REVISIONS, revisionsFrom, type Revision } from '../../schema/index.ts';
import { DEFAULT_CLIENT_INFO, type RawResponse } from '../../mock-server/index.ts';
import { checksWith, type CheckContext, type MockTokens } from '../harness/index.ts';
import { authPage, cite, describeFetch, judgePrm, locatePrm as locate, noneAnswered, parseChallenge, resolveIssuer, scopedToken, type Challenge, type FetchedJson, type LocatedPrm, messagesOf, rpcRequest, type HttpProbe } from '../kit/index.ts';

/** Every check of this file is about Streamable HTTP: not applicable on any other target. */
const check = checksWith({ transports: ['http'] });

type T = CheckContext;

const PRM_REVS = PRM_REVISIONS;
const ALL_REVS = AUTHORIZATION_REVISIONS;

const ok = (r: RawResponse) => r.status >= 200 && r.status < 300;

/** Has an HTTP answer delivered any JSON-RPC result (data) at all? */
const carriesResult = (r: RawResponse) => messagesOf(r).some((m) => Object.hasOwn(m, 'result'));

/**
 * The first request a client sends (initialize; server/discover from 2026-07-28 on), with
 * `authorization` as the Authorization header (null: none, whatever the run configured).
 */
async function firstRequest(t: T, h: HttpProbe, authorization: string | null): Promise<RawResponse> {
  const headers = { authorization };
  if (isStateless(t.revision)) return h.request('server/discover', {}, { headers });
  const r = await h.post(rpcRequest('initialize', { protocolVersion: t.revision, capabilities: {}, clientInfo: DEFAULT_CLIENT_INFO }, h.id()), { headers });
  // A session it opened (with a token, or by a server that wants none) is ended at once, politely.
  const sid = r.headers['mcp-session-id'];
  if (ok(r) && sid !== undefined) await h.send({ method: 'DELETE', headers: { 'mcp-session-id': sid, authorization } });
  return r;
}

interface Gate {
  h: HttpProbe;
  /** The answer to the first request without a token. */
  r: RawResponse;
  challenge?: Challenge;
}

/** A request without a token: not-applicable when the server answers it (it does not require authorization). */
async function protectedServer(t: T): Promise<Gate> {
  const h = await t.httpProbe();
  const r = await firstRequest(t, h, null);
  if (r.status === 0) return t.notVerified(`cannot reach ${h.url.href}: ${r.error ?? 'no HTTP response'}`);
  if (ok(r)) return t.notApplicable(`the server does not require authorization: a request without a token was answered HTTP ${r.status}`);
  const www = r.headers['www-authenticate'];
  if (r.status !== 401 && r.status !== 403 && www === undefined) {
    return t.notVerified(`a request without a token was answered HTTP ${r.status} without WWW-Authenticate: cannot tell whether the server requires authorization`);
  }
  const challenge = parseChallenge(www);
  return challenge ? { h, r, challenge } : { h, r };
}

/** The 401 without a token; checks that read the challenge cannot go on without one. */
async function unauthorized(t: T): Promise<Gate> {
  const g = await protectedServer(t);
  if (g.r.status !== 401) return t.notVerified(`a request without a token was answered HTTP ${g.r.status}, not 401: no challenge to read (see auth/missing-token)`);
  return g;
}

/** The Protected Resource Metadata, found as a client finds it (the harness's discovery, shared with the host rules). */
function locatePrm(t: T, g: Gate): Promise<{ prm?: LocatedPrm; tried: FetchedJson[] }> {
  return locate(g.h.url.href, g.challenge, t.requestTimeoutMs, t.wire);
}

function authDefaults(t: T): { authorization?: string; mock?: NonNullable<T['config']['auth']>['mock'] } {
  return t.config.auth ?? {};
}

/** The protected server and the tokens the suite mints itself (--auth mock); ends the check without them. */
async function withMockTokens(t: T): Promise<{ h: Gate['h']; mock: NonNullable<ReturnType<typeof authDefaults>['mock']> }> {
  const { h } = await protectedServer(t);
  const { mock } = authDefaults(t);
  if (!mock) return t.notVerified('needs tokens the suite mints itself: run with --auth mock (and let the server trust the issuer it prints)');
  return { h, mock };
}

check(
  {
    id: 'auth/missing-token',
    title: 'a request without an access token is answered 401 Unauthorized',
    level: 'MUST',
    requirement: 'Servers MUST return appropriate HTTP status codes for authorization errors: 401 Unauthorized — Authorization required or token invalid.',
    spec: cite(ALL_REVS, authPage('error-handling')),
  },
  async (t) => {
    const { r } = await protectedServer(t);
    if (r.status !== 401) return t.fail(`a request without a token was answered HTTP ${r.status}, not 401 Unauthorized`, t.evidence());
  },
);

check(
  {
    id: 'auth/challenge',
    title: 'the 401 carries a WWW-Authenticate Bearer challenge with resource_metadata (or, from 2025-11-25, the metadata is at a well-known URL)',
    level: 'MUST',
    requirement:
      'MCP servers MUST use the HTTP header WWW-Authenticate when returning a 401 Unauthorized to indicate the location of the resource server metadata URL (2025-06-18); MCP servers MUST implement one of the following discovery mechanisms: the resource metadata URL in WWW-Authenticate under resource_metadata, or metadata at a well-known URI (2025-11-25 on).',
    spec: {
      '2025-06-18': 'basic/authorization#authorization-server-location',
      '2025-11-25': 'basic/authorization#protected-resource-metadata-discovery-requirements',
      '2026-07-28': 'basic/authorization/authorization-server-discovery#protected-resource-metadata-discovery-requirements',
    },
  },
  async (t) => {
    const g = await unauthorized(t);
    const www = g.r.headers['www-authenticate'];
    if (www === undefined) return t.fail('the 401 has no WWW-Authenticate header', t.evidence());
    if (!g.challenge) return t.fail(`WWW-Authenticate carries no Bearer challenge: ${JSON.stringify(www)}`, t.evidence());
    const rm = g.challenge.params.resource_metadata;
    if (rm !== undefined) {
      if (!URL.canParse(rm)) return t.fail(`resource_metadata is not an absolute URL: ${JSON.stringify(rm)}`, t.evidence());
      return;
    }
    if (t.revision === '2025-06-18') return t.fail(`the Bearer challenge has no resource_metadata parameter: ${JSON.stringify(www)}`, t.evidence());
    // 2025-11-25 on: a well-known URL is enough.
    const { prm, tried } = await locatePrm(t, g);
    if (!prm) return t.fail(`the Bearer challenge has no resource_metadata and no metadata is served at the well-known URLs (${tried.map(describeFetch).join('; ')})`, t.evidence());
    t.note(`no resource_metadata in the challenge; Protected Resource Metadata served at ${prm.url}`);
  },
);

check(
  {
    id: 'auth/challenge-scope',
    title: 'the 401 Bearer challenge names the scope the request needs',
    level: 'SHOULD',
    requirement: 'MCP servers SHOULD include a scope parameter in the WWW-Authenticate header as defined in RFC 6750 Section 3 to indicate the scopes required for accessing the resource.',
    spec: {
      '2025-11-25': 'basic/authorization#protected-resource-metadata-discovery-requirements',
      '2026-07-28': 'basic/authorization#scope-selection-strategy',
    },
  },
  async (t) => {
    const g = await unauthorized(t);
    if (!g.challenge) return t.notVerified('the 401 has no Bearer challenge (see auth/challenge)', t.evidence());
    if (!g.challenge.params.scope) return t.fail(`the Bearer challenge has no scope parameter: ${JSON.stringify(g.r.headers['www-authenticate'])}`, t.evidence());
  },
);

check(
  {
    id: 'auth/no-offline-access-scope',
    title: 'offline_access is not asked for in the challenge scope nor listed in the metadata\'s scopes_supported',
    level: 'SHOULD',
    requirement: 'MCP Servers (Protected Resources) SHOULD NOT include offline_access in WWW-Authenticate scope or Protected Resource Metadata scopes_supported, as refresh tokens are not a resource requirement.',
    spec: { '2026-07-28': 'basic/authorization#refresh-tokens' },
  },
  async (t) => {
    const g = await unauthorized(t);
    const challenged = (g.challenge?.params.scope ?? '').split(' ');
    if (challenged.includes('offline_access')) return t.fail(`the 401 Bearer challenge asks for offline_access: ${JSON.stringify(g.r.headers['www-authenticate'])}`, t.evidence());
    const { prm, tried } = await locatePrm(t, g);
    if (!prm) return t.notVerified(`no Protected Resource Metadata to read (${tried.map(describeFetch).join('; ')}; see auth/prm-document)`, t.evidence());
    const listed = prm.doc.scopes_supported;
    if (Array.isArray(listed) && listed.includes('offline_access')) return t.fail(`the Protected Resource Metadata at ${prm.url} lists offline_access in scopes_supported: ${JSON.stringify(listed)}`, t.evidence());
  },
);

check(
  {
    id: 'auth/prm-document',
    title: 'the Protected Resource Metadata document is JSON, names this server as its resource, and lists at least one authorization server',
    level: 'MUST',
    requirement:
      'MCP servers MUST implement the OAuth 2.0 Protected Resource Metadata (RFC9728) specification to indicate the locations of authorization servers. The Protected Resource Metadata document returned by the MCP server MUST include the authorization_servers field containing at least one authorization server.',
    spec: cite(PRM_REVS, authPage('authorization-server-location', 'basic/authorization/authorization-server-discovery#authorization-server-location')),
  },
  async (t) => {
    const g = await unauthorized(t);
    const { prm, tried } = await locatePrm(t, g);
    if (!prm) {
      // Nothing answered at all (unreachable, timed out, a redirect to another host): say so, no verdict on the document.
      if (noneAnswered(tried)) return t.notVerified(`cannot fetch the Protected Resource Metadata: ${tried.map(describeFetch).join('; ')}`, t.evidence());
      return t.fail(`no valid Protected Resource Metadata document: ${tried.map(describeFetch).join('; ')}`, t.evidence());
    }
    const judged = judgePrm(prm, g.h.url.href);
    if (judged.problem) return t.fail(judged.problem, t.evidence());
    if (judged.note) t.note(judged.note);
  },
);

check(
  {
    id: 'auth/authorization-servers-resolve',
    title: 'each authorization server the metadata lists serves authorization server metadata naming itself as issuer',
    level: 'MUST',
    requirement:
      'Authorization servers MUST provide OAuth 2.0 Authorization Server Metadata (RFC8414) (2025-06-18); MCP authorization servers MUST provide at least one of the following discovery mechanisms: OAuth 2.0 Authorization Server Metadata, OpenID Connect Discovery 1.0 (2025-11-25 on).',
    spec: cite(PRM_REVS, authPage('overview')),
  },
  async (t) => {
    const g = await unauthorized(t);
    const { prm, tried } = await locatePrm(t, g);
    if (!prm) return t.notVerified(`no Protected Resource Metadata to read the authorization servers from (see auth/prm-document): ${tried.map(describeFetch).join('; ')}`, t.evidence());
    const issuers = Array.isArray(prm.doc.authorization_servers) ? prm.doc.authorization_servers.filter((x): x is string => typeof x === 'string' && URL.canParse(x)) : [];
    if (!issuers.length) return t.notVerified(`the metadata at ${prm.url} lists no usable authorization server (see auth/prm-document)`, t.evidence());
    const unreachable: string[] = [];
    for (const issuer of issuers) {
      const md = await resolveIssuer(issuer, t.requestTimeoutMs, t.wire);
      if (md.ok) continue;
      if (md.unreachable) unreachable.push(md.why);
      else return t.fail(md.why, t.evidence());
    }
    if (unreachable.length) return t.notVerified(`cannot reach authorization server metadata: ${unreachable.join('; ')}`, t.evidence());
  },
);

check(
  {
    id: 'auth/malformed-token',
    title: 'a token that is no token of its authorization server is refused with 401',
    level: 'MUST',
    requirement: 'MCP servers MUST validate access tokens as described in OAuth 2.1 Section 5.2. Invalid or expired tokens MUST receive a HTTP 401 response.',
    spec: cite(ALL_REVS, authPage('token-handling')),
  },
  async (t) => {
    const { h } = await protectedServer(t);
    const r = await firstRequest(t, h, 'Bearer mcp-conform.not-a-valid-token');
    if (ok(r)) return t.fail(`a malformed token ("mcp-conform.not-a-valid-token") was accepted: HTTP ${r.status}`, t.evidence());
    if (r.status !== 401) return t.fail(`a malformed token was answered HTTP ${r.status}, not 401`, t.evidence());
  },
);

check(
  {
    id: 'auth/no-data-before-authorization',
    title: 'nothing is returned without a token: no session, no results, not even on a session opened with one',
    level: 'MUST',
    requirement:
      'MCP servers MUST validate access tokens before processing the request, ensuring the access token is issued specifically for the MCP server, and take all necessary steps to ensure no data is returned to unauthorized parties.',
    spec: cite(PRM_REVS, authPage('access-token-privilege-restriction', 'basic/authorization/security-considerations#access-token-privilege-restriction')),
  },
  async (t) => {
    const { h, r } = await protectedServer(t);
    if (r.headers['mcp-session-id'] !== undefined) return t.fail(`the answer to a request without a token opened a session (Mcp-Session-Id ${JSON.stringify(r.headers['mcp-session-id'])})`, t.evidence());
    if (carriesResult(r)) return t.fail('the answer to a request without a token carries a JSON-RPC result', t.evidence());
    const list = await h.request('tools/list', {}, { headers: { authorization: null } });
    if (ok(list) || carriesResult(list)) return t.fail(`tools/list without a token was answered HTTP ${list.status}${carriesResult(list) ? ' with a result' : ''}`, t.evidence());
    const { authorization } = authDefaults(t);
    if (authorization === undefined) {
      t.note('no token configured (--auth-token, --auth-header, --auth mock): requests on an authorized session were not tried');
      return;
    }
    // A session opened with a token, then used without one: authorization is checked on every request.
    if (isStateless(t.revision)) return;
    const s = await t.httpProbe();
    await s.initialize();
    if (s.sessionId === undefined) return;
    const onSession = await s.request('tools/list', {}, { headers: { authorization: null } });
    if (ok(onSession) || carriesResult(onSession)) return t.fail(`tools/list without a token on a session opened with one was answered HTTP ${onSession.status}${carriesResult(onSession) ? ' with a result' : ''}`, t.evidence());
    const get = await s.send({ method: 'GET', headers: { accept: 'text/event-stream', authorization: null }, timeoutMs: Math.min(1_000, t.requestTimeoutMs) });
    if (ok(get)) return t.fail(`a GET stream without a token on a session opened with one was answered HTTP ${get.status}`, t.evidence());
  },
);

check(
  {
    id: 'auth/valid-token-accepted',
    title: 'a valid access token from its authorization server is accepted',
    level: 'MUST',
    requirement: 'MCP servers, acting in their role as an OAuth 2.1 resource server, MUST validate access tokens as described in OAuth 2.1 Section 5.2 (a valid token passes that validation).',
    spec: cite(ALL_REVS, authPage('token-handling')),
  },
  async (t) => {
    const { h } = await protectedServer(t);
    const { authorization, mock } = authDefaults(t);
    const value = mock ? `Bearer ${mock.tokens.valid}` : authorization;
    if (value === undefined) return t.notVerified('no token to present: run with --auth-token, --auth-header or --auth mock');
    const r = await firstRequest(t, h, value);
    if (r.status === 0) return t.notVerified(`no answer with the token: ${r.error ?? 'no HTTP response'}`, t.evidence());
    if (!ok(r)) {
      const hint = mock ? ` (a token of the suite's authorization server: does the server trust issuer ${mock.issuer}, its JWKS ${mock.jwksUri}, and audience ${mock.audience}?)` : ' (the token given with --auth-token / --auth-header)';
      return t.fail(`a valid token was refused: HTTP ${r.status}${r.headers['www-authenticate'] ? ` WWW-Authenticate: ${r.headers['www-authenticate']}` : ''}${hint}`, t.evidence());
    }
  },
);

/** A token with one flaw must be refused with 401 — once the same token without the flaw is accepted. */
function flawedToken(id: string, title: string, pick: keyof MockTokens, what: string, requirement: string, spec: Partial<Record<Revision, string>>): void {
  check({ id, title, level: 'MUST', requirement, spec }, async (t) => {
    const { h, mock } = await withMockTokens(t);
    const good = await firstRequest(t, h, `Bearer ${mock.tokens.valid}`);
    if (!ok(good)) return t.notVerified(`the suite's valid token is refused too (HTTP ${good.status}), so a refusal of ${what} proves nothing (see auth/valid-token-accepted)`, t.evidence());
    const r = await firstRequest(t, h, `Bearer ${mock.tokens[pick] as string}`);
    if (ok(r)) return t.fail(`${what} was accepted: HTTP ${r.status}`, t.evidence());
    if (r.status !== 401) return t.fail(`${what} was answered HTTP ${r.status}, not 401`, t.evidence());
  });
}

const TOKEN_HANDLING = 'MCP servers MUST validate access tokens as described in OAuth 2.1 Section 5.2. Invalid or expired tokens MUST receive a HTTP 401 response.';
flawedToken('auth/expired-token', 'an expired token is refused with 401', 'expired', 'a token that expired an hour ago', TOKEN_HANDLING, cite(ALL_REVS, authPage('token-handling')));
flawedToken('auth/wrong-signature', 'a token signed by a key its authorization server does not publish is refused with 401', 'wrongSignature', 'a token signed by a key the authorization server does not publish', TOKEN_HANDLING, cite(ALL_REVS, authPage('token-handling')));
flawedToken('auth/wrong-issuer', 'a token from another issuer is refused with 401', 'wrongIssuer', 'a token whose iss is another issuer', TOKEN_HANDLING, cite(ALL_REVS, authPage('token-handling')));
flawedToken(
  'auth/wrong-audience',
  'a token issued for another resource (audience) is refused with 401',
  'wrongAudience',
  'a token whose audience is another resource',
  'MCP servers MUST validate that access tokens were issued specifically for them as the intended audience, according to RFC 8707 Section 2. Invalid or expired tokens MUST receive a HTTP 401 response.',
  cite(PRM_REVS, authPage('token-handling')),
);

/** RFC 6750 §3: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ) (the value, once unquoted). */
const ERROR_DESCRIPTION = /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/;

/** 403 insufficient_scope with a Bearer challenge naming scopes: its scope set, else undefined. */
function scopeChallenge(r: RawResponse): Set<string> | undefined {
  if (r.status !== 403) return undefined;
  const c = parseChallenge(r.headers['www-authenticate']);
  if (c?.params.error !== 'insufficient_scope' || !c.params.scope) return undefined;
  return new Set(c.params.scope.split(' ').filter(Boolean));
}

check(
  {
    id: 'auth/insufficient-scope',
    title: 'a token without the scope the challenge asked for gets 403 with error="insufficient_scope" and the scope needed',
    level: 'SHOULD',
    requirement:
      'When a client makes a request with an access token with insufficient scope during runtime operations, the server SHOULD respond with: HTTP 403 Forbidden status code; WWW-Authenticate header with the Bearer scheme and error="insufficient_scope", scope="required_scope1 required_scope2", resource_metadata, error_description (optional) - human-readable description of the error (when present, an RFC 6750 §3 value). Servers SHOULD include the scopes needed to satisfy the current request in the scope parameter.',
    spec: cite(revisionsFrom('2025-11-25'), authPage('runtime-insufficient-scope-errors')),
  },
  async (t) => {
    const { h, mock } = await withMockTokens(t);
    if (!mock.tokens.insufficientScope || !mock.scope) return t.notApplicable("the server's 401 challenge names no scope: there is no scope to leave out of a token");
    const good = await firstRequest(t, h, `Bearer ${mock.tokens.valid}`);
    if (!ok(good)) return t.notVerified(`the suite's valid token (scope "${mock.scope}") is refused too (HTTP ${good.status}): see auth/valid-token-accepted`, t.evidence());
    const r = await firstRequest(t, h, `Bearer ${mock.tokens.insufficientScope}`);
    const what = `a token without the scope "${mock.scope}" that the challenge asked for`;
    if (ok(r)) return t.fail(`${what} was accepted (HTTP ${r.status}), though the challenge named that scope as needed`, t.evidence());
    if (r.status !== 403) return t.fail(`${what} was answered HTTP ${r.status}, not 403 Forbidden`, t.evidence());
    const c = parseChallenge(r.headers['www-authenticate']);
    if (!c) return t.fail(`the 403 has no WWW-Authenticate Bearer challenge${r.headers['www-authenticate'] ? `: ${JSON.stringify(r.headers['www-authenticate'])}` : ''}`, t.evidence());
    if (c.params.error !== 'insufficient_scope') return t.fail(`the 403 challenge has error=${JSON.stringify(c.params.error)}, not "insufficient_scope"`, t.evidence());
    if (!c.params.scope) return t.fail('the 403 insufficient_scope challenge has no scope parameter naming the scopes needed', t.evidence());
    const named = new Set(c.params.scope.split(' '));
    const left = mock.scope.split(' ').filter((x) => x && !named.has(x));
    if (left.length) return t.fail(`the 403 challenge's scope "${c.params.scope}" leaves out ${left.join(' ')}, which the request needs (the 401 challenge asked for "${mock.scope}")`, t.evidence());
    if (!c.params.resource_metadata) return t.fail('the 403 insufficient_scope challenge has no resource_metadata (for consistency with 401 responses)', t.evidence());
    // error_description is optional: absent, nothing to judge; present, RFC 6750 §3 limits its characters.
    const d = c.params.error_description;
    if (d !== undefined && !ERROR_DESCRIPTION.test(d)) return t.fail(`the 403 challenge's error_description ${JSON.stringify(d)} has characters RFC 6750 §3 does not allow (only %x20-21 / %x23-5B / %x5D-7E: no '"', no '\\', printable ASCII)`, t.evidence());
  },
);

check(
  {
    id: 'auth/insufficient-scope-single-challenge',
    title: 'a token with every scope the 403 named is not challenged again for the same request: all its scopes come in one challenge',
    level: 'SHOULD',
    requirement: 'Whatever scope-inclusion strategy a server adopts, servers SHOULD include all scopes required for the current operation in a single challenge.',
    spec: { '2026-07-28': 'basic/authorization#runtime-insufficient-scope-errors' },
  },
  async (t) => {
    const { h, mock } = await withMockTokens(t);
    if (!mock.tokens.insufficientScope || !mock.scope) return t.notApplicable("the server's 401 challenge names no scope: there is no scope to leave out of a token");
    // Only the authorization gate matters here: a valid token answered e.g. 400 (a revision the server does not speak) still got past it.
    const good = await firstRequest(t, h, `Bearer ${mock.tokens.valid}`);
    if (good.status === 0 || good.status === 401 || good.status === 403) return t.notVerified(`the suite's valid token is refused (HTTP ${good.status}): see auth/valid-token-accepted`, t.evidence());
    // The first token has no scope at all, so the token for the retry holds exactly what the 403 named.
    const first = await firstRequest(t, h, `Bearer ${mock.tokens.insufficientScope}`);
    const named = scopeChallenge(first);
    if (!named) return t.notVerified(`a token without scope was answered HTTP ${first.status}, not 403 insufficient_scope naming scopes: no challenge to follow (see auth/insufficient-scope)`, t.evidence());
    const asked = [...named].join(' ');
    const minted = await scopedToken(mock.tokens, mock.audience, asked, t.requestTimeoutMs);
    if ('error' in minted) return t.notVerified(`no token with scope "${asked}": ${minted.error}`);
    const retry = await firstRequest(t, h, `Bearer ${minted.token}`);
    if (retry.status === 0) return t.notVerified(`no answer to the retry with scope "${asked}": ${retry.error ?? 'no HTTP response'}`, t.evidence());
    const again = scopeChallenge(retry);
    if (again) {
      const more = [...again].filter((x) => !named.has(x));
      if (more.length) return t.fail(`the same request was challenged twice: the 403 named "${asked}", and with a token holding exactly that, a second 403 insufficient_scope names ${more.join(' ')} as well`, t.evidence());
      return t.notVerified(`a token holding "${asked}" is still answered 403 insufficient_scope naming no other scope ("${[...again].join(' ')}"): the server may not take the suite's client-credentials token as it takes the others`, t.evidence());
    }
    if (retry.status === 401 || retry.status === 403) return t.notVerified(`the retry with a token holding "${asked}" (client credentials) was answered HTTP ${retry.status}, not a scope challenge: cannot tell`, t.evidence());
    // Anything else (accepted, or a protocol-level answer behind the gate): the one challenge named enough.
    if (!ok(retry)) t.note(`the retry with scope "${asked}" passed the scope gate and was answered HTTP ${retry.status}`);
  },
);
