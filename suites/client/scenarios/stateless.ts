// 2026-07-28 (stateless): unsupported versions, resultType, input_required, a legacy-only server, a
// broken stream; and the input requests a server may send given what the client declared.
import { ErrorCode, isObject, META, STATELESS_REVISIONS, type Revision } from '../../../schema/index.ts';
import { on, resource, RpcError, tool, type JsonObject } from '../../../mock-server/index.ts';
import { type Scenario, isToolsCall, addNumbers, NO_ARGS, BOTH, HTTP } from './kit.ts';
import { SAMPLING_PARAMS } from './client-features.ts';

/** result-type-unknown: the resultType no revision defines, and the tool only its result lists. */
export const UNKNOWN_RESULT_TYPE = 'mcp-conform-unknown';
export const UNKNOWN_RESULT_TOOL = 'listed_in_invalid_result';
/** resource-not-found-legacy-code: the resource whose read is answered with -32002. */
export const GONE_URI = 'test://gone';

export const STATELESS_SCENARIOS: Scenario[] = [
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
    name: 'result-type-unknown',
    description: `The first tools/list result has resultType ${JSON.stringify('mcp-conform-unknown')} and lists one more tool, ${JSON.stringify('listed_in_invalid_result')}; later tools/list results are complete.`,
    expects: 'List tools: a result whose resultType the client does not recognize is invalid (list again, or stop); call add_numbers, never listed_in_invalid_result.',
    revisions: STATELESS_REVISIONS,
    transports: BOTH,
    build: (_rev, api) => {
      let rewritten = false;
      return {
        behaviours: [addNumbers],
        outgoing: (m) => {
          if (rewritten || !isObject(m.result) || !Array.isArray(m.result.tools) || m.result.resultType !== 'complete') return m;
          rewritten = true;
          api.event('result-type-unknown', 'tools/list');
          return { ...m, result: { ...m.result, resultType: UNKNOWN_RESULT_TYPE, tools: [...m.result.tools, { name: UNKNOWN_RESULT_TOOL, description: 'Listed only in a result the client must consider invalid', inputSchema: NO_ARGS }] } };
        },
      };
    },
  },
  {
    name: 'resource-not-found-legacy-code',
    description: `Lists ${JSON.stringify('test://gone')}, whose resources/read is answered with the earlier revisions' resource-not-found error -32002 (2026-07-28 servers send -32602).`,
    expects: 'List resources and read each; take -32002 for resource not found and go on: list tools and call add_numbers.',
    revisions: STATELESS_REVISIONS,
    transports: BOTH,
    build: (_rev, api) => ({
      behaviours: [addNumbers, resource(GONE_URI, { name: 'gone', mimeType: 'text/plain', text: 'never served' })],
      outgoing: (m) => {
        const contents = isObject(m.result) && Array.isArray(m.result.contents) ? m.result.contents : undefined;
        if (!contents?.some((c) => isObject(c) && c.uri === GONE_URI)) return m;
        api.event('resource-not-found', `resources/read ${GONE_URI} answered with ${ErrorCode.ResourceNotFound}`);
        return { jsonrpc: '2.0', id: m.id, error: { code: ErrorCode.ResourceNotFound, message: 'Resource not found', data: { uri: GONE_URI } } };
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
  {
    name: 'legacy-server-method-not-found',
    description: 'As legacy-server over stdio, but the server answers requests before initialize with -32601 (Method not found) instead of -32600.',
    expects: 'A dual-era client falls back to initialize here too (the fallback is not keyed to one error code), then lists tools and calls add_numbers.',
    revisions: STATELESS_REVISIONS,
    transports: ['stdio'],
    build: (_rev, api) => {
      let initialized = false;
      return {
        behaviours: [addNumbers],
        revisions: ['2025-11-25'],
        outgoing: (m) => {
          if (isObject(m.result) && typeof m.result.protocolVersion === 'string') initialized = true;
          if (initialized || !isObject(m.error) || m.error.code !== ErrorCode.InvalidRequest) return m;
          api.event('pre-initialize-error', 'answered -32601 instead of -32600');
          return { ...m, error: { code: ErrorCode.MethodNotFound, message: 'Method not found' } };
        },
      };
    },
  },
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
