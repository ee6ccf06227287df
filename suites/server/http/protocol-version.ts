// basic/transports, the protocol version header (2025-06-18, 2025-11-25) and 2026-07-28's request
// metadata: MCP-Protocol-Version against the body, unsupported versions, unknown methods, missing _meta.
import { ErrorCode, isObject, META } from '../../../schema/index.ts';
import { checksWith } from '../../harness/index.ts';
import { errorCodeIn, messagesOf, responseIn, describe, expectHeaderMismatch, expectModernOnly, jsonRpcError, modern, MODERN, PING, session, cite, transportPage } from '../../kit/index.ts';

/** Every check of this file is about Streamable HTTP: not applicable on any other target. */
const check = checksWith({ transports: ['http'] });

check(
  {
    id: 'http/protocol-version-unsupported',
    title: 'an unsupported MCP-Protocol-Version header is refused with 400',
    level: 'MUST',
    requirement: 'If the server receives a request with an invalid or unsupported MCP-Protocol-Version, it MUST respond with 400 Bad Request.',
    spec: cite(['2025-06-18', '2025-11-25'], transportPage('protocol-version-header')),
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
    spec: cite(['2025-06-18', '2025-11-25'], transportPage('protocol-version-header')),
  },
  async (t) => {
    const h = await session(t);
    const id = h.id();
    const r = await h.post(PING(id), { headers: { 'mcp-protocol-version': null } });
    t.expect(r.status >= 200 && r.status <= 299 && responseIn(r, id), `a ping without MCP-Protocol-Version was answered with ${describe(r)}${jsonRpcError(r)}; the server should fall back to the negotiated version (or 2025-03-26)`);
  },
);

check(
  {
    id: 'http/method-not-found-404',
    title: 'an unknown method is answered 404 Not Found with JSON-RPC error -32601',
    level: 'MUST',
    requirement: 'If the server does not implement the requested RPC method, it MUST respond with 404 Not Found and a JSON-RPC error with code -32601 (Method not found).',
    spec: cite([MODERN], 'basic/transports/streamable-http#protocol-version-header'),
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
    spec: cite([MODERN], 'basic/transports/streamable-http#protocol-version-header'),
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
    spec: cite([MODERN], 'basic/transports/streamable-http#protocol-version-header'),
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
    spec: cite([MODERN], 'basic/transports/streamable-http#protocol-version-header'),
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
