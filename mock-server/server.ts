// The mock server role: a Peer per connection that speaks every MCP revision. Stateful revisions
// (2024-11-05 … 2025-11-25) get the initialize handshake with version negotiation; 2026-07-28 is
// served statelessly (per-request _meta, server/discover, resultType, input_required, listen
// streams). A server that lists both eras serves both, choosing per request how the client opened.
// What the server offers is a list of behaviour values (behaviours.ts).
import { branded } from './brand.ts';
import { AsyncResource } from 'node:async_hooks';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import { createAjv, ErrorCode, hasCapability, isObject, isRevision, isStateless, loadSchema, LOG_LEVELS, logSeverity, META, registry, REVISIONS, type Current, type JsonRpcId, type Revision, type Stateless } from '../schema/index.ts';
import {
  flattenBehaviours,
  type Behaviour,
  type BehaviourInput,
  type CompletionBehaviour,
  type ExpectationBehaviour,
  type ExpectationSpec,
  type InputRequestSpec,
  type JsonObject,
  type LoggingLevel,
  type PromptBehaviour,
  type ResourceBehaviour,
  type ResourceContents,
  type ResourceTemplateBehaviour,
  type ToolBehaviour,
  type ToolResultValue,
  type Trigger,
} from './behaviours.ts';
import { fillTemplate, matchesSubset, uriTemplate, type UriTemplate } from './match.ts';
import { Peer, RpcError, type HandlerContext, type RpcErrorBody } from './peer.ts';
import type { Transport } from './transport.ts';
import { WireLog } from './wire.ts';

/** Methods that may answer input_required (basic/patterns/mrtr#supported-requests). */
const MRTR_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read']);
const LIST_CHANGED: Record<string, { cap: 'tools' | 'prompts' | 'resources'; filter: Exclude<keyof Stateless['SubscriptionFilter'], 'resourceSubscriptions'> }> = {
  'notifications/tools/list_changed': { cap: 'tools', filter: 'toolsListChanged' },
  'notifications/prompts/list_changed': { cap: 'prompts', filter: 'promptsListChanged' },
  'notifications/resources/list_changed': { cap: 'resources', filter: 'resourcesListChanged' },
};

export interface MockServerOptions {
  serverInfo?: Current['Implementation'];
  /** Declared capabilities; derived from the behaviours when omitted. */
  capabilities?: Current['ServerCapabilities'];
  /**
   * Extensions advertised in the capabilities (2026-07-28 on; earlier revisions have no such
   * field). The mock answers clients that do not declare them with core results.
   */
  extensions?: Record<string, JsonObject>;
  /** Revisions served (default: all). */
  revisions?: readonly Revision[];
  instructions?: string;
  /** Page size of list results (default: everything in one page). */
  pageSize?: number;
  /** Declare the logging capability even without `logs` behaviours. */
  logging?: boolean;
  /** Level in force until a legacy client sends logging/setLevel (default 'debug': everything). */
  defaultLogLevel?: LoggingLevel;
  /** Caching hints of 2026-07-28 cacheable results. */
  cache?: { ttlMs: number; cacheScope: 'public' | 'private' };
  /** Timeout of server→client requests (default 30 s). */
  requestTimeoutMs?: number;
  /** Error code for requests sent before initialize (default -32600). */
  notInitializedCode?: number;
  /** Keep at most this many received messages per session (default 1000). */
  historyLimit?: number;
  /** Validate every message against the revision in use (default true). */
  validate?: boolean;
  /** Key for cursors and requestState integrity (default: random per server). */
  secret?: string;
}

export type ToolCallResult = Current['CallToolResult'];

export interface ServerContext {
  readonly server: MockServer;
  readonly session: ServerSession;
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

/** Thrown (internally) when a 2026-07-28 request needs input: becomes an InputRequiredResult. */
const INPUT_REQUIRED = Symbol.for('mcp-conform.InputRequired');

export class InputRequired extends Error {
  readonly [INPUT_REQUIRED] = true;
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, INPUT_REQUIRED);
  }
  constructor(readonly requests: Record<string, InputRequestSpec>) {
    super('input required');
    this.name = 'InputRequired';
  }
}

/** The client did not declare a capability the request needs. */
export class MissingClientCapability extends Error {
  constructor(readonly capability: string, readonly method: string) {
    super(`the client did not declare the ${capability} capability needed for ${method}`);
    this.name = 'MissingClientCapability';
  }
}

export interface ExpectationResult {
  expectation: ExpectationSpec;
  id?: string;
  met: boolean;
  count: number;
  firstAt?: number;
  detail: string;
}

export interface ClientReply {
  session: number;
  method: string;
  params?: JsonObject;
  result?: JsonObject;
  error?: RpcErrorBody;
  at: number;
}

export interface ObservedMessage {
  session: number;
  method: string;
  params?: JsonObject;
  at: number;
}

function key(id: unknown): string {
  return JSON.stringify(id);
}

function stripUndefined<T extends JsonObject>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/** Keeps only the properties a revision's schema type has (so older clients get what they know). */
const propertySets = new Map<string, Set<string> | null>();
export function fitTo<T>(rev: Revision, typeName: string, value: T): T {
  if (!isObject(value)) return value;
  const k = `${rev}#${typeName}`;
  let props = propertySets.get(k);
  if (props === undefined) {
    const def = loadSchema(rev).defs[typeName];
    const p = def?.properties as Record<string, unknown> | undefined;
    props = p ? new Set(Object.keys(p)) : null;
    propertySets.set(k, props);
  }
  if (!props) return value;
  const out: JsonObject = {};
  for (const [name, v] of Object.entries(value)) if (props.has(name)) out[name] = v;
  return out as T;
}

function levelAtLeast(level: LoggingLevel, min: LoggingLevel): boolean {
  return logSeverity(level) >= logSeverity(min);
}

