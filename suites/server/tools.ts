// server/tools: listing tools, their schemas and names, calling them (only those the run may
// call: see the kit's mayCall), results and content, error reporting, list_changed gating.
import { ErrorCode, isObject, STATEFUL_REVISIONS } from '../../schema/index.ts';
import { isDeepStrictEqual } from 'node:util';
import { check } from '../harness/index.ts';
import { callable, callTool, callWithGenerated, toolCallSample, compileSchema, contentProblems, errorText, expectSameSetPerConnection, generateArguments, listTools, plainCallable, received, schemaProblem, short, from, EVERY, unknownName, walkList, type Json, type Tool, cite, section, listResultCheck, listChangedGatedCheck, FIXTURE } from '../kit/index.ts';

const tools = (anchor: Parameters<typeof section>[1], revs = EVERY) => cite(revs, section('server/tools', anchor));

listResultCheck(
  {
    id: 'tools/list-result',
    title: 'tools/list is answered with a valid ListToolsResult on every page',
    level: 'MUST',
    requirement: 'To discover available tools, clients send a tools/list request; the server answers with its tools (a ListToolsResult as the schema defines it). This operation supports pagination.',
    spec: tools('listing-tools'),
    requires: 'server.tools',
  },
  { method: 'tools/list', key: 'tools', resultType: 'ListToolsResult' },
);

check(
  {
    id: 'tools/input-schema',
    shared: true,
    title: 'every tool\'s inputSchema is a valid JSON Schema object with type "object"',
    level: 'MUST',
    requirement:
      'inputSchema: JSON Schema defining expected parameters. MUST be a valid JSON Schema object (not null); schemas MUST be valid according to their declared or default dialect (2020-12 when no $schema is present).',
    spec: tools('tool'),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const list = await listTools(t, c);
    if (list.length === 0) return t.notApplicable('the server lists no tools');
    let checked = 0;
    for (const tool of list) {
      const schema: unknown = tool.inputSchema;
      if (!isObject(schema) || schema.type !== 'object') t.fail(`tool "${tool.name}": inputSchema must be an object schema with type "object", got ${short(schema)}`);
      const compiled = compileSchema(t.revision, schema);
      if ('invalid' in compiled) t.fail(`tool "${tool.name}": inputSchema is ${compiled.invalid}`);
      if ('unsupported' in compiled) t.note(`tool "${tool.name}": inputSchema not compiled: ${compiled.unsupported}`);
      else checked++;
    }
    if (checked === 0) t.notVerified('no inputSchema is in a dialect mcp-conform can compile');
  },
);

check(
  {
    id: 'tools/output-schema',
    shared: true,
    title: "every tool's outputSchema, when present, is a valid JSON Schema object",
    level: 'MUST',
    requirement:
      'outputSchema: Optional JSON Schema defining expected output structure; it follows the JSON Schema usage guidelines (schemas MUST be valid according to their declared or default dialect).',
    spec: tools('output-schema', from('2025-06-18')),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const withOutput = (await listTools(t, c)).filter((x) => x.outputSchema !== undefined);
    if (withOutput.length === 0) return t.notApplicable('no tool declares an outputSchema');
    for (const tool of withOutput) {
      const schema = tool.outputSchema;
      if (!isObject(schema)) t.fail(`tool "${tool.name}": outputSchema is ${short(schema)}, not a JSON Schema object`);
      const compiled = compileSchema(t.revision, schema);
      if ('invalid' in compiled) t.fail(`tool "${tool.name}": outputSchema is ${compiled.invalid}`);
    }
  },
);

const DIALECT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

