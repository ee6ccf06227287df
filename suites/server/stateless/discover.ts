// 2026-07-28 server/discover, versioning and the per-request/per-response protocol fields:
// server/discover, basic/versioning#protocol-version-negotiation, basic/index#meta.
import { HttpError, type Reply } from '../../../mock-server/index.ts';
import { ErrorCode, isObject, META, validate } from '../../../schema/index.ts';
import { check } from '../../harness/index.ts';
import { at, safeOperations, type Json } from '../../kit/index.ts';

const UNKNOWN_VERSION = '2099-01-01';

function problems(v: ReturnType<typeof validate>): string {
  return v.errors
    .slice(0, 4)
    .map((e) => `${e.pointer || '/'} ${e.message}`)
    .join('; ');
}

check(
  {
    id: 'discover/result',
    title: 'server/discover is answered with a valid DiscoverResult',
    level: 'MUST',
    requirement: 'Servers MUST implement server/discover. The server replies with its supported protocol versions, capabilities, and identity.',
    spec: at('server/discover#response'),
  },
  async (t) => {
    const s = await t.stateless();
    const reply = await s.discover();
    const result = t.expectResult(reply, 'server/discover');
    const v = validate(t.revision, 'DiscoverResult', result);
    t.expect(v.valid, `the server/discover result is not a valid DiscoverResult: ${problems(v)}`, reply);
    t.expect(Array.isArray(result.supportedVersions) && result.supportedVersions.length > 0, 'supportedVersions is empty', reply);
  },
);

check(
  {
    id: 'discover/server-info',
    title: 'the server/discover result names the server in _meta serverInfo',
    level: 'SHOULD',
    requirement: "_meta['io.modelcontextprotocol/serverInfo']: Name and version of the server software. Servers SHOULD include this field.",
    spec: at('server/discover#discoverresult'),
  },
  async (t) => {
    const s = await t.stateless();
    const reply = await s.discover();
    const result = t.expectResult(reply, 'server/discover') as unknown as Record<string, unknown>;
    const info = isObject(result._meta) ? result._meta[META.serverInfo] : undefined;
    t.expect(isObject(info) && typeof info.name === 'string' && typeof info.version === 'string', `the server/discover result has no _meta["${META.serverInfo}"] with name and version`, reply);
  },
);

check(
  {
    id: 'versioning/unsupported-version',
    title: 'a request at an unknown protocol version is answered with UnsupportedProtocolVersionError',
    level: 'MUST',
    requirement:
      'If the server does not implement the requested version (whether the version is unknown to the server, or is a known version the server has chosen not to support), it MUST respond with an UnsupportedProtocolVersionError listing the versions it does support.',
    spec: at('basic/versioning#protocol-version-negotiation'),
  },
  async (t) => {
    const s = await t.stateless();
    // Over HTTP the header carries the same version, so the only problem is the version itself.
    const http = s.http;
    http?.setProtocolVersion(UNKNOWN_VERSION);
    let reply: Reply;
    try {
      reply = await s.request('server/discover', {}, { meta: { [META.protocolVersion]: UNKNOWN_VERSION } });
    } catch (err) {
      if (err instanceof HttpError) return t.fail(`a request at protocol version ${UNKNOWN_VERSION} was refused with HTTP ${err.status} and no JSON-RPC error`);
      throw err;
    } finally {
      http?.setProtocolVersion(t.revision);
    }
    const error = t.expectError(reply, ErrorCode.UnsupportedProtocolVersion, `server/discover at protocol version ${UNKNOWN_VERSION}`);
    const v = validate(t.revision, 'UnsupportedProtocolVersionError', reply.message);
    t.expect(v.valid, `the error is not a valid UnsupportedProtocolVersionError: ${problems(v)}`, reply);
    const data = isObject(error.data) ? error.data : {};
    t.expect(Array.isArray(data.supported) && data.supported.length > 0, 'data.supported lists no version', reply);
    t.expect(data.requested === UNKNOWN_VERSION, `data.requested is ${JSON.stringify(data.requested)}, not the requested ${UNKNOWN_VERSION}`, reply);
  },
);

