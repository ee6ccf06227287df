// Serving a MockServer: over this process's stdio, as a fetch-style Streamable HTTP handler
// (for node:http or msw), or over the legacy HTTP+SSE transport, with faults applied.
import { withSlowSse, httpFaultHook } from './faults/http.ts';
import { broadcaster } from './faults/broadcast.ts';
import { withFaults, type FaultInput, type FaultOptions } from './faults/index.ts';
import type { ServerDefinition } from './script/load.ts';
import { MockServer, type ServerSession } from './server/index.ts';
import { createStreamableHttpHandler, type StreamableHttpHandler, type StreamableHttpHandlerOptions } from './transports/http-server.ts';
import { serveHttp, routeHandlers, type FetchHandler } from './transports/serve.ts';
import { createSseHandler, type SseHandler, type SseHandlerOptions } from './transports/sse-server.ts';
import { StdioServerTransport, type StdioServerOptions } from './transports/stdio-server.ts';
import type { Readable, Writable } from 'node:stream';

export interface FaultServeOptions {
  faults?: readonly FaultInput[];
  seed?: number;
  onfault?: FaultOptions['onfault'];
  /** Where stderr-noise goes (default process.stderr). */
  stderr?: (text: string) => void;
}

function faultOptions(o: FaultServeOptions, extra: Partial<FaultOptions> = {}): FaultOptions {
  const f: FaultOptions = { ...extra };
  if (o.seed !== undefined) f.seed = o.seed;
  if (o.onfault) f.onfault = o.onfault;
  if (o.stderr) f.stderr = o.stderr;
  return f;
}

/** A MockServer from a server, or a fresh one from a definition. */
export function toMockServer(source: MockServer | ServerDefinition): MockServer {
  return source instanceof MockServer ? source : new MockServer(source.options, source.behaviours);
}

export interface StdioServeOptions extends FaultServeOptions {
  input?: Readable;
  output?: Writable;
}

/** Serves one session over stdio; `closed` resolves when stdin ends. */
export async function serveMockStdio(server: MockServer, options: StdioServeOptions = {}): Promise<{ session: ServerSession; closed: Promise<string> }> {
  const so: StdioServerOptions = {};
  if (options.input) so.input = options.input;
  if (options.output) so.output = options.output;
  const transport = withFaults(new StdioServerTransport(so), options.faults ?? [], faultOptions(options, { lineFramed: true }));
  const session = await server.connect(transport);
  const closed = new Promise<string>((resolve) => {
    const prev = session.peer.onclose;
    session.peer.onclose = (reason) => {
      prev?.(reason);
      resolve(reason);
    };
  });
  return { session, closed };
}

export interface MockHttpOptions extends FaultServeOptions, Partial<Omit<StreamableHttpHandlerOptions, 'onSession' | 'httpFault'>> {}

/** A fetch-style Streamable HTTP handler serving the mock: one session per client (and one for stateless requests). */
export function mockHttpHandler(server: MockServer, options: MockHttpOptions = {}): StreamableHttpHandler {
  const { faults = [], seed, onfault, stderr, ...http } = options;
  const fo = faultOptions({ faults, ...(seed !== undefined ? { seed } : {}), ...(onfault ? { onfault } : {}), ...(stderr ? { stderr } : {}) });
  const hook = httpFaultHook(faults, fo);
  const fanOut = broadcaster(faults, fo);
  const handlerOptions: StreamableHttpHandlerOptions = {
    supportedVersions: server.revisions,
    toolInputSchema: (name) => server.tools().find((t) => t.name === name)?.spec.inputSchema,
    ...http,
    onSession: async (t) => {
      await server.connect(withFaults(fanOut ? fanOut.wrap(t) : t, faults, fo));
    },
  };
  if (hook) handlerOptions.httpFault = hook;
  const handler = createStreamableHttpHandler(handlerOptions);
  const closeHandler = handler.close.bind(handler);
  const wrapped = withSlowSse(handler, faults, fo);
  wrapped.close = async () => {
    await server.close();
    await closeHandler();
  };
  return wrapped;
}

export interface MockSseOptions extends FaultServeOptions, Partial<Omit<SseHandlerOptions, 'onSession' | 'httpFault'>> {}

/** A fetch-style legacy HTTP+SSE handler (GET /sse, POST /messages) serving the mock. */
export function mockSseHandler(server: MockServer, options: MockSseOptions = {}): SseHandler {
  const { faults = [], seed, onfault, stderr, ...sse } = options;
  const fo = faultOptions({ faults, ...(seed !== undefined ? { seed } : {}), ...(onfault ? { onfault } : {}), ...(stderr ? { stderr } : {}) });
  const hook = httpFaultHook(faults, fo);
  const fanOut = broadcaster(faults, fo);
  const o: SseHandlerOptions = {
    ...sse,
    onSession: async (t) => {
      await server.connect(withFaults(fanOut ? fanOut.wrap(t) : t, faults, fo));
    },
  };
  if (hook) o.httpFault = hook;
  const handler = createSseHandler(o);
  const closeHandler = handler.close.bind(handler);
  handler.close = async () => {
    await server.close();
    await closeHandler();
  };
  return handler;
}

export interface HttpServeOptions extends MockHttpOptions {
  host?: string;
  port?: number;
  /** Path of the Streamable HTTP endpoint (default /mcp). */
  path?: string;
  /** Serve the legacy HTTP+SSE transport (GET /sse, POST /messages) instead. */
  legacySse?: boolean;
}

export interface ServedMock {
  /** URL clients connect to: …/mcp, or …/sse for the legacy transport. */
  url: string;
  port: number;
  handler: FetchHandler;
  close(): Promise<void>;
}

/** Serves the mock over HTTP on 127.0.0.1 (by default) and a free port (by default). */
export async function serveMockHttp(server: MockServer, options: HttpServeOptions = {}): Promise<ServedMock> {
  const { host, port, path = '/mcp', legacySse, ...rest } = options;
  const so: { host?: string; port?: number } = {};
  if (host !== undefined) so.host = host;
  if (port !== undefined) so.port = port;
  if (legacySse) {
    const h = mockSseHandler(server, rest as MockSseOptions);
    const served = await serveHttp(h, so);
    return { url: `${served.url}/sse`, port: served.port, handler: h, close: () => served.close() };
  }
  const h = mockHttpHandler(server, rest);
  const routed = routeHandlers({ [path]: h });
  const served = await serveHttp(routed, so);
  return { url: `${served.url}${path}`, port: served.port, handler: h, close: () => served.close() };
}
