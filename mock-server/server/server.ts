// The mock server role: a Peer per connection that speaks every MCP revision. Stateful revisions
// (2024-11-05 … 2025-11-25) get the initialize handshake with version negotiation; 2026-07-28 is
// served statelessly (per-request _meta, server/discover, resultType, input_required, listen
// streams). A server that lists both eras serves both, choosing per request how the client opened.
// What the server offers is a list of behaviour values (behaviours.ts).
//
// This module holds the three objects whose public types name each other (the server, its
// sessions, a request's context): split across modules they would form an import cycle. What they
// do lives beside them, one module per part of the spec (tools.ts, resources.ts, lifecycle.ts…).
import { ErrorCode, hasCapability, isObject, META, registry, type Current, type JsonRpcId, type Revision } from '../../schema/index.ts';
import { flattenBehaviours, type BehaviourInput, type InputRequestSpec, type JsonObject, type LoggingLevel, type ServerContext, type ToolBehaviour } from '../behaviours.ts';
import { branded } from '../brand.ts';
import { matchesSubset } from '../match.ts';
import { Peer, RpcError, type HandlerContext } from '../peer.ts';
import type { Transport } from '../transport.ts';
import { WireLog } from '../wire.ts';
import { Actions } from './actions.ts';
import { complete } from './completion.ts';
import { capabilityObject, clientCapabilityFor, InputRequired, MissingClientCapability } from './errors.ts';
import { initialize, negotiate, RevisionRouter, type LegacyState } from './lifecycle.ts';
import { levelAtLeast, logParams } from './logging.ts';
import { inputRequired, MRTR_METHODS, restoreInput } from './mrtr.ts';
import { getPrompt, listPrompts } from './prompts.ts';
import { listResources, listTemplates, readResource, subscribe, unsubscribe } from './resources.ts';
import { ServerState } from './state.ts';
import { decorate, discover, isModernRequest, requestMeta } from './stateless.ts';
import { LIST_CHANGED, listen, wants, type ListenSub } from './subscriptions.ts';
import { callTool, listTools, toolDefinition } from './tools.ts';
import type { ClientReply, ExpectationResult, MockServerOptions, ObservedMessage } from './types.ts';

// A handler's context names the server and the session it runs in; behaviours.ts declares the rest
// of it, so that it need not import this module.
declare module '../behaviours.ts' {
  interface ServerContext {
    readonly server: MockServer;
    readonly session: ServerSession;
  }
}

const MOCK_SERVER = Symbol.for('mcp-conform.MockServer');

export class MockServer extends ServerState {
  readonly [MOCK_SERVER] = true;
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, MOCK_SERVER);
  }

  readonly sessions = new Set<ServerSession>();
  private nextSession = 1;
  private closed = false;

  constructor(options: MockServerOptions = {}, ...behaviours: BehaviourInput[]) {
    super(options, behaviours);
  }

  /** Prepends overrides, like msw's server.use(); connected clients hear about changed lists. */
  use(...behaviours: BehaviourInput[]): this {
    const added = flattenBehaviours(behaviours);
    const before = this.listSignature();
    this.overrides.unshift(...added);
    this.announceChanges(before);
    return this;
  }

  /** Drops the overrides (and, given behaviours, replaces the initial ones), like msw's resetHandlers(). */
  resetHandlers(...behaviours: BehaviourInput[]): this {
    const before = this.listSignature();
    this.overrides = [];
    if (behaviours.length) this.base = flattenBehaviours(behaviours);
    this.expectations.clear();
    this.announceChanges(before);
    return this;
  }

  private listSignature(): Record<'tools' | 'prompts' | 'resources', string> {
    return {
      tools: JSON.stringify(this.tools().map((t) => [t.name, t.spec.description, t.spec.inputSchema])),
      prompts: JSON.stringify(this.prompts().map((p) => [p.name, p.spec.description, p.spec.arguments])),
      resources: JSON.stringify([...this.resources().map((r) => r.uri), ...this.templates().map((t) => t.uriTemplate)]),
    };
  }

  private announceChanges(before: Record<'tools' | 'prompts' | 'resources', string>): void {
    const after = this.listSignature();
    for (const kind of ['tools', 'prompts', 'resources'] as const) {
      if (before[kind] === after[kind]) continue;
      for (const s of this.sessions) void s.deliver(`notifications/${kind}/list_changed`, undefined, undefined, false).catch(() => {});
    }
  }

  /** Starts serving one connection. */
  async connect(transport: Transport, opts: { wire?: WireLog } = {}): Promise<ServerSession> {
    if (this.closed) throw new Error('mock server is closed');
    this.startedAt ??= performance.now();
    const session = new ServerSession(this, transport, this.nextSession++, opts.wire ?? new WireLog());
    this.sessions.add(session);
    session.peer.onclose = () => {
      session.ended();
      this.sessions.delete(session);
    };
    await session.peer.start();
    session.started();
    return session;
  }

  /** Ends every session: open listen streams get their graceful final result first. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sessions].map((s) => s.close()));
  }

  /** Records an incoming request or notification for expectations. */
  observe(session: ServerSession, method: string, params: JsonObject | undefined): void {
    const at = performance.now() - (this.startedAt ?? performance.now());
    const o: ObservedMessage = { session: session.number, method, at };
    if (params) o.params = params;
    this.observed.push(o);
    if (this.observed.length > (this.options.historyLimit ?? 1000) * 4) this.observed.splice(0, this.observed.length / 2);
    this.expectations.record(this.behaviours, method, params, at);
  }

  /** The verdict on every expectation: met or unmet, with counts. */
  verify(): ExpectationResult[] {
    return this.expectations.verify(this.behaviours);
  }

  /** Throws listing the unmet expectations. */
  assertExpectations(): void {
    const unmet = this.verify().filter((r) => !r.met);
    if (unmet.length) throw new Error(`unmet expectations:\n${unmet.map((u) => `  - ${u.detail}`).join('\n')}`);
  }
}