check(
  {
    id: 'tools/json-schema-2020-12-kept',
    shared: true,
    title: 'the fixture tool json_schema_2020_12_tool is listed with its JSON Schema 2020-12 keywords ($schema, $defs, additionalProperties) kept',
    level: 'MUST',
    requirement:
      'Supported dialects: Implementations MUST support at least 2020-12; inputSchema follows the JSON Schema usage guidelines. A server (or its SDK) that drops $schema, $defs or additionalProperties from a 2020-12 inputSchema when listing it does not support that dialect. (Checked on the fixture contract\'s json_schema_2020_12_tool, whose inputSchema is known: $schema "https://json-schema.org/draft/2020-12/schema", $defs.address, additionalProperties false; from 2026-07-28, whose JSON Schema section names composition keywords and $defs, also allOf with a nested anyOf, if/then/else and $defs.address.$anchor. Other tools\' schemas are judged by tools/input-schema.)',
    spec: cite(['2025-11-25', '2026-07-28'], 'basic#schema-dialect'),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const name = FIXTURE.jsonSchemaTool;
    const tool = (await listTools(t, c)).find((x) => x.name === name);
    if (!tool) return t.notVerified(`needs the fixture-contract tool ${name}, whose inputSchema is known: which keywords another tool's schema had before listing cannot be told`);
    const s: Json = isObject(tool.inputSchema) ? tool.inputSchema : {};
    const lost: string[] = [];
    if (s.$schema !== DIALECT_2020_12) lost.push(`$schema (${s.$schema === undefined ? 'missing' : short(s.$schema)}, not "${DIALECT_2020_12}")`);
    const address = isObject(s.$defs) && isObject(s.$defs.address) ? s.$defs.address : undefined;
    if (!address) lost.push(`$defs.address (${s.$defs === undefined ? '$defs missing' : `$defs ${short(s.$defs, 80)}`})`);
    if (s.additionalProperties !== false) lost.push(`additionalProperties false (${s.additionalProperties === undefined ? 'missing' : short(s.additionalProperties)})`);
    if (t.revision >= '2026-07-28') {
      if (!Array.isArray(s.allOf) || !s.allOf.some((x) => isObject(x) && Array.isArray(x.anyOf))) lost.push('allOf with a nested anyOf');
      if (!['if', 'then', 'else'].every((k) => Object.hasOwn(s, k))) lost.push('if/then/else');
      if (address && !Object.hasOwn(address, '$anchor')) lost.push('$defs.address.$anchor');
    }
    if (lost.length) t.fail(`${name} is listed without ${lost.join(', ')}: the keywords of its JSON Schema 2020-12 inputSchema were not kept`, [{ ...tool }]);
  },
);

check(
  {
    id: 'tools/name-format',
    shared: true,
    title: 'tool names are 1–128 characters of A–Z, a–z, 0–9, _, - and .',
    level: 'SHOULD',
    requirement:
      'Tool names SHOULD be between 1 and 128 characters in length (inclusive). The following SHOULD be the only allowed characters: uppercase and lowercase ASCII letters (A-Z, a-z), digits (0-9), underscore (_), hyphen (-), and dot (.)',
    spec: tools('tool-names', from('2025-11-25')),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const list = await listTools(t, c);
    if (list.length === 0) return t.notApplicable('the server lists no tools');
    const bad = list.filter((x) => typeof x.name !== 'string' || !/^[A-Za-z0-9_.-]{1,128}$/.test(x.name));
    if (bad.length) t.fail(`tool name(s) outside the allowed form: ${bad.map((x) => JSON.stringify(x.name)).join(', ')}`);
  },
);

check(
  {
    id: 'tools/name-unique',
    shared: true,
    title: 'no two tools share a name',
    level: 'SHOULD',
    requirement: 'name: Unique identifier for the tool. Tool names SHOULD be unique within a server.',
    spec: tools({ '2024-11-05': 'tool', '2025-03-26': 'tool', '2025-06-18': 'tool', '2025-11-25': 'tool-names', '2026-07-28': 'tool-names' }),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const names = (await listTools(t, c)).map((x) => x.name);
    const dup = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
    if (dup.length) t.fail(`tools/list names more than one tool ${dup.map((n) => JSON.stringify(n)).join(', ')}`);
  },
);

