// Serves a fetch-style handler ((Request) => Promise<Response>) over node:http: the same handler
// core runs here and inside msw. SSE bodies are streamed chunk by chunk, never buffered, and
// close() cuts every open stream and socket so a test run can end.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FetchHandler = (request: Request) => Promise<Response>;

export interface ServeOptions {
  /** Default 127.0.0.1: a local mock never listens on other interfaces. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
}

export interface ServedHttp {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

// Hop-by-hop headers that must not be copied into a Request.
const SKIP_REQUEST_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade']);

function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (SKIP_REQUEST_HEADERS.has(name.toLowerCase())) continue;
    try {
      headers.append(name, req.rawHeaders[i + 1]!);
    } catch {
      // a header value Headers refuses (invalid characters): drop it rather than fail the request
    }
  }
  return headers;
}

/**
 * The Request a handler gets over node:http, built only as far as it is read. A full `Request`
 * with a body and a signal cost ~170 µs to make and ~200 µs more to read its body back
 * (bench/mock.ts: more than the rest of a validated tools/call): method, url, headers, signal
 * and the body readers are served from the node request; anything else (body stream, cache…)
 * builds the full Request on first use. Unlike a Request, the body may be read more than once.
 */
class NodeRequest {
  private builtHeaders: Headers | undefined;
  private builtUrl: string | undefined;
  private full: Request | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly base: string,
    private readonly bytes: Buffer | undefined,
    readonly signal: AbortSignal,
  ) {}

  get method(): string {
    return this.req.method ?? 'GET';
  }

  get url(): string {
    return (this.builtUrl ??= new URL(this.req.url ?? '/', this.base).href);
  }

  get headers(): Headers {
    return (this.builtHeaders ??= requestHeaders(this.req));
  }

  private get hasBody(): boolean {
    return this.bytes !== undefined && this.bytes.length > 0 && this.method !== 'GET' && this.method !== 'HEAD';
  }

  async text(): Promise<string> {
    return this.hasBody ? this.bytes!.toString('utf8') : '';
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.hasBody ? this.bytes! : Buffer.alloc(0);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
  }

  clone(): Request {
    return nodeRequest(this.req, this.base, this.bytes, this.signal);
  }

  /** The full Request, for what the fields above do not cover. */
  real(): Request {
    if (!this.full) {
      const init: RequestInit = { method: this.method, headers: this.headers, signal: this.signal };
      if (this.hasBody) init.body = new Uint8Array(this.bytes!.buffer as ArrayBuffer, this.bytes!.byteOffset, this.bytes!.length);
      this.full = new Request(this.url, init);
    }
    return this.full;
  }
}

function nodeRequest(req: IncomingMessage, base: string, body: Buffer | undefined, signal: AbortSignal): Request {
  const light = new NodeRequest(req, base, body, signal);
  // Typed as a Request, and one to instanceof: members NodeRequest lacks (the internal slots
  // `new Request(request, init)` reads included) are read from the full one.
  return new Proxy(light, {
    getPrototypeOf: () => Request.prototype,
    get(target, prop) {
      const own = prop in target;
      const from: object = own ? target : target.real();
      const v: unknown = Reflect.get(from, prop, from);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(from) : v;
    },
    has: (target, prop) => prop in target || prop in target.real(),
  }) as unknown as Request;
}

interface Plain {
  status: number;
  headers: Record<string, string>;
  /** null: no body. */
  body: string | null;
}

/** The parts of each light Response, for serveHttp to write without reading a stream. */
const plainParts = new WeakMap<object, Plain>();

/**
 * A Response with a text body (or none) that is cheap to make and to send: a full `Response` costs
 * ~60 µs to make and as much again to read back through its stream (bench/mock.ts), most of a
 * JSON answer's cost. serveHttp writes `body` as is; anything else reading it (msw, a test
 * calling the handler) gets status, headers, text() and json() directly, and the full Response
 * (built on first use) for the rest.
 */
