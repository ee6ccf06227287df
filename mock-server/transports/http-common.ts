// What the HTTP client transports share: a record of every HTTP exchange (the evidence transport
// checks look at), raw requests outside the JSON-RPC flow, and the error a failed POST rejects with.
import { isObject } from '../../schema/index.ts';
import { readSse, type SseEvent } from './sse.ts';

// Shapes of JSON-RPC messages as they cross HTTP (no schema: the Peer validates).
export const idKey = (id: unknown): string => JSON.stringify(id);
export const isRequest = (m: unknown): m is Record<string, unknown> => isObject(m) && typeof m.method === 'string' && Object.hasOwn(m, 'id');
export const isResponse = (m: unknown): m is Record<string, unknown> =>
  isObject(m) && typeof m.method !== 'string' && (Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error'));
/** The messages of a body: a batch's items, or the single message. */
export const items = (m: unknown): unknown[] => (Array.isArray(m) ? m : [m]);
export function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: Error } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: err as Error };
  }
}

export interface HttpExchange {
  /** Sequence number within the transport. */
  seq: number;
  /** post/get/delete: sent by the transport itself; raw: sent through rawRequest(). */
  kind: 'post' | 'get' | 'delete' | 'raw';
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  /** Request body, capped. */
  requestBody?: string;
  /** 0 when no response arrived (network error, timeout). */
  status: number;
  statusText: string;
  responseHeaders: Record<string, string>;
  contentType: string;
  /** Response body text, capped; for SSE the raw stream text. */
  body: string;
  bodyTruncated: boolean;
  /** Epoch milliseconds when the request was sent. */
  startedAt: number;
  /** Milliseconds from sending to the response headers. */
  headersMs?: number;
  /** Milliseconds from sending to the end of the body (unset while a stream is open). */
  durationMs?: number;
  /** Network failure, timeout or local abort. */
  error?: string;
  done: boolean;
}

