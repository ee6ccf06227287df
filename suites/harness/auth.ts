// Testing a protected server (basic/authorization): reading a `WWW-Authenticate` challenge,
// fetching metadata documents with a bound on time and redirects, and the tokens `--auth mock`
// mints with the suite's own authorization server for the token-validation checks.
import { randomBytes } from 'node:crypto';
import { isObject } from '../../schema/index.ts';
import type { AuthorizationServer } from '../../mock-server/index.ts';
import type { MockTokens, TargetSpec } from './config.ts';

export interface Challenge {
  scheme: string;
  /** auth-params, names lower-cased. */
  params: Record<string, string>;
}

/**
 * The challenges of a WWW-Authenticate value (RFC 9110 §11.6.1): `Bearer realm="x", scope="a b",
 * Basic realm="y"`. A token68 after a scheme is kept under the param name ''.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const ws = () => {
    while (i < s.length && /[\s,]/.test(s[i] as string)) i++;
  };
  const token = () => {
    const m = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/.exec(s.slice(i));
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };
  const quoted = () => {
    let v = '';
    i++; // opening quote
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      v += s[i];
      i++;
    }
    i++; // closing quote
    return v;
  };
  ws();
  while (i < s.length) {
    const scheme = token();
    if (!scheme) break;
    const c: Challenge = { scheme, params: {} };
    out.push(c);
    for (;;) {
      while (i < s.length && /[ \t]/.test(s[i] as string)) i++;
      if (s[i] === ',') {
        i++;
        while (i < s.length && /\s/.test(s[i] as string)) i++;
      }
      const save = i;
      const name = token();
      if (!name) break;
      while (i < s.length && /[ \t]/.test(s[i] as string)) i++;
      if (s[i] !== '=') {
        // the next challenge's scheme
        i = save;
        break;
      }
      i++;
      while (i < s.length && /[ \t]/.test(s[i] as string)) i++;
      if (s[i] === '"') c.params[name.toLowerCase()] = quoted();
      else if (s[i] === '=' || s[i] === ',' || i >= s.length) c.params[''] = name; // token68 (rare)
      else c.params[name.toLowerCase()] = token();
    }
    ws();
  }
  return out;
}

/** The Bearer challenge of a WWW-Authenticate value, if there is one. */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  return parseChallenges(header).find((c) => c.scheme.toLowerCase() === 'bearer');
}

export interface FetchedJson {
  /** The URL asked for first. */
  url: string;
  /** The URL that answered (after same-origin redirects). */
  finalUrl: string;
  status: number;
  json?: unknown;
  text: string;
  /** The answer's Content-Type, when there was an answer. */
  contentType?: string;
  /** Why nothing usable came back: unreachable, timed out, a redirect to another host. */
  error?: string;
}

/**
 * GETs a JSON document within `timeoutMs` (headers and body both). Redirects are followed only on
 * the same origin (at most 3): metadata that sends the client to a foreign host is not followed,
 * and the error names both URLs.
 */
