// msw request handlers for a mock MCP server: `setupServer(...mcpHandlers(script, { url }))` lets
// a test run any Streamable HTTP client (the official SDK's included) against the mock without a
// port. The handlers call the same fetch-style Streamable HTTP handler node:http serving uses.
import { isObject } from '../schema/index.ts';
import { http, type HttpHandler } from 'msw';
import type { FaultInput } from './faults/index.ts';
import { scriptDefinition } from './script/build.ts';
import { isServerDefinition, validateScript, ScriptError, type ServerDefinition } from './script/load.ts';
import type { ScriptDoc } from './script/types.ts';
import { MockServer } from './server/index.ts';
import { mockHttpHandler, type MockHttpOptions } from './serving.ts';
import type { StreamableHttpHandler } from './transports/http-server.ts';
import { realResponse } from './transports/serve.ts';

export interface McpHandlersOptions extends Omit<MockHttpOptions, 'faults'> {
  /** The endpoint URL clients use, e.g. http://mcp.test/mcp. */
  url: string;
  faults?: readonly FaultInput[];
}

/** msw handlers (an array, to spread into setupServer) that also carry the mock they serve. */
export type McpHandlers = HttpHandler[] & {
  /** The MockServer behind the handlers: use(), verify(), clientReplies… */
  server: MockServer;
  handler: StreamableHttpHandler;
  /** Ends every session and open stream (call it in afterEach/afterAll). */
  close(): Promise<void>;
};

function toServer(source: MockServer | ServerDefinition | ScriptDoc): { server: MockServer; faults: readonly FaultInput[]; seed?: number } {
  if (source instanceof MockServer) return { server: source, faults: [] };
  let def: ServerDefinition;
  if (isServerDefinition(source)) def = source;
  else if (isObject(source)) {
    const issues = validateScript(source, '<script>');
    if (issues.length) throw new ScriptError(issues);
    def = scriptDefinition(source);
  } else throw new TypeError('mcpHandlers needs a MockServer, a defineServer(…) definition or a script object');
  const out: { server: MockServer; faults: readonly FaultInput[]; seed?: number } = { server: new MockServer(def.options, def.behaviours), faults: def.faults ?? [] };
  if (def.seed !== undefined) out.seed = def.seed;
  return out;
}

/** Handlers for POST, GET and DELETE on `url`, serving a mock server. */
export function mcpHandlers(source: MockServer | ServerDefinition | ScriptDoc, options: McpHandlersOptions): McpHandlers {
  const { url, faults, ...rest } = options;
  const { server, faults: scriptFaults, seed } = toServer(source);
  const o: MockHttpOptions = { ...rest, faults: [...scriptFaults, ...(faults ?? [])] };
  if (seed !== undefined && o.seed === undefined) o.seed = seed;
  const handler = mockHttpHandler(server, o);
  // msw wants a real Response (the handler's JSON answers are light ones: transports/serve.ts).
  const resolve = async ({ request }: { request: Request }) => realResponse(await handler(request));
  const list = [http.post(url, resolve), http.get(url, resolve), http.delete(url, resolve)];
  return Object.assign(list, { server, handler, close: () => handler.close() });
}
