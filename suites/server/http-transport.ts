// basic/transports: Streamable HTTP (2025-03-26 … 2026-07-28) and the legacy HTTP+SSE transport
// (2024-11-05), checked below JSON-RPC with raw HTTP. Every check here needs an HTTP target and is
// not-applicable on stdio.
import { ErrorCode, isObject, META, STATEFUL_STREAMABLE_REVISIONS } from '../../schema/index.ts';
import { DEFAULT_CLIENT_INFO, HttpError, paramHeaderSpecs, type RawResponse, type Reply } from '../../mock-server/index.ts';
import type { Revision } from '../../schema/index.ts';
import { check, mayCall, type CheckContext } from '../harness/index.ts';
import { errorCodeIn, legacyTransportOf, mediaType, messagesOf, openLegacyStream, responseIn, rpcRequest, type HttpProbe } from '../harness/http.ts';
import { judgeDiscover, type DiscoverResult } from '../harness/stateless.ts';

type T = CheckContext;

const MODERN: Revision = '2026-07-28';

/** Spec pages per revision: the single transports page until 2025-11-25, its own page after. */
function pages(revs: readonly Revision[], stateful: string, modern?: string): Partial<Record<Revision, string>> {
  const out: Partial<Record<Revision, string>> = {};
  for (const r of revs) out[r] = r === MODERN ? `basic/transports/streamable-http#${modern ?? stateful}` : `basic/transports#${stateful}`;
  return out;
}

/** A header value no server accepts as an origin of its own (RFC 6761 reserves .invalid). */
const FOREIGN_ORIGIN = 'http://attacker.mcp-conform.invalid';

function describe(r: RawResponse): string {
  if (r.status === 0) return `no HTTP response (${r.error ?? 'unknown error'})`;
  return `HTTP ${r.status}${r.contentType ? ` ${mediaType(r.contentType)}` : ''}`;
}

function jsonRpcError(r: RawResponse): string {
  const m = messagesOf(r).find((x) => isObject(x.error));
  return m && isObject(m.error) ? ` (JSON-RPC error ${String(m.error.code)} ${JSON.stringify(m.error.message)})` : '';
}

/** A raw conversation with an initialized session at the check's revision. */
async function session(t: T): Promise<HttpProbe> {
  const h = await t.httpProbe();
  await h.initialize();
  return h;
}

/** Is a 2xx answer a response to the request `id`? Fails the check with what went wrong otherwise. */
function expectAnswered(t: T, r: RawResponse, id: unknown, what: string): Record<string, unknown> {
  if (r.status < 200 || r.status > 299) return t.fail(`${what} was answered with ${describe(r)}${jsonRpcError(r)}, not a JSON-RPC response`);
  const type = mediaType(r.contentType);
  if (type !== 'application/json' && type !== 'text/event-stream') {
    return t.fail(`${what} was answered with Content-Type ${JSON.stringify(r.contentType)}; a request MUST be answered with application/json or text/event-stream`);
  }
  if (type === 'application/json' && (!isObject(r.json) || Array.isArray(r.json))) {
    return t.fail(`${what} was answered with application/json whose body is not one JSON object${r.json === undefined ? ' (not JSON)' : ''}`);
  }
  const reply = responseIn(r, id);
  if (!reply) {
    return t.fail(
      type === 'text/event-stream'
        ? `${what} was answered with an SSE stream that carried no response with id ${JSON.stringify(id)}${r.timedOut ? ` within ${t.requestTimeoutMs} ms` : ' before it ended'}`
        : `${what} was answered with a JSON body that is not the response to id ${JSON.stringify(id)}`,
    );
  }
  return reply;
}

/** A 2026-07-28 conversation: server/discover first; not-applicable when the target does not speak it. */
async function modern(t: T): Promise<{ h: HttpProbe; discovery: DiscoverResult; modernOnly: boolean }> {
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
async function expectModernOnly(t: T, modernOnly: boolean, discovery: DiscoverResult, why: string): Promise<void> {
  if (!modernOnly) return t.notApplicable(`the server also supports earlier revisions, ${why}`);
  const earlier = await servesEarlier(t);
  if (earlier) return t.notApplicable(`server/discover lists only ${JSON.stringify(discovery.supportedVersions)}, but ${earlier}: the server also supports earlier revisions, ${why}`);
}

/** A request to a stateful session that every revision has and every server answers. */
const PING = (id: string) => ({ jsonrpc: '2.0', id, method: 'ping' });

// ---------------------------------------------------------------- sending messages

check(
  {
    id: 'http/request-response',
    title: 'a POSTed request is answered with application/json or an SSE stream carrying its response',
    level: 'MUST',
    requirement:
      'If the input is a JSON-RPC request, the server MUST either return Content-Type: text/event-stream, to initiate an SSE stream, or Content-Type: application/json, to return one JSON object.',
    spec: pages([...STATEFUL_STREAMABLE_REVISIONS, MODERN], 'sending-messages-to-the-server', 'sending-messages'),
  },
  async (t) => {
    if (t.revision === MODERN) {
      const { h } = await modern(t);
      const id = h.id();
      expectAnswered(t, await h.request('server/discover', {}, { id }), id, 'server/discover');
      return;
    }
    const h = await t.httpProbe();
    const init = await h.initialize({ sendInitialized: false });
    expectAnswered(t, init.response, init.id, 'initialize');
    await h.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const id = h.id();
    expectAnswered(t, await h.post(PING(id)), id, 'ping');
  },
);

check(
  {
    id: 'http/notification-202',
    title: 'a POSTed notification is answered 202 Accepted with no body (or an HTTP error when refused)',
    level: 'MUST',
    requirement:
      'If the input is a JSON-RPC response or notification: If the server accepts the input, the server MUST return HTTP status code 202 Accepted with no body. If the server cannot accept the input, it MUST return an HTTP error status code.',
    spec: pages([...STATEFUL_STREAMABLE_REVISIONS, MODERN], 'sending-messages-to-the-server', 'sending-messages'),
  },
  async (t) => {
    let r: RawResponse;
    if (t.revision === MODERN) {
      const { h } = await modern(t);
      // 2026-07-28 defines no client notification over HTTP: the server may accept or refuse one.
      r = await h.post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'mcp-conform-none', reason: 'transport check' } });
      if (r.status >= 400 && r.status <= 599) return;
    } else {
      const h = await t.httpProbe();
      const init = await h.initialize();
      r = init.initialized!;
      if (r.status >= 400) return t.fail(`notifications/initialized was refused with ${describe(r)}; the handshake cannot complete`);
    }
    t.expect(r.status === 202, `the notification was answered with ${describe(r)}, not 202 Accepted`);
    t.expect(r.text === '', `the 202 answer to a notification has a body (${r.text.length} characters); it MUST have none`);
  },
);

