// basic/transports/streamable-http (2026-07-28), backward compatibility with earlier Streamable HTTP
// revisions: a server of 2026-07-28 only answers an older client's GET, DELETE, Last-Event-ID and
// Mcp-Session-Id as the spec says.
import { checksWith } from '../../harness/index.ts';
import { responseIn, describe, expectModernOnly, jsonRpcError, modern, MODERN, cite } from '../../kit/index.ts';

/** Every check of this file is about Streamable HTTP: not applicable on any other target. */
const check = checksWith({ transports: ['http'] });

check(
  {
    id: 'http/get-delete-405',
    title: 'a server of 2026-07-28 only answers GET and DELETE with 405',
    level: 'SHOULD',
    requirement: 'A server that supports only this revision and receives such traffic from an older client SHOULD respond as follows: HTTP GET or DELETE to the MCP endpoint: respond with 405 Method Not Allowed.',
    spec: cite([MODERN], 'basic/transports/streamable-http#earlier-streamable-http-revisions'),
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

check(
  {
    id: 'http/last-event-id-ignored',
    title: 'a server of 2026-07-28 only ignores Last-Event-ID',
    level: 'SHOULD',
    requirement: 'A server that supports only this revision and receives such traffic from an older client SHOULD respond as follows: A Last-Event-ID header: ignore it; streams are not resumable.',
    spec: cite([MODERN], 'basic/transports/streamable-http#earlier-streamable-http-revisions'),
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
    spec: cite([MODERN], 'basic/transports/streamable-http#earlier-streamable-http-revisions'),
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