export async function fetchBounded(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<FetchedJson> {
  const signal = AbortSignal.timeout(timeoutMs);
  let current = url;
  for (let hop = 0; hop <= 3; hop++) {
    let res: Response;
    try {
      res = await fetch(current, { headers: { accept: 'application/json', ...headers }, redirect: 'manual', signal });
    } catch (err) {
      const why = signal.aborted ? `no answer within ${timeoutMs} ms` : ((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message);
      return { url, finalUrl: current, status: 0, text: '', error: `cannot fetch ${current}: ${why}` };
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      const next = new URL(res.headers.get('location') as string, current);
      await res.body?.cancel().catch(() => {});
      if (next.origin !== new URL(current).origin) {
        return { url, finalUrl: current, status: res.status, text: '', error: `${current} redirects (HTTP ${res.status}) to another host, ${next.href}: not followed` };
      }
      current = next.href;
      continue;
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      return { url, finalUrl: current, status: res.status, text: '', error: `reading ${current}: ${signal.aborted ? `no complete body within ${timeoutMs} ms` : (err as Error).message}` };
    }
    const out: FetchedJson = { url, finalUrl: current, status: res.status, text };
    const ct = res.headers.get('content-type');
    if (ct !== null) out.contentType = ct;
    try {
      out.json = JSON.parse(text) as unknown;
    } catch {
      // left undefined: the caller says "not JSON"
    }
    return out;
  }
  return { url, finalUrl: current, status: 0, text: '', error: `${url}: more than 3 redirects` };
}

/** The well-known Protected Resource Metadata URLs of a resource (RFC 9728 §3.1): path-inserted, then root. */
export function prmWellKnown(resource: string): string[] {
  const u = new URL(resource);
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  const out = [`${u.origin}/.well-known/oauth-protected-resource${path}`];
  if (path) out.push(`${u.origin}/.well-known/oauth-protected-resource`);
  return out;
}

/** Authorization server metadata URLs for an issuer, in the order basic/authorization lists them. */
export function asMetadataUrls(issuer: string): string[] {
  const u = new URL(issuer);
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  if (!path) return [`${u.origin}/.well-known/oauth-authorization-server`, `${u.origin}/.well-known/openid-configuration`];
  return [`${u.origin}/.well-known/oauth-authorization-server${path}`, `${u.origin}/.well-known/openid-configuration${path}`, `${u.origin}${path}/.well-known/openid-configuration`];
}

export interface AuthDiscovery {
  status: number;
  challenge?: Challenge;
  /** The scope the 401 challenge asked for. */
  scope?: string;
  prmUrl?: string;
  prm?: Record<string, unknown>;
  error?: string;
}

export interface AuthDiscoveryOptions {
  /** Headers sent besides the request's own (an Authorization among them is left out: the point is to ask without one). */
  headers?: Record<string, string>;
  /** A legacy HTTP+SSE endpoint: open its stream with GET, as a client does, instead of POSTing initialize. */
  sse?: boolean;
}

/**
 * What an unauthenticated initialize tells about a server (the CLI's look before minting tokens for
 * `--auth mock`: which scope the good token needs; the first step of discoverAuthorization).
 */
export async function authDiscovery(url: string, protocolVersion: string, timeoutMs: number, opts: AuthDiscoveryOptions = {}): Promise<AuthDiscovery> {
  const extra = Object.fromEntries(Object.entries(opts.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'authorization'));
  let res: Response;
  try {
    res = await fetch(
      url,
      opts.sse
        ? { method: 'GET', headers: { ...extra, accept: 'text/event-stream' }, signal: AbortSignal.timeout(timeoutMs) }
        : {
            method: 'POST',
            headers: { ...extra, accept: 'application/json, text/event-stream', 'content-type': 'application/json', 'mcp-protocol-version': protocolVersion },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'mcp-conform', version: '0' } } }),
            signal: AbortSignal.timeout(timeoutMs),
          },
    );
  } catch (err) {
    return { status: 0, error: `cannot reach ${url}: ${(err as Error).message}` };
  }
  // Only the status line and headers matter; the body is dropped (an SSE stream never ends).
  void res.body?.cancel().catch(() => {});
  // A server that wants no token opened a session: end it, politely.
  const session = res.headers.get('mcp-session-id');
  if (session && !opts.sse) {
    await fetch(url, { method: 'DELETE', headers: { ...extra, 'mcp-session-id': session }, signal: AbortSignal.timeout(timeoutMs) })
      .then((r) => void r.body?.cancel().catch(() => {}))
      .catch(() => {});
  }
  const out: AuthDiscovery = { status: res.status };
  const challenge = parseChallenge(res.headers.get('www-authenticate') ?? undefined);
  if (challenge) out.challenge = challenge;
  if (challenge?.params.scope) out.scope = challenge.params.scope;
  const prmUrl = challenge?.params.resource_metadata ?? prmWellKnown(url)[0];
  if (res.status === 401 && prmUrl) {
    const got = await fetchBounded(prmUrl, timeoutMs);
    if (got.status === 200 && typeof got.json === 'object' && got.json !== null && !Array.isArray(got.json)) {
      out.prmUrl = prmUrl;
      out.prm = got.json as Record<string, unknown>;
    }
  }
  return out;
}

