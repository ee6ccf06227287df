// DPoP (RFC 9449), the mock's side: checking a proof a client sends to the token endpoint (§4.3,
// §5) or with a DPoP-bound access token to the protected MCP server (§4.3, §7.1), and server-provided
// nonces (§8, §9). Every JOSE operation goes through jose; the mock only decides what to compare.
import { createHash, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { loadJose } from './tokens.ts';

/** Asymmetric JWS algorithms a proof may use (RFC 9449 §4.2: no MAC, no "none"). */
export const DPOP_ALGS: readonly string[] = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'];
/** What the mock advertises (dpop_signing_alg_values_supported, the DPoP challenge's algs). */
export const DPOP_ADVERTISED_ALGS: readonly string[] = ['ES256', 'RS256', 'PS256', 'EdDSA'];
/** How far a proof's iat may be from now (RFC 9449 §11.1 leaves the window to the server). */
export const DPOP_IAT_WINDOW_S = 300;

/** DPoP at the mock authorization server and its protected resource. */
export interface DpopOptions {
  /**
   * Demand a server-provided nonce (RFC 9449 §8 at the token endpoint, §9 at the MCP server): a
   * proof without the current nonce gets `use_dpop_nonce` and a `DPoP-Nonce` header.
   */
  requireNonce?: boolean;
}

/** What was made of one DPoP proof (kept in the request's AuthRecord). */
export interface DpopSeen {
  /** The proof's jti, when it had one. */
  jti?: string;
  /** JWK SHA-256 thumbprint (RFC 7638) of the proof's key, when it parsed. */
  jkt?: string;
  /** The proof's nonce claim. */
  nonce?: string;
  /** Why the proof is not valid (undefined: valid). */
  error?: string;
  /** The server answered use_dpop_nonce (a valid proof without the current nonce). */
  nonceChallenged?: boolean;
}

/** base64url(SHA-256(token)): a proof's `ath` (RFC 9449 §4.2). */
export const accessTokenHash = (token: string) => createHash('sha256').update(token, 'ascii').digest('base64url');

/** The request URI a proof's htu is compared with: no query or fragment (RFC 9449 §4.2, §4.3 step 9). */
export function htuOf(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** A fresh nonce value (opaque to the client). */
export const newNonce = () => randomBytes(16).toString('base64url');

/**
 * Checks one DPoP header value as RFC 9449 §4.3 lists (steps 1–11): one well-formed JWT, typ
 * dpop+jwt, an asymmetric alg, a public jwk in the header that verifies the signature, jti, htm
 * and htu of this request, iat within the window; `ath` when `accessToken` is given; the nonce
 * when `nonce` is given. jti replay is the caller's (it keeps the seen ones).
 */
export async function checkProof(header: string | null, o: { method: string; url: string; accessToken?: string; nonce?: string }): Promise<DpopSeen> {
  if (header === null || header === '') return { error: 'no DPoP header' };
  // Headers joins repeated fields with ", "; a compact JWS has no comma (§4.3 step 1: exactly one).
  if (header.includes(',')) return { error: 'more than one DPoP header' };
  const { decodeProtectedHeader, importJWK, jwtVerify, calculateJwkThumbprint } = await loadJose();
  let h: ReturnType<typeof decodeProtectedHeader>;
  try {
    h = decodeProtectedHeader(header);
  } catch {
    return { error: 'the DPoP header is not a JWT' };
  }
  if (h.typ !== 'dpop+jwt') return { error: `typ is ${JSON.stringify(h.typ)}, not "dpop+jwt"` };
  if (!h.alg || !DPOP_ALGS.includes(h.alg)) return { error: `alg ${JSON.stringify(h.alg)} is not an asymmetric signature algorithm` };
  const jwk = h.jwk as JWK | undefined;
  if (!jwk || typeof jwk !== 'object') return { error: 'no jwk in the proof header' };
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) return { error: 'the proof header\'s jwk is not a public key' };
  const seen: DpopSeen = {};
  let claims: Record<string, unknown>;
  try {
    seen.jkt = await calculateJwkThumbprint(jwk, 'sha256');
    const key = await importJWK(jwk, h.alg);
    claims = (await jwtVerify(header, key, { algorithms: [...DPOP_ALGS], typ: 'dpop+jwt' })).payload as Record<string, unknown>;
  } catch (e) {
    return { ...seen, error: `the proof does not verify with its own jwk: ${(e as Error).message}` };
  }
  if (typeof claims.jti === 'string') seen.jti = claims.jti;
  if (typeof claims.nonce === 'string') seen.nonce = claims.nonce;
  const fail = (error: string): DpopSeen => ({ ...seen, error });
  if (!seen.jti) return fail('no jti claim');
  if (claims.htm !== o.method) return fail(`htm is ${JSON.stringify(claims.htm)}, not ${o.method}`);
  if (typeof claims.htu !== 'string' || !URL.canParse(claims.htu)) return fail(`htu ${JSON.stringify(claims.htu)} is not a URL`);
  if (/[?#]/.test(claims.htu)) return fail(`htu ${claims.htu} has a query or fragment`);
  if (htuOf(claims.htu) !== htuOf(o.url)) return fail(`htu is ${claims.htu}, not ${htuOf(o.url)}`);
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.iat !== 'number' || Math.abs(now - claims.iat) > DPOP_IAT_WINDOW_S) return fail(`iat ${JSON.stringify(claims.iat)} is not within ${DPOP_IAT_WINDOW_S} s of now`);
  if (o.accessToken !== undefined) {
    if (claims.ath !== accessTokenHash(o.accessToken)) return fail(claims.ath === undefined ? 'no ath claim' : 'ath is not the hash of the access token presented');
  }
  return seen;
}
