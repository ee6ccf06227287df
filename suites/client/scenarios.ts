// The scenarios a client under test is run through. Each one is a mock server script (behaviours
// as values, HTTP handler options, rewrites of what the mock sends) plus the contract for the
// client: its name in MCP_CONFORMANCE_SCENARIO and what a driver is expected to do. Checks judge
// the recorded runs; a scenario only provokes.
//
// Names shared with the official conformance suite (`initialize`, `tools_call`,
// `elicitation-defaults`, `sse-retry`) expect the same client behaviour there and here, so a client
// harness written for it works unchanged.
import { ErrorCode, isObject, isStateless, META, RELATED_TASK_META, REVISIONS, STATEFUL_REVISIONS, STATEFUL_STREAMABLE_REVISIONS, STATELESS_REVISIONS, STREAMABLE_HTTP_REVISIONS, type Revision } from '../../schema/index.ts';
import {
  logs,
  on,
  RpcError,
  StreamableHttpServerTransport,
  tool,
  type BehaviourInput,
  type JsonObject,
  type MockServerOptions,
  type ServerContext,
  type StreamableHttpHandlerOptions,
} from '../../mock-server/index.ts';
import { AUTH_SCENARIOS, type AuthSetup } from './auth-scenarios.ts';

export type ClientTransportKind = 'http' | 'stdio';

/** What the scenario host offers a scenario while it is built: the run's clock and event log. */
export interface ScenarioApi {
  /** Records something the scenario did to provoke the client (shown to checks and in evidence). */
  event(what: string, detail?: string): void;
  readonly transport: ClientTransportKind;
}

/** A rewrite of one message the mock is about to send; return it unchanged to leave it alone. */
export type OutgoingRewrite = (message: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface ScenarioServer {
  behaviours: BehaviourInput[];
  options?: Omit<MockServerOptions, 'revisions'>;
  /** Revisions the mock serves (default: the run's revision). */
  revisions?: Revision[];
  /** Streamable HTTP handler options (response modes, faults, retry…). */
  http?: Partial<Omit<StreamableHttpHandlerOptions, 'onSession' | 'onexchange'>>;
  /** Serve the deprecated HTTP+SSE transport at the URL instead of Streamable HTTP. */
  legacySse?: boolean;
  /** Rewrites what the mock sends (the recording shows the rewritten message). */
  outgoing?: OutgoingRewrite;
  /** stdio: the server process ignores stdin EOF for this long (a server slow to shut down). */
  lingerMs?: number;
}

export interface Scenario {
  name: string;
  /** What the mock does. */
  description: string;
  /** What the client (driver) is expected to do. */
  expects: string;
  revisions: readonly Revision[];
  transports: readonly ClientTransportKind[];
  /** Added to MCP_CONFORMANCE_CONTEXT (always carries `name`). */
  context?: Record<string, unknown>;
  build(rev: Revision, api: ScenarioApi): ScenarioServer;
  /** An auth scenario: the mock is served as an OAuth-protected resource (HTTP only; auth-scenarios.ts). */
  auth?: AuthSetup;
}

const BOTH: readonly ClientTransportKind[] = ['http', 'stdio'];
const HTTP: readonly ClientTransportKind[] = ['http'];

const isToolsCall = (m: unknown) => isObject(m) && m.method === 'tools/call';

/** Tool calls are answered on an SSE stream (so the server can ask the client things meanwhile); the rest as JSON. */
const sseForToolCalls: Partial<StreamableHttpHandlerOptions> = { responseMode: (m) => (isToolsCall(m) ? 'sse' : 'json') };

/** Scenario tasks: how long a task works, and the poll interval the server asks for. */
export const TASK_WORKING_MS = 1200;
export const TASK_POLL_MS = 300;

/** The official suite's fixture tool. */
export const addNumbers = tool('add_numbers', {
  description: 'Add two numbers together',
  inputSchema: { type: 'object', properties: { a: { type: 'number', description: 'First number' }, b: { type: 'number', description: 'Second number' } }, required: ['a', 'b'] },
  handler: (args) => {
    const a = Number(args.a);
    const b = Number(args.b);
    return { content: [{ type: 'text', text: `The sum of ${a} and ${b} is ${a + b}.` }] };
  },
});

const NO_ARGS = { type: 'object', properties: {} } as const;

/** A tool whose call makes the server send `method` to the client (forced when the capability is undeclared). */
function trigger(name: string, description: string, method: string, params: JsonObject | undefined, api: ScenarioApi) {
  return tool(name, {
    description,
    inputSchema: NO_ARGS,
    handler: async (_args, ctx: ServerContext) => {
      api.event('server-request', method);
      try {
        const result = await ctx.session.request(method, params, { force: true, timeoutMs: 10_000 });
        return `the client answered ${method}: ${JSON.stringify(result).slice(0, 500)}`;
      } catch (err) {
        return `the client did not answer ${method} with a result: ${(err as Error).message}`;
      }
    },
  });
}

export const FORM_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Name', description: 'Your name', minLength: 1, maxLength: 100 },
    age: { type: 'integer', title: 'Age', minimum: 0, maximum: 150 },
    subscribe: { type: 'boolean', title: 'Subscribe', description: 'Receive updates' },
    color: { type: 'string', title: 'Favourite colour', enum: ['red', 'green', 'blue'] },
  },
  required: ['name'],
} as const;