check(
  {
    id: 'http/response-202',
    title: 'a POSTed JSON-RPC response is answered 202 Accepted with no body (or an HTTP error when refused)',
    level: 'MUST',
    requirement:
      'If the input is a JSON-RPC response or notification: If the server accepts the input, the server MUST return HTTP status code 202 Accepted with no body. If the server cannot accept the input, it MUST return an HTTP error status code.',
    spec: pages(STATEFUL_STREAMABLE_REVISIONS, 'sending-messages-to-the-server'),
  },
  async (t) => {
    const h = await session(t);
    // A response to no request of the server's: it may accept (and drop) it or refuse it.
    const r = await h.post({ jsonrpc: '2.0', id: 'mcp-conform-unsolicited', result: {} });
    if (r.status >= 400 && r.status <= 599) return;
    t.expect(r.status === 202, `the JSON-RPC response was answered with ${describe(r)}, neither 202 Accepted nor an HTTP error status`);
    t.expect(r.text === '', `the 202 answer to a JSON-RPC response has a body (${r.text.length} characters); it MUST have none`);
  },
);

check(
  {
    id: 'http/batch',
    title: 'a POSTed batch of requests is answered with every response (2025-03-26)',
    level: 'MUST',
    requirement:
      'If the input contains any number of JSON-RPC requests, the server MUST either return Content-Type: text/event-stream, to initiate an SSE stream, or Content-Type: application/json, to return one JSON object.',
    spec: pages(['2025-03-26'], 'sending-messages-to-the-server'),
  },
  async (t) => {
    const h = await session(t);
    const a = h.id();
    const b = h.id();
    const r = await h.send({ method: 'POST', body: [PING(a), PING(b)], until: (evs) => evs.filter((e) => e.data.includes('"result"') || e.data.includes('"error"')).length >= 2 });
    t.expect(r.status >= 200 && r.status <= 299, `the batch was answered with ${describe(r)}${jsonRpcError(r)}`);
    const type = mediaType(r.contentType);
    t.expect(type === 'application/json' || type === 'text/event-stream', `the batch was answered with Content-Type ${JSON.stringify(r.contentType)}`);
    const missing = [a, b].filter((id) => !responseIn(r, id));
    t.expect(missing.length === 0, `the answer to a batch of two pings lacks the response to ${missing.map((m) => JSON.stringify(m)).join(' and ')}`);
  },
);

// ---------------------------------------------------------------- SSE response streams

/** A request answered with an SSE stream, or not-applicable when the server answers with JSON. */
async function sseAnswer(t: T, readMs?: number): Promise<{ h: HttpProbe; r: RawResponse; ended: boolean; id: string }> {
  let h: HttpProbe;
  let body: Record<string, unknown>;
  const id = 'mcp-conform-sse';
  if (t.revision === MODERN) {
    h = (await modern(t)).h;
    body = { jsonrpc: '2.0', id, method: 'server/discover', params: { _meta: h.statelessMeta() } };
  } else {
    h = await session(t);
    body = PING(id);
  }
  const { response: r, ended } = await h.readStream(body, readMs ?? Math.min(t.requestTimeoutMs, 3_000));
  if (mediaType(r.contentType) !== 'text/event-stream') {
    return t.notApplicable(`the server answered ${body.method as string} with ${describe(r)}, not an SSE stream`);
  }
  return { h, r, ended, id };
}

check(
  {
    id: 'http/sse-closes-after-response',
    title: 'an SSE response stream ends after it carried the response',
    level: 'SHOULD',
    requirement: 'After the JSON-RPC response has been sent, the server SHOULD terminate the SSE stream.',
    spec: pages([...STATEFUL_STREAMABLE_REVISIONS, MODERN], 'sending-messages-to-the-server', 'receiving-messages'),
  },
  async (t) => {
    const { r, ended, id } = await sseAnswer(t);
    if (!responseIn(r, id)) return t.fail(`the SSE stream carried no response with id ${JSON.stringify(id)}`);
    t.expect(ended, `the SSE stream stayed open ${Math.min(t.requestTimeoutMs, 3_000)} ms after it carried the response`);
  },
);

check(
  {
    id: 'http/sse-priming-event',
    title: 'an SSE response stream starts with an event id and empty data',
    level: 'SHOULD',
    requirement:
      'If the server initiates an SSE stream: The server SHOULD immediately send an SSE event consisting of an event ID and an empty data field in order to prime the client to reconnect.',
    spec: pages(['2025-11-25'], 'sending-messages-to-the-server'),
  },
  async (t) => {
    const { r } = await sseAnswer(t);
    const first = r.events?.[0];
    if (!first) return t.fail('the SSE stream carried no event');
    t.expect(first.id !== undefined && first.data === '', `the first SSE event is not a priming event (id ${JSON.stringify(first.id ?? null)}, data ${JSON.stringify(first.data.slice(0, 80))})`);
  },
);

check(
  {
    id: 'http/sse-event-ids-unique',
    title: 'SSE event ids are unique across the streams of a session',
    level: 'MUST',
    requirement: 'If present, the ID MUST be globally unique across all streams within that session—or all streams with that specific client, if session management is not in use.',
    spec: pages(STATEFUL_STREAMABLE_REVISIONS, 'resumability-and-redelivery'),
  },
  async (t) => {
    const h = await session(t);
    const seen = new Map<string, number>();
    let sse = 0;
    for (let i = 1; i <= 3; i++) {
      const id = h.id();
      const r = await h.post(PING(id));
      if (mediaType(r.contentType) !== 'text/event-stream') continue;
      sse++;
      for (const e of r.events ?? []) {
        if (e.id === undefined) continue;
        const before = seen.get(e.id);
        if (before !== undefined) return t.fail(`event id ${JSON.stringify(e.id)} was used twice in the same session (${before === i ? `twice on the stream of request ${i}` : `on the streams of requests ${before} and ${i}`})`);
        seen.set(e.id, i);
      }
    }
    if (sse === 0) return t.notApplicable('the server answers pings with JSON, not SSE streams');
    if (seen.size === 0) return t.notApplicable('the server sends SSE events without ids');
  },
);

