// A mock OAuth 2.1 authorization server for MCP authorization (basic/authorization, 2025-03-26
// to 2026-07-28) as a fetch-style handler: RFC 8414 metadata and OpenID Connect discovery at the
// well-known URLs the spec lists (each variant can be switched off), RFC 7591 dynamic client
// registration, client ID metadata documents, pre-registered clients, the authorization code
// grant with PKCE S256 enforced, RFC 8707 `resource`, RFC 9207 `iss` in the authorization
// response, refresh tokens and client credentials. Consent is headless: /authorize approves at
// once and redirects to the client's redirect_uri, so an automated harness can follow it.
// Everything it is asked is in `log`; options and faults are plain data.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { AuthLog, clip, headersOf, type AuthEndpoint, type AuthRecord } from './log.ts';
import { jwksOf, loadJose, mintJwt, newSigningKey, TOKEN_ALG, type MintOptions, type SigningKey } from './tokens.ts';
import { checkProof, DPOP_ADVERTISED_ALGS, newNonce, type DpopOptions } from './dpop.ts';

/**
 * Where the metadata is served, relative to the issuer `origin + path` (basic/authorization
 * "Authorization Server Metadata Discovery"):
 * - 'oauth': RFC 8414 at origin/.well-known/oauth-authorization-server{path} (path insertion)
 * - 'oidc': OpenID Connect at origin/.well-known/openid-configuration{path} (path insertion)
 * - 'oidc-append': OpenID Connect at origin{path}/.well-known/openid-configuration (same as 'oidc' without a path)
 * - 'oauth-append': RFC 8414 at origin{path}/.well-known/oauth-authorization-server (not a spec location)
 */
export type MetadataVariant = 'oauth' | 'oidc' | 'oidc-append' | 'oauth-append';
export const METADATA_VARIANTS: readonly MetadataVariant[] = ['oauth', 'oidc', 'oidc-append', 'oauth-append'];

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none' | 'private_key_jwt';
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt'];

export interface ClientConfig {
  client_id: string;
  client_secret?: string;
  redirect_uris?: string[];
  /** Default: client_secret_basic with a secret, none without (RFC 7591 §2). */
  token_endpoint_auth_method?: ClientAuthMethod;
  grant_types?: string[];
  scope?: string;
  /** For private_key_jwt: the client's public keys, inline or by URL. */
  jwks?: JSONWebKeySet;
  jwks_uri?: string;
  client_name?: string;
  /**
   * Accept any http loopback redirect URI (RFC 8252 §7.3: a native client's port is chosen at run
   * time), e.g. for a pre-registered client whose harness picks its callback port.
   */
  loopbackRedirects?: boolean;
}

interface Client extends ClientConfig {
  source: 'preregistered' | 'dcr' | 'cimd';
  metadata: Record<string, unknown>;
  token_endpoint_auth_method: ClientAuthMethod;
}

/** A fault of the authorization server, as data. `nth` (1-based) limits it to one request of its endpoint. */
export type AuthServerFault =
  /**
   * The authorization response carries a different `iss` (RFC 9207 mix-up): another issuer
   * (default), or `trailing-slash`, the issuer with a '/' appended — the same after RFC 3986
   * normalization, not under the simple string comparison the spec asks for.
   */
  | { kind: 'wrong-iss'; nth?: number; variant?: 'foreign' | 'trailing-slash' }
  /** The authorization response has no `state`, or a different one. */
  | { kind: 'drop-state'; nth?: number }
  | { kind: 'wrong-state'; nth?: number }
  /** The metadata documents name another issuer than the one they were fetched for. */
  | { kind: 'metadata-issuer-mismatch'; issuer?: string }
  /** An endpoint answers with an OAuth error (authorize: as a redirect; others: JSON with `status`). */
  | { kind: 'error'; endpoint: 'authorize' | 'token' | 'register'; error?: string; status?: number; nth?: number; grantType?: string }
  /** The token endpoint issues access tokens with this flaw (see TokenFlaw). */
  | { kind: 'bad-token'; flaw: NonNullable<MintOptions['flaw']>; nth?: number };

/**
 * A requirement on an authorization server the mock can be told to break, for the auth-server
 * checks' both-ways proof (suites/auth-server): each one is a check that must then fail.
 * - 'any-redirect-uri': an authorization request's redirect_uri need not be registered
 * - 'reuse-code': an authorization code can be redeemed more than once
 * - 'ignore-code-verifier': the token endpoint does not compare code_verifier with the code_challenge
 * - 'ignore-resource': tokens are not audience-restricted to the `resource` asked for (RFC 8707)
 * - 'cacheable-token-response': token responses lack Cache-Control: no-store
 * - 'no-iss-on-error': authorization error responses carry no `iss` (successful ones still do)
 * - 'cimd-no-fetch': a URL client_id is taken on trust, its document never fetched (any loopback redirect URI)
 * - 'cimd-client-id-mismatch': a fetched document whose client_id is not its URL is accepted
 * - 'cimd-any-redirect-uri': a client ID metadata document client may use a redirect_uri its document does not list
 * - 'cimd-not-json': a document that is not JSON is accepted (any loopback redirect URI)
 * - 'cimd-missing-fields': a JSON object document without client_name or redirect_uris is accepted (likewise)
 */
export type AuthServerLeniency =
  | 'any-redirect-uri'
  | 'reuse-code'
  | 'ignore-code-verifier'
  | 'ignore-resource'
  | 'cacheable-token-response'
  | 'no-iss-on-error'
  | 'cimd-no-fetch'
  | 'cimd-client-id-mismatch'
  | 'cimd-any-redirect-uri'
  | 'cimd-not-json'
  | 'cimd-missing-fields';
export const AUTH_SERVER_LENIENCIES: readonly AuthServerLeniency[] = ['any-redirect-uri', 'reuse-code', 'ignore-code-verifier', 'ignore-resource', 'cacheable-token-response', 'no-iss-on-error', 'cimd-no-fetch', 'cimd-client-id-mismatch', 'cimd-any-redirect-uri', 'cimd-not-json', 'cimd-missing-fields'];

