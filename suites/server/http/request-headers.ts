// basic/transports/streamable-http (2026-07-28), standard request headers: Mcp-Method and Mcp-Name,
// required and matching the body (Base64-encoded values decoded first), header names compared without
// regard to case; and (basic#statelessness) a follow-up that works on a new connection.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ErrorCode, isObject } from '../../../schema/index.ts';
import { checksWith, mayCall } from '../../harness/index.ts';
import { errorCodeIn, responseIn, rpcRequest, type HttpProbe, describe, expectHeaderMismatch, jsonRpcError, modern, MODERN, type T, cite } from '../../kit/index.ts';

/** Every check of this file is about Streamable HTTP: not applicable on any other target. */
const check = checksWith({ transports: ['http'] });

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
    id: 'http/mcp-method-required',
    title: 'a request without Mcp-Method is refused with 400 and HeaderMismatch',
    level: 'MUST',
    requirement: 'Servers MUST reject requests with 400 Bad Request and HeaderMismatch (-32020) when a required standard header (MCP-Protocol-Version, Mcp-Method, Mcp-Name) is missing.',
    spec: cite([MODERN], 'basic/transports/streamable-http#server-validation'),
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
    spec: cite([MODERN], 'basic/transports/streamable-http#server-validation'),
  },
  async (t) => {
    const { h } = await modern(t);
    expectHeaderMismatch(t, await h.request('server/discover', {}, { headers: { 'mcp-method': 'tools/list' } }), 'server/discover with Mcp-Method: tools/list');
  },
);

check(
  {
    id: 'http/mcp-name-required',
    title: 'tools/call, prompts/get or resources/read without Mcp-Name is refused with 400 and HeaderMismatch',
    level: 'MUST',
    requirement: 'Servers MUST reject requests with 400 Bad Request and HeaderMismatch (-32020) when a required standard header (MCP-Protocol-Version, Mcp-Method, Mcp-Name) is missing.',
    spec: cite([MODERN], 'basic/transports/streamable-http#server-validation'),
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
    spec: cite([MODERN], 'basic/transports/streamable-http#server-validation'),
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
    spec: cite([MODERN], 'basic/transports/streamable-http#value-encoding'),
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

/** What a raw node:http exchange brought back: status, content type, body (an SSE body read until `id`'s response or the timeout). */
interface CasedReply {
  status: number;
  contentType: string;
  text: string;
  error?: string;
}

/**
 * POSTs `body` on a new TCP connection with header names spelled exactly as given. node:http keeps
 * the case of each name (fetch and the mock client lower-case them), which is what a
 * case-insensitivity probe needs.
 */
function postCased(url: URL, headers: [string, string][], body: string, id: string, timeoutMs: number, agent: HttpAgent | HttpsAgent | false = false): Promise<CasedReply> {
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let done = false;
    let linger: NodeJS.Timeout | undefined;
    const finish = (r: CasedReply, ended = false) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(linger);
      // An ended response leaves a kept-alive connection to its agent for the next request.
      if (!ended) req.destroy();
      resolve(r);
    };
    // Given as an array (raw names), the headers get no Host of node's: it is added here.
    // agent false: a TCP connection of its own, never one kept alive from an earlier request.
    const req = send(url, { method: 'POST', agent, headers: ['Host', url.host, ...headers.flat(), 'Content-Length', String(Buffer.byteLength(body))] }, (res) => {
      const contentType = String(res.headers['content-type'] ?? '');
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        // An SSE response may stay open after the answer: stop soon after it came.
        if (contentType.includes('text/event-stream') && text.includes(JSON.stringify(id))) linger ??= setTimeout(() => finish({ status: res.statusCode ?? 0, contentType, text }), 300);
      });
      res.on('end', () => finish({ status: res.statusCode ?? 0, contentType, text }, true));
      res.on('error', (err) => finish({ status: res.statusCode ?? 0, contentType, text, error: err.message }));
    });
    const timer = setTimeout(() => finish({ status: 0, contentType: '', text: '', error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    req.on('error', (err) => finish({ status: 0, contentType: '', text: '', error: err.message }));
    req.end(body);
  });
}

/** The JSON-RPC messages of a JSON or SSE body. */
function casedMessages(r: CasedReply): unknown[] {
  const parse = (s: string): unknown => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      return undefined;
    }
  };
  if (!r.contentType.includes('text/event-stream')) return [parse(r.text)].flat();
  return r.text
    .split(/\r?\n\r?\n/)
    .map((e) => e.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n'))
    .filter((d) => d !== '')
    .map(parse);
}

