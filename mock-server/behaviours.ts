// Behaviour as values: each function returns a plain object describing one thing the mock server
// does (a tool, a resource, a notification on a trigger…). createMockServer() composes them and
// server.use() overrides them, the way msw composes request handlers. Authoring shapes are the
// newest stateful revision's types; the server fits them to whatever revision a client speaks.
import type { Current, JsonRpcId, LoggingLevel, Revision } from '../schema/index.ts';
import type { RpcErrorBody } from './peer.ts';

export type JsonObject = Record<string, unknown>;
export type { LoggingLevel };

/**
 * What a handler gets: the request, its revision, and the verbs to talk back. server/server.ts adds
 * the `server` and `session` it runs in (declared there, where those classes are, so that this
 * module, which the server imports, does not import it back).
 */
export interface ServerContext {
  readonly method: string;
  readonly params: JsonObject;
  readonly id: JsonRpcId;
  readonly revision: Revision;
  /** 'legacy': an initialize-handshake session; 'modern': a 2026-07-28 stateless request. */
  readonly era: 'legacy' | 'modern';
  readonly signal: AbortSignal;
  readonly clientCapabilities: JsonObject;
  readonly clientInfo: JsonObject | undefined;
  readonly progressToken: Current['ProgressToken'] | undefined;
  /** Answers to input requests gathered so far (by key). */
  readonly input: Record<string, JsonObject>;
  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void>;
  progress(progress: number, total?: number, message?: string): Promise<void>;
  notify(method: string, params?: JsonObject): Promise<void>;
  /** Asks the client (legacy: a server→client request; 2026-07-28: an input_required round). */
  ask(key: string, request: InputRequestSpec): Promise<JsonObject>;
  askAll(requests: Record<string, InputRequestSpec>): Promise<Record<string, JsonObject>>;
  elicit(params: JsonObject, key?: string): Promise<Current['ElicitResult']>;
  sample(params: JsonObject, key?: string): Promise<Current['CreateMessageResult']>;
  listRoots(key?: string): Promise<Current['ListRootsResult']>;
  sleep(ms: number): Promise<void>;
}

/** When a server-initiated action happens. */
export interface Trigger {
  /**
   * After an event: 'connect', 'initialized' (the legacy handshake completed), or a method name
   * (after its response was sent; for `subscriptions/listen`, after the acknowledgement).
   */
  after?: string;
  /** While a request of this method is handled, before its response (request-scoped actions). */
  during?: string;
  /** Subset the request's params must contain, e.g. `{ name: 'slow' }` for one tool. */
  match?: JsonObject;
  delayMs?: number;
  /** Fire at most this many times per session. */
  times?: number;
}

/** A request the server needs the client to fulfil (sampling, elicitation, roots, ping). */
export interface InputRequestSpec {
  method: string;
  params?: JsonObject;
}

interface Base {
  /** Names the behaviour in reports, MRTR input keys and `session.fire(id)`. */
  id?: string;
}

export type ToolResultValue = Current['CallToolResult'] | string | { structuredContent: JsonObject; content?: Current['ContentBlock'][]; isError?: boolean; _meta?: JsonObject };
export type ToolHandler = (args: JsonObject, ctx: ServerContext) => ToolResultValue | Promise<ToolResultValue>;

/** A JSON Schema object (tool input/output schemas may use any keyword of their dialect). */
export type JsonSchemaObject = JsonObject;

export interface ToolSpec extends Omit<Partial<Current['Tool']>, 'name' | 'inputSchema' | 'outputSchema'> {
  inputSchema?: JsonSchemaObject;
  outputSchema?: JsonSchemaObject;
  /** Computes the result; thrown errors become `isError` results, RpcError a JSON-RPC error. */
  handler?: ToolHandler;
  /** A fixed result; strings may hold `{{arguments.x}}` and `{{input.key.…}}` placeholders. */
  result?: ToolResultValue;
  /** Answer with this JSON-RPC error instead (placeholders allowed). */
  error?: RpcErrorBody;
  /** Client input needed first (legacy: server→client requests; 2026-07-28: input_required). */
  asks?: Record<string, InputRequestSpec>;
  delayMs?: number;
  /** Send this many progress notifications while running (when the client asked for progress). */
  progressSteps?: number;
}