/** Which client capability a server→client request needs, and whether the client has it. */
function clientCapabilityFor(method: string, params: JsonObject | undefined): { name: string; present: (caps: JsonObject) => boolean } | undefined {
  switch (method) {
    case 'sampling/createMessage':
      return { name: 'sampling', present: (c) => isObject(c.sampling) };
    case 'roots/list':
      return { name: 'roots', present: (c) => isObject(c.roots) };
    case 'elicitation/create': {
      const url = params?.mode === 'url';
      return {
        name: url ? 'elicitation.url' : 'elicitation',
        present: (c) => {
          const e = c.elicitation;
          if (!isObject(e)) return false;
          // An empty elicitation object means form mode only (client/elicitation#capabilities).
          return url ? isObject(e.url) : Object.keys(e).length === 0 || isObject(e.form);
        },
      };
    }
    default:
      return undefined;
  }
}

const MOCK_SERVER = Symbol.for('mcp-conform.MockServer');

export class MockServer {
  readonly [MOCK_SERVER] = true;
  static [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, MOCK_SERVER);
  }

  readonly options: MockServerOptions;
  readonly revisions: readonly Revision[];
  readonly sessions = new Set<ServerSession>();
  /** Problems in the script found while serving (invalid structured content, uncompilable schema…). */
  readonly problems: string[] = [];
  /** Replies clients gave to server→client requests (and MRTR input responses). */
  readonly clientReplies: ClientReply[] = [];
  /** Requests and notifications received, across sessions (bounded). */
  readonly observed: ObservedMessage[] = [];
  startedAt: number | undefined;
  private base: Behaviour[];
  private overrides: Behaviour[] = [];
  private readonly secret: Buffer;
  private readonly expectations = new Map<ExpectationBehaviour, { count: number; firstAt?: number }>();
  private readonly validators = new Map<string, ValidateFunction | null>();
  private nextSession = 1;
  private closed = false;

  constructor(options: MockServerOptions = {}, ...behaviours: BehaviourInput[]) {
    this.options = options;
    const revs = options.revisions ?? REVISIONS;
    for (const r of revs) if (!isRevision(r)) throw new Error(`unknown revision "${String(r)}" (known: ${REVISIONS.join(', ')})`);
    if (revs.length === 0) throw new Error('a mock server needs at least one revision');
    this.revisions = [...revs].sort();
    this.base = flattenBehaviours(behaviours);
    this.secret = options.secret ? createHash('sha256').update(options.secret).digest() : randomBytes(32);
  }

  get serverInfo(): Current['Implementation'] {
    return this.options.serverInfo ?? { name: 'mcp-conform-mock', version: '0.1.0' };
  }

  /** Stateful revisions served, newest first. */
  get legacyRevisions(): Revision[] {
    return this.revisions.filter((r) => !isStateless(r)).reverse();
  }

  get statelessRevisions(): Revision[] {
    return this.revisions.filter((r) => isStateless(r)).reverse();
  }

  /** Behaviours in force: overrides (newest first) before the initial ones. */
  get behaviours(): Behaviour[] {
    return [...this.overrides, ...this.base];
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

  private unique<T extends Behaviour>(kind: T['kind'], keyOf: (b: T) => string): T[] {
    const seen = new Set<string>();
    const out: T[] = [];
    for (const b of this.behaviours) {
      if (b.kind !== kind) continue;
      const k = keyOf(b as T);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(b as T);
    }
    return out;
  }

  tools(): ToolBehaviour[] {
    return this.unique<ToolBehaviour>('tool', (b) => b.name);
  }

  resources(): ResourceBehaviour[] {
    return this.unique<ResourceBehaviour>('resource', (b) => b.uri);
  }

  templates(): ResourceTemplateBehaviour[] {
    return this.unique<ResourceTemplateBehaviour>('resourceTemplate', (b) => b.uriTemplate);
  }

  prompts(): PromptBehaviour[] {
    return this.unique<PromptBehaviour>('prompt', (b) => b.name);
  }

  completions(): CompletionBehaviour[] {
    return this.behaviours.filter((b): b is CompletionBehaviour => b.kind === 'completion');
  }

  /** The capabilities declared (given, or derived from the behaviours). */
  capabilities(): Current['ServerCapabilities'] {
    if (this.options.capabilities) return this.options.capabilities;
    const bs = this.behaviours;
    const caps: Current['ServerCapabilities'] = {};
    if (bs.some((b) => b.kind === 'tool')) caps.tools = { listChanged: true };
    if (bs.some((b) => b.kind === 'resource' || b.kind === 'resourceTemplate')) caps.resources = { subscribe: true, listChanged: true };
    if (bs.some((b) => b.kind === 'prompt')) caps.prompts = { listChanged: true };
    const completes =
      bs.some((b) => b.kind === 'completion') ||
      this.prompts().some((p) => p.spec.complete) ||
      this.templates().some((t) => t.spec.complete);
    if (completes) caps.completions = {};
    if (this.options.logging || bs.some((b) => b.kind === 'logs' || (b.kind === 'notify' && b.method === 'notifications/message'))) caps.logging = {};
    return caps;
  }

  capabilitiesFor(rev: Revision): Current['ServerCapabilities'] {
    const caps = this.options.extensions ? { ...this.capabilities(), extensions: this.options.extensions } : this.capabilities();
    return fitTo(rev, 'ServerCapabilities', caps);
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
    for (const b of this.behaviours) {
      if (b.kind !== 'expect') continue;
      if (b.spec.method !== method) continue;
      if (b.spec.params && !matchesSubset(params ?? {}, b.spec.params)) continue;
      const st = this.expectations.get(b) ?? { count: 0 };
      st.count++;
      st.firstAt ??= at;
      this.expectations.set(b, st);
    }
  }

  /** The verdict on every expectation: met or unmet, with counts. */
  verify(): ExpectationResult[] {
    const out: ExpectationResult[] = [];
    for (const b of this.behaviours) {
      if (b.kind !== 'expect') continue;
      const st = this.expectations.get(b) ?? { count: 0 };
      const spec = b.spec;
      const t = spec.times ?? 1;
      // A number is a minimum; { min, max } bounds both ways (min defaults to 0 there, so { max: 0 } means never).
      const min = typeof t === 'number' ? t : (t.min ?? 0);
      const max = typeof t === 'number' ? Infinity : (t.max ?? Infinity);
      const what = `${spec.method}${spec.params ? ` ${JSON.stringify(spec.params)}` : ''}`;
      let met = st.count >= min && st.count <= max;
      let detail = `${what}: seen ${st.count} time(s), expected ${typeof t === 'number' ? `at least ${min}` : `${min}..${max === Infinity ? '∞' : max}`}`;
      if (met && spec.within !== undefined && min > 0 && (st.firstAt ?? Infinity) > spec.within) {
        met = false;
        detail = `${what}: first seen after ${Math.round(st.firstAt ?? 0)} ms, expected within ${spec.within} ms`;
      } else if (met && spec.within !== undefined && st.firstAt !== undefined) {
        detail += `, first after ${Math.round(st.firstAt)} ms`;
      }
      const r: ExpectationResult = { expectation: spec, met, count: st.count, detail };
      if (b.id) r.id = b.id;
      if (st.firstAt !== undefined) r.firstAt = st.firstAt;
      out.push(r);
    }
    return out;
  }

  /** Throws listing the unmet expectations. */
  assertExpectations(): void {
    const unmet = this.verify().filter((r) => !r.met);
    if (unmet.length) throw new Error(`unmet expectations:\n${unmet.map((u) => `  - ${u.detail}`).join('\n')}`);
  }

  problem(text: string): void {
    if (this.problems.length < 1000 && !this.problems.includes(text)) this.problems.push(text);
  }

  // Integrity-protected opaque tokens (cursors, requestState): payload.signature, base64url.
  sign(payload: unknown): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const mac = createHmac('sha256', this.secret).update(body).digest('base64url').slice(0, 22);
    return `${body}.${mac}`;
  }

  unsign(token: unknown): unknown {
    if (typeof token !== 'string') return undefined;
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1));
    const want = Buffer.from(createHmac('sha256', this.secret).update(body).digest('base64url').slice(0, 22));
    if (mac.length !== want.length || !timingSafeEqual(mac, want)) return undefined;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
  }

  /** ajv validator for a tool's inputSchema (null: the schema does not compile). */
  validatorFor(schema: unknown, rev: Revision): ValidateFunction | null {
    const declared = isObject(schema) && typeof schema.$schema === 'string' ? schema.$schema : undefined;
    // No $schema: 2020-12 from 2025-11-25 on (basic#json-schema-usage), draft-07 before.
    const dialect = declared ? (declared.includes('2020-12') ? '2020-12' : 'draft-07') : rev >= '2025-11-25' ? '2020-12' : 'draft-07';
    const k = `${dialect}:${JSON.stringify(schema)}`;
    if (this.validators.has(k)) return this.validators.get(k) ?? null;
    let fn: ValidateFunction | null = null;
    try {
      const { $schema: _s, ...rest } = (schema ?? {}) as JsonObject;
      fn = createAjv(dialect).compile(rest);
    } catch (err) {
      this.problem(`schema does not compile (${dialect}): ${(err as Error).message}`);
    }
    this.validators.set(k, fn);
    return fn;
  }
}

