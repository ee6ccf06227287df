// The client features: roots, sampling (with tools), elicitation (form defaults, URL mode) and tasks,
// with the fixtures the client checks compare against.
import { ErrorCode, isObject, isStateless, RELATED_TASK_META, STATEFUL_REVISIONS, STATELESS_REVISIONS, type Revision } from '../../../schema/index.ts';
import { on, RpcError, SEP1034_DEFAULTS_FORM, tool, type JsonObject, type ServerContext } from '../../../mock-server/index.ts';
import { type Scenario, type ScenarioApi, type ScenarioServer, addNumbers, NO_ARGS, trigger, BOTH, sseForToolCalls } from './kit.ts';

/** Scenario tasks: how long a task works, and the poll interval the server asks for. */
export const TASK_WORKING_MS = 1200;
export const TASK_POLL_MS = 300;

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

/** The form of scenario elicitation-sep1034-client-defaults: the same as the official server fixture's. */
export const DEFAULTS_SCHEMA = SEP1034_DEFAULTS_FORM;

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

/** 2026-07-28 has no elicitationId in URL mode (ElicitRequestURLParams: mode, message, url). */
export const MODERN_URL_ELICITATION: JsonObject = { mode: 'url', message: URL_ELICITATION.message!, url: URL_ELICITATION.url! };

/** Scenario elicitation-url at 2026-07-28: each mode asked as an input request, only of a client that declares it
 *  (servers MUST NOT send modes the client does not support; there is no error answer to refuse one with). */
function modernElicitationModes(api: ScenarioApi): ScenarioServer {
  const asking = (name: string, description: string, params: JsonObject, declared: (el: JsonObject) => boolean) =>
    tool(name, {
      description,
      inputSchema: NO_ARGS,
      handler: async (_a, ctx) => {
        const el = ctx.clientCapabilities.elicitation;
        if (!isObject(el) || !declared(el)) return 'the client does not declare this elicitation mode';
        api.event('input-request', `elicitation/create (${name})`);
        const answer = await ctx.ask('user_input', { method: 'elicitation/create', params });
        return `the client answered: ${JSON.stringify(answer).slice(0, 300)}`;
      },
    });
  const { mode: _mode, ...noMode } = formElicitation('2026-07-28');
  return {
    behaviours: [
      asking('trigger_url_elicitation', 'The server asks you to open a URL before it answers', MODERN_URL_ELICITATION, (el) => isObject(el.url)),
      // {} declares form mode (backwards compatibility); {url: {}} alone does not.
      asking('trigger_elicitation_no_mode', 'The server asks you to fill in a form (no mode field) before it answers', noMode, (el) => isObject(el.form) || !isObject(el.url)),
      addNumbers,
    ],
  };
}

export const CLIENT_FEATURE_SCENARIOS: Scenario[] = [
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
    description: 'Each trigger_sampling_* tool makes the server send one tool-enabled sampling/createMessage (even if sampling.tools is undeclared): toolChoice required, toolChoice none, a tool_use without its tool_result, a tool_result mixed with text (2026-07-28: the first two, as input requests of input_required).',
    expects: 'List tools and call each; the model follows toolChoice (required: use the tool; none: no tool); refuse the two malformed requests with -32602 (or refuse all when tools in sampling are not supported). (2026-07-28: the two well-formed requests only, as input requests.)',
    revisions: [...STATEFUL_REVISIONS.filter((r) => r >= '2025-11-25'), ...STATELESS_REVISIONS],
    transports: BOTH,
    build: (rev, api) => {
      if (!isStateless(rev)) {
        return {
          behaviours: Object.entries(SAMPLING_TOOL_REQUESTS).map(([name, params]) => trigger(name, 'The server asks you to sample with a tool while this runs', 'sampling/createMessage', params, api)),
          http: sseForToolCalls,
        };
      }
      // 2026-07-28: as an input request of input_required (asked even if sampling is undeclared),
      // the two well-formed ones only (an input request has no error answer to refuse the others with).
      return {
        behaviours: (['trigger_sampling_tool_required', 'trigger_sampling_tool_none'] as const).map((name) =>
          tool(name, {
            description: 'The server asks you to sample with a tool before it answers',
            inputSchema: NO_ARGS,
            handler: async (_a, ctx) => {
              api.event('input-request', `sampling/createMessage (${name})`);
              const answer = await ctx.ask('model_input', { method: 'sampling/createMessage', params: SAMPLING_TOOL_REQUESTS[name]! });
              return `the client answered: ${JSON.stringify(answer).slice(0, 300)}`;
            },
          }),
        ),
      };
    },
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
    description:
      'Calling trigger_url_elicitation makes the server send a URL-mode elicitation (even if undeclared), then notifications/elicitation/complete for it, for it again and for an id it never created; add_numbers works. (2026-07-28: as input requests of input_required, to a client declaring them: trigger_url_elicitation asks in URL mode, trigger_elicitation_no_mode asks for a form without the mode field.)',
    expects: 'List tools and call each; answer the URL elicitation (accept/decline/cancel), or -32602 when URL mode is not supported; ignore the completion notifications it does not expect. (2026-07-28: answer both input requests; the form without mode is a form.)',
    revisions: ['2025-11-25', ...STATELESS_REVISIONS],
    transports: BOTH,
    context: { elicitation: { action: 'accept' } },
    build: (rev, api) => (isStateless(rev) ? modernElicitationModes(api) : {
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
];
