// basic (Messages): the JSON-RPC 2.0 base every MCP message follows.
import { ErrorCode, errorIdOptional, isObject, isStateless, REVISIONS, type Revision } from '../../schema/index.ts';
import { HttpError, TimeoutError } from '../../mock-server/index.ts';
import { check, CheckContext } from '../harness/index.ts';
import { cite, messagesPage, livenessMessage, livenessMethod } from '../kit/index.ts';

const OLD = '2024-11-05' as const;
const MODERN = '2026-07-28' as const;
/** Where each revision says "All messages … MUST follow the JSON-RPC 2.0 specification". */
const JSON_RPC = cite(REVISIONS, (r) => (r === OLD ? 'basic/messages' : 'basic#messages'));
/** 2024-11-05 has a separate Messages page; later revisions put it on the basic overview. */
function messages(anchor: string, latest = anchor): Partial<Record<Revision, string>> {
  return cite(REVISIONS, (r) => (r >= '2025-11-25' ? `basic#${latest}` : messagesPage(anchor)(r)));
}

/** The spec page of each method messages/invalid-params may probe (each has an Error Handling section). */
const PAGE_OF: Record<string, string> = {
  'prompts/get': 'server/prompts',
  'resources/read': 'server/resources',
  'tools/call': 'server/tools',
  'logging/setLevel': 'server/utilities/logging',
};

const isResponse = (m: Record<string, unknown>) => Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error');

/** Asks for a ping (server/discover from 2026-07-28) and waits for the answer: proof the target is still serving. */
async function stillServing(t: CheckContext, c: Awaited<ReturnType<CheckContext['session']>>, after: string): Promise<void> {
  const method = livenessMethod(t);
  let reply;
  try {
    reply = await c.request(method);
  } catch (err) {
    // No answer in time only shows a stopped server where going on serving is the requirement.
    if (err instanceof TimeoutError && !t.meta.timely) return t.notVerified(`timed out: ${method} after ${after}: ${err.message}`);
    return t.fail(`the server stopped serving after ${after}: ${(err as Error).message}`);
  }
  t.expectResult(reply, `${method} after ${after}`);
}

check(
  {
    id: 'messages/response-id',
    shared: true,
    title: 'responses carry exactly the id of their request (number, string, 0, "")',
    level: 'MUST',
    requirement: 'Responses MUST include the same ID as the request they correspond to.',
    spec: messages('responses', 'result-responses'),
  },
  async (t) => {
    const c = await t.session();
    const method = livenessMethod(t);
    const problems: string[] = [];
    const evidence: Record<string, unknown>[] = [];
    for (const id of [7, 'mcp-conform-7', 0, '', 9007199254740991, '7', 'ünï-cödé']) {
      const m = await t.exchange(c, livenessMessage(t, c, id), `${method} with id ${JSON.stringify(id)}`);
      if (m.id !== id) {
        problems.push(`${method} with id ${JSON.stringify(id)} was answered with id ${JSON.stringify(m.id)}`);
        evidence.push(m);
      }
    }
    t.expect(problems.length === 0, problems.join('; '), evidence);
  },
);

check(
  {
    id: 'messages/no-response-to-notification',
    title: 'notifications are never answered',
    level: 'MUST',
    requirement:
      'Notifications are sent as a one-way message. The receiver MUST NOT send a response. (Streamable HTTP, 2025-03-26 on: a server that cannot accept a POSTed notification MUST return an HTTP error status, whose body MAY comprise a JSON-RPC error response that has no id; that refusal is no response.)',
    spec: messages('notifications'),
  },
  async (t) => {
    const c = await t.session();
    await c.notify('notifications/mcp-conform/unknown', { x: 1 });
    await c.notify('notifications/roots/list_changed');
    await c.notify('notifications/cancelled', { requestId: 'mcp-conform-never-sent' });
    await t.send(c, livenessMessage(t, c)); // a request method without an id is a notification too
    await stillServing(t, c, 'notifications');
    await t.sleep(t.quietMs);
    const refusals = httpRefusals(t);
    const stray = c.peer.unsolicited.filter((m) => isResponse(m) && !refusals.has(m));
    t.expect(stray.length === 0, 'the server answered a notification', stray);
    if (refusals.size) t.note(`${refusals.size} notification(s) refused with an HTTP error status and a JSON-RPC error without id (basic/transports: allowed)`);
  },
);