check(
  {
    id: 'versioning/initialize-names-versions',
    title: 'a server of 2026-07-28 only names its versions when it refuses initialize',
    level: 'SHOULD',
    requirement:
      'A server that supports only modern versions SHOULD name the protocol versions it supports in any error it returns to an initialize request, on any transport: legacy clients have no fall-forward mechanism, and this message may be the only diagnostic they can surface to users.',
    spec: at('basic/versioning#backward-compatibility-with-initialization-based-versions'),
  },
  async (t) => {
    const s = await t.stateless();
    const supported = (s.discovery?.supportedVersions ?? []).filter((v) => typeof v === 'string');
    if (supported.some((v) => v < t.revision)) return t.notApplicable(`the server also supports ${supported.filter((v) => v < t.revision).join(', ')}, which have initialize`);
    const params = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'mcp-conform', version: '0.1.0' } };
    let text: string;
    if (s.http) {
      // What a legacy client sends: no MCP-Protocol-Version, no Mcp-Method.
      const h = await t.httpProbe({ protocolVersion: '2025-11-25' });
      h.transport.setProtocolVersion(undefined);
      const r = await h.post({ jsonrpc: '2.0', id: 1, method: 'initialize', params });
      if (r.status >= 200 && r.status <= 299 && typeof r.text === 'string' && r.text.includes('"result"')) return t.notApplicable('the server answered initialize with a result: it also serves a legacy version');
      text = r.text;
    } else {
      // A legacy client opens a process of its own with initialize (a stdio server picks its era
      // from the opening message), and reads the answer as its own revision's.
      const legacy = await t.connect({ protocolVersion: '2025-11-25' });
      const reply = await legacy.request('initialize', params);
      if (reply.ok) return t.notApplicable('the server answered initialize with a result: it also serves a legacy version');
      text = JSON.stringify(reply.error);
    }
    t.expect(supported.some((v) => text.includes(v)), `the error answering initialize does not name a supported version (${supported.join(', ')}): ${text.slice(0, 200)}`);
  },
);

check(
  {
    id: 'meta/required-fields',
    title: 'a request without io.modelcontextprotocol/clientCapabilities is refused with -32602',
    level: 'MUST',
    requirement: 'Fields marked as required MUST be included on every request. A request missing any required field is malformed; the server MUST reject it with JSON-RPC error code -32602 (Invalid params).',
    spec: at('basic/index#meta'),
  },
  async (t) => {
    const s = await t.stateless();
    let reply: Reply;
    try {
      reply = await s.request('server/discover', {}, { meta: { [META.clientCapabilities]: undefined } });
    } catch (err) {
      if (err instanceof HttpError) return t.fail(`a request without ${META.clientCapabilities} was refused with HTTP ${err.status} and no JSON-RPC error`);
      throw err;
    }
    t.expectError(reply, ErrorCode.InvalidParams, `server/discover without ${META.clientCapabilities}`);
  },
);

check(
  {
    id: 'meta/result-type',
    title: 'every result carries resultType, "complete" on requests that cannot need input',
    level: 'MUST',
    requirement:
      'The result MUST include a resultType field to indicate the type of the result. Servers MUST NOT send InputRequiredResult responses on any other client requests (than prompts/get, resources/read and tools/call).',
    spec: at('basic/index#resulttype'),
  },
  async (t) => {
    const s = await t.stateless();
    const caps = s.serverCapabilities;
    const replies: { method: string; reply: Reply }[] = [{ method: 'server/discover', reply: await s.request('server/discover') }];
    for (const [cap, method] of [
      ['tools', 'tools/list'],
      ['prompts', 'prompts/list'],
      ['resources', 'resources/list'],
      ['resources', 'resources/templates/list'],
    ] as const) {
      if (caps[cap]) replies.push({ method, reply: await s.request(method) });
    }
    for (const op of (await safeOperations(s, t.config.callTools)).slice(0, 3)) replies.push({ method: op.label, reply: await s.request<Json>(op.method, op.params) });
    for (const { method, reply } of replies) {
      if (!reply.ok) continue;
      const type = reply.result.resultType;
      if (typeof type !== 'string') return t.fail(`the ${method} result has no resultType`, reply);
      const mrtr = /^(tools\/call|prompts\/get|resources\/read)\b/.test(method);
      if (mrtr ? type !== 'complete' && type !== 'input_required' : type !== 'complete') return t.fail(`the ${method} result has resultType ${JSON.stringify(type)}${mrtr ? '' : '; only "complete" is allowed there'}`, reply);
    }
  },
);

