// The handler shell the Streamable HTTP and legacy HTTP+SSE server transports share: the session
// table, the fault hook consulted first, the 503 while shutting down, the exchange log, held-open
// streams and close(). Each transport brings only its routing (what a GET, POST or DELETE means).
import { headersToRecord, tryParse } from './http-common.ts';
import { SSE_HEADERS, SseWriter } from './sse.ts';
import type { Transport } from '../transport.ts';

/** One HTTP request the handler answered, for client-side checks (what did the client send?). */
export interface ServerExchange {
  seq: number;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  sessionId?: string;
  status: number;
  contentType: string;
  responseHeaders: Record<string, string>;
  startedAt: number;
  /** Milliseconds until the response (headers) was ready. */
  ms: number;
  /** Why the request was refused, when it was. */
  reason?: string;
}

export interface HttpFaultContext {
  /** The request body (already read: do not read `request` again). */
  bodyText: string;
  /** The parsed body, when it is JSON. */
  message: unknown;
  /** The Mcp-Session-Id header. */
  sessionId: string | undefined;
  /** The transport of the session it names, if that exists. */
  session: Transport | undefined;
  /** Ends a session now (later requests get 404); default: the one this request names. */
  expireSession(id?: string): boolean;
  /** An SSE response that never sends anything and stays open until the handler closes. */
  holdOpen(headers?: Record<string, string>): Response;
}

/** Consulted before anything else; a Response returned here is the answer. */
export type HttpFaultHook = (request: Request, ctx: HttpFaultContext) => Response | undefined | Promise<Response | undefined>;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isAllowedOrigin(origin: string | null, allowed: string[] | '*' | undefined): boolean {
  if (origin === null || allowed === '*') return true;
  if (allowed?.includes(origin)) return true;
  try {
    return LOOPBACK.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}

/** A request body is logged up to this many characters. */
const LOGGED_BODY = 65_536;

export interface ShellOptions {
  httpFault?: HttpFaultHook | undefined;
  onexchange?: ((x: ServerExchange) => void) | undefined;
  /** Keep at most this many exchanges (default 2000). */
  maxExchanges?: number | undefined;
  /** The session a request names (a header on Streamable HTTP, a query parameter on legacy SSE). */
  sessionIdOf(request: Request, url: URL): string | undefined;
  /** The session an answer opened, for the exchange log of a request that named none. */
  sessionIdIssued?(response: Response): string | undefined;
  /** The answer to every request once close() began. */
  shuttingDown(): Response;
  /** The transport's own answer; `refuse` records why a request was refused. */
  route(request: Request, bodyText: string, url: URL, refuse: (reason: string) => void): Promise<Response>;
}

/** A server transport's handler as its users see it. */
export interface SessionHandler<S> {
  (request: Request): Promise<Response>;
  readonly sessions: ReadonlyMap<string, S>;
  readonly exchanges: ServerExchange[];
  /** Ends a session as if it expired: requests naming it get 404. */
  expireSession(id: string): boolean;
  /** Ends every session and open stream. */
  close(): Promise<void>;
}

type Session = Transport & { terminate(reason: string): void };

export interface HandlerShell<S extends Session> {
  readonly sessions: Map<string, S>;
  expire(id: string, reason: string): boolean;
  /** The handler; `onClose` ends what the transport holds besides its sessions. */
  published(onClose?: () => void): SessionHandler<S>;
}

export function handlerShell<S extends Session>(options: ShellOptions): HandlerShell<S> {
  const sessions = new Map<string, S>();
  const exchanges: ServerExchange[] = [];
  const held = new Set<SseWriter>();
  let seq = 0;
  let closed = false;

  const expire = (id: string, reason: string): boolean => {
    const t = sessions.get(id);
    if (!t) return false;
    t.terminate(reason);
    return true;
  };

  const holdOpen = (headers: Record<string, string> = {}): Response => {
    const w = new SseWriter();
    held.add(w);
    w.oncancel = () => held.delete(w);
    return new Response(w.stream, { status: 200, headers: { ...SSE_HEADERS, ...headers } });
  };

  const handler = async (request: Request): Promise<Response> => {
    const startedAt = Date.now();
    const url = new URL(request.url);
    const bodyText = request.method === 'POST' ? await request.text().catch(() => '') : '';
    let reason: string | undefined;
    const refuse = (r: string) => {
      reason = r;
    };
    const sid = options.sessionIdOf(request, url);
    let response: Response | undefined;
    if (options.httpFault) {
      const p = tryParse(bodyText);
      response = await options.httpFault(request, {
        bodyText,
        message: p.ok ? p.value : undefined,
        sessionId: sid,
        session: sid === undefined ? undefined : sessions.get(sid),
        expireSession: (id = sid) => (id === undefined ? false : expire(id, 'expired (fault injection)')),
        holdOpen,
      });
      if (response) reason = 'fault injection';
    }
    response ??= closed ? options.shuttingDown() : await options.route(request, bodyText, url, refuse);
    const x: ServerExchange = {
      seq: ++seq,
      method: request.method,
      url: request.url,
      requestHeaders: headersToRecord(request.headers),
      requestBody: bodyText.length > LOGGED_BODY ? `${bodyText.slice(0, LOGGED_BODY)}…` : bodyText,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      responseHeaders: headersToRecord(response.headers),
      startedAt,
      ms: Date.now() - startedAt,
    };
    const sessionId = sid ?? options.sessionIdIssued?.(response);
    if (sessionId !== undefined) x.sessionId = sessionId;
    if (reason !== undefined) x.reason = reason;
    exchanges.push(x);
    if (exchanges.length > (options.maxExchanges ?? 2000)) exchanges.shift();
    options.onexchange?.(x);
    return response;
  };

  return {
    sessions,
    expire,
    published: (onClose) =>
      Object.assign(handler, {
        sessions: sessions as ReadonlyMap<string, S>,
        exchanges,
        expireSession: (id: string) => expire(id, 'expired'),
        close: async () => {
          closed = true;
          for (const t of [...sessions.values()]) t.terminate('server closed');
          onClose?.();
          for (const w of held) w.close();
          held.clear();
        },
      }),
  };
}
