// The mock authorization server and protected-resource mode, request by request: discovery
// documents and their well-known URL variants, the 401/403 challenges, PKCE, DCR, client
// authentication, refresh, client credentials, CIMD, faults, and the resource server refusing
// each deliberately bad token.
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { referenceServer, serveAuthorizationServer, serveHttp, serveProtectedMock, TOKEN_FLAWS, type ProtectedMockOptions, type ResourceLeniency, type ServedProtectedMock, type TokenFlaw } from '../../mock-server/index.ts';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const REDIRECT = 'http://127.0.0.1:9/cb';
// Bounded, and generous: the first MCP request of a worker compiles the schema validators, slow on a loaded machine.
const T = () => ({ signal: AbortSignal.timeout(20_000) });

async function serve(o: ProtectedMockOptions = {}): Promise<ServedProtectedMock> {
  const s = await serveProtectedMock(referenceServer(), o);
  cleanup.push(() => s.close());
  return s;
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

const get = (url: string, init: RequestInit = {}) => fetch(url, { redirect: 'manual', ...T(), ...init });
const form = (url: string, body: Record<string, string | string[]>, headers: Record<string, string> = {}) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return fetch(url, { method: 'POST', body: p, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, ...T() });
};
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}` });

/** The authorization request; returns the redirect's query parameters. */
async function authorize(s: ServedProtectedMock, q: Record<string, string>): Promise<URLSearchParams> {
  const u = new URL(s.as.endpoints.authorization);
  for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
  const r = await get(u.href);
  expect(r.status).toBe(302);
  return new URL(r.headers.get('location')!).searchParams;
}

const PUBLIC = { client_id: 'pub', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' as const };

/** Code flow for the public client: returns the token response. */
async function codeFlow(s: ServedProtectedMock, extra: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const { verifier, challenge } = pkce();
  const back = await authorize(s, { response_type: 'code', client_id: 'pub', redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', resource: s.url, state: 'st', ...extra });
  const r = await form(s.as.endpoints.token, { grant_type: 'authorization_code', code: back.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT, client_id: 'pub', resource: s.url });
  expect(r.status).toBe(200);
  return (await r.json()) as Record<string, unknown>;
}

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
const mcpPost = (s: ServedProtectedMock, token?: string, body = INIT) =>
  fetch(s.url, { method: 'POST', body, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...T() });

describe('authorization server metadata', () => {
  it('serves RFC 8414 and OIDC discovery at the root well-known URLs for an issuer without a path', async () => {
    const s = await serve();
    const origin = new URL(s.issuer).origin;
    expect(s.issuer).toBe(origin);
    for (const p of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const r = await get(`${origin}${p}`);
      expect(r.status).toBe(200);
      const m = (await r.json()) as Record<string, unknown>;
      expect(m).toMatchObject({ issuer: s.issuer, code_challenge_methods_supported: ['S256'], authorization_response_iss_parameter_supported: true, client_id_metadata_document_supported: true, registration_endpoint: `${s.issuer}/register` });
      expect(m).not.toHaveProperty('scopes_supported');
    }
    const jwks = (await (await get(`${s.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys).toHaveLength(1);
  });

  it('inserts the issuer path into the well-known URLs, and appends it for OIDC', async () => {
    const s = await serve({ authorizationServer: { issuerPath: '/tenant1' } });
    const origin = new URL(s.issuer).origin;
    expect(s.issuer).toBe(`${origin}/tenant1`);
    expect(s.as.metadataUrls()).toEqual({
      oauth: `${origin}/.well-known/oauth-authorization-server/tenant1`,
      oidc: `${origin}/.well-known/openid-configuration/tenant1`,
      'oidc-append': `${origin}/tenant1/.well-known/openid-configuration`,
    });
    for (const u of Object.values(s.as.metadataUrls())) expect((await get(u)).status).toBe(200);
    expect((await get(`${origin}/.well-known/oauth-authorization-server`)).status).toBe(404);
    expect(s.log.of('as-metadata', 'oidc-metadata').map((r) => r.variant)).toEqual(['oauth', 'oidc', 'oidc-append']);
  });

  it('serves only the variants asked for, and drops fields on request', async () => {
    const s = await serve({ authorizationServer: { issuerPath: '/t', metadata: ['oidc-append'], codeChallengeMethods: null, registration: false, issParameter: false, scopesSupported: ['a', 'b'] } });
    const origin = new URL(s.issuer).origin;
    expect((await get(`${origin}/.well-known/oauth-authorization-server/t`)).status).toBe(404);
    const m = (await (await get(`${origin}/t/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(m).not.toHaveProperty('code_challenge_methods_supported');
    expect(m).not.toHaveProperty('registration_endpoint');
    expect(m).not.toHaveProperty('authorization_response_iss_parameter_supported');
    expect(m.scopes_supported).toEqual(['a', 'b']);
    expect((await fetch(`${s.issuer}/register`, { method: 'POST', body: '{}', ...T() })).status).toBe(404);
  });

  it('names another issuer under the metadata-issuer-mismatch fault', async () => {
    const s = await serve({ authorizationServer: { faults: [{ kind: 'metadata-issuer-mismatch' }] } });
    const m = (await (await get(`${s.issuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(m.issuer).toBe('https://honest.example');
  });
});

describe('protected resource', () => {
  it('answers an unauthenticated request with 401 and a Bearer challenge naming the PRM', async () => {
    const s = await serve({ resource: { requiredScopes: ['mcp:read'] } });
    const r = await mcpPost(s);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe(`Bearer scope="mcp:read", resource_metadata="${new URL(s.url).origin}/.well-known/oauth-protected-resource/mcp"`);
  });

  it('serves the PRM at the path-inserted and root well-known URLs', async () => {
    const s = await serve({ resource: { scopesSupported: ['mcp:read'] } });
    const origin = new URL(s.url).origin;
    for (const p of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const doc = (await (await get(`${origin}${p}`)).json()) as Record<string, unknown>;
      expect(doc).toEqual({ resource: s.url, authorization_servers: [s.issuer], bearer_methods_supported: ['header'], scopes_supported: ['mcp:read'] });
    }
    expect(s.log.of('prm').map((r) => r.variant)).toEqual(['path', 'root']);
  });

  it('serves only the PRM locations asked for, and the challenge can point at the root or nowhere', async () => {
    const s = await serve({ resource: { prm: ['root'], challengeMetadata: 'root' } });
    const origin = new URL(s.url).origin;
    expect((await get(`${origin}/.well-known/oauth-protected-resource/mcp`)).status).toBe(404);
    expect((await mcpPost(s)).headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource"`);
    const bare = await serve({ resource: { challengeMetadata: false } });
    expect((await mcpPost(bare)).headers.get('www-authenticate')).toBe('Bearer');
  });

  it('lets a good token through (initialize answered)', async () => {
    const s = await serve();
    const r = await mcpPost(s, await s.as.mintToken({ audience: s.url }));
    expect(r.status).toBe(200);
    // A token in the query string is not a token (basic/authorization "Token Requirements"); the log says so.
    const q = await fetch(`${s.url}?access_token=${await s.as.mintToken({ audience: s.url })}`, { method: 'POST', body: INIT, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, ...T() });
    expect(q.status).toBe(401);
    expect(s.log.of('mcp').at(-1)!.reason).toMatch(/query string/);
    expect(((await r.json()) as { result: { serverInfo: { name: string } } }).result.serverInfo.name).toBe('mcp-conform-reference');
  });

  for (const flaw of TOKEN_FLAWS.filter((f) => f !== 'no-scope')) {
    it(`refuses a token with flaw ${flaw}: 401 invalid_token`, async () => {
      const s = await serve();
      const r = await mcpPost(s, await s.as.mintToken({ audience: s.url, flaw }));
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="[^"]*", resource_metadata="/);
      expect(s.log.of('mcp').at(-1)!.reason).toMatch(/^invalid token/);
    });
  }

  // Fixture peers for the server-side auth checks: each skips exactly one check.
  const LENIENT: [ResourceLeniency, (TokenFlaw | 'none')[], TokenFlaw][] = [
    ['signature', ['wrong-key', 'unsigned'], 'expired'],
    ['audience', ['wrong-audience', 'no-audience'], 'expired'],
    ['issuer', ['wrong-issuer'], 'wrong-audience'],
    ['expiry', ['expired', 'not-yet-valid'], 'wrong-audience'],
    ['scope', ['no-scope'], 'expired'],
    ['missing-token', ['none'], 'expired'],
  ];
  for (const [leniency, accepted, stillRefused] of LENIENT) {
    it(`lenient: ${leniency} lets ${accepted.join(', ')} through and still refuses ${stillRefused}`, async () => {
      const s = await serve({ resource: { lenient: [leniency], requiredScopes: ['mcp:read'] } });
      for (const flaw of accepted) {
        const token = flaw === 'none' ? undefined : await s.as.mintToken({ audience: s.url, scope: 'mcp:read', flaw });
        expect((await mcpPost(s, token)).status, flaw).toBe(200);
      }
      expect((await mcpPost(s, await s.as.mintToken({ audience: s.url, scope: 'mcp:read', flaw: stillRefused }))).status).toBe(401);
    });
  }

  it('omitChallenge: 401 without WWW-Authenticate', async () => {
    const s = await serve({ resource: { omitChallenge: true } });
    const r = await mcpPost(s);
    expect(r.status).toBe(401);
    expect(r.headers.has('www-authenticate')).toBe(false);
  });

  it('refuses a token without the required scope: 403 insufficient_scope', async () => {
    const s = await serve({ resource: { requiredScopes: ['mcp:read'] } });
    const r = await mcpPost(s, await s.as.mintToken({ audience: s.url, scope: 'mcp:read', flaw: 'no-scope' }));
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope", scope="mcp:read", resource_metadata="[^"]+", error_description=/);
    expect((await mcpPost(s, await s.as.mintToken({ audience: s.url, scope: 'mcp:read' }))).status).toBe(200);
  });

  it('asks for step-up on a tool that needs more scope, keeping the granted ones', async () => {
    const s = await serve({ resource: { toolScopes: { add: ['mcp:write'] } } });
    const call = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });
    const r = await mcpPost(s, await s.as.mintToken({ audience: s.url, scope: 'mcp:read' }), call);
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toContain('error="insufficient_scope", scope="mcp:read mcp:write"');
  });

  it('stepUpScope missing: the step-up challenge names only the scopes the token lacks', async () => {
    const s = await serve({ resource: { toolScopes: { add: ['mcp:write'] }, stepUpScope: 'missing' } });
    const call = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });
    const r = await mcpPost(s, await s.as.mintToken({ audience: s.url, scope: 'mcp:read' }), call);
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toContain('error="insufficient_scope", scope="mcp:write"');
  });

  it('stepUpScope incremental (a fault): one missing scope per challenge, the next one on the retry', async () => {
    const s = await serve({ resource: { requiredScopes: ['mcp:read', 'mcp:write'], stepUpScope: 'incremental' } });
    const first = await mcpPost(s, await s.as.mintToken({ audience: s.url }));
    expect(first.headers.get('www-authenticate')).toContain('error="insufficient_scope", scope="mcp:read"');
    const retry = await mcpPost(s, await s.as.mintToken({ audience: s.url, scope: 'mcp:read' }));
    expect(retry.status).toBe(403);
    expect(retry.headers.get('www-authenticate')).toContain('error="insufficient_scope", scope="mcp:read mcp:write"');
  });

  it('reads its options live: a scope or an AS changed mid-run applies to the next request', async () => {
    const s = await serve();
    const token = await s.as.mintToken({ audience: s.url, scope: 'mcp:read' });
    expect((await mcpPost(s, token)).status).toBe(200);
    s.handler.options.requiredScopes = ['mcp:admin'];
    expect((await mcpPost(s, token)).status).toBe(403);
    // Another AS: the PRM names it, and tokens of the old one no longer pass (issuer).
    s.handler.options.authorizationServers = ['https://other-as.example'];
    expect((await mcpPost(s, token)).status).toBe(401);
    const prm = (await (await get(`${new URL(s.url).origin}/.well-known/oauth-protected-resource`)).json()) as Record<string, unknown>;
    expect(prm.authorization_servers).toEqual(['https://other-as.example']);
  });

  it('2025-03-26 mode: no PRM, a bare Bearer challenge, the AS on the same origin', async () => {
    const s = await serve({ sameOrigin: true, authorizationServer: { metadata: [] } });
    expect((await mcpPost(s)).headers.get('www-authenticate')).toBe('Bearer');
    const origin = new URL(s.url).origin;
    expect((await get(`${origin}/.well-known/oauth-protected-resource`)).status).toBe(404);
    expect((await get(`${origin}/.well-known/oauth-authorization-server`)).status).toBe(404);
    // The default endpoints answer at the origin.
    expect(s.as.endpoints).toMatchObject({ authorization: `${origin}/authorize`, token: `${origin}/token`, registration: `${origin}/register` });
    s.as.addClient(PUBLIC);
    const tok = await codeFlow(s);
    expect((await mcpPost(s, tok.access_token as string)).status).toBe(200);
  });
});

