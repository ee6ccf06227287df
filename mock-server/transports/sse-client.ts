// The client side of the legacy HTTP+SSE transport (2024-11-05 basic/transports#http-with-sse):
// GET the SSE URL, wait for the `endpoint` event, POST every message to that endpoint, and read
// the server's messages as `message` events on the stream.
import { isObject } from '../../schema/index.ts';
import {
  fetchErrorText,
  fetchRetryingStale,
  HttpError,
  mergeHeaders,
  readBody,
  sendRaw,
  type RawRequestOptions,
  type RawResponse,
  type RecorderOptions,
} from './http-common.ts';
import { HttpClientBase, outgoing } from './client-base.ts';
import { readSse } from './sse.ts';

export interface SseClientOptions extends RecorderOptions {
  /** The SSE endpoint, e.g. http://127.0.0.1:3001/sse. */
  url: string | URL;
  headers?: Record<string, string>;
  /** Longest wait for the stream to open and the endpoint event to arrive (default 10 s). */
  endpointTimeoutMs?: number;
  /** Longest wait for a POST's answer (default 30 s). */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

export class SseClientTransport extends HttpClientBase<SseClientOptions> {
  /** Where messages are POSTed, from the endpoint event (resolved against the SSE URL). */
  endpoint: URL | undefined;
  private readonly stream = new AbortController();

  /** Opens the stream; resolves once the endpoint event arrived. */
  async start(): Promise<void> {
    const headers = mergeHeaders({ accept: 'text/event-stream', ...(this.options.headers ?? {}) });
    const x = this.recorder.begin('get', 'GET', this.url.href, headers);
    const timeoutMs = this.options.endpointTimeoutMs ?? 10_000;
    const timer = setTimeout(() => this.stream.abort(), timeoutMs);
    let res: Response;
    try {
      res = await this.fetchFn(this.url, { method: 'GET', headers, signal: this.stream.signal });
    } catch (err) {
      clearTimeout(timer);
      const why = this.stream.signal.aborted ? `no response within ${timeoutMs} ms` : (err as Error).message;
      this.recorder.finish(x, why);
      throw new Error(`GET ${this.url.href}: ${why}`);
    }
    this.recorder.response(x, res);
    const ct = (res.headers.get('content-type') ?? '').toLowerCase();
    if (!res.ok || !ct.includes('text/event-stream') || !res.body) {
      clearTimeout(timer);
      const body = (await readBody(res, this.recorder, x)) ?? '';
      throw new HttpError(res.status, res.ok ? `expected text/event-stream, got "${ct}"` : body, x);
    }
    let gotEndpoint: () => void = () => {};
    const endpointArrived = new Promise<void>((r) => {
      gotEndpoint = r;
    });
    const reading = readSse(
      res.body,
      {
        onchunk: (t) => this.recorder.append(x, t),
        onparseerror: (m) => this.onnote?.(`SSE stream: ${m}`),
        onevent: (e) => {
          if (e.event === 'endpoint') {
            this.onEndpoint(e.data);
            gotEndpoint();
            return;
          }
          if (e.event !== undefined && e.event !== 'message') {
            this.onnote?.(`SSE stream: event type "${e.event}" ignored${carriesJsonRpc(e.data) ? ' (its data is a JSON-RPC message)' : ''}`);
            return;
          }
          if (!this.endpoint) this.onnote?.('SSE stream: message event before the endpoint event');
          let parsed: unknown;
          try {
            parsed = JSON.parse(e.data);
          } catch (err) {
            this.onmalformed?.(e.data, err as Error);
            return;
          }
          this.onmessage?.(parsed, { raw: e.data, note: `SSE message event${e.id !== undefined ? ` ${e.id}` : ''}` });
        },
      },
      this.stream.signal,
    ).then((end) => {
      this.recorder.finish(x, end.ended === 'eof' ? undefined : end.ended === 'aborted' ? 'aborted locally' : end.error);
      if (!this.closed) {
        this.closed = true;
        this.onclose?.(end.ended === 'error' ? `SSE stream broke: ${end.error}` : 'SSE stream closed by the server');
      }
      return end;
    });
    const outcome = await Promise.race([endpointArrived.then(() => 'endpoint' as const), reading.then(() => 'ended' as const)]);
    clearTimeout(timer);
    if (outcome === 'ended') {
      throw new Error(this.stream.signal.aborted ? `no endpoint event within ${timeoutMs} ms` : 'SSE stream ended before the endpoint event');
    }
  }

