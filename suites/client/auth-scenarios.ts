// The client auth scenarios: the scenario's mock MCP server served as an OAuth-protected resource
// (mock-server/auth) with a mock authorization server configured per scenario. The client under
// test is expected to go through MCP authorization (basic/authorization) and then list tools and
// call them — or, in the scenarios whose setup is wrong on purpose, to refuse to go on.
//
// Names shared with the official conformance suite (`auth/metadata-default`, …) expect the same
// client behaviour there and here, and MCP_CONFORMANCE_CONTEXT carries credentials under the same
// field names (client_id, client_secret; private_key_pem and signing_algorithm for private_key_jwt),
// so a client harness written for it runs unchanged. The others are mcp-conform's own.
import { generateKeyPairSync } from 'node:crypto';
import { PRM_REVISIONS, revisionsFrom, type Revision } from '../../schema/index.ts';
import type { AuthServerOptions, ProtectedResourceOptions } from '../../mock-server/index.ts';

/** How an auth scenario's mock is protected. */
export interface AuthSetup {
  /** The mock authorization server's options (its log is the run's). */
  authorizationServer?: Omit<AuthServerOptions, 'log'>;
  /** The resource server's options (authorizationServers and keys are filled in). */
  resource?: Partial<Omit<ProtectedResourceOptions, 'fallback' | 'log' | 'path' | 'keys'>>;
  /** 2025-03-26: the authorization server lives on the MCP server's origin; no PRM. */
  sameOrigin?: boolean;
  /** What the client should end up doing: get through to the MCP server, or refuse to go on. */
  outcome: 'authorized' | 'refuses';
  /**
   * After the first request served with a token (other than initialize: the official suite's
   * harness lists tools, then calls one), the PRM names this second authorization server instead,
   * and tokens of the first are no longer accepted (the server also offers a second tool, so the
   * client has a request to make afterwards).
   */
  switchTo?: Omit<AuthServerOptions, 'log'>;
  /**
   * Enterprise-managed authorization (an extension): a second mock authorization server acts as
   * the enterprise IdP, which exchanges the ID token it hands the client (in the context) for an
   * ID-JAG naming `clientId`; the scenario's AS takes that ID-JAG as a JWT bearer grant.
   */
  enterpriseIdp?: { clientId: string; idpClientId: string; subject: string };
  /**
   * Workload identity federation (an extension): a workload issuer the AS trusts mints JWTs for
   * the context (valid_jwt; wrong_audience_jwt and expired_jwt for harnesses that test refusals);
   * the AS takes them as JWT bearer grants from the public client `clientId`.
   */
  workload?: { clientId: string; issuer: string; subject: string };
  /** A tool the official suite's harness calls in this scenario (besides add_numbers). */
  extraTool?: string;
}

/** Revisions with the PRM-based discovery (2025-06-18 on), and with the 2025-11-25 additions. */
export { PRM_REVISIONS };
export const SCOPE_REVISIONS: readonly Revision[] = revisionsFrom('2025-11-25');
export const LEGACY_AUTH_REVISION: Revision = '2025-03-26';
/** A challenge that is neither a subset nor a superset of scopes_supported (mcp-conform's own). */
export const CHALLENGE_OUTSIDE_SUPPORTED = 'auth/scope-challenge-outside-supported';
/** auth/scope-step-up whose 403 names only the missing scope (mcp-conform's own). */
export const STEP_UP_MINIMAL = 'auth/scope-step-up-missing-only';

// The official suite's credentials (the values do not matter; the field names do).
export const CLIENT_CREDENTIALS = { client_id: 'conformance-test-client', client_secret: 'conformance-test-secret' } as const;
export const PRE_REGISTERED = { client_id: 'pre-registered-client', client_secret: 'pre-registered-secret' } as const;
/** auth/pre-registration whose PRM switches to another authorization server mid-run (mcp-conform's own). */
export const PRE_REGISTERED_MIGRATION = 'auth/pre-registration-server-migration';
export const XAA_CLIENT = { client_id: 'conformance-test-xaa-client', client_secret: 'conformance-test-xaa-secret' } as const;
export const XAA_IDP_CLIENT_ID = 'conformance-test-idp-client';
export const WIF_CLIENT_ID = 'conformance-wif-workload';
export const WIF_SCENARIO = 'auth/wif-jwt-bearer';
/**
 * DPoP (RFC 9449; SEP-1932, an extension): the official 0.2 alpha's two postures, without and with
 * server-provided nonces (the AS's and the MCP server's). Not judged by the core checks (the token
 * goes with the DPoP scheme, not Bearer).
 */
