// The helpers the basic/transports checks (suites/server/http/) share (Streamable HTTP, 2025-03-26 …
// 2026-07-28, and the legacy HTTP+SSE transport), checked below JSON-RPC with raw HTTP. Every check
// of that folder needs an HTTP target and is not-applicable on stdio.
import { ErrorCode, isObject, type Revision } from '../../schema/index.ts';
import { DEFAULT_CLIENT_INFO, HttpError, type RawResponse, type Reply } from '../../mock-server/index.ts';
import type { CheckContext } from '../harness/index.ts';
import { errorCodeIn, mediaType, messagesOf, responseIn, rpcRequest, type HttpProbe } from '../harness/http.ts';
import { judgeDiscover, type DiscoverResult } from '../harness/stateless.ts';

export type T = CheckContext;

export const MODERN: Revision = '2026-07-28';

/** A header value no server accepts as an origin of its own (RFC 6761 reserves .invalid). */
export const FOREIGN_ORIGIN = 'http://attacker.mcp-conform.invalid';

/** The tools a raw tools/list on this session lists (the first page; objects only). */
export async function listedTools(h: HttpProbe): Promise<Record<string, unknown>[]> {
  const id = h.id();
  const listed = responseIn(await h.request('tools/list', {}, { id }), id);
  return listed && isObject(listed.result) && Array.isArray(listed.result.tools) ? listed.result.tools.filter(isObject) : [];
}

export function describe(r: RawResponse): string {
  if (r.status === 0) return `no HTTP response (${r.error ?? 'unknown error'})`;
  return `HTTP ${r.status}${r.contentType ? ` ${mediaType(r.contentType)}` : ''}`;
}

export function jsonRpcError(r: RawResponse): string {
  const m = messagesOf(r).find((x) => isObject(x.error));
  return m && isObject(m.error) ? ` (JSON-RPC error ${String(m.error.code)} ${JSON.stringify(m.error.message)})` : '';
}

/** A raw conversation with an initialized session at the check's revision. */
export async function session(t: T): Promise<HttpProbe> {
  const h = await t.httpProbe();
  await h.initialize();
  return h;
}

/** A 2026-07-28 conversation: server/discover first; not-applicable when the target does not speak it. */
export async function modern(t: T): Promise<{ h: HttpProbe; discovery: DiscoverResult; modernOnly: boolean }> {
  const h = await t.httpProbe();
  const id = h.id();
  const r = await h.request('server/discover', {}, { id });
  if (r.status === 0) return t.notVerified(`cannot reach the target: ${r.error ?? 'no HTTP response'}`);
  const reply = responseIn(r, id);
  let outcome: { reply: Reply<DiscoverResult> } | { error: unknown };
  if (reply && isObject(reply.result)) outcome = { reply: { ok: true, id, result: reply.result as unknown as DiscoverResult, message: reply } };
  else if (reply && isObject(reply.error)) outcome = { reply: { ok: false, id, error: reply.error as { code: number; message: string }, message: reply } };
  else outcome = { error: new HttpError(r.status, r.text, r.exchange) };
  const probe = judgeDiscover(t.revision, outcome, t.requestTimeoutMs);
  if (probe.unreachable) return t.notVerified(probe.reason);
  if (!probe.speaks || !probe.result) return t.notApplicable(probe.reason);
  const modernOnly = (probe.supportedVersions ?? []).every((v) => v >= MODERN);
  return { h, discovery: probe.result, modernOnly };
}

/**
 * Does the server serve an initialize-era client after all? server/discover's supportedVersions
 * may list 2026-07-28 alone while the same endpoint still answers a 2025-03-26 (or 2024-11-05)
 * initialize, as a client of that revision sends it (no MCP-Protocol-Version header): such a
 * server "supports clients implementing protocol versions earlier than 2025-06-18" and is not
 * one that "supports only this revision" (basic/transports/streamable-http). Returns what it answered.
 */
async function servesEarlier(t: T): Promise<string | undefined> {
  const old = await t.httpProbe({ protocolVersion: '2025-03-26' });
  for (const version of ['2025-03-26', '2024-11-05']) {
    const id = old.id();
    const r = await old.post(rpcRequest('initialize', { protocolVersion: version, capabilities: {}, clientInfo: DEFAULT_CLIENT_INFO }, id), { headers: { 'mcp-protocol-version': null } });
    const sid = r.headers['mcp-session-id'];
    if (sid !== undefined) old.transport.sessionId = sid; // ended (DELETE) with the check
    const reply = responseIn(r, id);
    const negotiated = reply && isObject(reply.result) ? reply.result.protocolVersion : undefined;
    if (typeof negotiated === 'string' && negotiated < MODERN) return `initialize at ${version} was answered with protocolVersion ${negotiated}`;
  }
  return undefined;
}

/** Not-applicable unless the server supports 2026-07-28 only, by server/discover and by initialize. */
export async function expectModernOnly(t: T, modernOnly: boolean, discovery: DiscoverResult, why: string): Promise<void> {
  if (!modernOnly) return t.notApplicable(`the server also supports earlier revisions, ${why}`);
  const earlier = await servesEarlier(t);
  if (earlier) return t.notApplicable(`server/discover lists only ${JSON.stringify(discovery.supportedVersions)}, but ${earlier}: the server also supports earlier revisions, ${why}`);
}

/** A request to a stateful session that every revision has and every server answers. */
export const PING = (id: string) => ({ jsonrpc: '2.0', id, method: 'ping' });

/** Expects 400 Bad Request with a HeaderMismatch JSON-RPC error. */
export function expectHeaderMismatch(t: T, r: RawResponse, what: string, also: number[] = []): void {
  const code = errorCodeIn(r);
  if (r.status === 400 && (code === ErrorCode.HeaderMismatch || (code !== undefined && also.includes(code)))) return;
  t.fail(`${what} was answered with ${describe(r)}${jsonRpcError(r)}; expected 400 Bad Request with JSON-RPC error ${[ErrorCode.HeaderMismatch, ...also].join(' or ')} (HeaderMismatch)`);
}
