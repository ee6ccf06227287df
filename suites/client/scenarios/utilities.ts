// The utilities: pagination, list_changed, progress, notifications and errors.
import { ErrorCode, isObject, isStateless, REVISIONS, STREAMABLE_HTTP_REVISIONS, type Revision } from '../../../schema/index.ts';
import { logs, on, prompt, tool } from '../../../mock-server/index.ts';
import { type Scenario, addNumbers, NO_ARGS, BOTH, HTTP, sseForToolCalls } from './kit.ts';

/** The prompts of scenario pagination, one per page. */
export const PAGED_PROMPTS = ['paged_prompt_one', 'paged_prompt_two', 'paged_prompt_three'] as const;

/** The tool of late-response whose answer crosses the client's cancellation. */
export const LATE_TOOL = 'answers_late';

/** The tools of pagination-irregular after add_numbers, in page order (1 on the first page, 1 on the second, 3 on the last). */
export const IRREGULAR_TOOLS = ['page_one_b', 'page_two', 'page_three_a', 'page_three_b', 'page_three_c'] as const;
export const IRREGULAR_LAST_CURSOR = 'mcp-conform-page-3';
const IRREGULAR_SECOND_CURSOR_STATEFUL = 'mcp-conform-page-2';
/** The first page's nextCursor: the empty string only where the spec says it is a valid cursor (2026-07-28). */
export const irregularSecondCursor = (rev: Revision): string => (isStateless(rev) ? '' : IRREGULAR_SECOND_CURSOR_STATEFUL);

export const UTILITY_SCENARIOS: Scenario[] = [
  {
    name: 'pagination',
    description: 'tools/list and prompts/list are paginated one item per page (three pages each).',
    expects: 'List all tools following nextCursor until a page has none; call add_numbers; list all prompts the same way.',
    revisions: REVISIONS,
    transports: BOTH,
    build: () => ({
      options: { pageSize: 1 },
      behaviours: [
        addNumbers,
        tool('echo', { description: 'Echoes its text', inputSchema: { type: 'object', properties: { text: { type: 'string' } } }, handler: (a) => String(a.text ?? '') }),
        tool('noop', { description: 'Does nothing', inputSchema: NO_ARGS, result: 'ok' }),
        // A prompt list longer than a page (server/prompts#implementation-considerations).
        ...PAGED_PROMPTS.map((name) => prompt(name, { description: `Prompt ${name} (one per page)`, messages: [{ role: 'user', content: { type: 'text', text: `mcp-conform prompt ${name}` } }] })),
      ],
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
    name: 'pagination-irregular',
    description: `tools/list pages of 2, 1 and 3 tools; the first page's nextCursor is the empty string (2026-07-28; ${JSON.stringify(IRREGULAR_SECOND_CURSOR_STATEFUL)} before, where the spec does not say an empty cursor is valid), the second's ${JSON.stringify('mcp-conform-page-3')}.`,
    expects: 'List all tools following nextCursor (the empty string too) until a page has none; call add_numbers.',
    revisions: REVISIONS,
    transports: BOTH,
    build: (rev) => {
      const second = irregularSecondCursor(rev);
      const t = (name: string) => ({ name, description: 'Does nothing', inputSchema: NO_ARGS });
      const add = { name: 'add_numbers', description: 'Add two numbers together', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } };
      return {
        behaviours: [
          addNumbers,
          ...IRREGULAR_TOOLS.map((n) => tool(n, { description: 'Does nothing', inputSchema: NO_ARGS, result: 'ok' })),
          on('tools/list', (params) => {
            if (params.cursor === second) return { tools: [t(IRREGULAR_TOOLS[1]!)], nextCursor: IRREGULAR_LAST_CURSOR };
            if (params.cursor === IRREGULAR_LAST_CURSOR) return { tools: IRREGULAR_TOOLS.slice(2).map(t) };
            return { tools: [add, t(IRREGULAR_TOOLS[0]!)], nextCursor: second };
          }),
        ],
      };
    },
  },
  {
    name: 'late-response',
    description: `${LATE_TOOL} answers after 3 s, even when it was cancelled (a response that crossed the cancellation); takes_a_while_a … _d answer after 1 s each; add_numbers at once.`,
    expects: 'List tools and call each in order with a request timeout of context.requestTimeoutMs; on the timeout cancel the request, ignore its late response, and go on.',
    revisions: REVISIONS,
    transports: ['stdio'],
    context: { requestTimeoutMs: 1500 },
    build: (rev, api) => ({
      behaviours: [
        tool(LATE_TOOL, {
          description: 'Answers late, even when cancelled',
          inputSchema: NO_ARGS,
          handler: async (_a, ctx) => {
            await new Promise((r) => setTimeout(r, 3000)); // not cut short by the cancellation on purpose
            if (!ctx.signal.aborted) return 'in time';
            // The peer sends nothing for a cancelled request: send the crossing response past it.
            api.event('late-response', String(ctx.id));
            const result: Record<string, unknown> = { content: [{ type: 'text', text: 'too late' }] };
            if (rev >= '2026-07-28') result.resultType = 'complete';
            await ctx.session.peer.send({ jsonrpc: '2.0', id: ctx.id, result });
            return 'too late';
          },
        }),
        // Within the client's timeout each, together long enough that the late response comes while the client still works.
        ...['a', 'b', 'c', 'd'].map((x) => tool(`takes_a_while_${x}`, { description: 'Answers after 1 s', inputSchema: NO_ARGS, delayMs: 1000, result: 'done' })),
        addNumbers,
      ],
    }),
  },
];

