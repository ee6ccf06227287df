// What a host does before it can use a server that wants authorization: find the OAuth
// authorization server from the server's 401 — Protected Resource Metadata (RFC 9728, MCP
// 2025-06-18 on) or, failing that, authorization server metadata on the server's origin (MCP
// 2025-03-26) — and read that server's metadata (RFC 8414, or OpenID Connect discovery).
import { isObject, LATEST_STATEFUL } from '../../schema/index.ts';
import type { CheckContext } from '../harness/index.ts';

type Json = Record<string, unknown>;

export type OAuthDiscovery =
  | { kind: 'authless'; status: number }
  | { kind: 'unreachable'; why: string }
  | { kind: 'failed'; status: number; why: string }
  | { kind: 'found'; issuer: string; metadata: Json; via: 'protected-resource-metadata' | 'origin-metadata' };

/** `resource_metadata="…"` of a Bearer challenge. */
export function resourceMetadataUrl(wwwAuthenticate: string | null): string | undefined {
  if (!wwwAuthenticate) return undefined;
  const m = /resource_metadata\s*=\s*(?:"([^"]*)"|([^\s,]+))/i.exec(wwwAuthenticate);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Where RFC 8414 and OpenID Connect put an issuer's metadata, in the order MCP clients try them. */
export function metadataUrls(issuer: URL): string[] {
  const path = issuer.pathname.replace(/\/$/, '');
  const o = issuer.origin;
  return path ? [`${o}/.well-known/oauth-authorization-server${path}`, `${o}/.well-known/openid-configuration${path}`, `${o}${path}/.well-known/openid-configuration`] : [`${o}/.well-known/oauth-authorization-server`, `${o}/.well-known/openid-configuration`];
}

async function getJson(t: CheckContext, url: string): Promise<{ status: number; body?: Json; error?: string }> {
  t.wire.note('send', `GET ${url}`);
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(t.requestTimeoutMs) });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    t.wire.note('recv', `HTTP ${res.status} ${text.slice(0, 300)}`);
    return isObject(body) ? { status: res.status, body } : { status: res.status, error: res.ok ? 'the body is not a JSON object' : `HTTP ${res.status}` };
  } catch (err) {
    t.wire.note('recv', `no answer: ${(err as Error).message}`);
    return { status: 0, error: (err as Error).message };
  }
}

/** The first of the URLs that answers 200 with a JSON object. */
async function firstJson(t: CheckContext, urls: string[]): Promise<{ url: string; body: Json } | { tried: string[] }> {
  for (const url of urls) {
    const r = await getJson(t, url);
    if (r.status === 200 && r.body) return { url, body: r.body };
  }
  return { tried: urls };
}

async function asMetadata(t: CheckContext, issuer: string): Promise<{ metadata: Json } | { why: string }> {
  let u: URL;
  try {
    u = new URL(issuer);
  } catch {
    return { why: `the authorization server ${JSON.stringify(issuer)} is not a URL` };
  }
  const got = await firstJson(t, metadataUrls(u));
  if ('tried' in got) return { why: `no authorization server metadata for ${issuer} (tried ${got.tried.join(', ')})` };
  const missing = ['authorization_endpoint', 'token_endpoint'].filter((k) => typeof got.body[k] !== 'string');
  if (missing.length) return { why: `the metadata at ${got.url} lacks ${missing.join(' and ')}` };
  return { metadata: got.body };
}

/** Asks the server as a host would, and follows its 401 to an authorization server. */
export async function discoverOAuth(t: CheckContext): Promise<OAuthDiscovery> {
  const target = t.target;
  if (target.kind !== 'http' && target.kind !== 'sse') return { kind: 'unreachable', why: 'not a remote server' };
  const url = new URL(target.url);
  const headers: Record<string, string> = { ...(target.headers ?? {}) };
  let init: RequestInit;
  if (target.kind === 'http') {
    headers['content-type'] = 'application/json';
    headers.accept = 'application/json, text/event-stream';
    const body = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LATEST_STATEFUL, capabilities: {}, clientInfo: { name: 'mcp-conform', version: '0.1.0' } } };
    init = { method: 'POST', headers, body: JSON.stringify(body) };
    t.wire.note('send', `POST ${url.href} (initialize, no credentials beyond the configured headers)`);
  } else {
    headers.accept = 'text/event-stream';
    init = { method: 'GET', headers };
    t.wire.note('send', `GET ${url.href} (SSE stream, no credentials beyond the configured headers)`);
  }
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(t.requestTimeoutMs) });
  } catch (err) {
    t.wire.note('recv', `no answer: ${(err as Error).message}`);
    return { kind: 'unreachable', why: `the server did not answer: ${(err as Error).message}` };
  }
  const challenge = res.headers.get('www-authenticate');
  t.wire.note('recv', `HTTP ${res.status}${challenge ? ` WWW-Authenticate: ${challenge}` : ''}`);
  // Only the status line matters. The body is dropped, not awaited (an SSE stream never ends,
  // and some fetch stacks settle a cancel only when the stream does); a session is ended.
  void res.body?.cancel().catch(() => {});
  const session = res.headers.get('mcp-session-id');
  if (session && target.kind === 'http') await fetch(url, { method: 'DELETE', headers: { ...target.headers, 'mcp-session-id': session }, signal: AbortSignal.timeout(t.requestTimeoutMs) }).then((r) => void r.body?.cancel().catch(() => {})).catch(() => {});

  if (res.status !== 401) {
    if (res.ok) return { kind: 'authless', status: res.status };
    return { kind: 'unreachable', why: `the server answered HTTP ${res.status}, not a result or 401` };
  }

  // RFC 9728: the challenge names the metadata, else the well-known URIs (path-specific first).
  const named = resourceMetadataUrl(challenge);
  const path = url.pathname.replace(/\/$/, '');
  const prmUrls = named ? [named] : [...(path ? [`${url.origin}/.well-known/oauth-protected-resource${path}`] : []), `${url.origin}/.well-known/oauth-protected-resource`];
  const prm = await firstJson(t, prmUrls);
  if (!('tried' in prm)) {
    const servers = prm.body.authorization_servers;
    if (!Array.isArray(servers) || typeof servers[0] !== 'string') return { kind: 'failed', status: 401, why: `the protected resource metadata at ${prm.url} names no authorization_servers` };
    const md = await asMetadata(t, servers[0]);
    if ('why' in md) return { kind: 'failed', status: 401, why: md.why };
    return { kind: 'found', issuer: servers[0], metadata: md.metadata, via: 'protected-resource-metadata' };
  }
  if (named) return { kind: 'failed', status: 401, why: `its WWW-Authenticate names resource_metadata ${named}, which does not answer with JSON metadata` };

  // MCP 2025-03-26: the authorization server is the server's own origin.
  const md = await asMetadata(t, url.origin);
  if ('why' in md) {
    return { kind: 'failed', status: 401, why: `no WWW-Authenticate resource_metadata, no protected resource metadata (tried ${prmUrls.join(', ')}) and ${md.why}` };
  }
  return { kind: 'found', issuer: url.origin, metadata: md.metadata, via: 'origin-metadata' };
}