// ---- discovery, as the auth checks judge it and as a host follows it (one implementation) ----

/** Where the fetches of a discovery are recorded (a check's wire log). */
export interface DiscoveryWire {
  record(entry: { dir: 'send' | 'recv'; note?: string; msg?: unknown; raw?: string }): unknown;
}

function recordFetch(wire: DiscoveryWire | undefined, got: FetchedJson): void {
  if (!wire) return;
  wire.record({ dir: 'send', note: `HTTP GET ${got.url}` });
  wire.record({ dir: 'recv', note: got.error ?? `HTTP ${got.status}${got.finalUrl !== got.url ? ` (from ${got.finalUrl})` : ''}`, ...(got.json !== undefined ? { msg: got.json } : got.text ? { raw: got.text.slice(0, 2000) } : {}) });
}

/** One line for a fetch that gave nothing usable. */
export const describeFetch = (f: FetchedJson): string => f.error ?? `${f.url}: HTTP ${f.status}${f.status === 200 ? (f.json === undefined ? ', not JSON' : ', not a JSON object') : ''}`;

/** Did none of these fetches get an answer at all (unreachable, timed out, a redirect to another host)? */
export const noneAnswered = (tried: readonly FetchedJson[]): boolean => tried.every((f) => f.status === 0 || f.error !== undefined);

export interface LocatedPrm {
  url: string;
  doc: Record<string, unknown>;
  /** How it was found. */
  via: 'challenge' | 'well-known';
}

/** Fetches the Protected Resource Metadata the way a client finds it: the challenge's URL, else the well-known URLs (RFC 9728 §3.1). */
export async function locatePrm(serverUrl: string, challenge: Challenge | undefined, timeoutMs: number, wire?: DiscoveryWire): Promise<{ prm?: LocatedPrm; tried: FetchedJson[] }> {
  const fromChallenge = challenge?.params.resource_metadata;
  const urls = fromChallenge ? [fromChallenge] : prmWellKnown(serverUrl);
  const tried: FetchedJson[] = [];
  for (const url of urls) {
    let got: FetchedJson;
    try {
      got = await fetchBounded(new URL(url, serverUrl).href, timeoutMs);
    } catch (err) {
      got = { url, finalUrl: url, status: 0, text: '', error: `${url} is not a URL: ${(err as Error).message}` };
    }
    tried.push(got);
    recordFetch(wire, got);
    if (got.status === 200 && isObject(got.json)) return { prm: { url: got.url, doc: got.json, via: fromChallenge ? 'challenge' : 'well-known' }, tried };
  }
  return { tried };
}

/** RFC 8707 §2 / basic/authorization "Canonical Server URI": lower-case scheme and host, no default port, no fragment. */
export function canonicalUri(u: string): string | undefined {
  try {
    const x = new URL(u);
    x.hash = '';
    return x.href.replace(/\/$/, '');
  } catch {
    return undefined;
  }
}

/**
 * What auth/prm-document requires of the document (RFC 9728 §2, §3.3; basic/authorization
 * "Authorization Server Location"): `problem` when a client must not use it, a `note` when it may.
 */