check(
  {
    id: 'http/sse-no-buffering-header',
    title: 'SSE responses carry X-Accel-Buffering: no',
    level: 'SHOULD',
    requirement: 'When initiating an SSE stream, servers SHOULD include the X-Accel-Buffering: no header in the HTTP response.',
    spec: pages([MODERN], '', 'receiving-messages'),
  },
  async (t) => {
    const { r } = await sseAnswer(t);
    const v = r.headers['x-accel-buffering'];
    t.expect(v !== undefined && v.trim().toLowerCase() === 'no', `the SSE response has ${v === undefined ? 'no X-Accel-Buffering header' : `X-Accel-Buffering: ${v}`}`);
  },
);

// ---------------------------------------------------------------- GET stream

check(
  {
    id: 'http/get-stream',
    title: 'GET on the endpoint opens an SSE stream or is refused with 405',
    level: 'MUST',
    requirement:
      'The server MUST either return Content-Type: text/event-stream in response to this HTTP GET, or else return HTTP 405 Method Not Allowed, indicating that the server does not offer an SSE stream at this endpoint.',
    spec: pages(STATEFUL_STREAMABLE_REVISIONS, 'listening-for-messages-from-the-server'),
  },
  async (t) => {
    const h = await session(t);
    // Any event (or the timeout) ends the read: only the status and media type matter here.
    const r = await h.send({ method: 'GET', until: () => true, timeoutMs: Math.min(t.requestTimeoutMs, Math.max(t.quietMs * 2, 500)) });
    if (r.status === 405) return;
    t.expect(r.status >= 200 && r.status <= 299 && mediaType(r.contentType) === 'text/event-stream', `GET with Accept: text/event-stream was answered with ${describe(r)}, neither an SSE stream nor 405`);
  },
);

check(
  {
    id: 'http/get-delete-405',
    title: 'a server of 2026-07-28 only answers GET and DELETE with 405',
    level: 'SHOULD',
    requirement: 'A server that supports only this revision and receives such traffic from an older client SHOULD respond as follows: HTTP GET or DELETE to the MCP endpoint: respond with 405 Method Not Allowed.',
    spec: pages([MODERN], '', 'earlier-streamable-http-revisions'),
  },
  async (t) => {
    const { h, modernOnly, discovery } = await modern(t);
    await expectModernOnly(t, modernOnly, discovery, 'whose GET stream and DELETE it may serve');
    const get = await h.send({ method: 'GET', until: () => true, timeoutMs: Math.min(t.requestTimeoutMs, 1_000) });
    t.expect(get.status === 405, `GET was answered with ${describe(get)}, not 405`);
    const del = await h.send({ method: 'DELETE', headers: { 'mcp-session-id': 'mcp-conform-session' } });
    t.expect(del.status === 405, `DELETE was answered with ${describe(del)}, not 405`);
  },
);

// ---------------------------------------------------------------- sessions

/** The session id the server issued with initialize, or not-applicable when it uses none. */
function issued(t: T, h: HttpProbe): string {
  if (h.sessionId === undefined) return t.notApplicable('the server issued no Mcp-Session-Id with initialize (it does not use sessions)');
  return h.sessionId;
}

check(
  {
    id: 'http/session-id-ascii',
    title: 'a session id has only visible ASCII characters',
    level: 'MUST',
    requirement: 'The session ID MUST only contain visible ASCII characters (ranging from 0x21 to 0x7E).',
    spec: pages(STATEFUL_STREAMABLE_REVISIONS, 'session-management'),
  },
  async (t) => {
    const h = await session(t);
    const sid = issued(t, h);
    t.expect(/^[\x21-\x7e]+$/.test(sid), `the session id ${JSON.stringify(sid)} has characters outside 0x21-0x7E`);
  },
);

check(
  {
    id: 'http/session-required',
    title: 'a request without the session id is refused with 400',
    level: 'SHOULD',
    requirement: 'Servers that require a session ID SHOULD respond to requests without an Mcp-Session-Id header (other than initialization) with HTTP 400 Bad Request.',
    spec: pages(STATEFUL_STREAMABLE_REVISIONS, 'session-management'),
  },
  async (t) => {
    const h = await session(t);
    issued(t, h);
    const id = h.id();
    const r = await h.post(PING(id), { headers: { 'mcp-session-id': null } });
    if (r.status >= 200 && r.status <= 299 && responseIn(r, id)) return t.notApplicable('the server serves requests without a session id (it does not require one)');
    t.expect(r.status === 400, `a ping without Mcp-Session-Id was answered with ${describe(r)}${jsonRpcError(r)}, not 400`);
  },
);

check(
  {
    id: 'http/session-unknown-404',
    title: 'a request naming a session the server does not know is answered 404',
    level: 'SHOULD',
    requirement:
      'The server MAY terminate the session at any time, after which it MUST respond to requests containing that session ID with HTTP 404 Not Found. (A session id the server never issued is answered the same way, so the client starts a new session.)',
    spec: pages(STATEFUL_STREAMABLE_REVISIONS, 'session-management'),
  },
  async (t) => {
    const h = await session(t);
    issued(t, h);
    const id = h.id();
    const r = await h.post(PING(id), { headers: { 'mcp-session-id': `mcp-conform-unknown-${Math.random().toString(36).slice(2, 10)}` } });
    t.expect(r.status === 404, `a ping naming an unknown session was answered with ${describe(r)}${jsonRpcError(r)}, not 404`);
  },
);