/**
 * JSON-RPC errors without an id that came as the body of an HTTP error status: Streamable HTTP's
 * refusal of a POSTed notification ("If the server cannot accept the input, it MUST return an HTTP
 * error status code (e.g., 400 Bad Request). The HTTP response body MAY comprise a JSON-RPC error
 * response that has no id", basic/transports 2025-03-26 … 2025-11-25, basic/transports/streamable-http
 * 2026-07-28). Only a JSON-RPC answer to a request carries an id, and 2024-11-05's HTTP+SSE has no such rule.
 */
function httpRefusals(t: CheckContext): Set<unknown> {
  const out = new Set<unknown>();
  if (t.target.kind !== 'http' || t.revision === OLD) return out;
  for (const e of t.wire.entries) {
    const m = e.msg as Record<string, unknown> | undefined;
    if (e.dir !== 'recv' || typeof m !== 'object' || m === null || Array.isArray(m) || !/^HTTP [45]\d\d\b/.test(e.note ?? '')) continue;
    if (Object.hasOwn(m, 'error') && !Object.hasOwn(m, 'result') && (m.id === undefined || m.id === null)) out.add(m);
  }
  return out;
}

check(
  {
    id: 'messages/result-xor-error',
    shared: true,
    title: 'every response has either a result or an error, never both; errors have an integer code and a message',
    level: 'MUST',
    requirement: 'Either a result or an error MUST be set. A response MUST NOT set both. Errors MUST include an error code and message at minimum; error codes MUST be integers.',
    spec: messages('responses', 'error-responses'),
  },
  async (t) => {
    const c = await t.session();
    await c.request(livenessMethod(t));
    await c.request('mcp-conform/unknown-method');
    if (c.serverCapabilities.tools) await c.request('tools/list', {});
    for (const m of c.peer.received.filter(isResponse)) {
      const has = (k: string) => Object.hasOwn(m, k);
      t.expect(has('result') !== has('error'), has('result') ? 'a response sets both result and error' : 'a response sets neither result nor error', [m]);
      if (has('error')) {
        const e = m.error as { code?: unknown; message?: unknown } | null;
        t.expect(typeof e === 'object' && e !== null, 'error is not an object', [m]);
        t.expect(Number.isInteger(e?.code), `error code ${JSON.stringify(e?.code)} is not an integer`, [m]);
        t.expect(typeof e?.message === 'string', 'error has no message string', [m]);
      }
    }
  },
);

check(
  {
    id: 'messages/unknown-method',
    shared: true,
    title: 'an unknown method is answered with error -32601 (Method not found)',
    level: 'MUST',
    requirement: 'All messages MUST follow the JSON-RPC 2.0 specification: a request is answered with a response, and a method that does not exist is reported with error -32601.',
    spec: JSON_RPC,
    // JSON-RPC: every request is answered; silence breaks it.
    timely: true,
  },
  async (t) => {
    const c = await t.session();
    t.expectError(await c.request('mcp-conform/unknown-method', {}), ErrorCode.MethodNotFound, 'a request for an unknown method');
  },
);