interface ListenSub {
  id: JsonRpcId;
  filter: Current['ServerCapabilities'] & JsonObject;
  agreed: JsonObject;
  end: () => void;
  /** The listen request's async context: its notifications travel on its stream (HTTP routes by it). */
  scope: AsyncResource;
}

interface LegacyState {
  revision: Revision;
  clientCapabilities: JsonObject;
  clientInfo: JsonObject | undefined;
  capabilities: Current['ServerCapabilities'];
  /** notifications/initialized arrived. */
  initialized: boolean;
}

/** One connection of a MockServer. */
export class ServerSession {
  readonly peer: Peer;
  legacy: LegacyState | undefined;
  logLevel: LoggingLevel;
  readonly subscriptions = new Set<string>();
  readonly listens = new Map<string, ListenSub>();
  private readonly fired = new Map<Behaviour, number>();
  private readonly requestRevisions = new Map<string, Revision>();
  private sendRevision: Revision | undefined;
  /** Async context of the connection, so actions after a response are not routed to its request's stream. */
  private readonly root = new AsyncResource('mcp-conform.ServerSession');
  private timers = new Set<NodeJS.Timeout>();

  constructor(readonly server: MockServer, transport: Transport, readonly number: number, wire: WireLog) {
    this.logLevel = server.options.defaultLogLevel ?? 'debug';
    this.peer = new Peer(transport, {
      role: 'server',
      wire,
      validate: server.options.validate ?? true,
      historyLimit: server.options.historyLimit ?? 1000,
      requestTimeoutMs: server.options.requestTimeoutMs ?? 30_000,
      revisionOf: (m, dir) => this.revisionOf(m, dir),
    });
    this.peer.setFallbackRequestHandler((params, ctx) => this.handle(params ?? {}, ctx));
    this.peer.setFallbackNotificationHandler((method, params) => this.onNotification(method, params));
  }

  get revision(): Revision | undefined {
    return this.legacy?.revision;
  }

  started(): void {
    this.fire('after', 'connect', {}, undefined);
  }