export class HttpError extends Error {
  constructor(readonly status: number, readonly body: string, readonly exchange: HttpExchange) {
    super(`HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
    this.name = 'HttpError';
  }
}

export function headersToRecord(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

export interface RecorderOptions {
  /** Keep at most this many characters of each body (default 64 KiB). */
  maxBodyChars?: number;
  /** Keep at most this many exchanges; older ones are dropped (default 2000). */
  maxExchanges?: number;
}

/** Keeps the HTTP exchanges of one transport and reports each when it completes. */
export class HttpRecorder {
  readonly exchanges: HttpExchange[] = [];
  onexchange?: (x: HttpExchange) => void;
  private seq = 0;
  private readonly maxBody: number;
  private readonly maxExchanges: number;
  private readonly open = new Set<HttpExchange>();

  constructor(opts: RecorderOptions = {}) {
    this.maxBody = opts.maxBodyChars ?? 64 * 1024;
    this.maxExchanges = opts.maxExchanges ?? 2000;
  }

  begin(kind: HttpExchange['kind'], method: string, url: string, headers: Record<string, string>, body?: string): HttpExchange {
    const x: HttpExchange = {
      seq: ++this.seq,
      kind,
      method,
      url,
      requestHeaders: headers,
      status: 0,
      statusText: '',
      responseHeaders: {},
      contentType: '',
      body: '',
      bodyTruncated: false,
      startedAt: Date.now(),
      done: false,
    };
    if (body !== undefined) x.requestBody = body.length > this.maxBody ? `${body.slice(0, this.maxBody)}…` : body;
    this.exchanges.push(x);
    if (this.exchanges.length > this.maxExchanges) this.exchanges.shift();
    this.open.add(x);
    return x;
  }

  response(x: HttpExchange, res: Response): void {
    x.status = res.status;
    x.statusText = res.statusText;
    x.responseHeaders = headersToRecord(res.headers);
    x.contentType = res.headers.get('content-type') ?? '';
    x.headersMs = Date.now() - x.startedAt;
  }

  append(x: HttpExchange, text: string): void {
    if (x.bodyTruncated) return;
    const room = this.maxBody - x.body.length;
    if (text.length > room) {
      x.body += text.slice(0, room);
      x.bodyTruncated = true;
    } else x.body += text;
  }

  finish(x: HttpExchange, error?: string): void {
    if (x.done) return;
    x.done = true;
    x.durationMs = Date.now() - x.startedAt;
    if (error !== undefined) x.error = error;
    this.open.delete(x);
    this.onexchange?.(x);
  }

  /** Finishes every exchange still open (streams cut by close()). */
  finishAll(reason: string): void {
    for (const x of [...this.open]) this.finish(x, reason);
  }
}

export interface RawRequestOptions {
  method?: string;
  /** Overrides the transport's URL (resolved against it). */
  url?: string;
  /** Merged over the defaults; a null value removes a default header. */
  headers?: Record<string, string | null>;
  /** A string is sent as-is; anything else is JSON-serialised. */
  body?: unknown;
  /**
   * Stop waiting/reading after this long; the result then has timedOut (default 5000 ms, GET 1000 ms:
   * a GET stream normally stays open, so its reading ends by time).
   */
  timeoutMs?: number;
  /** For SSE responses: stop reading once this returns true (default: after the first JSON-RPC response). */
  until?: (events: SseEvent[]) => boolean;
}

export interface RawResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  contentType: string;
  text: string;
  /** Parsed body when it is JSON. */
  json?: unknown;
  /** Parsed events when the body is an SSE stream. */
  events?: SseEvent[];
  timedOut: boolean;
  /** Network failure (status 0). */
  error?: string;
  exchange: HttpExchange;
}

function isResponseEvent(e: SseEvent): boolean {
  try {
    const m = JSON.parse(e.data) as unknown;
    return typeof m === 'object' && m !== null && 'id' in m && ('result' in m || 'error' in m);
  } catch {
    return false;
  }
}

/** Sends one HTTP request outside the JSON-RPC flow and reads its answer; never throws. */
export async function sendRaw(
  recorder: HttpRecorder,
  fetchFn: typeof fetch,
  url: string,
  headers: Record<string, string>,
  opts: RawRequestOptions,
  kind: HttpExchange['kind'] = 'raw',
): Promise<RawResponse> {
  const method = opts.method ?? 'POST';
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const x = recorder.begin(kind, method, url, headers, body);
  const ctrl = new AbortController();
  let timedOut = false;
  const timeoutMs = opts.timeoutMs ?? (method === 'GET' ? 1_000 : 5_000);
  const timer = setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, timeoutMs);
  const result = (partial: Partial<RawResponse>): RawResponse => ({
    status: x.status,
    statusText: x.statusText,
    headers: x.responseHeaders,
    contentType: x.contentType,
    text: x.body,
    timedOut,
    exchange: x,
    ...partial,
  });
  try {
    let res: Response;
    try {
      res = await fetchRetryingStale(fetchFn, url, { method, headers, body, signal: ctrl.signal }, () => {});
    } catch (err) {
      const error = timedOut ? `no response within ${timeoutMs} ms` : fetchErrorText(err);
      recorder.finish(x, error);
      return result({ error });
    }
    recorder.response(x, res);
    if (x.contentType.includes('text/event-stream') && res.body) {
      const events: SseEvent[] = [];
      const until = opts.until ?? ((evs: SseEvent[]) => evs.some(isResponseEvent));
      const stop = new AbortController();
      ctrl.signal.addEventListener('abort', () => stop.abort(), { once: true });
      await readSse(
        res.body,
        {
          onevent: (e) => {
            events.push(e);
            if (until(events)) stop.abort();
          },
          onchunk: (t) => recorder.append(x, t),
        },
        stop.signal,
      );
      recorder.finish(x, timedOut ? 'timed out reading the stream' : undefined);
      return result({ events });
    }
    let full: string;
    try {
      full = await res.text();
      recorder.append(x, full);
    } catch (err) {
      recorder.finish(x, timedOut ? 'timed out reading the body' : (err as Error).message);
      return result({});
    }
    recorder.finish(x);
    let json: unknown;
    try {
      json = full ? JSON.parse(full) : undefined;
    } catch {
      json = undefined;
    }
    return json === undefined ? result({}) : result({ json });
  } finally {
    clearTimeout(timer);
  }
}

/** Applies overrides (null removes) over lower-cased default headers. */
export function mergeHeaders(base: Record<string, string>, overrides?: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) out[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(overrides ?? {})) {
    if (v === null) delete out[k.toLowerCase()];
    else out[k.toLowerCase()] = v;
  }
  return out;
}

/** Reads a whole body (recorded capped) and finishes the exchange; undefined when reading failed. */
export async function readBody(res: Response, recorder: HttpRecorder, x: HttpExchange): Promise<string | undefined> {
  try {
    const text = await res.text();
    recorder.append(x, text);
    recorder.finish(x);
    return text;
  } catch (err) {
    recorder.finish(x, (err as Error).message);
    return undefined;
  }
}

/** Socket errors of a kept-alive connection that the server closed as a request went out on it. */
const STALE_SOCKET = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/** fetch's "fetch failed" with its cause, which says what actually happened. */
export function fetchErrorText(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const message = (err as Error | undefined)?.message ?? String(err);
  if (!cause || typeof cause !== 'object') return message;
  const what = [typeof cause.code === 'string' ? cause.code : '', typeof cause.message === 'string' ? cause.message : ''].filter(Boolean).join(': ');
  return what ? `${message} (${what})` : message;
}

/**
 * fetch, tried once more when the connection it reused turned out closed before any answer: Node
 * HTTP servers close a kept-alive connection after 5 s idle, and a request sent at that moment
 * fails with "other side closed" without having been read (a race of two timers, not an answer of
 * the server). `onretry` notes it in the wire log; a second failure is the error.
 */
export async function fetchRetryingStale(fetchFn: typeof fetch, url: string | URL, init: RequestInit, onretry: (why: string) => void): Promise<Response> {
  try {
    return await fetchFn(url, init);
  } catch (err) {
    const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    if (init.signal?.aborted || typeof code !== 'string' || !STALE_SOCKET.has(code)) throw err;
    onretry(`${fetchErrorText(err)}; sent again on a new connection (a kept-alive connection the server had just closed)`);
    return fetchFn(url, init);
  }
}