/** One connection of a MockServer. */
export class ServerSession {
  readonly peer: Peer;
  legacy: LegacyState | undefined;
  logLevel: LoggingLevel;
  readonly subscriptions = new Set<string>();
  readonly listens = new Map<string, ListenSub>();
  private readonly actions = new Actions<RequestCtx>(this);
  private readonly revisions: RevisionRouter;

  constructor(readonly server: MockServer, transport: Transport, readonly number: number, wire: WireLog) {
    this.logLevel = server.options.defaultLogLevel ?? 'debug';
    this.revisions = new RevisionRouter(server, () => this.legacy);
    this.peer = new Peer(transport, {
      role: 'server',
      wire,
      validate: server.options.validate ?? true,
      historyLimit: server.options.historyLimit ?? 1000,
      requestTimeoutMs: server.options.requestTimeoutMs ?? 30_000,
      revisionOf: (m, dir) => this.revisions.revisionOf(m, dir),
    });
    this.peer.setFallbackRequestHandler((params, ctx) => this.handle(params ?? {}, ctx));
    this.peer.setFallbackNotificationHandler((method, params) => this.onNotification(method, params));
  }

  get revision(): Revision | undefined {
    return this.legacy?.revision;
  }

  started(): void {
    void this.fire('after', 'connect', {}, undefined);
  }

  ended(): void {
    this.actions.cancel();
    for (const sub of this.listens.values()) sub.end();
    this.listens.clear();
  }

  /** Ends listen streams gracefully, then closes the connection. */
  async close(): Promise<void> {
    for (const sub of [...this.listens.values()]) sub.end();
    // Let the final listen results reach the transport before it closes.
    await new Promise((r) => setTimeout(r, 10));
    this.ended();
    await this.peer.close();
  }

  /** The revision a legacy initialize settles on: the client's if served, else the newest served. */
  negotiate(requested: unknown): Revision | undefined {
    return negotiate(this.server, requested);
  }

  /** Sends a notification validated against a given revision. */
  async sendNotification(method: string, params: JsonObject | undefined, rev: Revision | undefined): Promise<void> {
    this.revisions.sending = rev;
    try {
      const p = this.peer.notify(method, params);
      this.revisions.sending = undefined;
      await p;
    } finally {
      this.revisions.sending = undefined;
    }
  }

