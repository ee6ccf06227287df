// Signing keys, the JWKS the authorization server publishes, and JWT access tokens (RFC 9068
// shape: typ at+jwt; iss, sub, aud, exp, iat, jti, client_id, scope), via jose. mintToken() also
// makes deliberately bad tokens for the server-side auth checks.
import { randomUUID } from 'node:crypto';
import type { CryptoKey, JSONWebKeySet, JWK } from 'jose';

type Jose = typeof import('jose');
let joseModule: Promise<Jose> | undefined;
/** jose, loaded on first use: every CLI start and vitest worker loads mock-server/index.ts, few use OAuth. */
export function loadJose(): Promise<Jose> {
  return (joseModule ??= import('jose'));
}

export const TOKEN_ALG = 'ES256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newSigningKey(kid = randomUUID()): Promise<SigningKey> {
  const { generateKeyPair, exportJWK } = await loadJose();
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALG, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: TOKEN_ALG, use: 'sig' };
  return { kid, privateKey, publicJwk };
}

export function jwksOf(keys: readonly SigningKey[]): JSONWebKeySet {
  return { keys: keys.map((k) => k.publicJwk) };
}

/** A deliberate flaw in a minted token (each one a reason a resource server must refuse it). */
export type TokenFlaw =
  | 'wrong-audience' // aud names another resource
  | 'no-audience' // no aud claim at all
  | 'expired' // exp in the past
  | 'not-yet-valid' // nbf in the future
  | 'wrong-key' // signed by a key the AS does not publish
  | 'wrong-issuer' // iss is not the AS
  | 'no-scope' // no scope claim (fails any required scope)
  | 'unsigned'; // alg "none"

export const TOKEN_FLAWS: readonly TokenFlaw[] = ['wrong-audience', 'no-audience', 'expired', 'not-yet-valid', 'wrong-key', 'wrong-issuer', 'no-scope', 'unsigned'];

export interface MintOptions {
  /** The resource the token is for (aud); default: the AS's default audience. */
  audience?: string | string[];
  scope?: string;
  subject?: string;
  clientId?: string;
  /** Lifetime in seconds (default 3600). */
  ttlSeconds?: number;
  /** Extra or overriding claims. */
  claims?: Record<string, unknown>;
  flaw?: TokenFlaw;
  /** The JWT's typ header (default at+jwt): e.g. JWT for an ID token, oauth-id-jag+jwt for an ID-JAG. */
  typ?: string;
}

export interface MintContext {
  issuer: string;
  key: SigningKey;
  /** Lazily made: a key nobody publishes, for 'wrong-key'. */
  foreignKey: () => Promise<SigningKey>;
  defaultAudience?: string;
}

export async function mintJwt(ctx: MintContext, o: MintOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const ttl = o.ttlSeconds ?? 3600;
  const claims: Record<string, unknown> = {
    iss: ctx.issuer,
    sub: o.subject ?? 'mock-user',
    iat: now,
    exp: now + ttl,
    jti: randomUUID(),
  };
  const aud = o.audience ?? ctx.defaultAudience;
  if (aud !== undefined) claims.aud = aud;
  if (o.clientId !== undefined) claims.client_id = o.clientId;
  if (o.scope !== undefined && o.scope !== '') claims.scope = o.scope;
  Object.assign(claims, o.claims);
  switch (o.flaw) {
    case 'wrong-audience':
      claims.aud = 'https://other-resource.invalid/mcp';
      break;
    case 'no-audience':
      delete claims.aud;
      break;
    case 'expired':
      claims.iat = now - 2 * 3600;
      claims.exp = now - 3600;
      break;
    case 'not-yet-valid':
      claims.nbf = now + 3600;
      break;
    case 'wrong-issuer':
      claims.iss = 'https://other-issuer.invalid';
      break;
    case 'no-scope':
      delete claims.scope;
      break;
    default:
      break;
  }
  const { SignJWT, UnsecuredJWT } = await loadJose();
  if (o.flaw === 'unsigned') return new UnsecuredJWT(claims).encode();
  const key = o.flaw === 'wrong-key' ? await ctx.foreignKey() : ctx.key;
  return new SignJWT(claims).setProtectedHeader({ alg: TOKEN_ALG, typ: o.typ ?? 'at+jwt', kid: key.kid }).sign(key.privateKey);
}