export function judgePrm(prm: LocatedPrm, serverUrl: string): { problem?: string; note?: string; issuers: string[] } {
  const { doc, url } = prm;
  const server = canonicalUri(serverUrl) as string;
  const resource = typeof doc.resource === 'string' ? canonicalUri(doc.resource) : undefined;
  if (resource === undefined) return { problem: `the metadata at ${url} has no valid "resource" (RFC 9728 §2 REQUIRED): ${JSON.stringify(doc.resource)}`, issuers: [] };
  let note: string | undefined;
  if (resource !== server) {
    // RFC 9728 §3.3: it MUST be the resource the metadata was asked for; a less specific URI of the same
    // origin (the root metadata of a server with one resource) is the one relaxation clients make.
    const r = new URL(resource);
    const s = new URL(server);
    const prefix = r.origin === s.origin && (r.pathname === '/' || s.pathname.startsWith(`${r.pathname}/`));
    if (!prefix) return { problem: `the metadata at ${url} names resource ${JSON.stringify(doc.resource)}, not this server (${serverUrl}): RFC 9728 §3.3 clients must not use it`, issuers: [] };
    note = `resource ${JSON.stringify(doc.resource)} is a less specific URI of this server (${serverUrl})`;
  }
  const as = doc.authorization_servers;
  if (!Array.isArray(as) || as.length === 0) return { problem: `the metadata at ${url} has no authorization_servers with at least one authorization server: ${JSON.stringify(as)}`, issuers: [] };
  const badAs = as.filter((x) => typeof x !== 'string' || !/^https?:$/.test(URL.canParse(x) ? new URL(x).protocol : ''));
  if (badAs.length) return { problem: `authorization_servers at ${url} holds entries that are not http(s) issuer URLs: ${JSON.stringify(badAs)}`, issuers: [] };
  return { ...(note ? { note } : {}), issuers: as as string[] };
}

export type IssuerMetadata =
  | { ok: true; issuer: string; url: string; metadata: Record<string, unknown> }
  /** unreachable: no metadata URL answered at all (not verified, not a failure). */
  | { ok: false; unreachable: boolean; why: string };

/**
 * An authorization server's metadata at the URLs basic/authorization lists (RFC 8414, then OpenID
 * Connect discovery), as auth/authorization-servers-resolve requires it: a JSON object whose
 * `issuer` is that issuer (RFC 8414 §3.3). `urls` and `checkIssuer: false`: the 2025-03-26
 * fallback (see originMetadataUrls), which names no issuer to compare.
 */
export async function resolveIssuer(issuer: string, timeoutMs: number, wire?: DiscoveryWire, opts: { urls?: string[]; checkIssuer?: boolean } = {}): Promise<IssuerMetadata> {
  const attempts: FetchedJson[] = [];
  for (const url of opts.urls ?? asMetadataUrls(issuer)) {
    const got = await fetchBounded(url, timeoutMs);
    attempts.push(got);
    recordFetch(wire, got);
    if (got.status !== 200) continue;
    if (!isObject(got.json)) return { ok: false, unreachable: false, why: `authorization server metadata at ${url} is not a JSON object` };
    if (opts.checkIssuer !== false && got.json.issuer !== issuer) return { ok: false, unreachable: false, why: `authorization server metadata at ${url} names issuer ${JSON.stringify(got.json.issuer)}, not ${JSON.stringify(issuer)} (RFC 8414 §3.3)` };
    return { ok: true, issuer, url, metadata: got.json };
  }
  if (noneAnswered(attempts)) return { ok: false, unreachable: true, why: `${issuer} (${attempts.map(describeFetch).join('; ')})` };
  return { ok: false, unreachable: false, why: `authorization server ${issuer} serves no metadata at any well-known URL: ${attempts.map(describeFetch).join('; ')}` };
}

/**
 * 2025-03-26 (basic/authorization "Authorization Base URL"): no Protected Resource Metadata; the
 * authorization server is the MCP server's origin, its metadata at the origin's well-known URLs.
 */
export function originMetadataUrls(serverUrl: string): string[] {
  return asMetadataUrls(new URL(serverUrl).origin);
}

/** The Dynamic Client Registration endpoint (RFC 7591) an authorization server's metadata names, if any. */
export function registrationEndpoint(metadata: Record<string, unknown>): string | undefined {
  return typeof metadata.registration_endpoint === 'string' ? metadata.registration_endpoint : undefined;
}

