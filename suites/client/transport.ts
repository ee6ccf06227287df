// basic/transports, client side: Streamable HTTP headers, sessions, response kinds, resumption,
// the HTTP+SSE fallback, 2026-07-28 request headers; stdio framing.
import { batchesAllowed, isObject, isRevision, isStateless, META, REVISIONS, STATEFUL_STREAMABLE_REVISIONS, STATELESS_REVISIONS, STREAMABLE_HTTP_REVISIONS } from '../../schema/index.ts';
import { checkRequestHeaders } from '../../mock-server/index.ts';
import { clientRuns, type ClientRun, type HttpRecord } from '../harness/index.ts';
import { answerTo, clientMessages, clientRequests, exitSummary, handshakes, httpMessages, isNotification, isRequest, isResponse, metaOf, mockMessages, toolCalls, clientCheck, cite, transportPage } from '../kit/index.ts';

/** Requests of the Streamable HTTP transport (not the HTTP+SSE fallback's). */
function streamable(run: ClientRun): HttpRecord[] {
  if (run.scenario !== 'legacy-sse') return run.http;
  return run.http.filter((h) => h.method === 'POST' && h.path === '/mcp');
}

const accepts = (h: HttpRecord, types: string[]) => {
  const listed = (h.headers.accept ?? '').split(',').map((p) => p.split(';')[0]!.trim().toLowerCase());
  return types.every((t) => listed.includes(t) || listed.includes('*/*'));
};

clientCheck(
  {
    id: 'client-transport/http-accept',
    title: 'POSTs accept application/json and text/event-stream; GETs accept text/event-stream',
    level: 'MUST',
    requirement: 'The client MUST include an Accept header, listing both application/json and text/event-stream as supported content types. (GET: The client MUST include an Accept header, listing text/event-stream as a supported content type.)',
    spec: cite(STREAMABLE_HTTP_REVISIONS, transportPage('sending-messages-to-the-server', 'streamable-http', 'sending-messages-to-the-server')),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    for (const run of v.requireLive()) {
      for (const h of streamable(run)) {
        if (h.method === 'POST' && !accepts(h, ['application/json', 'text/event-stream'])) {
          return t.fail(`in scenario ${run.scenario} a POST had Accept: ${JSON.stringify(h.headers.accept ?? null)}`, v.httpEvidence([h]));
        }
        if (h.method === 'GET' && !accepts(h, ['text/event-stream'])) return t.fail(`in scenario ${run.scenario} a GET had Accept: ${JSON.stringify(h.headers.accept ?? null)}`, v.httpEvidence([h]));
      }
    }
  },
);

clientCheck(
  {
    id: 'client-transport/http-protocol-version-header',
    title: 'MCP-Protocol-Version on every HTTP request after initialization (2026-07-28: on every POST, equal to _meta)',
    level: 'MUST',
    requirement: 'If using HTTP, the client MUST include the MCP-Protocol-Version: <protocol-version> HTTP header on all subsequent requests to the MCP server. (2026-07-28: Every POST request to the MCP endpoint MUST include an MCP-Protocol-Version header; the header value MUST match the io.modelcontextprotocol/protocolVersion field carried in the request body\'s _meta.)',
    spec: cite(REVISIONS.filter((r) => r >= '2025-06-18'), transportPage('protocol-version-header')),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    for (const run of v.requireLive()) {
      if (isStateless(t.revision)) {
        for (const { h, m } of httpMessages(run)) {
          const version = isObject(m) ? metaOf(m)?.[META.protocolVersion] : undefined;
          if (h.method !== 'POST' || typeof version !== 'string') continue;
          const header = h.headers['mcp-protocol-version'];
          if (header !== version) return t.fail(`in scenario ${run.scenario} a ${version} POST carried MCP-Protocol-Version ${JSON.stringify(header ?? null)}`, v.httpEvidence([h]));
        }
        continue;
      }
      for (const hs of handshakes(run)) {
        // A version the client cannot speak ends the session: nothing after it carries that version.
        if (!hs.result || !isRevision(hs.answered)) continue;
        const session = hs.session;
        for (const { h, m } of httpMessages(run)) {
          if (!streamable(run).includes(h) || h.t < hs.result.e.t || h.session !== session) continue;
          if (isObject(m) && m.method === 'initialize') continue; // the request that negotiated
          const header = h.headers['mcp-protocol-version'];
          if (header !== hs.answered) return t.fail(`in scenario ${run.scenario} after negotiating ${hs.answered} a ${h.method} carried MCP-Protocol-Version ${JSON.stringify(header ?? null)}`, v.httpEvidence([h]));
        }
      }
    }
  },
);

