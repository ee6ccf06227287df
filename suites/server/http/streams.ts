// basic/transports, the SSE streams: a response streamed as SSE (its end, priming event, event ids,
// buffering header) and the GET stream for listening to the server.
import { isObject, STATEFUL_STREAMABLE_REVISIONS } from '../../../schema/index.ts';
import type { RawResponse } from '../../../mock-server/index.ts';
import { checksWith, mayCall } from '../../harness/index.ts';
import { mediaType, messagesOf, responseIn, type HttpProbe, describe, listedTools, jsonRpcError, modern, MODERN, PING, session, type T, cite, transportPage, progressTool, FIXTURE } from '../../kit/index.ts';

/** Every check of this file is about Streamable HTTP: not applicable on any other target. */
const check = checksWith({ transports: ['http'] });

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
    spec: cite([...STATEFUL_STREAMABLE_REVISIONS, MODERN], transportPage('sending-messages-to-the-server', 'streamable-http', 'receiving-messages')),
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
    spec: cite(['2025-11-25'], transportPage('sending-messages-to-the-server')),
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
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('resumability-and-redelivery')),
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
    spec: cite([MODERN], 'basic/transports/streamable-http#receiving-messages'),
  },
  async (t) => {
    const { r } = await sseAnswer(t);
    const v = r.headers['x-accel-buffering'];
    t.expect(v !== undefined && v.trim().toLowerCase() === 'no', `the SSE response has ${v === undefined ? 'no X-Accel-Buffering header' : `X-Accel-Buffering: ${v}`}`);
  },
);

check(
  {
    id: 'http/get-stream',
    title: 'GET on the endpoint opens an SSE stream or is refused with 405',
    level: 'MUST',
    requirement:
      'The server MUST either return Content-Type: text/event-stream in response to this HTTP GET, or else return HTTP 405 Method Not Allowed, indicating that the server does not offer an SSE stream at this endpoint.',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('listening-for-messages-from-the-server')),
  },
  async (t) => {
    const h = await session(t);
    // Any event (or the timeout) ends the read: only the status and media type matter here.
    let r = await h.send({ method: 'GET', until: () => true, timeoutMs: Math.min(t.requestTimeoutMs, Math.max(t.quietMs * 2, 500)) });
    // No response head within the short window (a slow server, a loaded machine): once more with the
    // whole request timeout, on a session of its own (the first stream may have opened on the server
    // meanwhile, and a server may allow one GET stream per session: a 409 then, seen under load);
    // still none is no verdict (a timeout), a broken connection is.
    if (r.status === 0) r = await (await session(t)).send({ method: 'GET', until: () => true, timeoutMs: t.requestTimeoutMs });
    if (r.status === 0 && /no response within/.test(r.error ?? '')) return t.notVerified(`GET with Accept: text/event-stream got no HTTP response within ${t.requestTimeoutMs} ms`);
    if (r.status === 405) return;
    t.expect(r.status >= 200 && r.status <= 299 && mediaType(r.contentType) === 'text/event-stream', `GET with Accept: text/event-stream was answered with ${describe(r)}, neither an SSE stream nor 405`);
  },
);

