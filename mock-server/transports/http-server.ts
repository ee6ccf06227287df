// The server side of Streamable HTTP (basic/transports#streamable-http, 2025-03-26 to 2026-07-28)
// as a fetch-style handler: (Request) => Promise<Response>. Serve it with serveHttp() or hand it
// to msw. Each session gets a Transport of its own; a Peer attached to it never sees HTTP.
//
// Routing of what the Peer sends: a response goes back on the POST that carried its request (as
// the JSON body or on that POST's SSE stream); anything sent while a request is being handled
// (progress, logging, sampling…) goes on that request's stream, found through AsyncLocalStorage
// because handlers run inside the dispatch; everything else goes on the GET stream.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { ErrorCode, isObject, META, REVISIONS } from '../../schema/index.ts';
import { frameText, isRawFrame, type Transport } from '../transport.ts';
import { headersToRecord, idKey, isRequest, isResponse, items, tryParse } from './http-common.ts';
import { handlerShell, isAllowedOrigin, type HttpFaultHook, type ServerExchange, type SessionHandler } from './server-shell.ts';
import {
  checkRequestHeaders,
  isModernVersion,
  metaProtocolVersion,
} from './mcp-headers.ts';
import { encodeSseEvent, SSE_HEADERS, SseWriter } from './sse.ts';
import { plainResponse } from './serve.ts';

export { serveHttp, routeHandlers, type FetchHandler, type ServeOptions, type ServedHttp } from './serve.ts';

export type ResponseMode = 'json' | 'sse';

export interface SessionInfo {
  /** Undefined for the stateless transport (stateless mode, or 2026-07-28 requests). */
  sessionId: string | undefined;
  stateless: boolean;
  /** Headers of the request that opened the session. */
  headers: Record<string, string>;
}

export type { HttpFaultContext, HttpFaultHook, ServerExchange } from './server-shell.ts';
export { isAllowedOrigin } from './server-shell.ts';

export interface StreamableHttpHandlerOptions {
  /** Called for each new session (and once for the stateless transport) before its first message. */
  onSession: (transport: StreamableHttpServerTransport, info: SessionInfo) => void | Promise<void>;
  /** No sessions at all: no Mcp-Session-Id, GET and DELETE answer 405 (default false). */
  stateless?: boolean;
  /** How POSTed requests are answered (default 'json'); a function decides per request. */
  responseMode?: ResponseMode | ((message: unknown) => ResponseMode);
  /** Offer the GET stream (default true); false answers GET with 405. */
  getStream?: boolean;
  /** Let clients end sessions with DELETE (default true); false answers 405. */
  allowDelete?: boolean;
  /** Origins accepted besides none and loopback ones ('*' accepts any). */
  allowedOrigins?: string[] | '*';
  /** Versions accepted in MCP-Protocol-Version (default: every known revision). */
  supportedVersions?: readonly string[];
  /** 406 when Accept lacks the required media types (default true). */
  checkAccept?: boolean;
  /** Event ids and Last-Event-ID replay, for revisions that have them (default true). */
  resumable?: boolean;
  /** Events kept per stream for replay (default 1000). */
  historyLimit?: number;
  /** Open POST SSE streams with an event id and empty data (2025-11-25 on; default true). */
  primeStreams?: boolean;
  /** `retry` sent with the priming event (ms). */
  retryMs?: number;
  /** SSE comment keep-alive on GET streams (ms; default off). */
  keepAliveMs?: number;
  /** End a session after this long without requests (ms; default never). */
  sessionIdleMs?: number;
  /** Session id generator (default randomUUID). */
  sessionId?: () => string;
  /** Check Mcp-Method / Mcp-Name / Mcp-Param-* against the body for 2026-07-28 requests (default true). */
  validateRequestHeaders?: boolean;
  /** A tool's inputSchema, to check its Mcp-Param-* headers. */
  toolInputSchema?: (toolName: string) => unknown;
  httpFault?: HttpFaultHook;
  onexchange?: (x: ServerExchange) => void;
  /** Keep at most this many exchanges (default 2000). */
  maxExchanges?: number;
}