/** The auth/* checks whose requirements discovery rests on: the challenge, the PRM document, the authorization servers' metadata. */
export const DISCOVERY_CHECKS = ['auth/challenge', 'auth/prm-document', 'auth/authorization-servers-resolve'] as const;
export type DiscoveryCheck = (typeof DISCOVERY_CHECKS)[number];

export type AuthorizationDiscovery =
  | { kind: 'authless'; status: number }
  /** Nothing to judge: no answer, an odd status, a metadata URL nobody answers. */
  | { kind: 'unreachable'; why: string; check?: DiscoveryCheck }
  /** The server wants authorization and discovery breaks there; `check` is the auth/* check whose requirement it breaks. */
  | { kind: 'failed'; status: number; why: string; check?: DiscoveryCheck }
  | { kind: 'found'; issuer: string; metadata: Record<string, unknown>; metadataUrl: string; via: 'protected-resource-metadata' | 'origin-metadata'; registrationEndpoint?: string };

/**
 * Follows a protected server's 401 to its authorization server's metadata as a client does: the
 * challenge's resource_metadata or the well-known PRM URLs (2025-06-18 on), judged as the auth/*
 * checks judge them, then the first listed authorization server's metadata; with no PRM at all,
 * the 2025-03-26 fallback (metadata on the server's origin). A PRM that is there but unusable is
 * a failure: it is not a 2025-03-26 server.
 */
export async function discoverAuthorization(url: string, protocolVersion: string, timeoutMs: number, opts: AuthDiscoveryOptions & { wire?: DiscoveryWire } = {}): Promise<AuthorizationDiscovery> {
  const { wire } = opts;
  wire?.record({ dir: 'send', note: `${opts.sse ? 'GET' : 'POST'} ${url} (${opts.sse ? 'SSE stream' : 'initialize'}, no Authorization)` });
  const first = await authDiscovery(url, protocolVersion, timeoutMs, opts);
  if (first.status === 0) {
    wire?.record({ dir: 'recv', note: first.error ?? 'no answer' });
    return { kind: 'unreachable', why: first.error ?? `no answer from ${url}` };
  }
  wire?.record({ dir: 'recv', note: `HTTP ${first.status}${first.challenge ? ` WWW-Authenticate: ${first.challenge.scheme} ${JSON.stringify(first.challenge.params)}` : ''}` });
  if (first.status >= 200 && first.status < 300) return { kind: 'authless', status: first.status };
  if (first.status !== 401) return { kind: 'unreachable', why: `the server answered HTTP ${first.status}, not a result or 401` };

  const { prm, tried } = await locatePrm(url, first.challenge, timeoutMs, wire);
  if (prm) {
    const judged = judgePrm(prm, url);
    if (judged.problem) return { kind: 'failed', status: 401, why: judged.problem, check: 'auth/prm-document' };
    const issuer = judged.issuers[0] as string;
    const md = await resolveIssuer(issuer, timeoutMs, wire);
    if (!md.ok) {
      if (md.unreachable) return { kind: 'unreachable', why: `cannot reach authorization server metadata: ${md.why}`, check: 'auth/authorization-servers-resolve' };
      return { kind: 'failed', status: 401, why: md.why, check: 'auth/authorization-servers-resolve' };
    }
    const reg = registrationEndpoint(md.metadata);
    return { kind: 'found', issuer, metadata: md.metadata, metadataUrl: md.url, via: 'protected-resource-metadata', ...(reg ? { registrationEndpoint: reg } : {}) };
  }
  const named = first.challenge?.params.resource_metadata;
  if (named) {
    const why = `its WWW-Authenticate names resource_metadata ${named}, which gives no Protected Resource Metadata: ${tried.map(describeFetch).join('; ')}`;
    return noneAnswered(tried) ? { kind: 'unreachable', why, check: 'auth/prm-document' } : { kind: 'failed', status: 401, why, check: 'auth/prm-document' };
  }
  // 2025-03-26: the authorization server is the server's own origin.
  const origin = new URL(url).origin;
  const md = await resolveIssuer(origin, timeoutMs, wire, { urls: originMetadataUrls(url), checkIssuer: false });
  if (!md.ok) {
    return { kind: 'failed', status: 401, why: `no resource_metadata in the challenge, no Protected Resource Metadata (${tried.map(describeFetch).join('; ')}) and no authorization server metadata on its origin (2025-03-26): ${md.why}`, check: 'auth/challenge' };
  }
  const reg = registrationEndpoint(md.metadata);
  return { kind: 'found', issuer: origin, metadata: md.metadata, metadataUrl: md.url, via: 'origin-metadata', ...(reg ? { registrationEndpoint: reg } : {}) };
}