check(
  {
    id: 'meta/server-info',
    title: 'every result names the server in _meta serverInfo',
    level: 'SHOULD',
    requirement: "Servers SHOULD include the following io.modelcontextprotocol/* field in every result's _meta, unless specifically configured not to do so: io.modelcontextprotocol/serverInfo.",
    spec: at('basic/index#meta'),
  },
  async (t) => {
    const s = await t.stateless();
    const caps = s.serverCapabilities;
    // server/discover has its own check (discover/server-info); here, the other results.
    const methods = [...(caps.tools ? ['tools/list'] : []), ...(caps.prompts ? ['prompts/list'] : []), ...(caps.resources ? ['resources/list'] : [])];
    if (methods.length === 0) return t.notApplicable('the server declares none of tools, prompts and resources');
    for (const method of methods) {
      const reply = await s.request(method);
      if (!reply.ok) continue;
      const meta = isObject(reply.result._meta) ? reply.result._meta : {};
      const info = meta[META.serverInfo];
      if (!(isObject(info) && typeof info.name === 'string')) return t.fail(`the ${method} result has no _meta["${META.serverInfo}"]`, reply);
    }
  },
);

check(
  {
    id: 'discover/capabilities-declared',
    title: 'tools, prompts and resources are listed, and log messages sent, only with the capability declared in server/discover',
    level: 'MUST',
    requirement:
      'Servers that support tools (prompts, resources) MUST declare the tools (prompts, resources) capability in their DiscoverResult. Servers that emit log message notifications MUST declare the logging capability. (A list answered empty shows no support; nothing requires refusing it.)',
    spec: at('server/tools#capabilities'),
  },
  async (t) => {
    const s = await t.stateless();
    const caps = s.serverCapabilities;
    const start = s.peer.received.length;
    for (const [capability, method, key] of [
      ['tools', 'tools/list', 'tools'],
      ['prompts', 'prompts/list', 'prompts'],
      ['resources', 'resources/list', 'resources'],
    ] as const) {
      if (caps[capability] !== undefined) continue;
      // Asked at level debug: a server that logs while answering shows whether it declares logging.
      const reply = await s.request(method, {}, { logLevel: 'debug' });
      if (!reply.ok) continue;
      const listed = Array.isArray(reply.result[key]) ? (reply.result[key] as unknown[]).length : 0;
      if (listed > 0 || typeof reply.result.nextCursor === 'string') t.fail(`server/discover does not declare the ${capability} capability, yet ${method} lists ${listed} item(s)${listed ? '' : ' and a next page'}`, reply);
    }
    if (caps.logging !== undefined) return;
    const logs = s.peer.received.slice(start).filter((m) => m.method === 'notifications/message');
    t.expect(logs.length === 0, `server/discover does not declare the logging capability, yet the server sent ${logs.length} notifications/message`, logs);
  },
);

check(
  {
    id: 'meta/no-connection-context',
    title: 'the first request of a new connection, with no server/discover before it, is answered like any other',
    level: 'MUST',
    requirement:
      'Servers MUST NOT rely on prior requests over the same connection to establish context (e.g., capabilities, protocol version, client identity): the first request a client sends on a new connection (a new process over stdio) carries all of it in _meta and is served.',
    spec: at('basic#statelessness'),
  },
  async (t) => {
    // One probed connection learns what to ask for; a second, unprobed, asks for it first thing.
    const probed = await t.stateless();
    const caps = probed.serverCapabilities;
    const method = caps.tools ? 'tools/list' : caps.prompts ? 'prompts/list' : caps.resources ? 'resources/list' : undefined;
    if (!method) return t.notApplicable('the server declares no tools, prompts or resources to list');
    const fresh = await t.stateless({ probe: false });
    const r = await fresh.request(method, {});
    if (!r.ok) t.fail(`${method} as the first request of a new connection (no server/discover before it) was refused with ${r.error.code} ${JSON.stringify(r.error.message)}; on a connection that had sent server/discover it is served`, r);
  },
);