  /** A server→client request (stateful revisions only), recorded in server.clientReplies. */
  async request(method: string, params?: JsonObject, opts: { force?: boolean; timeoutMs?: number } = {}): Promise<JsonObject> {
    const legacy = this.legacy;
    if (!legacy) throw new Error(`${method}: server→client requests need an initialized stateful session (2026-07-28 uses input_required instead)`);
    const need = clientCapabilityFor(method, params);
    if (need && !need.present(legacy.clientCapabilities) && !opts.force) throw new MissingClientCapability(need.name, method);
    const reply = await this.peer.request(method, params, opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});
    const rec: ClientReply = { session: this.number, method, at: performance.now() };
    if (params) rec.params = params;
    if (reply.ok) rec.result = reply.result;
    else rec.error = reply.error;
    this.server.clientReplies.push(rec);
    if (this.server.clientReplies.length > 10_000) this.server.clientReplies.splice(0, 5_000);
    if (!reply.ok) throw new RpcError(reply.error.code, `the client answered ${method} with error ${reply.error.code}: ${reply.error.message}`, reply.error.data);
    return reply.result;
  }

  /**
   * Delivers a server notification the way the protocol allows: list_changed only when declared
   * (and, in 2026-07-28, to listen streams that asked), resources/updated only to subscribers,
   * log messages through the level filter, progress only with a token. `force` sends it anyway.
   */
  async deliver(method: string, params: JsonObject | undefined, ctx: RequestCtx | undefined, force: boolean): Promise<void> {
    if (force) {
      await this.sendNotification(method, params, ctx?.revision);
      return;
    }
    const lc = LIST_CHANGED[method];
    if (lc || method === 'notifications/resources/updated') {
      if (this.legacy) {
        const cap = this.legacy.capabilities;
        if (lc) {
          const c = cap[lc.cap] as { listChanged?: boolean } | undefined;
          if (c?.listChanged) await this.sendNotification(method, params, this.legacy.revision);
        } else if (typeof params?.uri === 'string' && this.subscriptions.has(params.uri)) {
          await this.sendNotification(method, params, this.legacy.revision);
        }
      }
      for (const sub of this.listens.values()) {
        if (!wants(sub, method, params)) continue;
        const meta = { ...(isObject(params?._meta) ? params._meta : {}), [META.subscriptionId]: sub.id };
        await sub.scope.runInAsyncScope(() => this.sendNotification(method, { ...(params ?? {}), _meta: meta }, this.server.statelessRevisions[0]));
      }
      return;
    }
    if (method === 'notifications/message') {
      const level = (params?.level ?? 'info') as LoggingLevel;
      if (ctx) await ctx.log(level, params?.data, typeof params?.logger === 'string' ? params.logger : undefined);
      else await this.log(level, params?.data, typeof params?.logger === 'string' ? params.logger : undefined);
      return;
    }
    if (method === 'notifications/progress') {
      if (!ctx || ctx.progressToken === undefined) return;
      await this.sendNotification(method, { progress: 1, ...(params ?? {}), progressToken: ctx.progressToken }, ctx.revision);
      return;
    }
    await this.sendNotification(method, params, ctx?.revision);
  }

  /** A session-level log message (legacy sessions; 2026-07-28 logs only within a request). */
  async log(level: LoggingLevel, data: unknown, logger?: string): Promise<void> {
    if (!this.legacy || !this.legacy.capabilities.logging) return;
    if (!levelAtLeast(level, this.logLevel)) return;
    await this.sendNotification('notifications/message', logParams(level, data, logger), this.legacy.revision);
  }

  /** Fires a behaviour by id now (e.g. a notify or serverRequest with a trigger that never happens). */
  fireById(id: string): Promise<void> {
    return this.actions.fireById(id);
  }

  /**
   * Runs the behaviours whose trigger matches. 'during' actions run in order and are awaited
   * (the request waits for them); 'after' actions are scheduled once the response is out.
   */
  fire(phase: 'after' | 'during', event: string, params: JsonObject, ctx: RequestCtx | undefined): Promise<void> {
    return this.actions.fire(phase, event, params, ctx);
  }

  toolDefinition(t: ToolBehaviour, rev: Revision): JsonObject {
    return toolDefinition(t, rev);
  }

  private onNotification(method: string, params: JsonObject | undefined): void {
    this.server.observe(this, method, params);
    if (method === 'notifications/initialized' && this.legacy && !this.legacy.initialized) {
      this.legacy.initialized = true;
      void this.fire('after', 'initialized', {}, undefined);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Request dispatch

  private async handle(params: JsonObject, hctx: HandlerContext): Promise<unknown> {
    const method = hctx.method;
    this.server.observe(this, method, params);
    const modern = isModernRequest(this.server, method, params);
    let ctx: RequestCtx;
    if (modern) {
      const m = requestMeta(this.server, params);
      ctx = new RequestCtx(this, hctx, params, m.revision, 'modern', m.clientCapabilities, m.clientInfo, m.logLevel);
    } else {
      if (method === 'initialize') return this.initialize(params);
      if (!this.legacy) {
        if (method === 'ping') return {};
        if (this.server.legacyRevisions.length === 0) throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: missing _meta["io.modelcontextprotocol/protocolVersion"]');
        throw new RpcError(this.server.options.notInitializedCode ?? ErrorCode.InvalidRequest, 'Server not initialized: send initialize first');
      }
      ctx = new RequestCtx(this, hctx, params, this.legacy.revision, 'legacy', this.legacy.clientCapabilities, this.legacy.clientInfo, undefined);
    }
    try {
      if (modern) restoreInput(this.server, this.number, ctx);
      await this.fire('during', method, params, ctx);
      let result: unknown;
      for (const b of this.server.behaviours) {
        if (b.kind !== 'handler' || b.method !== method) continue;
        if (b.match && !matchesSubset(params, b.match)) continue;
        result = await b.handler(params, ctx);
        if (result !== undefined) break;
      }
      if (result === undefined) result = await this.builtin(method, params, ctx);
      this.fire('after', method, params, ctx).catch(() => {});
      return modern ? decorate(this.server, method, result, ctx.revision) : result;
    } catch (err) {
      if (err instanceof InputRequired) {
        if (!modern || !MRTR_METHODS.has(method)) throw new RpcError(ErrorCode.InternalError, `Internal error: ${method} cannot ask the client for input`);
        return inputRequired(this.server, ctx, err.requests);
      }
      if (err instanceof MissingClientCapability) {
        if (modern) throw new RpcError(ErrorCode.MissingRequiredClientCapability, `Server requires the ${err.capability} capability for this request`, { requiredCapabilities: capabilityObject(err.capability) });
        throw new RpcError(ErrorCode.InternalError, `Internal error: ${err.message}`);
      }
      throw err;
    }
  }

  private initialize(params: JsonObject): unknown {
    const { legacy, result } = initialize(this.server, params, this.legacy !== undefined);
    this.legacy = legacy;
    this.peer.revision = legacy.revision;
    this.peer.transport.setProtocolVersion?.(legacy.revision);
    return result;
  }

  private declared(ctx: RequestCtx): Current['ServerCapabilities'] {
    return ctx.era === 'legacy' && this.legacy ? this.legacy.capabilities : this.server.capabilitiesFor(ctx.revision);
  }

  /** The built-in answer to a client request, by method (each in its feature's module). */
  private async builtin(method: string, params: JsonObject, ctx: RequestCtx): Promise<unknown> {
    const info = registry(ctx.revision).get(method);
    if (!info || info.kind !== 'request' || !info.directions.includes('client-to-server')) throw new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
    const gate = info.gates['client-to-server'];
    if (gate && !hasCapability(this.declared(ctx), gate)) throw new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method} (capability ${gate.path.join('.')} not declared)`);
    const server = this.server;
    switch (method) {
      case 'ping':
        return {};
      case 'server/discover':
        return discover(server, ctx.revision);
      case 'logging/setLevel':
        this.logLevel = params.level as LoggingLevel;
        return {};
      case 'tools/list':
        return listTools(server, params, ctx.revision);
      case 'tools/call':
        return callTool(server, params, ctx);
      case 'resources/list':
        return listResources(server, params, ctx.revision);
      case 'resources/templates/list':
        return listTemplates(server, params, ctx.revision);
      case 'resources/read':
        return readResource(server, params, ctx);
      case 'resources/subscribe':
        return subscribe(this.subscriptions, params);
      case 'resources/unsubscribe':
        return unsubscribe(this.subscriptions, params);
      case 'prompts/list':
        return listPrompts(server, params, ctx.revision);
      case 'prompts/get':
        return getPrompt(server, params, ctx);
      case 'completion/complete':
        return complete(server, params, ctx);
      case 'subscriptions/listen':
        return listen(server, this.listens, params, ctx, async (ack) => {
          await this.sendNotification('notifications/subscriptions/acknowledged', ack, ctx.revision);
          this.fire('after', 'subscriptions/listen', params, undefined).catch(() => {});
        });
      default:
        throw new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
    }
  }
}

/** The context a request handler gets (ServerContext). */
export class RequestCtx implements ServerContext {
  readonly input: Record<string, JsonObject> = {};
  readonly method: string;
  readonly id: JsonRpcId;
  readonly signal: AbortSignal;
  readonly progressToken: Current['ProgressToken'] | undefined;
  /** Runs `fn` once this request's response is out. */
  readonly afterResponse: (fn: () => void) => void;
  private lastProgress = -Infinity;

  constructor(
    readonly session: ServerSession,
    hctx: HandlerContext,
    readonly params: JsonObject,
    readonly revision: Revision,
    readonly era: 'legacy' | 'modern',
    readonly clientCapabilities: JsonObject,
    readonly clientInfo: JsonObject | undefined,
    /** 2026-07-28: the level this request asked for (none: no log messages). */
    readonly requestLogLevel: LoggingLevel | undefined,
  ) {
    this.method = hctx.method;
    this.id = hctx.id;
    this.signal = hctx.signal;
    this.progressToken = hctx.progressToken;
    this.afterResponse = hctx.afterResponse ?? ((fn) => queueMicrotask(fn));
  }

  get server(): MockServer {
    return this.session.server;
  }

  private async notifyRaw(method: string, params: JsonObject): Promise<void> {
    // Validated against this request's revision.
    await this.session.sendNotification(method, params, this.revision);
  }

  async log(level: LoggingLevel, data: unknown, logger?: string): Promise<void> {
    if (this.era === 'legacy') return this.session.log(level, data, logger);
    // 2026-07-28: only for requests that set a level, at or above it (server/utilities/logging).
    if (!this.requestLogLevel || !this.server.capabilities().logging) return;
    if (!levelAtLeast(level, this.requestLogLevel)) return;
    await this.notifyRaw('notifications/message', logParams(level, data, logger));
  }

  async progress(progress: number, total?: number, message?: string): Promise<void> {
    if (this.progressToken === undefined) return;
    // Progress MUST increase with each notification (basic/utilities/progress).
    const value = progress > this.lastProgress ? progress : this.lastProgress + 1;
    this.lastProgress = value;
    const p: Current['ProgressNotificationParams'] = { progressToken: this.progressToken, progress: value };
    if (total !== undefined) p.total = total;
    if (message !== undefined && this.revision >= '2025-03-26') p.message = message;
    await this.notifyRaw('notifications/progress', { ...p });
  }

  async notify(method: string, params?: JsonObject): Promise<void> {
    await this.session.deliver(method, params, this, false);
  }

  async ask(k: string, request: InputRequestSpec): Promise<JsonObject> {
    const all = await this.askAll({ [k]: request });
    return all[k]!;
  }

  async askAll(requests: Record<string, InputRequestSpec>): Promise<Record<string, JsonObject>> {
    const out: Record<string, JsonObject> = {};
    if (this.era === 'modern') {
      const missing: Record<string, InputRequestSpec> = {};
      for (const [k, r] of Object.entries(requests)) {
        const have = this.input[k];
        if (have) out[k] = have;
        else {
          const need = clientCapabilityFor(r.method, r.params);
          // Servers MUST NOT ask for input the client has not declared (basic/patterns/mrtr).
          if (need && !need.present(this.clientCapabilities)) throw new MissingClientCapability(need.name, r.method);
          missing[k] = r;
        }
      }
      if (Object.keys(missing).length) throw new InputRequired(missing);
      return out;
    }
    for (const [k, r] of Object.entries(requests)) {
      if (this.input[k]) {
        out[k] = this.input[k];
        continue;
      }
      const result = await this.session.request(r.method, r.params);
      this.input[k] = result;
      out[k] = result;
    }
    return out;
  }

  async elicit(params: JsonObject, k = 'elicitation'): Promise<Current['ElicitResult']> {
    return (await this.ask(k, { method: 'elicitation/create', params })) as unknown as Current['ElicitResult'];
  }

  async sample(params: JsonObject, k = 'sampling'): Promise<Current['CreateMessageResult']> {
    return (await this.ask(k, { method: 'sampling/createMessage', params })) as unknown as Current['CreateMessageResult'];
  }

  async listRoots(k = 'roots'): Promise<Current['ListRootsResult']> {
    return (await this.ask(k, { method: 'roots/list' })) as unknown as Current['ListRootsResult'];
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.signal.aborted) {
        reject(new Error('cancelled'));
        return;
      }
      const t = setTimeout(() => {
        this.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(new Error('cancelled'));
      };
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** A mock server from options and behaviours (msw-style composition). */
export function createMockServer(options: MockServerOptions = {}, ...behaviours: BehaviourInput[]): MockServer {
  return new MockServer(options, ...behaviours);
}