describe('authorization code and PKCE', () => {
  it('issues a code with state and iss echoed, and tokens for the verifier', async () => {
    const s = await serve({ authorizationServer: { clients: [PUBLIC] } });
    const tok = await codeFlow(s, { scope: 'mcp:read' });
    expect(tok).toMatchObject({ token_type: 'Bearer', scope: 'mcp:read', expires_in: 3600 });
    expect(tok.refresh_token).toBeTruthy();
    expect((await mcpPost(s, tok.access_token as string)).status).toBe(200);
    const back = new URL(s.log.of('authorize')[0]!.responseHeaders.location!).searchParams;
    expect(back.get('state')).toBe('st');
    expect(back.get('iss')).toBe(s.issuer);
  });

  it('refuses a request without a code_challenge or with a method other than S256', async () => {
    const s = await serve({ authorizationServer: { clients: [PUBLIC] } });
    const base = { response_type: 'code', client_id: 'pub', redirect_uri: REDIRECT, state: 'x' };
    const none = await authorize(s, base);
    expect(none.get('error')).toBe('invalid_request');
    expect(none.get('state')).toBe('x');
    expect(none.get('code')).toBeNull();
    const { verifier } = pkce();
    const plain = await authorize(s, { ...base, code_challenge: verifier, code_challenge_method: 'plain' });
    expect(plain.get('error')).toBe('invalid_request');
    const missingMethod = await authorize(s, { ...base, code_challenge: pkce().challenge });
    expect(missingMethod.get('error')).toBe('invalid_request');
    expect(s.log.of('authorize').map((r) => r.error)).toEqual(['invalid_request', 'invalid_request', 'invalid_request']);
  });

  it('refuses a wrong or missing code_verifier, and a code used twice', async () => {
    const s = await serve({ authorizationServer: { clients: [PUBLIC] } });
    const { verifier, challenge } = pkce();
    const q = { response_type: 'code', client_id: 'pub', redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256' };
    const tokenFor = async (code: string, v?: string) => form(s.as.endpoints.token, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'pub', ...(v ? { code_verifier: v } : {}) });
    const c1 = (await authorize(s, q)).get('code')!;
    const wrong = await tokenFor(c1, pkce().verifier);
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    const c2 = (await authorize(s, q)).get('code')!;
    expect(((await (await tokenFor(c2)).json()) as { error: string }).error).toBe('invalid_grant');
    const c3 = (await authorize(s, q)).get('code')!;
    expect((await tokenFor(c3, verifier)).status).toBe(200);
    expect((await tokenFor(c3, verifier)).status).toBe(400);
  });

  it('with enforcePkce off, accepts plain (and the log shows it) for clients that must be judged, not stopped', async () => {
    const s = await serve({ authorizationServer: { clients: [PUBLIC], enforcePkce: false, codeChallengeMethods: ['S256', 'plain'] } });
    const { verifier } = pkce();
    const back = await authorize(s, { response_type: 'code', client_id: 'pub', redirect_uri: REDIRECT, code_challenge: verifier, code_challenge_method: 'plain' });
    const r = await form(s.as.endpoints.token, { grant_type: 'authorization_code', code: back.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT, client_id: 'pub' });
    expect(r.status).toBe(200);
    expect(s.log.of('authorize')[0]!.params.code_challenge_method).toBe('plain');
  });

  it('refuses an unregistered redirect_uri or an unknown client without redirecting', async () => {
    const s = await serve({ authorizationServer: { clients: [PUBLIC] } });
    const u = new URL(s.as.endpoints.authorization);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: 'pub', redirect_uri: 'http://127.0.0.1:9/other', code_challenge: pkce().challenge, code_challenge_method: 'S256' })) u.searchParams.set(k, v);
    const r = await get(u.href);
    expect(r.status).toBe(400);
    expect(r.headers.get('location')).toBeNull();
    u.searchParams.set('client_id', 'nobody');
    const unknown = await get(u.href);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('faults: wrong iss, dropped or tampered state, requireResource, forced error', async () => {
    const s = await serve({ authorizationServer: { clients: [PUBLIC], requireResource: true, faults: [{ kind: 'wrong-iss', nth: 1 }, { kind: 'drop-state', nth: 2 }, { kind: 'wrong-state', nth: 3 }, { kind: 'error', endpoint: 'authorize', error: 'access_denied', nth: 4 }] } });
    const q = { response_type: 'code', client_id: 'pub', redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256', state: 's', resource: s.url };
    expect((await authorize(s, q)).get('iss')).toBe('https://attacker.example');
    expect((await authorize(s, q)).get('state')).toBeNull();
    expect((await authorize(s, q)).get('state')).toBe('s-tampered');
    expect((await authorize(s, q)).get('error')).toBe('access_denied');
    const { resource: _, ...noResource } = q;
    expect((await authorize(s, noResource)).get('error')).toBe('invalid_target');
    const plain = await authorize(s, q);
    expect(plain.get('iss')).toBe(s.issuer);
    expect(plain.get('code')).toBeTruthy();
  });

  it('can send iss without advertising it, or advertise it without sending it (the 2026-07-28 validation table)', async () => {
    const q = { response_type: 'code', client_id: 'pub', redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256' };
    const quiet = await serve({ authorizationServer: { clients: [PUBLIC], advertiseIss: false } });
    expect(quiet.as.metadata()).not.toHaveProperty('authorization_response_iss_parameter_supported');
    expect((await authorize(quiet, q)).get('iss')).toBe(quiet.issuer);
    const liar = await serve({ authorizationServer: { clients: [PUBLIC], issParameter: false, advertiseIss: true } });
    expect(liar.as.metadata().authorization_response_iss_parameter_supported).toBe(true);
    expect((await authorize(liar, q)).has('iss')).toBe(false);
  });

  it('leaves iss out when told to', async () => {
    const s = await serve({ authorizationServer: { clients: [PUBLIC], issParameter: false } });
    const back = await authorize(s, { response_type: 'code', client_id: 'pub', redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256' });
    expect(back.get('code')).toBeTruthy();
    expect(back.has('iss')).toBe(false);
  });
});

describe('clients', () => {
  it('registers clients dynamically (RFC 7591) and refuses a non-loopback http redirect URI', async () => {
    const s = await serve();
    const reg = (body: unknown) => fetch(s.as.endpoints.registration, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, ...T() });
    const r = await reg({ redirect_uris: ['http://localhost:3000/cb'], client_name: 'x' });
    expect(r.status).toBe(201);
    const c = (await r.json()) as Record<string, unknown>;
    expect(c).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic', client_secret_expires_at: 0, redirect_uris: ['http://localhost:3000/cb'] });
    expect(typeof c.client_secret).toBe('string');
    const pub = (await (await reg({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' })).json()) as Record<string, unknown>;
    expect(pub).not.toHaveProperty('client_secret');
    const bad = await reg({ redirect_uris: ['http://example.com/cb'] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_redirect_uri' });
    expect((await reg({ token_endpoint_auth_method: 'none' })).status).toBe(400);
    expect(s.log.of('register').map((x) => x.status)).toEqual([201, 201, 400, 400]);
  });

  it('fetches a client ID metadata document only over https, or loopback http in test mode, and checks its client_id', async () => {
    let served = '';
    let claimed = '';
    const doc = await serveHttp(async () => new Response(JSON.stringify({ client_id: claimed || served, client_name: 'c', redirect_uris: [REDIRECT] }), { headers: { 'content-type': 'application/json' } }));
    cleanup.push(() => doc.close());
    served = `${doc.url}/client.json`;
    const q = (id: string) => ({ response_type: 'code', client_id: id, redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256' });
    const strict = await serve();
    const u = new URL(strict.as.endpoints.authorization);
    for (const [k, v] of Object.entries(q(served))) u.searchParams.set(k, v);
    const refused = await get(u.href);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
    expect(strict.log.of('cimd-fetch')).toEqual([]);

    const test = await serve({ authorizationServer: { allowInsecureClientIdUrls: true } });
    expect((await authorize(test, q(served))).get('code')).toBeTruthy();
    expect(test.log.of('cimd-fetch')[0]).toMatchObject({ url: served, status: 200 });
    claimed = 'https://someone-else.example/client.json';
    const other = `${doc.url}/other.json`;
    const u2 = new URL(test.as.endpoints.authorization);
    for (const [k, v] of Object.entries(q(other))) u2.searchParams.set(k, v);
    const mismatch = await get(u2.href);
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as { error_description: string }).error_description).toMatch(/does not match/);
  });

  it('authenticates at the token endpoint with client_secret_basic and client_secret_post, as registered', async () => {
    const s = await serve({
      authorizationServer: {
        clients: [
          { client_id: 'b', client_secret: 'sb', grant_types: ['client_credentials'] },
          { client_id: 'p', client_secret: 'sp', token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'] },
          { ...PUBLIC, grant_types: ['authorization_code', 'client_credentials'] },
        ],
      },
    });
    const tok = s.as.endpoints.token;
    const cc = { grant_type: 'client_credentials', resource: s.url, scope: 'mcp:read' };
    const ok = await form(tok, cc, basic('b', 'sb'));
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('refresh_token');
    expect((await mcpPost(s, body.access_token as string)).status).toBe(200);
    expect((await form(tok, { ...cc, client_id: 'p', client_secret: 'sp' })).status).toBe(200);
    const wrong = await form(tok, cc, basic('b', 'nope'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(((await (await form(tok, { ...cc, client_id: 'b', client_secret: 'sb' })).json()) as { error: string }).error).toBe('invalid_client'); // registered for basic
    expect(((await (await form(tok, { ...cc, client_id: 'pub' })).json()) as { error: string }).error).toBe('unauthorized_client'); // public client
    expect(s.log.of('token').map((r) => [r.clientAuth, r.status])).toEqual([
      ['client_secret_basic', 200],
      ['client_secret_post', 200],
      ['client_secret_basic', 401],
      ['client_secret_post', 401],
      ['none', 400],
    ]);
  });

  it('authenticates private_key_jwt clients and refuses a replayed or foreign-signed assertion', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const other = await generateKeyPair('ES256');
    const s = await serve({ authorizationServer: { clients: [{ client_id: 'j', jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k' }] }, grant_types: ['client_credentials'] }] } });
    const assertion = (key: CryptoKey, jti: string) =>
      new SignJWT({ jti }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setIssuer('j').setSubject('j').setAudience(s.issuer).setIssuedAt().setExpirationTime('2m').sign(key);
    const send = async (a: string) => form(s.as.endpoints.token, { grant_type: 'client_credentials', client_id: 'j', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: a });
    const a1 = await assertion(privateKey, 'one');
    expect((await send(a1)).status).toBe(200);
    expect((await send(a1)).status).toBe(401);
    expect((await send(await assertion(other.privateKey, 'two'))).status).toBe(401);
  });

  it('fetches a private_key_jwt client\'s jwks_uri (logged as jwks-fetch)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k' }] };
    const keys = await serveHttp(async () => new Response(JSON.stringify(jwks), { headers: { 'content-type': 'application/json' } }));
    cleanup.push(() => keys.close());
    const s = await serve({ authorizationServer: { clients: [{ client_id: 'u', jwks_uri: `${keys.url}/jwks.json`, grant_types: ['client_credentials'] }] } });
    const a = await new SignJWT({ jti: 'x' }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setIssuer('u').setSubject('u').setAudience(s.as.endpoints.token).setIssuedAt().setExpirationTime('2m').sign(privateKey);
    const r = await form(s.as.endpoints.token, { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: a });
    expect(r.status).toBe(200);
    expect(s.log.of('jwks-fetch').map((x) => [x.url, x.status])).toEqual([[`${keys.url}/jwks.json`, 200]]);
    expect(s.log.of('token')[0]).toMatchObject({ clientAuth: 'private_key_jwt', clientId: 'u' });
  });

  it('refreshes, rotating the refresh token; offline_access policy; no new scopes on refresh', async () => {
    const s = await serve({ authorizationServer: { clients: [PUBLIC] } });
    const first = await codeFlow(s, { scope: 'mcp:read mcp:write' });
    const refresh = (rt: string, extra: Record<string, string> = {}) => form(s.as.endpoints.token, { grant_type: 'refresh_token', refresh_token: rt, client_id: 'pub', ...extra });
    const r1 = await refresh(first.refresh_token as string, { scope: 'mcp:read' });
    expect(r1.status).toBe(200);
    const second = (await r1.json()) as Record<string, unknown>;
    expect(second.scope).toBe('mcp:read');
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await mcpPost(s, second.access_token as string)).status).toBe(200);
    expect(((await (await refresh(first.refresh_token as string)).json()) as { error: string }).error).toBe('invalid_grant');
    expect(((await (await refresh(second.refresh_token as string, { scope: 'mcp:admin' })).json()) as { error: string }).error).toBe('invalid_scope');

    const off = await serve({ authorizationServer: { clients: [PUBLIC], refreshTokens: 'offline_access' } });
    expect(await codeFlow(off, { scope: 'mcp:read' })).not.toHaveProperty('refresh_token');
    expect((await codeFlow(off, { scope: 'mcp:read offline_access' })).refresh_token).toBeTruthy();
  });

  it('grants only grantScopes and says so; step-up then keeps failing (for retry-limit scenarios)', async () => {
    const s = await serve({ authorizationServer: { clients: [PUBLIC], grantScopes: ['mcp:read'] }, resource: { toolScopes: { add: ['mcp:write'] } } });
    const tok = await codeFlow(s, { scope: 'mcp:read mcp:write' });
    expect(tok.scope).toBe('mcp:read');
    const call = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });
    expect((await mcpPost(s, tok.access_token as string, call)).status).toBe(403);
  });

  it('faults are read live: one added mid-run applies to the next request', async () => {
    const s = await serve({ authorizationServer: { clients: [PUBLIC] } });
    const q = { response_type: 'code', client_id: 'pub', redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256' };
    expect((await authorize(s, q)).get('iss')).toBe(s.issuer);
    (s.as.options.faults ??= []).push({ kind: 'wrong-iss', nth: 2 }, { kind: 'wrong-iss', nth: 3, variant: 'trailing-slash' });
    expect((await authorize(s, q)).get('iss')).toBe('https://attacker.example');
    expect((await authorize(s, q)).get('iss')).toBe(`${s.issuer}/`);
  });

  it('answers CORS preflights on the AS and the PRM (browser-based clients)', async () => {
    const s = await serve();
    const pre = await fetch(s.as.endpoints.token, { method: 'OPTIONS', headers: { origin: 'http://localhost:6274', 'access-control-request-method': 'POST' }, ...T() });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect((await get(`${s.issuer}/.well-known/oauth-authorization-server`)).headers.get('access-control-allow-origin')).toBe('*');
    const prm = `${new URL(s.url).origin}/.well-known/oauth-protected-resource/mcp`;
    expect((await fetch(prm, { method: 'OPTIONS', ...T() })).status).toBe(204);
    expect((await get(prm)).headers.get('access-control-allow-origin')).toBe('*');
  });

  it('a bad-token fault makes the token endpoint issue a token the resource server refuses', async () => {
    const s = await serve({ authorizationServer: { clients: [PUBLIC], faults: [{ kind: 'bad-token', flaw: 'wrong-audience' }] } });
    const tok = await codeFlow(s);
    expect((await mcpPost(s, tok.access_token as string)).status).toBe(401);
  });
});

describe('standalone authorization server', () => {
  it('serves on its own port with a path issuer', async () => {
    const a = await serveAuthorizationServer({ issuerPath: '/realm' });
    cleanup.push(() => a.close());
    expect(a.issuer).toBe(`${a.url}/realm`);
    const m = (await (await get(`${a.url}/.well-known/oauth-authorization-server/realm`)).json()) as Record<string, unknown>;
    expect(m.token_endpoint).toBe(`${a.url}/realm/token`);
  });
});
