// The reference server: a bundled mock script that implements every feature correctly, in every
// revision. It is the default target (`npm start`, `mcp-conform mock --reference`) and the known
// good peer the suites are checked against. Tool, resource and prompt names include those the
// official conformance suite's fixtures use, so that suite can run against it too.
import { ErrorCode, REVISIONS, type Current } from '../../schema/index.ts';
import { completion, logs, notify, prompt, resource, resourceTemplate, tool, type Behaviour, type JsonObject } from '../behaviours.ts';
import { RpcError } from '../peer.ts';
import { defineServer, type ServerDefinition } from '../script/load.ts';
import { MockServer, type MockServerOptions, type ServerContext } from '../server/index.ts';
import { StreamableHttpServerTransport } from '../transports/http-server.ts';

/** A 1×1 PNG and a tiny WAV, for image and audio content. */
const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==';
const WAV_TINY = 'UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=';

const noArgs = { type: 'object', additionalProperties: false } as const;

function text(t: string): Current['CallToolResult'] {
  return { content: [{ type: 'text', text: t }] };
}

/** Elicitation params in the shape the request's revision knows (mode from 2025-11-25). */
function formElicitation(ctx: ServerContext, message: string, requestedSchema: JsonObject): JsonObject {
  return ctx.revision >= '2025-11-25' ? { mode: 'form', message, requestedSchema } : { message, requestedSchema };
}

let urlElicitations = 0;

/**
 * A form with a default of each primitive type (SEP-1034): what the official fixture tool
 * test_elicitation_sep1034_defaults asks for, and what the client scenario of the same name sends.
 */
export const SEP1034_DEFAULTS_FORM = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'User name', default: 'John Doe' },
    age: { type: 'integer', description: 'User age', default: 30 },
    score: { type: 'number', description: 'User score', default: 95.5 },
    status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
    verified: { type: 'boolean', description: 'Verification status', default: true },
  },
  required: [],
} as const;

/** The `retry` (ms) test_reconnection sends before it closes its stream (the official fixture's value). */
export const RECONNECT_RETRY_MS = 500;

/**
 * test_reconnection (the official fixture, SEP-1699): over Streamable HTTP at 2025-11-25, on an SSE
 * response stream, it closes the connection before its result (after a `retry` field), without
 * ending the stream: the result goes out when the client resumes with GET and Last-Event-ID
 * (basic/transports#sending-messages-to-the-server, #resumability-and-redelivery). Elsewhere (stdio,
 * JSON answers, other revisions, where the server closing mid-call is not described) it just answers.
 */
export function reconnectionTool(retryMs = RECONNECT_RETRY_MS): Behaviour {
  return tool('test_reconnection', {
    description: 'Closes its SSE response stream before the result (Streamable HTTP, 2025-11-25); the result arrives on resumption with Last-Event-ID.',
    inputSchema: noArgs,
    annotations: { readOnlyHint: true },
    handler: async (_args, ctx) => {
      await ctx.sleep(100); // the response stream is open (and primed) by now
      const transport = ctx.session.peer.transport;
      const cut = ctx.era === 'legacy' && ctx.revision >= '2025-11-25' && transport instanceof StreamableHttpServerTransport && transport.disconnectRequest(ctx.id, retryMs);
      if (!cut) return text('Reconnection test: answered on the open stream (no resumable SSE stream to close)');
      await ctx.sleep(200); // the result comes after the close: only a resumed stream carries it
      return text('Reconnection test completed: the result after the stream was closed');
    },
  });
}