check(
  {
    id: 'tools/call-result',
    shared: true,
    title: 'calls with arguments generated from the inputSchema are answered with valid CallToolResults',
    level: 'MUST',
    requirement: 'To invoke a tool, clients send a tools/call request; the server answers with the tool result (a CallToolResult: content, optionally isError and structuredContent).',
    spec: tools('calling-tools'),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const ok = callable(t, plainCallable(await listTools(t, c)));
    if (ok.length === 0) return t.notApplicable('the server lists no tools that can be called without a task');
    const calls = await toolCallSample(t, c, ok);
    const results = calls.filter((x) => x.reply.ok);
    for (const x of calls.filter((y) => !y.reply.ok)) t.note(`${x.tool.name}(${short(x.args, 80)}) was answered with ${errorText(x.reply)}`);
    if (results.length === 0)
      return t.notVerified(calls.length ? `all ${calls.length} calls were answered with JSON-RPC errors (first: ${errorText(calls[0]!.reply)})` : 'no call was answered in time');
    for (const x of results) {
      const bad = schemaProblem(t.revision, 'CallToolResult', x.reply.ok ? x.reply.result : undefined);
      if (bad) t.fail(`${x.tool.name}(${short(x.args, 80)}) returned an invalid CallToolResult: ${bad}`, x.reply);
    }
  },
);

check(
  {
    id: 'tools/content-valid',
    shared: true,
    title: 'result content is well formed: base64 data with MIME types, embedded resources with text or blob, resource links with URIs',
    level: 'MUST',
    requirement:
      'Tool results carry content items of the defined types: image and audio data base64-encoded with a MIME type, embedded resources with a URI and either text or base64 blob data, resource links with a URI. Binary data MUST be properly encoded.',
    spec: tools('tool-result'),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const ok = callable(t, plainCallable(await listTools(t, c)));
    if (ok.length === 0) return t.notApplicable('the server lists no tools that can be called without a task');
    const results = (await toolCallSample(t, c, ok)).filter((x) => x.reply.ok);
    if (results.length === 0) return t.notVerified('no call was answered with a result');
    let blocks = 0;
    for (const x of results) {
      const content = x.reply.ok ? x.reply.result.content : undefined;
      if (!Array.isArray(content)) continue;
      for (const [i, b] of content.entries()) {
        blocks++;
        const problems = contentProblems(b, `content[${i}]`);
        if (problems.length) t.fail(`${x.tool.name}: ${problems.join('; ')}`, x.reply);
      }
    }
    if (blocks === 0) t.notVerified('no result carried content blocks');
  },
);

/** Callable tools with a compilable outputSchema, with their validators. */
function withOutputSchema(t: Parameters<Parameters<typeof check>[1]>[0], list: Tool[]) {
  const out: { tool: Tool; validate: (v: unknown) => boolean; errors: () => string }[] = [];
  for (const tool of list) {
    const schema = tool.outputSchema;
    if (schema === undefined) continue;
    const compiled = compileSchema(t.revision, schema);
    if ('validate' in compiled) out.push({ tool, ...compiled });
    else t.note(`tool "${tool.name}": outputSchema not usable (${'invalid' in compiled ? compiled.invalid : compiled.unsupported})`);
  }
  return out;
}

check(
  {
    id: 'tools/structured-content',
    shared: true,
    title: 'tools with an outputSchema return structuredContent that conforms to it',
    level: 'MUST',
    requirement: 'If an output schema is provided: Servers MUST provide structured results that conform to this schema.',
    spec: tools('output-schema', from('2025-06-18')),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const list = plainCallable(await listTools(t, c));
    const declared = list.filter((x) => x.outputSchema !== undefined);
    if (declared.length === 0) return t.notApplicable('no tool (callable without a task) declares an outputSchema');
    const usable = withOutputSchema(t, callable(t, declared, 'tool with an outputSchema'));
    if (usable.length === 0) return t.notVerified('no outputSchema could be compiled (see tools/output-schema)');
    const results = (
      await toolCallSample(
        t,
        c,
        usable.map((u) => u.tool),
      )
    ).filter((x) => x.reply.ok && x.reply.result.isError !== true);
    if (results.length === 0) return t.notVerified('no call of a tool with an outputSchema returned a successful result');
    for (const x of results) {
      const u = usable.find((y) => y.tool === x.tool);
      const sc = x.reply.ok ? x.reply.result.structuredContent : undefined;
      if (sc === undefined) t.fail(`${x.tool.name} declares an outputSchema but its result has no structuredContent`, x.reply);
      if (u && !u.validate(sc)) t.fail(`${x.tool.name}: structuredContent does not conform to the outputSchema: ${u.errors()}`, x.reply);
    }
  },
);

