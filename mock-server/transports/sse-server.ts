// The server side of the legacy HTTP+SSE transport (2024-11-05 basic/transports#http-with-sse) as
// a fetch-style handler: GET on the SSE path opens a session's stream and sends the `endpoint`
// event; POSTs to that endpoint are accepted with 202 and answered on the stream.
import { randomUUID } from 'node:crypto';
import { deliverFrame, frameText, type Transport } from '../transport.ts';
import { headersToRecord } from './http-common.ts';
import type { SessionInfo } from './http-server.ts';
import { handlerShell, isAllowedOrigin, type HttpFaultHook, type ServerExchange, type SessionHandler } from './server-shell.ts';
import { SSE_HEADERS, SseWriter } from './sse.ts';

export interface SseHandlerOptions {
  onSession: (transport: SseServerTransport, info: SessionInfo) => void | Promise<void>;
  /** Default /sse. */
  ssePath?: string;
  /** Default /messages; the endpoint event carries `<messagePath>?sessionId=<id>`. */
  messagePath?: string;
  allowedOrigins?: string[] | '*';
  /** SSE comment keep-alive (ms; default off). */
  keepAliveMs?: number;
  /** Consulted first, like the Streamable HTTP handler's (holdOpen and expireSession work the same). */
  httpFault?: HttpFaultHook;
  onexchange?: (x: ServerExchange) => void;
}

export type SseHandler = SessionHandler<SseServerTransport>;

export class SseServerTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onmalformed?: Transport['onmalformed'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  onnote?: Transport['onnote'];
  closed = false;
  /** @internal set by the handler */
  ended?: () => void;

  constructor(
    readonly sessionId: string,
    readonly writer: SseWriter,
  ) {
    writer.oncancel = () => this.terminate('the client closed the SSE stream');
  }

  async start(): Promise<void> {}

  async send(message: unknown): Promise<void> {
    if (this.closed || !this.writer.event({ event: 'message', data: frameText(message) })) throw new Error('SSE stream is closed');
  }

  /** Delivers a POSTed body (called by the handler). */
  receive(text: string, note: string): void {
    deliverFrame(this, text, note);
  }

  terminate(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.writer.close();
    this.ended?.();
    this.onclose?.(reason);
  }

  async close(): Promise<void> {
    this.terminate('closed by the server');
  }
}

function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

export function createSseHandler(options: SseHandlerOptions): SseHandler {
  const ssePath = options.ssePath ?? '/sse';
  const messagePath = options.messagePath ?? '/messages';
  const shell = handlerShell<SseServerTransport>({
    httpFault: options.httpFault,
    onexchange: options.onexchange,
    sessionIdOf: (_request, url) => url.searchParams.get('sessionId') ?? undefined,
    shuttingDown: () => textResponse(503, 'Server is shutting down'),
    route,
  });
  const { sessions } = shell;

  async function route(request: Request, bodyText: string, url: URL, refuse: (r: string) => void): Promise<Response> {
    if (!isAllowedOrigin(request.headers.get('origin'), options.allowedOrigins)) {
      refuse(`Origin ${request.headers.get('origin')} is not allowed`);
      return textResponse(403, 'Forbidden: Origin not allowed');
    }
    if (url.pathname === ssePath) {
      if (request.method !== 'GET') {
        refuse('SSE path takes GET');
        return new Response(null, { status: 405, headers: { allow: 'GET' } });
      }
      const id = randomUUID();
      const writer = new SseWriter(options.keepAliveMs);
      const t = new SseServerTransport(id, writer);
      sessions.set(id, t);
      t.ended = () => sessions.delete(id);
      await options.onSession(t, { sessionId: id, stateless: false, headers: headersToRecord(request.headers) });
      writer.event({ event: 'endpoint', data: `${messagePath}?sessionId=${encodeURIComponent(id)}` });
      return new Response(writer.stream, { status: 200, headers: SSE_HEADERS });
    }
    if (url.pathname === messagePath) {
      if (request.method !== 'POST') {
        refuse('message endpoint takes POST');
        return new Response(null, { status: 405, headers: { allow: 'POST' } });
      }
      const id = url.searchParams.get('sessionId');
      if (id === null) {
        refuse('missing sessionId');
        return textResponse(400, 'Missing sessionId parameter');
      }
      const t = sessions.get(id);
      if (!t) {
        refuse('unknown session');
        return textResponse(404, 'Session not found');
      }
      const ct = request.headers.get('content-type') ?? '';
      if (!ct.toLowerCase().startsWith('application/json')) {
        refuse('Content-Type is not application/json');
        return textResponse(415, 'Content-Type must be application/json');
      }
      t.receive(bodyText, `HTTP POST session ${id}`);
      return textResponse(202, 'Accepted');
    }
    refuse('unknown path');
    return textResponse(404, 'Not found');
  }

  return shell.published();
}