check(
  {
    id: 'http/session-delete',
    title: 'DELETE with the session id ends the session, or is refused with 405',
    level: 'SHOULD',
    requirement:
      'Clients that no longer need a particular session SHOULD send an HTTP DELETE to the MCP endpoint with the Mcp-Session-Id header, to explicitly terminate the session. The server MAY respond to this request with HTTP 405 Method Not Allowed, indicating that the server does not allow clients to terminate sessions.',
    spec: pages(STATEFUL_STREAMABLE_REVISIONS, 'session-management'),
  },
  async (t) => {
    const h = await session(t);
    issued(t, h);
    const r = await h.send({ method: 'DELETE' });
    t.expect(r.status === 405 || (r.status >= 200 && r.status <= 299), `DELETE with the session id was answered with ${describe(r)}${jsonRpcError(r)}, neither a success nor 405`);
  },
);

check(
  {
    id: 'http/session-deleted-404',
    title: 'after a DELETE ended the session, requests naming it are answered 404',
    level: 'MUST',
    requirement: 'The server MAY terminate the session at any time, after which it MUST respond to requests containing that session ID with HTTP 404 Not Found.',
    spec: pages(STATEFUL_STREAMABLE_REVISIONS, 'session-management'),
  },
  async (t) => {
    const h = await session(t);
    const sid = issued(t, h);
    const del = await h.send({ method: 'DELETE' });
    if (del.status === 405) return t.notApplicable('the server does not let clients end sessions (DELETE is answered 405)');
    if (del.status < 200 || del.status > 299) return t.notVerified(`DELETE was answered with ${describe(del)}, so the session may not have ended`);
    const id = h.id();
    const r = await h.post(PING(id), { headers: { 'mcp-session-id': sid } });
    t.expect(r.status === 404, `after DELETE ended session ${sid}, a ping naming it was answered with ${describe(r)}${jsonRpcError(r)}, not 404`);
  },
);

// ---------------------------------------------------------------- protocol version header

check(
  {
    id: 'http/protocol-version-unsupported',
    title: 'an unsupported MCP-Protocol-Version header is refused with 400',
    level: 'MUST',
    requirement: 'If the server receives a request with an invalid or unsupported MCP-Protocol-Version, it MUST respond with 400 Bad Request.',
    spec: pages(['2025-06-18', '2025-11-25'], 'protocol-version-header'),
  },
  async (t) => {
    const h = await session(t);
    const id = h.id();
    const r = await h.post(PING(id), { headers: { 'mcp-protocol-version': '1999-01-01' } });
    t.expect(r.status === 400, `a ping with MCP-Protocol-Version: 1999-01-01 was answered with ${describe(r)}${jsonRpcError(r)}, not 400`);
  },
);

check(
  {
    id: 'http/protocol-version-absent',
    title: 'a request without MCP-Protocol-Version in a negotiated session is served',
    level: 'SHOULD',
    requirement:
      'For backwards compatibility, if the server does not receive an MCP-Protocol-Version header, and has no other way to identify the version - for example, by relying on the protocol version negotiated during initialization - the server SHOULD assume protocol version 2025-03-26.',
    spec: pages(['2025-06-18', '2025-11-25'], 'protocol-version-header'),
  },
  async (t) => {
    const h = await session(t);
    const id = h.id();
    const r = await h.post(PING(id), { headers: { 'mcp-protocol-version': null } });
    t.expect(r.status >= 200 && r.status <= 299 && responseIn(r, id), `a ping without MCP-Protocol-Version was answered with ${describe(r)}${jsonRpcError(r)}; the server should fall back to the negotiated version (or 2025-03-26)`);
  },
);

// ---------------------------------------------------------------- Origin (DNS rebinding)

/** POSTs the opening request with a foreign Origin; returns the answer (and ends any session it opened). */
async function foreignOrigin(t: T): Promise<RawResponse> {
  if (t.revision === MODERN) {
    const { h } = await modern(t);
    return h.request('server/discover', {}, { headers: { origin: FOREIGN_ORIGIN } });
  }
  const h = await t.httpProbe();
  const r = await h.post({ jsonrpc: '2.0', id: h.id(), method: 'initialize', params: { protocolVersion: t.revision, capabilities: {}, clientInfo: { name: 'mcp-conform', version: '0.1.0' } } }, { headers: { origin: FOREIGN_ORIGIN } });
  const sid = r.headers['mcp-session-id'];
  if (sid !== undefined) h.transport.sessionId = sid; // closed with DELETE when the check ends
  return r;
}

check(
  {
    id: 'http/origin-validated',
    title: 'a request from a foreign Origin is refused',
    level: 'MUST',
    requirement: 'Servers MUST validate the Origin header on all incoming connections to prevent DNS rebinding attacks.',
    spec: pages(['2025-03-26', '2025-06-18'], 'security-warning'),
  },
  async (t) => {
    const r = await foreignOrigin(t);
    t.expect(r.status >= 400 && r.status <= 499, `initialize with Origin: ${FOREIGN_ORIGIN} was answered with ${describe(r)}; a server that validates Origin refuses it`);
  },
);

check(
  {
    id: 'http/origin-403',
    title: 'a request from a foreign Origin is refused with 403 Forbidden',
    level: 'MUST',
    requirement: 'Servers MUST validate the Origin header on all incoming connections to prevent DNS rebinding attacks. If the Origin header is present and invalid, servers MUST respond with HTTP 403 Forbidden.',
    spec: pages(['2025-11-25', MODERN], 'security-warning', 'security--endpoint'),
  },
  async (t) => {
    const r = await foreignOrigin(t);
    t.expect(r.status === 403, `a request with Origin: ${FOREIGN_ORIGIN} was answered with ${describe(r)}${r.status >= 200 && r.status <= 299 ? ' (served: the Origin is not validated)' : ''}, not 403`);
    if (r.json !== undefined && isObject(r.json) && Object.hasOwn(r.json, 'id') && r.json.id !== null) t.fail('the 403 body is a JSON-RPC error with an id; it may only be one without an id');
  },
);

// ---------------------------------------------------------------- Accept header