export interface AuthServerOptions {
  /** Path part of the issuer (e.g. '/tenant1'; default none: the issuer is the origin). */
  issuerPath?: string;
  /** Which well-known metadata URLs answer (default: 'oauth', 'oidc', 'oidc-append'); [] for none (2025-03-26 default endpoints). */
  metadata?: MetadataVariant[];
  /** code_challenge_methods_supported (default ['S256']); null leaves the field out. */
  codeChallengeMethods?: string[] | null;
  /** Refuse authorization requests without code_challenge_method=S256 (default true). */
  enforcePkce?: boolean;
  /** scopes_supported in the metadata (default: left out). */
  scopesSupported?: string[];
  /** Offer dynamic client registration (default true). */
  registration?: boolean;
  /** Accept client ID metadata documents and advertise it (default true). */
  clientIdMetadataDocuments?: boolean;
  /** Test mode: accept http:// loopback client ID metadata document URLs (default false: https only). */
  allowInsecureClientIdUrls?: boolean;
  /**
   * Client ID metadata document URLs accepted without fetching them, as public clients with any
   * loopback redirect URI: the official conformance suite's harnesses use a placeholder URL that
   * resolves nowhere (OFFICIAL_CIMD_PLACEHOLDER), which its mock accepts as-is.
   */
  unfetchedClientIdUrls?: string[];
  /** token_endpoint_auth_methods_supported (default all four). */
  tokenEndpointAuthMethods?: ClientAuthMethod[];
  /**
   * Dynamic registration asking for an unsupported token_endpoint_auth_method gets the first
   * supported one in the response (RFC 7591 §2: the AS MAY replace requested values) instead of
   * invalid_client_metadata (default false).
   */
  assignAuthMethod?: boolean;
  /** grant_types_supported (default authorization_code, refresh_token, client_credentials). */
  grantTypes?: string[];
  /** Pre-registered clients. */
  clients?: ClientConfig[];
  /** Access token lifetime in seconds (default 3600). */
  accessTokenTtl?: number;
  /** When refresh tokens are issued (default 'always'): 'offline_access' only when that scope was granted. */
  refreshTokens?: 'always' | 'offline_access' | 'never';
  /** Rotate refresh tokens on use (default true). */
  rotateRefreshTokens?: boolean;
  /** Put `iss` in authorization responses (default true). */
  issParameter?: boolean;
  /**
   * authorization_response_iss_parameter_supported (default: as issParameter). Set apart from it,
   * the rows of the 2026-07-28 "Authorization Response Validation" table a client must handle.
   */
  advertiseIss?: boolean;
  /** Refuse requests without `resource` with invalid_target (default false: the log shows it). */
  requireResource?: boolean;
  /**
   * Scopes it will grant (default: whatever is asked). Others are left out of the grant and the
   * token response says so (RFC 6749 §3.3) — e.g. to see whether a client stops stepping up.
   */
  grantScopes?: string[];
  /** Resources tokens may be issued for (default any); another gets invalid_target. */
  acceptedResources?: string[];
  /** aud of tokens issued without a `resource` (serveProtectedMock sets the MCP URL). */
  defaultAudience?: string;
  /** Timeout of fetching client ID metadata documents and jwks_uri (ms, default 5000). */
  fetchTimeoutMs?: number;
  /** Read at each request: a scenario may change them mid-run. */
  faults?: AuthServerFault[];
  /** Requirements it breaks on purpose (default none). */
  lenient?: AuthServerLeniency[];
  /** A log to share with protected resources (default: a new one). */
  log?: AuthLog;
  /**
   * Enterprise-managed authorization, the IdP's part: the token endpoint takes an RFC 8693 token
   * exchange of an ID token it issued (subject_token_type id_token) for an ID-JAG
   * (requested_token_type id-jag, typ oauth-id-jag+jwt) naming `clientId`, the MCP client's
   * client_id at the resource authorization server. grantTypes must list TOKEN_EXCHANGE_GRANT.
   */
  idJagIssuing?: { clientId: string };
  /**
   * Enterprise-managed authorization, the resource AS's part: the token endpoint takes an ID-JAG
   * of this IdP as a JWT bearer grant (RFC 7523; grantTypes must list JWT_BEARER_GRANT).
   */
  idJagTrust?: { issuer: string; keys: JWTVerifyGetKey };
  /**
   * Workload identity federation (the official suite's auth/wif-jwt-bearer, SEP-1933): the token
   * endpoint takes a JWT of this workload issuer as a JWT bearer grant (RFC 7523 §2.1, §3: aud
   * this AS, not expired), for any client registered for that grant.
   */
  workloadTrust?: { issuer: string; keys: JWTVerifyGetKey };
  /**
   * DPoP (RFC 9449; the official suite's auth/dpop and auth/dpop-nonce): advertise
   * dpop_signing_alg_values_supported; a token request with a valid DPoP proof gets a token bound
   * to its key (cnf.jkt, token_type DPoP), one with an invalid proof invalid_dpop_proof, one without
   * a proof a Bearer token as before. With requireNonce, a proof without the current nonce gets
   * use_dpop_nonce and a DPoP-Nonce header (§8).
   */
  dpop?: DpopOptions;
}

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const ID_JAG_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

/** The options that are plain data (what a config file may set), to catch typos. */
export const AUTH_SERVER_OPTION_KEYS: readonly (keyof AuthServerOptions)[] = [
  'issuerPath', 'metadata', 'codeChallengeMethods', 'enforcePkce', 'scopesSupported', 'registration', 'clientIdMetadataDocuments',
  'allowInsecureClientIdUrls', 'unfetchedClientIdUrls', 'tokenEndpointAuthMethods', 'assignAuthMethod', 'grantTypes', 'clients', 'accessTokenTtl', 'refreshTokens',
  'rotateRefreshTokens', 'issParameter', 'advertiseIss', 'grantScopes', 'requireResource', 'acceptedResources', 'defaultAudience', 'fetchTimeoutMs', 'faults', 'lenient', 'dpop',
];
/** The client ID metadata document URL the official conformance suite's client harnesses use (it serves nothing). */
export const OFFICIAL_CIMD_PLACEHOLDER = 'https://conformance-test.local/client-metadata.json';

/** The `iss` a wrong-iss fault names by default. */
export const FOREIGN_ISS = 'https://attacker.example';

export const AUTH_FAULT_KINDS: readonly AuthServerFault['kind'][] = ['wrong-iss', 'drop-state', 'wrong-state', 'metadata-issuer-mismatch', 'error', 'bad-token'];

export interface AuthorizationServer {
  /** The fetch-style handler; serve it with serveHttp() or route to it. */
  handler: (request: Request) => Promise<Response>;
  /** Sets the origin it is served on (the issuer is origin + issuerPath). */
  bind(origin: string): void;
  readonly issuer: string;
  readonly origin: string;
  /** The live options (faults are read at each request). */
  readonly options: AuthServerOptions;
  readonly log: AuthLog;
  /** The metadata document as it is served (RFC 8414; OIDC adds a few fields). */
  metadata(kind?: 'oauth' | 'oidc'): Record<string, unknown>;
  /** Well-known URL of each served metadata variant. */
  metadataUrls(): Partial<Record<MetadataVariant, string>>;
  /** The published keys. */
  jwks(): JSONWebKeySet;
  /** A key getter for jose's jwtVerify (what a resource server in the same process uses). */
  keys(): JWTVerifyGetKey;
  /** An access token signed by this AS, good or deliberately flawed. */
  mintToken(o?: MintOptions): Promise<string>;
  /** Adds a client as if pre-registered. */
  addClient(c: ClientConfig): void;
  readonly clients: ReadonlyMap<string, Readonly<ClientConfig & { source: string }>>;
  /** Endpoint URLs. */
  readonly endpoints: { authorization: string; token: string; registration: string; jwks: string };
}

