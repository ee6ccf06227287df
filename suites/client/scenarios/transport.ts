// The transports and version negotiation: session expiry, SSE resumption, the legacy HTTP+SSE
// transport, timeouts, slow and unsupported servers, a stdio server slow to exit.
import { isObject, REVISIONS, STATEFUL_REVISIONS, STATEFUL_STREAMABLE_REVISIONS, type Revision } from '../../../schema/index.ts';
import { on, StreamableHttpServerTransport, tool } from '../../../mock-server/index.ts';
import { type Scenario, addNumbers, NO_ARGS, BOTH, HTTP, sseForToolCalls } from './kit.ts';

function previous(rev: Revision): Revision | undefined {
  const i = REVISIONS.indexOf(rev);
  return i > 0 ? REVISIONS[i - 1] : undefined;
}

export const TRANSPORT_SCENARIOS: Scenario[] = [
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
];
