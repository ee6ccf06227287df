// basic/transports, sending messages to the server: what a POSTed request, notification, response or
// batch is answered with, and the Accept headers a server serves.
import { isObject, STATEFUL_STREAMABLE_REVISIONS } from '../../../schema/index.ts';
import type { RawResponse } from '../../../mock-server/index.ts';
import { checksWith } from '../../harness/index.ts';
import { mediaType, responseIn, describe, jsonRpcError, modern, MODERN, PING, session, type T, cite, transportPage } from '../../kit/index.ts';

/** Every check of this file is about Streamable HTTP: not applicable on any other target. */
const check = checksWith({ transports: ['http'] });

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

check(
  {
    id: 'http/request-response',
    title: 'a POSTed request is answered with application/json or an SSE stream carrying its response',
    level: 'MUST',
    requirement:
      'If the input is a JSON-RPC request, the server MUST either return Content-Type: text/event-stream, to initiate an SSE stream, or Content-Type: application/json, to return one JSON object.',
    spec: cite([...STATEFUL_STREAMABLE_REVISIONS, MODERN], transportPage('sending-messages-to-the-server', 'streamable-http', 'sending-messages')),
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
    spec: cite([...STATEFUL_STREAMABLE_REVISIONS, MODERN], transportPage('sending-messages-to-the-server', 'streamable-http', 'sending-messages')),
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
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('sending-messages-to-the-server')),
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
    spec: cite(['2025-03-26'], transportPage('sending-messages-to-the-server')),
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

check(
  {
    id: 'http/accept-variants',
    title: 'an Accept header listing both media types is accepted in any order and with parameters',
    level: 'SHOULD',
    requirement: 'The client MUST include an Accept header, listing both application/json and text/event-stream as supported content types. (Any header that lists both satisfies this, so the server serves it.)',
    spec: cite([...STATEFUL_STREAMABLE_REVISIONS, MODERN], transportPage('sending-messages-to-the-server', 'streamable-http', 'sending-messages')),
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