export function plainResponse(body: string | null, status: number, headers: Record<string, string> = {}): Response {
  const parts: Plain = { status, headers, body };
  let full: Response | undefined;
  let built: Headers | undefined;
  const real = () => (full ??= new Response(body, { status, headers }));
  const light: Record<string | symbol, unknown> = {
    status,
    statusText: '',
    ok: status >= 200 && status < 300,
    text: async () => body ?? '',
    json: async () => JSON.parse(body ?? ''),
    clone: () => plainResponse(body, status, headers),
  };
  const proxy = new Proxy(light, {
    getPrototypeOf: () => Response.prototype,
    get(target, prop) {
      if (prop === 'headers') return (built ??= new Headers(headers));
      if (Object.hasOwn(target, prop)) return target[prop];
      const r = real();
      const v: unknown = Reflect.get(r, prop, r);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(r) : v;
    },
    has: (target, prop) => prop === 'headers' || Object.hasOwn(target, prop) || prop in real(),
  }) as unknown as Response;
  plainParts.set(proxy, parts);
  return proxy;
}

/** A real Response for one made by plainResponse (for code that needs `instanceof Response`: msw); others as they are. */
export function realResponse(response: Response): Response {
  const p = plainParts.get(response);
  return p ? new Response(p.body, { status: p.status, headers: p.headers }) : response;
}

/**
 * Streams the body. With `coalesce` (a JSON body: nobody reads it before its end) each chunk is
 * held until the next one arrives, so a one-chunk body leaves with its headers in one write, not
 * three (headers, chunk, end): most of the per-request cost of the mock over HTTP.
 */
async function pipeBody(response: Response, res: ServerResponse, coalesce: boolean): Promise<void> {
  const reader = response.body!.getReader();
  res.once('close', () => void reader.cancel().catch(() => {}));
  let held: Uint8Array | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) break;
      if (!coalesce) res.write(value);
      else {
        if (held) res.write(held);
        held = value;
      }
    }
  } catch {
    // the stream errored or was cancelled because the client went away
  } finally {
    if (!res.destroyed) {
      if (held) res.end(held);
      else res.end();
    }
  }
}

/** Starts a node:http server for the handler; `handler.close()` is called on close if it has one. */
export async function serveHttp(handler: FetchHandler & { close?: () => Promise<void> }, options: ServeOptions = {}): Promise<ServedHttp> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const ctrl = new AbortController();
      // The client went away before the answer was complete: abort the Request (cancellation).
      res.once('close', () => {
        if (!res.writableFinished) ctrl.abort();
      });
      void (async () => {
        let response: Response;
        try {
          response = await handler(nodeRequest(req, base, chunks.length ? Buffer.concat(chunks) : undefined, ctrl.signal));
        } catch (err) {
          response = new Response(`internal error: ${(err as Error).message}`, { status: 500 });
        }
        if (res.destroyed) {
          void response.body?.cancel().catch(() => {});
          return;
        }
        const plain = plainParts.get(response);
        if (plain) {
          // Status, headers and body in one write; nothing to stream.
          res.writeHead(plain.status, plain.headers);
          res.end(plain.body ?? undefined);
          return;
        }
        const headers: [string, string][] = [];
        response.headers.forEach((v, k) => headers.push([k, v]));
        if (response.statusText) res.writeHead(response.status, response.statusText, headers.flat());
        else res.writeHead(response.status, headers.flat());
        if (!response.body) {
          res.end();
          return;
        }
        // An event stream's headers go at once (the client waits for them before any event).
        const json = /^application\/json\b/i.test(response.headers.get('content-type') ?? '');
        if (!json) res.flushHeaders();
        await pipeBody(response, res, json);
      })();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: base,
    port,
    server,
    close: () => {
      closing ??= (async () => {
        await handler.close?.().catch(() => {});
        const closed = new Promise<void>((r) => server.close(() => r()));
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
        await closed;
      })();
      return closing;
    },
  };
}

/** Routes by path to several handlers (e.g. Streamable HTTP on /mcp and legacy SSE on /sse + /messages). */
export function routeHandlers(routes: Record<string, FetchHandler>, fallback?: FetchHandler): FetchHandler & { close: () => Promise<void> } {
  const handler = (request: Request) => {
    const path = new URL(request.url).pathname;
    const h = routes[path] ?? fallback;
    return h ? h(request) : Promise.resolve(new Response('not found', { status: 404 }));
  };
  return Object.assign(handler, {
    close: async () => {
      const all = new Set<FetchHandler & { close?: () => Promise<void> }>([...Object.values(routes), ...(fallback ? [fallback] : [])]);
      await Promise.all([...all].map((h) => h.close?.().catch(() => {})));
    },
  });
}