export const DPOP_SCENARIO = 'auth/dpop';
export const DPOP_NONCE_SCENARIO = 'auth/dpop-nonce';
export const DPOP_SCENARIOS: readonly string[] = [DPOP_SCENARIO, DPOP_NONCE_SCENARIO];
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/**
 * The enterprise-managed authorization scenario (an extension): not judged by the core checks.
 * The official suite named it auth/cross-app-access-complete-flow in 0.1.16 and
 * auth/enterprise-managed-authorization in the 0.2 alpha (same flow, same context); both are run,
 * so that a harness keyed on either name finds its scenario.
 */
export const XAA_SCENARIO = 'auth/cross-app-access-complete-flow';
export const XAA_SCENARIOS: readonly string[] = [XAA_SCENARIO, 'auth/enterprise-managed-authorization'];

/** The private_key_jwt client's key pair (made once per process; the public half is registered at the AS). */
const jwtKeys = (() => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    jwk: { ...publicKey.export({ format: 'jwk' }), kid: 'mcp-conform-client-key', alg: 'ES256', use: 'sig' },
  };
})();

export interface AuthScenarioDef {
  name: string;
  description: string;
  expects: string;
  revisions: readonly Revision[];
  context?: Record<string, unknown>;
  auth: AuthSetup;
}

const FLOW = 'On the 401, discover the authorization server and authorize (authorization code + PKCE, headless consent: the authorization endpoint redirects at once), then list tools and call add_numbers with the token.';