export const referenceTools: Behaviour[] = [
  tool('echo', {
    title: 'Echo',
    description: 'Returns its message, as text and as structured content.',
    inputSchema: { type: 'object', properties: { message: { type: 'string', description: 'What to echo' } }, required: ['message'], additionalProperties: false },
    outputSchema: { type: 'object', properties: { echo: { type: 'string' } }, required: ['echo'], additionalProperties: false },
    annotations: { title: 'Echo', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    // Structured content goes with its JSON in a text block, for clients without outputSchema support.
    handler: (args) => {
      const structuredContent = { echo: String(args.message) };
      return { content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent };
    },
  }),
  tool('add', {
    title: 'Add',
    description: 'Adds two numbers.',
    inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'], additionalProperties: false },
    outputSchema: { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'], additionalProperties: false },
    annotations: { title: 'Add', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    handler: (args) => {
      const structuredContent = { sum: Number(args.a) + Number(args.b) };
      return { content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent };
    },
  }),
  tool('delete_item', {
    title: 'Delete item',
    description: 'Pretends to delete an item: a destructive, non-idempotent tool (nothing is deleted).',
    inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false },
    annotations: { title: 'Delete item', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    handler: (args) => text(`item ${String(args.id)} deleted (not really)`),
  }),
  tool('slow', {
    description: 'Waits `ms` milliseconds (default 1000), reporting progress; cancellable.',
    // At most 3 s: a call with any valid arguments ends within a client's usual 5 s answer timeout
    // (checks call read-only tools with generated arguments; a wait cut off by a timeout proves nothing).
    inputSchema: { type: 'object', properties: { ms: { type: 'integer', minimum: 0, maximum: 3000 } }, additionalProperties: false },
    annotations: { readOnlyHint: true },
    handler: async (args, ctx) => {
      const ms = typeof args.ms === 'number' ? args.ms : 1000;
      const steps = 4;
      for (let i = 1; i <= steps; i++) {
        await ctx.sleep(ms / steps);
        await ctx.progress(i, steps, `waited ${Math.round((ms * i) / steps)} of ${ms} ms`);
      }
      return text(`waited ${ms} ms`);
    },
  }),
  tool('test_simple_text', { description: 'Returns one text block.', inputSchema: noArgs, annotations: { readOnlyHint: true }, result: 'A simple text result from the mcp-conform reference server.' }),
  tool('test_image_content', { description: 'Returns image content.', inputSchema: noArgs, annotations: { readOnlyHint: true }, result: { content: [{ type: 'image', data: PNG_1PX, mimeType: 'image/png' }] } }),
  tool('test_audio_content', {
    description: 'Returns audio content.',
    inputSchema: noArgs,
    annotations: { readOnlyHint: true },
    // Audio content exists from 2025-03-26 on; a 2024-11-05 client gets what that revision knows.
    handler: (_args, ctx) => (ctx.revision < '2025-03-26' ? text('audio content needs protocol revision 2025-03-26 or later') : { content: [{ type: 'audio', data: WAV_TINY, mimeType: 'audio/wav' }] }),
  }),
  tool('test_embedded_resource', {
    description: 'Returns an embedded resource.',
    inputSchema: noArgs,
    annotations: { readOnlyHint: true },
    result: { content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'Embedded resource text.' } }] },
  }),
  tool('test_multiple_content_types', {
    description: 'Returns text, image and an embedded resource.',
    inputSchema: noArgs,
    annotations: { readOnlyHint: true },
    result: {
      content: [
        { type: 'text', text: 'Several content types:' },
        { type: 'image', data: PNG_1PX, mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: '{"kind":"mixed","n":1}' } },
      ],
    },
  }),
  tool('test_tool_with_logging', {
    description: 'Sends log messages while it runs (at the level the client set).',
    inputSchema: noArgs,
    handler: async (_args, ctx) => {
      await ctx.log('info', 'tool started', 'reference');
      await ctx.log('debug', { step: 1 }, 'reference');
      await ctx.log('info', 'tool finished', 'reference');
      return text('logged three messages');
    },
  }),
  tool('test_tool_with_progress', {
    description: 'Reports progress 0, 50, 100 of 100 when the client asks for progress.',
    inputSchema: noArgs,
    handler: async (_args, ctx) => {
      for (const p of [0, 50, 100]) {
        await ctx.progress(p, 100, `${p}%`);
        await ctx.sleep(200); // long enough for a client to cancel it between progress reports
      }
      return text(`progress token ${String(ctx.progressToken ?? 'none')}`);
    },
  }),
  reconnectionTool(),
  tool('test_error_handling', {
    description: 'Always fails: a tool execution error (isError), not a protocol error.',
    inputSchema: noArgs,
    handler: () => {
      throw new Error('this tool fails on purpose');
    },
  }),
  tool('test_sampling', {
    description: 'Asks the client to sample a completion for `prompt`.',
    inputSchema: { type: 'object', properties: { prompt: { type: 'string' } }, required: ['prompt'] },
    handler: async (args, ctx) => {
      const r = await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: String(args.prompt) } }], maxTokens: 100 });
      const c = r.content;
      const reply = !Array.isArray(c) && c.type === 'text' ? c.text : JSON.stringify(c);
      return text(`LLM response: ${reply}`);
    },
  }),
  tool('test_elicitation', {
    description: 'Asks the user (form mode) for a response to `message`.',
    inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    handler: async (args, ctx) => {
      const r = await ctx.elicit(formElicitation(ctx, String(args.message), { type: 'object', properties: { response: { type: 'string', description: 'Your answer' } }, required: ['response'] }));
      return text(`User response: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`);
    },
  }),
  // The official suite's form fixtures (2025-11-25 on): a default of each primitive type (SEP-1034), the five enum forms (SEP-1330).
  tool('test_elicitation_sep1034_defaults', {
    description: 'Asks the user for a form with a default of each primitive type.',
    inputSchema: noArgs,
    handler: async (_args, ctx) => {
      if (ctx.revision < '2025-11-25') return text('defaults of every primitive type need protocol 2025-11-25 or later');
      const r = await ctx.elicit(
        formElicitation(ctx, 'Please review and update the form fields with defaults', SEP1034_DEFAULTS_FORM),
      );
      return text(`Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`);
    },
  }),
  tool('test_elicitation_sep1330_enums', {
    description: 'Asks the user for a form with each of the five enum forms.',
    inputSchema: noArgs,
    handler: async (_args, ctx) => {
      if (ctx.revision < '2025-11-25') return text('titled and multi-select enums need protocol 2025-11-25 or later');
      const r = await ctx.elicit(
        formElicitation(ctx, 'Please pick from each list', {
          type: 'object',
          properties: {
            untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
            titledSingle: {
              type: 'string',
              oneOf: [
                { const: 'value1', title: 'First Option' },
                { const: 'value2', title: 'Second Option' },
                { const: 'value3', title: 'Third Option' },
              ],
            },
            legacyEnum: { type: 'string', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
            untitledMulti: { type: 'array', items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
            titledMulti: {
              type: 'array',
              items: {
                anyOf: [
                  { const: 'value1', title: 'First Choice' },
                  { const: 'value2', title: 'Second Choice' },
                  { const: 'value3', title: 'Third Choice' },
                ],
              },
            },
          },
        }),
      );
      return text(`Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`);
    },
  }),
  tool('elicit_url', {
    description: 'Asks the user to visit a URL (URL-mode elicitation, 2025-11-25 and later).',
    inputSchema: noArgs,
    handler: async (_args, ctx) => {
      if (ctx.revision < '2025-11-25') return { content: [{ type: 'text', text: 'URL-mode elicitation needs protocol 2025-11-25 or later' }], isError: true };
      const params: JsonObject = { mode: 'url', message: 'Open the page to continue', url: 'https://example.com/mcp-conform/consent' };
      if (ctx.revision === '2025-11-25') params.elicitationId = `e-${++urlElicitations}`;
      const r = await ctx.elicit(params, 'consent');
      return text(`URL elicitation: action=${r.action}`);
    },
  }),
  tool('list_roots', {
    description: 'Asks the client for its roots.',
    inputSchema: noArgs,
    annotations: { readOnlyHint: true },
    handler: async (_args, ctx) => {
      const r = await ctx.listRoots();
      return { content: [{ type: 'text', text: r.roots.map((x) => x.uri).join('\n') || '(no roots)' }] };
    },
  }),
  // Asks in two rounds (basic/patterns/mrtr): the first answer travels in the requestState of the second round.
  tool('test_input_required_result_multi_round', {
    description: 'Asks the user for a name, then (in a second round) for a colour.',
    inputSchema: noArgs,
    annotations: { readOnlyHint: true },
    handler: async (_args, ctx) => {
      const name = await ctx.elicit(formElicitation(ctx, 'Step 1: What is your name?', { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }), 'step1');
      const colour = await ctx.elicit(formElicitation(ctx, 'Step 2: What is your favorite color?', { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] }), 'step2');
      return text(`name: ${JSON.stringify(name.content ?? {})}, color: ${JSON.stringify(colour.content ?? {})}`);
    },
  }),
  tool('toggle_bonus_tool', {
    description: 'Adds or removes the `bonus` tool (clients with listChanged hear about it).',
    inputSchema: noArgs,
    handler: (_args, ctx) => {
      const s = ctx.server;
      const has = s.tools().some((t) => t.name === 'bonus');
      if (has) s.resetHandlers();
      else s.use(tool('bonus', { description: 'Appears and disappears.', inputSchema: noArgs, result: 'bonus!' }));
      return text(has ? 'bonus tool removed' : 'bonus tool added');
    },
  }),
  tool('touch_resource', {
    description: 'Marks a resource as updated (subscribers get notifications/resources/updated).',
    inputSchema: { type: 'object', properties: { uri: { type: 'string' } }, required: ['uri'] },
    handler: async (args, ctx) => {
      const uri = String(args.uri);
      for (const s of ctx.server.sessions) await s.deliver('notifications/resources/updated', { uri }, undefined, false);
      return text(`touched ${uri}`);
    },
  }),
  tool('json_schema_2020_12_tool', {
    description: 'Input schema with JSON Schema 2020-12 keywords: $schema, $defs with $anchor, $ref, allOf/anyOf, if/then/else, additionalProperties.',
    inputSchema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: { address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
      properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' }, contactMethod: { type: 'string', enum: ['phone', 'email'] }, phone: { type: 'string' }, email: { type: 'string' } },
      allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
      if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
      then: { required: ['phone'] },
      else: { required: ['email'] },
      additionalProperties: false,
    },
    result: 'ok: {{arguments.name}}',
  }),
];