check(
  {
    id: 'messages/invalid-params',
    shared: true,
    title: 'a known method with invalid params is answered with error -32602 (Invalid params)',
    level: 'SHOULD',
    requirement:
      'Servers SHOULD return standard JSON-RPC errors for common failure cases: invalid prompt name, missing required arguments, invalid log level: -32602 (Invalid params). (Prompts are probed first; a server without them gets resources/read, tools/call or logging/setLevel, and the result cites that page.)',
    spec: Object.fromEntries(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', MODERN].map((r) => [r, 'server/prompts#error-handling'])),
  },
  async (t) => {
    const c = await t.session();
    const caps = c.serverCapabilities;
    // params that break the method's schema: a required member missing or of the wrong type.
    // From 2026-07-28 Streamable HTTP mirrors params.name / params.uri in the Mcp-Name header, and
    // a non-string there is a header failure (-32020 HeaderMismatch), not an Invalid params: over
    // HTTP the name stays a string and `arguments` (an object of the method's schema) is broken.
    // (2026-07-28 removed logging/setLevel: the log level travels in each request's _meta.)
    const mirrored = isStateless(t.revision) && t.target.kind === 'http';
    const probe = caps.prompts
      ? { method: 'prompts/get', params: mirrored ? { name: 'mcp-conform-invalid-params', arguments: 42 } : { name: 42 } }
      : caps.resources && !mirrored
        ? { method: 'resources/read', params: { uri: 42 } }
        : caps.tools
          ? { method: 'tools/call', params: mirrored ? { name: 'mcp-conform-invalid-params', arguments: 42 } : { name: 42, arguments: {} } }
          : caps.logging && !isStateless(t.revision)
            ? { method: 'logging/setLevel', params: { level: 'mcp-conform-no-such-level' } }
            : undefined;
    if (!probe) return t.notApplicable(mirrored ? 'the server declares neither prompts nor tools (over Streamable HTTP at 2026-07-28 resources/read has no member to break but its header-mirrored uri)' : `the server declares none of prompts, resources, tools${isStateless(t.revision) ? '' : ', logging'}`);
    t.cite(`${PAGE_OF[probe.method]}#error-handling`);
    t.expectError(await c.request(probe.method, probe.params), ErrorCode.InvalidParams, `${probe.method} with invalid params`);
  },
);

check(
  {
    id: 'messages/parse-error',
    title: 'invalid JSON is answered with error -32700 (Parse error)',
    level: 'SHOULD',
    requirement: 'All messages MUST follow the JSON-RPC 2.0 specification, whose answer to invalid JSON is a Parse error (-32700) response with id null. (Checked at SHOULD: MCP clients MUST NOT send invalid JSON in the first place.)',
    spec: JSON_RPC,
    // JSON-RPC answers invalid JSON; silence breaks it.
    timely: true,
  },
  async (t) => {
    const c = await t.session();
    const m = await t.exchange(c, `{"jsonrpc": "2.0", "id": "mcp-conform-1", "method": "${livenessMethod(t)}"`, 'invalid JSON');
    const e = m.error as { code?: unknown } | undefined;
    t.expect(e !== undefined, 'invalid JSON was answered with a result', [m]);
    t.expect(e?.code === ErrorCode.ParseError, `invalid JSON was answered with error code ${JSON.stringify(e?.code)}, expected -32700`, [m]);
    // JSON-RPC 2.0 section 5: "If there was an error in detecting the id in the Request object
    // (e.g. Parse error/Invalid Request), it MUST be Null." Up to 2025-06-18 the schema requires
    // id on an error response too (schema/valid-messages fails there); 2025-11-25 made it optional.
    t.expect(Object.hasOwn(m, 'id'), `the Parse error answer has no "id" (JSON-RPC 2.0 requires "id": null when the request's id could not be read${errorIdOptional(t.revision) ? '' : `; the ${t.revision} schema requires id`})`, [m]);
  },
);

check(
  {
    id: 'messages/invalid-request',
    title: 'a JSON object that is not a valid request is answered with error -32600 (Invalid Request)',
    level: 'SHOULD',
    requirement: 'All messages MUST follow the JSON-RPC 2.0 specification, whose answer to a JSON value that is not a valid Request object is an Invalid Request (-32600) error. (Checked at SHOULD: MCP clients MUST NOT send such messages in the first place.)',
    spec: JSON_RPC,
    // JSON-RPC answers an invalid request; silence breaks it.
    timely: true,
  },
  async (t) => {
    const c = await t.session();
    const m = await t.exchange(c, { jsonrpc: '2.0', id: 'mcp-conform-bad', method: 42 }, 'a request whose method is a number');
    const e = m.error as { code?: unknown } | undefined;
    t.expect(e !== undefined, 'an invalid request was answered with a result', [m]);
    t.expect(e?.code === ErrorCode.InvalidRequest, `an invalid request was answered with error code ${JSON.stringify(e?.code)}, expected -32600`, [m]);
  },
);

/** Size of the padding in messages/large-request: 1 MiB of arguments. */
export const LARGE_REQUEST_BYTES = 1024 * 1024;

check(
  {
    id: 'messages/large-request',
    shared: true,
    title: 'a request with 1 MiB of arguments is answered (with a result or an error) within the request timeout',
    level: 'SHOULD',
    requirement:
      'All messages MUST follow the JSON-RPC 2.0 specification, whose server MUST reply to every request (not notification) with a Response; MCP responses "are sent in reply to requests, containing the result or error of the operation". ' +
      '(Checked at SHOULD: no MCP sentence sets a size every server must accept, and refusing it with an error is an answer; hanging or dying is not.)',
    spec: JSON_RPC,
  },
  async (t) => {
    const c = await t.session();
    const padding = 'x'.repeat(LARGE_REQUEST_BYTES);
    // No real tool runs: the tool name is one the server does not list (an unknown tool is an error
    // or an isError result); otherwise the liveness request carries a params member it ignores.
    const unknownTool = 'mcp-conform-no-such-tool';
    const probe = c.serverCapabilities.tools && !(await t.findTool(c, unknownTool))
      ? { method: 'tools/call', params: { name: unknownTool, arguments: { padding } }, what: 'tools/call of an unknown tool with 1 MiB of arguments' }
      : { method: livenessMethod(t), params: { 'mcp-conform-padding': padding }, what: `${livenessMethod(t)} with a 1 MiB params member` };
    try {
      const reply = await c.request(probe.method, probe.params);
      t.note(reply.ok ? `${probe.what} was answered with a result` : `${probe.what} was answered with error ${reply.error.code}`);
    } catch (err) {
      const refused = CheckContext.httpRefusal(err);
      // Over HTTP a refusal with a status (413 Payload Too Large…) is an answer too.
      if (!refused) return t.fail(`${probe.what} was not answered: ${(err as Error).message}`);
      t.note(`${probe.what} was refused with HTTP ${refused.status}: ${refused.body.slice(0, 200)}`);
    }
    await stillServing(t, c, probe.what);
  },
);

check(
  {
    id: 'messages/batch-receive',
    title: 'a JSON-RPC batch of requests is answered (2025-03-26)',
    level: 'MUST',
    requirement: 'MCP implementations MAY support sending JSON-RPC batches, but MUST support receiving JSON-RPC batches.',
    spec: { '2025-03-26': 'basic#batching' },
    // Receiving a batch means answering it; silence breaks it.
    timely: true,
  },
  async (t) => {
    const c = await t.session();
    await t.send(c, [
      { jsonrpc: '2.0', id: 'mcp-conform-b1', method: 'ping' },
      { jsonrpc: '2.0', id: 'mcp-conform-b2', method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/mcp-conform/unknown' },
    ]);
    for (const id of ['mcp-conform-b1', 'mcp-conform-b2']) {
      const m = await t.response(c, `batched ping ${id}`, (x) => x.id === id);
      t.expect(Object.hasOwn(m, 'result'), `batched ping ${id} was answered with an error`, [m]);
    }
  },
);

check(
  {
    id: 'messages/batch-removed',
    title: 'a JSON-RPC batch (removed in 2025-06-18) does not break the connection',
    level: 'SHOULD',
    requirement: 'Messages are individual JSON-RPC requests, notifications, or responses (2026-07-28: each message is a single JSON-RPC request, notification, or response). (Batching was removed in 2025-06-18; a server SHOULD reject a batch rather than stop serving: our reading.)',
    spec: { '2025-06-18': 'basic/transports#stdio', '2025-11-25': 'basic/transports#stdio', [MODERN]: 'basic/transports/stdio' },
    // About going on serving: a server that stops answering after the batch breaks it.
    timely: true,
  },
  async (t) => {
    const c = await t.session();
    try {
      await t.send(c, [livenessMessage(t, c, 'mcp-conform-b1'), livenessMessage(t, c, 'mcp-conform-b2')]);
    } catch (err) {
      // Over HTTP a refused batch is an HTTP error answer (400 with a JSON-RPC error): a rejection, which is what is asked.
      if (!(err instanceof HttpError)) throw err;
      t.note(`the batch was refused: ${err.message.slice(0, 200)}`);
    }
    await t.sleep(t.quietMs);
    await stillServing(t, c, 'a batch');
  },
);

/**
 * basic#_meta (2025-06-18 on): a key is an optional prefix — labels separated by dots, then a
 * slash; each label starts with a letter and ends with a letter or digit, hyphens between — and a
 * name that, unless empty, begins and ends with an alphanumeric (dashes, underscores, dots between).
 */
const LABEL = '[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const META_KEY = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*/)?(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)?$`);

/** The keys of every _meta object in a message (not inside _meta values: those are free-form), with where they are. */
function metaKeys(v: unknown, path: string, out: { key: string; at: string }[]): void {
  if (Array.isArray(v)) v.forEach((x, i) => metaKeys(x, `${path}/${i}`, out));
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === '_meta' && isObject(x)) for (const key of Object.keys(x)) out.push({ key, at: `${path}/_meta` });
      else metaKeys(x, `${path}/${k}`, out);
    }
  }
}