check(
  {
    id: 'tools/structured-content-text',
    shared: true,
    title: 'structuredContent is also returned as serialized JSON in a text block',
    level: 'SHOULD',
    requirement: 'For backwards compatibility, a tool that returns structured content SHOULD also return the serialized JSON in a TextContent block.',
    spec: tools('structured-content', from('2025-06-18')),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const declared = plainCallable(await listTools(t, c)).filter((x) => x.outputSchema !== undefined);
    if (declared.length === 0) return t.notApplicable('no tool (callable without a task) declares an outputSchema');
    const results = (await toolCallSample(t, c, callable(t, declared, 'tool with an outputSchema'))).filter((x) => x.reply.ok && x.reply.result.structuredContent !== undefined);
    if (results.length === 0) return t.notVerified('no result carried structuredContent');
    for (const x of results) {
      if (!x.reply.ok) continue;
      const { structuredContent, content } = x.reply.result;
      const texts = (Array.isArray(content) ? content : []).filter((b): b is { type: 'text'; text: string } => isObject(b) && b.type === 'text' && typeof b.text === 'string');
      const same = texts.some((b) => {
        try {
          return isDeepStrictEqual(JSON.parse(b.text), structuredContent);
        } catch {
          return false;
        }
      });
      if (!same) t.fail(`${x.tool.name} returned structuredContent without a text block holding the same JSON`, x.reply);
    }
  },
);

check(
  {
    id: 'tools/call-unknown',
    shared: true,
    title: 'calling an unknown tool is a JSON-RPC error, not a tool result',
    // The error-handling text of every revision describes this without a MUST (or any RFC 2119
    // keyword); the protocol's expected behaviour, checked at SHOULD.
    level: 'SHOULD',
    requirement:
      'Tools use two error reporting mechanisms: Protocol Errors — standard JSON-RPC errors — for issues like unknown tools; Tool Execution Errors (isError: true) for failures of a tool that ran. (No RFC 2119 keyword in any revision: checked at SHOULD.)',
    spec: tools('error-handling'),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const name = unknownName('mcp_conform_unknown_tool');
    const reply = await c.request<Json>('tools/call', { name, arguments: {} });
    if (reply.ok) t.fail(`tools/call of the unknown tool "${name}" was answered with a result${reply.result.isError === true ? ' (isError: true)' : ''}, not a JSON-RPC error`, reply);
  },
);

check(
  {
    id: 'tools/call-unknown-code',
    shared: true,
    title: 'the error for an unknown tool has code -32602 (Invalid params)',
    level: 'SHOULD',
    requirement: 'Example protocol error for an unknown tool: {"code": -32602, "message": "Unknown tool: invalid_tool_name"} (JSON-RPC: -32602 Invalid params).',
    spec: tools('error-handling'),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const reply = await c.request('tools/call', { name: unknownName('mcp_conform_unknown_tool'), arguments: {} });
    if (reply.ok) return t.notVerified('the unknown tool was answered with a result (see tools/call-unknown)', reply);
    t.expectError(reply, ErrorCode.InvalidParams, 'tools/call of an unknown tool');
  },
);

/** Arguments that break the tool's inputSchema (checked against it), or undefined. */
async function invalidArguments(t: Parameters<Parameters<typeof check>[1]>[0], tool: Tool): Promise<{ args: Json; how: string } | undefined> {
  const compiled = compileSchema(t.revision, tool.inputSchema);
  if (!('validate' in compiled)) return undefined;
  const gen = await generateArguments(t.revision, tool, 1);
  const base = 'args' in gen ? ((gen.args[0] as Json | undefined) ?? {}) : {};
  const schema = tool.inputSchema as { properties?: Record<string, unknown>; required?: string[] };
  const candidates: { args: Json; how: string }[] = [];
  for (const r of schema.required ?? []) {
    const { [r]: _gone, ...rest } = base;
    candidates.push({ args: rest, how: `without the required property "${r}"` });
  }
  const wrong: Record<string, unknown> = { string: 12345, number: 'not a number', integer: 'not an integer', boolean: 'not a boolean', object: 'not an object', array: 'not an array' };
  for (const [k, p] of Object.entries(schema.properties ?? {})) {
    const ty = isObject(p) ? p.type : undefined;
    if (typeof ty === 'string' && ty in wrong) candidates.push({ args: { ...base, [k]: wrong[ty] }, how: `with "${k}" of the wrong type` });
  }
  return candidates.find((x) => !compiled.validate(x.args));
}