check(
  {
    id: 'http/get-stream-no-responses',
    title: 'the GET stream carries no response to a request POSTed meanwhile',
    level: 'MUST',
    requirement:
      'The server MUST NOT send a JSON-RPC response on the stream unless resuming a stream associated with a previous client request. The server MUST send each of its JSON-RPC messages on only one of the connected streams; that is, it MUST NOT broadcast the same message across multiple streams.',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('listening-for-messages-from-the-server')),
  },
  async (t) => {
    const h = await session(t);
    const ms = Math.min(t.requestTimeoutMs, Math.max(t.quietMs * 4, 800));
    const get = h.send({ method: 'GET', until: () => false, timeoutMs: ms });
    // Pings one after another while the GET stream is open (the first may race its opening).
    const answered: string[] = [];
    const deadline = Date.now() + ms / 2;
    do {
      const id = h.id();
      if (responseIn(await h.post(PING(id)), id)) answered.push(id);
    } while (Date.now() < deadline && answered.length < 20);
    const g = await get;
    if (g.status === 405) return t.notApplicable('the server offers no GET stream (GET is answered 405)');
    if (!(g.status >= 200 && g.status <= 299) || mediaType(g.contentType) !== 'text/event-stream') return t.notVerified(`GET was answered with ${describe(g)}, not an SSE stream (see http/get-stream)`);
    const stray = messagesOf(g).filter((m) => m.method === undefined && (Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error')));
    if (stray.length === 0) return;
    const twice = stray.filter((m) => answered.includes(String(m.id))).length;
    t.fail(
      `the GET stream carried ${stray.length} JSON-RPC response(s) (id ${stray.map((m) => JSON.stringify(m.id)).join(', ')})${twice ? `, ${twice} of them also sent on the POST that asked (the same message on two streams)` : ''}; no stream was being resumed`,
    );
  },
);

check(
  {
    id: 'http/resume-same-stream-only',
    title: 'resuming a stream with Last-Event-ID replays none of another stream’s messages',
    level: 'MUST',
    requirement: 'The server MUST NOT replay messages that would have been delivered on a different stream.',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('resumability-and-redelivery')),
  },
  async (t) => {
    const h = await session(t);
    // Stream A: a ping answered on an SSE stream whose first event has an id to resume after.
    const a = h.id();
    const ra = await h.post(PING(a));
    if (mediaType(ra.contentType) !== 'text/event-stream') return t.notApplicable(`the server answered a ping with ${describe(ra)}, not an SSE stream`);
    const after = ra.events?.[0]?.id;
    if (after === undefined || after === '') return t.notApplicable('the server sends SSE events without ids (its streams are not resumable)');
    // Stream B: another ping, whose response belongs to B alone.
    const b = h.id();
    const rb = await h.post(PING(b));
    if (!responseIn(rb, b)) return t.notVerified(`the second ping was answered with ${describe(rb)}${jsonRpcError(rb)}, not its response`);
    const ms = Math.min(t.requestTimeoutMs, Math.max(t.quietMs * 4, 800));
    const g = await h.send({ method: 'GET', headers: { 'last-event-id': after }, until: (evs) => evs.some((e) => e.data.includes(JSON.stringify(b))), timeoutMs: ms });
    if (g.status === 405) return t.notApplicable('the server offers no GET stream, through which streams are resumed (GET is answered 405)');
    if (!(g.status >= 200 && g.status <= 299) || mediaType(g.contentType) !== 'text/event-stream') return t.notApplicable(`resuming with Last-Event-ID: ${after} was answered with ${describe(g)} (the server does not resume streams)`);
    t.expect(!responseIn(g, b), `resuming stream A with Last-Event-ID: ${after} replayed the response to ${JSON.stringify(b)}, which was delivered on stream B`);
  },
);

check(
  {
    id: 'http/response-stream-no-requests',
    title: 'a 2026-07-28 response stream carries no request of the server’s, and no notification of another request',
    level: 'MUST',
    requirement:
      'The server MUST NOT send independent JSON-RPC requests on this stream. (Server-to-client interactions are input requests inside an InputRequiredResult. Notifications on it MUST relate to the originating request: a progress notification carries its progressToken.)',
    spec: cite([MODERN], 'basic/transports/streamable-http#receiving-messages'),
    requires: 'server.tools',
  },
  async (t) => {
    const { h } = await modern(t);
    const tools = await listedTools(h);
    const tool = tools.find((x) => typeof x.name === 'string' && mayCall(x as { name: string }, t.config.callTools).ok);
    if (!tool) return t.notVerified(`needs a call of a tool the run may call; ${tools.length ? 'none of the listed tools may be called (see the tool plan)' : 'tools/list listed none'}`);
    const token = 'mcp-conform-progress';
    const callId = h.id();
    // Arguments left out: an error result is answered on the same stream, which is all this needs.
    const r = await h.request('tools/call', { name: tool.name, arguments: {} }, { id: callId, meta: { ...h.statelessMeta(), progressToken: token } });
    if (mediaType(r.contentType) !== 'text/event-stream') return t.notApplicable(`tools/call was answered with ${describe(r)}, not an SSE stream`);
    const others = messagesOf(r).filter((m) => !(m.id === callId && m.method === undefined));
    const requests = others.filter((m) => typeof m.method === 'string' && Object.hasOwn(m, 'id'));
    t.expect(requests.length === 0, `the response stream of tools/call ${String(tool.name)} carried ${requests.length} request(s) of the server's (${requests.map((m) => String(m.method)).join(', ')}); 2026-07-28 servers ask through an InputRequiredResult`);
    const foreign = others.filter((m) => m.method === 'notifications/progress' && !(isObject(m.params) && m.params.progressToken === token));
    t.expect(foreign.length === 0, `the response stream carried progress for another token (${foreign.map((m) => JSON.stringify(isObject(m.params) ? m.params.progressToken : null)).join(', ')}), not the request's ${JSON.stringify(token)}`);
  },
);