export type StreamableHttpHandler = SessionHandler<StreamableHttpServerTransport>;

const key = idKey;

/** A JSON-RPC error as an HTTP response; `id` undefined leaves the id out (a transport-level error). */
function errorResponse(status: number, code: number, message: string, id?: unknown, data?: unknown, headers: Record<string, string> = {}): Response {
  const body: Record<string, unknown> = { jsonrpc: '2.0' };
  if (id !== undefined) body.id = id;
  body.error = data === undefined ? { code, message } : { code, message, data };
  return plainResponse(JSON.stringify(body), status, { 'content-type': 'application/json', ...headers });
}

function acceptsAll(accept: string | null, types: string[]): boolean {
  const listed = (accept ?? '').split(',').map((p) => p.split(';')[0]!.trim().toLowerCase());
  return types.every((t) => listed.includes(t));
}

/** A logical SSE stream that outlives its connections: events are numbered and kept for replay. */
class EventStream {
  private seq = 0;
  private readonly history: { seq: number; text: string }[] = [];
  writer?: SseWriter;
  ended = false;
  /** The priming event went out: the client holds an id to resume after. */
  private primed = false;

  constructor(
    readonly id: string,
    readonly withIds: boolean,
    private readonly historyLimit: number,
  ) {}

  /** Writes an event; false when no connection took it (kept for replay when ids are on). */
  push(data: string): boolean {
    const seq = ++this.seq;
    const text = encodeSseEvent(this.withIds ? { id: `${this.id}.${seq}`, data } : { data });
    if (this.withIds) {
      this.history.push({ seq, text });
      if (this.history.length > this.historyLimit) this.history.shift();
    }
    return this.writer?.write(text) ?? false;
  }

  prime(retryMs?: number): void {
    const e: { id: string; data: string; retry?: number } = { id: `${this.id}.0`, data: '' };
    if (retryMs !== undefined) e.retry = retryMs;
    if (this.writer?.write(encodeSseEvent(e))) this.primed = true;
  }

  /**
   * Closes the connection without ending the stream, first sending `retry` when given (2025-11-25:
   * the server SHOULD, before such a close). Refused (false) until an event id went out, since a
   * client without one cannot resume, and when no connection is open.
   */
  disconnect(retryMs?: number): boolean {
    const w = this.writer;
    if (!w || w.closed || this.ended || !this.withIds || !(this.primed || this.seq > 0)) return false;
    if (retryMs !== undefined) w.write(encodeSseEvent({ retry: retryMs }));
    w.close();
    this.writer = undefined;
    return true;
  }

  /** Takes a new connection, replaying what came after `afterSeq`. */
  attach(writer: SseWriter, afterSeq?: number): void {
    if (this.writer && this.writer !== writer) this.writer.close();
    if (afterSeq !== undefined) for (const h of this.history) if (h.seq > afterSeq) writer.write(h.text);
    this.writer = writer;
    if (this.ended) writer.close();
  }

  end(): void {
    this.ended = true;
    this.writer?.close();
  }
}

/** One POST being answered. */
interface PostCtx {
  transport: StreamableHttpServerTransport;
  mode: ResponseMode;
  /** Keys of the request ids it still owes a response to. */
  pending: Set<string>;
  /** The body was not a valid message: the first reply (the peer's error) finishes it. */
  expectAny: boolean;
  batch: boolean;
  modern: boolean;
  /** Frames collected for a JSON answer, or buffered until the SSE stream opens. */
  frames: string[];
  stream?: EventStream;
  finished: boolean;
  aborted: boolean;
  progressTokens: string[];
  /** Resolves at the first frame for this POST (or when it finishes). */
  woken: Promise<void>;
  wake: () => void;
  /** Resolves when the POST owes nothing more. */
  done: Promise<void>;
  resolveDone: () => void;
}

