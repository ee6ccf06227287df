// One JSON-RPC endpoint over a Transport, for either role: correlates requests and responses,
// dispatches incoming requests and notifications to handlers, answers bad input the way
// JSON-RPC and MCP say, validates every message in both directions against the negotiated
// revision, and records the wire. Both the mock server and the mock client stand on it.
import { branded } from './brand.ts';
import { classify, ErrorCode, isObject, type Classified, type Current, type Direction, type JsonRpcError, type JsonRpcId, type Revision, type Violation } from '../schema/index.ts';
import { isRawFrame, type FrameInfo, type Transport } from './transport.ts';
import { WireLog } from './wire.ts';

/** The JSON-RPC error object (schema/: JsonRpcError), under the name the engine's API has used. */
export type RpcErrorBody = JsonRpcError;

const RPC_ERROR = Symbol.for('mcp-conform.RpcError');

/** Thrown by a handler to answer with a JSON-RPC error. */
export class RpcError extends Error {
  readonly [RPC_ERROR] = true;
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, RPC_ERROR);
  }
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    // An answer, not a bug: no stack trace (capturing one dominates the cost of error replies).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'RpcError';
  }
  toBody(): RpcErrorBody {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
  }
}

export class TimeoutError extends Error {
  constructor(what: string, readonly ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

export class ClosedError extends Error {
  constructor(what: string, reason: string) {
    super(`${what}: connection closed (${reason})`);
    this.name = 'ClosedError';
  }
}

export type Reply<R = Record<string, unknown>> =
  | { ok: true; id: JsonRpcId; result: R; message: Record<string, unknown> }
  | { ok: false; id: JsonRpcId | null; error: RpcErrorBody; message: Record<string, unknown> };

export interface RequestOptions {
  timeoutMs?: number;
  /** Use this id instead of the next counter value (ids 0, "" and strings are legal). */
  id?: JsonRpcId;
  /** Adds _meta.progressToken and routes notifications/progress for it here. */
  onprogress?: (params: Record<string, unknown>) => void;
  /** On timeout, send notifications/cancelled for the request (what a polite client does). */
  cancelOnTimeout?: boolean;
  signal?: AbortSignal;
}

export interface HandlerContext {
  id: JsonRpcId;
  method: string;
  /** Aborted when the other side cancels the request. */
  signal: AbortSignal;
  peer: Peer;
  /** The progressToken the requester asked for, if any. */
  progressToken?: Current['ProgressToken'];
  /** _meta of the request. */
  meta?: Record<string, unknown>;
  /** Runs `fn` once the response (result or error) has been handed to the transport. */
  afterResponse?(fn: () => void): void;
}

export type RequestHandler = (params: Record<string, unknown> | undefined, ctx: HandlerContext) => unknown | Promise<unknown>;
export type NotificationHandler = (params: Record<string, unknown> | undefined, peer: Peer) => void | Promise<void>;

export interface ViolationReport {
  dir: 'send' | 'recv';
  message: unknown;
  classified: Classified;
  violations: Violation[];
}

export interface PeerOptions {
  role: 'client' | 'server';
  /** Revision to validate against; set it after negotiation with `peer.revision = …`. */
  revision?: Revision;
  requestTimeoutMs?: number;
  wire?: WireLog;
  /** Validate every message against the revision (default true). */
  validate?: boolean;
  /** Answer requests whose params break the schema with -32602 before the handler runs (default: server role). */
  rejectInvalidParams?: boolean;
  /** Answer non-JSON frames with a -32700 error (default true). */
  answerMalformed?: boolean;
  /** Picks the revision each message is validated against (a server serving several eras at once); replaces `revision` when set. */
  revisionOf?: (message: unknown, dir: 'send' | 'recv') => Revision | undefined;
  /** Keep at most this many entries in `received`, `violations` and `unsolicited` (default: all), so a long-lived peer stays bounded. */
  historyLimit?: number;
  /** The id of the first request (default 1); later ones count up from it. */
  firstId?: number;
  /**
   * Names messages that belong to another conversation (a response to an id another connection
   * sent): it returns a note, and the message is logged with it and kept in `strays`, but is not
   * validated, matched, waited for or answered. Default: none is.
   */
  strayNote?: (message: Record<string, unknown>, info: FrameInfo) => string | undefined;
}

interface Pending {
  method: string;
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  progressToken?: Current['ProgressToken'];
}

interface Waiter {
  pred: (msg: Record<string, unknown>) => boolean;
  resolve: (msg: Record<string, unknown>) => void;
}

const key = (id: unknown) => JSON.stringify(id);

export class Peer {
  private wireLog: WireLog;
  readonly role: 'client' | 'server';
  revision: Revision | undefined;
  requestTimeoutMs: number;
  /** Every schema violation seen, in both directions (bounded by historyLimit, see remember()). */
  readonly violations: ViolationReport[] = [];
  /** Every parsed message received, in order. */
  readonly received: Record<string, unknown>[] = [];
  /** Responses whose id matched no pending request. */
  readonly unsolicited: Record<string, unknown>[] = [];
  /** Messages set aside by the strayNote option (bounded by historyLimit). */
  readonly strays: Record<string, unknown>[] = [];
  closed = false;
  closeReason = '';

  onviolation?: (v: ViolationReport) => void;
  /** Called for every incoming message before dispatch. */
  onincoming?: (msg: Record<string, unknown>, info: FrameInfo) => void;
  onclose?: (reason: string) => void;
  revisionOf?: (message: unknown, dir: 'send' | 'recv') => Revision | undefined;

  private nextId: number;
  private strayNote: PeerOptions['strayNote'];
  private readonly pending = new Map<string, Pending>();
  private readonly inflight = new Map<string, AbortController>();
  private readonly requestHandlers = new Map<string, RequestHandler>();
  private readonly notificationHandlers = new Map<string, NotificationHandler>();
  private fallbackRequest?: RequestHandler;
  private fallbackNotification?: (method: string, params: Record<string, unknown> | undefined) => void;
  private waiters = new Set<Waiter>();
  private readonly progressHandlers = new Map<string, (p: Record<string, unknown>) => void>();
  private readonly opts: Required<Pick<PeerOptions, 'validate' | 'rejectInvalidParams' | 'answerMalformed'>>;
  private readonly historyLimit: number;

  constructor(readonly transport: Transport, options: PeerOptions) {
    this.role = options.role;
    this.revision = options.revision;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.wireLog = options.wire ?? new WireLog();
    if (options.revisionOf) this.revisionOf = options.revisionOf;
    this.historyLimit = options.historyLimit ?? Infinity;
    this.nextId = options.firstId ?? 1;
    this.strayNote = options.strayNote;
    this.opts = {
      validate: options.validate ?? true,
      rejectInvalidParams: options.rejectInvalidParams ?? options.role === 'server',
      answerMalformed: options.answerMalformed ?? true,
    };
    transport.onmessage = (m, info) => this.incoming(m, info);
    transport.onmalformed = (raw, err) => this.malformed(raw, err);
    transport.onclose = (reason) => this.closedBy(reason);
    transport.onerror = (err) => this.wire.note('recv', `transport error: ${err.message}`);
    transport.onnote = (note) => this.wire.note('recv', note);
  }

  /** Where this peer records what it sends and receives. */
  get wire(): WireLog {
    return this.wireLog;
  }

  /** Requests still waiting for an answer, either way, and waits for a message still open. */
  get busy(): number {
    return this.pending.size + this.inflight.size + this.waiters.size;
  }

  /**
   * Hands the peer to a new owner (a session shared by checks, one after the other): from now on
   * it records into `wire`, sets aside strays by the new rule, and its histories start empty.
   */
  handOver(wire: WireLog, strayNote?: PeerOptions['strayNote']): void {
    this.wireLog = wire;
    this.strayNote = strayNote;
    for (const list of [this.violations, this.received, this.unsolicited, this.strays]) list.length = 0;
  }

  /** Direction of messages this peer sends. */
  get outgoing(): Direction {
    return this.role === 'client' ? 'client-to-server' : 'server-to-client';
  }

  get incomingDirection(): Direction {
    return this.role === 'client' ? 'server-to-client' : 'client-to-server';
  }

  async start(): Promise<void> {
    await this.transport.start();
  }

  setRequestHandler(method: string, handler: RequestHandler): this {
    this.requestHandlers.set(method, handler);
    return this;
  }

  removeRequestHandler(method: string): this {
    this.requestHandlers.delete(method);
    return this;
  }

  setNotificationHandler(method: string, handler: NotificationHandler): this {
    this.notificationHandlers.set(method, handler);
    return this;
  }

  /** Handles requests no specific handler takes (default: -32601). */
  setFallbackRequestHandler(handler: RequestHandler | undefined): this {
    this.fallbackRequest = handler;
    return this;
  }

  setFallbackNotificationHandler(handler: ((method: string, params: Record<string, unknown> | undefined) => void) | undefined): this {
    this.fallbackNotification = handler;
    return this;
  }

  /** Sends any message or raw frame as-is (recorded and validated like the rest). */
  async send(message: unknown): Promise<void> {
    if (isRawFrame(message)) {
      const raw = typeof message.raw === 'string' ? message.raw : Buffer.from(message.raw).toString('utf8');
      this.wire.record({ dir: 'send', raw });
    } else {
      this.wire.record({ dir: 'send', msg: message });
      this.check('send', message);
    }
    await this.transport.send(message);
  }

  /** Sends a request and waits for its response (an error response is a Reply, not a throw). */
  request<R = Record<string, unknown>>(method: string, params?: Record<string, unknown>, opts: RequestOptions = {}): Promise<Reply<R>> {
    if (this.closed) return Promise.reject(new ClosedError(method, this.closeReason));
    const id = opts.id ?? this.nextId++;
    let sentParams = params;
    let progressToken: Current['ProgressToken'] | undefined;
    if (opts.onprogress) {
      progressToken = `p-${key(id)}-${Math.random().toString(36).slice(2, 8)}`;
      const meta = isObject(params?._meta) ? params._meta : {};
      sentParams = { ...(params ?? {}), _meta: { ...meta, progressToken } };
      this.progressHandlers.set(key(progressToken), opts.onprogress);
    }
    const message: Record<string, unknown> = { jsonrpc: '2.0', id, method };
    if (sentParams !== undefined) message.params = sentParams;
    const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs;
    return new Promise<Reply<R>>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(key(id));
        if (progressToken !== undefined) this.progressHandlers.delete(key(progressToken));
      };
      const timer = setTimeout(() => {
        done();
        if (opts.cancelOnTimeout && method !== 'initialize') {
          void this.notify('notifications/cancelled', { requestId: id, reason: 'timeout' }).catch(() => {});
        }
        reject(new TimeoutError(`${method} (id ${key(id)})`, timeoutMs));
      }, timeoutMs);
      opts.signal?.addEventListener('abort', () => {
        done();
        reject(new Error(`${method} aborted`));
      });
      const entry: Pending = {
        method,
        timer,
        resolve: (r) => {
          done();
          resolve(r as Reply<R>);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      if (progressToken !== undefined) entry.progressToken = progressToken;
      this.pending.set(key(id), entry);
      this.send(message).catch((err: Error) => entry.reject(err));
    });
  }

  async notify(method: string, params?: Record<string, unknown>): Promise<void> {
    const message: Record<string, unknown> = { jsonrpc: '2.0', method };
    if (params !== undefined) message.params = params;
    await this.send(message);
  }

  /** Method of the pending request with this id, if any (used to validate responses). */
  pendingMethod(id: unknown): string | undefined {
    return this.pending.get(key(id))?.method;
  }

  /** Resolves with the next received message matching pred (messages already received count if `includePast`). */
  waitFor(pred: (msg: Record<string, unknown>) => boolean, timeoutMs: number, opts: { includePast?: boolean; what?: string } = {}): Promise<Record<string, unknown>> {
    if (opts.includePast) {
      const hit = this.received.find(pred);
      if (hit) return Promise.resolve(hit);
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          this.waiters.delete(w);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new TimeoutError(opts.what ?? 'waiting for a message', timeoutMs));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /** Waits `ms` and returns what arrived meanwhile (to show that nothing did). */
  async collect(ms: number, pred: (msg: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>[]> {
    const start = this.received.length;
    await new Promise((r) => setTimeout(r, ms));
    return this.received.slice(start).filter(pred);
  }

  async close(): Promise<void> {
    if (!this.closed) this.closedBy('closed locally');
    await this.transport.close();
  }

  private closedBy(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.wire.note('recv', `connection closed: ${reason}`);
    for (const p of [...this.pending.values()]) p.reject(new ClosedError(p.method, reason));
    for (const c of this.inflight.values()) c.abort();
    this.onclose?.(reason);
  }

  private remember<T>(list: T[], item: T): void {
    list.push(item);
    // Trimmed in bulk (amortised O(1)): at most twice the limit is ever held.
    if (list.length >= this.historyLimit * 2) list.splice(0, list.length - this.historyLimit);
  }

  private check(dir: 'send' | 'recv', message: unknown): Classified | undefined {
    const revision = this.revisionOf ? this.revisionOf(message, dir) : this.revision;
    if (!this.opts.validate || !revision) return undefined;
    const direction = dir === 'send' ? this.outgoing : this.incomingDirection;
    // For responses, the request they answer was sent the other way.
    const requestMethod = (id: JsonRpcId) => (dir === 'recv' ? this.pending.get(key(id))?.method : this.inflightMethods.get(key(id)));
    const c = classify(revision, message, { direction, requestMethod });
    if (c.violations.length) {
      const v: ViolationReport = { dir, message, classified: c, violations: c.violations };
      this.remember(this.violations, v);
      this.onviolation?.(v);
    }
    return c;
  }

  private readonly inflightMethods = new Map<string, string>();

  private malformed(raw: string, err: Error): void {
    this.wire.record({ dir: 'recv', raw, note: `not JSON: ${err.message}` });
    if (this.opts.answerMalformed) {
      void this.send({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.ParseError, message: 'Parse error' } }).catch(() => {});
    }
  }

  private incoming(raw: unknown, info: FrameInfo): void {
    const entry: { dir: 'recv'; msg: unknown; note?: string } = { dir: 'recv', msg: raw };
    if (info.note) entry.note = info.note;
    const stray = this.strayNote && isObject(raw) ? this.strayNote(raw, info) : undefined;
    if (stray !== undefined) {
      this.wire.record({ ...entry, note: entry.note ? `${entry.note}; ${stray}` : stray });
      this.remember(this.strays, raw as Record<string, unknown>);
      return;
    }
    this.wire.record(entry);
    if (Array.isArray(raw)) {
      this.check('recv', raw);
      void this.batch(raw);
      return;
    }
    if (!isObject(raw)) {
      this.check('recv', raw);
      void this.replyError(null, ErrorCode.InvalidRequest, 'Invalid Request: not an object');
      return;
    }
    const c = this.check('recv', raw);
    this.remember(this.received, raw);
    this.onincoming?.(raw, info);
    for (const w of [...this.waiters]) if (w.pred(raw)) w.resolve(raw);

    if (typeof raw.method === 'string') {
      if (Object.hasOwn(raw, 'id')) void this.handleRequest(raw, c);
      else this.handleNotification(raw);
      return;
    }
    if (Object.hasOwn(raw, 'result') || Object.hasOwn(raw, 'error')) {
      const p = this.pending.get(key(raw.id));
      if (!p) {
        this.remember(this.unsolicited, raw);
        return;
      }
      if (Object.hasOwn(raw, 'error') && isObject(raw.error)) {
        p.resolve({ ok: false, id: raw.id as JsonRpcId, error: raw.error as unknown as RpcErrorBody, message: raw });
      } else {
        p.resolve({ ok: true, id: raw.id as JsonRpcId, result: (raw.result ?? {}) as Record<string, unknown>, message: raw });
      }
      return;
    }
    // Echo the id only when it is a valid one (JSON-RPC 2.0 section 5: null when it cannot be read).
    const id = typeof raw.id === 'string' || (typeof raw.id === 'number' && Number.isInteger(raw.id)) ? raw.id : null;
    void this.replyError(id, ErrorCode.InvalidRequest, 'Invalid Request');
  }

  private async batch(items: unknown[]): Promise<void> {
    // Batches are answered item by item (2025-03-26 allowed them; later revisions removed them).
    if (items.length === 0) {
      await this.replyError(null, ErrorCode.InvalidRequest, 'Invalid Request: empty batch');
      return;
    }
    for (const it of items) {
      // A batch inside a batch is one invalid request, not another batch.
      if (Array.isArray(it)) await this.replyError(null, ErrorCode.InvalidRequest, 'Invalid Request: nested batch');
      else this.incoming(it, { raw: JSON.stringify(it) });
    }
  }

  private handleNotification(msg: Record<string, unknown>): void {
    const method = msg.method as string;
    const params = isObject(msg.params) ? msg.params : undefined;
    // The initialize request MUST NOT be cancelled: a cancellation of it is ignored (invalid
    // cancellations SHOULD be), so the handshake still completes.
    if (method === 'notifications/cancelled' && params && this.inflightMethods.get(key(params.requestId)) !== 'initialize') {
      this.inflight.get(key(params.requestId))?.abort();
    }
    if (method === 'notifications/progress' && params) {
      this.progressHandlers.get(key(params.progressToken))?.(params);
    }
    const h = this.notificationHandlers.get(method);
    try {
      if (h) void Promise.resolve(h(params, this)).catch((err: Error) => this.wire.note('recv', `notification handler failed: ${err.message}`));
      else this.fallbackNotification?.(method, params);
    } catch (err) {
      this.wire.note('recv', `notification handler failed: ${(err as Error).message}`);
    }
  }

  private async handleRequest(msg: Record<string, unknown>, c: Classified | undefined): Promise<void> {
    const id = msg.id as JsonRpcId;
    const method = msg.method as string;
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isInteger(id))) {
      await this.replyError(null, ErrorCode.InvalidRequest, 'Invalid Request: id must be a string or an integer');
      return;
    }
    const handler = this.requestHandlers.get(method) ?? this.fallbackRequest;
    if (!handler) {
      await this.replyError(id, ErrorCode.MethodNotFound, `Method not found: ${method}`);
      return;
    }
    // A request whose envelope is wrong (jsonrpc other than "2.0") is an Invalid Request (JSON-RPC 2.0 section 5.1).
    if (this.opts.rejectInvalidParams && c?.violations.some((v) => v.pointer === '/jsonrpc')) {
      await this.replyError(id, ErrorCode.InvalidRequest, 'Invalid Request: jsonrpc must be "2.0"');
      return;
    }
    if (this.opts.rejectInvalidParams && c && c.info && c.violations.length) {
      const bad = c.violations.filter((v) => v.pointer.startsWith('/params') || v.pointer === '');
      if (bad.length) {
        await this.replyError(id, ErrorCode.InvalidParams, `Invalid params: ${bad.map((v) => `${v.pointer || '/'} ${v.message}`).join('; ')}`);
        return;
      }
    }
    const params = isObject(msg.params) ? msg.params : undefined;
    const controller = new AbortController();
    this.inflight.set(key(id), controller);
    this.inflightMethods.set(key(id), method);
    const meta = isObject(params?._meta) ? params._meta : undefined;
    const after: (() => void)[] = [];
    const ctx: HandlerContext = { id, method, signal: controller.signal, peer: this, afterResponse: (fn) => void after.push(fn) };
    if (meta) ctx.meta = meta;
    const token = meta?.progressToken;
    if (typeof token === 'string' || typeof token === 'number') ctx.progressToken = token;
    let answered = false;
    try {
      const result = await handler(params, ctx);
      // A cancelled request gets no response (basic/utilities/cancellation).
      if (!controller.signal.aborted) {
        await this.send({ jsonrpc: '2.0', id, result: result ?? {} });
        answered = true;
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      if (err instanceof RpcError) await this.send({ jsonrpc: '2.0', id, error: err.toBody() }).catch(() => {});
      else await this.replyError(id, ErrorCode.InternalError, `Internal error: ${(err as Error)?.message ?? String(err)}`);
      answered = true;
    } finally {
      this.inflight.delete(key(id));
      this.inflightMethods.delete(key(id));
    }
    if (answered) {
      for (const fn of after) {
        try {
          fn();
        } catch (err) {
          this.wire.note('send', `after-response action failed: ${(err as Error).message}`);
        }
      }
    }
  }

  private async replyError(id: JsonRpcId | null, code: number, message: string): Promise<void> {
    if (this.closed) return;
    await this.send({ jsonrpc: '2.0', id, error: { code, message } }).catch(() => {});
  }
}