clientCheck(
  {
    id: 'client-transport/http-session-id',
    title: 'Mcp-Session-Id on every request after the server assigned one',
    level: 'MUST',
    requirement: 'If an Mcp-Session-Id is returned by the server during initialization, clients using the Streamable HTTP transport MUST include it in the Mcp-Session-Id header on all of their subsequent HTTP requests.',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('session-management')),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    let judged = 0;
    for (const run of v.requireLive()) {
      const issued = new Set<string>();
      let current: string | undefined;
      const records = httpMessages(run).filter((x) => streamable(run).includes(x.h));
      // Sessions the client could not go on with: the initialize result named a version it cannot speak.
      const unusable = new Set(handshakes(run).filter((hs) => hs.result && !isRevision(hs.answered)).map((hs) => hs.session));
      let failed = false;
      for (const [i, { h, m }] of records.entries()) {
        const isInit = isObject(m) && m.method === 'initialize';
        const modern = isObject(m) && typeof metaOf(m)?.[META.protocolVersion] === 'string';
        if (isInit || modern) {
          const sid = h.responseHeaders['mcp-session-id'];
          if (sid) {
            issued.add(sid);
            current = sid;
            failed = unusable.has(sid);
          }
          continue;
        }
        if (current === undefined) continue;
        const sent = h.headers['mcp-session-id'];
        // A fresh HTTP+SSE attempt (GET for a new stream, no session, no resumption) after Streamable
        // HTTP failed in the session and the client never used it again is a new connection, not one
        // of "their subsequent HTTP requests" in that session (basic/transports#backwards-compatibility).
        const fresh = h.method === 'GET' && !sent && !h.headers['last-event-id'] && accepts(h, ['text/event-stream']);
        const session = current;
        if (fresh && failed && !records.slice(i + 1).some((x) => x.h.headers['mcp-session-id'] === session)) {
          current = undefined;
          continue;
        }
        judged++;
        if (sent === current && h.status >= 400) failed = true;
        if (!sent) return t.fail(`in scenario ${run.scenario} a ${h.method} after initialization carried no Mcp-Session-Id (the session was ${current})`, v.httpEvidence([h]));
        if (!issued.has(sent)) return t.fail(`in scenario ${run.scenario} a ${h.method} carried Mcp-Session-Id ${sent}, which the server never issued`, v.httpEvidence([h]));
      }
    }
    if (judged === 0) t.notVerified('the client made no request within a session');
  },
);

/** The first request answered in `mode` that the client went on from. */
function handled(run: ClientRun): boolean {
  for (const r of clientRequests(run)) {
    const a = answerTo(run, r);
    if (a && clientMessages(run).some((s) => s.e.t > a.e.t)) return true;
  }
  return false;
}

for (const mode of ['json', 'sse'] as const) {
  clientCheck(
    {
      id: `client-transport/http-${mode}-response`,
      title: `responses sent ${mode === 'json' ? 'as application/json' : 'on an SSE stream'} are understood`,
      level: 'MUST',
      requirement: 'If the input is a JSON-RPC request, the server MUST either return Content-Type: text/event-stream, to initiate an SSE stream, or Content-Type: application/json, to return one JSON object. The client MUST support both these cases.',
      spec: cite(STREAMABLE_HTTP_REVISIONS, transportPage('sending-messages-to-the-server')),
      scenarios: [`${mode}-response`],
    },
    (t) => {
      const v = clientRuns(t);
      v.requireTransport('http');
      const run = v.need(`${mode}-response`);
      if (handled(run)) return;
      const first = clientRequests(run)[0];
      if (!first) return t.notVerified(`the client sent no request (${exitSummary(run)})`);
      t.fail(`answered ${mode === 'json' ? 'with JSON bodies' : 'on SSE streams'}, the client never went on after a response: ${exitSummary(run)}`, v.evidence(run.entries.slice(0, 6)));
    },
  );
}