/**
 * Two tools/call of a tool that reports progress, side by side with distinct progress tokens: each
 * SSE response stream must carry progress for its own token only. Not applicable when both are JSON.
 */
async function notificationsOnOwnStream(t: T, h: HttpProbe): Promise<void> {
  const tool = await progressTool(t, await t.session());
  const calls = await Promise.all(
    ['mcp-conform-stream-a', 'mcp-conform-stream-b'].map(async (token) => {
      // params._meta is merged over the probe's per-request _meta (2026-07-28).
      const r = await h.request('tools/call', { name: tool.name, arguments: tool.args, _meta: { progressToken: token } });
      return { r, token };
    }),
  );
  let seen = 0;
  for (const { r, token } of calls) {
    const notes = messagesOf(r).filter((m) => m.method === 'notifications/progress');
    seen += notes.length;
    const foreign = notes.find((m) => !isObject(m.params) || m.params.progressToken !== token);
    if (foreign) return t.fail(`the response stream of the tools/call with progressToken ${JSON.stringify(token)} carried progress for ${JSON.stringify(isObject(foreign.params) ? foreign.params.progressToken : undefined)}`, [foreign]);
  }
  if (seen) return;
  // Answered with JSON, a response carries no notification at all: nothing the rule binds.
  if (calls.every(({ r }) => mediaType(r.contentType) !== 'text/event-stream')) return t.notApplicable(`the server answered both calls of ${tool.name} with ${describe(calls[0]!.r)}, not SSE streams`);
  t.notVerified(`neither response stream of ${tool.name} carried a progress notification (answered ${calls.map(({ r }) => describe(r)).join(', ')})`);
}

check(
  {
    id: 'http/response-stream-notifications-related',
    title: 'the notifications on a response stream relate to its request (two calls side by side, each its own progress token)',
    level: 'MUST',
    requirement:
      'The server MAY send JSON-RPC requests and notifications before sending the JSON-RPC response. These notifications MUST relate to the originating client request. (Checked: two tools/call of a tool that reports progress, sent side by side with distinct progress tokens; each SSE response stream carries progress for its own token only.)',
    spec: cite([MODERN], 'basic/transports/streamable-http#receiving-messages'),
    requires: 'server.tools',
  },
  async (t) => notificationsOnOwnStream(t, (await modern(t)).h),
);

check(
  {
    id: 'http/response-stream-messages-related',
    title: 'the messages on a response stream relate to its request (two calls side by side, each its own progress token)',
    level: 'SHOULD',
    requirement:
      'The server MAY send JSON-RPC requests and notifications before sending the JSON-RPC response. These messages SHOULD relate to the originating client request. (Checked as for 2026-07-28, where the same sentence is a MUST: http/response-stream-notifications-related.)',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('sending-messages-to-the-server')),
    requires: 'server.tools',
  },
  async (t) => notificationsOnOwnStream(t, await session(t)),
);