export const referenceResources: Behaviour[] = [
  resource('test://static-text', { name: 'static-text', title: 'Static text', description: 'A fixed text resource.', mimeType: 'text/plain', text: 'Static text resource of the mcp-conform reference server.' }),
  resource('test://static-binary', { name: 'static-binary', title: 'Static binary', description: 'A fixed binary (PNG) resource.', mimeType: 'image/png', blob: PNG_1PX }),
  resource('test://watched-resource', { name: 'watched-resource', description: 'Changes shortly after each subscription to it (and whenever touch_resource names it).', mimeType: 'text/plain', text: 'Watched resource.' }),
  // Reading a resource logs (at debug and info), so log-level filtering can be observed.
  logs(
    [
      { level: 'debug', data: 'resources/read: looking the resource up', logger: 'reference' },
      { level: 'info', data: 'resources/read: serving it', logger: 'reference' },
    ],
    { during: 'resources/read' },
  ),
  // 2026-07-28: a listener sees a change soon after subscribing (the mock sends only what it asked for).
  notify('notifications/tools/list_changed', undefined, { after: 'subscriptions/listen', delayMs: 100 }),
  notify('notifications/prompts/list_changed', undefined, { after: 'subscriptions/listen', delayMs: 100 }),
  // So a subscriber sees notifications/resources/updated without having to call a tool.
  notify('notifications/resources/updated', { uri: 'test://watched-resource' }, { after: 'resources/subscribe', match: { uri: 'test://watched-resource' }, delayMs: 200 }),
  ...Array.from({ length: 12 }, (_, i) =>
    resource(`test://items/${i + 1}`, { name: `item-${i + 1}`, description: `Item ${i + 1} of 12 (for pagination).`, mimeType: 'application/json', text: JSON.stringify({ item: i + 1 }) }),
  ),
  resourceTemplate('test://template/{id}/data', {
    name: 'template-data',
    title: 'Data by id',
    description: 'Data of any id.',
    mimeType: 'application/json',
    text: '{"id":"{{vars.id}}","data":"data for {{vars.id}}"}',
    complete: { id: ['alpha', 'beta', 'gamma', 'delta'] },
  }),
  resourceTemplate('test://files/{+path}', {
    name: 'files',
    description: 'A file by path (reserved expansion: the path may contain slashes).',
    mimeType: 'text/plain',
    handler: (uri, vars) => `contents of ${vars.path ?? ''} (${uri})`,
  }),
];