check(
  {
    id: 'http/accept-variants',
    title: 'an Accept header listing both media types is accepted in any order and with parameters',
    level: 'SHOULD',
    requirement: 'The client MUST include an Accept header, listing both application/json and text/event-stream as supported content types. (Any header that lists both satisfies this, so the server serves it.)',
    spec: pages([...STATEFUL_STREAMABLE_REVISIONS, MODERN], 'sending-messages-to-the-server', 'sending-messages'),
  },
  async (t) => {
    const variants = ['text/event-stream, application/json', 'application/json;q=0.9, text/event-stream;q=0.8', 'application/json, text/event-stream, */*'];
    const h = t.revision === MODERN ? (await modern(t)).h : await session(t);
    for (const accept of variants) {
      const id = h.id();
      const r = t.revision === MODERN ? await h.request('server/discover', {}, { id, headers: { accept } }) : await h.post(PING(id), { headers: { accept } });
      if (!(r.status >= 200 && r.status <= 299 && responseIn(r, id))) return t.fail(`a request with Accept: ${accept} was answered with ${describe(r)}${jsonRpcError(r)}`);
    }
  },
);

// ---------------------------------------------------------------- 2026-07-28 request metadata

/** Expects 400 Bad Request with a HeaderMismatch JSON-RPC error. */
function expectHeaderMismatch(t: T, r: RawResponse, what: string, also: number[] = []): void {
  const code = errorCodeIn(r);
  if (r.status === 400 && (code === ErrorCode.HeaderMismatch || (code !== undefined && also.includes(code)))) return;
  t.fail(`${what} was answered with ${describe(r)}${jsonRpcError(r)}; expected 400 Bad Request with JSON-RPC error ${[ErrorCode.HeaderMismatch, ...also].join(' or ')} (HeaderMismatch)`);
}

/**
 * Calls the first tool the run may call that marks a top-level string argument with x-mcp-header,
 * that argument set to "mcp-conform-a" and its Mcp-Param header set to `header` (null: left out),
 * and expects 400 + HeaderMismatch. A server that does not check the header runs the tool.
 */
async function callWithParamHeader(t: T, header: string | null, what: (tool: string, key: string, header: string) => string): Promise<void> {
  const { h } = await modern(t);
  const id = h.id();
  const listed = responseIn(await h.request('tools/list', {}, { id }), id);
  const tools = listed && isObject(listed.result) && Array.isArray(listed.result.tools) ? listed.result.tools.filter(isObject) : [];
  let held: string | undefined;
  for (const tool of tools) {
    const props = isObject(tool.inputSchema) && isObject(tool.inputSchema.properties) ? tool.inputSchema.properties : {};
    for (const [key, prop] of Object.entries(props)) {
      if (!isObject(prop) || typeof prop['x-mcp-header'] !== 'string' || prop.type !== 'string') continue;
      const may = mayCall({ name: String(tool.name), annotations: tool.annotations }, t.config.callTools);
      if (!may.ok) {
        held ??= `"${String(tool.name)}" may not be called: ${may.why}`;
        break;
      }
      const name = `mcp-param-${prop['x-mcp-header'].toLowerCase()}`;
      const r = await h.request('tools/call', { name: tool.name, arguments: { [key]: 'mcp-conform-a' } }, { headers: { [name]: header } });
      return expectHeaderMismatch(t, r, what(String(tool.name), key, name));
    }
  }
  if (held) return t.notVerified(`needs a call of a tool with an x-mcp-header argument, but ${held}`);
  t.notApplicable('no tool marks a top-level string argument with x-mcp-header');
}

check(
  {
    id: 'http/method-not-found-404',
    title: 'an unknown method is answered 404 Not Found with JSON-RPC error -32601',
    level: 'MUST',
    requirement: 'If the server does not implement the requested RPC method, it MUST respond with 404 Not Found and a JSON-RPC error with code -32601 (Method not found).',
    spec: pages([MODERN], '', 'protocol-version-header'),
  },
  async (t) => {
    const { h } = await modern(t);
    const r = await h.request('mcp-conform/no-such-method');
    t.expect(r.status === 404 && errorCodeIn(r) === ErrorCode.MethodNotFound, `an unknown method was answered with ${describe(r)}${jsonRpcError(r)}, not 404 with error -32601`);
  },
);

check(
  {
    id: 'http/protocol-version-header-required',
    title: 'a request without MCP-Protocol-Version is refused with 400 and HeaderMismatch',
    level: 'MUST',
    requirement:
      'Every POST request to the MCP endpoint MUST include an MCP-Protocol-Version header. A server that does not support such clients MUST reject a request without the header per Server Validation (400 Bad Request, HeaderMismatch).',
    spec: pages([MODERN], '', 'protocol-version-header'),
  },
  async (t) => {
    const { h, modernOnly, discovery } = await modern(t);
    await expectModernOnly(t, modernOnly, discovery, 'so it MAY treat a request without the header as 2025-03-26');
    const r = await h.request('server/discover', {}, { headers: { 'mcp-protocol-version': null } });
    expectHeaderMismatch(t, r, 'server/discover without MCP-Protocol-Version');
  },
);

check(
  {
    id: 'http/protocol-version-header-mismatch',
    title: 'MCP-Protocol-Version differing from the body’s protocol version is refused with 400 and HeaderMismatch',
    level: 'MUST',
    requirement:
      'The header value MUST match the io.modelcontextprotocol/protocolVersion field carried in the request body’s _meta. If the values do not match, the server MUST reject the request with 400 Bad Request and a HeaderMismatch JSON-RPC error.',
    spec: pages([MODERN], '', 'protocol-version-header'),
  },
  async (t) => {
    const { h, discovery } = await modern(t);
    const other = (discovery.supportedVersions ?? []).find((v) => v !== t.revision);
    const bodyVersion = other ?? '2025-11-25';
    const meta = { ...h.statelessMeta(), [META.protocolVersion]: bodyVersion };
    const r = await h.request('server/discover', {}, { meta });
    // When the body's version is one the server does not support, UnsupportedProtocolVersion also fits.
    expectHeaderMismatch(t, r, `server/discover with MCP-Protocol-Version: ${t.revision} and _meta protocolVersion ${bodyVersion}`, other ? [] : [ErrorCode.UnsupportedProtocolVersion]);
  },
);