clientCheck(
  {
    id: 'client-transport/http-reinitialize-after-404',
    title: 'a 404 for its session makes the client start a new session',
    level: 'MUST',
    requirement: 'When a client receives HTTP 404 in response to a request containing an Mcp-Session-Id, it MUST start a new session by sending a new InitializeRequest without a session ID attached.',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('session-management')),
    scenarios: ['session-expired'],
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    const run = v.need('session-expired');
    const expired = run.events.find((e) => e.what === 'session-expired');
    if (!expired) return t.notVerified(`the client made no request after initialization, so its session was never expired (${exitSummary(run)})`);
    const notFound = run.http.find((h) => h.status === 404 && h.headers['mcp-session-id'] === expired.detail);
    if (!notFound) return t.notVerified('the client never got the 404');
    const later = httpMessages(run).filter((x) => x.h.t > notFound.t && x.h.method === 'POST');
    const reinit = later.find((x) => isObject(x.m) && x.m.method === 'initialize');
    const stale = later.filter((x) => x.h.headers['mcp-session-id'] === expired.detail && x !== reinit);
    if (!reinit) {
      const kept = stale.length ? `; it kept using the expired session ${expired.detail} (${stale.length} more request(s))` : '';
      return t.fail(`after the 404 the client did not initialize a new session${kept} (${exitSummary(run)})`, v.httpEvidence([notFound, ...stale.slice(0, 2).map((x) => x.h)]));
    }
    if (reinit.h.headers['mcp-session-id']) return t.fail(`the new initialize carried Mcp-Session-Id ${reinit.h.headers['mcp-session-id']}`, v.httpEvidence([notFound, reinit.h]));
    // Requests sent before the client read the 404 (concurrent ones, each answered 404 too) were
    // already in flight; the wire cannot tell when it read it, so only what follows the new
    // InitializeRequest shows the client going on with the expired session.
    const after = stale.find((x) => x.h.t > reinit.h.t);
    if (after) t.fail(`after starting a new session the client went on using the expired session ${expired.detail}`, v.httpEvidence([notFound, reinit.h, after.h]));
  },
);

/** The reconnection GETs after the stream was cut. */
function resumption(run: ClientRun): { cut: number; gets: HttpRecord[] } | undefined {
  const cut = run.events.find((e) => e.what === 'stream-cut');
  if (!cut) return undefined;
  return { cut: cut.t, gets: run.http.filter((h) => h.method === 'GET' && h.t >= cut.t) };
}

clientCheck(
  {
    id: 'client-transport/sse-resume',
    title: 'after a broken SSE stream the client resumes with GET and Last-Event-ID',
    level: 'SHOULD',
    requirement: 'If the client wishes to resume after a disconnection (whether due to network failure or server-initiated closure), it SHOULD issue an HTTP GET to the MCP endpoint, and include the Last-Event-ID header to indicate the last event ID it received.',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('resumability-and-redelivery')),
    scenarios: ['sse-retry'],
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    const run = v.need('sse-retry');
    const r = resumption(run);
    if (!r) return t.notVerified(`the client did not call test_reconnection, so no stream was cut (${exitSummary(run)})`);
    const resumed = r.gets.find((h) => (h.headers['last-event-id'] ?? '') !== '');
    if (!resumed) t.fail(`after the server closed the SSE stream the client did not GET with Last-Event-ID (${r.gets.length} GET(s) without it; ${exitSummary(run)})`, v.httpEvidence(run.http.filter((h) => h.t >= r.cut - 500)));
  },
);

clientCheck(
  {
    id: 'client-transport/sse-retry-respected',
    title: 'the client waits the SSE retry interval before reconnecting',
    level: 'MUST',
    requirement: 'If the server does close the connection prior to terminating the SSE stream, it SHOULD send an SSE event with a standard retry field before closing the connection. The client MUST respect the retry field, waiting the given number of milliseconds before attempting to reconnect.',
    spec: cite(['2025-11-25'], 'basic/transports#sending-messages-to-the-server'),
    scenarios: ['sse-retry'],
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    const run = v.need('sse-retry');
    const r = resumption(run);
    if (!r) return t.notVerified(`the client did not call test_reconnection, so no stream was cut (${exitSummary(run)})`);
    const first = r.gets[0];
    if (!first) return t.notVerified('the client never reconnected');
    const waited = first.t - r.cut;
    // retry: 500 ms; a little slack for the clocks of the two ends of a local socket.
    if (waited < 450) t.fail(`the client reconnected ${Math.round(waited)} ms after the stream closed, before the 500 ms retry interval`, v.httpEvidence([first]));
  },
);