check(
  {
    id: 'tools/call-invalid-arguments',
    shared: true,
    title: 'arguments that break the inputSchema are reported the way the revision says',
    level: 'SHOULD',
    requirement:
      'Before 2025-11-25: Protocol Errors (standard JSON-RPC errors) for issues like invalid arguments. From 2025-11-25: input validation errors are Tool Execution Errors, reported in tool results with isError: true.',
    spec: tools('error-handling'),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const list = plainCallable(await listTools(t, c));
    const candidates = (await Promise.all(list.map(async (tool) => ({ tool, bad: await invalidArguments(t, tool) })))).filter((x): x is { tool: Tool; bad: { args: Json; how: string } } => x.bad !== undefined);
    if (candidates.length === 0) return t.notApplicable('no tool has an inputSchema that arguments can break (required or typed properties)');
    const ok = callable(
      t,
      candidates.map((x) => x.tool),
    );
    const pick = candidates.find((x) => ok.includes(x.tool)) as (typeof candidates)[number];
    const reply = await callTool(t, c, pick.tool.name, pick.bad.args);
    if (!reply) return t.notVerified(`${pick.tool.name} did not answer in time`);
    const what = `tools/call of ${pick.tool.name} ${pick.bad.how}`;
    if (t.revision >= '2025-11-25') {
      if (!reply.ok) t.fail(`${what} was answered with JSON-RPC ${errorText(reply)}; input validation errors are tool execution errors (isError: true) from 2025-11-25 on`, reply);
      else if (reply.result.isError !== true) t.fail(`${what} was answered with a successful result: the invalid input was not reported`, reply);
    } else if (reply.ok) {
      t.fail(`${what} was answered with a result${reply.result.isError === true ? ' (isError: true)' : ''}; before 2025-11-25 invalid arguments are protocol errors (JSON-RPC errors)`, reply);
    }
  },
);

listChangedGatedCheck(
  {
    id: 'tools/list-changed-gated',
    title: 'notifications/tools/list_changed only from a server that declared tools.listChanged',
    level: 'MUST',
    requirement:
      'listChanged indicates whether the server will emit notifications when the list of available tools changes; both parties MUST only use capabilities that were successfully negotiated.',
    spec: tools('list-changed-notification', STATEFUL_REVISIONS),
    requires: 'server.tools',
  },
  'tools',
);

check(
  {
    id: 'tools/server-requests-gated',
    title: 'tool calls from a client without sampling, elicitation or roots send no such requests',
    level: 'MUST',
    requirement:
      'Both parties MUST only use capabilities that were successfully negotiated: a server sends sampling/createMessage, elicitation/create or roots/list only to a client that declared sampling, elicitation or roots.',
    spec: cite(STATEFUL_REVISIONS, 'basic/lifecycle#operation'),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session({ fresh: true, capabilities: {} });
    const ok = callable(t, plainCallable(await listTools(t, c)));
    if (ok.length === 0) return t.notApplicable('the server lists no tools that can be called without a task');
    const calls = await callWithGenerated(t, c, ok, 1);
    if (calls.length === 0) return t.notVerified('no call was answered in time');
    const asked = c.peer.received.filter((m) => Object.hasOwn(m, 'id') && typeof m.method === 'string' && ['sampling/createMessage', 'elicitation/create', 'roots/list'].includes(m.method));
    if (asked.length) t.fail(`the server sent ${[...new Set(asked.map((m) => m.method))].join(', ')} to a client that declared no such capability`, asked);
  },
);

check(
  {
    id: 'tools/list-same-per-connection',
    title: 'tools/list answers the same set of tools on every connection',
    level: 'MUST',
    requirement:
      'Servers that declare the tools capability MUST respond to tools/list requests with the set of tools currently available to the requesting client. This set MAY be empty and MAY change over time, but MUST NOT vary per-connection or as a side effect of other requests on the connection. (Checked: two connections, one after the other, list the same names.)',
    spec: tools('capabilities', ['2026-07-28']),
    requires: 'server.tools',
  },
  (t) => expectSameSetPerConnection(t, 'tools/list', 'tools', (x) => x.name),
);

