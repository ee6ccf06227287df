// basic/transports/streamable-http (2026-07-28), custom headers from tool parameters: x-mcp-header
// annotations and the Mcp-Param-{Name} headers a server checks against the arguments.
import { ErrorCode, isObject } from '../../../schema/index.ts';
import { paramHeaderSpecs } from '../../../mock-server/index.ts';
import { checksWith, mayCall } from '../../harness/index.ts';
import { errorCodeIn, responseIn, type HttpProbe, describe, listedTools, expectHeaderMismatch, jsonRpcError, modern, MODERN, type T, cite } from '../../kit/index.ts';

/** Every check of this file is about Streamable HTTP: not applicable on any other target. */
const check = checksWith({ transports: ['http'] });

/** The first tool the run may call with a top-level string argument marked x-mcp-header, or why there is none. */
async function paramHeaderTool(t: T): Promise<{ h: HttpProbe; tool: string; key: string; header: string }> {
  const { h } = await modern(t);
  const tools = await listedTools(h);
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
      return { h, tool: String(tool.name), key, header: `mcp-param-${prop['x-mcp-header'].toLowerCase()}` };
    }
  }
  if (held) return t.notVerified(`needs a call of a tool with an x-mcp-header argument, but ${held}`);
  return t.notApplicable('no tool marks a top-level string argument with x-mcp-header');
}

/**
 * Calls that tool with its argument set to "mcp-conform-a" and its Mcp-Param header set to
 * `header` (null: left out), and expects 400 + HeaderMismatch. A server that does not check the
 * header runs the tool.
 */
async function callWithParamHeader(t: T, header: string | null, what: (tool: string, key: string, header: string) => string, value = 'mcp-conform-a'): Promise<void> {
  const { h, tool, key, header: name } = await paramHeaderTool(t);
  const r = await h.request('tools/call', { name: tool, arguments: { [key]: value } }, { headers: { [name]: header } });
  expectHeaderMismatch(t, r, what(tool, key, name));
}

check(
  {
    id: 'http/mcp-param-mismatch',
    title: 'an Mcp-Param header differing from the tool argument is refused with 400 and HeaderMismatch',
    level: 'MUST',
    requirement:
      'Any server that processes the message body MUST validate that encoded header values, after decoding if Base64-encoded, match the corresponding values in the request body. Servers MUST reject requests with a 400 Bad Request HTTP status and JSON-RPC error code -32020 (HeaderMismatch) if any validation fails.',
    spec: cite([MODERN], 'basic/transports/streamable-http#server-behavior-for-custom-headers'),
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
      'The x-mcp-header value MUST NOT be empty; MUST match HTTP field-name token syntax (1*tchar, RFC 9110 Section 5.1); MUST NOT contain control characters; MUST be case-insensitively unique among all x-mcp-header values in the inputSchema; MUST only be applied to parameters with primitive types (integer, string, boolean); integer values MUST be within the safe range for JavaScript (-(2^53-1) to 2^53-1: checked on the bounds, const, default, enum and examples an integer header parameter\'s schema states); MUST only be applied to properties that are statically reachable from the schema root (a chain of properties keys).',
    spec: cite([MODERN], 'basic/transports/streamable-http#schema-extension'),
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
    spec: cite([MODERN], 'basic/transports/streamable-http#server-behavior-for-custom-headers'),
    requires: 'server.tools',
  },
  (t) => callWithParamHeader(t, null, (tool, key, header) => `tools/call ${tool} with argument ${key}="mcp-conform-a" and no ${header} header`),
);

check(
  {
    id: 'http/mcp-param-invalid-chars',
    title: 'an Mcp-Param header with characters outside visible ASCII is refused with 400 and HeaderMismatch',
    level: 'MUST',
    requirement:
      'Servers MUST reject requests with a recognized Mcp-Param-{Name} header that contains invalid characters (see Value Encoding). Validation failure conditions include: A header value contains invalid characters.',
    spec: cite([MODERN], 'basic/transports/streamable-http#server-behavior-for-custom-headers'),
    requires: 'server.tools',
  },
  // "é" sent raw (one obs-text byte, 0xE9) where the client had to Base64-encode it; the body holds the same text.
  (t) => callWithParamHeader(t, 'mcp-conform-\u00e9', (tool, key, header) => `tools/call ${tool} with argument ${key}="mcp-conform-é" and ${header} carrying a raw non-ASCII byte`, 'mcp-conform-\u00e9'),
);

check(
  {
    id: 'http/mcp-param-omitted-not-expected',
    title: 'a tools/call whose x-mcp-header argument is null or absent is not refused for lacking the Mcp-Param header',
    level: 'MUST',
    requirement: 'Parameter value is null: Client MUST omit the header; Server MUST NOT expect the header. Parameter not in arguments: Client MUST omit the header; Server MUST NOT expect the header.',
    spec: cite([MODERN], 'basic/transports/streamable-http#server-behavior-for-custom-headers'),
    requires: 'server.tools',
  },
  async (t) => {
    const { h, tool, key, header } = await paramHeaderTool(t);
    // Other required arguments are unknown: an invalid-params error is fine, a header mismatch is not.
    for (const [args, how] of [[{ [key]: null }, `${key}: null`], [{}, `no ${key}`]] as const) {
      const r = await h.request('tools/call', { name: tool, arguments: args }, { headers: { [header]: null } });
      if (errorCodeIn(r) === ErrorCode.HeaderMismatch || r.status === 0 || r.status >= 500) {
        return t.fail(`tools/call ${tool} with ${how} and no ${header} header was answered with ${describe(r)}${jsonRpcError(r)}; the server MUST NOT expect the header then`);
      }
    }
  },
);

check(
  {
    id: 'http/mcp-param-integer-numeric',
    title: 'an integer Mcp-Param header is compared with the argument as a number (42.0 matches 42)',
    level: 'SHOULD',
    requirement: 'When validating integer parameter values, servers SHOULD compare the header value and the body value numerically rather than as strings (e.g., 42.0 and 42 are considered equal).',
    spec: cite([MODERN], 'basic/transports/streamable-http#server-validation'),
    requires: 'server.tools',
  },
  async (t) => {
    const { h } = await modern(t);
    const tools = await listedTools(h);
    let held: string | undefined;
    for (const tool of tools) {
      const props = isObject(tool.inputSchema) && isObject(tool.inputSchema.properties) ? tool.inputSchema.properties : {};
      const found = Object.entries(props).find(([, p]) => isObject(p) && typeof p['x-mcp-header'] === 'string' && p.type === 'integer');
      if (!found) continue;
      const may = mayCall({ name: String(tool.name), annotations: tool.annotations }, t.config.callTools);
      if (!may.ok) {
        held ??= `"${String(tool.name)}" may not be called: ${may.why}`;
        continue;
      }
      const [key, prop] = found as [string, Record<string, unknown>];
      const header = `mcp-param-${String(prop['x-mcp-header']).toLowerCase()}`;
      // Only the integer argument is given: other required arguments may make it an invalid-params error, not a mismatch.
      const r = await h.request('tools/call', { name: tool.name, arguments: { [key]: 42 } }, { headers: { [header]: '42.0' } });
      t.expect(errorCodeIn(r) !== ErrorCode.HeaderMismatch, `tools/call ${String(tool.name)} with argument ${key}=42 and ${header}: 42.0 was refused as a header mismatch${jsonRpcError(r)}`);
      return;
    }
    if (held) return t.notVerified(`needs a call of a tool with an integer x-mcp-header argument, but ${held}`);
    t.notApplicable('no tool marks a top-level integer argument with x-mcp-header');
  },
);