export interface ToolBehaviour extends Base {
  kind: 'tool';
  name: string;
  spec: ToolSpec;
}

export type ResourceContents = Current['TextResourceContents'] | Current['BlobResourceContents'];
export type ResourceHandler = (uri: string, ctx: ServerContext) => ResourceContents[] | string | Promise<ResourceContents[] | string>;

export interface ResourceSpec extends Omit<Partial<Current['Resource']>, 'uri'> {
  text?: string;
  /** Base64 content. */
  blob?: string;
  contents?: ResourceContents[];
  handler?: ResourceHandler;
  asks?: Record<string, InputRequestSpec>;
}

export interface ResourceBehaviour extends Base {
  kind: 'resource';
  uri: string;
  spec: ResourceSpec;
}

export type TemplateHandler = (uri: string, variables: Record<string, string>, ctx: ServerContext) => ResourceContents[] | string | Promise<ResourceContents[] | string>;

export interface ResourceTemplateSpec extends Omit<Partial<Current['ResourceTemplate']>, 'uriTemplate'> {
  /** Text of a matching resource; `{{vars.name}}` and `{{uri}}` placeholders allowed. */
  text?: string;
  blob?: string;
  handler?: TemplateHandler;
  /** Completion values per template variable. */
  complete?: Record<string, string[]>;
  asks?: Record<string, InputRequestSpec>;
}

export interface ResourceTemplateBehaviour extends Base {
  kind: 'resourceTemplate';
  uriTemplate: string;
  spec: ResourceTemplateSpec;
}

export type PromptHandler = (args: Record<string, string>, ctx: ServerContext) => Current['GetPromptResult'] | Current['PromptMessage'][] | Promise<Current['GetPromptResult'] | Current['PromptMessage'][]>;

export interface PromptSpec extends Omit<Partial<Current['Prompt']>, 'name'> {
  /** Messages; `{{arguments.x}}` placeholders allowed. */
  messages?: Current['PromptMessage'][];
  handler?: PromptHandler;
  /** Completion values per argument. */
  complete?: Record<string, string[]>;
  asks?: Record<string, InputRequestSpec>;
}

export interface PromptBehaviour extends Base {
  kind: 'prompt';
  name: string;
  spec: PromptSpec;
}

export type CompletionRef = Current['PromptReference'] | Current['ResourceTemplateReference'];
export type CompletionHandler = (value: string, ctx: ServerContext, context: Record<string, string>) => string[] | Promise<string[]>;

export interface CompletionBehaviour extends Base {
  kind: 'completion';
  ref: CompletionRef;
  argument: string;
  values: string[] | CompletionHandler;
}

export interface LogEntry {
  level: LoggingLevel;
  data: unknown;
  logger?: string;
}

export interface LogsBehaviour extends Base {
  kind: 'logs';
  entries: LogEntry[];
  when: Trigger;
}

export interface NotifyBehaviour extends Base {
  kind: 'notify';
  method: string;
  params?: JsonObject;
  when: Trigger;
  /** Send even where the protocol says not to (no capability, no subscription): for negative tests. */
  force?: boolean;
}

export interface ServerRequestBehaviour extends Base {
  kind: 'serverRequest';
  method: string;
  params?: JsonObject;
  when: Trigger;
  force?: boolean;
  /** Called with the client's reply (legacy) or input response (2026-07-28). */
  onReply?: (reply: JsonObject | { error: RpcErrorBody }, ctx: ServerContext | undefined) => void;
}

/** Raw frames or messages sent as-is on a trigger (negative testing). */
export interface SendBehaviour extends Base {
  kind: 'send';
  message: unknown;
  when: Trigger;
}

export type MethodHandler = (params: JsonObject, ctx: ServerContext) => unknown | Promise<unknown>;

