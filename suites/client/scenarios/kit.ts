// What the client scenarios share: their types, the transports they run over, the official
// suite's fixture tool, and a tool that makes the server send the client a request.
import { isObject, type Revision } from '../../../schema/index.ts';
import { on, tool, type BehaviourInput, type JsonObject, type MockServerOptions, type ServerContext, type StreamableHttpHandlerOptions } from '../../../mock-server/index.ts';
import type { AuthSetup } from '../auth-scenarios.ts';

export type ClientTransportKind = 'http' | 'stdio';

/** What the scenario host offers a scenario while it is built: the run's clock and event log. */
export interface ScenarioApi {
  /** Records something the scenario did to provoke the client (shown to checks and in evidence). */
  event(what: string, detail?: string): void;
  readonly transport: ClientTransportKind;
  /**
   * The absolute URL of one of the scenario's `canaries` on a loopback origin of this run (the
   * mock's own over HTTP; a small server of its own for stdio). Known once the mock listens: call
   * it from a handler, not from build().
   */
  canaryUrl(path: string): string;
}

/** What every fetch of a canary is recorded as (event detail: `METHOD path user-agent`). */
export const CANARY_EVENT = 'canary-fetched';

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
  /** Paths served on a loopback origin (api.canaryUrl) that no client has reason to fetch: each fetch is a CANARY_EVENT. */
  canaries?: Record<string, unknown>;
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

export const BOTH: readonly ClientTransportKind[] = ['http', 'stdio'];
export const HTTP: readonly ClientTransportKind[] = ['http'];

export const isToolsCall = (m: unknown) => isObject(m) && m.method === 'tools/call';

/** Tool calls are answered on an SSE stream (so the server can ask the client things meanwhile); the rest as JSON. */
export const sseForToolCalls: Partial<StreamableHttpHandlerOptions> = { responseMode: (m) => (isToolsCall(m) ? 'sse' : 'json') };


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

export const NO_ARGS = { type: 'object', properties: {} } as const;

/** A tool whose call makes the server send `method` to the client (forced when the capability is undeclared). */
export function trigger(name: string, description: string, method: string, params: JsonObject | undefined, api: ScenarioApi) {
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