/** Good and deliberately bad tokens for `audience`, signed (or not) by the suite's mock AS. */
export async function mintMockTokens(as: AuthorizationServer, audience: string, scope: string | undefined, ttlSeconds = 24 * 3600): Promise<MockTokens> {
  const base = { audience, clientId: 'mcp-conform', ttlSeconds, ...(scope ? { scope } : {}) };
  const tokens: MockTokens = {
    valid: await as.mintToken(base),
    expired: await as.mintToken({ ...base, flaw: 'expired' }),
    wrongSignature: await as.mintToken({ ...base, flaw: 'wrong-key' }),
    wrongIssuer: await as.mintToken({ ...base, flaw: 'wrong-issuer' }),
    wrongAudience: await as.mintToken({ ...base, flaw: 'wrong-audience' }),
  };
  if (scope) tokens.insufficientScope = await as.mintToken({ ...base, flaw: 'no-scope' });
  // One client per authorization server: a second set of tokens from it keeps the first one's secret valid.
  const known = as.clients.get(SCOPED_CLIENT_ID)?.client_secret;
  const clientSecret = known ?? randomBytes(24).toString('base64url');
  if (known === undefined) as.addClient({ client_id: SCOPED_CLIENT_ID, client_secret: clientSecret, grant_types: ['client_credentials'] });
  tokens.scoped = { tokenEndpoint: as.endpoints.token, clientId: SCOPED_CLIENT_ID, clientSecret };
  return tokens;
}

const SCOPED_CLIENT_ID = 'mcp-conform';

/**
 * A token for `audience` with exactly `scope`, from the suite's authorization server (client
 * credentials with the client mintMockTokens registered, RFC 6749 §4.4; `resource` per RFC 8707),
 * within `timeoutMs`; or why there is none.
 */
export async function scopedToken(tokens: MockTokens, audience: string, scope: string, timeoutMs: number): Promise<{ token: string } | { error: string }> {
  const c = tokens.scoped;
  if (!c) return { error: 'the suite minted no client for tokens with chosen scopes' };
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope, resource: audience });
  const basic = Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret)}`).toString('base64');
  try {
    const res = await fetch(c.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const json = (await res.json().catch(() => undefined)) as unknown;
    const token = isObject(json) ? json.access_token : undefined;
    if (!res.ok || typeof token !== 'string') return { error: `the suite's token endpoint ${c.tokenEndpoint} answered HTTP ${res.status}${isObject(json) && typeof json.error === 'string' ? ` ${json.error}` : ''}` };
    return { token };
  } catch (err) {
    return { error: `cannot get a token from ${c.tokenEndpoint}: ${(err as Error).message}` };
  }
}

/** The target with `Authorization: <value>` on every request (HTTP targets; others are returned as they are). */
export function withAuthorization<T extends TargetSpec>(target: T, value: string): T {
  if (target.kind !== 'http' && target.kind !== 'sse') return target;
  const headers = Object.fromEntries(Object.entries(target.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'authorization'));
  return { ...target, headers: { ...headers, authorization: value } };
}