check(
  {
    id: 'messages/meta-key-format',
    title: '_meta keys the server sends follow the key name format (optional dotted prefix and slash, then a name)',
    level: 'MUST',
    requirement:
      '_meta key name format: the prefix, if specified, MUST be a series of labels separated by dots (.), followed by a slash (/); labels MUST start with a letter and end with a letter or digit, interior characters letters, digits, or hyphens. The name, unless empty, MUST begin and end with an alphanumeric character ([a-z0-9A-Z]), with dashes (-), underscores (_), dots (.), and alphanumerics between.',
    spec: { '2025-06-18': 'basic#_meta', '2025-11-25': 'basic#_meta', [MODERN]: 'basic#_meta' },
  },
  async (t) => {
    const c = await t.session();
    await c.request(livenessMethod(t));
    const caps = c.serverCapabilities;
    if (caps.tools) await c.request('tools/list', {});
    if (caps.prompts) await c.request('prompts/list', {});
    if (caps.resources) await c.request('resources/list', {});
    const bad: { key: string; at: string; msg: Record<string, unknown> }[] = [];
    for (const m of c.peer.received) {
      const keys: { key: string; at: string }[] = [];
      metaKeys(m, '', keys);
      for (const k of keys) if (!META_KEY.test(k.key)) bad.push({ ...k, msg: m });
    }
    if (bad.length) t.fail(`${bad.length} _meta key(s) break the key name format: ${bad.slice(0, 3).map((b) => `${JSON.stringify(b.key)} at ${b.at || '/'}`).join('; ')}`, bad.slice(0, 3).map((b) => b.msg));
  },
);