clientCheck(
  {
    id: 'client-transport/legacy-sse-fallback',
    title: 'given an HTTP+SSE server, the client falls back to the old transport',
    level: 'MAY',
    requirement: 'Clients wanting to support older servers should: attempt to POST an InitializeRequest to the server URL; if it fails with 400, 404 or 405, issue a GET request to the server URL, expecting that this will open an SSE stream and return an endpoint event as the first event.',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('backwards-compatibility')),
    scenarios: ['legacy-sse'],
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    const run = v.need('legacy-sse');
    const refused = run.http.find((h) => h.method === 'POST' && h.path === '/mcp' && [400, 404, 405].includes(h.status));
    if (!refused) return t.notVerified('the client never POSTed to the URL');
    const get = run.http.find((h) => h.method === 'GET' && h.t > refused.t);
    const init = clientRequests(run, 'initialize').find((r) => r.e.session.startsWith('sse:'));
    if (!get) return t.fail(`refused with ${refused.status}, the client did not try the HTTP+SSE transport (${exitSummary(run)})`, v.httpEvidence([refused]));
    if (!init) t.fail('the client opened the SSE stream but never initialized over it', v.httpEvidence([refused, get]));
  },
);

clientCheck(
  {
    id: 'client-transport/stdio-only-messages',
    title: 'the client writes only JSON-RPC messages to the server\'s stdin',
    level: 'MUST',
    requirement: "The client MUST NOT write anything to the server's stdin that is not a valid MCP message.",
    spec: cite(REVISIONS, transportPage('stdio', 'stdio', 'stdio')),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('stdio');
    for (const run of v.requireLive()) {
      const raw = run.entries.find((e) => e.dir === 'recv' && e.raw !== undefined && e.note?.startsWith('not JSON'));
      if (raw) return t.fail(`in scenario ${run.scenario} the client wrote a line that is not JSON: ${raw.raw!.slice(0, 120)}`, v.evidence([raw]));
    }
  },
);

clientCheck(
  {
    id: 'client-transport/http-request-headers',
    title: 'Mcp-Method (and Mcp-Name) headers mirror the body',
    level: 'MUST',
    requirement: 'The client MUST include the request metadata headers (Mcp-Method for all requests; Mcp-Name for tools/call, resources/read and prompts/get) on every POST, with values matching the JSON-RPC body.',
    spec: cite(STATELESS_REVISIONS, 'basic/transports/streamable-http#standard-request-headers'),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    let judged = 0;
    for (const run of v.requireLive()) {
      for (const { h, m } of httpMessages(run)) {
        if (h.method !== 'POST' || !isObject(m) || !isRequest(m) || typeof metaOf(m)?.[META.protocolVersion] !== 'string') continue;
        judged++;
        const problem = checkRequestHeaders(new Headers(h.headers), m);
        if (problem) return t.fail(`in scenario ${run.scenario}: ${problem}`, v.httpEvidence([h]));
      }
    }
    if (judged === 0) t.notVerified('the client sent no 2026-07-28 request over HTTP');
  },
);

clientCheck(
  {
    id: 'client-transport/reissue-after-broken-stream',
    title: 'a request whose response stream broke is re-issued with a new id',
    level: 'MUST',
    requirement: 'A broken response stream loses the in-flight request; clients MUST re-issue it as a new request with a new request ID.',
    spec: cite(STATELESS_REVISIONS, 'changelog#major-changes'),
    scenarios: ['broken-stream'],
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    const run = v.need('broken-stream');
    const broken = run.events.find((e) => e.what === 'stream-broken');
    if (!broken) return t.notVerified(`the client called no tool (${exitSummary(run)})`);
    // The broken call never reached the mock (its POST was answered by the fault): it is recorded as refused.
    const calls = toolCalls(run);
    const first = calls.find((c) => c.e.note?.includes('fault injection')) ?? calls[0];
    if (!first) return t.notVerified('the broken tools/call was not recorded');
    const firstId = first.m.id;
    const again = calls.find((c) => c !== first && c.e.t >= first.e.t);
    if (!again) return t.fail(`the client did not re-issue tools/call after its response stream broke (${exitSummary(run)})`, v.evidence([first.e]));
    if (JSON.stringify(again.m.id) === JSON.stringify(firstId)) t.fail(`the client re-issued tools/call with the same id ${JSON.stringify(firstId)}`, v.evidence([again.e]));
  },
);