class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export const CORS_PREFLIGHT = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, mcp-protocol-version',
  'access-control-max-age': '600',
};
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function oauthErrorResponse(e: OAuthError): Response {
  return json(e.status, { error: e.error, error_description: e.description }, { ...NO_STORE, ...e.headers });
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isAbsoluteUriWithoutFragment(v: string): boolean {
  try {
    const u = new URL(v);
    return u.hash === '' && !v.includes('#');
  } catch {
    return false;
  }
}

/** redirect URIs: https, or http on a loopback host (basic/authorization "Communication Security"); custom schemes for native apps. */
function acceptableRedirectUri(v: string): boolean {
  if (!isAbsoluteUriWithoutFragment(v)) return false;
  const u = new URL(v);
  if (u.protocol === 'http:') return LOOPBACK.has(u.hostname);
  return true;
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  redirectUriGiven: boolean;
  codeChallenge: string;
  codeChallengeMethod: string;
  scope: string | undefined;
  resources: string[];
  expiresAt: number;
  used: boolean;
}

interface RefreshGrant {
  clientId: string;
  scope: string | undefined;
  resources: string[];
}

/** Creates the mock authorization server (keys are generated here). Call bind() once it is served. */
export async function createAuthorizationServer(options: AuthServerOptions = {}): Promise<AuthorizationServer> {
  const opts = { ...options };
  const log = opts.log ?? new AuthLog();
  const { createLocalJWKSet, jwtVerify } = await loadJose();
  const key: SigningKey = await newSigningKey();
  let foreign: SigningKey | undefined;
  const localKeys = createLocalJWKSet(jwksOf([key]));
  const issuerPath = (opts.issuerPath ?? '').replace(/\/+$/, '');
  if (issuerPath && !issuerPath.startsWith('/')) throw new Error(`issuerPath must start with "/": ${issuerPath}`);
  let origin = 'http://127.0.0.1';
  const variants = opts.metadata ?? ['oauth', 'oidc', 'oidc-append'];
  const authMethods = opts.tokenEndpointAuthMethods ?? [...CLIENT_AUTH_METHODS];
  const grantTypes = opts.grantTypes ?? ['authorization_code', 'refresh_token', 'client_credentials'];
  const fetchTimeoutMs = opts.fetchTimeoutMs ?? 5_000;
  const counts = new Map<string, number>();
  const clients = new Map<string, Client>();
  const codes = new Map<string, CodeGrant>();
  const refreshTokens = new Map<string, RefreshGrant>();
  const usedAssertions = new Set<string>();
  const remoteJwks = new Map<string, JWTVerifyGetKey>();

  const issuer = () => `${origin}${issuerPath}`;
  const lenient = (l: AuthServerLeniency) => (opts.lenient ?? []).includes(l);
  const endpoints = () => ({
    authorization: `${issuer()}/authorize`,
    token: `${issuer()}/token`,
    registration: `${issuer()}/register`,
    jwks: `${issuer()}/jwks`,
  });

  const fault = <K extends AuthServerFault['kind']>(kind: K, endpointCount: number, match?: (f: Extract<AuthServerFault, { kind: K }>) => boolean) =>
    (opts.faults ?? []).find((f): f is Extract<AuthServerFault, { kind: K }> => {
      if (f.kind !== kind) return false;
      const n = 'nth' in f ? f.nth : undefined;
      if (n !== undefined && n !== endpointCount) return false;
      return match ? match(f as Extract<AuthServerFault, { kind: K }>) : true;
    });

  const addClient = (c: ClientConfig, source: Client['source'] = 'preregistered', metadata: Record<string, unknown> = { ...c }) => {
    const method = c.token_endpoint_auth_method ?? (c.client_secret ? 'client_secret_basic' : c.jwks || c.jwks_uri ? 'private_key_jwt' : 'none');
    clients.set(c.client_id, { ...c, token_endpoint_auth_method: method, source, metadata });
  };
  for (const c of opts.clients ?? []) addClient(c);

  const metadata = (kind: 'oauth' | 'oidc' = 'oauth'): Record<string, unknown> => {
    const e = endpoints();
    const mismatch = (opts.faults ?? []).find((f): f is Extract<AuthServerFault, { kind: 'metadata-issuer-mismatch' }> => f.kind === 'metadata-issuer-mismatch');
    const m: Record<string, unknown> = {
      issuer: mismatch ? (mismatch.issuer ?? 'https://honest.example') : issuer(),
      authorization_endpoint: e.authorization,
      token_endpoint: e.token,
      jwks_uri: e.jwks,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: grantTypes,
      token_endpoint_auth_methods_supported: authMethods,
    };
    if (authMethods.includes('private_key_jwt')) m.token_endpoint_auth_signing_alg_values_supported = ['ES256', 'RS256', 'PS256', 'EdDSA'];
    if (opts.registration ?? true) m.registration_endpoint = e.registration;
    if (opts.scopesSupported) m.scopes_supported = opts.scopesSupported;
    const ccm = opts.codeChallengeMethods === undefined ? ['S256'] : opts.codeChallengeMethods;
    if (ccm !== null) m.code_challenge_methods_supported = ccm;
    if (opts.advertiseIss ?? opts.issParameter ?? true) m.authorization_response_iss_parameter_supported = true;
    if (opts.clientIdMetadataDocuments ?? true) m.client_id_metadata_document_supported = true;
    if (opts.dpop) m.dpop_signing_alg_values_supported = [...DPOP_ADVERTISED_ALGS];
    if (kind === 'oidc') {
      m.subject_types_supported = ['public'];
      m.id_token_signing_alg_values_supported = [TOKEN_ALG];
    }
    return m;
  };

  const metadataPaths = (): Partial<Record<MetadataVariant, string>> => {
    const p: Partial<Record<MetadataVariant, string>> = {};
    for (const v of variants) {
      if (v === 'oauth') p.oauth = `/.well-known/oauth-authorization-server${issuerPath}`;
      else if (v === 'oidc') p.oidc = `/.well-known/openid-configuration${issuerPath}`;
      else if (v === 'oidc-append') p['oidc-append'] = `${issuerPath}/.well-known/openid-configuration`;
      else if (v === 'oauth-append') p['oauth-append'] = `${issuerPath}/.well-known/oauth-authorization-server`;
    }
    return p;
  };

  /** Fetches with a timeout, logging the outbound request. */
  const fetchLogged = async (endpoint: AuthEndpoint, url: string, clientId: string): Promise<{ status: number; text: string; contentType: string }> => {
    const at = Date.now();
    let status = 0;
    let text = '';
    let contentType = '';
    let reason: string | undefined;
    try {
      const r = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(fetchTimeoutMs) });
      status = r.status;
      contentType = r.headers.get('content-type') ?? '';
      text = await r.text();
    } catch (err) {
      reason = `fetch failed: ${(err as Error).message}`;
    }
    const rec: Omit<AuthRecord, 'seq'> = { at, side: 'as', endpoint, method: 'GET', url, headers: {}, body: '', params: {}, paramList: [], status, responseHeaders: contentType ? { 'content-type': contentType } : {}, responseBody: clip(text), clientId };
    if (reason) rec.reason = reason;
    log.add(rec);
    if (reason) throw new OAuthError('invalid_client', `could not fetch ${url}: ${reason}`);
    return { status, text, contentType };
  };

  const isUrlClientId = (id: string): boolean => {
    try {
      const u = new URL(id);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  };

  /** A client ID metadata document (basic/authorization "Client ID Metadata Documents"), fetched and checked. */
  const cimdClient = async (id: string): Promise<Client> => {
    const u = new URL(id);
    const insecureOk = opts.allowInsecureClientIdUrls === true && u.protocol === 'http:' && LOOPBACK.has(u.hostname);
    if (u.protocol !== 'https:' && !insecureOk) throw new OAuthError('invalid_client', `client_id URL must use https: ${id}`);
    if (u.pathname === '/' || u.pathname === '') throw new OAuthError('invalid_client', `client_id URL must have a path component: ${id}`);
    const { status, text } = await fetchLogged('cimd-fetch', id, id);
    if (status !== 200) throw new OAuthError('invalid_client', `client ID metadata document ${id} answered HTTP ${status}`);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined;
    }
    const isObj = typeof doc === 'object' && doc !== null && !Array.isArray(doc);
    const fields = isObj && typeof (doc as Record<string, unknown>).client_name === 'string' && Array.isArray((doc as Record<string, unknown>).redirect_uris);
    if ((doc === undefined && lenient('cimd-not-json')) || (isObj && !fields && lenient('cimd-missing-fields'))) {
      // The break: whatever came back stands as a client, any loopback redirect URI allowed.
      addClient({ client_id: id, token_endpoint_auth_method: 'none', loopbackRedirects: true }, 'cimd', { client_id: id, invalid: true });
      return clients.get(id)!;
    }
    if (doc === undefined) throw new OAuthError('invalid_client', `client ID metadata document ${id} is not JSON`);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new OAuthError('invalid_client', 'client ID metadata document is not a JSON object');
    const d = doc as Record<string, unknown>;
    if (d.client_id !== id && !lenient('cimd-client-id-mismatch')) throw new OAuthError('invalid_client', `client ID metadata document's client_id ${JSON.stringify(d.client_id)} does not match its URL ${id}`);
    if (typeof d.client_name !== 'string') throw new OAuthError('invalid_client', 'client ID metadata document lacks client_name');
    if (!Array.isArray(d.redirect_uris) || !d.redirect_uris.every((x) => typeof x === 'string')) throw new OAuthError('invalid_client', 'client ID metadata document lacks redirect_uris');
    const method = (d.token_endpoint_auth_method as ClientAuthMethod | undefined) ?? 'none';
    if (method === 'client_secret_basic' || method === 'client_secret_post') throw new OAuthError('invalid_client', `a client ID metadata document client cannot use ${method} (it has no secret)`);
    const c: ClientConfig = { client_id: id, redirect_uris: d.redirect_uris as string[], token_endpoint_auth_method: method, client_name: d.client_name };
    if (Array.isArray(d.grant_types)) c.grant_types = d.grant_types as string[];
    if (typeof d.jwks === 'object' && d.jwks !== null) c.jwks = d.jwks as JSONWebKeySet;
    if (typeof d.jwks_uri === 'string') c.jwks_uri = d.jwks_uri;
    // Cached per run: a fetched document stands until the AS is gone (no HTTP cache semantics).
    addClient(c, 'cimd', d);
    return clients.get(id)!;
  };

  const findClient = async (id: string | undefined): Promise<Client> => {
    if (!id) throw new OAuthError('invalid_request', 'client_id is required');
    const known = clients.get(id);
    if (known) return known;
    if ((opts.clientIdMetadataDocuments ?? true) && (opts.unfetchedClientIdUrls ?? []).includes(id)) {
      addClient({ client_id: id, token_endpoint_auth_method: 'none', loopbackRedirects: true }, 'cimd', { client_id: id, unfetched: true });
      return clients.get(id)!;
    }
    if ((opts.clientIdMetadataDocuments ?? true) && isUrlClientId(id)) {
      if (lenient('cimd-no-fetch')) {
        addClient({ client_id: id, token_endpoint_auth_method: 'none', loopbackRedirects: true }, 'cimd', { client_id: id, unfetched: true });
        return clients.get(id)!;
      }
      return cimdClient(id);
    }
    throw new OAuthError('invalid_client', `unknown client_id ${id}`, 401);
  };

  /** The part of a requested scope it grants (grantScopes), undefined for none. */
  const grantable = (asked: string | undefined): string | undefined => {
    if (!asked) return undefined;
    const list = asked.split(' ').filter(Boolean);
    const granted = opts.grantScopes ? list.filter((x) => opts.grantScopes!.includes(x)) : list;
    return granted.length ? granted.join(' ') : undefined;
  };

  const checkResources = (resources: string[]): void => {
    for (const r of resources) {
      if (!isAbsoluteUriWithoutFragment(r)) throw new OAuthError('invalid_target', `resource must be an absolute URI without a fragment: ${r}`);
      if (opts.acceptedResources && !opts.acceptedResources.includes(r)) throw new OAuthError('invalid_target', `tokens are not issued for ${r}`);
    }
    if (opts.requireResource && resources.length === 0) throw new OAuthError('invalid_target', 'the resource parameter is required');
  };

  const wantsRefresh = (scope: string | undefined): boolean => {
    const policy = opts.refreshTokens ?? 'always';
    if (policy === 'never' || !grantTypes.includes('refresh_token')) return false;
    if (policy === 'offline_access') return (scope ?? '').split(' ').includes('offline_access');
    return true;
  };

  let tokenCount = 0;
  const issueTokens = async (client: Client, scope: string | undefined, resources: string[], withRefresh: boolean, subject = 'mock-user', jkt?: string): Promise<Record<string, unknown>> => {
    tokenCount++;
    const ttl = opts.accessTokenTtl ?? 3600;
    const bad = fault('bad-token', tokenCount);
    const mo: MintOptions = { clientId: client.client_id, subject, ttlSeconds: ttl };
    if (resources.length && !lenient('ignore-resource')) mo.audience = resources.length === 1 ? resources[0]! : resources;
    if (scope) mo.scope = scope;
    if (bad) mo.flaw = bad.flaw;
    // RFC 9449 §6.1: a DPoP-bound JWT names the key's thumbprint in cnf.jkt; §5: token_type DPoP.
    if (jkt) mo.claims = { cnf: { jkt } };
    const body: Record<string, unknown> = { access_token: await mint(mo), token_type: jkt ? 'DPoP' : 'Bearer', expires_in: ttl };
    if (scope) body.scope = scope;
    if (withRefresh) {
      const rt = randomBytes(24).toString('base64url');
      refreshTokens.set(rt, { clientId: client.client_id, scope, resources });
      body.refresh_token = rt;
    }
    return body;
  };

  const mint = (o: MintOptions = {}) =>
    mintJwt(
      {
        issuer: issuer(),
        key,
        foreignKey: async () => (foreign ??= await newSigningKey()),
        ...(opts.defaultAudience !== undefined ? { defaultAudience: opts.defaultAudience } : {}),
      },
      o,
    );

  // ---- endpoints -------------------------------------------------------------------------

  const authorize = async (params: URLSearchParams, note: (r: Partial<AuthRecord>) => void): Promise<Response> => {
    const n = (counts.get('authorize') ?? 0) + 1;
    counts.set('authorize', n);
    const clientId = params.get('client_id') ?? undefined;
    if (clientId) note({ clientId });
    // An unknown client is told to the user, never redirected (RFC 6749 §4.1.2.1): a plain 400.
    const client = await findClient(clientId).catch((e: unknown) => {
      throw e instanceof OAuthError ? new OAuthError(e.error, e.description, 400) : e;
    });
    const registered = client.redirect_uris ?? [];
    const given = params.get('redirect_uri');
    let redirectUri: string;
    if (given !== null) {
      // Exact match against the registered values (basic/authorization "Open Redirection").
      const loopbackOk = client.loopbackRedirects === true && acceptableRedirectUri(given) && new URL(given).protocol === 'http:';
      const anyOk = lenient('any-redirect-uri') || (client.source === 'cimd' && lenient('cimd-any-redirect-uri'));
      if (!registered.includes(given) && !loopbackOk && !anyOk) throw new OAuthError('invalid_request', `redirect_uri ${given} is not registered for this client`);
      redirectUri = given;
    } else if (registered.length === 1) redirectUri = registered[0]!;
    else throw new OAuthError('invalid_request', 'redirect_uri is required');

    const state = params.get('state');
    const redirect = (q: Record<string, string>): Response => {
      const u = new URL(redirectUri);
      for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
      const dropState = fault('drop-state', n);
      const wrongState = fault('wrong-state', n);
      if (state !== null && !dropState) u.searchParams.set('state', wrongState ? `${state}-tampered` : state);
      const wrongIss = fault('wrong-iss', n);
      if ((opts.issParameter ?? true) && !('error' in q && lenient('no-iss-on-error'))) u.searchParams.set('iss', !wrongIss ? issuer() : wrongIss.variant === 'trailing-slash' ? `${issuer()}/` : FOREIGN_ISS);
      return new Response(null, { status: 302, headers: { location: u.href, 'cache-control': 'no-store' } });
    };
    const refuse = (error: string, description: string): Response => {
      note({ error, reason: description });
      return redirect({ error, error_description: description });
    };

    if (params.get('response_type') !== 'code') return refuse('unsupported_response_type', `response_type must be "code", got ${JSON.stringify(params.get('response_type'))}`);
    if (client.grant_types && !client.grant_types.includes('authorization_code')) return refuse('unauthorized_client', 'the client is not registered for authorization_code');
    const challenge = params.get('code_challenge');
    const method = params.get('code_challenge_method');
    if (opts.enforcePkce ?? true) {
      // PKCE with S256 (basic/authorization "Authorization Code Protection"; OAuth 2.1 §4.1.1).
      if (!challenge) return refuse('invalid_request', 'code_challenge is required (PKCE)');
      if (method !== 'S256') return refuse('invalid_request', `code_challenge_method must be S256, got ${JSON.stringify(method)}`);
      if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return refuse('invalid_request', 'code_challenge is not a base64url SHA-256 value');
    }
    const resources = params.getAll('resource');
    try {
      checkResources(resources);
    } catch (e) {
      if (e instanceof OAuthError) return refuse(e.error, e.description);
      throw e;
    }
    const forced = fault('error', n, (f) => f.endpoint === 'authorize');
    if (forced) return refuse(forced.error ?? 'access_denied', 'fault injection');
    const code = randomBytes(24).toString('base64url');
    const scope = grantable(params.get('scope') ?? undefined);
    codes.set(code, { clientId: client.client_id, redirectUri, redirectUriGiven: given !== null, codeChallenge: challenge ?? '', codeChallengeMethod: method ?? 'plain', scope: scope || undefined, resources, expiresAt: Date.now() + 60_000, used: false });
    return redirect({ code });
  };

  /** Authenticates the client at the token endpoint; returns the method it used. */
  const authenticateClient = async (request: Request, form: URLSearchParams, note: (r: Partial<AuthRecord>) => void): Promise<Client> => {
    const authz = request.headers.get('authorization');
    const used: ClientAuthMethod[] = [];
    let basic: { id: string; secret: string } | undefined;
    if (authz && /^basic /i.test(authz)) {
      used.push('client_secret_basic');
      const raw = Buffer.from(authz.slice(6).trim(), 'base64').toString('utf8');
      const i = raw.indexOf(':');
      if (i < 0) throw new OAuthError('invalid_client', 'malformed Basic credentials', 401, { 'www-authenticate': 'Basic realm="token"' });
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
      const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      basic = { id: dec(raw.slice(0, i)), secret: dec(raw.slice(i + 1)) };
    }
    const assertion = form.get('client_assertion');
    if (assertion !== null) used.push('private_key_jwt');
    if (form.get('client_secret') !== null) used.push('client_secret_post');
    if (used.length > 1) throw new OAuthError('invalid_request', `more than one client authentication method used: ${used.join(', ')}`);
    const method: ClientAuthMethod = used[0] ?? 'none';
    note({ clientAuth: method });
    let clientId = basic?.id ?? form.get('client_id') ?? undefined;
    if (method === 'private_key_jwt' && !clientId) {
      try {
        const payload = JSON.parse(Buffer.from(assertion!.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
        if (typeof payload.sub === 'string') clientId = payload.sub;
      } catch {
        // handled below as an invalid assertion
      }
    }
    if (clientId) note({ clientId });
    if (basic && form.get('client_id') !== null && form.get('client_id') !== basic.id) throw new OAuthError('invalid_request', 'client_id in the body differs from the Basic credentials');
    const client = await findClient(clientId);
    if (!authMethods.includes(method)) throw new OAuthError('invalid_client', `client authentication method ${method} is not supported`, 401);
    if (client.token_endpoint_auth_method !== method) {
      throw new OAuthError('invalid_client', `the client is registered for ${client.token_endpoint_auth_method}, not ${method}`, 401, method === 'client_secret_basic' ? { 'www-authenticate': 'Basic realm="token"' } : {});
    }
    if (method === 'client_secret_basic' || method === 'client_secret_post') {
      const secret = basic?.secret ?? form.get('client_secret') ?? '';
      if (!client.client_secret || !safeEqual(secret, client.client_secret)) {
        throw new OAuthError('invalid_client', 'wrong client secret', 401, method === 'client_secret_basic' ? { 'www-authenticate': 'Basic realm="token"' } : {});
      }
    } else if (method === 'private_key_jwt') {
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') throw new OAuthError('invalid_client', 'client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 401);
      let keys: JWTVerifyGetKey;
      if (client.jwks) keys = createLocalJWKSet(client.jwks);
      else if (client.jwks_uri) {
        const uri = client.jwks_uri;
        keys =
          remoteJwks.get(uri) ??
          (async (header, token) => {
            const { status, text } = await fetchLogged('jwks-fetch', uri, client.client_id);
            if (status !== 200) throw new OAuthError('invalid_client', `jwks_uri answered HTTP ${status}`, 401);
            return createLocalJWKSet(JSON.parse(text) as JSONWebKeySet)(header, token);
          });
        remoteJwks.set(uri, keys);
      } else throw new OAuthError('invalid_client', 'the client has no keys (jwks or jwks_uri) for private_key_jwt', 401);
      try {
        // RFC 7523 §3: iss and sub are the client_id; aud is the issuer (or the token endpoint).
        const { payload } = await jwtVerify(assertion!, keys, { issuer: client.client_id, subject: client.client_id, audience: [issuer(), endpoints().token], maxTokenAge: '10m' });
        if (typeof payload.jti === 'string') {
          if (usedAssertions.has(payload.jti)) throw new OAuthError('invalid_client', 'client_assertion jti was already used', 401);
          usedAssertions.add(payload.jti);
        }
      } catch (e) {
        if (e instanceof OAuthError) throw e;
        throw new OAuthError('invalid_client', `client_assertion rejected: ${(e as Error).message}`, 401);
      }
    }
    return client;
  };

  // DPoP at the token endpoint (RFC 9449 §5, §8): the thumbprint to bind the token to, or undefined (no proof: a Bearer token).
  const dpopJtis = new Set<string>();
  const dpopNonce = newNonce();
  const dpopAtToken = async (request: Request, note: (r: Partial<AuthRecord>) => void): Promise<string | undefined> => {
    const header = request.headers.get('dpop');
    if (!opts.dpop || header === null) return undefined;
    const seen = await checkProof(header, { method: 'POST', url: endpoints().token });
    if (!seen.error && dpopJtis.has(seen.jti!)) seen.error = `jti ${seen.jti} was used before (a replayed proof)`;
    note({ dpop: seen });
    if (seen.error) throw new OAuthError('invalid_dpop_proof', seen.error);
    dpopJtis.add(seen.jti!);
    if (opts.dpop.requireNonce && seen.nonce !== dpopNonce) {
      seen.nonceChallenged = true;
      throw new OAuthError('use_dpop_nonce', seen.nonce === undefined ? 'the authorization server requires a DPoP nonce' : 'the DPoP nonce is not the current one', 400, { 'dpop-nonce': dpopNonce });
    }
    return seen.jkt;
  };

  const token = async (request: Request, form: URLSearchParams, note: (r: Partial<AuthRecord>) => void): Promise<Response> => {
    const n = (counts.get('token') ?? 0) + 1;
    counts.set('token', n);
    const grantType = form.get('grant_type') ?? '';
    const forced = fault('error', n, (f) => f.endpoint === 'token' && (f.grantType === undefined || f.grantType === grantType));
    // DPoP first: a proof refused (or sent back for a nonce) must not use up the code or assertion.
    const jkt = await dpopAtToken(request, note);
    const client = await authenticateClient(request, form, note);
    if (forced) throw new OAuthError(forced.error ?? 'invalid_grant', 'fault injection', forced.status ?? 400);
    if (!grantTypes.includes(grantType)) throw new OAuthError('unsupported_grant_type', `grant_type ${JSON.stringify(grantType)} is not supported`);
    if (client.grant_types && !client.grant_types.includes(grantType) && !(grantType === 'refresh_token')) throw new OAuthError('unauthorized_client', `the client is not registered for ${grantType}`);
    const resources = form.getAll('resource');
    checkResources(resources);
    let body: Record<string, unknown>;
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      const grant = codes.get(code);
      if (!grant) throw new OAuthError('invalid_grant', 'unknown authorization code');
      if (grant.used && !lenient('reuse-code')) {
        codes.delete(code);
        throw new OAuthError('invalid_grant', 'authorization code was already used');
      }
      grant.used = true;
      if (grant.expiresAt < Date.now()) throw new OAuthError('invalid_grant', 'authorization code expired');
      if (grant.clientId !== client.client_id) throw new OAuthError('invalid_grant', 'authorization code was issued to another client');
      const ru = form.get('redirect_uri');
      if (grant.redirectUriGiven && ru !== grant.redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri differs from the authorization request');
      const verifier = form.get('code_verifier');
      if (!lenient('ignore-code-verifier') && (grant.codeChallenge || (opts.enforcePkce ?? true))) {
        if (!verifier) throw new OAuthError('invalid_grant', 'code_verifier is required (PKCE)');
        if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) throw new OAuthError('invalid_grant', 'code_verifier is not 43-128 unreserved characters');
        // 'plain' can only get here with enforcePkce off (OAuth 2.1 §4.1.3 still allows it).
        const derived = grant.codeChallengeMethod === 'S256' ? s256(verifier) : verifier;
        if (derived !== grant.codeChallenge) throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
      }
      // RFC 8707 §2.2: the token request's resources must be among the authorized ones.
      if (resources.length && grant.resources.length && !resources.every((r) => grant.resources.includes(r))) throw new OAuthError('invalid_target', 'resource differs from the authorization request');
      const res = resources.length ? resources : grant.resources;
      body = await issueTokens(client, grant.scope, res, wantsRefresh(grant.scope), undefined, jkt);
    } else if (grantType === 'refresh_token') {
      const rt = form.get('refresh_token') ?? '';
      const grant = refreshTokens.get(rt);
      if (!grant) throw new OAuthError('invalid_grant', 'unknown refresh token');
      if (grant.clientId !== client.client_id) throw new OAuthError('invalid_grant', 'refresh token was issued to another client');
      const asked = form.get('scope');
      let scope = grant.scope;
      if (asked) {
        const had = new Set((grant.scope ?? '').split(' ').filter(Boolean));
        const extra = asked.split(' ').filter((s) => s && !had.has(s));
        if (extra.length) throw new OAuthError('invalid_scope', `refresh cannot add scopes: ${extra.join(' ')}`);
        scope = asked;
      }
      if (resources.length && grant.resources.length && !resources.every((r) => grant.resources.includes(r))) throw new OAuthError('invalid_target', 'resource was not part of the original grant');
      const rotate = opts.rotateRefreshTokens ?? true;
      if (rotate) refreshTokens.delete(rt);
      body = await issueTokens(client, scope, resources.length ? resources : grant.resources, rotate, undefined, jkt);
      if (!rotate) body.refresh_token = rt;
    } else if (grantType === 'client_credentials') {
      if (client.token_endpoint_auth_method === 'none') throw new OAuthError('unauthorized_client', 'client_credentials needs a confidential client');
      const scope = grantable(form.get('scope') ?? undefined);
      // No refresh token for client credentials (OAuth 2.1 §4.2.2).
      body = await issueTokens(client, scope, resources, false, client.client_id, jkt); // the client acts for itself
    } else if (grantType === TOKEN_EXCHANGE_GRANT && opts.idJagIssuing) {
      // The IdP (enterprise-managed authorization §4): an ID token of its own for an ID-JAG.
      const missing = ['subject_token', 'audience'].filter((k) => !form.get(k));
      if (missing.length) throw new OAuthError('invalid_request', `token exchange without ${missing.join(', ')}`);
      if (form.get('subject_token_type') !== ID_TOKEN_TYPE) throw new OAuthError('invalid_request', `subject_token_type must be ${ID_TOKEN_TYPE}`);
      if (form.get('requested_token_type') !== ID_JAG_TYPE) throw new OAuthError('invalid_request', `requested_token_type must be ${ID_JAG_TYPE}`);
      let sub: string;
      try {
        const { payload } = await jwtVerify(form.get('subject_token')!, localKeys, { issuer: issuer() });
        sub = String(payload.sub ?? '');
      } catch (e) {
        throw new OAuthError('invalid_grant', `subject_token is no ID token of this IdP: ${(e as Error).message}`);
      }
      const claims: Record<string, unknown> = {};
      if (resources[0] !== undefined) claims.resource = resources[0];
      const scope = form.get('scope');
      const jag = await mint({ audience: form.get('audience')!, subject: sub, clientId: opts.idJagIssuing.clientId, typ: 'oauth-id-jag+jwt', ttlSeconds: 300, ...(scope ? { scope } : {}), claims });
      body = { access_token: jag, issued_token_type: ID_JAG_TYPE, token_type: 'N_A', expires_in: 300, ...(scope ? { scope } : {}) };
    } else if (grantType === JWT_BEARER_GRANT && opts.workloadTrust) {
      const assertion = form.get('assertion');
      if (!assertion) throw new OAuthError('invalid_request', 'assertion is required');
      let sub: string;
      try {
        ({ payload: { sub = '' } } = await jwtVerify(assertion, opts.workloadTrust.keys, { issuer: opts.workloadTrust.issuer, audience: [issuer(), `${issuer()}/`, endpoints().token], requiredClaims: ['exp', 'sub'] }));
      } catch (e) {
        throw new OAuthError('invalid_grant', `assertion is no workload JWT of ${opts.workloadTrust.issuer} for ${issuer()}: ${(e as Error).message}`);
      }
      body = await issueTokens(client, grantable(form.get('scope') ?? undefined), resources, false, sub, jkt);
    } else if (grantType === JWT_BEARER_GRANT && opts.idJagTrust) {
      // The resource AS (enterprise-managed authorization §5): an ID-JAG of the trusted IdP, for the client it names.
      const assertion = form.get('assertion');
      if (!assertion) throw new OAuthError('invalid_request', 'assertion is required');
      let jag: Record<string, unknown>;
      try {
        ({ payload: jag } = await jwtVerify(assertion, opts.idJagTrust.keys, { issuer: opts.idJagTrust.issuer, audience: [issuer(), `${issuer()}/`], typ: 'oauth-id-jag+jwt' }));
      } catch (e) {
        throw new OAuthError('invalid_grant', `assertion is no ID-JAG of ${opts.idJagTrust.issuer} for ${issuer()}: ${(e as Error).message}`);
      }
      if (jag.client_id !== client.client_id) throw new OAuthError('invalid_grant', `the ID-JAG names the client ${String(jag.client_id)}, not ${client.client_id}`);
      const asked = form.get('scope')?.split(' ').filter(Boolean);
      const granted = typeof jag.scope === 'string' ? jag.scope.split(' ').filter((x) => !asked || asked.includes(x)) : asked;
      const res = typeof jag.resource === 'string' ? [jag.resource] : resources;
      body = await issueTokens(client, granted?.length ? granted.join(' ') : undefined, res, false, String(jag.sub ?? 'mock-user'), jkt);
    } else throw new OAuthError('unsupported_grant_type', `grant_type ${grantType} is not implemented`);
    return json(200, body, lenient('cacheable-token-response') ? { 'cache-control': 'max-age=300' } : NO_STORE);
  };

  const register = async (bodyText: string, note: (r: Partial<AuthRecord>) => void): Promise<Response> => {
    const n = (counts.get('register') ?? 0) + 1;
    counts.set('register', n);
    let doc: unknown;
    try {
      doc = JSON.parse(bodyText);
    } catch {
      throw new OAuthError('invalid_client_metadata', 'the registration request is not JSON');
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new OAuthError('invalid_client_metadata', 'the registration request is not a JSON object');
    const d = doc as Record<string, unknown>;
    const forced = fault('error', n, (f) => f.endpoint === 'register');
    if (forced) throw new OAuthError(forced.error ?? 'invalid_client_metadata', 'fault injection', forced.status ?? 400);
    const grants = Array.isArray(d.grant_types) ? (d.grant_types as string[]) : ['authorization_code'];
    const redirects = d.redirect_uris;
    if (grants.includes('authorization_code')) {
      if (!Array.isArray(redirects) || redirects.length === 0 || !redirects.every((r) => typeof r === 'string')) throw new OAuthError('invalid_redirect_uri', 'redirect_uris is required for authorization_code clients');
      const bad = (redirects as string[]).find((r) => !acceptableRedirectUri(r));
      if (bad) throw new OAuthError('invalid_redirect_uri', `redirect URI ${bad} must be https or a loopback http URL, without a fragment`);
    }
    let method = (d.token_endpoint_auth_method as ClientAuthMethod | undefined) ?? 'client_secret_basic';
    if (!authMethods.includes(method)) {
      if (!opts.assignAuthMethod) throw new OAuthError('invalid_client_metadata', `token_endpoint_auth_method ${method} is not supported`);
      method = authMethods[0]!; // the response tells the client what it got
    }
    if (method === 'private_key_jwt' && d.jwks === undefined && d.jwks_uri === undefined) throw new OAuthError('invalid_client_metadata', 'private_key_jwt needs jwks or jwks_uri');
    const c: ClientConfig = { client_id: `dcr-${randomUUID()}`, token_endpoint_auth_method: method, grant_types: grants };
    if (Array.isArray(redirects)) c.redirect_uris = redirects as string[];
    if (method === 'client_secret_basic' || method === 'client_secret_post') c.client_secret = randomBytes(24).toString('base64url');
    if (typeof d.scope === 'string') c.scope = d.scope;
    if (typeof d.client_name === 'string') c.client_name = d.client_name;
    if (typeof d.jwks === 'object' && d.jwks !== null) c.jwks = d.jwks as JSONWebKeySet;
    if (typeof d.jwks_uri === 'string') c.jwks_uri = d.jwks_uri;
    addClient(c, 'dcr', d);
    note({ clientId: c.client_id });
    const out: Record<string, unknown> = { ...d, ...c, client_id_issued_at: Math.floor(Date.now() / 1000) };
    if (c.client_secret) out.client_secret_expires_at = 0;
    return json(201, out, NO_STORE);
  };

  const handler = async (request: Request): Promise<Response> => {
    const at = Date.now();
    const url = new URL(request.url);
    const bodyText = request.method === 'POST' ? await request.text().catch(() => '') : '';
    const ct = (request.headers.get('content-type') ?? '').toLowerCase();
    const form = request.method === 'POST' && ct.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(bodyText) : url.searchParams;
    const extra: Partial<AuthRecord> = {};
    const note = (r: Partial<AuthRecord>) => Object.assign(extra, r);
    const path = url.pathname;
    const e = endpoints();
    const paths = metadataPaths();
    let endpoint: AuthEndpoint = 'unknown';
    let response: Response;
    // Browser-based clients read metadata and call the token endpoint cross-origin.
    if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS_PREFLIGHT });
    try {
      const variant = (Object.entries(paths) as [MetadataVariant, string][]).find(([, p]) => p === path)?.[0];
      if (variant) {
        endpoint = variant.startsWith('oidc') ? 'oidc-metadata' : 'as-metadata';
        extra.variant = variant;
        response = request.method === 'GET' ? json(200, metadata(variant.startsWith('oidc') ? 'oidc' : 'oauth')) : new Response(null, { status: 405, headers: { allow: 'GET' } });
      } else if (path === new URL(e.jwks).pathname) {
        endpoint = 'jwks';
        response = json(200, jwksOf([key]));
      } else if (path === new URL(e.authorization).pathname) {
        endpoint = 'authorize';
        if (request.method !== 'GET' && request.method !== 'POST') response = new Response(null, { status: 405, headers: { allow: 'GET, POST' } });
        else response = await authorize(form, note);
      } else if (path === new URL(e.token).pathname) {
        endpoint = 'token';
        if (request.method !== 'POST') response = new Response(null, { status: 405, headers: { allow: 'POST' } });
        else if (!ct.startsWith('application/x-www-form-urlencoded')) throw new OAuthError('invalid_request', 'the token request must be application/x-www-form-urlencoded');
        else response = await token(request, form, note);
      } else if (path === new URL(e.registration).pathname && (opts.registration ?? true)) {
        endpoint = 'register';
        if (request.method !== 'POST') response = new Response(null, { status: 405, headers: { allow: 'POST' } });
        else response = await register(bodyText, note);
      } else response = json(404, { error: 'not_found', error_description: `nothing at ${path}` });
    } catch (err) {
      const e = err instanceof OAuthError ? err : new OAuthError('server_error', `mock authorization server failed: ${(err as Error).message}`, 500);
      extra.error = e.error;
      extra.reason = e.description;
      response = oauthErrorResponse(e);
    }
    response.headers.set('access-control-allow-origin', '*');
    const paramList: [string, string][] = endpoint === 'register' ? [] : [...form.entries()];
    let params: Record<string, string> = {};
    for (const [k, v] of paramList) if (!(k in params)) params[k] = v;
    if (endpoint === 'register') {
      try {
        params = Object.fromEntries(Object.entries(JSON.parse(bodyText) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
      } catch {
        params = {};
      }
    }
    const responseBody = response.body && response.headers.get('content-type')?.includes('json') ? await response.clone().text() : '';
    if (response.status >= 400 && extra.error === undefined && responseBody) {
      try {
        const b = JSON.parse(responseBody) as { error?: unknown };
        if (typeof b.error === 'string') extra.error = b.error;
      } catch {
        // not JSON
      }
    }
    const loc = response.headers.get('location');
    if (loc && extra.error === undefined) {
      const err = new URL(loc).searchParams.get('error');
      if (err) extra.error = err;
    }
    log.add({ at, side: 'as', endpoint, method: request.method, url: request.url, headers: headersOf(request.headers), body: clip(bodyText), params, paramList, status: response.status, responseHeaders: headersOf(response.headers), responseBody: clip(responseBody), ...extra });
    return response;
  };

  return {
    handler,
    bind(o: string) {
      origin = o.replace(/\/+$/, '');
    },
    get issuer() {
      return issuer();
    },
    get origin() {
      return origin;
    },
    options: opts,
    log,
    metadata,
    metadataUrls: () => Object.fromEntries(Object.entries(metadataPaths()).map(([k, p]) => [k, `${origin}${p}`])) as Partial<Record<MetadataVariant, string>>,
    jwks: () => jwksOf([key]),
    keys: () => localKeys,
    mintToken: (o?: MintOptions) => mint(o),
    addClient: (c: ClientConfig) => addClient(c),
    clients,
    get endpoints() {
      return endpoints();
    },
  };
}

/** A key getter for a remote AS's jwks_uri (a resource server in another process). */
export function remoteKeys(jwksUri: string): JWTVerifyGetKey {
  let keys: JWTVerifyGetKey | undefined;
  return async (header, token) => {
    keys ??= (await loadJose()).createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5_000 });
    return keys(header, token);
  };
}