const als = new AsyncLocalStorage<PostCtx>();

function newCtx(transport: StreamableHttpServerTransport, mode: ResponseMode, modern: boolean, batch: boolean): PostCtx {
  let wake = () => {};
  const woken = new Promise<void>((r) => {
    wake = r;
  });
  let resolveDone = () => {};
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  return { transport, mode, pending: new Set(), expectAny: false, batch, modern, frames: [], finished: false, aborted: false, progressTokens: [], woken, wake, done, resolveDone };
}

/** The server-side Transport of one session (or of all stateless requests). */
export class StreamableHttpServerTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onmalformed?: Transport['onmalformed'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  onnote?: Transport['onnote'];

  /** Negotiated protocol version, read from the initialize result this transport sent. */
  protocolVersion: string | undefined;
  closed = false;
  getStream?: EventStream;
  readonly streams = new Map<string, EventStream>();
  private readonly byRequest = new Map<string, PostCtx>();
  private readonly byProgress = new Map<string, PostCtx>();
  /** Request ids a POST on its way to dispatch() has claimed (see claim()). */
  private readonly claimed = new Set<string>();
  private initRequestId: string | undefined;
  private streamSeq = 0;
  /** @internal set by the handler */
  ended?: (t: StreamableHttpServerTransport) => void;
  idleTimer?: NodeJS.Timeout;

  constructor(
    readonly sessionId: string | undefined,
    private readonly opts: { resumable: boolean; historyLimit: number },
  ) {}

  get stateless(): boolean {
    return this.sessionId === undefined;
  }

  /**
   * Claims request ids for a POST about to be dispatched here: false when one is already in
   * flight on this transport (its answer could not be told apart from the other's).
   */
  claim(ids: readonly string[]): boolean {
    if (this.closed || ids.some((k) => this.byRequest.has(k) || this.claimed.has(k))) return false;
    for (const k of ids) this.claimed.add(k);
    return true;
  }

  async start(): Promise<void> {}

  async send(message: unknown): Promise<void> {
    if (this.closed) throw new Error('HTTP session is closed');
    const text = frameText(message);
    let parsed: unknown = message;
    if (isRawFrame(message)) {
      const p = tryParse(text);
      parsed = p.ok ? p.value : undefined;
    }
    for (const m of items(parsed)) {
      if (isResponse(m) && this.initRequestId !== undefined && key(m.id) === this.initRequestId && isObject(m.result)) {
        if (typeof m.result.protocolVersion === 'string') this.protocolVersion = m.result.protocolVersion;
      }
    }
    const ctx = this.route(parsed);
    if (ctx && this.deliverToPost(ctx, text, parsed)) return;
    this.sendUnrelated(text, parsed);
  }

  async close(): Promise<void> {
    this.terminate('closed by the server');
  }

  /**
   * Closes the connections under this session's open SSE streams without ending the streams
   * (the server MAY do so; clients should resume with Last-Event-ID). Returns how many it cut.
   */
  disconnectStreams(): number {
    let n = 0;
    for (const s of this.streams.values()) {
      if (!s.ended && s.writer && !s.writer.closed) {
        s.writer.close();
        s.writer = undefined;
        n++;
      }
    }
    return n;
  }

  /**
   * Closes the connection of the SSE stream answering request `id` (a JSON-RPC id) before its
   * response, without ending the stream: the response waits for the client to resume with GET and
   * Last-Event-ID. False when that request has no resumable SSE connection open here (answered as
   * JSON, 2026-07-28, no event id sent yet, or not in flight).
   */
  disconnectRequest(id: unknown, retryMs?: number): boolean {
    const ctx = this.byRequest.get(key(id));
    if (!ctx || ctx.finished || ctx.modern || !ctx.stream) return false;
    return ctx.stream.disconnect(retryMs);
  }

  /** Ends the session: streams close, pending POSTs are abandoned, later requests get 404. */
  terminate(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const s of this.streams.values()) s.end();
    for (const ctx of new Set(this.byRequest.values())) {
      ctx.aborted = true;
      this.finishPost(ctx);
    }
    this.ended?.(this);
    this.onclose?.(reason);
  }

  newStream(prefix: 'p' | 'g', withIds: boolean): EventStream {
    const s = new EventStream(`${prefix}${++this.streamSeq}`, withIds && this.opts.resumable, this.opts.historyLimit);
    this.streams.set(s.id, s);
    // Ended streams stay for replay (a client may resume after the response was sent), within a cap.
    if (this.streams.size > 100) {
      for (const [id, old] of this.streams) {
        if (old.ended) {
          this.streams.delete(id);
          break;
        }
      }
    }
    return s;
  }

  /** Registers a POST's requests and hands its body to the peer inside the POST's context. */
  dispatch(ctx: PostCtx, parsed: unknown, raw: string, note: string): void {
    for (const m of items(parsed)) {
      if (!isRequest(m)) continue;
      const k = key(m.id);
      this.claimed.delete(k);
      if (this.byRequest.has(k)) this.onnote?.(`request id ${k} reused while a request with that id is still in flight`);
      this.byRequest.set(k, ctx);
      ctx.pending.add(k);
      if (m.method === 'initialize') this.initRequestId = k;
      const token = isObject(m.params) && isObject(m.params._meta) ? m.params._meta.progressToken : undefined;
      if (typeof token === 'string' || typeof token === 'number') {
        this.byProgress.set(key(token), ctx);
        ctx.progressTokens.push(key(token));
      }
    }
    als.run(ctx, () => this.onmessage?.(parsed, { raw, note }));
  }

  dispatchMalformed(ctx: PostCtx, raw: string, error: Error): void {
    ctx.expectAny = true;
    als.run(ctx, () => this.onmalformed?.(raw, error));
  }

  /** A client cancelled by closing the response stream (2026-07-28): tell the peer as a notification. */
  cancelled(ctx: PostCtx): void {
    if (ctx.finished) return;
    for (const k of ctx.pending) {
      const n = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: JSON.parse(k) as unknown, reason: 'client closed the response stream' } };
      this.onmessage?.(n, { raw: JSON.stringify(n), note: 'synthesized: the client closed the response stream (HTTP cancellation)' });
    }
    ctx.aborted = true;
    this.finishPost(ctx);
  }

  finishPost(ctx: PostCtx): void {
    if (ctx.finished) return;
    ctx.finished = true;
    for (const k of ctx.pending) if (this.byRequest.get(k) === ctx) this.byRequest.delete(k);
    for (const t of ctx.progressTokens) if (this.byProgress.get(t) === ctx) this.byProgress.delete(t);
    ctx.stream?.end();
    ctx.wake();
    ctx.resolveDone();
  }

  private route(parsed: unknown): PostCtx | undefined {
    for (const m of items(parsed)) {
      if (isResponse(m)) {
        const ctx = this.byRequest.get(key(m.id));
        if (ctx && !ctx.finished) return ctx;
      }
    }
    // 2026-07-28: a notification tagged with a subscription belongs on that subscriptions/listen stream.
    const sub = isObject(parsed) && typeof parsed.method === 'string' && isObject(parsed.params) && isObject(parsed.params._meta) ? parsed.params._meta[META.subscriptionId] : undefined;
    if (sub !== undefined) {
      const ctx = this.byRequest.get(key(sub));
      if (ctx && !ctx.finished) return ctx;
    }
    const store = als.getStore();
    if (store && store.transport === this && !store.finished) return store;
    if (isObject(parsed) && parsed.method === 'notifications/progress' && isObject(parsed.params)) {
      const ctx = this.byProgress.get(key(parsed.params.progressToken));
      if (ctx && !ctx.finished) return ctx;
    }
    return undefined;
  }

  /** False when the POST cannot carry this message (JSON mode, not its response). */
  private deliverToPost(ctx: PostCtx, text: string, parsed: unknown): boolean {
    const answered = items(parsed)
      .filter(isResponse)
      .map((m) => key(m.id))
      .filter((k) => ctx.pending.has(k));
    const unparseable = parsed === undefined;
    const isReply = answered.length > 0 || ctx.expectAny || unparseable;
    if (ctx.mode === 'json' && !ctx.stream && !isReply) return false;
    for (const k of answered) {
      ctx.pending.delete(k);
      if (this.byRequest.get(k) === ctx) this.byRequest.delete(k);
    }
    if (ctx.stream) {
      if (!ctx.stream.push(text) && !ctx.modern) this.onnote?.(`POST stream ${ctx.stream.id} is disconnected; event kept for resumption`);
    } else ctx.frames.push(text);
    ctx.wake();
    // A raw unparseable frame in JSON mode is the whole answer (fault injection).
    if ((ctx.pending.size === 0 && isReply) || (ctx.mode === 'json' && unparseable)) this.finishPost(ctx);
    return true;
  }

  private sendUnrelated(text: string, parsed: unknown): void {
    const what = isObject(parsed) ? (typeof parsed.method === 'string' ? parsed.method : `response ${key(parsed.id)}`) : 'raw frame';
    if (this.getStream && !this.getStream.ended) {
      if (!this.getStream.push(text)) this.onnote?.(`GET stream is disconnected; ${what} kept for resumption`);
      return;
    }
    this.onnote?.(`no stream can carry ${what} (no GET stream open): dropped`);
    if (isRequest(parsed)) throw new Error(`cannot send ${what}: the client has no GET stream open and no request is in progress`);
  }
}