/** Takes over a method; returning undefined falls through to the next handler and the built-in. */
export interface HandlerBehaviour extends Base {
  kind: 'handler';
  method: string;
  match?: JsonObject;
  handler: MethodHandler;
}

export interface ExpectationSpec {
  method: string;
  /** Subset the params must contain. */
  params?: JsonObject;
  /** Must arrive within this many ms of the server's first connection. */
  within?: number;
  /** How many matches are needed: a number is a minimum (default 1); `{ min, max }` bounds both ways ({ max: 0 }: never). */
  times?: number | { min?: number; max?: number };
}

export interface ExpectationBehaviour extends Base {
  kind: 'expect';
  spec: ExpectationSpec;
}

export type Behaviour =
  | ToolBehaviour
  | ResourceBehaviour
  | ResourceTemplateBehaviour
  | PromptBehaviour
  | CompletionBehaviour
  | LogsBehaviour
  | NotifyBehaviour
  | ServerRequestBehaviour
  | SendBehaviour
  | HandlerBehaviour
  | ExpectationBehaviour;

export type BehaviourInput = Behaviour | readonly BehaviourInput[];

export function flattenBehaviours(inputs: readonly BehaviourInput[]): Behaviour[] {
  const out: Behaviour[] = [];
  for (const b of inputs) {
    if (Array.isArray(b)) out.push(...flattenBehaviours(b as readonly BehaviourInput[]));
    else out.push(b as Behaviour);
  }
  return out;
}

export function tool(name: string, spec: ToolSpec | ToolHandler = {}): ToolBehaviour {
  return { kind: 'tool', name, spec: typeof spec === 'function' ? { handler: spec } : spec };
}

export function resource(uri: string, spec: ResourceSpec | string = {}): ResourceBehaviour {
  return { kind: 'resource', uri, spec: typeof spec === 'string' ? { text: spec } : spec };
}

export function resourceTemplate(uriTemplate: string, spec: ResourceTemplateSpec | TemplateHandler = {}): ResourceTemplateBehaviour {
  return { kind: 'resourceTemplate', uriTemplate, spec: typeof spec === 'function' ? { handler: spec } : spec };
}

export function prompt(name: string, spec: PromptSpec | PromptHandler = {}): PromptBehaviour {
  return { kind: 'prompt', name, spec: typeof spec === 'function' ? { handler: spec } : spec };
}

export function completion(ref: CompletionRef, argument: string, values: string[] | CompletionHandler): CompletionBehaviour {
  return { kind: 'completion', ref, argument, values };
}

export function logs(entries: LogEntry | LogEntry[], when: Trigger): LogsBehaviour {
  return { kind: 'logs', entries: Array.isArray(entries) ? entries : [entries], when };
}

export function notify(method: string, params: JsonObject | undefined, when: Trigger, opts: { force?: boolean; id?: string } = {}): NotifyBehaviour {
  const b: NotifyBehaviour = { kind: 'notify', method, when };
  if (params !== undefined) b.params = params;
  if (opts.force) b.force = true;
  if (opts.id) b.id = opts.id;
  return b;
}

export function serverRequest(
  method: string,
  params: JsonObject | undefined,
  when: Trigger,
  opts: { force?: boolean; id?: string; onReply?: ServerRequestBehaviour['onReply'] } = {},
): ServerRequestBehaviour {
  const b: ServerRequestBehaviour = { kind: 'serverRequest', method, when };
  if (params !== undefined) b.params = params;
  if (opts.force) b.force = true;
  if (opts.id) b.id = opts.id;
  if (opts.onReply) b.onReply = opts.onReply;
  return b;
}

export function send(message: unknown, when: Trigger): SendBehaviour {
  return { kind: 'send', message, when };
}

export function on(method: string, handler: MethodHandler, match?: JsonObject): HandlerBehaviour {
  const b: HandlerBehaviour = { kind: 'handler', method, handler };
  if (match) b.match = match;
  return b;
}

export function expectRequest(spec: ExpectationSpec): ExpectationBehaviour {
  return { kind: 'expect', spec };
}