export const AUTH_SCENARIOS: readonly AuthScenarioDef[] = [
  {
    name: 'auth/metadata-default',
    description: 'The 401 challenge names the PRM (path-inserted well-known URL); the AS metadata is at every well-known URL.',
    expects: FLOW,
    revisions: PRM_REVISIONS,
    auth: { outcome: 'authorized' },
  },
  {
    name: 'auth/metadata-var1',
    description: 'The challenge names no PRM; the PRM is only at the path-inserted well-known URL; the AS serves only OpenID Connect discovery.',
    expects: FLOW,
    revisions: SCOPE_REVISIONS,
    auth: { outcome: 'authorized', resource: { challengeMetadata: false, prm: ['path'] }, authorizationServer: { metadata: ['oidc'] } },
  },
  {
    name: 'auth/metadata-var2',
    description: 'The challenge names no PRM; the PRM is only at the root well-known URL; the issuer has a path (/tenant1), metadata by RFC 8414 path insertion.',
    expects: FLOW,
    revisions: SCOPE_REVISIONS,
    auth: { outcome: 'authorized', resource: { challengeMetadata: false, prm: ['root'] }, authorizationServer: { issuerPath: '/tenant1', metadata: ['oauth'] } },
  },
  {
    name: 'auth/metadata-var3',
    description: 'The challenge names the root PRM URL; the issuer has a path (/tenant1) and serves only OpenID Connect discovery appended to it.',
    expects: FLOW,
    revisions: SCOPE_REVISIONS,
    auth: { outcome: 'authorized', resource: { challengeMetadata: 'root', prm: ['root'] }, authorizationServer: { issuerPath: '/tenant1', metadata: ['oidc-append'] } },
  },
  {
    name: 'auth/basic-cimd',
    description: 'The AS supports client ID metadata documents (http loopback URLs accepted for the test) and dynamic registration.',
    expects: `${FLOW} A client with a client ID metadata document uses its URL as client_id.`,
    revisions: SCOPE_REVISIONS,
    auth: { outcome: 'authorized', authorizationServer: { clientIdMetadataDocuments: true, allowInsecureClientIdUrls: true } },
  },
  {
    name: 'auth/pre-registration',
    description: 'The pre-registered confidential client (context.client_id, context.client_secret; client_secret_basic; any loopback redirect URI); the AS also offers client ID metadata documents and dynamic registration, which a client with pre-registered credentials should not need.',
    expects: `${FLOW} Use the client credentials from the context (pre-registered client information comes first).`,
    revisions: PRM_REVISIONS,
    context: { ...PRE_REGISTERED },
    auth: {
      outcome: 'authorized',
      // Registration stays open so that a client without static credentials still gets through (and is told so by a SHOULD).
      authorizationServer: { tokenEndpointAuthMethods: ['client_secret_basic', 'none'], clients: [{ ...PRE_REGISTERED, token_endpoint_auth_method: 'client_secret_basic', loopbackRedirects: true }] },
    },
  },
  ...(['client_secret_basic', 'client_secret_post', 'none'] as const).map(
    (m): AuthScenarioDef => ({
      name: `auth/token-endpoint-auth-${m === 'none' ? 'none' : m.slice('client_secret_'.length)}`,
      description: `The AS supports only ${m} at its token endpoint (token_endpoint_auth_methods_supported); dynamic registration assigns it whatever the client asked for (the registration response says so).`,
      expects: `${FLOW} Authenticate at the token endpoint with ${m}, the method the client was registered with.`,
      revisions: PRM_REVISIONS,
      auth: { outcome: 'authorized', authorizationServer: { tokenEndpointAuthMethods: [m], assignAuthMethod: true, clientIdMetadataDocuments: false } },
    }),
  ),
  {
    name: 'auth/scope-from-www-authenticate',
    description: 'The 401 challenge asks for scope "mcp:basic"; the PRM lists scopes_supported "mcp:basic mcp:extra".',
    expects: `${FLOW} Request the challenge's scope (mcp:basic).`,
    revisions: SCOPE_REVISIONS,
    auth: { outcome: 'authorized', resource: { requiredScopes: ['mcp:basic'], scopesSupported: ['mcp:basic', 'mcp:extra'] } },
  },
  {
    name: 'auth/scope-from-scopes-supported',
    description: 'The 401 challenge has no scope; the PRM lists scopes_supported "mcp:basic mcp:read" (mcp:basic is required).',
    expects: `${FLOW} Request all of scopes_supported.`,
    revisions: SCOPE_REVISIONS,
    auth: { outcome: 'authorized', resource: { requiredScopes: ['mcp:basic'], challengeScope: false, scopesSupported: ['mcp:basic', 'mcp:read'] } },
  },
  {
    name: 'auth/scope-omitted-when-undefined',
    description: 'Neither the challenge nor the PRM names scopes.',
    expects: `${FLOW} Send no scope parameter.`,
    revisions: SCOPE_REVISIONS,
    auth: { outcome: 'authorized', resource: { challengeScope: false } },
  },
  {
    // mcp-conform's own: the challenge is neither a subset nor a superset of scopes_supported.
    name: CHALLENGE_OUTSIDE_SUPPORTED,
    description: 'The 401 challenge asks for scope "mcp:basic mcp:special" (both required); the PRM lists scopes_supported "mcp:basic mcp:read": neither a subset nor a superset of the challenge.',
    expects: `${FLOW} Request the challenge's scopes (mcp:basic mcp:special), mcp:special included although scopes_supported does not list it.`,
    revisions: SCOPE_REVISIONS,
    auth: { outcome: 'authorized', resource: { requiredScopes: ['mcp:basic', 'mcp:special'], scopesSupported: ['mcp:basic', 'mcp:read'] } },
  },
  {
    name: 'auth/scope-step-up',
    description: 'Every request needs mcp:basic (named in the challenge); calling add_numbers also needs mcp:write (403 insufficient_scope naming "mcp:basic mcp:write").',
    expects: `${FLOW} On the 403, authorize again with the scopes it names and retry the call.`,
    revisions: SCOPE_REVISIONS,
    auth: { outcome: 'authorized', resource: { requiredScopes: ['mcp:basic'], toolScopes: { add_numbers: ['mcp:write'] } } },
  },
  {
    // mcp-conform's own: the 403 names only the missing scope (the minimum approach), so a client
    // that does not keep its granted scopes loses mcp:basic, which every request needs.
    name: STEP_UP_MINIMAL,
    description: 'As auth/scope-step-up, but the 403 insufficient_scope challenge names only the missing scope ("mcp:write"), not the granted mcp:basic that every request also needs.',
    expects: `${FLOW} On the 403, authorize again with the scopes granted so far plus the one it names (mcp:basic mcp:write) and retry the call.`,
    revisions: ['2026-07-28'],
    auth: { outcome: 'authorized', resource: { requiredScopes: ['mcp:basic'], toolScopes: { add_numbers: ['mcp:write'] }, stepUpScope: 'missing' } },
  },
  {
    name: 'auth/scope-retry-limit',
    description: 'As auth/scope-step-up, but the AS never grants mcp:write: every retried call gets 403 insufficient_scope again.',
    expects: `${FLOW} Step up a few times at most, then give up on the call (and exit).`,
    revisions: SCOPE_REVISIONS,
    auth: { outcome: 'authorized', resource: { requiredScopes: ['mcp:basic'], toolScopes: { add_numbers: ['mcp:write'] } }, authorizationServer: { grantScopes: ['mcp:basic'] } },
  },
  {
    name: 'auth/resource-mismatch',
    description: 'The PRM\'s resource is another server (https://other.example/mcp), not the URL the client connected to.',
    expects: 'Refuse to use that metadata (RFC 9728 §3.3): no authorization request; exit.',
    revisions: PRM_REVISIONS,
    auth: { outcome: 'refuses', resource: { prmOverrides: { resource: 'https://other.example/mcp' } } },
  },
  {
    name: 'auth/pkce-not-advertised',
    description: 'The AS metadata has no code_challenge_methods_supported (it does not advertise PKCE).',
    expects: 'Refuse to proceed: no authorization request; exit.',
    revisions: SCOPE_REVISIONS,
    auth: { outcome: 'refuses', authorizationServer: { codeChallengeMethods: null } },
  },
  // The four rows of the 2026-07-28 "Authorization Response Validation" table, and its
  // simple-string-comparison rule: the official 0.2 alpha's scenarios, under its names.
  {
    name: 'auth/iss-supported',
    description: 'The AS advertises authorization_response_iss_parameter_supported and its authorization response carries the right iss.',
    expects: `${FLOW} Compare iss with the recorded issuer; it matches: go on.`,
    revisions: ['2026-07-28'],
    auth: { outcome: 'authorized' },
  },
  {
    name: 'auth/iss-not-advertised',
    description: 'The AS neither advertises authorization_response_iss_parameter_supported nor puts iss in its authorization response.',
    expects: `${FLOW} No iss and none advertised: go on.`,
    revisions: ['2026-07-28'],
    auth: { outcome: 'authorized', authorizationServer: { issParameter: false } },
  },
  {
    name: 'auth/iss-supported-missing',
    description: 'The AS advertises authorization_response_iss_parameter_supported, but its authorization response carries no iss.',
    expects: 'Reject the authorization response: never send its code to a token endpoint; exit.',
    revisions: ['2026-07-28'],
    auth: { outcome: 'refuses', authorizationServer: { issParameter: false, advertiseIss: true } },
  },
  {
    name: 'auth/iss-wrong-issuer',
    description: 'The AS advertises authorization_response_iss_parameter_supported; its authorization response carries iss https://attacker.example, not its issuer (an RFC 9207 mix-up).',
    expects: 'Reject the authorization response: never send its code to a token endpoint; exit.',
    revisions: ['2026-07-28'],
    auth: { outcome: 'refuses', authorizationServer: { faults: [{ kind: 'wrong-iss' }] } },
  },
  {
    name: 'auth/iss-unexpected',
    description: 'The AS does not advertise authorization_response_iss_parameter_supported, yet its authorization response carries iss https://attacker.example, not its issuer.',
    expects: 'Compare a present iss even when not advertised, and reject the response: never send its code to a token endpoint; exit.',
    revisions: ['2026-07-28'],
    auth: { outcome: 'refuses', authorizationServer: { advertiseIss: false, faults: [{ kind: 'wrong-iss' }] } },
  },
  {
    name: 'auth/iss-normalized',
    description: 'The AS advertises authorization_response_iss_parameter_supported; its authorization response carries its issuer with a trailing slash (the same URL after RFC 3986 normalization, another string).',
    expects: 'Compare iss by simple string comparison (no normalization) and reject the response: never send its code to a token endpoint; exit.',
    revisions: ['2026-07-28'],
    auth: { outcome: 'refuses', authorizationServer: { faults: [{ kind: 'wrong-iss', variant: 'trailing-slash' }] } },
  },
  {
    name: 'auth/metadata-issuer-mismatch',
    description: 'The AS metadata (at every well-known URL) names the issuer https://honest.example, not the issuer the URL was built from (the PRM\'s authorization server).',
    expects: 'Reject the metadata (RFC 8414 §3.3): no registration, authorization or token request to the endpoints it lists; exit.',
    revisions: ['2026-07-28'],
    auth: { outcome: 'refuses', authorizationServer: { faults: [{ kind: 'metadata-issuer-mismatch', issuer: 'https://honest.example' }] } },
  },
  {
    name: 'auth/registration-refused',
    description: 'Dynamic registration is the only way in (no client ID metadata documents, no pre-registration), and the AS refuses every registration with invalid_redirect_uri (as an OpenID Connect AS may refuse native redirect URIs).',
    expects: 'Handle the refused registration: retry a few times at most (e.g. with another application_type), never authorize with a client_id the AS did not issue; report the error and exit.',
    revisions: ['2026-07-28'],
    auth: { outcome: 'refuses', authorizationServer: { clientIdMetadataDocuments: false, faults: [{ kind: 'error', endpoint: 'register', error: 'invalid_redirect_uri', status: 400 }] } },
  },
  {
    name: 'auth/state-mismatch',
    description: 'The authorization response carries a state that is not the one the client sent.',
    expects: 'Send a state, and discard the response whose state differs: never redeem its code; exit.',
    revisions: PRM_REVISIONS,
    auth: { outcome: 'refuses', authorizationServer: { faults: [{ kind: 'wrong-state' }] } },
  },
  {
    name: 'auth/authorization-server-migration',
    description: 'After the first request served with a token (other than initialize), the PRM names another authorization server and tokens of the first are refused from then on; both offer dynamic registration. The server also has test-tool and second_call.',
    expects: `${FLOW} On the next 401, discover the new authorization server and register with it anew (no client credentials of the first one), authorize and retry.`,
    revisions: ['2026-07-28'],
    auth: { outcome: 'authorized', authorizationServer: { clientIdMetadataDocuments: false }, switchTo: { clientIdMetadataDocuments: false }, extraTool: 'test-tool' },
  },
  {
    // mcp-conform's own (client-registration#authorization-server-binding): the pre-registered variant of the migration.
    name: PRE_REGISTERED_MIGRATION,
    description: 'The pre-registered confidential client of auth/pre-registration (context.client_id, context.client_secret), registered with the first authorization server only. After the first request served with a token (other than initialize), the PRM names another authorization server, which does not know that client (it offers dynamic registration), and tokens of the first are refused from then on. The server also has test-tool and second_call.',
    expects: `${FLOW} On the next 401, see that the PRM names another authorization server than the one the pre-registered credentials belong to: surface an error (or register anew there), never present those credentials to the new server.`,
    revisions: ['2026-07-28'],
    context: { ...PRE_REGISTERED },
    auth: {
      outcome: 'refuses',
      authorizationServer: { clientIdMetadataDocuments: false, tokenEndpointAuthMethods: ['client_secret_basic', 'none'], clients: [{ ...PRE_REGISTERED, token_endpoint_auth_method: 'client_secret_basic', loopbackRedirects: true }] },
      switchTo: { clientIdMetadataDocuments: false },
      extraTool: 'test-tool',
    },
  },
  ...XAA_SCENARIOS.map(
    (name): AuthScenarioDef => ({
      name,
      description:
        'Enterprise-managed authorization (SEP-990, an extension): the context holds an ID token of the enterprise IdP (context.idp_id_token, idp_issuer, idp_token_endpoint, idp_client_id) and the client\'s credentials at the MCP server\'s AS (context.client_id, client_secret; client_secret_basic); the AS grants only the JWT bearer grant.',
      expects:
        'On the 401, discover the AS from the PRM; exchange the ID token at the IdP\'s token endpoint for an ID-JAG (RFC 8693: requested_token_type id-jag, audience = the AS issuer, resource = the MCP server), present it to the AS with grant_type jwt-bearer (RFC 7523) and client_secret_basic, then list tools and call them with the token.',
      revisions: SCOPE_REVISIONS,
      context: { ...XAA_CLIENT, idp_client_id: XAA_IDP_CLIENT_ID },
      auth: {
        outcome: 'authorized',
        enterpriseIdp: { clientId: XAA_CLIENT.client_id, idpClientId: XAA_IDP_CLIENT_ID, subject: 'demo-user@example.com' },
        extraTool: 'test-tool',
        authorizationServer: {
          grantTypes: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
          tokenEndpointAuthMethods: ['client_secret_basic'],
          registration: false,
          clientIdMetadataDocuments: false,
          clients: [{ ...XAA_CLIENT, token_endpoint_auth_method: 'client_secret_basic', grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'] }],
        },
      },
    }),
  ),
  {
    name: WIF_SCENARIO,
    description:
      'Workload identity federation (SEP-1933, an extension): the AS grants only the JWT bearer grant, to the public client context.client_id, for a JWT of a workload issuer it trusts; the context holds one (context.valid_jwt, aud = the AS issuer) and two it refuses (wrong_audience_jwt, expired_jwt).',
    expects:
      'On the 401, discover the AS from the PRM; get a token with grant_type jwt-bearer (RFC 7523) and context.valid_jwt as the assertion (client_id in the body: no secret), then list tools and call them with the token.',
    revisions: SCOPE_REVISIONS,
    context: { client_id: WIF_CLIENT_ID },
    auth: {
      outcome: 'authorized',
      workload: { clientId: WIF_CLIENT_ID, issuer: 'https://idp.conformance-test.local', subject: 'conformance-workload' },
      extraTool: 'test-tool',
      authorizationServer: {
        grantTypes: [JWT_BEARER],
        tokenEndpointAuthMethods: ['none'],
        registration: false,
        clientIdMetadataDocuments: false,
        clients: [{ client_id: WIF_CLIENT_ID, token_endpoint_auth_method: 'none', grant_types: [JWT_BEARER] }],
      },
    },
  },
  ...([false, true] as const).map(
    (requireNonce): AuthScenarioDef => ({
      name: requireNonce ? DPOP_NONCE_SCENARIO : DPOP_SCENARIO,
      description: `DPoP (RFC 9449; SEP-1932, an extension): the AS advertises dpop_signing_alg_values_supported and binds tokens to the key of a valid DPoP proof at its token endpoint (cnf.jkt, token_type DPoP); the MCP server's challenge names the DPoP scheme too, and it takes a DPoP-bound token only as Authorization: DPoP with a proof (htm, htu, iat, unique jti, ath, the bound key)${requireNonce ? '; the AS and the MCP server both demand a nonce of their own (use_dpop_nonce with a DPoP-Nonce header) before they accept a proof' : ''}.`,
      expects: `${FLOW} Send a DPoP proof with the token request, then present the token as Authorization: DPoP <token> with a fresh proof (new jti, ath) on every request${requireNonce ? '; on use_dpop_nonce, retry (the token request, the MCP request) with a new proof carrying the DPoP-Nonce value' : ''}.`,
      revisions: SCOPE_REVISIONS,
      auth: { outcome: 'authorized', authorizationServer: { dpop: { requireNonce } }, resource: { dpop: { requireNonce } } },
    }),
  ),
  {
    name: 'auth/2025-03-26-oauth-metadata-backcompat',
    description: '2025-03-26: no PRM; the AS is on the MCP server\'s origin with its RFC 8414 metadata at the root.',
    expects: 'On the 401, fetch the metadata at the authorization base URL (the origin\'s /.well-known/oauth-authorization-server), authorize, then list tools and call add_numbers.',
    revisions: [LEGACY_AUTH_REVISION],
    auth: { outcome: 'authorized', sameOrigin: true, authorizationServer: { metadata: ['oauth'] } },
  },
  {
    name: 'auth/2025-03-26-oauth-endpoint-fallback',
    description: '2025-03-26: no PRM and no metadata (404); the AS answers at the default /authorize, /token and /register of the MCP server\'s origin.',
    expects: 'Try the metadata first, then fall back to the default endpoints, authorize, list tools and call add_numbers.',
    revisions: [LEGACY_AUTH_REVISION],
    auth: { outcome: 'authorized', sameOrigin: true, authorizationServer: { metadata: [] } },
  },
  {
    name: 'auth/client-credentials-basic',
    description: 'A machine client (client_credentials grant): the AS knows context.client_id with context.client_secret (client_secret_basic).',
    expects: 'On the 401, discover the AS, get a token with grant_type=client_credentials authenticating with client_secret_basic, then list tools and call add_numbers.',
    revisions: PRM_REVISIONS,
    context: { ...CLIENT_CREDENTIALS },
    auth: { outcome: 'authorized', authorizationServer: { clients: [{ ...CLIENT_CREDENTIALS, token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'] }] } },
  },
  {
    name: 'auth/client-credentials-jwt',
    description: 'A machine client (client_credentials grant) authenticating with private_key_jwt: context.private_key_pem (PKCS#8), context.signing_algorithm ES256.',
    expects: 'On the 401, discover the AS, get a token with grant_type=client_credentials and a client_assertion signed with the key (iss = sub = client_id, aud = the issuer), then list tools and call add_numbers.',
    revisions: PRM_REVISIONS,
    get context() {
      return { client_id: CLIENT_CREDENTIALS.client_id, private_key_pem: jwtKeys.pem, signing_algorithm: 'ES256' };
    },
    auth: {
      outcome: 'authorized',
      authorizationServer: { clients: [{ client_id: CLIENT_CREDENTIALS.client_id, token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], jwks: { keys: [jwtKeys.jwk] } }] },
    },
  },
  {
    name: 'auth/offline-access-scope',
    description: 'The AS lists offline_access in scopes_supported and issues refresh tokens only for it; the PRM lists mcp:basic.',
    expects: `${FLOW} A client that wants a refresh token may add offline_access and should register the refresh_token grant type.`,
    revisions: ['2026-07-28'],
    auth: { outcome: 'authorized', resource: { requiredScopes: ['mcp:basic'], scopesSupported: ['mcp:basic'] }, authorizationServer: { scopesSupported: ['mcp:basic', 'offline_access'], refreshTokens: 'offline_access', clientIdMetadataDocuments: false } },
  },
  {
    name: 'auth/offline-access-not-supported',
    description: 'The AS does not list offline_access in scopes_supported, and issues no refresh tokens.',
    expects: `${FLOW} Do not ask for offline_access, and do not count on a refresh token.`,
    revisions: ['2026-07-28'],
    auth: { outcome: 'authorized', resource: { requiredScopes: ['mcp:basic'], scopesSupported: ['mcp:basic'] }, authorizationServer: { scopesSupported: ['mcp:basic', 'mcp:read'], refreshTokens: 'offline_access', clientIdMetadataDocuments: false } },
  },
];

export const AUTH_SCENARIO_NAMES: readonly string[] = AUTH_SCENARIOS.map((s) => s.name);

/**
 * Earlier names of scenarios now under the official suite's name (same mock, same expectation):
 * `--scenario` takes either; the run, MCP_CONFORMANCE_SCENARIO and the results use the new one.
 */
export const AUTH_SCENARIO_ALIASES: Readonly<Record<string, string>> = {
  'auth/iss-mismatch': 'auth/iss-wrong-issuer',
  'auth/authorization-server-changed': 'auth/authorization-server-migration',
};

/** The auth scenarios a client should get through (the rest it should refuse). */
export const AUTHORIZED_SCENARIOS: readonly string[] = AUTH_SCENARIOS.filter((s) => s.auth.outcome === 'authorized' && !s.auth.enterpriseIdp && !s.auth.workload && !DPOP_SCENARIOS.includes(s.name)).map((s) => s.name);
