// The client side of Streamable HTTP (basic/transports#streamable-http, 2025-03-26 to 2026-07-28),
// built for testing servers: every HTTP exchange is recorded, HTTP-level deviations become notes
// rather than exceptions, and rawRequest() sends anything at all to the endpoint.
import { isObject } from '../../schema/index.ts';
import { isRawFrame } from '../transport.ts';
import {
  HttpError,
  fetchErrorText,
  fetchRetryingStale,
  idKey,
  isRequest,
  isResponse,
  items,
  mergeHeaders,
  readBody,
  sendRaw,
  type HttpExchange,
  type RawRequestOptions,
  type RawResponse,
  type RecorderOptions,
} from './http-common.ts';
import { isModernVersion, paramHeaders, paramHeaderSpecs, standardRequestHeaders, type ParamHeaderSpec } from './mcp-headers.ts';
import { HttpClientBase, outgoing } from './client-base.ts';
import { readSse } from './sse.ts';

export interface StreamableHttpClientOptions extends RecorderOptions {
  url: string | URL;
  /** Sent on every request (e.g. from `--header K:V`). */
  headers?: Record<string, string>;
  /** MCP-Protocol-Version to send from the start (a 2026-07-28 client knows it before any request). */
  protocolVersion?: string;
  /** Longest wait for response headers, and for a JSON body (default 30 s). */
  requestTimeoutMs?: number;
  /** Open the GET stream once notifications/initialized is accepted (default false). */
  getStream?: boolean;
  /** Reconnects of a broken stream that can resume (default 2), and the delay when the server sent no `retry` (default 1000 ms). */
  reconnect?: { maxRetries?: number; delayMs?: number };
  /** How long a POST stream may stay open after carrying its response before we close it (default 2000 ms). */
  lingerMs?: number;
  /** Adopt the protocolVersion of the initialize result as MCP-Protocol-Version (default true; setProtocolVersion overrides). */
  trackNegotiatedVersion?: boolean;
  /** Send DELETE on close when a session exists (default true). */
  deleteOnClose?: boolean;
  fetch?: typeof fetch;
}

const key = idKey;

function summary(parsed: unknown): string {
  if (parsed === undefined) return 'raw frame';
  if (Array.isArray(parsed)) return `batch of ${parsed.length}`;
  if (isObject(parsed)) {
    if (typeof parsed.method === 'string') return Object.hasOwn(parsed, 'id') ? `${parsed.method} (id ${key(parsed.id)})` : parsed.method;
    return `response ${key(parsed.id)}`;
  }
  return 'message';
}

interface StreamState {
  kind: 'post' | 'get';
  /** Request ids (keys) still waiting for their response on this stream. */
  pending: Set<string>;
  attempt: number;
  lastEventId?: string;
  retryMs?: number;
}

export class StreamableHttpClientTransport extends HttpClientBase<StreamableHttpClientOptions> {
  /** Captured from the initialize response; sent on every later request. */
  sessionId: string | undefined;
  /** Sent as MCP-Protocol-Version once set. */
  protocolVersion: string | undefined;
  /** Last event id seen on the GET stream. */
  lastEventId: string | undefined;
  private readonly live = new Set<AbortController>();
  private readonly requestStreams = new Map<string, AbortController>();
  private readonly toolHeaders = new Map<string, ParamHeaderSpec[]>();
  /** Ids of tools/list requests in flight (their results teach toolHeaders). */
  private readonly toolsListIds = new Set<string>();
  private getOpen = false;
  private readonly initIds = new Set<string>();

  constructor(options: StreamableHttpClientOptions) {
    super(options);
    this.protocolVersion = options.protocolVersion;
  }

  /** The Peer owner sets the negotiated revision; it is sent as MCP-Protocol-Version from then on. */
  setProtocolVersion(version: string | undefined): void {
    this.protocolVersion = version;
  }

  /** 2026-07-28 on: no session, request-metadata headers, cancellation by closing the stream. */
  get stateless(): boolean {
    return isModernVersion(this.protocolVersion);
  }

  /**
   * Learns the tools' x-mcp-header annotations so tools/call carries Mcp-Param-* headers.
   * Returns the problems found (a tool with problems gets no param headers).
   */
  setToolSchemas(tools: readonly unknown[]): string[] {
    this.toolHeaders.clear();
    return this.learnToolSchemas(tools);
  }