export const DEFAULTS_SCHEMA = {
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

const formElicitation = (rev: Revision): JsonObject => ({
  ...(rev >= '2025-11-25' ? { mode: 'form' } : {}),
  message: 'mcp-conform asks: please fill in this form',
  requestedSchema: FORM_SCHEMA,
});

export const SAMPLING_PARAMS: JsonObject = {
  messages: [{ role: 'user', content: { type: 'text', text: 'What is 2 + 3? Answer with a number.' } }],
  maxTokens: 50,
};

/** The tool a tool-enabled sampling request offers the client's model (sampling with tools, 2025-11-25). */
export const SAMPLING_TOOL = { name: 'get_weather', description: 'Get the current weather for a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } as const;

const weatherQuestion = { role: 'user', content: { type: 'text', text: 'What is the weather in Paris?' } };
const weatherToolUse = { role: 'assistant', content: [{ type: 'tool_use', id: 'mcp-conform-call-1', name: 'get_weather', input: { city: 'Paris' } }] };

/** The tool-enabled sampling requests of scenario sampling-tools, by trigger tool: two valid ones
 *  (toolChoice required / none) and two whose messages break the tool_use/tool_result rules. */
export const SAMPLING_TOOL_REQUESTS: Record<string, JsonObject> = {
  trigger_sampling_tool_required: { messages: [weatherQuestion], tools: [SAMPLING_TOOL], toolChoice: { mode: 'required' }, maxTokens: 100 },
  trigger_sampling_tool_none: { messages: [weatherQuestion], tools: [SAMPLING_TOOL], toolChoice: { mode: 'none' }, maxTokens: 100 },
  // An assistant tool_use followed by a user message without its tool_result (sampling: "Tool result missing in request").
  trigger_sampling_unbalanced: { messages: [weatherQuestion, weatherToolUse, { role: 'user', content: { type: 'text', text: 'And tomorrow?' } }], tools: [SAMPLING_TOOL], maxTokens: 100 },
  // The tool_result shares its user message with text ("Tool results mixed with other content").
  trigger_sampling_mixed: {
    messages: [weatherQuestion, weatherToolUse, { role: 'user', content: [{ type: 'tool_result', toolUseId: 'mcp-conform-call-1', content: [{ type: 'text', text: 'Sunny, 21 °C' }] }, { type: 'text', text: 'And tomorrow?' }] }],
    tools: [SAMPLING_TOOL],
    maxTokens: 100,
  },
};

/** Elicitation ids the mock announces as complete in scenario elicitation-url that it never created. */
export const UNKNOWN_ELICITATION_ID = 'mcp-conform-unknown-elicitation';

export const URL_ELICITATION: JsonObject = {
  mode: 'url',
  message: 'mcp-conform asks you to open a page',
  url: 'https://example.com/mcp-conform/authorize?flow=1',
  elicitationId: 'mcp-conform-elicitation-1',
};

function previous(rev: Revision): Revision | undefined {
  const i = REVISIONS.indexOf(rev);
  return i > 0 ? REVISIONS[i - 1] : undefined;
}

const scenarios: Scenario[] = [
  {
    name: 'initialize',
    description: 'A server with one tool (add_numbers); nothing unusual.',
    expects: 'Connect (initialize, or a 2026-07-28 request), optionally list tools, then close cleanly.',
    revisions: REVISIONS,
    transports: BOTH,
    build: () => ({ behaviours: [addNumbers] }),
  },
  {
    name: 'tools_call',
    description: 'A server with the tool add_numbers(a, b).',
    expects: 'List tools and call add_numbers (e.g. a=2, b=3), then close.',
    revisions: REVISIONS,
    transports: BOTH,
    build: () => ({ behaviours: [addNumbers], http: sseForToolCalls }),
  },
  {
    name: 'ping',
    description: 'Calling trigger_ping makes the server ping the client before answering.',
    expects: 'List tools and call each; answer the ping.',
    revisions: STATEFUL_REVISIONS,
    transports: BOTH,
    build: (_rev, api) => ({ behaviours: [trigger('trigger_ping', 'The server pings you while this runs', 'ping', undefined, api)], http: sseForToolCalls }),
  },
  {
    name: 'unknown-request',
    description: 'Calling trigger_unknown_request makes the server send a request with a method no revision defines.',
    expects: 'List tools and call each; answer the unknown request with a JSON-RPC error (-32601).',
    revisions: STATEFUL_REVISIONS,
    transports: BOTH,
    build: (_rev, api) => ({ behaviours: [trigger('trigger_unknown_request', 'The server sends an unknown request while this runs', 'mcp-conform/unknown-method', { detail: 'no such method' }, api)], http: sseForToolCalls }),
  },
  {
    name: 'roots',
    description: 'Calling trigger_roots, then trigger_roots_again, makes the server send roots/list each time (even if the client did not declare roots).',
    expects: 'List tools and call each; answer roots/list with the roots (or an error when roots are not supported); after the first answer the user adds a root (context.roots.change), which a client declaring roots.listChanged announces.',
    revisions: STATEFUL_REVISIONS,
    transports: BOTH,
    context: { roots: { change: true } },
    build: (_rev, api) => ({
      behaviours: [trigger('trigger_roots', 'The server asks for your roots while this runs', 'roots/list', undefined, api), trigger('trigger_roots_again', 'The server asks for your roots again while this runs', 'roots/list', undefined, api)],
      http: sseForToolCalls,
    }),
  },
  {
    name: 'sampling',
    description: 'Calling trigger_sampling makes the server send sampling/createMessage (even if undeclared).',
    expects: 'List tools and call each; answer sampling/createMessage (or an error when sampling is not supported).',
    revisions: STATEFUL_REVISIONS,
    transports: BOTH,
    build: (_rev, api) => ({ behaviours: [trigger('trigger_sampling', 'The server asks you to sample while this runs', 'sampling/createMessage', SAMPLING_PARAMS, api)], http: sseForToolCalls }),
  },
  {
    name: 'sampling-rejected',
    description: 'Calling trigger_sampling makes the server send sampling/createMessage (even if undeclared).',
    expects: 'List tools and call each; the user rejects the sampling request (context.sampling.action): answer with the error for it (-1).',
    revisions: STATEFUL_REVISIONS,
    transports: BOTH,
    context: { sampling: { action: 'reject' } },
    build: (_rev, api) => ({ behaviours: [trigger('trigger_sampling', 'The server asks you to sample while this runs', 'sampling/createMessage', SAMPLING_PARAMS, api)], http: sseForToolCalls }),
  },
  {
    name: 'sampling-tools',
    description: 'Each trigger_sampling_* tool makes the server send one tool-enabled sampling/createMessage (even if sampling.tools is undeclared): toolChoice required, toolChoice none, a tool_use without its tool_result, a tool_result mixed with text.',
    expects: 'List tools and call each; the model follows toolChoice (required: use the tool; none: no tool); refuse the two malformed requests with -32602 (or refuse all when tools in sampling are not supported).',
    revisions: STATEFUL_REVISIONS.filter((r) => r >= '2025-11-25'),
    transports: BOTH,
    build: (_rev, api) => ({
      behaviours: Object.entries(SAMPLING_TOOL_REQUESTS).map(([name, params]) => trigger(name, 'The server asks you to sample with a tool while this runs', 'sampling/createMessage', params, api)),
      http: sseForToolCalls,
    }),
  },
  ...(['accept', 'decline', 'cancel'] as const).map(
    (action): Scenario => ({
      name: action === 'accept' ? 'elicitation' : `elicitation-${action}`,
      description: 'Calling trigger_elicitation makes the server send a form elicitation (name, age, subscribe, colour); from 2025-11-25 trigger_elicitation_no_mode sends it again without the mode field.',
      expects: `List tools and call each; the user ${action === 'accept' ? 'accepts and fills in the form (valid against requestedSchema)' : `${action}s`} (context.elicitation.action).`,
      revisions: STATEFUL_REVISIONS.filter((r) => r >= '2025-06-18'),
      transports: BOTH,
      context: { elicitation: { action } },
      build: (rev, api) => {
        const { mode: _mode, ...noMode } = formElicitation(rev);
        return {
          behaviours: [
            trigger('trigger_elicitation', 'The server asks you to fill in a form while this runs', 'elicitation/create', formElicitation(rev), api),
            // From 2025-11-25 a request without mode is a form request (client/elicitation#elicitation-requests).
            ...(rev >= '2025-11-25' ? [trigger('trigger_elicitation_no_mode', 'The server asks you to fill in a form (no mode field) while this runs', 'elicitation/create', noMode, api)] : []),
          ],
          http: sseForToolCalls,
        };
      },
    }),
  ),
  {
    name: 'elicitation-defaults',
    description: 'Calling test_client_elicitation_defaults makes the server send a form elicitation whose optional fields all have defaults (2026-07-28: as an input request of input_required).',
    expects: 'Call test_client_elicitation_defaults; the user accepts without editing, so the defaults are sent.',
    revisions: ['2025-11-25', ...STATELESS_REVISIONS],
    transports: BOTH,
    context: { elicitation: { action: 'accept', useDefaults: true } },
    build: (rev, api) => {
      const name = 'test_client_elicitation_defaults';
      const description = 'Tests that client applies defaults for omitted elicitation fields';
      const params: JsonObject = { mode: 'form', message: 'Test client default value handling - please accept with defaults', requestedSchema: DEFAULTS_SCHEMA };
      if (!isStateless(rev)) return { behaviours: [trigger(name, description, 'elicitation/create', params, api)], http: sseForToolCalls };
      return {
        behaviours: [
          tool(name, {
            description,
            inputSchema: NO_ARGS,
            handler: async (_a, ctx) => {
              if (!isObject(ctx.clientCapabilities.elicitation)) return 'the client declares no elicitation';
              const answer = await ctx.ask('user_input', { method: 'elicitation/create', params });
              return `the client answered: ${JSON.stringify(answer).slice(0, 300)}`;
            },
          }),
        ],
      };
    },
  },
  {
    name: 'elicitation-url',
    description: 'Calling trigger_url_elicitation makes the server send a URL-mode elicitation (even if undeclared), then notifications/elicitation/complete for it, for it again and for an id it never created; add_numbers works.',
    expects: 'List tools and call each; answer the URL elicitation (accept/decline/cancel), or -32602 when URL mode is not supported; ignore the completion notifications it does not expect.',
    revisions: ['2025-11-25'],
    transports: BOTH,
    context: { elicitation: { action: 'accept' } },
    build: (_rev, api) => ({
      behaviours: [
        tool('trigger_url_elicitation', {
          description: 'The server asks you to open a URL while this runs',
          inputSchema: NO_ARGS,
          handler: async (_args, ctx: ServerContext) => {
            api.event('server-request', 'elicitation/create');
            const answer = await ctx.session.request('elicitation/create', URL_ELICITATION, { force: true, timeoutMs: 10_000 }).then(
              (r) => JSON.stringify(r).slice(0, 500),
              (err: Error) => `no result: ${err.message}`,
            );
            // The interaction ended; then an already-completed id and an unknown one, which the client MUST ignore.
            for (const id of [URL_ELICITATION.elicitationId, URL_ELICITATION.elicitationId, UNKNOWN_ELICITATION_ID]) await ctx.notify('notifications/elicitation/complete', { elicitationId: id as string });
            api.event('elicitation-complete-sent', `${String(URL_ELICITATION.elicitationId)} twice, ${UNKNOWN_ELICITATION_ID}`);
            return `the client answered elicitation/create: ${answer}`;
          },
        }),
        addNumbers,
      ],
      http: sseForToolCalls,
    }),
  },
  {
    name: 'tasks',
    description: `The server declares tasks for tools/call. task_required_tool has execution.taskSupport "required" (called without a task: -32601), task_forbidden_tool "forbidden", add_numbers none; a task stays working for ${TASK_WORKING_MS} ms (pollInterval ${TASK_POLL_MS} ms), then completes.`,
    expects: 'List tools and call each, task_required_tool as a task (and no other): poll tasks/get no faster than pollInterval until the task completes (or wait on tasks/result), then get its result with tasks/result.',
    revisions: ['2025-11-25'],
    transports: BOTH,
    build: (_rev, api) => {
      const tasks = new Map<string, { t0: number; createdAt: string }>();
      const status = (id: string) => (performance.now() - tasks.get(id)!.t0 >= TASK_WORKING_MS ? 'completed' : 'working');
      const task = (id: string): JsonObject => ({ taskId: id, status: status(id), createdAt: tasks.get(id)!.createdAt, lastUpdatedAt: new Date().toISOString(), ttl: 60_000, pollInterval: TASK_POLL_MS });
      const known = (params: JsonObject) => {
        const id = String(params.taskId);
        if (!tasks.has(id)) throw new RpcError(ErrorCode.InvalidParams, `no task ${id}`);
        return id;
      };
      return {
        options: { capabilities: { tools: {}, tasks: { requests: { tools: { call: {} } } } } },
        behaviours: [
          tool('task_required_tool', { description: 'Runs only as a task', inputSchema: NO_ARGS, execution: { taskSupport: 'required' }, result: 'done as a task' }),
          tool('task_forbidden_tool', { description: 'Never runs as a task', inputSchema: NO_ARGS, execution: { taskSupport: 'forbidden' }, result: 'done' }),
          addNumbers,
          on('tools/call', (params) => {
            const name = String(params.name);
            if (!isObject(params.task)) {
              if (name === 'task_required_tool') throw new RpcError(ErrorCode.MethodNotFound, 'task_required_tool must be called as a task (execution.taskSupport: required)');
              return undefined;
            }
            if (name !== 'task_required_tool') throw new RpcError(ErrorCode.MethodNotFound, `${name} does not run as a task`);
            const id = `mcp-conform-task-${tasks.size + 1}`;
            tasks.set(id, { t0: performance.now(), createdAt: new Date().toISOString() });
            api.event('task-created', id);
            return { task: task(id) };
          }),
          on('tasks/get', (params) => task(known(params))),
          // tasks/result blocks until the task is terminal (basic/utilities/tasks#result-retrieval).
          on('tasks/result', async (params, ctx) => {
            const id = known(params);
            while (status(id) !== 'completed') await ctx.sleep(50);
            return { content: [{ type: 'text', text: 'done as a task' }], _meta: { [RELATED_TASK_META]: { taskId: id } } };
          }),
        ],
      };
    },
  },
  {
    name: 'pagination',
    description: 'tools/list is paginated one tool per page (three pages).',
    expects: 'List all tools following nextCursor until a page has none; call add_numbers.',
    revisions: REVISIONS,
    transports: BOTH,
    build: () => ({
      options: { pageSize: 1 },
      behaviours: [addNumbers, tool('echo', { description: 'Echoes its text', inputSchema: { type: 'object', properties: { text: { type: 'string' } } }, handler: (a) => String(a.text ?? '') }), tool('noop', { description: 'Does nothing', inputSchema: NO_ARGS, result: 'ok' })],
    }),
  },
  {
    name: 'pagination-loop',
    description: 'Every tools/list page carries the same nextCursor: following it would never end.',
    expects: 'List tools, following nextCursor, but stop when the cursor repeats.',
    revisions: REVISIONS,
    transports: BOTH,
    build: (_rev, api) => {
      let pages = 0;
      return {
        behaviours: [
          addNumbers,
          on('tools/list', () => {
            pages++;
            if (pages === 2) api.event('cursor-loop', 'the second page repeats the first page\'s nextCursor');
            if (pages > 50) return { tools: [] }; // a hard stop so a looping client cannot spin forever
            return { tools: [{ name: 'add_numbers', description: 'Add two numbers together', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } } }], nextCursor: 'mcp-conform-loop' };
          }),
        ],
      };
    },
  },
  {
    name: 'list-changed',
    description: 'Calling change_tools adds a tool and sends notifications/tools/list_changed.',
    expects: 'List tools and call each; on the notification, list tools again.',
    revisions: REVISIONS,
    transports: BOTH,
    build: (_rev, api) => {
      let changed = false;
      return {
        behaviours: [
          addNumbers,
          tool('change_tools', {
            description: 'Adds a tool to the list (the server announces the change)',
            inputSchema: NO_ARGS,
            handler: (_a, ctx) => {
              if (!changed) {
                changed = true;
                api.event('list-changed', 'added tool added_tool');
                ctx.server.use(tool('added_tool', { description: 'Appeared after list_changed', inputSchema: NO_ARGS, result: 'added' }));
              }
              return 'the tool list changed';
            },
          }),
        ],
        http: sseForToolCalls,
      };
    },
  },
  {
    name: 'progress',
    description: 'slow_with_progress sends three progress notifications (when the call carries a progressToken) before its result.',
    expects: 'List tools and call each, asking for progress (_meta.progressToken).',
    revisions: REVISIONS,
    transports: BOTH,
    build: () => ({ behaviours: [tool('slow_with_progress', { description: 'Reports progress while it works', inputSchema: NO_ARGS, progressSteps: 3, delayMs: 300, result: 'done' })], http: sseForToolCalls }),
  },
  {
    name: 'notifications',
    description: 'The server sends an unknown notification and a log message during each tool call, and adds unknown fields to every result and tool.',
    expects: 'List tools and call each; ignore what it does not know and go on.',
    revisions: REVISIONS,
    transports: BOTH,
    build: () => ({
      options: { logging: true },
      behaviours: [
        addNumbers,
        tool('echo', { description: 'Echoes its text', inputSchema: { type: 'object', properties: { text: { type: 'string' } } }, handler: (a) => String(a.text ?? 'echo') }),
        logs({ level: 'info', data: 'a log line from mcp-conform' }, { during: 'tools/call' }),
        on('tools/call', async (_p, ctx) => {
          await ctx.session.deliver('notifications/mcp-conform/unknown', { detail: 'a notification no revision defines' }, undefined, true);
          return undefined;
        }),
      ],
      http: sseForToolCalls,
      outgoing: (m) => {
        if (!isObject(m.result)) return m;
        const result: Record<string, unknown> = { ...m.result, 'x-mcp-conform-extra': { note: 'an unknown field' } };
        if (Array.isArray(result.tools)) result.tools = result.tools.map((t) => (isObject(t) ? { ...t, 'x-mcp-conform-extra': 1 } : t));
        return { ...m, result };
      },
    }),
  },
  {
    name: 'errors',
    description: 'fails_with_protocol_error is answered with a JSON-RPC error; returns_tool_error with an isError result; add_numbers works.',
    expects: 'List tools and call each (in order), going on after each failure.',
    revisions: REVISIONS,
    transports: BOTH,
    build: () => ({
      behaviours: [
        tool('fails_with_protocol_error', { description: 'Answered with a JSON-RPC error', inputSchema: NO_ARGS, error: { code: ErrorCode.InternalError, message: 'Internal error (scripted by mcp-conform)' } }),
        tool('returns_tool_error', { description: 'Returns a tool error (isError)', inputSchema: NO_ARGS, result: { content: [{ type: 'text', text: 'scripted tool failure' }], isError: true } }),
        addNumbers,
      ],
    }),
  },
  ...(['json', 'sse'] as const).map(
    (mode): Scenario => ({
      name: `${mode}-response`,
      description: `Every request is answered ${mode === 'json' ? 'with Content-Type: application/json' : 'on an SSE stream (text/event-stream)'}.`,
      expects: 'List tools and call add_numbers.',
      revisions: STREAMABLE_HTTP_REVISIONS,
      transports: HTTP,
      build: () => ({ behaviours: [addNumbers], http: { responseMode: mode } }),
    }),
  ),
  {
    name: 'session-expired',
    description: 'The first request after initialization ends the session: it and later requests with that session id get 404.',
    expects: 'List tools and call add_numbers; on the 404, initialize a new session and go on.',
    revisions: STATEFUL_STREAMABLE_REVISIONS,
    transports: HTTP,
    build: (_rev, api) => {
      let expired = false;
      return {
        behaviours: [addNumbers],
        http: {
          httpFault: (request, ctx) => {
            const m = ctx.message;
            if (expired || request.method !== 'POST' || !ctx.sessionId || !isObject(m) || typeof m.method !== 'string' || !Object.hasOwn(m, 'id') || m.method === 'initialize') return undefined;
            expired = true;
            ctx.expireSession();
            api.event('session-expired', ctx.sessionId);
            return undefined; // the handler now answers 404 for the unknown session
          },
        },
      };
    },
  },
  {
    name: 'sse-retry',
    description: 'test_reconnection answers on an SSE stream whose connection the server closes before the result (retry: 500 ms); the result waits for a GET with Last-Event-ID.',
    expects: 'Call test_reconnection; reconnect after the retry interval with GET and Last-Event-ID to get the result.',
    revisions: STATEFUL_STREAMABLE_REVISIONS,
    transports: HTTP,
    build: (_rev, api) => ({
      options: { logging: true },
      behaviours: [
        addNumbers,
        tool('test_reconnection', {
          description: 'Tests SSE stream disconnection and client reconnection',
          inputSchema: NO_ARGS,
          handler: async (_a, ctx) => {
            await ctx.log('info', 'working on it');
            await ctx.sleep(100);
            const transport = ctx.session.peer.transport;
            const cut = transport instanceof StreamableHttpServerTransport ? transport.disconnectStreams() : 0;
            api.event('stream-cut', `${cut} stream(s) disconnected`);
            await ctx.sleep(200);
            return 'reconnected';
          },
        }),
      ],
      http: { ...sseForToolCalls, retryMs: 500 },
    }),
  },
  {
    name: 'legacy-sse',
    description: 'The URL serves only the deprecated HTTP+SSE transport: POST is refused with 405, GET opens the SSE stream with an endpoint event.',
    expects: 'Fall back to HTTP+SSE (backwards compatibility), list tools, call add_numbers.',
    revisions: STATEFUL_STREAMABLE_REVISIONS,
    transports: HTTP,
    build: () => ({ behaviours: [addNumbers], legacySse: true }),
  },
  {
    name: 'request-timeout',
    description: 'never_returns is never answered; add_numbers works.',
    expects: 'List tools and call each with a request timeout of context.requestTimeoutMs; on the timeout, cancel the request (notifications/cancelled, or close the stream in 2026-07-28 HTTP) and go on.',
    revisions: REVISIONS,
    transports: BOTH,
    context: { requestTimeoutMs: 1500 },
    build: () => ({
      behaviours: [
        tool('never_returns', {
          description: 'Never answers (until cancelled)',
          inputSchema: NO_ARGS,
          handler: async (_a, ctx) => {
            await ctx.sleep(60_000);
            return 'too late';
          },
        }),
        addNumbers,
      ],
      http: sseForToolCalls,
    }),
  },
  {
    name: 'initialize-slow',
    description: 'The initialize result is sent 2.5 s late.',
    expects: 'Connect with a request timeout of context.requestTimeoutMs; never cancel initialize.',
    revisions: STATEFUL_REVISIONS,
    transports: BOTH,
    context: { requestTimeoutMs: 1000 },
    build: (_rev, api) => ({
      behaviours: [addNumbers],
      outgoing: async (m) => {
        if (isObject(m.result) && typeof m.result.protocolVersion === 'string' && isObject(m.result.serverInfo)) {
          api.event('initialize-delayed', '2500 ms');
          await new Promise((r) => setTimeout(r, 2500));
        }
        return m;
      },
    }),
  },
  {
    name: 'unsupported-server-version',
    description: 'initialize is answered with protocolVersion "2099-12-31", a version no client supports.',
    expects: 'Disconnect (the server answered a version the client does not support).',
    revisions: STATEFUL_REVISIONS,
    transports: BOTH,
    build: (_rev, api) => ({
      behaviours: [addNumbers],
      outgoing: (m) => {
        if (isObject(m.result) && typeof m.result.protocolVersion === 'string' && isObject(m.result.serverInfo)) {
          api.event('bogus-version', '2099-12-31');
          return { ...m, result: { ...m.result, protocolVersion: '2099-12-31' } };
        }
        return m;
      },
    }),
  },
  {
    name: 'version-downgrade',
    description: 'The server supports only the revision before this one and answers initialize with it.',
    expects: 'Either go on at the older revision (MCP-Protocol-Version and messages of that revision) or disconnect.',
    revisions: STATEFUL_REVISIONS.filter((r) => r > '2024-11-05'),
    transports: BOTH,
    build: (rev) => ({ behaviours: [addNumbers], revisions: [previous(rev)!] }),
  },
  {
    name: 'stdio-lingering-server',
    description: 'The server process keeps running for 3 s after its stdin is closed (it exits at once on SIGTERM).',
    expects: 'List tools, then shut down: close stdin, wait, and SIGTERM a server that does not exit.',
    revisions: REVISIONS,
    transports: ['stdio'],
    build: () => ({ behaviours: [addNumbers], lingerMs: 3000 }),
  },
  // ---- 2026-07-28 (stateless) ----
  {
    name: 'unsupported-version',
    description: 'The first request is answered with UnsupportedProtocolVersionError (-32022) listing the supported versions.',
    expects: 'Retry with a version from error.data.supported, then list tools and call add_numbers.',
    revisions: STATELESS_REVISIONS,
    transports: BOTH,
    build: (rev, api) => {
      let rejected = false;
      const reject = (method: string) =>
        on(method, (params) => {
          if (rejected) return undefined;
          rejected = true;
          const meta = isObject(params._meta) ? params._meta : {};
          api.event('version-rejected', method);
          throw new RpcError(ErrorCode.UnsupportedProtocolVersion, 'Unsupported protocol version', { supported: [rev], requested: meta[META.protocolVersion] });
        });
      return { behaviours: [addNumbers, ...['server/discover', 'tools/list', 'tools/call', 'prompts/list', 'resources/list', 'subscriptions/listen'].map(reject)] };
    },
  },
  {
    name: 'result-type-absent',
    description: 'The tools/list result has no resultType (as an earlier-protocol server sends it).',
    expects: 'List tools and call add_numbers, or refuse the result (the server took a 2026-07-28 request, so it MUST send resultType; the absent-means-complete rule is for earlier-protocol servers, judged in legacy-server).',
    revisions: STATELESS_REVISIONS,
    transports: BOTH,
    build: (_rev, api) => ({
      behaviours: [addNumbers],
      outgoing: (m) => {
        if (isObject(m.result) && Array.isArray(m.result.tools) && m.result.resultType === 'complete') {
          const { resultType: _drop, ...rest } = m.result;
          api.event('result-type-removed', 'tools/list');
          return { ...m, result: rest };
        }
        return m;
      },
    }),
  },
  {
    name: 'input-required',
    description: 'needs_input answers input_required with a requestState, asking at once for everything the client declares: an elicitation (user_input), sampling (model_input), roots (roots_input).',
    expects: 'Call needs_input; fulfil the input requests and retry with inputResponses and the same requestState.',
    revisions: STATELESS_REVISIONS,
    transports: BOTH,
    context: { elicitation: { action: 'accept' } },
    build: () => ({
      behaviours: [
        tool('needs_input', {
          description: 'Needs input from the user before it can answer',
          inputSchema: NO_ARGS,
          handler: async (_a, ctx) => {
            const reqs = inputRequestsFor(ctx.clientCapabilities);
            if (!Object.keys(reqs).length) return 'the client declares no capability to ask for input with';
            const answers = await ctx.askAll(reqs);
            return `thanks for ${JSON.stringify(answers).slice(0, 300)}`;
          },
        }),
      ],
    }),
  },
  {
    name: 'input-required-no-state',
    description: 'needs_input_stateless answers input_required with inputRequests but no requestState.',
    expects: 'Call needs_input_stateless; retry with inputResponses and no requestState.',
    revisions: STATELESS_REVISIONS,
    transports: BOTH,
    context: { elicitation: { action: 'accept' } },
    build: (rev, api) => ({
      behaviours: [
        tool('needs_input_stateless', { description: 'Needs input; keeps no state', inputSchema: NO_ARGS, result: 'unused' }),
        on(
          'tools/call',
          (params, ctx) => {
            if (isObject(params.inputResponses) && isObject(params.inputResponses.user_input)) return { content: [{ type: 'text', text: 'thanks' }] };
            const req = inputRequestFor(ctx.clientCapabilities, rev);
            if (!req) return { content: [{ type: 'text', text: 'the client declares no capability to ask for input with' }] };
            api.event('input-required', 'no requestState');
            return { resultType: 'input_required', inputRequests: { user_input: req } };
          },
          { name: 'needs_input_stateless' },
        ),
      ],
    }),
  },
  {
    name: 'legacy-server',
    description: 'The server speaks only 2025-11-25 (initialize handshake); requests with MCP-Protocol-Version 2026-07-28 get 400 without a modern error.',
    expects: 'A dual-era client falls back to initialize; a modern-only client reports that the server is too old.',
    revisions: STATELESS_REVISIONS,
    transports: BOTH,
    build: (_rev, api) => ({
      behaviours: [addNumbers],
      revisions: ['2025-11-25'],
      http: {
        // What a legacy server answers a request it cannot place in a session (no modern error code).
        httpFault: (request) => {
          const v = request.headers.get('mcp-protocol-version');
          if (request.method !== 'POST' || !v || v < '2026-07-28') return undefined;
          api.event('modern-request-refused', v);
          return new Response(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Bad Request: Server not initialized' } }), { status: 400, headers: { 'content-type': 'application/json' } });
        },
      },
    }),
  },
  {
    name: 'broken-stream',
    description: 'The first tools/call response stream ends without a response.',
    expects: 'Call add_numbers; when its stream breaks, re-issue the call with a new request id.',
    revisions: STATELESS_REVISIONS,
    transports: HTTP,
    build: (_rev, api) => {
      let broken = false;
      return {
        behaviours: [addNumbers],
        http: {
          httpFault: (request, ctx) => {
            if (broken || request.method !== 'POST' || !isToolsCall(ctx.message)) return undefined;
            broken = true;
            api.event('stream-broken', 'tools/call');
            return new Response('', { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } });
          },
        },
      };
    },
  },
  // ---- authorization (auth-scenarios.ts) ----
  ...AUTH_SCENARIOS.map(
    (a): Scenario => ({
      name: a.name,
      description: a.description,
      expects: a.expects,
      revisions: a.revisions,
      transports: HTTP,
      ...(a.context ? { get context() { return a.context; } } : {}),
      auth: a.auth,
      build: () => ({
        behaviours: [
          addNumbers,
          ...(a.auth.switchTo ? [tool('second_call', { description: 'A second tool to call', inputSchema: NO_ARGS, result: 'ok' })] : []),
          ...(a.auth.extraTool ? [tool(a.auth.extraTool, { description: 'A tool to call', inputSchema: NO_ARGS, result: 'ok' })] : []),
        ],
      }),
    }),
  ),
];