/** 2026-07-28 basic#error-codes: the codes MCP defines in its reserved sub-range -32099 … -32020. */
const MCP_DEFINED = new Set<number>([ErrorCode.HeaderMismatch, ErrorCode.MissingRequiredClientCapability, ErrorCode.UnsupportedProtocolVersion]);
const MCP_RESERVED = { lowest: -32099, highest: ErrorCode.HeaderMismatch };

/** The error answers of the server to an unknown method, an unknown tool, prompt and resource, and an invalid cursor (the error-code checks judge their codes). */
async function provokedErrors(t: CheckContext): Promise<Record<string, unknown>[]> {
    const c = await t.session();
    const caps = c.serverCapabilities;
    const unknown = `mcp-conform-unknown-${Math.random().toString(36).slice(2, 8)}`;
    await c.request('mcp-conform/unknown-method', {});
    if (caps.tools) await c.request('tools/call', { name: unknown, arguments: {} });
    if (caps.prompts) await c.request('prompts/get', { name: unknown });
    if (caps.resources) await c.request('resources/read', { uri: `mcp-conform://${unknown}` });
    if (caps.tools) await c.request('tools/list', { cursor: 'mcp-conform-invalid-cursor' });
    return c.peer.received.filter((m) => isObject(m.error) && typeof m.error.code === 'number');
}