/** The POST stream of a tools/call of the fixture tool that closes it before the result (2025-11-25, SEP-1699). */
interface ClosedMidCall {
  h: HttpProbe;
  name: string;
  callId: string;
  /** The id of the last event that carried one: where the client resumes. */
  lastId: string | undefined;
  /** The last `retry` field the stream carried (ms). */
  retryMs: number | undefined;
  /** Event ids the POST stream carried (a resumed stream repeats none of them). */
  ids: string[];
}

/** Every page of tools/list on this session, until `name` shows (at most 20 pages). */
async function listedTool(h: HttpProbe, name: string): Promise<Record<string, unknown> | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const id = h.id();
    const reply = responseIn(await h.request('tools/list', cursor === undefined ? {} : { cursor }, { id }), id);
    const result = reply && isObject(reply.result) ? reply.result : undefined;
    const tools = Array.isArray(result?.tools) ? result.tools.filter(isObject) : [];
    const tool = tools.find((x) => x.name === name);
    if (tool) return tool;
    cursor = typeof result?.nextCursor === 'string' && result.nextCursor !== '' ? result.nextCursor : undefined;
    if (cursor === undefined) return undefined;
  }
  return undefined;
}

/**
 * Calls the fixture tool test_reconnection and reads its SSE stream to the end. Not applicable when
 * the server answers with JSON or sends the result on that stream (it closed nothing mid-call);
 * not verified without the tool, or when the run may not call it.
 */
async function closedMidCall(t: T): Promise<ClosedMidCall> {
  const name = FIXTURE.reconnectionTool;
  if (t.config.callTools === 'none') return t.notVerified(`needs a call of the fixture tool ${name}, but tool calls are disabled (--call-tools none)`);
  const h = await session(t);
  const tool = await listedTool(h, name);
  if (!tool) return t.notVerified(`needs the fixture tool ${name} (it closes its SSE response stream before the result), which tools/list does not list`);
  const may = mayCall({ name, annotations: tool.annotations }, t.config.callTools);
  if (!may.ok) return t.notVerified(`needs a call of the fixture tool ${name}, which the run may not call (${may.why})`);
  const callId = h.id();
  const { response: r, ended } = await h.readStream({ jsonrpc: '2.0', id: callId, method: 'tools/call', params: { name, arguments: {} } }, t.requestTimeoutMs);
  if (r.status === 0 || r.status < 200 || r.status > 299) return t.notVerified(`tools/call ${name} was answered with ${describe(r)}${jsonRpcError(r)}`);
  if (mediaType(r.contentType) !== 'text/event-stream') return t.notApplicable(`the server answered tools/call ${name} with ${describe(r)}, not an SSE stream: there is no stream to close mid-call`);
  if (responseIn(r, callId)) return t.notApplicable(`the SSE stream of tools/call ${name} carried its result: the server did not close it before the result, so there is nothing to resume`);
  if (!ended) return t.notVerified(`the SSE stream of tools/call ${name} carried no result and was still open after ${t.requestTimeoutMs} ms`);
  const ids = (r.events ?? []).map((e) => e.id).filter((id): id is string => id !== undefined && id !== '');
  // The raw text: eventsource-parser reports `retry` apart from events (an event of a retry field alone is not dispatched).
  const retries = [...r.text.matchAll(/(?:^|[\r\n])retry: ?(\d+)(?=\r|\n)/g)];
  return { h, name, callId, lastId: ids.at(-1), retryMs: retries.length ? Number(retries.at(-1)![1]) : undefined, ids };
}