/** Every input request a 2026-07-28 server may send, given what the client declared (one of each kind). */
export function inputRequestsFor(caps: Record<string, unknown>): Record<string, { method: string; params?: JsonObject }> {
  const out: Record<string, { method: string; params?: JsonObject }> = {};
  if (isObject(caps.elicitation)) out.user_input = { method: 'elicitation/create', params: { mode: 'form', message: 'mcp-conform needs your name', requestedSchema: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] } } };
  if (isObject(caps.sampling)) out.model_input = { method: 'sampling/createMessage', params: SAMPLING_PARAMS };
  if (isObject(caps.roots)) out.roots_input = { method: 'roots/list' };
  return out;
}

/** The input request a 2026-07-28 server may send, given what the client declared. */
export function inputRequestFor(caps: Record<string, unknown>, rev: Revision): { method: string; params?: JsonObject } | undefined {
  void rev;
  if (isObject(caps.elicitation)) return { method: 'elicitation/create', params: { mode: 'form', message: 'mcp-conform needs your name', requestedSchema: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] } } };
  if (isObject(caps.sampling)) return { method: 'sampling/createMessage', params: SAMPLING_PARAMS };
  if (isObject(caps.roots)) return { method: 'roots/list' };
  return undefined;
}

export const SCENARIOS: readonly Scenario[] = scenarios;

export function scenario(name: string): Scenario | undefined {
  return scenarios.find((s) => s.name === name);
}

/** Why a scenario does not run here (undefined: it does). */
export function scenarioSkip(s: Scenario, rev: Revision, transport: ClientTransportKind): string | undefined {
  if (!s.revisions.includes(rev)) return `does not apply at revision ${rev}`;
  if (!s.transports.includes(transport)) return `needs the ${s.transports.join(' or ')} transport (the client runs over ${transport})`;
  return undefined;
}
