// The protected-resource mode of the mock MCP server: wraps its Streamable HTTP handler as an
// OAuth resource server (basic/authorization "Authorization Server Discovery", "Access Token
// Usage", "Error Handling", "Scope Challenge Handling"): Protected Resource Metadata (RFC 9728) at
// the path-inserted and root well-known URLs, 401 with a `WWW-Authenticate: Bearer
// resource_metadata=…, scope=…` challenge for a missing or invalid token, JWT validation
// (signature by the AS's keys, issuer, audience = this resource, expiry), and 403
// `insufficient_scope` when a required scope is missing (step-up).
import type { JWTVerifyGetKey } from 'jose';
import { AuthLog, clip, headersOf, type AuthRecord } from './log.ts';
import { loadJose } from './tokens.ts';
import { checkProof, DPOP_ADVERTISED_ALGS, newNonce, type DpopOptions } from './dpop.ts';

type FetchHandler = (request: Request) => Promise<Response>;

export type PrmLocation = 'path' | 'root';

/**
 * A check the resource server skips, on purpose: fixture peers for the server-side auth checks,
 * each breaking one requirement of basic/authorization "Token Handling" / "Error Handling".
 */
export type ResourceLeniency =
  | 'missing-token' // serve requests without any token
  | 'signature' // accept tokens whatever signed them (or unsigned)
  | 'audience' // accept tokens for another resource
  | 'issuer' // accept tokens from another issuer
  | 'expiry' // accept expired (and not-yet-valid) tokens
  | 'scope'; // never answer 403 insufficient_scope
export const RESOURCE_LENIENCIES: readonly ResourceLeniency[] = ['missing-token', 'signature', 'audience', 'issuer', 'expiry', 'scope'];

export interface ProtectedResourceOptions {
  /** Issuers listed in the PRM's authorization_servers. */
  authorizationServers: string[];
  /** The issuer tokens must carry (default: the first authorization server). */
  issuer?: string;
  /** Keys that verify tokens: the AS's keys() in-process, or remoteKeys(jwks_uri). */
  keys: JWTVerifyGetKey;
  /** The MCP endpoint path (default /mcp). */
  path?: string;
  /** The canonical resource URI (default: origin + path of the request). */
  resource?: string;
  /** Where the PRM is served (default both: the path-inserted URL and the root). */
  prm?: PrmLocation[];
  /** Which PRM URL the 401 challenge names in resource_metadata (default 'path'; false: none). */
  challengeMetadata?: PrmLocation | false;
  /** The scope in the 401 challenge (default: requiredScopes, left out when there are none; false: never). */
  challengeScope?: string | false;
  /** scopes_supported of the PRM (default: left out). */
  scopesSupported?: string[];
  /** Scopes every request needs; a token without them gets 403 insufficient_scope. */
  requiredScopes?: string[];
  /** Extra scopes per tool for tools/call (step-up: 403 insufficient_scope naming them). */
  toolScopes?: Record<string, string[]>;
  /**
   * The scope of a 403 insufficient_scope challenge: the granted scopes plus the needed ones
   * ('granted-and-needed', the default: the spec's recommended approach) or only the missing ones
   * ('missing': the minimum approach; servers need not repeat granted scopes). 'incremental', a
   * fault: the granted scopes plus only the first missing one, the next one on the retry (2026-07-28
   * asks for all the operation's scopes in a single challenge).
   */
  stepUpScope?: 'granted-and-needed' | 'missing' | 'incremental';
  /** Fields that replace or add to the PRM document (e.g. a wrong `resource`, as a fault). */
  prmOverrides?: Record<string, unknown>;
  /** Checks skipped on purpose (fixture peers that break one requirement). */
  lenient?: ResourceLeniency[];
  /** Answer 401 without WWW-Authenticate (a fixture that breaks RFC 6750 §3 / RFC 9728 §5.1). */
  omitChallenge?: boolean;
  /**
   * DPoP (RFC 9449 §7): also accept `Authorization: DPoP <token>` with a DPoP proof of the key the
   * token is bound to (cnf.jkt), challenge with a DPoP challenge besides the Bearer one, and refuse a
   * DPoP-bound token presented as Bearer (§7.2). requireNonce: a proof without the current nonce
   * gets 401 use_dpop_nonce and a DPoP-Nonce header (§9).
   */
  dpop?: DpopOptions;
  /** 2025-03-26 mode: no PRM, and a bare `Bearer` challenge. */
  legacy?: boolean;
  /** Answers requests to other paths (e.g. the AS on the same origin); default 404. */
  fallback?: FetchHandler;
  log?: AuthLog;
}