check(
  {
    id: 'http/sse-resume-after-close',
    title: 'a call whose SSE stream the server closed before the result gets its result once the client resumes with Last-Event-ID',
    level: 'SHOULD',
    requirement:
      'The SSE stream SHOULD eventually include a JSON-RPC response for the JSON-RPC request sent in the POST body. (Checked where the server closes the connection before the response, as it MAY once it sent an event id: the fixture tool test_reconnection does; the client resumes with GET and Last-Event-ID, which the server MAY use to replay what came after that id on the stream that was disconnected, and the response arrives there, once.)',
    spec: cite(['2025-11-25'], transportPage('sending-messages-to-the-server')),
    requires: 'server.tools',
  },
  async (t) => {
    const { h, name, callId, lastId, retryMs, ids } = await closedMidCall(t);
    if (lastId === undefined) return t.fail(`the server closed the SSE stream of tools/call ${name} before the result without sending an event id: no client can resume it, so the result is lost`);
    if (retryMs !== undefined) {
      // A client MUST wait the retry interval before reconnecting; a long one is cut short (noted).
      const wait = Math.min(retryMs, Math.floor(t.requestTimeoutMs / 2));
      if (wait < retryMs) t.note(`the stream asked for retry: ${retryMs} ms; reconnecting after ${wait} ms (half the request timeout)`);
      await t.sleep(wait);
    }
    const isResult = (data: string) => {
      try {
        const m = JSON.parse(data) as unknown;
        return isObject(m) && m.id === callId && m.method === undefined && (Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error'));
      } catch {
        return false;
      }
    };
    // Read until the stream ends, or a second copy of the result shows (or the request timeout).
    const g = await h.send({ method: 'GET', headers: { 'last-event-id': lastId }, until: (evs) => evs.filter((e) => isResult(e.data)).length > 1, timeoutMs: t.requestTimeoutMs });
    if (g.status === 0 && /no response within/.test(g.error ?? '')) return t.notVerified(`resuming with GET and Last-Event-ID: ${lastId} got no HTTP response within ${t.requestTimeoutMs} ms`);
    const lost = `the server closed the SSE stream of tools/call ${name} before the result (last event id ${JSON.stringify(lastId)})`;
    if (g.status === 405) return t.fail(`${lost}, and answers GET with 405: resumption is always via GET with Last-Event-ID, so the result is never delivered`);
    if (g.status >= 200 && g.status <= 299 && mediaType(g.contentType) !== 'text/event-stream') return t.notVerified(`resuming with GET and Last-Event-ID: ${lastId} was answered with ${describe(g)}, neither an SSE stream nor 405 (see http/get-stream)`);
    if (!(g.status >= 200 && g.status <= 299) || mediaType(g.contentType) !== 'text/event-stream') return t.fail(`${lost}; resuming with GET and Last-Event-ID: ${lastId} was answered with ${describe(g)}${jsonRpcError(g)}, not an SSE stream, so the result is never delivered`);
    const again = (g.events ?? []).filter((e) => e.id !== undefined && ids.includes(e.id)).map((e) => e.id);
    if (again.length) t.note(`the resumed stream repeated event id(s) ${again.map((x) => JSON.stringify(x)).join(', ')} of the closed stream, which came before Last-Event-ID: ${lastId}`);
    const results = (g.events ?? []).filter((e) => isResult(e.data)).length;
    if (results === 0) return t.fail(`${lost}; the stream resumed with GET and Last-Event-ID: ${lastId} carried no result ${g.timedOut ? `within ${t.requestTimeoutMs} ms` : 'before it ended'}`);
    t.expect(results === 1, `the stream resumed with Last-Event-ID: ${lastId} carried the result of tools/call ${name} ${results} times`);
  },
);

check(
  {
    id: 'http/sse-retry-before-close',
    title: 'a server that closes an SSE stream’s connection before the result sends a retry field first',
    level: 'SHOULD',
    requirement:
      'If the server does close the connection prior to terminating the SSE stream, it SHOULD send an SSE event with a standard retry field before closing the connection. (Checked on the stream of the fixture tool test_reconnection, which closes it before its result.)',
    spec: cite(['2025-11-25'], transportPage('sending-messages-to-the-server')),
    requires: 'server.tools',
  },
  async (t) => {
    const { name, retryMs } = await closedMidCall(t);
    t.expect(retryMs !== undefined, `the server closed the connection of the SSE stream of tools/call ${name} before the result (the client is to resume the stream) without sending a retry field on it`);
  },
);
