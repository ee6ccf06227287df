// HTTP-level faults: an httpFault hook for the Streamable HTTP and HTTP+SSE handlers (status
// codes, expired sessions, SSE streams that never send), and a wrapper that slows SSE bodies.
import type { HttpFaultContext, HttpFaultHook } from '../transports/http-server.ts';
import { FaultGate, HTTP_FAULTS, seededRandom, toFaultSpec, type FaultInput, type FaultKind, type FaultOptions } from './index.ts';

function firstMethod(message: unknown): string | undefined {
  const first = Array.isArray(message) ? message[0] : message;
  if (typeof first === 'object' && first !== null && typeof (first as { method?: unknown }).method === 'string') return (first as { method: string }).method;
  return undefined;
}

/** What an HTTP fault's `method` matches: the JSON-RPC method of a POST, or GET / DELETE. */
function methodOf(request: Request, message: unknown): string | undefined {
  if (request.method === 'POST') return firstMethod(message);
  return request.method;
}

function isNotificationOnly(message: unknown): boolean {
  const list = Array.isArray(message) ? message : [message];
  return list.every((m) => typeof m === 'object' && m !== null && !Object.hasOwn(m, 'id'));
}

/** The hook that injects http-status, expire-session and stuck-sse faults (others are ignored). */
export function httpFaultHook(faults: readonly FaultInput[], options: FaultOptions = {}): HttpFaultHook | undefined {
  const random = seededRandom(options.seed ?? 1);
  const gates = faults
    .map(toFaultSpec)
    .filter((f) => f.kind === 'http-status' || f.kind === 'expire-session' || f.kind === 'stuck-sse')
    .map((f) => new FaultGate(f, random));
  if (!gates.length) return undefined;
  return (request: Request, ctx: HttpFaultContext) => {
    const method = methodOf(request, ctx.message);
    for (const g of gates) {
      // A stream that never sends only makes sense where a stream is expected.
      if (g.spec.kind === 'stuck-sse' && request.method === 'POST' && isNotificationOnly(ctx.message)) continue;
      if (g.spec.kind === 'expire-session' && ctx.sessionId === undefined) continue;
      if (!g.fires(method)) continue;
      const what = `${request.method} ${method ?? ''}`.trim();
      const note = (kind: FaultKind, detail: string) => {
        options.onfault?.(kind, detail);
        ctx.session?.onnote?.(`fault ${kind}: ${detail}`);
      };
      switch (g.spec.kind) {
        case 'http-status': {
          const status = g.spec.status ?? 500;
          note('http-status', `${what} answered ${status}`);
          return new Response(`mcp-conform mock: injected HTTP ${status}`, { status, headers: { 'content-type': 'text/plain' } });
        }
        case 'expire-session':
          note('expire-session', `session ${ctx.sessionId ?? ''} expired at ${what}`);
          ctx.expireSession();
          return undefined;
        case 'stuck-sse':
          note('stuck-sse', `${what} answered with an SSE stream that never sends`);
          return ctx.holdOpen();
        default:
          return undefined;
      }
    }
    return undefined;
  };
}

/** A body that passes the original stream on one chunk every `ms`. */
function slowBody(body: ReadableStream<Uint8Array>, ms: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let timer: NodeJS.Timeout | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise<void>((r) => {
        timer = setTimeout(r, ms);
      });
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        controller.error(err);
      }
    },
    cancel(reason) {
      if (timer) clearTimeout(timer);
      return reader.cancel(reason);
    },
  });
}

type Handler = ((request: Request) => Promise<Response>) & { close?: () => Promise<void> };

/** Wraps a fetch-style handler so slow-sse faults pace its SSE responses. */
export function withSlowSse<H extends Handler>(handler: H, faults: readonly FaultInput[], options: FaultOptions = {}): H {
  const random = seededRandom((options.seed ?? 1) + 7);
  const gates = faults
    .map(toFaultSpec)
    .filter((f) => f.kind === 'slow-sse')
    .map((f) => new FaultGate(f, random));
  if (!gates.length) return handler;
  const wrapped = async (request: Request): Promise<Response> => {
    let message: unknown;
    if (request.method === 'POST') {
      const text = await request.clone().text();
      try {
        message = JSON.parse(text);
      } catch {
        message = undefined;
      }
    }
    const response = await handler(request);
    if (!response.body || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) return response;
    const method = methodOf(request, message);
    const g = gates.find((x) => x.fires(method));
    if (!g) return response;
    const ms = g.spec.ms ?? 1000;
    options.onfault?.('slow-sse', `${request.method} ${method ?? ''} stream paced at one chunk per ${ms} ms`);
    return new Response(slowBody(response.body, ms), { status: response.status, headers: response.headers });
  };
  return Object.assign(wrapped, handler) as H;
}

export const HTTP_FAULT_KINDS = HTTP_FAULTS;