check(
  {
    id: 'http/unsupported-version-400',
    title: 'an unsupported protocol version is refused with 400 and UnsupportedProtocolVersionError',
    level: 'MUST',
    requirement:
      'If the server does not implement the requested protocol version, it MUST respond with 400 Bad Request and an UnsupportedProtocolVersionError listing its supported versions.',
    spec: pages([MODERN], '', 'protocol-version-header'),
  },
  async (t) => {
    const { h } = await modern(t);
    const v = '2099-01-01';
    const r = await h.request('server/discover', {}, { meta: { ...h.statelessMeta(), [META.protocolVersion]: v }, headers: { 'mcp-protocol-version': v } });
    t.expect(r.status === 400 && errorCodeIn(r) === ErrorCode.UnsupportedProtocolVersion, `a request at protocol version ${v} was answered with ${describe(r)}${jsonRpcError(r)}, not 400 with error -32022`);
    const e = messagesOf(r).find((m) => isObject(m.error));
    const data = e && isObject(e.error) ? e.error.data : undefined;
    t.expect(isObject(data) && Array.isArray(data.supported) && data.supported.length > 0, 'the UnsupportedProtocolVersionError does not list the supported versions in data.supported');
  },
);

check(
  {
    id: 'http/missing-meta-400',
    title: 'a request without the required _meta fields is refused with 400 and -32602',
    level: 'MUST',
    requirement: 'A request missing any required field is malformed; the server MUST reject it with JSON-RPC error code -32602 (Invalid params). On HTTP, the response status MUST be 400 Bad Request.',
    spec: { [MODERN]: 'basic/index#meta' },
  },
  async (t) => {
    const { h } = await modern(t);
    const { [META.clientCapabilities]: _dropped, ...meta } = h.statelessMeta() ?? {};
    const id = h.id();
    const r = await h.request('server/discover', {}, { id, meta });
    const reply = responseIn(r, id);
    if (reply && isObject(reply.result)) return t.notVerified('the server served the request instead of refusing it (see meta/required-fields)');
    t.expect(r.status === 400 && errorCodeIn(r) === ErrorCode.InvalidParams, `server/discover without io.modelcontextprotocol/clientCapabilities was answered with ${describe(r)}${jsonRpcError(r)}, not 400 with error -32602`);
  },
);

check(
  {
    id: 'http/mcp-method-required',
    title: 'a request without Mcp-Method is refused with 400 and HeaderMismatch',
    level: 'MUST',
    requirement: 'Servers MUST reject requests with 400 Bad Request and HeaderMismatch (-32020) when a required standard header (MCP-Protocol-Version, Mcp-Method, Mcp-Name) is missing.',
    spec: pages([MODERN], '', 'server-validation'),
  },
  async (t) => {
    const { h } = await modern(t);
    expectHeaderMismatch(t, await h.request('server/discover', {}, { headers: { 'mcp-method': null } }), 'server/discover without Mcp-Method');
  },
);

check(
  {
    id: 'http/mcp-method-mismatch',
    title: 'Mcp-Method differing from the body’s method is refused with 400 and HeaderMismatch',
    level: 'MUST',
    requirement: 'Servers that process the request body MUST reject requests where the values specified in the headers do not match the corresponding values in the request body.',
    spec: pages([MODERN], '', 'server-validation'),
  },
  async (t) => {
    const { h } = await modern(t);
    expectHeaderMismatch(t, await h.request('server/discover', {}, { headers: { 'mcp-method': 'tools/list' } }), 'server/discover with Mcp-Method: tools/list');
  },
);

/** A method that carries Mcp-Name on this server, with the body field and a real name if one exists. */
async function namedMethod(t: T, h: HttpProbe, caps: Record<string, unknown>): Promise<{ method: string; field: 'name' | 'uri'; value: string; params: Record<string, unknown> }> {
  const first = async (list: string, key: string, field: string, usable: (item: Record<string, unknown>) => boolean = () => true): Promise<string | undefined> => {
    const id = h.id();
    const r = await h.request(list, {}, { id });
    const reply = responseIn(r, id);
    const items = reply && isObject(reply.result) ? reply.result[key] : undefined;
    const item = Array.isArray(items) ? items.filter(isObject).find(usable) : undefined;
    return item && typeof item[field] === 'string' ? item[field] : undefined;
  };
  // A server that ignores the headers runs the request: only a tool the call policy allows.
  const callable = (tool: Record<string, unknown>) => typeof tool.name === 'string' && mayCall(tool as { name: string }, t.config.callTools).ok;
  const tool = caps.tools ? await first('tools/list', 'tools', 'name', callable) : undefined;
  if (tool !== undefined) return { method: 'tools/call', field: 'name', value: tool, params: { arguments: {} } };
  if (caps.prompts) return { method: 'prompts/get', field: 'name', value: (await first('prompts/list', 'prompts', 'name')) ?? 'mcp-conform-prompt', params: {} };
  if (caps.resources) return { method: 'resources/read', field: 'uri', value: (await first('resources/list', 'resources', 'uri')) ?? 'mcp-conform://none', params: {} };
  // A made-up name: at worst refused as an unknown tool, it runs nothing.
  if (caps.tools) return { method: 'tools/call', field: 'name', value: 'mcp-conform-tool', params: { arguments: {} } };
  return t.notApplicable('the server declares none of tools, prompts and resources, whose requests carry Mcp-Name');
}

check(
  {
    id: 'http/mcp-name-required',
    title: 'tools/call, prompts/get or resources/read without Mcp-Name is refused with 400 and HeaderMismatch',
    level: 'MUST',
    requirement: 'Servers MUST reject requests with 400 Bad Request and HeaderMismatch (-32020) when a required standard header (MCP-Protocol-Version, Mcp-Method, Mcp-Name) is missing.',
    spec: pages([MODERN], '', 'server-validation'),
  },
  async (t) => {
    const { h, discovery } = await modern(t);
    const m = await namedMethod(t, h, discovery.capabilities as Record<string, unknown>);
    const r = await h.request(m.method, { ...m.params, [m.field]: m.value }, { headers: { 'mcp-name': null } });
    expectHeaderMismatch(t, r, `${m.method} without Mcp-Name`);
  },
);