  private onEndpoint(data: string): void {
    let url: URL;
    try {
      url = new URL(data.trim(), this.url);
    } catch {
      this.onnote?.(`endpoint event data "${data}" is not a URL`);
      return;
    }
    if (this.endpoint) this.onnote?.(`second endpoint event (${url.href}); using it from now on`);
    if (url.origin !== this.url.origin) this.onnote?.(`endpoint ${url.href} is on another origin than the SSE URL`);
    this.endpoint = url;
  }

  async send(message: unknown): Promise<void> {
    if (this.closed) throw new Error('SSE transport is closed');
    if (!this.endpoint) throw new Error('no endpoint event received yet');
    const { text, parsed } = outgoing(message);
    const isRequest = isObject(parsed) && typeof parsed.method === 'string' && Object.hasOwn(parsed, 'id');
    const headers = mergeHeaders({ 'content-type': 'application/json', ...(this.options.headers ?? {}) });
    const x = this.recorder.begin('post', 'POST', this.endpoint.href, headers, text);
    const ctrl = new AbortController();
    const timeoutMs = this.options.requestTimeoutMs ?? 30_000;
    const timer = setTimeout(() => ctrl.abort(), timeoutMs);
    const onClose = () => ctrl.abort();
    this.stream.signal.addEventListener('abort', onClose, { once: true });
    try {
      let res: Response;
      try {
        res = await fetchRetryingStale(this.fetchFn, this.endpoint, { method: 'POST', headers, body: text, signal: ctrl.signal }, (why) => this.onnote?.(`POST: ${why}`));
      } catch (err) {
        const why = ctrl.signal.aborted ? (this.closed ? 'transport closed' : `no response within ${timeoutMs} ms`) : fetchErrorText(err);
        this.recorder.finish(x, why);
        throw new Error(`POST ${this.endpoint.href}: ${why}`);
      }
      this.recorder.response(x, res);
      const body = (await readBody(res, this.recorder, x)) ?? '';
      if (res.ok) {
        if (res.status !== 202) this.onnote?.(`POST: HTTP ${res.status} (the legacy transport answers with 202 Accepted; replies come on the stream)`);
        return;
      }
      this.onnote?.(`POST: HTTP ${res.status} ${res.statusText}`.trim());
      if (isRequest) throw new HttpError(res.status, body, x);
    } finally {
      clearTimeout(timer);
      this.stream.signal.removeEventListener('abort', onClose);
    }
  }

  /** Any HTTP request, outside the JSON-RPC flow (default: POST to the endpoint); never throws. */
  rawRequest(opts: RawRequestOptions = {}): Promise<RawResponse> {
    const method = (opts.method ?? 'POST').toUpperCase();
    const base = this.endpoint ?? this.url;
    const url = opts.url ? new URL(opts.url, base).href : method === 'GET' ? this.url.href : base.href;
    const defaults: Record<string, string> = method === 'POST' ? { 'content-type': 'application/json' } : method === 'GET' ? { accept: 'text/event-stream' } : {};
    const headers = mergeHeaders({ ...defaults, ...(this.options.headers ?? {}) }, opts.headers);
    return sendRaw(this.recorder, this.fetchFn, url, headers, { ...opts, method });
  }

  async close(): Promise<void> {
    const wasClosed = this.closed;
    this.closed = true;
    this.stream.abort();
    this.recorder.finishAll('closed locally');
    if (!wasClosed) this.onclose?.('closed locally');
  }
}

/** Whether an event's data is a JSON-RPC message: tells a misnamed answer from an unrelated event. */
function carriesJsonRpc(data: string): boolean {
  try {
    const v = JSON.parse(data) as unknown;
    return typeof v === 'object' && v !== null && (v as { jsonrpc?: unknown }).jsonrpc === '2.0';
  } catch {
    return false;
  }
}
