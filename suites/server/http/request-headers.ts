// basic/transports/streamable-http (2026-07-28), standard request headers: Mcp-Method and Mcp-Name,
// required and matching the body (Base64-encoded values decoded first).
import { ErrorCode, isObject } from '../../../schema/index.ts';
import { checksWith, mayCall } from '../../harness/index.ts';
import { errorCodeIn, responseIn, type HttpProbe, describe, expectHeaderMismatch, jsonRpcError, modern, MODERN, type T, cite } from '../../kit/index.ts';

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