  ended(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
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

  private defaultRevision(): Revision {
    return this.legacy?.revision ?? this.server.legacyRevisions[0] ?? this.server.statelessRevisions[0]!;
  }

  private isModernRequest(method: string, params: unknown): boolean {
    if (method === 'initialize') return false;
    if (this.server.legacyRevisions.length === 0) return true;
    if (this.server.statelessRevisions.length === 0) return false;
    const meta = isObject(params) ? params._meta : undefined;
    return isObject(meta) && Object.hasOwn(meta, META.protocolVersion);
  }

  /** The revision a legacy initialize settles on: the client's if served, else the newest served. */
  negotiate(requested: unknown): Revision | undefined {
    const legacy = this.server.legacyRevisions;
    if (isRevision(requested) && legacy.includes(requested)) return requested;
    return legacy[0];
  }

  private revisionOf(m: unknown, dir: 'send' | 'recv'): Revision | undefined {
    if (!isObject(m)) return this.defaultRevision();
    const hasMethod = typeof m.method === 'string';
    if (dir === 'recv') {
      if (hasMethod && Object.hasOwn(m, 'id')) {
        const method = m.method as string;
        let rev: Revision;
        if (method === 'initialize' && this.server.legacyRevisions.length) rev = this.negotiate(isObject(m.params) ? m.params.protocolVersion : undefined) ?? this.defaultRevision();
        else if (this.isModernRequest(method, m.params)) rev = this.server.statelessRevisions[0]!;
        else rev = this.defaultRevision();
        if (this.requestRevisions.size > 10_000) this.requestRevisions.clear();
        this.requestRevisions.set(key(m.id), rev);
        return rev;
      }
      if (hasMethod && !this.legacy && this.server.statelessRevisions.length && this.server.legacyRevisions.length === 0) return this.server.statelessRevisions[0];
      return this.defaultRevision();
    }
    if (hasMethod) return this.sendRevision ?? this.outgoingRevision();
    const k = key(m.id);
    const rev = this.requestRevisions.get(k);
    this.requestRevisions.delete(k);
    return rev ?? this.defaultRevision();
  }

  private outgoingRevision(): Revision {
    if (this.legacy) return this.legacy.revision;
    return this.server.statelessRevisions[0] ?? this.defaultRevision();
  }

  /** Sends a notification validated against a given revision. */
  async sendNotification(method: string, params: JsonObject | undefined, rev: Revision | undefined): Promise<void> {
    this.sendRevision = rev;
    try {
      const p = this.peer.notify(method, params);
      this.sendRevision = undefined;
      await p;
    } finally {
      this.sendRevision = undefined;
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
        const wanted = lc ? sub.agreed[lc.filter] === true : Array.isArray(sub.agreed.resourceSubscriptions) && (sub.agreed.resourceSubscriptions as unknown[]).includes(params?.uri);
        if (!wanted) continue;
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
    await this.sendNotification('notifications/message', stripUndefined({ level, data, logger }), this.legacy.revision);
  }

  /** Fires a behaviour by id now (e.g. a notify or serverRequest with a trigger that never happens). */
  async fireById(id: string): Promise<void> {
    const b = this.server.behaviours.find((x) => x.id === id);
    if (!b) throw new Error(`no behaviour with id "${id}"`);
    await this.execute(b, {}, undefined);
  }

  private onNotification(method: string, params: JsonObject | undefined): void {
    this.server.observe(this, method, params);
    if (method === 'notifications/initialized' && this.legacy && !this.legacy.initialized) {
      this.legacy.initialized = true;
      this.fire('after', 'initialized', {}, undefined);
    }
  }

  /**
   * Runs the behaviours whose trigger matches. 'during' actions run in order and are awaited
   * (the request waits for them); 'after' actions are scheduled once the response is out.
   */
  async fire(phase: 'after' | 'during', event: string, params: JsonObject, ctx: RequestCtx | undefined): Promise<void> {
    for (const b of this.server.behaviours) {
      if (b.kind !== 'logs' && b.kind !== 'notify' && b.kind !== 'serverRequest' && b.kind !== 'send') continue;
      const t: Trigger = b.when;
      if ((phase === 'after' ? t.after : t.during) !== event) continue;
      if (t.match && !matchesSubset(params, t.match)) continue;
      const n = this.fired.get(b) ?? 0;
      if (t.times !== undefined && n >= t.times) continue;
      this.fired.set(b, n + 1);
      if (phase === 'during') {
        if (t.delayMs) await ctx?.sleep(t.delayMs);
        await this.execute(b, params, ctx);
        continue;
      }
      const run = () =>
        this.root.runInAsyncScope(() => {
          this.execute(b, params, undefined).catch((err: Error) => this.peer.wire.note('send', `action ${b.kind} failed: ${err.message}`));
        });
      // Without a delay the action follows the response at once (no timer: an in-memory client
      // that never yields to the event loop still sees it); with one, a timer.
      const start = () => {
        if (!t.delayMs) {
          run();
          return;
        }
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          run();
        }, t.delayMs);
        this.timers.add(timer);
      };
      if (ctx) ctx.afterResponse(start);
      else start();
    }
  }