  /** As setToolSchemas, keeping what earlier pages of tools/list taught. */
  learnToolSchemas(tools: readonly unknown[]): string[] {
    const problems: string[] = [];
    for (const t of tools) {
      if (!isObject(t) || typeof t.name !== 'string') continue;
      const { specs, errors } = paramHeaderSpecs(t.inputSchema);
      if (errors.length) problems.push(...errors.map((e) => `tool ${t.name}: ${e}`));
      else if (specs.length) this.toolHeaders.set(t.name, specs);
    }
    return problems;
  }

  async start(): Promise<void> {
    // Nothing to open: every message is its own POST.
  }

  /** Headers every request carries: custom ones, the session and the protocol version. */
  baseHeaders(): Record<string, string> {
    const h = mergeHeaders(this.options.headers ?? {});
    if (this.sessionId !== undefined && !this.stateless) h['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion !== undefined) h['mcp-protocol-version'] = this.protocolVersion;
    return h;
  }

  /** The headers a POST of this message gets (2026-07-28 adds Mcp-Method, Mcp-Name, Mcp-Param-*). */
  postHeaders(parsed: unknown): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...this.baseHeaders() };
    if (this.stateless && isObject(parsed)) {
      Object.assign(h, standardRequestHeaders(parsed));
      if (parsed.method === 'tools/call' && isObject(parsed.params) && typeof parsed.params.name === 'string') {
        const specs = this.toolHeaders.get(parsed.params.name);
        if (specs) Object.assign(h, paramHeaders(specs, parsed.params.arguments));
      }
    }
    return h;
  }

  private note(text: string): void {
    this.onnote?.(text);
  }

  private emit(parsed: unknown, raw: string, note: string): void {
    if (this.options.trackNegotiatedVersion ?? true) {
      for (const m of items(parsed)) {
        if (!isResponse(m) || !this.initIds.delete(key(m.id)) || !isObject(m.result)) continue;
        if (typeof m.result.protocolVersion === 'string') this.protocolVersion = m.result.protocolVersion;
      }
    }
    // Every tools/list page teaches the x-mcp-header annotations, so a later tools/call of those
    // tools carries its Mcp-Param-* headers as a conforming client's would.
    for (const m of items(parsed)) {
      if (isResponse(m) && this.toolsListIds.delete(key(m.id)) && isObject(m.result) && Array.isArray(m.result.tools)) this.learnToolSchemas(m.result.tools);
    }
    this.onmessage?.(parsed, { raw, note });
  }

  private deliver(text: string, note: string): unknown {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      this.onmalformed?.(text, err as Error);
      return undefined;
    }
    this.emit(parsed, text, note);
    return parsed;
  }

  /**
   * POSTs one message. Resolves once the server accepted it (202, a JSON answer, or the start of
   * an SSE stream, which is then read in the background). Rejects on network failure, and for a
   * request whose POST failed without a JSON-RPC answer (so the Peer's request fails fast).
   */
  async send(message: unknown): Promise<void> {
    if (this.closed) throw new Error('HTTP transport is closed');
    const { text, parsed } = outgoing(message);
    // 2026-07-28: closing the response stream is the cancellation; nothing is POSTed.
    if (this.stateless && !isRawFrame(message) && isObject(parsed) && parsed.method === 'notifications/cancelled' && isObject(parsed.params)) {
      const k = key(parsed.params.requestId);
      const ctrl = this.requestStreams.get(k);
      this.note(ctrl ? `cancelled request ${k} by closing its response stream` : `cancel of request ${k}: no open response stream`);
      ctrl?.abort();
      return;
    }
    const requestIds = items(parsed).filter(isRequest).map((m) => key(m.id));
    const isInit = items(parsed).some((m) => isRequest(m) && m.method === 'initialize');
    for (const m of items(parsed)) if (isRequest(m) && m.method === 'initialize') this.initIds.add(key(m.id));
    for (const m of items(parsed)) if (isRequest(m) && m.method === 'tools/list') this.toolsListIds.add(key(m.id));
    const isInitialized = isObject(parsed) && parsed.method === 'notifications/initialized';
    const headers = this.postHeaders(parsed);
    const x = this.recorder.begin('post', 'POST', this.url.href, headers, text);
    const ctrl = new AbortController();
    this.live.add(ctrl);
    const timeoutMs = this.options.requestTimeoutMs ?? 30_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, timeoutMs);
    // The request's "stream" from the start: closing it before headers arrive also cancels (2026-07-28).
    for (const k of requestIds) this.requestStreams.set(k, ctrl);
    const done = () => {
      clearTimeout(timer);
      this.live.delete(ctrl);
      for (const k of requestIds) if (this.requestStreams.get(k) === ctrl) this.requestStreams.delete(k);
    };
    let res: Response;
    try {
      res = await fetchRetryingStale(this.fetchFn, this.url, { method: 'POST', headers, body: text, signal: ctrl.signal }, (why) => this.note(`POST ${summary(parsed)}: ${why}`));
    } catch (err) {
      done();
      const why = timedOut
        ? `no response within ${timeoutMs} ms`
        : this.closed
          ? 'transport closed'
          : ctrl.signal.aborted
            ? 'aborted (request cancelled)'
            : fetchErrorText(err);
      this.recorder.finish(x, why);
      this.note(`POST ${summary(parsed)} failed: ${why}`);
      throw new Error(`POST ${this.url.href} (${summary(parsed)}): ${why}`);
    }
    this.recorder.response(x, res);
    const status = res.status;
    const ct = (res.headers.get('content-type') ?? '').toLowerCase();
    this.captureSession(res, isInit);
    const what = `POST ${summary(parsed)}: HTTP ${status}`;

    if (ct.includes('text/event-stream') && res.body && res.ok) {
      clearTimeout(timer);
      if (requestIds.length === 0) this.note(`${what} opened an SSE stream for a notification or response (expected 202 Accepted)`);
      void this.consume(res.body, x, ctrl, { kind: 'post', pending: new Set(requestIds), attempt: 0 });
      return;
    }

    const body = await readBody(res, this.recorder, x);
    done();
    if (body === undefined) {
      const why = timedOut ? `no complete body within ${timeoutMs} ms` : 'body could not be read';
      this.note(`${what}: ${why}`);
      if (requestIds.length) throw new HttpError(status, '', x);
      return;
    }

    if (status === 202) {
      if (requestIds.length) this.note(`${what} Accepted for a request: a request must be answered with JSON or an SSE stream`);
      if (body.length) this.note(`${what} carries a body (202 Accepted must have none)`);
      if (isInitialized && this.options.getStream) void this.openGetStream();
      return;
    }

    if (!res.ok) {
      const sentSession = x.requestHeaders['mcp-session-id'];
      this.note(status === 404 && sentSession ? `${what}: session ${sentSession} not found (the session has ended)` : `${what} ${res.statusText}`.trim());
      const answered = this.deliverIfJsonRpc(body, `HTTP ${status}`, requestIds);
      if (requestIds.length && !answered) throw new HttpError(status, body, x);
      return;
    }

    if (requestIds.length === 0) {
      this.note(`${what} for a notification or response (expected 202 Accepted)`);
      if (body.trim()) this.deliver(body, `HTTP ${status} ${ct}`.trim());
      if (isInitialized && this.options.getStream) void this.openGetStream();
      return;
    }
    if (!ct.includes('application/json')) {
      this.note(`${what} with content type "${ct}" (a request must be answered with application/json or text/event-stream)`);
      if (!this.deliverIfJsonRpc(body, `HTTP ${status} ${ct}`, requestIds)) throw new HttpError(status, body, x);
      return;
    }
    if (body.trim() === '') {
      this.note(`${what} with an empty JSON body`);
      throw new HttpError(status, body, x);
    }
    this.deliver(body, `HTTP ${status} application/json`);
  }

  /** Delivers a body that parses as JSON-RPC; true when it answers one of `requestIds`. */
  private deliverIfJsonRpc(body: string, note: string, requestIds: string[]): boolean {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return false;
    }
    const looksRpc = items(parsed).some((m) => isObject(m) && (m.jsonrpc === '2.0' || Object.hasOwn(m, 'error') || Object.hasOwn(m, 'result')));
    if (!looksRpc) return false;
    this.emit(parsed, body, note);
    return items(parsed).some((m) => isResponse(m) && requestIds.includes(key(m.id)));
  }

  private captureSession(res: Response, isInit: boolean): void {
    const sid = res.headers.get('mcp-session-id');
    if (sid === null) return;
    if (this.stateless) {
      this.note(`server sent Mcp-Session-Id "${sid}" although ${this.protocolVersion} has no sessions; ignored`);
      return;
    }
    if (isInit && res.ok) {
      if (!/^[\x21-\x7e]+$/.test(sid)) this.note(`Mcp-Session-Id "${sid}" has characters outside visible ASCII (0x21-0x7E)`);
      this.sessionId = sid;
    } else if (sid !== this.sessionId) {
      this.note(`Mcp-Session-Id "${sid}" on a response other than initialize's (session is ${this.sessionId ?? 'none'})`);
    }
  }

  /** Reads an SSE stream in the background; resumes it with Last-Event-ID when it breaks early. */
  private async consume(body: ReadableStream<Uint8Array>, x: HttpExchange, ctrl: AbortController, state: StreamState): Promise<void> {
    this.live.add(ctrl);
    for (const k of state.pending) this.requestStreams.set(k, ctrl);
    let linger: NodeJS.Timeout | undefined;
    const lingerMs = this.options.lingerMs ?? 2_000;
    const where = `SSE ${state.kind === 'post' ? 'POST' : 'GET'} stream`;
    const end = await readSse(
      body,
      {
        onchunk: (t) => this.recorder.append(x, t),
        onretry: (ms) => {
          state.retryMs = ms;
        },
        onparseerror: (m) => this.note(`${where}: ${m}`),
        onevent: (e) => {
          if (e.id !== undefined) {
            state.lastEventId = e.id;
            if (state.kind === 'get') this.lastEventId = e.id;
          }
          if (e.event !== undefined && e.event !== 'message') {
            this.note(`${where}: event type "${e.event}" ignored`);
            return;
          }
          if (e.data === '') return; // priming event or keep-alive
          const parsed = this.deliver(e.data, `${where}${e.id !== undefined ? ` event ${e.id}` : ''}`);
          for (const m of items(parsed)) {
            if (!isResponse(m)) continue;
            const k = key(m.id);
            if (state.kind === 'get' && !state.pending.has(k)) this.note(`${where} carried a JSON-RPC response (id ${k}) outside a resumed request stream`);
            state.pending.delete(k);
            this.requestStreams.delete(k);
          }
          if (state.kind === 'post' && state.pending.size === 0 && !linger) {
            linger = setTimeout(() => {
              this.note(`${where} still open ${lingerMs} ms after its response; closing it`);
              ctrl.abort();
            }, lingerMs);
          }
        },
      },
      ctrl.signal,
    );
    clearTimeout(linger);
    this.live.delete(ctrl);
    for (const k of state.pending) if (this.requestStreams.get(k) === ctrl) this.requestStreams.delete(k);
    const lingered = linger !== undefined && ctrl.signal.aborted;
    this.recorder.finish(x, end.ended === 'eof' || lingered ? undefined : end.ended === 'aborted' ? 'aborted locally' : end.error);
    if (state.kind === 'get') this.getOpen = false;
    if (this.closed || ctrl.signal.aborted) return;
    if (end.ended === 'error') this.note(`${where} broke: ${end.error}`);

    const canResume = !this.stateless && state.lastEventId !== undefined;
    const max = this.options.reconnect?.maxRetries ?? 2;
    if (state.kind === 'post' && state.pending.size > 0) {
      this.note(`${where} ended before the response to ${[...state.pending].join(', ')}${canResume ? '' : ' (no event id to resume from)'}`);
      if (canResume && state.attempt < max) this.scheduleResume(state);
    } else if (state.kind === 'get') {
      this.note(`${where} closed by the server`);
      if (this.options.getStream && state.attempt < max) this.scheduleResume(state);
    }
  }

  private scheduleResume(state: StreamState): void {
    const delay = state.retryMs ?? this.options.reconnect?.delayMs ?? 1_000;
    const t = setTimeout(() => {
      if (!this.closed) void this.resume(state.lastEventId, { ...state, attempt: state.attempt + 1 });
    }, delay);
    t.unref();
  }

  /**
   * Opens the GET stream for server-initiated messages. 405 means the server offers none (noted).
   * With `lastEventId`, asks the server to resume a stream after that event.
   */
  async openGetStream(lastEventId?: string): Promise<HttpExchange> {
    return this.resume(lastEventId, { kind: 'get', pending: new Set(), attempt: 0 });
  }

  private async resume(lastEventId: string | undefined, state: StreamState): Promise<HttpExchange> {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...this.baseHeaders() };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const x = this.recorder.begin('get', 'GET', this.url.href, headers);
    if (this.closed) {
      this.recorder.finish(x, 'transport closed');
      return x;
    }
    const ctrl = new AbortController();
    this.live.add(ctrl);
    const timeoutMs = this.options.requestTimeoutMs ?? 30_000;
    const timer = setTimeout(() => ctrl.abort(), timeoutMs);
    let res: Response;
    try {
      res = await this.fetchFn(this.url, { method: 'GET', headers, signal: ctrl.signal });
    } catch (err) {
      this.live.delete(ctrl);
      const why = ctrl.signal.aborted && !this.closed ? `no response within ${timeoutMs} ms` : (err as Error).message;
      this.recorder.finish(x, why);
      this.note(`GET${lastEventId ? ` (Last-Event-ID ${lastEventId})` : ''} failed: ${why}`);
      return x;
    } finally {
      clearTimeout(timer);
    }
    this.recorder.response(x, res);
    const ct = (res.headers.get('content-type') ?? '').toLowerCase();
    if (res.ok && ct.includes('text/event-stream') && res.body) {
      if (state.kind === 'get') this.getOpen = true;
      void this.consume(res.body, x, ctrl, state);
      return x;
    }
    this.live.delete(ctrl);
    await readBody(res, this.recorder, x);
    if (res.status === 405) this.note('GET: 405 Method Not Allowed (the server offers no GET stream)');
    else this.note(`GET${lastEventId ? ` (Last-Event-ID ${lastEventId})` : ''}: HTTP ${res.status} ${ct || 'no content type'}${res.ok ? ' (expected text/event-stream)' : ''}`);
    return x;
  }

  get getStreamOpen(): boolean {
    return this.getOpen;
  }

  /** Ends the session with DELETE (noted, never thrown); clears the session id on success. */
  async deleteSession(timeoutMs = 2_000): Promise<RawResponse | undefined> {
    if (this.sessionId === undefined || this.stateless) return undefined;
    const r = await sendRaw(this.recorder, this.fetchFn, this.url.href, this.baseHeaders(), { method: 'DELETE', timeoutMs }, 'delete');
    if (r.status >= 200 && r.status < 300) this.sessionId = undefined;
    else if (r.status === 405) this.note('DELETE: 405 (the server does not let clients end sessions)');
    else this.note(`DELETE: ${r.error ?? `HTTP ${r.status}`}`);
    return r;
  }

  /**
   * Sends any HTTP request to the endpoint, outside the JSON-RPC flow, and never throws. Defaults
   * follow the method (POST: Accept both types and JSON content; GET: Accept text/event-stream)
   * plus the session, protocol version and custom headers; `headers` overrides them, null removes.
   */
  rawRequest(opts: RawRequestOptions = {}): Promise<RawResponse> {
    const method = (opts.method ?? 'POST').toUpperCase();
    let defaults: Record<string, string>;
    if (method === 'POST') {
      let parsed: unknown = opts.body;
      if (typeof opts.body === 'string') {
        try {
          parsed = JSON.parse(opts.body);
        } catch {
          parsed = undefined;
        }
      }
      defaults = this.postHeaders(parsed);
    } else if (method === 'GET') defaults = { accept: 'text/event-stream', ...this.baseHeaders() };
    else defaults = this.baseHeaders();
    const url = opts.url ? new URL(opts.url, this.url).href : this.url.href;
    return sendRaw(this.recorder, this.fetchFn, url, mergeHeaders(defaults, opts.headers), { ...opts, method });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.live) c.abort();
    this.live.clear();
    if (this.options.deleteOnClose ?? true) await this.deleteSession().catch(() => undefined);
    this.recorder.finishAll('closed locally');
    this.onclose?.('closed locally');
  }
}