check(
  {
    id: 'http/mcp-name-mismatch',
    title: 'Mcp-Name differing from the body’s name or uri is refused with 400 and HeaderMismatch',
    level: 'MUST',
    requirement: 'Servers that process the request body MUST reject requests where the values specified in the headers do not match the corresponding values in the request body.',
    spec: pages([MODERN], '', 'server-validation'),
  },
  async (t) => {
    const { h, discovery } = await modern(t);
    const m = await namedMethod(t, h, discovery.capabilities as Record<string, unknown>);
    const r = await h.request(m.method, { ...m.params, [m.field]: m.value }, { headers: { 'mcp-name': `${m.value}-mcp-conform-other` } });
    expectHeaderMismatch(t, r, `${m.method} for ${JSON.stringify(m.value)} with a different Mcp-Name`);
  },
);

check(
  {
    id: 'http/mcp-name-base64',
    title: 'a Base64-encoded Mcp-Name is decoded before it is compared',
    level: 'MUST',
    requirement: 'Servers MUST decode an encoded Mcp-Name or Mcp-Param-{Name} value before comparing it to the corresponding request body value during Server Validation.',
    spec: pages([MODERN], '', 'value-encoding'),
  },
  async (t) => {
    const { h, discovery } = await modern(t);
    const m = await namedMethod(t, h, discovery.capabilities as Record<string, unknown>);
    const encoded = `=?base64?${Buffer.from(m.value, 'utf8').toString('base64')}?=`;
    const r = await h.request(m.method, { ...m.params, [m.field]: m.value }, { headers: { 'mcp-name': encoded } });
    t.expect(errorCodeIn(r) !== ErrorCode.HeaderMismatch, `${m.method} with Mcp-Name: ${encoded} (the Base64 form of ${JSON.stringify(m.value)}) was refused as a header mismatch${jsonRpcError(r)}`);
    t.expect(r.status !== 0 && r.status < 500, `${m.method} with a Base64-encoded Mcp-Name was answered with ${describe(r)}`);
  },
);

check(
  {
    id: 'http/mcp-param-mismatch',
    title: 'an Mcp-Param header differing from the tool argument is refused with 400 and HeaderMismatch',
    level: 'MUST',
    requirement:
      'Any server that processes the message body MUST validate that encoded header values, after decoding if Base64-encoded, match the corresponding values in the request body. Servers MUST reject requests with a 400 Bad Request HTTP status and JSON-RPC error code -32020 (HeaderMismatch) if any validation fails.',
    spec: pages([MODERN], '', 'server-behavior-for-custom-headers'),
    requires: 'server.tools',
  },
  (t) => callWithParamHeader(t, 'mcp-conform-b', (tool, key, header) => `tools/call ${tool} with argument ${key}="mcp-conform-a" and ${header}: mcp-conform-b`),
);

check(
  {
    id: 'http/x-mcp-header-valid',
    title: 'x-mcp-header annotations in listed tools are valid: non-empty HTTP tokens, unique, on primitive properties reachable through properties',
    level: 'MUST',
    requirement:
      'The x-mcp-header value MUST NOT be empty; MUST match HTTP field-name token syntax (1*tchar, RFC 9110 Section 5.1); MUST NOT contain control characters; MUST be case-insensitively unique among all x-mcp-header values in the inputSchema; MUST only be applied to parameters with primitive types (integer, string, boolean); MUST only be applied to properties that are statically reachable from the schema root (a chain of properties keys).',
    spec: pages([MODERN], '', 'schema-extension'),
    requires: 'server.tools',
  },
  async (t) => {
    const { h } = await modern(t);
    const tools: Record<string, unknown>[] = [];
    let cursor: unknown;
    for (let page = 0; page < 50; page++) {
      const id = h.id();
      const listed = responseIn(await h.request('tools/list', cursor === undefined ? {} : { cursor }, { id }), id);
      if (!listed || !isObject(listed.result)) return t.notVerified('tools/list was not answered with a result (see tools/list-result)');
      if (Array.isArray(listed.result.tools)) tools.push(...listed.result.tools.filter(isObject));
      cursor = listed.result.nextCursor;
      if (typeof cursor !== 'string') break;
    }
    const annotated = tools.filter((x) => JSON.stringify(x.inputSchema ?? null).includes('"x-mcp-header"'));
    if (annotated.length === 0) return t.notApplicable('no listed tool has an x-mcp-header annotation');
    const problems = annotated.flatMap((x) => paramHeaderSpecs(x.inputSchema).errors.map((e) => `${String(x.name)}: ${e}`));
    if (problems.length) t.fail(`${problems.length} invalid x-mcp-header annotation(s): ${problems.slice(0, 3).join('; ')}`);
  },
);

check(
  {
    id: 'http/mcp-param-missing',
    title: 'a tools/call whose x-mcp-header argument is in the body but not in an Mcp-Param header is refused with 400 and HeaderMismatch',
    level: 'MUST',
    requirement:
      'Client omits header but value is in body: non-conforming client; server MUST reject the request. Servers MUST reject requests with a 400 Bad Request HTTP status and JSON-RPC error code -32020 (HeaderMismatch) if any validation fails.',
    spec: pages([MODERN], '', 'server-behavior-for-custom-headers'),
    requires: 'server.tools',
  },
  (t) => callWithParamHeader(t, null, (tool, key, header) => `tools/call ${tool} with argument ${key}="mcp-conform-a" and no ${header} header`),
);

check(
  {
    id: 'http/last-event-id-ignored',
    title: 'a server of 2026-07-28 only ignores Last-Event-ID',
    level: 'SHOULD',
    requirement: 'A server that supports only this revision and receives such traffic from an older client SHOULD respond as follows: A Last-Event-ID header: ignore it; streams are not resumable.',
    spec: pages([MODERN], '', 'earlier-streamable-http-revisions'),
  },
  async (t) => {
    const { h, modernOnly, discovery } = await modern(t);
    await expectModernOnly(t, modernOnly, discovery, 'whose streams are resumable');
    const id = h.id();
    const r = await h.request('server/discover', {}, { id, headers: { 'last-event-id': 'mcp-conform-0' } });
    t.expect(r.status >= 200 && r.status <= 299 && responseIn(r, id), `server/discover with a Last-Event-ID header was answered with ${describe(r)}${jsonRpcError(r)}; the header should be ignored`);
  },
);