  private async execute(b: Behaviour, reqParams: JsonObject, ctx: RequestCtx | undefined): Promise<void> {
    const tctx = { params: reqParams, arguments: reqParams.arguments ?? {}, input: ctx?.input ?? {} };
    switch (b.kind) {
      case 'logs':
        for (const e of b.entries) {
          const data = fillTemplate(e.data, tctx);
          if (ctx) await ctx.log(e.level, data, e.logger);
          else await this.log(e.level, data, e.logger);
        }
        return;
      case 'notify':
        await this.deliver(b.method, b.params === undefined ? undefined : fillTemplate(b.params, tctx), ctx, b.force === true);
        return;
      case 'send':
        await this.peer.send(fillTemplate(b.message, tctx));
        return;
      case 'serverRequest': {
        const params = b.params === undefined ? undefined : fillTemplate(b.params, tctx);
        const request: InputRequestSpec = params === undefined ? { method: b.method } : { method: b.method, params };
        if (ctx && (ctx.era === 'modern' || !b.force)) {
          if (ctx.era === 'modern' && (!MRTR_METHODS.has(ctx.method) || b.method === 'ping')) {
            this.peer.wire.note('send', `serverRequest ${b.method} skipped: ${ctx.method} cannot ask for input in 2026-07-28`);
            return;
          }
          const answer = await ctx.ask(b.id ?? `${b.method}#${this.server.behaviours.indexOf(b)}`, request);
          b.onReply?.(answer, ctx);
          return;
        }
        if (!this.legacy) {
          this.peer.wire.note('send', `serverRequest ${b.method} skipped: no stateful session (2026-07-28 has no server→client requests)`);
          return;
        }
        try {
          const result = await this.request(b.method, params, { force: b.force === true });
          b.onReply?.(result, ctx);
        } catch (err) {
          if (err instanceof RpcError) b.onReply?.({ error: err.toBody() }, ctx);
          else this.peer.wire.note('send', `serverRequest ${b.method}: ${(err as Error).message}`);
        }
        return;
      }
      default:
        return;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Request dispatch

  private async handle(params: JsonObject, hctx: HandlerContext): Promise<unknown> {
    const method = hctx.method;
    this.server.observe(this, method, params);
    const modern = this.isModernRequest(method, params);
    let ctx: RequestCtx;
    if (modern) {
      ctx = this.modernContext(params, hctx);
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
      if (modern) this.restoreInput(ctx);
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
      return modern ? this.decorate(method, result, ctx.revision) : result;
    } catch (err) {
      if (err instanceof InputRequired) {
        if (!modern || !MRTR_METHODS.has(method)) throw new RpcError(ErrorCode.InternalError, `Internal error: ${method} cannot ask the client for input`);
        return this.inputRequired(ctx, err.requests);
      }
      if (err instanceof MissingClientCapability) {
        if (modern) throw new RpcError(ErrorCode.MissingRequiredClientCapability, `Server requires the ${err.capability} capability for this request`, { requiredCapabilities: capabilityObject(err.capability) });
        throw new RpcError(ErrorCode.InternalError, `Internal error: ${err.message}`);
      }
      throw err;
    }
  }

  private modernContext(params: JsonObject, hctx: HandlerContext): RequestCtx {
    const meta = isObject(params._meta) ? params._meta : {};
    const requested = meta[META.protocolVersion];
    if (typeof requested !== 'string') throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: _meta["io.modelcontextprotocol/protocolVersion"] must be a string');
    const stateless = this.server.statelessRevisions;
    if (!isRevision(requested) || !stateless.includes(requested)) {
      throw new RpcError(ErrorCode.UnsupportedProtocolVersion, 'Unsupported protocol version', { supported: [...this.server.revisions].reverse(), requested });
    }
    const caps = meta[META.clientCapabilities];
    if (!isObject(caps)) throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: _meta["io.modelcontextprotocol/clientCapabilities"] is required');
    const level = meta[META.logLevel];
    if (level !== undefined && !LOG_LEVELS.includes(level as LoggingLevel)) throw new RpcError(ErrorCode.InvalidParams, `Invalid params: unknown log level ${JSON.stringify(level)}`);
    const info = meta[META.clientInfo];
    return new RequestCtx(this, hctx, params, requested, 'modern', caps, isObject(info) ? info : undefined, level as LoggingLevel | undefined);
  }

  private initialize(params: JsonObject): unknown {
    const legacyRevs = this.server.legacyRevisions;
    if (legacyRevs.length === 0) {
      // A modern-only server names the versions it speaks (basic/versioning#backward-compatibility…).
      throw new RpcError(ErrorCode.UnsupportedProtocolVersion, `Unsupported protocol version: this server speaks ${this.server.revisions.join(', ')} (no initialize)`, {
        supported: [...this.server.revisions].reverse(),
        requested: typeof params.protocolVersion === 'string' ? params.protocolVersion : String(params.protocolVersion),
      });
    }
    if (this.legacy) throw new RpcError(ErrorCode.InvalidRequest, 'Invalid Request: already initialized');
    const rev = this.negotiate(params.protocolVersion)!;
    const caps = this.server.capabilitiesFor(rev);
    this.legacy = {
      revision: rev,
      clientCapabilities: isObject(params.capabilities) ? params.capabilities : {},
      clientInfo: isObject(params.clientInfo) ? params.clientInfo : undefined,
      capabilities: caps,
      initialized: false,
    };
    this.peer.revision = rev;
    this.peer.transport.setProtocolVersion?.(rev);
    const result: JsonObject = {
      protocolVersion: rev,
      capabilities: caps,
      serverInfo: fitTo(rev, 'Implementation', this.server.serverInfo),
    };
    if (this.server.options.instructions !== undefined) result.instructions = this.server.options.instructions;
    return result;
  }

  /** Fills ctx.input from a verified requestState and the retry's inputResponses. */
  private restoreInput(ctx: RequestCtx): void {
    if (!MRTR_METHODS.has(ctx.method)) return;
    const p = ctx.params;
    if (p.requestState !== undefined) {
      const state = this.server.unsign(p.requestState);
      if (!isObject(state) || state.m !== ctx.method || state.k !== salientDigest(ctx.method, p) || typeof state.e !== 'number' || state.e < Date.now() || !isObject(state.r)) {
        throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: requestState is not valid for this request');
      }
      Object.assign(ctx.input, state.r);
    }
    // basic/patterns/mrtr#error-handling: inputResponses that is no InputResponses object (a map of
    // result objects) is a protocol error, not a missing answer to ask again for.
    if (p.inputResponses !== undefined && (!isObject(p.inputResponses) || !Object.values(p.inputResponses).every(isObject))) {
      throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: inputResponses must map each input request key to its result object');
    }
    if (isObject(p.inputResponses)) {
      for (const [k, v] of Object.entries(p.inputResponses as Record<string, JsonObject>)) {
        ctx.input[k] = v;
        const rec: ClientReply = { session: this.number, method: `input:${k}`, result: v, at: performance.now() };
        this.server.clientReplies.push(rec);
      }
    }
  }

  private inputRequired(ctx: RequestCtx, requests: Record<string, InputRequestSpec>): JsonObject {
    const state = { m: ctx.method, k: salientDigest(ctx.method, ctx.params), e: Date.now() + 10 * 60_000, r: ctx.input };
    const inputRequests: JsonObject = {};
    for (const [k, r] of Object.entries(requests)) inputRequests[k] = r.params === undefined ? { method: r.method } : { method: r.method, params: r.params };
    return { resultType: 'input_required', inputRequests, requestState: this.server.sign(state), _meta: { [META.serverInfo]: this.server.serverInfo } };
  }

  private decorate(method: string, result: unknown, revision: Revision): unknown {
    if (!isObject(result)) return result;
    const out: JsonObject = { ...result };
    out.resultType ??= 'complete';
    out._meta = { ...(isObject(result._meta) ? result._meta : {}), [META.serverInfo]: this.server.serverInfo };
    if (registry(revision).get(method)?.cacheable && out.resultType === 'complete') {
      const cache = this.server.options.cache ?? { ttlMs: 0, cacheScope: 'public' };
      out.ttlMs ??= cache.ttlMs;
      out.cacheScope ??= cache.cacheScope;
    }
    return out;
  }

  private declared(ctx: RequestCtx): Current['ServerCapabilities'] {
    return ctx.era === 'legacy' && this.legacy ? this.legacy.capabilities : this.server.capabilitiesFor(ctx.revision);
  }

  private async builtin(method: string, params: JsonObject, ctx: RequestCtx): Promise<unknown> {
    const info = registry(ctx.revision).get(method);
    if (!info || info.kind !== 'request' || !info.directions.includes('client-to-server')) throw new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
    const gate = info.gates['client-to-server'];
    if (gate && !hasCapability(this.declared(ctx), gate)) throw new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method} (capability ${gate.path.join('.')} not declared)`);
    switch (method) {
      case 'ping':
        return {};
      case 'server/discover': {
        const r: JsonObject = { supportedVersions: [...this.server.revisions].reverse(), capabilities: this.server.capabilitiesFor(ctx.revision) };
        if (this.server.options.instructions !== undefined) r.instructions = this.server.options.instructions;
        return r;
      }
      case 'logging/setLevel':
        this.logLevel = params.level as LoggingLevel;
        return {};
      case 'tools/list':
        return this.page('tools', this.server.tools().map((t) => this.toolDefinition(t, ctx.revision)), params.cursor);
      case 'tools/call':
        return this.callTool(params, ctx);
      case 'resources/list':
        return this.page('resources', this.server.resources().map((r) => fitTo(ctx.revision, 'Resource', stripUndefined({ uri: r.uri, name: r.spec.name ?? r.uri, title: r.spec.title, description: r.spec.description, mimeType: r.spec.mimeType, size: r.spec.size, annotations: r.spec.annotations, icons: r.spec.icons, _meta: r.spec._meta }))), params.cursor);
      case 'resources/templates/list':
        return this.page('resourceTemplates', this.server.templates().map((t) => fitTo(ctx.revision, 'ResourceTemplate', stripUndefined({ uriTemplate: t.uriTemplate, name: t.spec.name ?? t.uriTemplate, title: t.spec.title, description: t.spec.description, mimeType: t.spec.mimeType, annotations: t.spec.annotations, icons: t.spec.icons, _meta: t.spec._meta }))), params.cursor);
      case 'resources/read':
        return this.readResource(params, ctx);
      case 'resources/subscribe':
        // Bounded, so a client cannot grow the server without limit.
        if (this.subscriptions.size >= 10_000 && !this.subscriptions.has(String(params.uri))) throw new RpcError(ErrorCode.InternalError, 'Internal error: too many subscriptions on this connection');
        this.subscriptions.add(String(params.uri));
        return {};
      case 'resources/unsubscribe':
        this.subscriptions.delete(String(params.uri));
        return {};
      case 'prompts/list':
        return this.page('prompts', this.server.prompts().map((p) => fitTo(ctx.revision, 'Prompt', stripUndefined({ name: p.name, title: p.spec.title, description: p.spec.description, arguments: p.spec.arguments, icons: p.spec.icons, _meta: p.spec._meta }))), params.cursor);
      case 'prompts/get':
        return this.getPrompt(params, ctx);
      case 'completion/complete':
        return this.complete(params, ctx);
      case 'subscriptions/listen':
        return this.listen(params, ctx);
      default:
        throw new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
    }
  }

  private page(kind: string, items: unknown[], cursor: unknown): JsonObject {
    const size = this.server.options.pageSize;
    let offset = 0;
    if (cursor !== undefined) {
      const c = this.server.unsign(cursor);
      if (!isObject(c) || c.k !== kind || typeof c.o !== 'number' || !Number.isInteger(c.o) || c.o < 0) throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: invalid cursor');
      offset = c.o;
    }
    if (!size || size <= 0) return { [kind]: items.slice(offset) };
    const slice = items.slice(offset, offset + size);
    const out: JsonObject = { [kind]: slice };
    if (offset + size < items.length) out.nextCursor = this.server.sign({ k: kind, o: offset + size });
    return out;
  }

  toolDefinition(t: ToolBehaviour, rev: Revision): JsonObject {
    // Behaviours are values: a tool's definition per revision never changes, so it is built once.
    let perRev = definitionCache.get(t);
    if (!perRev) definitionCache.set(t, (perRev = new Map()));
    const hit = perRev.get(rev);
    if (hit) return hit;
    const def = this.buildToolDefinition(t, rev);
    perRev.set(rev, def);
    return def;
  }

  private buildToolDefinition(t: ToolBehaviour, rev: Revision): JsonObject {
    const s = t.spec;
    const def = stripUndefined({
      name: t.name,
      title: s.title,
      description: s.description,
      inputSchema: s.inputSchema ?? { type: 'object' },
      outputSchema: s.outputSchema,
      annotations: s.annotations ? fitTo(rev, 'ToolAnnotations', s.annotations) : undefined,
      icons: s.icons,
      execution: s.execution,
      _meta: s._meta,
    } as JsonObject);
    return fitTo(rev, 'Tool', def);
  }

  private async callTool(params: JsonObject, ctx: RequestCtx): Promise<unknown> {
    const name = params.name;
    const t = this.server.tools().find((x) => x.name === name);
    if (!t) throw new RpcError(ErrorCode.InvalidParams, `Unknown tool: ${String(name)}`);
    const s = t.spec;
    const args = isObject(params.arguments) ? params.arguments : {};
    const validate = this.server.validatorFor(s.inputSchema ?? { type: 'object' }, ctx.revision);
    if (validate && !validate(args)) {
      const why = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`).join('; ');
      // 2025-11-25 on: input validation errors are tool execution errors; before: protocol errors (server/tools#error-handling).
      if (ctx.revision >= '2025-11-25') return this.toolResult({ content: [{ type: 'text', text: `Invalid arguments for tool ${t.name}: ${why}` }], isError: true }, t, ctx);
      throw new RpcError(ErrorCode.InvalidParams, `Invalid arguments for tool ${t.name}: ${why}`);
    }
    try {
      if (s.asks) await ctx.askAll(s.asks);
      if (s.progressSteps && ctx.progressToken !== undefined) {
        for (let i = 1; i <= s.progressSteps; i++) {
          await ctx.progress(i, s.progressSteps, `step ${i} of ${s.progressSteps}`);
          if (s.delayMs) await ctx.sleep(s.delayMs / s.progressSteps);
        }
      } else if (s.delayMs) {
        await ctx.sleep(s.delayMs);
      }
      const tctx = { arguments: args, input: ctx.input, params };
      if (s.error) throw new RpcError(s.error.code, fillTemplate(s.error.message, tctx), fillTemplate(s.error.data, tctx));
      let value: ToolResultValue;
      if (s.handler) value = await s.handler(args, ctx);
      else if (s.result !== undefined) value = fillTemplate(s.result, tctx);
      else value = { content: [] };
      return this.toolResult(value, t, ctx);
    } catch (err) {
      if (err instanceof RpcError || err instanceof InputRequired || err instanceof MissingClientCapability) throw err;
      if (ctx.signal.aborted) throw err;
      return this.toolResult({ content: [{ type: 'text', text: `Tool ${t.name} failed: ${(err as Error)?.message ?? String(err)}` }], isError: true }, t, ctx);
    }
  }

  private toolResult(value: ToolResultValue, t: ToolBehaviour, ctx: RequestCtx): JsonObject {
    let r: JsonObject;
    if (typeof value === 'string') r = { content: [{ type: 'text', text: value }] };
    else if (isObject(value)) r = { ...value };
    else r = { content: [{ type: 'text', text: JSON.stringify(value) }] };
    if (!Array.isArray(r.content)) {
      // Structured results SHOULD also carry their JSON as text, for clients that do not read them.
      r.content = r.structuredContent !== undefined ? [{ type: 'text', text: JSON.stringify(r.structuredContent) }] : [];
    }
    if (t.spec.outputSchema && !r.isError && ctx.revision >= '2025-06-18') {
      if (r.structuredContent === undefined) this.server.problem(`tool ${t.name} declares an outputSchema but returned no structuredContent`);
      else {
        const v = this.server.validatorFor(t.spec.outputSchema, ctx.revision);
        if (v && !v(r.structuredContent)) this.server.problem(`tool ${t.name}: structuredContent does not match its outputSchema: ${(v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
      }
    }
    return fitTo(ctx.revision, 'CallToolResult', r);
  }

  private notFound(uri: string, ctx: RequestCtx): RpcError {
    // -32002 until 2025-11-25; -32602 from 2026-07-28 (server/resources#error-handling).
    const code = isStateless(ctx.revision) ? ErrorCode.InvalidParams : ErrorCode.ResourceNotFound;
    return new RpcError(code, 'Resource not found', { uri });
  }

  private contents(value: ResourceContents[] | string, uri: string, mimeType: string | undefined): ResourceContents[] {
    if (typeof value === 'string') return [stripUndefined({ uri, mimeType: mimeType ?? 'text/plain', text: value })];
    return value;
  }

  private async readResource(params: JsonObject, ctx: RequestCtx): Promise<unknown> {
    const uri = String(params.uri);
    const r = this.server.resources().find((x) => x.uri === uri);
    if (r) {
      const s = r.spec;
      if (s.asks) await ctx.askAll(s.asks);
      let contents: ResourceContents[];
      if (s.handler) contents = this.contents(await s.handler(uri, ctx), uri, s.mimeType);
      else if (s.contents) contents = fillTemplate(s.contents, { uri, input: ctx.input });
      else if (s.blob !== undefined) contents = [stripUndefined({ uri, mimeType: s.mimeType ?? 'application/octet-stream', blob: s.blob })];
      else contents = this.contents(fillTemplate(s.text ?? '', { uri, input: ctx.input }), uri, s.mimeType);
      return { contents };
    }
    for (const t of this.server.templates()) {
      const vars = compiledTemplate(t.uriTemplate).match(uri);
      if (!vars) continue;
      const s = t.spec;
      if (s.asks) await ctx.askAll(s.asks);
      const tctx = { uri, vars, input: ctx.input };
      let contents: ResourceContents[];
      if (s.handler) contents = this.contents(await s.handler(uri, vars, ctx), uri, s.mimeType);
      else if (s.blob !== undefined) contents = [stripUndefined({ uri, mimeType: s.mimeType ?? 'application/octet-stream', blob: fillTemplate(s.blob, tctx) })];
      else if (s.text !== undefined) contents = this.contents(fillTemplate(s.text, tctx), uri, s.mimeType);
      else continue;
      return { contents };
    }
    throw this.notFound(uri, ctx);
  }

  private async getPrompt(params: JsonObject, ctx: RequestCtx): Promise<unknown> {
    const p = this.server.prompts().find((x) => x.name === params.name);
    if (!p) throw new RpcError(ErrorCode.InvalidParams, `Invalid params: unknown prompt ${JSON.stringify(params.name)}`);
    const args = (isObject(params.arguments) ? params.arguments : {}) as Record<string, string>;
    const missing = (p.spec.arguments ?? []).filter((a) => a.required && typeof args[a.name] !== 'string').map((a) => a.name);
    if (missing.length) throw new RpcError(ErrorCode.InvalidParams, `Invalid params: missing required argument(s) ${missing.join(', ')}`);
    if (p.spec.asks) await ctx.askAll(p.spec.asks);
    let result: JsonObject;
    if (p.spec.handler) {
      const v = await p.spec.handler(args, ctx);
      result = Array.isArray(v) ? { messages: v } : { ...v };
    } else {
      result = { messages: fillTemplate(p.spec.messages ?? [], { arguments: args, input: ctx.input }) };
    }
    if (p.spec.description !== undefined && result.description === undefined) result.description = p.spec.description;
    return result;
  }

  private async complete(params: JsonObject, ctx: RequestCtx): Promise<unknown> {
    const ref = isObject(params.ref) ? params.ref : {};
    const arg = isObject(params.argument) ? params.argument : {};
    const name = String(arg.name ?? '');
    const value = String(arg.value ?? '');
    const context = (isObject(params.context) && isObject(params.context.arguments) ? params.context.arguments : {}) as Record<string, string>;
    let candidates: string[] | undefined;
    const matchRef = (b: CompletionBehaviour) =>
      b.argument === name && b.ref.type === ref.type && ((b.ref.type === 'ref/prompt' && b.ref.name === ref.name) || (b.ref.type === 'ref/resource' && b.ref.uri === ref.uri));
    const behaviour = this.server.completions().find(matchRef);
    if (ref.type === 'ref/prompt') {
      const p = this.server.prompts().find((x) => x.name === ref.name);
      if (!p) throw new RpcError(ErrorCode.InvalidParams, `Invalid params: unknown prompt ${JSON.stringify(ref.name)}`);
      candidates = p.spec.complete?.[name];
    } else if (ref.type === 'ref/resource') {
      const t = this.server.templates().find((x) => x.uriTemplate === ref.uri);
      if (!t && !this.server.resources().some((r) => r.uri === ref.uri)) throw new RpcError(ErrorCode.InvalidParams, `Invalid params: unknown resource template ${JSON.stringify(ref.uri)}`);
      candidates = t?.spec.complete?.[name];
    } else {
      throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: ref.type must be ref/prompt or ref/resource');
    }
    if (behaviour) candidates = typeof behaviour.values === 'function' ? await behaviour.values(value, ctx, context) : behaviour.values;
    const all = (candidates ?? []).filter((v) => v.toLowerCase().startsWith(value.toLowerCase()));
    const values = all.slice(0, 100);
    return { completion: { values, total: all.length, hasMore: all.length > values.length } };
  }

  private async listen(params: JsonObject, ctx: RequestCtx): Promise<unknown> {
    if (this.listens.size >= 1_000) throw new RpcError(ErrorCode.InternalError, 'Internal error: too many open subscriptions on this connection');
    const filter = (isObject(params.notifications) ? params.notifications : {}) as ListenSub['filter'];
    const caps = this.server.capabilitiesFor(ctx.revision);
    const agreed: JsonObject = {};
    if (filter.toolsListChanged === true && caps.tools?.listChanged) agreed.toolsListChanged = true;
    if (filter.promptsListChanged === true && caps.prompts?.listChanged) agreed.promptsListChanged = true;
    if (filter.resourcesListChanged === true && caps.resources?.listChanged) agreed.resourcesListChanged = true;
    if (Array.isArray(filter.resourceSubscriptions) && caps.resources?.subscribe) agreed.resourceSubscriptions = filter.resourceSubscriptions.filter((u) => typeof u === 'string');
    const id = ctx.id;
    let resolveListen: (v: unknown) => void = () => {};
    const done = new Promise((r) => (resolveListen = r));
    const sub: ListenSub = {
      id,
      filter,
      agreed,
      end: () => {
        this.listens.delete(key(id));
        resolveListen({ _meta: { [META.subscriptionId]: id } });
      },
      scope: new AsyncResource('mcp-conform.listen'),
    };
    ctx.signal.addEventListener('abort', () => {
      this.listens.delete(key(id));
      resolveListen(undefined);
    });
    // Registered before the acknowledgement is queued, so no notification can overtake it and
    // none sent after it is missed (basic/patterns/subscriptions#acknowledgment).
    this.listens.set(key(id), sub);
    await this.sendNotification('notifications/subscriptions/acknowledged', { _meta: { [META.subscriptionId]: id }, notifications: agreed }, ctx.revision);
    this.fire('after', 'subscriptions/listen', params, undefined).catch(() => {});
    return done;
  }
}

const definitionCache = new WeakMap<ToolBehaviour, Map<Revision, JsonObject>>();
const templates = new Map<string, UriTemplate>();
function compiledTemplate(t: string): UriTemplate {
  let c = templates.get(t);
  if (!c) {
    c = uriTemplate(t);
    templates.set(t, c);
  }
  return c;
}

/** What a requestState is bound to: the method and the parameters that identify the request. */
function salientDigest(method: string, params: JsonObject): string {
  const salient = method === 'resources/read' ? { uri: params.uri } : { name: params.name, arguments: params.arguments ?? {} };
  return createHash('sha256').update(`${method}\n${JSON.stringify(salient)}`).digest('base64url').slice(0, 22);
}

function capabilityObject(path: string): JsonObject {
  const [head, sub] = path.split('.');
  return { [head ?? path]: sub ? { [sub]: {} } : {} };
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
    await this.notifyRaw('notifications/message', stripUndefined({ level, data, logger }));
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