clientCheck(
  {
    id: 'client-transport/http-post-single-message',
    title: 'every JSON-RPC message goes in a POST of its own: one request, notification or response (2025-03-26: or a batch of requests and notifications, or of responses)',
    level: 'MUST',
    requirement:
      'Every JSON-RPC message sent from the client MUST be a new HTTP POST request to the MCP endpoint; the client MUST use HTTP POST. The body of the POST request MUST be a single JSON-RPC request, notification, or response (2025-03-26 also: an array batching one or more requests and/or notifications, or one or more responses).',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('sending-messages-to-the-server', 'streamable-http', 'sending-messages-to-the-server')),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    // Only 2025-03-26 allowed JSON-RPC batches; 2025-06-18 removed them.
    const batches = batchesAllowed(t.revision);
    for (const run of v.requireLive()) {
      for (const { h, m } of httpMessages(run).filter(({ h }) => streamable(run).includes(h))) {
        if (m === undefined) continue;
        if (h.method !== 'POST') return t.fail(`in scenario ${run.scenario} the client sent a JSON-RPC message with HTTP ${h.method}`, v.httpEvidence([h]));
        if (!Array.isArray(m)) continue;
        if (!batches) return t.fail(`in scenario ${run.scenario} a POST body is an array of ${m.length} messages, not a single request, notification or response (batches are gone since 2025-06-18)`, v.httpEvidence([h]));
        const items = m.map((x) => (isObject(x) ? x : undefined));
        const calls = items.every((x) => isRequest(x) || isNotification(x));
        const answers = items.every((x) => isResponse(x));
        if (!m.length || !(calls || answers)) return t.fail(`in scenario ${run.scenario} a POST body is ${m.length ? 'an array mixing responses with requests or notifications' : 'an empty array'}: a batch holds only requests and notifications, or only responses`, v.httpEvidence([h]));
      }
    }
  },
);

clientCheck(
  {
    id: 'client-transport/requests-notifications-only',
    title: 'a 2026-07-28 client sends only requests and notifications, each in a POST of its own',
    level: 'MUST',
    requirement:
      'Every JSON-RPC message sent from the client MUST be a new HTTP POST request to the MCP endpoint, whose body MUST be a single JSON-RPC request or notification; the client MUST NOT send JSON-RPC responses (over stdio too: the client MUST NOT write JSON-RPC responses).',
    spec: cite(STATELESS_REVISIONS, 'basic/transports/streamable-http#sending-messages'),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    for (const run of v.requireLive()) {
      // A dual-era client talks the legacy protocol there (initialize, and answers to server requests).
      if (run.scenario === 'legacy-server' || clientRequests(run, 'initialize').length) continue;
      // An answer to a request the mock did send is the mock's doing, not the client's.
      const asked = new Set(mockMessages(run).filter((s) => isRequest(s.m)).map((s) => `${s.e.session} ${JSON.stringify(s.m.id)}`));
      for (const { h, m } of httpMessages(run)) {
        if (m === undefined) continue;
        if (h.method !== 'POST') return t.fail(`in scenario ${run.scenario} the client sent a JSON-RPC message with HTTP ${h.method}`, v.httpEvidence([h]));
        if (Array.isArray(m)) return t.fail(`in scenario ${run.scenario} a POST body is an array of ${m.length} messages, not a single request or notification`, v.httpEvidence([h]));
      }
      const response = clientMessages(run).find((s) => isResponse(s.m) && !asked.has(`${s.e.session} ${JSON.stringify(s.m.id)}`));
      if (response) return t.fail(`in scenario ${run.scenario} the client sent a JSON-RPC response (id ${JSON.stringify(response.m.id)}), which a 2026-07-28 client never sends`, v.evidence([response.e]));
    }
  },
);