check(
  {
    id: 'tools/list-order-stable',
    title: 'tools/list answers an unchanged set of tools in the same order each time',
    level: 'SHOULD',
    requirement: 'Servers SHOULD return tools in a deterministic order (i.e., the same ordering across requests when the underlying set of tools has not changed).',
    spec: tools('capabilities', ['2026-07-28']),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const names = async (): Promise<string[]> => {
      const l = await walkList(c, 'tools/list', 'tools');
      if (l.error || l.malformed || l.loop || l.capped) return t.notVerified('tools/list could not be read to its end (see tools/list-result)', l.error);
      return l.items.map((x) => String(x.name));
    };
    const first = await names();
    const second = await names();
    if ([...first].sort().join('\n') !== [...second].sort().join('\n')) return t.notVerified('the set of tools changed between two listings (allowed): the order of an unchanged set could not be compared');
    const at = first.findIndex((n, i) => second[i] !== n);
    if (at >= 0) t.fail(`two listings of the same ${first.length} tools came in different orders (position ${at}: "${first[at]}", then "${second[at]}")`);
  },
);

check(
  {
    id: 'tools/embedded-resources-capability',
    shared: true,
    title: 'a server whose tool results embed resources declares the resources capability',
    level: 'SHOULD',
    requirement: 'Servers that use embedded resources SHOULD implement the resources capability.',
    spec: tools('embedded-resources', from('2025-06-18')),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const ok = callable(t, plainCallable(await listTools(t, c)));
    if (ok.length === 0) return t.notApplicable('the server lists no tools that can be called without a task');
    const sample = await toolCallSample(t, c, ok);
    const results = sample.filter((x) => x.reply.ok);
    const embedding = results.filter((x) => x.reply.ok && Array.isArray(x.reply.result.content) && x.reply.result.content.some((b) => isObject(b) && b.type === 'resource'));
    if (embedding.length === 0) {
      // A tool that gave no answer in time (a slow tool, a loaded machine) may be the one that embeds.
      const unanswered = ok.filter((x) => !sample.some((s) => s.tool.name === x.name)).map((x) => x.name);
      if (unanswered.length > 0) return t.notVerified(`none of the ${results.length} tool result(s) sampled embeds a resource, but ${unanswered.length} tool(s) gave no answer in time: ${unanswered.slice(0, 5).join(', ')}`);
      return t.notApplicable(`none of the ${results.length} tool result(s) sampled embeds a resource`);
    }
    const first = embedding[0]!;
    t.expect(c.serverCapabilities.resources !== undefined, `${first.tool.name} embeds a resource in its result, but the server does not declare the resources capability`, first.reply);
  },
);

check(
  {
    id: 'tools/name-case-sensitive',
    title: 'a tool name in another case is not the tool: the call is refused',
    level: 'SHOULD',
    requirement: 'Tool names SHOULD be considered case-sensitive.',
    spec: tools('tool-names', from('2025-11-25')),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const listed = await listTools(t, c);
    const names = new Set(listed.map((x) => x.name));
    const swapped = (n: string) => (n.toUpperCase() !== n ? n.toUpperCase() : n.toLowerCase());
    // A tool the run may call (the server might run it), whose name in another case names no other tool.
    const candidates = plainCallable(listed).filter((x) => swapped(x.name) !== x.name && !names.has(swapped(x.name)));
    if (candidates.length === 0) return t.notApplicable('no listed tool has a name with letters whose other case names no tool');
    const tool = callable(t, candidates)[0] as Tool;
    const gen = await generateArguments(t.revision, tool, 1);
    const args = 'args' in gen ? (gen.args[0] ?? {}) : {};
    const name = swapped(tool.name);
    const reply = await callTool(t, c, name, args);
    if (!reply) return t.notVerified(`the call of ${name} was not answered in time`);
    if (reply.ok && reply.result.isError !== true) t.fail(`tools/call of "${name}" (the tool is "${tool.name}") was answered with a successful result: the name was matched without regard to case`, reply);
  },
);