/** The options that are plain data (what a config file may set). */
export const RESOURCE_OPTION_KEYS: readonly (keyof ProtectedResourceOptions)[] = [
  'authorizationServers', 'issuer', 'resource', 'prm', 'challengeMetadata', 'challengeScope', 'scopesSupported', 'requiredScopes', 'toolScopes', 'stepUpScope', 'prmOverrides', 'lenient', 'omitChallenge', 'legacy', 'dpop',
];

export interface ProtectedHandler extends FetchHandler {
  readonly log: AuthLog;
  /** The live options: a scenario may change them mid-run (e.g. authorizationServers, requiredScopes). */
  readonly options: ProtectedResourceOptions;
  /** The PRM document for a resource URL, as served. */
  prmDocument(resource: string): Record<string, unknown>;
  close(): Promise<void>;
}

const PRM = '/.well-known/oauth-protected-resource';

/** A quoted auth-param value; RFC 6750 §3 allows no '"' or '\\' in error_description (nor in the others we send). */
function q(v: string): string {
  return `"${v.replace(/["\\]/g, "'")}"`;
}

export function bearerChallenge(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${q(v)}`);
  return parts.length ? `Bearer ${parts.join(', ')}` : 'Bearer';
}

function scopesOf(claims: Record<string, unknown>): string[] {
  const s = claims.scope ?? claims.scp;
  if (typeof s === 'string') return s.split(' ').filter(Boolean);
  if (Array.isArray(s)) return s.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Wraps an MCP fetch handler as an OAuth-protected resource. */
export function protectHandler(inner: FetchHandler & { close?: () => Promise<void> }, options: ProtectedResourceOptions): ProtectedHandler {
  const log = options.log ?? new AuthLog();
  const path = options.path ?? '/mcp';
  const locations = (): PrmLocation[] => (options.legacy ? [] : (options.prm ?? ['path', 'root']));
  // Read per request: the AS's issuer may only be known once everything listens.
  const issuerOf = () => options.issuer ?? options.authorizationServers[0];
  const resourceOf = (url: URL) => options.resource ?? `${url.origin}${path}`;
  const prmUrl = (url: URL, where: PrmLocation) => `${url.origin}${PRM}${where === 'path' && path !== '/' ? path : ''}`;

  const prmDocument = (resource: string): Record<string, unknown> => {
    const d: Record<string, unknown> = {
      resource,
      authorization_servers: options.authorizationServers,
      bearer_methods_supported: ['header'],
    };
    if (options.scopesSupported) d.scopes_supported = options.scopesSupported;
    return { ...d, ...options.prmOverrides };
  };

  const challenge = (url: URL, extra: Record<string, string | undefined> = {}): string => {
    if (options.legacy) return bearerChallenge(extra);
    const scope = options.challengeScope === false ? undefined : (options.challengeScope ?? (options.requiredScopes?.length ? options.requiredScopes.join(' ') : undefined));
    const where = options.challengeMetadata ?? 'path';
    return bearerChallenge({
      ...extra,
      ...(extra.scope === undefined && scope !== undefined ? { scope } : {}),
      ...(where === false ? {} : { resource_metadata: prmUrl(url, where) }),
    });
  };

  // The DPoP challenge (RFC 9449 §7.1): the algorithms accepted, and the error when the DPoP scheme was used.
  const dpopChallenge = (url: URL, extra: Record<string, string | undefined>): string => {
    const where = options.challengeMetadata ?? 'path';
    return bearerChallenge({ algs: DPOP_ADVERTISED_ALGS.join(' '), ...extra, ...(where === false ? {} : { resource_metadata: prmUrl(url, where) }) }).replace(/^Bearer/, 'DPoP');
  };

  /** `dpop`: the error belongs to the DPoP challenge ('only': the DPoP challenge alone, e.g. use_dpop_nonce). */
  const unauthorized = (url: URL, error?: string, description?: string, dpop: boolean | 'only' = false, headers: Record<string, string> = {}): Response => {
    const extra: Record<string, string | undefined> = error ? { error, error_description: description } : {};
    const www = dpop === 'only' ? dpopChallenge(url, extra) : options.dpop ? `${challenge(url, dpop ? {} : extra)}, ${dpopChallenge(url, dpop ? extra : {})}` : challenge(url, extra);
    return new Response(JSON.stringify({ error: error ?? 'unauthorized', ...(description ? { error_description: description } : {}) }), {
      status: 401,
      headers: { 'content-type': 'application/json', ...headers, ...(options.omitChallenge ? {} : { 'www-authenticate': www }) },
    });
  };
  const dpopJtis = new Set<string>();
  const dpopNonce = newNonce();

  const handler = async (request: Request): Promise<Response> => {
    const at = Date.now();
    const url = new URL(request.url);
    const extra: Partial<AuthRecord> = {};
    let endpoint: AuthRecord['endpoint'] = 'mcp';
    let response: Response;
    let bodyText = '';
    const prmHit = locations().find((l) => url.pathname === new URL(prmUrl(url, l)).pathname);
    if (prmHit) {
      endpoint = 'prm';
      extra.variant = prmHit;
      // Readable cross-origin: browser-based clients discover it too.
      if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-allow-headers': 'mcp-protocol-version' } });
      response =
        request.method === 'GET'
          ? new Response(JSON.stringify(prmDocument(resourceOf(url))), { status: 200, headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' } })
          : new Response(null, { status: 405, headers: { allow: 'GET' } });
    } else if (url.pathname !== path) {
      // Not ours: the AS on the same origin (2025-03-26), or nothing; it logs its own requests.
      if (options.fallback) return options.fallback(request);
      endpoint = 'unknown';
      response = new Response('not found', { status: 404 });
    } else {
      if (request.method === 'POST') bodyText = await request.clone().text().catch(() => '');
      response = await guard(request, url, bodyText, extra);
    }
    log.add({
      at,
      side: 'rs',
      endpoint,
      method: request.method,
      url: request.url,
      headers: headersOf(request.headers),
      body: clip(bodyText),
      params: Object.fromEntries(url.searchParams),
      paramList: [...url.searchParams.entries()],
      status: response.status,
      responseHeaders: headersOf(response.headers),
      responseBody: response.status === 401 || response.status === 403 || endpoint === 'prm' ? await response.clone().text() : '',
      ...extra,
    });
    return response;
  };

  const guard = async (request: Request, url: URL, bodyText: string, extra: Partial<AuthRecord>): Promise<Response> => {
    if (url.searchParams.has('access_token')) extra.reason = 'access token in the query string (it must not be: basic/authorization "Token Requirements")';
    const lenient = new Set(options.lenient ?? []);
    const authz = request.headers.get('authorization');
    const m = authz ? (options.dpop ? /^(Bearer|DPoP)[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i : /^(Bearer)[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i).exec(authz) : null;
    if (!m && lenient.has('missing-token')) {
      extra.reason = 'served without a token (lenient: missing-token)';
      return inner(request);
    }
    if (!m) {
      extra.reason ??= authz ? 'Authorization is not a Bearer token' : 'no Authorization header';
      return unauthorized(url, authz ? 'invalid_token' : undefined, authz ? 'not a Bearer token' : undefined);
    }
    const token = m[2]!;
    const dpopScheme = m[1]!.toLowerCase() === 'dpop';
    const { decodeJwt, jwtVerify } = await loadJose();
    try {
      extra.tokenClaims = decodeJwt(token) as Record<string, unknown>;
    } catch {
      // not a JWT: verification below says why
    }
    const resource = resourceOf(url);
    let claims: Record<string, unknown>;
    try {
      // Audience = this resource (RFC 8707; basic/authorization "Token Handling"); expiry with no leeway.
      const issuer = lenient.has('issuer') ? undefined : issuerOf();
      const checks = {
        ...(lenient.has('audience') ? {} : { audience: resource }),
        ...(issuer ? { issuer } : {}),
        // ~100 years of leeway: expired and not-yet-valid tokens both pass.
        ...(lenient.has('expiry') ? { clockTolerance: 3_153_600_000 } : {}),
      };
      if (lenient.has('signature')) {
        // Claims checked as jwtVerify would, the signature not at all.
        claims = decodeJwt(token) as Record<string, unknown>;
        const now = Math.floor(Date.now() / 1000);
        const aud = claims.aud;
        if (checks.audience && !(aud === resource || (Array.isArray(aud) && aud.includes(resource)))) throw new Error('unexpected "aud" claim value');
        if (checks.issuer && claims.iss !== checks.issuer) throw new Error('unexpected "iss" claim value');
        if (!lenient.has('expiry') && typeof claims.exp === 'number' && claims.exp <= now) throw new Error('"exp" claim timestamp check failed');
      } else {
        const verified = await jwtVerify(token, options.keys, { ...checks, algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA'] });
        claims = verified.payload as Record<string, unknown>;
      }
    } catch (e) {
      extra.reason = `invalid token: ${(e as Error).message}`;
      return unauthorized(url, 'invalid_token', (e as Error).message);
    }
    if (options.dpop) {
      const cnf = claims.cnf as { jkt?: unknown } | undefined;
      const jkt = typeof cnf?.jkt === 'string' ? cnf.jkt : undefined;
      if (!dpopScheme && jkt) {
        extra.reason = 'a DPoP-bound token (cnf.jkt) presented as a Bearer token (RFC 9449 §7.2)';
        return unauthorized(url, 'invalid_token', 'the token is DPoP-bound: present it with the DPoP scheme and a proof', true);
      }
      if (dpopScheme) {
        if (!jkt) {
          extra.reason = 'the DPoP scheme with a token that is not DPoP-bound (no cnf.jkt)';
          return unauthorized(url, 'invalid_token', 'the token is not DPoP-bound', true);
        }
        const seen = await checkProof(request.headers.get('dpop'), { method: request.method, url: request.url, accessToken: token });
        if (!seen.error && dpopJtis.has(seen.jti!)) seen.error = `jti ${seen.jti} was used before (a replayed proof)`;
        if (!seen.error && seen.jkt !== jkt) seen.error = 'the proof\'s key is not the key the token is bound to (cnf.jkt)';
        extra.dpop = seen;
        if (seen.error) {
          extra.reason = `invalid DPoP proof: ${seen.error}`;
          return unauthorized(url, 'invalid_dpop_proof', seen.error, true);
        }
        dpopJtis.add(seen.jti!);
        if (options.dpop.requireNonce && seen.nonce !== dpopNonce) {
          seen.nonceChallenged = true;
          extra.reason = seen.nonce === undefined ? 'a DPoP nonce is required' : 'not the current DPoP nonce';
          return unauthorized(url, 'use_dpop_nonce', 'the resource server requires a DPoP nonce', 'only', { 'dpop-nonce': dpopNonce });
        }
      }
    }
    const have = new Set(scopesOf(claims));
    const needed = [...(options.requiredScopes ?? [])];
    if (options.toolScopes && bodyText) {
      try {
        const msg = JSON.parse(bodyText) as unknown;
        for (const x of Array.isArray(msg) ? msg : [msg]) {
          const o = x as { method?: unknown; params?: { name?: unknown } };
          if (o?.method === 'tools/call' && typeof o.params?.name === 'string') needed.push(...(options.toolScopes[o.params.name] ?? []));
        }
      } catch {
        // the MCP handler answers malformed bodies
      }
    }
    const missing = needed.filter((s) => !have.has(s));
    if (missing.length && !lenient.has('scope')) {
      extra.reason = `insufficient scope: missing ${missing.join(' ')}`;
      // Recommended approach: the granted scopes plus the newly required ones (basic/authorization
      // "Runtime Insufficient Scope Errors"); 'missing': only what the token lacks (the minimum).
      const scope =
        options.stepUpScope === 'missing' ? missing.join(' ') : options.stepUpScope === 'incremental' ? [...new Set([...have, missing[0]!])].join(' ') : [...new Set([...have, ...needed])].join(' ');
      const where = options.challengeMetadata ?? 'path';
      const www = bearerChallenge({
        error: 'insufficient_scope',
        scope,
        ...(options.legacy || where === false ? {} : { resource_metadata: prmUrl(url, where) }),
        error_description: `requires scope ${missing.join(' ')}`,
      });
      return new Response(JSON.stringify({ error: 'insufficient_scope', error_description: `requires scope ${missing.join(' ')}` }), { status: 403, headers: { 'content-type': 'application/json', 'www-authenticate': www } });
    }
    return inner(request);
  };

  return Object.assign(handler, {
    log,
    options,
    prmDocument,
    close: async () => {
      await inner.close?.().catch(() => {});
    },
  });
}
