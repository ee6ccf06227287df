// Testing a protected server (basic/authorization): reading a `WWW-Authenticate` challenge,
// fetching metadata documents with a bound on time and redirects, and the tokens `--auth mock`
// mints with the suite's own authorization server for the token-validation checks.
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

/**
 * What an unauthenticated initialize tells about a server (the CLI's look before minting tokens for
 * `--auth mock`: which scope the good token needs).
 */
export async function authDiscovery(url: string, protocolVersion: string, timeoutMs: number): Promise<AuthDiscovery> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', 'mcp-protocol-version': protocolVersion },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'mcp-conform', version: '0' } } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { status: 0, error: `cannot reach ${url}: ${(err as Error).message}` };
  }
  await res.body?.cancel().catch(() => {});
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
  return tokens;
}

/** The target with `Authorization: <value>` on every request (HTTP targets; others are returned as they are). */
export function withAuthorization<T extends TargetSpec>(target: T, value: string): T {
  if (target.kind !== 'http' && target.kind !== 'sse') return target;
  const headers = Object.fromEntries(Object.entries(target.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'authorization'));
  return { ...target, headers: { ...headers, authorization: value } };
}