check(
  {
    id: 'http/header-names-case-insensitive',
    title: 'MCP header names in an unusual case (MCP-METHOD, mcp-PROTOCOL-version) are still recognised',
    level: 'MUST',
    requirement: 'Header names are case-insensitive. Clients and servers MUST use case-insensitive comparisons for header names. (Checked: server/discover, with every header name in an unusual case over a raw HTTP connection that keeps it, is answered as with the usual names.)',
    spec: cite([MODERN], 'basic/transports/streamable-http#case-sensitivity'),
  },
  async (t) => {
    const { h } = await modern(t);
    const id = h.id();
    const body = JSON.stringify(rpcRequest('server/discover', {}, id, h.statelessMeta()));
    const target = t.target.kind === 'http' ? (t.target.headers ?? {}) : {};
    // The target's own headers (credentials) as configured; the protocol's in a case no client sends.
    const headers: [string, string][] = [
      ...Object.entries(target),
      ['CONTENT-type', 'application/json'],
      ['aCCEPT', 'application/json, text/event-stream'],
      ['mcp-PROTOCOL-version', MODERN],
      ['MCP-METHOD', 'server/discover'],
    ];
    t.note(`raw POST ${h.url.href} (node:http, header names as sent): ${headers.filter(([k]) => !Object.hasOwn(target, k)).map(([k, v]) => `${k}: ${v}`).join('; ')} · ${body}`);
    const r = await postCased(h.url, headers, body, id, t.requestTimeoutMs);
    t.wire.note('recv', r.status === 0 ? `no HTTP response (${r.error ?? 'unknown'})` : `HTTP ${r.status} ${r.contentType} · ${r.text.slice(0, 400)}`);
    if (r.status === 0) return t.notVerified(`server/discover with the header names in an unusual case got no answer: ${r.error ?? 'unknown error'}`);
    const reply = casedMessages(r).find((m): m is Record<string, unknown> => isObject(m) && m.id === id);
    if (reply && isObject(reply.result)) return;
    const err = reply && isObject(reply.error) ? ` (JSON-RPC error ${String(reply.error.code)} ${JSON.stringify(reply.error.message)})` : '';
    t.fail(`server/discover, answered with the usual header names, was answered HTTP ${r.status}${err} when they were spelled MCP-METHOD, mcp-PROTOCOL-version, CONTENT-type, aCCEPT: the server compares header names case-sensitively`);
  },
);

/** The list methods whose next page a cursor continues, with the capability that offers each. */
const PAGED: [method: string, capability: string][] = [
  ['tools/list', 'tools'],
  ['prompts/list', 'prompts'],
  ['resources/list', 'resources'],
  ['resources/templates/list', 'resources'],
];

check(
  {
    id: 'http/new-connection-follow-up',
    title: 'a follow-up request (the next page by its cursor) works on a new TCP connection',
    level: 'MUST',
    requirement:
      'Servers SHOULD NOT require that a client reuse the same connection or process to perform related operations. State that needs to span multiple requests MUST be referenced by an explicit identifier the client passes on each request. (Checked: a list\'s nextCursor, sent on a TCP connection of its own with the usual headers, gets the next page.)',
    spec: cite([MODERN], 'basic#statelessness'),
  },
  async (t) => {
    const { h, discovery } = await modern(t);
    const caps = (discovery.capabilities ?? {}) as Record<string, unknown>;
    const target = t.target.kind === 'http' ? (t.target.headers ?? {}) : {};
    // The first page, and the cursor once more, on one kept-alive connection; the follow-up on another.
    const keep = h.url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
    t.defer(() => keep.destroy());
    const ask = async (method: string, params: Record<string, unknown>, agent: HttpAgent | HttpsAgent | false, what: string) => {
      const id = h.id();
      const body = JSON.stringify(rpcRequest(method, params, id, h.statelessMeta()));
      const headers: [string, string][] = [...Object.entries(target), ['content-type', 'application/json'], ['accept', 'application/json, text/event-stream'], ['mcp-protocol-version', MODERN], ['mcp-method', method]];
      t.note(`raw POST ${h.url.href} ${what} (node:http): ${body}`);
      const r = await postCased(h.url, headers, body, id, t.requestTimeoutMs, agent);
      t.wire.note('recv', r.status === 0 ? `no HTTP response (${r.error ?? 'unknown'})` : `HTTP ${r.status} ${r.contentType} · ${r.text.slice(0, 400)}`);
      const reply = casedMessages(r).find((m): m is Record<string, unknown> => isObject(m) && m.id === id);
      const err = reply && isObject(reply.error) ? ` (JSON-RPC error ${String(reply.error.code)} ${JSON.stringify(reply.error.message)})` : '';
      return { status: r.status, result: reply && isObject(reply.result) ? reply.result : undefined, said: r.status === 0 ? `no answer (${r.error ?? 'unknown error'})` : `HTTP ${r.status}${err}` };
    };
    const tried: string[] = [];
    for (const [method, capability] of PAGED) {
      if (!isObject(caps[capability])) continue;
      tried.push(method);
      const cursor = (await ask(method, {}, keep, 'on the first connection')).result?.nextCursor;
      if (typeof cursor !== 'string') continue;
      const next = await ask(method, { cursor }, false, 'on a new TCP connection');
      if (next.result) return;
      if (next.status === 0) return t.notVerified(`${method} with the cursor on a new connection got ${next.said}`);
      // Whether the cursor works at all (pagination's checks judge that), on the connection that got it.
      const again = await ask(method, { cursor }, keep, 'on the first connection again');
      if (!again.result) return t.notVerified(`the nextCursor of ${method} was refused on a new connection (${next.said}) and on the first one too (${again.said}): not a matter of connections`);
      return t.fail(`${method}'s nextCursor gets the next page on the connection that listed the first one, but ${next.said} on a new TCP connection: the state behind the cursor is bound to the connection`);
    }
    t.notVerified(tried.length ? `no list has a second page to ask for on a new connection (tried ${tried.join(', ')})` : 'the server declares none of tools, prompts and resources, whose lists are paged');
  },
);