check(
  {
    id: 'http/session-id-ignored',
    title: 'a server of 2026-07-28 only ignores Mcp-Session-Id and mints none',
    level: 'SHOULD',
    requirement: 'A server that supports only this revision and receives such traffic from an older client SHOULD respond as follows: An Mcp-Session-Id header on a request: ignore it, and do not mint or echo session IDs.',
    spec: pages([MODERN], '', 'earlier-streamable-http-revisions'),
  },
  async (t) => {
    const { h, modernOnly, discovery } = await modern(t);
    await expectModernOnly(t, modernOnly, discovery, 'which have sessions');
    const id = h.id();
    const r = await h.request('server/discover', {}, { id, headers: { 'mcp-session-id': 'mcp-conform-stale-session' } });
    t.expect(r.status >= 200 && r.status <= 299 && responseIn(r, id), `server/discover with an Mcp-Session-Id header was answered with ${describe(r)}${jsonRpcError(r)}; the header should be ignored`);
    const minted = h.transport.exchanges.find((x) => x.responseHeaders['mcp-session-id'] !== undefined);
    t.expect(!minted, `the server sent Mcp-Session-Id: ${minted?.responseHeaders['mcp-session-id'] ?? ''} although 2026-07-28 has no sessions`);
  },
);

// ---------------------------------------------------------------- legacy HTTP+SSE (2024-11-05)

const LEGACY_PAGES: Partial<Record<Revision, string>> = {
  '2024-11-05': 'basic/transports#http-with-sse',
  '2025-03-26': 'basic/transports#backwards-compatibility',
  '2025-06-18': 'basic/transports#backwards-compatibility',
  '2025-11-25': 'basic/transports#backwards-compatibility',
};

check(
  {
    id: 'sse/endpoint-event',
    title: 'the SSE stream opens with an endpoint event naming the POST URI',
    level: 'MUST',
    requirement: 'When a client connects, the server MUST send an endpoint event containing a URI for the client to use for sending messages.',
    spec: LEGACY_PAGES,
  },
  async (t) => {
    const s = await openLegacyStream(t);
    if (s.status === 0) return t.notVerified(`GET ${t.target.kind === 'sse' ? t.target.url : ''} got no answer: ${s.error ?? ''}`);
    if (!(s.status >= 200 && s.status <= 299) || mediaType(s.contentType) !== 'text/event-stream') {
      return t.fail(`GET with Accept: text/event-stream was answered with HTTP ${s.status} ${s.contentType || 'without a content type'}, not an SSE stream`);
    }
    const first = await s.next(() => true, t.requestTimeoutMs);
    if (!first) return t.fail(`the SSE stream carried no event within ${t.requestTimeoutMs} ms`);
    t.expect(first.event === 'endpoint', `the first SSE event is ${first.event ? `a "${first.event}" event` : 'a message event'}, not the endpoint event`);
    let uri: URL | undefined;
    try {
      uri = new URL(first.data.trim(), t.target.kind === 'sse' ? t.target.url : undefined);
    } catch {
      uri = undefined;
    }
    t.expect(uri !== undefined && first.data.trim() !== '', `the endpoint event data ${JSON.stringify(first.data)} is not a URI`);
  },
);

check(
  {
    id: 'sse/messages-on-stream',
    title: 'a request POSTed to the endpoint is accepted and answered as an SSE message event',
    level: 'MUST',
    requirement: 'All subsequent client messages MUST be sent as HTTP POST requests to this endpoint. Server messages are sent as SSE message events, with the message content encoded as JSON in the event data.',
    spec: LEGACY_PAGES,
  },
  async (t) => {
    if (t.target.kind !== 'sse') return t.notApplicable(`the target is not reached over the legacy HTTP+SSE transport (it is a ${t.target.kind} target)`);
    const c = await t.connect();
    const transport = legacyTransportOf(t, c.transport);
    // An answer sent as an SSE event of another type is ignored by clients: seeing one while the
    // initialize waits is the failure (without it, the wait would only end in a timeout).
    const init = c.initialize().then((v) => ({ v }), (e: unknown) => ({ e }));
    let reply: Awaited<ReturnType<typeof c.initialize>> | undefined;
    while (!reply) {
      const r = await Promise.race([init, t.sleep(50).then(() => undefined)]);
      if (r && 'e' in r) throw r.e;
      if (r) reply = r.v;
      const other = t.wire.find((e) => e.dir === 'recv' && /event type ".*" ignored \(its data is a JSON-RPC message\)/.test(e.note ?? ''))[0];
      if (!reply && other) t.fail(`no SSE message event answered initialize; the stream carried: ${other.note}`, [other]);
    }
    t.expectResult(reply, 'initialize');
    const post = transport.exchanges.find((x) => x.kind === 'post');
    if (!post) return t.notVerified('no POST was recorded');
    t.expect(post.status >= 200 && post.status <= 299, `the POST of initialize was answered with HTTP ${post.status}`);
    if (post.status !== 202) t.info(`the POST was answered with HTTP ${post.status}; legacy servers conventionally answer 202 Accepted`);
    const entry = t.wire.find((e) => e.dir === 'recv' && e.msg === reply.message)[0];
    t.expect(entry?.note?.startsWith('SSE message event'), `the initialize response did not arrive as an SSE message event (${entry?.note ?? 'no note'})`, [entry ?? t.wire.tail(1)[0]!]);
    const ping = await c.request('ping');
    t.expectResult(ping, 'ping');
  },
);

check(
  {
    id: 'sse/origin-validated',
    title: 'the SSE stream is refused to a foreign Origin',
    level: 'MUST',
    requirement: 'Servers MUST validate the Origin header on all incoming connections to prevent DNS rebinding attacks.',
    spec: LEGACY_PAGES,
  },
  async (t) => {
    const s = await openLegacyStream(t, { origin: FOREIGN_ORIGIN });
    if (s.status === 0) return t.notVerified(`the GET got no answer: ${s.error ?? ''}`);
    t.expect(s.status >= 400 && s.status <= 499, `GET of the SSE stream with Origin: ${FOREIGN_ORIGIN} was answered with HTTP ${s.status}; a server that validates Origin refuses it`);
  },
);
