// Raw HTTP for transport checks (basic/transports): one recorded HTTP conversation with a
// Streamable HTTP target, below JSON-RPC. Every exchange lands in the check's wire log with its
// status, content type and the headers that matter, so a failure shows exactly what was said.
import { isObject, isStateless, type Revision } from '../../schema/index.ts';
import {
  DEFAULT_CLIENT_INFO,
  META,
  readSse,
  SseClientTransport,
  StreamableHttpClientTransport,
  type HttpExchange,
  type RawRequestOptions,
  type RawResponse,
  type SseEvent,
} from '../../mock-server/index.ts';
import { CheckOutcome } from './outcome.ts';
import type { CheckScope } from './types.ts';

/** Response headers worth showing in a wire note. */
const SHOWN_HEADERS = ['content-type', 'mcp-session-id', 'allow', 'x-accel-buffering', 'location'];
/** Request headers worth showing in a wire note (the rest are defaults). */
const SHOWN_REQUEST_HEADERS = ['accept', 'content-type', 'mcp-session-id', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'origin', 'last-event-id'];

export interface HttpProbeOptions {
  /** MCP-Protocol-Version to send from the start (default: the check's revision when it is stateless). */
  protocolVersion?: string;
  /** Longest wait for one HTTP answer (default: the run's request timeout). */
  timeoutMs?: number;
}

