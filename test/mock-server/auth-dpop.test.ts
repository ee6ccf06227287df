// DPoP (RFC 9449) in the mock, request by request: the AS binds a token to a valid proof's key
// (cnf.jkt, token_type DPoP) and refuses a bad proof; the protected MCP server takes a bound token
// only with the DPoP scheme and a proof for that request (ath, key, fresh jti), refuses it as
// Bearer; nonces when asked for (AS §8, RS §9); no proof: a Bearer token, as before.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { referenceServer, serveProtectedMock, type ServedProtectedMock } from '../../mock-server/index.ts';
import { accessTokenHash } from '../../mock-server/auth/dpop.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
const T = () => ({ signal: AbortSignal.timeout(20_000) });
const CLIENT = { client_id: 'cc', client_secret: 's3cret', token_endpoint_auth_method: 'client_secret_post' as const, grant_types: ['client_credentials'] };

async function serve(requireNonce = false): Promise<ServedProtectedMock> {
  const s = await serveProtectedMock(referenceServer(), { authorizationServer: { clients: [CLIENT], dpop: { requireNonce } }, resource: { dpop: { requireNonce } } });
  cleanup.push(() => s.close());
  return s;
}

interface Key {
  privateKey: CryptoKey;
  jwk: JWK;
}
async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, jwk: await exportJWK(publicKey) };
}

/** A proof; `claims` overrides or adds (undefined removes). */
function proof(k: Key, htm: string, htu: string, claims: Record<string, unknown> = {}, typ = 'dpop+jwt'): Promise<string> {
  const c: Record<string, unknown> = { jti: randomBytes(12).toString('base64url'), htm, htu, iat: Math.floor(Date.now() / 1000), ...claims };
  for (const [n, v] of Object.entries(c)) if (v === undefined) delete c[n];
  return new SignJWT(c).setProtectedHeader({ alg: 'ES256', typ, jwk: k.jwk }).sign(k.privateKey);
}

const tokenRequest = (s: ServedProtectedMock, dpop?: string) =>
  fetch(s.as.endpoints.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(dpop ? { dpop } : {}) },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT.client_id, client_secret: CLIENT.client_secret, resource: s.url }),
    ...T(),
  });

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
const mcpPost = (s: ServedProtectedMock, authorization: string, dpop?: string) =>
  fetch(s.url, { method: 'POST', body: INIT, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization, ...(dpop ? { dpop } : {}) }, ...T() });

async function boundToken(s: ServedProtectedMock, k: Key): Promise<string> {
  const r = await tokenRequest(s, await proof(k, 'POST', s.as.endpoints.token));
  const body = (await r.json()) as Record<string, unknown>;
  expect([r.status, body.token_type]).toEqual([200, 'DPoP']);
  return String(body.access_token);
}

describe('DPoP at the mock authorization server', () => {
  it('advertises its algorithms, binds the token to the proof\'s key, refuses a proof made for another URL', async () => {
    const s = await serve();
    expect(s.as.metadata().dpop_signing_alg_values_supported).toContain('ES256');
    const k = await newKey();
    const token = await boundToken(s, k);
    expect(decodeJwt(token).cnf).toEqual({ jkt: await calculateJwkThumbprint(k.jwk, 'sha256') });
    const bad = await tokenRequest(s, await proof(k, 'POST', s.url));
    expect([bad.status, ((await bad.json()) as { error: string }).error]).toEqual([400, 'invalid_dpop_proof']);
    const typ = await tokenRequest(s, await proof(k, 'POST', s.as.endpoints.token, {}, 'JWT'));
    expect(typ.status).toBe(400);
    // Without a proof: a Bearer token, accepted as Bearer (a client without DPoP still gets through).
    const plain = (await (await tokenRequest(s)).json()) as Record<string, unknown>;
    expect(plain.token_type).toBe('Bearer');
    expect((await mcpPost(s, `Bearer ${String(plain.access_token)}`)).status).toBe(200);
    expect(s.log.of('token').map((r) => r.dpop?.error === undefined)).toEqual([true, false, false, true]);
  });

  it('with requireNonce: use_dpop_nonce and DPoP-Nonce, then the proof with that nonce gets the token', async () => {
    const s = await serve(true);
    const k = await newKey();
    const first = await tokenRequest(s, await proof(k, 'POST', s.as.endpoints.token));
    const nonce = first.headers.get('dpop-nonce');
    expect([first.status, ((await first.json()) as { error: string }).error, typeof nonce]).toEqual([400, 'use_dpop_nonce', 'string']);
    const again = await tokenRequest(s, await proof(k, 'POST', s.as.endpoints.token, { nonce }));
    expect(((await again.json()) as { token_type: string }).token_type).toBe('DPoP');
    expect(s.log.of('token').map((r) => r.dpop?.nonceChallenged ?? false)).toEqual([true, false]);
  });
});

describe('DPoP at the protected MCP server', () => {
  it('takes a bound token with the DPoP scheme and a proof for the request; refuses it as Bearer, replayed, without ath, or with another key', async () => {
    const s = await serve();
    const k = await newKey();
    const token = await boundToken(s, k);
    const ath = accessTokenHash(token);
    const ok = await proof(k, 'POST', s.url, { ath });
    expect((await mcpPost(s, `DPoP ${token}`, ok)).status).toBe(200);
    const asBearer = await mcpPost(s, `Bearer ${token}`, await proof(k, 'POST', s.url, { ath }));
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toMatch(/^Bearer .*, DPoP algs="[^"]*ES256[^"]*", error="invalid_token"/);
    const refused = async (dpop: string) => {
      const r = await mcpPost(s, `DPoP ${token}`, dpop);
      expect([r.status, r.headers.get('www-authenticate')]).toEqual([401, expect.stringContaining('error="invalid_dpop_proof"')]);
    };
    await refused(ok); // the same jti again
    await refused(await proof(k, 'POST', s.url)); // no ath
    await refused(await proof(k, 'GET', s.url, { ath })); // another method
    await refused(await proof(await newKey(), 'POST', s.url, { ath })); // not the bound key
    expect(s.log.of('mcp').flatMap((r) => (r.dpop?.error ? [r.dpop.error] : []))).toEqual([expect.stringMatching(/used before/), 'no ath claim', expect.stringMatching(/^htm/), expect.stringMatching(/cnf\.jkt/)]);
  });

  it('with requireNonce: 401 use_dpop_nonce (a DPoP challenge) and DPoP-Nonce, then the proof with that nonce gets through', async () => {
    const s = await serve(true);
    const k = await newKey();
    const first = await tokenRequest(s, await proof(k, 'POST', s.as.endpoints.token));
    const token = await (async () => {
      const r = await tokenRequest(s, await proof(k, 'POST', s.as.endpoints.token, { nonce: first.headers.get('dpop-nonce') }));
      return String(((await r.json()) as { access_token: string }).access_token);
    })();
    const ath = accessTokenHash(token);
    const challenged = await mcpPost(s, `DPoP ${token}`, await proof(k, 'POST', s.url, { ath }));
    const nonce = challenged.headers.get('dpop-nonce');
    expect([challenged.status, challenged.headers.get('www-authenticate'), typeof nonce]).toEqual([401, expect.stringMatching(/^DPoP .*error="use_dpop_nonce"/), 'string']);
    // The AS's nonce is its own: the MCP server's is another value.
    expect(nonce).not.toBe(first.headers.get('dpop-nonce'));
    expect((await mcpPost(s, `DPoP ${token}`, await proof(k, 'POST', s.url, { ath, nonce }))).status).toBe(200);
  });
});