export const referencePrompts: Behaviour[] = [
  prompt('test_simple_prompt', { title: 'Simple prompt', description: 'A prompt without arguments.', messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt.' } }] }),
  prompt('test_prompt_with_arguments', {
    description: 'A prompt with a required and an optional argument.',
    arguments: [
      { name: 'arg1', description: 'First argument (completable)', required: true },
      { name: 'arg2', description: 'Second argument' },
    ],
    messages: [{ role: 'user', content: { type: 'text', text: 'Prompt with arguments: arg1={{arguments.arg1}}, arg2={{arguments.arg2}}' } }],
  }),
  completion({ type: 'ref/prompt', name: 'test_prompt_with_arguments' }, 'arg1', ['paris', 'park', 'parse', 'london', 'lisbon']),
  prompt('test_prompt_with_embedded_resource', {
    description: 'A prompt that embeds a resource.',
    arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }],
    handler: (args) => {
      const uri = args.resourceUri ?? '';
      // Embedded as given, so it has to be a URI: anything else is an invalid argument.
      if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\S*$/.test(uri)) throw new RpcError(ErrorCode.InvalidParams, `Invalid params: resourceUri must be a URI, not ${JSON.stringify(uri)}`);
      return [
        { role: 'user', content: { type: 'resource', resource: { uri, mimeType: 'text/plain', text: 'Embedded resource for the prompt.' } } },
        { role: 'user', content: { type: 'text', text: 'Please use the resource above.' } },
      ];
    },
  }),
  prompt('test_prompt_with_image', {
    description: 'A prompt with an image.',
    messages: [
      { role: 'user', content: { type: 'image', data: PNG_1PX, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Describe the image.' } },
    ],
  }),
  // A prompt that asks for input (basic/patterns/mrtr#supported-requests), where the client can be
  // asked: without elicitation (older clients, the feature checks' sessions) it uses a default context.
  prompt('test_input_required_result_prompt', {
    description: 'Asks the user for the context to use (elicitation), when the client supports it.',
    handler: async (_args, ctx) => {
      let context = 'no context given';
      if (ctx.clientCapabilities.elicitation !== undefined) {
        const r = await ctx.elicit(formElicitation(ctx, 'What context should the prompt use?', { type: 'object', properties: { context: { type: 'string' } }, required: ['context'] }), 'user_context');
        if (r.action === 'accept' && typeof r.content?.context === 'string') context = r.content.context;
      }
      return [{ role: 'user', content: { type: 'text', text: `Answer using this context: ${context}` } }];
    },
  }),
];

export const REFERENCE_OPTIONS: MockServerOptions = {
  serverInfo: { name: 'mcp-conform-reference', title: 'mcp-conform reference server', version: '0.1.0' },
  revisions: REVISIONS,
  instructions: 'Reference MCP server of mcp-conform: every feature, implemented by the book. Tools echo and add are safe to call.',
  pageSize: 10,
  logging: true,
  cache: { ttlMs: 0, cacheScope: 'public' },
};

/** The reference server's definition (behaviours and options). */
export function referenceDefinition(): ServerDefinition {
  return defineServer(REFERENCE_OPTIONS, referenceTools, referenceResources, referencePrompts);
}

/** A fresh reference server. */
export function referenceServer(options: MockServerOptions = {}): MockServer {
  const def = referenceDefinition();
  return new MockServer({ ...def.options, ...options }, def.behaviours);
}

export default referenceDefinition;