function pick(headers: Record<string, string>, names: string[]): string {
  return names
    .filter((n) => headers[n] !== undefined)
    .map((n) => `${n}: ${headers[n]}`)
    .join('; ');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Records one HTTP exchange in a check's wire log: the request, then the response. */
export function recordExchange(t: CheckScope, x: HttpExchange): void {
  const path = (() => {
    try {
      const u = new URL(x.url);
      return `${u.pathname}${u.search}`;
    } catch {
      return x.url;
    }
  })();
  const reqHeaders = pick(x.requestHeaders, SHOWN_REQUEST_HEADERS);
  const sent: Parameters<CheckScope['wire']['record']>[0] = { dir: 'send', note: `HTTP ${x.method} ${path}${reqHeaders ? ` [${reqHeaders}]` : ''}` };
  if (x.requestBody !== undefined && x.requestBody !== '') {
    const j = parseJson(x.requestBody);
    if (j === undefined) sent.raw = x.requestBody;
    else sent.msg = j;
  }
  t.wire.record(sent);
  if (x.status === 0) {
    t.wire.record({ dir: 'recv', note: `no HTTP response: ${x.error ?? 'unknown error'}` });
    return;
  }
  const resHeaders = pick(x.responseHeaders, SHOWN_HEADERS);
  const got: Parameters<CheckScope['wire']['record']>[0] = {
    dir: 'recv',
    note: `HTTP ${x.status}${x.statusText ? ` ${x.statusText}` : ''}${resHeaders ? ` [${resHeaders}]` : ''}${x.error ? ` (${x.error})` : ''}`,
  };
  if (x.body !== '') {
    const j = x.contentType.includes('text/event-stream') ? undefined : parseJson(x.body);
    if (j === undefined) got.raw = x.body;
    else got.msg = j;
  }
  t.wire.record(got);
}

/** A JSON-RPC request body, with the per-request `_meta` of stateless revisions. */
export function rpcRequest(method: string, params: Record<string, unknown> = {}, id: string | number = 1, meta?: Record<string, unknown>): Record<string, unknown> {
  const p = meta ? { ...params, _meta: { ...meta, ...(isObject(params._meta) ? params._meta : {}) } } : params;
  return { jsonrpc: '2.0', id, method, params: p };
}

/** The JSON-RPC messages an HTTP answer carries: the JSON body, or the data of its SSE events. */
export function messagesOf(r: Pick<RawResponse, 'json' | 'events'>): Record<string, unknown>[] {
  if (r.events) return r.events.map((e) => parseJson(e.data)).filter(isObject);
  if (Array.isArray(r.json)) return r.json.filter(isObject);
  return isObject(r.json) ? [r.json] : [];
}

/** The JSON-RPC response with this id among what an HTTP answer carries. */
export function responseIn(r: Pick<RawResponse, 'json' | 'events'>, id: unknown): Record<string, unknown> | undefined {
  return messagesOf(r).find((m) => m.id === id && (Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error')));
}

/** The JSON-RPC error code an HTTP answer carries, if any. */
export function errorCodeIn(r: Pick<RawResponse, 'json' | 'events'>): number | undefined {
  const e = messagesOf(r).find((m) => isObject(m.error));
  const code = e && isObject(e.error) ? e.error.code : undefined;
  return typeof code === 'number' ? code : undefined;
}

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * One HTTP conversation with a Streamable HTTP target: raw requests with the transport's default
 * headers (Accept, Content-Type, session, protocol version, and 2026-07-28's Mcp-Method/Mcp-Name),
 * each overridable; the session id and version are taken from initialize.
 */
export class HttpProbe {
  private nextId = 1;

  constructor(
    readonly t: CheckScope,
    readonly transport: StreamableHttpClientTransport,
    readonly timeoutMs: number,
  ) {}

  get url(): URL {
    return this.transport.url;
  }

  get sessionId(): string | undefined {
    return this.transport.sessionId;
  }

  /** A fresh request id (unique within the probe). */
  id(): string {
    return `mcp-conform-${this.nextId++}`;
  }

  /** Sends any request (default POST to the endpoint); recorded in the wire log. Never throws. */
  async send(opts: RawRequestOptions): Promise<RawResponse> {
    const r = await this.transport.rawRequest({ timeoutMs: this.timeoutMs, ...opts });
    recordExchange(this.t, r.exchange);
    return r;
  }

  /** POSTs a body; for an SSE answer, reads until the response to `body.id` (or the timeout). */
  post(body: unknown, opts: Omit<RawRequestOptions, 'body' | 'method'> = {}): Promise<RawResponse> {
    return this.send({ ...opts, method: 'POST', body });
  }

  /** POSTs a JSON-RPC request (with stateless `_meta` when the probe speaks a stateless version). */
  request(method: string, params: Record<string, unknown> = {}, opts: Omit<RawRequestOptions, 'body' | 'method'> & { id?: string | number; meta?: Record<string, unknown> } = {}): Promise<RawResponse> {
    const { id = this.id(), meta, ...rest } = opts;
    return this.post(rpcRequest(method, params, id, meta ?? this.statelessMeta()), rest);
  }

  /** The per-request `_meta` of a stateless version (undefined for stateful ones). */
  statelessMeta(): Record<string, unknown> | undefined {
    const v = this.transport.protocolVersion;
    if (v === undefined || !this.transport.stateless) return undefined;
    return { [META.protocolVersion]: v, [META.clientCapabilities]: {}, [META.clientInfo]: DEFAULT_CLIENT_INFO };
  }

  /**
   * POSTs initialize at `version` (default: the check's revision), adopts the session id and the
   * negotiated version, and (by default) sends notifications/initialized. Ends the check
   * not-verified when initialize fails, not-applicable when the version is not spoken.
   */
  async initialize(opts: { version?: string; sendInitialized?: boolean; anyVersion?: boolean } = {}): Promise<{ id: string; response: RawResponse; result: Record<string, unknown>; initialized?: RawResponse }> {
    const version = opts.version ?? this.t.revision;
    const id = this.id();
    const response = await this.post(rpcRequest('initialize', { protocolVersion: version, capabilities: {}, clientInfo: DEFAULT_CLIENT_INFO }, id));
    const reply = responseIn(response, id);
    if (!reply || !isObject(reply.result)) {
      const why = response.error ?? (reply && isObject(reply.error) ? `error ${String(reply.error.code)} ${JSON.stringify(reply.error.message)}` : `HTTP ${response.status} without an initialize result`);
      throw new CheckOutcome('not-verified', `cannot open a session: initialize failed: ${why}`, this.t.evidence());
    }
    const negotiated = reply.result.protocolVersion;
    if (!opts.anyVersion && negotiated !== version) {
      throw new CheckOutcome('not-applicable', `the server does not speak ${version} (it answered protocolVersion ${JSON.stringify(negotiated)})`);
    }
    const sid = response.headers['mcp-session-id'];
    if (sid !== undefined) this.transport.sessionId = sid;
    if (typeof negotiated === 'string') this.transport.setProtocolVersion(negotiated);
    const out: { id: string; response: RawResponse; result: Record<string, unknown>; initialized?: RawResponse } = { id, response, result: reply.result };
    if (opts.sendInitialized !== false) out.initialized = await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return out;
  }

  /**
   * Reads an SSE answer to the end (or for `ms`), not stopping at the response: for checks on
   * how a stream ends. `ended` is true when the server closed the stream.
   */
  async readStream(body: unknown, ms: number, headers?: Record<string, string | null>): Promise<{ response: RawResponse; ended: boolean }> {
    const response = await this.send({ method: 'POST', body, until: () => false, timeoutMs: ms, ...(headers ? { headers } : {}) });
    return { response, ended: !response.timedOut && response.error === undefined };
  }
}

/** Opens a raw HTTP conversation with the check's Streamable HTTP target (used by `t.httpProbe()`). */
export async function openHttpProbe(t: CheckScope, opts: HttpProbeOptions): Promise<HttpProbe> {
  const target = t.target;
  if (target.kind !== 'http') throw new CheckOutcome('not-applicable', `the target is not reached over Streamable HTTP (it is a ${target.kind} target)`);
  if (t.ended) throw new CheckOutcome('not-verified', 'the check already ended');
  const version = opts.protocolVersion ?? (isStateless(t.revision as Revision) ? t.revision : undefined);
  const transport = new StreamableHttpClientTransport({
    url: target.url,
    ...(target.headers ? { headers: target.headers } : {}),
    ...(version !== undefined ? { protocolVersion: version } : {}),
    requestTimeoutMs: opts.timeoutMs ?? t.requestTimeoutMs,
  });
  transport.onnote = (n) => t.wire.note('recv', n);
  // Ends the session the probe opened (DELETE), like a polite client.
  t.defer(() => transport.close());
  t.note(`raw HTTP to ${target.url}`);
  return new HttpProbe(t, transport, opts.timeoutMs ?? t.requestTimeoutMs);
}

/** What a legacy HTTP+SSE stream opened with: its events, in order, as far as they were read. */
export interface LegacyStream {
  status: number;
  contentType: string;
  headers: Record<string, string>;
  events: SseEvent[];
  /** The body text when it was not an SSE stream. */
  body?: string;
  error?: string;
  /** Stops reading. */
  close(): void;
  /** Resolves with the next event matching pred (or undefined after ms). */
  next(pred: (e: SseEvent) => boolean, ms: number): Promise<SseEvent | undefined>;
}

/**
 * Opens the legacy HTTP+SSE stream (2024-11-05 basic/transports#http-with-sse) with a GET and
 * keeps reading it in the background until the check ends; every event is noted in the wire log.
 */
export async function openLegacyStream(t: CheckScope, headers: Record<string, string> = {}): Promise<LegacyStream> {
  const target = t.target;
  if (target.kind !== 'sse') throw new CheckOutcome('not-applicable', `the target is not reached over the legacy HTTP+SSE transport (it is a ${target.kind} target)`);
  const ctrl = new AbortController();
  t.defer(() => ctrl.abort());
  const reqHeaders: Record<string, string> = { accept: 'text/event-stream', ...(target.headers ?? {}), ...headers };
  t.wire.record({ dir: 'send', note: `HTTP GET ${target.url} [${pick(Object.fromEntries(Object.entries(reqHeaders).map(([k, v]) => [k.toLowerCase(), v])), SHOWN_REQUEST_HEADERS)}]` });
  const timer = setTimeout(() => ctrl.abort(), t.requestTimeoutMs);
  const events: SseEvent[] = [];
  const waiters = new Set<{ pred: (e: SseEvent) => boolean; resolve: (e: SseEvent | undefined) => void }>();
  const stream: LegacyStream = {
    status: 0,
    contentType: '',
    headers: {},
    events,
    close: () => ctrl.abort(),
    next: (pred, ms) => {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const w = {
          pred,
          resolve: (e: SseEvent | undefined) => {
            clearTimeout(timeout);
            waiters.delete(w);
            resolve(e);
          },
        };
        const timeout = setTimeout(() => w.resolve(undefined), ms);
        waiters.add(w);
      });
    },
  };
  let res: Response;
  try {
    res = await fetch(target.url, { method: 'GET', headers: reqHeaders, signal: ctrl.signal });
  } catch (err) {
    clearTimeout(timer);
    stream.error = ctrl.signal.aborted ? `no response within ${t.requestTimeoutMs} ms` : (err as Error).message;
    t.wire.record({ dir: 'recv', note: `no HTTP response: ${stream.error}` });
    return stream;
  }
  clearTimeout(timer);
  stream.status = res.status;
  stream.contentType = res.headers.get('content-type') ?? '';
  res.headers.forEach((v, k) => {
    stream.headers[k] = v;
  });
  t.wire.record({ dir: 'recv', note: `HTTP ${res.status} [${pick(stream.headers, SHOWN_HEADERS)}]` });
  if (!res.ok || !mediaType(stream.contentType).startsWith('text/event-stream') || !res.body) {
    stream.body = await res.text().catch(() => '');
    if (stream.body) t.wire.record({ dir: 'recv', raw: stream.body });
    return stream;
  }
  void readSse(
    res.body,
    {
      onevent: (e) => {
        events.push(e);
        const j = parseJson(e.data);
        t.wire.record({ dir: 'recv', note: `SSE event${e.event ? ` "${e.event}"` : ''}${e.id !== undefined ? ` id ${e.id}` : ''}`, ...(j === undefined ? { raw: e.data } : { msg: j }) });
        for (const w of [...waiters]) if (w.pred(e)) w.resolve(e);
      },
    },
    ctrl.signal,
  ).then((end) => {
    if (end.ended !== 'aborted') t.wire.note('recv', `SSE stream ended (${end.ended}${end.ended === 'error' ? `: ${end.error}` : ''})`);
    for (const w of [...waiters]) w.resolve(undefined);
  });
  return stream;
}

/** The legacy transport under a MockClient (for checks that drive a session over HTTP+SSE). */
export function legacyTransportOf(t: CheckScope, transport: unknown): SseClientTransport {
  if (!(transport instanceof SseClientTransport)) throw new CheckOutcome('not-applicable', `the target is not reached over the legacy HTTP+SSE transport (it is a ${t.target.kind} target)`);
  return transport;
}