export function createStreamableHttpHandler(options: StreamableHttpHandlerOptions): StreamableHttpHandler {
  const shell = handlerShell<StreamableHttpServerTransport>({
    httpFault: options.httpFault,
    onexchange: options.onexchange,
    maxExchanges: options.maxExchanges,
    sessionIdOf: (request) => request.headers.get('mcp-session-id') ?? undefined,
    sessionIdIssued: (response) => response.headers.get('mcp-session-id') ?? undefined,
    shuttingDown: () => errorResponse(503, -32000, 'Server is shutting down'),
    route,
  });
  const { sessions, expire } = shell;
  const supported = options.supportedVersions ?? REVISIONS;
  const resumable = options.resumable ?? true;
  const historyLimit = options.historyLimit ?? 1000;
  // Stateless requests share one transport; a POST whose request id is already in flight there
  // (two clients both sending id 1) gets another, so every answer reaches its own POST.
  const statelessTransports: StreamableHttpServerTransport[] = [];

  const touch = (t: StreamableHttpServerTransport) => {
    if (!options.sessionIdleMs || !t.sessionId) return;
    if (t.idleTimer) clearTimeout(t.idleTimer);
    t.idleTimer = setTimeout(() => expire(t.sessionId!, `session idle for ${options.sessionIdleMs} ms`), options.sessionIdleMs);
    t.idleTimer.unref();
  };

  const openSession = async (sessionId: string | undefined, request: Request): Promise<StreamableHttpServerTransport> => {
    const t = new StreamableHttpServerTransport(sessionId, { resumable, historyLimit });
    if (sessionId) {
      sessions.set(sessionId, t);
      t.ended = () => sessions.delete(sessionId);
    }
    await options.onSession(t, { sessionId, stateless: sessionId === undefined, headers: headersToRecord(request.headers) });
    return t;
  };

  const stateless = async (request: Request, ids: readonly string[]): Promise<StreamableHttpServerTransport> => {
    const free = statelessTransports.find((t) => t.claim(ids));
    if (free) return free;
    const t = await openSession(undefined, request);
    statelessTransports.push(t);
    t.claim(ids); // new, so nothing is in flight on it yet
    return t;
  };

  const modeFor = (message: unknown): ResponseMode => {
    const m = options.responseMode ?? 'json';
    return typeof m === 'function' ? m(message) : m;
  };

  async function handlePost(request: Request, bodyText: string, refuse: (reason: string) => void): Promise<Response> {
    if ((options.checkAccept ?? true) && !acceptsAll(request.headers.get('accept'), ['application/json', 'text/event-stream'])) {
      refuse('Accept must list application/json and text/event-stream');
      return errorResponse(406, -32000, 'Not Acceptable: Accept must list both application/json and text/event-stream');
    }
    const ct = request.headers.get('content-type') ?? '';
    if (!ct.toLowerCase().startsWith('application/json')) {
      refuse('Content-Type is not application/json');
      return errorResponse(415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
    }
    const headerVersion = request.headers.get('mcp-protocol-version') ?? undefined;
    const parsedBody = tryParse(bodyText);
    const parsed = parsedBody.ok ? parsedBody.value : undefined;
    const first = items(parsed)[0];
    const metaVersion = metaProtocolVersion(first);
    // A 2026-07-28 request: no session, header checks, HTTP cancellation, error statuses.
    const modern = isModernVersion(headerVersion) || isModernVersion(metaVersion);
    const requestId = isRequest(first) ? first.id : undefined;

    // MCP-Protocol-Version: 400 for one we do not support (modern: UnsupportedProtocolVersionError).
    const requested = headerVersion ?? metaVersion;
    if (requested !== undefined && !supported.includes(requested)) {
      refuse(`unsupported protocol version ${requested}`);
      if (isModernVersion(requested) || metaVersion !== undefined) {
        return errorResponse(400, ErrorCode.UnsupportedProtocolVersion, 'Unsupported protocol version', requestId, { supported: [...supported], requested });
      }
      return errorResponse(400, -32000, `Bad Request: unsupported MCP-Protocol-Version ${requested}`);
    }
    if (modern && parsed !== undefined && (options.validateRequestHeaders ?? true)) {
      const problem = checkRequestHeaders(request.headers, first, options.toolInputSchema);
      if (problem) {
        refuse(problem);
        return errorResponse(400, ErrorCode.HeaderMismatch, `Header mismatch: ${problem}`, requestId);
      }
    }

    let transport: StreamableHttpServerTransport;
    const sid = request.headers.get('mcp-session-id') ?? undefined;
    const isInit = items(parsed).some((m) => isRequest(m) && m.method === 'initialize');
    const extraHeaders: Record<string, string> = {};
    if (modern || options.stateless) transport = await stateless(request, items(parsed).filter(isRequest).map((m) => key(m.id)));
    else if (sid !== undefined) {
      const t = sessions.get(sid);
      if (!t) {
        refuse('unknown session');
        return errorResponse(404, -32001, 'Session not found');
      }
      transport = t;
    } else if (isInit) {
      const id = (options.sessionId ?? randomUUID)();
      transport = await openSession(id, request);
      extraHeaders['mcp-session-id'] = id;
    } else {
      refuse('missing Mcp-Session-Id');
      return errorResponse(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    }
    touch(transport);
    const version = headerVersion ?? transport.protocolVersion;
    if (headerVersion && transport.protocolVersion && headerVersion !== transport.protocolVersion) {
      transport.onnote?.(`MCP-Protocol-Version header ${headerVersion} differs from the negotiated ${transport.protocolVersion}`);
    }

    const ctx = newCtx(transport, modeFor(parsed), modern, Array.isArray(parsed));
    const note = `HTTP POST${sid ? ` session ${sid}` : ''}${headerVersion ? ` MCP-Protocol-Version ${headerVersion}` : ''}`;
    if (!parsedBody.ok) transport.dispatchMalformed(ctx, bodyText, parsedBody.error);
    else {
      const list = items(parsed);
      const valid = list.length > 0 && list.every((m) => (isObject(m) && typeof m.method === 'string') || isResponse(m));
      if (!valid) ctx.expectAny = true;
      transport.dispatch(ctx, parsed, bodyText, note);
      // Only requests are answered with a body (the peer may already have answered one synchronously).
      if (valid && !list.some(isRequest)) {
        ctx.finished = true;
        return plainResponse(null, 202, extraHeaders);
      }
    }

    // Invalid input that the peer does not answer within a second still gets a 400.
    const fallback = ctx.expectAny
      ? setTimeout(() => {
          if (ctx.frames.length === 0) {
            ctx.frames.push(JSON.stringify({ jsonrpc: '2.0', error: { code: ErrorCode.InvalidRequest, message: 'Invalid Request' } }));
            transport.finishPost(ctx);
          }
        }, 1_000)
      : undefined;
    const onAbort = () => {
      if (ctx.finished) return;
      // 2026-07-28: closing the response stream is the cancellation; earlier it is not.
      if (ctx.modern) transport.cancelled(ctx);
    };
    request.signal.addEventListener('abort', onAbort, { once: true });

    const withIds = resumable && !modern && !options.stateless && (version === undefined || version >= '2025-03-26');
    const prime = ctx.mode === 'sse' && withIds && (options.primeStreams ?? true) && version !== undefined && version >= '2025-11-25';
    const gone = new Promise<void>((r) => request.signal.addEventListener('abort', () => r(), { once: true }));
    const json = ctx.mode === 'json' || ctx.expectAny;
    if (!prime) await Promise.race([json ? ctx.done : ctx.woken, gone]);
    if (fallback) clearTimeout(fallback);
    // The client went away before anything was ready: nobody reads this answer.
    if (request.signal.aborted && !ctx.finished && ctx.frames.length === 0) return new Response(null, { status: 499 });

    if (json || (ctx.finished && ctx.frames.length === 1 && statusOf(ctx, ctx.frames[0]!) !== 200)) {
      if (!ctx.finished) await Promise.race([ctx.done, gone]);
      if (ctx.aborted && ctx.frames.length === 0) return errorResponse(404, -32001, 'Session terminated');
      const body = ctx.batch && !ctx.expectAny ? `[${ctx.frames.join(',')}]` : (ctx.frames[0] ?? '');
      const status = ctx.expectAny ? 400 : statusOf(ctx, ctx.frames[0] ?? '');
      return plainResponse(body, status, { 'content-type': 'application/json', ...extraHeaders });
    }

    const writer = new SseWriter();
    const stream = transport.newStream('p', withIds);
    ctx.stream = stream;
    stream.attach(writer);
    writer.oncancel = () => {
      if (stream.writer === writer) stream.writer = undefined;
      onAbort();
    };
    if (prime) stream.prime(options.retryMs);
    for (const f of ctx.frames.splice(0)) stream.push(f);
    if (ctx.finished) stream.end();
    return new Response(writer.stream, { status: 200, headers: { ...SSE_HEADERS, ...extraHeaders } });
  }

  function statusOf(ctx: PostCtx, frame: string): number {
    if (!ctx.modern) return 200;
    const p = tryParse(frame);
    if (!p.ok || !isObject(p.value) || !isObject(p.value.error)) return 200;
    const code = p.value.error.code;
    if (code === ErrorCode.MethodNotFound) return 404;
    if (code === ErrorCode.HeaderMismatch || code === ErrorCode.MissingRequiredClientCapability || code === ErrorCode.UnsupportedProtocolVersion) return 400;
    return 200;
  }

  async function handleGet(request: Request, refuse: (reason: string) => void): Promise<Response> {
    const version = request.headers.get('mcp-protocol-version') ?? undefined;
    if (options.stateless || isModernVersion(version) || options.getStream === false) {
      refuse('GET stream not offered');
      return new Response(null, { status: 405, headers: { allow: options.stateless || isModernVersion(version) ? 'POST' : 'POST, DELETE' } });
    }
    if ((options.checkAccept ?? true) && !acceptsAll(request.headers.get('accept'), ['text/event-stream'])) {
      refuse('Accept must list text/event-stream');
      return errorResponse(406, -32000, 'Not Acceptable: Accept must list text/event-stream');
    }
    if (version !== undefined && !supported.includes(version)) {
      refuse(`unsupported protocol version ${version}`);
      return errorResponse(400, -32000, `Bad Request: unsupported MCP-Protocol-Version ${version}`);
    }
    const sid = request.headers.get('mcp-session-id');
    if (sid === null) {
      refuse('missing Mcp-Session-Id');
      return errorResponse(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    }
    const t = sessions.get(sid);
    if (!t) {
      refuse('unknown session');
      return errorResponse(404, -32001, 'Session not found');
    }
    touch(t);
    const writer = new SseWriter(options.keepAliveMs);
    const lastEventId = request.headers.get('last-event-id');
    const withIds = resumable && (t.protocolVersion === undefined || t.protocolVersion >= '2025-03-26');
    if (lastEventId !== null && resumable) {
      const dot = lastEventId.lastIndexOf('.');
      const stream = dot > 0 ? t.streams.get(lastEventId.slice(0, dot)) : undefined;
      const after = Number(lastEventId.slice(dot + 1));
      if (stream && Number.isInteger(after)) {
        stream.attach(writer, after);
        writer.oncancel = () => {
          if (stream.writer === writer) stream.writer = undefined;
        };
        return new Response(writer.stream, { status: 200, headers: SSE_HEADERS });
      }
      t.onnote?.(`Last-Event-ID ${lastEventId} names no stream of this session; opening a fresh GET stream`);
    }
    if (t.getStream?.writer && !t.getStream.writer.closed) {
      refuse('a GET stream is already open for this session');
      return errorResponse(409, -32000, 'Conflict: only one GET stream per session');
    }
    t.getStream ??= t.newStream('g', withIds);
    const stream = t.getStream;
    stream.attach(writer);
    writer.oncancel = () => {
      if (stream.writer === writer) stream.writer = undefined;
    };
    return new Response(writer.stream, { status: 200, headers: SSE_HEADERS });
  }

  function handleDelete(request: Request, refuse: (reason: string) => void): Response {
    const version = request.headers.get('mcp-protocol-version') ?? undefined;
    if (options.stateless || isModernVersion(version) || options.allowDelete === false) {
      refuse('DELETE not allowed');
      return new Response(null, { status: 405, headers: { allow: options.stateless || isModernVersion(version) ? 'POST' : 'GET, POST' } });
    }
    const sid = request.headers.get('mcp-session-id');
    if (sid === null) {
      refuse('missing Mcp-Session-Id');
      return errorResponse(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    }
    if (!expire(sid, 'deleted by the client (HTTP DELETE)')) {
      refuse('unknown session');
      return errorResponse(404, -32001, 'Session not found');
    }
    return new Response(null, { status: 200 });
  }

  async function route(request: Request, bodyText: string, _url: URL, refuse: (reason: string) => void): Promise<Response> {
    if (!isAllowedOrigin(request.headers.get('origin'), options.allowedOrigins)) {
      refuse(`Origin ${request.headers.get('origin')} is not allowed`);
      return errorResponse(403, -32000, 'Forbidden: Origin not allowed');
    }
    if (request.method === 'POST') return handlePost(request, bodyText, refuse);
    if (request.method === 'GET') return handleGet(request, refuse);
    if (request.method === 'DELETE') return handleDelete(request, refuse);
    refuse(`method ${request.method} not allowed`);
    return new Response(null, { status: 405, headers: { allow: 'GET, POST, DELETE' } });
  }

  return shell.published(() => {
    for (const t of statelessTransports) t.terminate('server closed');
  });
}