check(
  {
    id: 'messages/error-codes-defined',
    title: 'error codes in the MCP-reserved range -32099 … -32020 are only those the specification defines (and never -32042)',
    level: 'MUST',
    requirement:
      'Error codes in the sub-range -32020 to -32099 are defined exclusively by the MCP specification: implementations MUST NOT emit any code from this sub-range that is not defined by this specification. Implementations of this protocol version MUST NOT emit -32042 (URL elicitation required, 2025-11-25 only). (Checked on the errors the server answers to an unknown method, an unknown tool, prompt and resource, and invalid params.)',
    spec: { [MODERN]: 'basic#error-codes' },
  },
  async (t) => {
    const errors = await provokedErrors(t);
    const bad = errors.filter((m) => {
      const code = (m.error as { code: number }).code;
      return code <= MCP_RESERVED.highest && code >= MCP_RESERVED.lowest && !MCP_DEFINED.has(code);
    });
    if (bad.length) t.fail(`the server answered with error code(s) ${[...new Set(bad.map((m) => (m.error as { code: number }).code))].join(', ')}, in the sub-range -32020 … -32099 that only the MCP specification defines codes in (defined: -32020, -32021, -32022)`, bad);
    if (errors.length === 0) t.notVerified('the server answered none of the requests with an error');
  },
);

/** JSON-RPC 2.0's own codes: parse error, invalid request, method not found, invalid params, internal error. */
const JSON_RPC_CODES = new Set<number>([ErrorCode.ParseError, ErrorCode.InvalidRequest, ErrorCode.MethodNotFound, ErrorCode.InvalidParams, ErrorCode.InternalError]);

check(
  {
    id: 'messages/error-codes-outside-reserved',
    title: 'error codes of the server\'s own are outside the JSON-RPC reserved range (-32768 … -32000), and none from the legacy sub-range -32000 … -32019',
    level: 'SHOULD',
    requirement:
      'New error codes for purposes not defined by this specification SHOULD be allocated outside the JSON-RPC reserved range (-32768 to -32000); in the legacy sub-range -32000 to -32019 new codes MUST NOT be allocated and new implementations SHOULD NOT use codes from it at all. (Checked on the errors the server answers to an unknown method, an unknown tool, prompt and resource, and an invalid cursor; the MCP sub-range -32020 … -32099 is messages/error-codes-defined.)',
    spec: { [MODERN]: 'basic#error-codes' },
  },
  async (t) => {
    const errors = await provokedErrors(t);
    const codeOf = (m: Record<string, unknown>) => (m.error as { code: number }).code;
    const bad = errors.filter((m) => {
      const code = codeOf(m);
      const inMcpRange = code <= MCP_RESERVED.highest && code >= MCP_RESERVED.lowest;
      // -32002 (resource not found) is resources/read-not-found-invalid-params's at 2026-07-28.
      return code >= -32768 && code <= -32000 && !JSON_RPC_CODES.has(code) && !inMcpRange && code !== ErrorCode.ResourceNotFound;
    });
    if (bad.length) {
      const codes = [...new Set(bad.map(codeOf))];
      const legacy = codes.filter((x) => x >= -32019);
      t.fail(`the server answered with error code(s) ${codes.join(', ')}, inside the JSON-RPC reserved range -32768 … -32000 without being a JSON-RPC or MCP code${legacy.length ? ` (${legacy.join(', ')} in the legacy sub-range -32000 … -32019)` : ''}`, bad);
    }
    if (errors.length === 0) t.notVerified('the server answered none of the requests with an error');
  },
);

// W3C Trace Context (traceparent, tracestate) and W3C Baggage, as their grammars say.
const HEX = '[0-9a-f]';
/** version-traceid-parentid-flags; version 00 is exactly that, a later version may append `-…` (ff is invalid). */
const TRACEPARENT = new RegExp(`^(${HEX}{2})-(${HEX}{32})-(${HEX}{16})-(${HEX}{2})(-.*)?$`);
const TRACESTATE_KEY = /^(?:[a-z0-9][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})$/;
const TRACESTATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
/** RFC 7230 token (a baggage key or property key) and baggage-octet* (a value). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAGGAGE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/** What makes a trace context value break its W3C format, or undefined. */
export function traceValueProblem(key: 'traceparent' | 'tracestate' | 'baggage', value: unknown): string | undefined {
  if (typeof value !== 'string') return `is ${value === null ? 'null' : typeof value}, not a string`;
  if (key === 'traceparent') {
    const m = TRACEPARENT.exec(value);
    if (!m) return 'is not version-traceid-parentid-flags in lowercase hex (2, 32, 16 and 2 digits)';
    if (m[1] === 'ff') return 'has version ff, which is invalid';
    if (m[1] === '00' && m[5] !== undefined) return 'has version 00 but more than four fields';
    if (/^0+$/.test(m[2]!)) return 'has an all-zero trace-id';
    if (/^0+$/.test(m[3]!)) return 'has an all-zero parent-id';
    return undefined;
  }
  // Both are comma-separated lists; tracestate allows empty members (OWS only) and up to 32 of them.
  const members = value.split(',').map((x) => x.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (key === 'tracestate') {
    const given = members.filter((x) => x !== '');
    if (given.length > 32) return `has ${given.length} list members (at most 32)`;
    for (const member of given) {
      const eq = member.indexOf('=');
      if (eq < 0 || !TRACESTATE_KEY.test(member.slice(0, eq)) || !TRACESTATE_VALUE.test(member.slice(eq + 1))) return `has the list member ${JSON.stringify(member)}, not key=value in the tracestate grammar`;
    }
    return undefined;
  }
  for (const member of members) {
    const [pair = '', ...props] = member.split(';').map((x) => x.replace(/^[ \t]+|[ \t]+$/g, ''));
    const eq = pair.indexOf('=');
    const k = eq < 0 ? '' : pair.slice(0, eq).trimEnd();
    const v = eq < 0 ? '' : pair.slice(eq + 1).trimStart();
    if (!TOKEN.test(k) || !BAGGAGE_VALUE.test(v)) return `has the list member ${JSON.stringify(member)}, not key=value in the baggage grammar`;
    for (const p of props) {
      const peq = p.indexOf('=');
      const pk = (peq < 0 ? p : p.slice(0, peq)).trimEnd();
      if (!TOKEN.test(pk) || (peq >= 0 && !BAGGAGE_VALUE.test(p.slice(peq + 1).trimStart()))) return `has the property ${JSON.stringify(p)}, not key or key=value in the baggage grammar`;
    }
  }
  return undefined;
}

const TRACE_KEYS = ['traceparent', 'tracestate', 'baggage'] as const;
/** Sent on our requests, so a server that propagates trace context has one to continue. */
const OUR_TRACE = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'mcp-conform=1', baggage: 'mcp-conform.run=1' };

check(
  {
    id: 'messages/trace-context-format',
    title: 'traceparent, tracestate and baggage in the _meta the server sends follow W3C Trace Context and W3C Baggage',
    level: 'MUST',
    requirement:
      'The keys traceparent, tracestate, and baggage are reserved for OpenTelemetry trace context propagation. When present, their values MUST follow W3C Trace Context and W3C Baggage formats respectively. (Checked: every _meta of the server\'s answers to server/discover and its lists, asked with a valid trace context of our own in _meta; not applicable when the server sends none of the keys.)',
    spec: { [MODERN]: 'basic#_meta' },
  },
  async (t) => {
    const c = await t.session();
    const params = { _meta: { ...OUR_TRACE } };
    await c.request(livenessMethod(t), params);
    const caps = c.serverCapabilities;
    if (caps.tools) await c.request('tools/list', params);
    if (caps.prompts) await c.request('prompts/list', params);
    if (caps.resources) await c.request('resources/list', params);
    const found: { key: (typeof TRACE_KEYS)[number]; value: unknown; at: string; msg: Record<string, unknown> }[] = [];
    const walk = (v: unknown, at: string, msg: Record<string, unknown>): void => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}/${i}`, msg));
      else if (isObject(v)) {
        for (const [k, x] of Object.entries(v)) {
          if (k === '_meta' && isObject(x)) for (const key of TRACE_KEYS) if (Object.hasOwn(x, key)) found.push({ key, value: x[key], at: `${at}/_meta`, msg });
          walk(x, `${at}/${k}`, msg);
        }
      }
    };
    for (const m of c.peer.received) walk(m, '', m);
    if (found.length === 0) return t.notApplicable('the server sent no traceparent, tracestate or baggage in any _meta');
    const bad = found.map((f) => ({ ...f, problem: traceValueProblem(f.key, f.value) })).filter((f) => f.problem !== undefined);
    if (bad.length) t.fail(`${bad.length} trace context value(s) break the W3C format: ${bad.slice(0, 3).map((b) => `${b.key} ${JSON.stringify(b.value)} at ${b.at || '/'} ${b.problem}`).join('; ')}`, bad.slice(0, 3).map((b) => b.msg));
  },
);
