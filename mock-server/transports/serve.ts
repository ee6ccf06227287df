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

function toRequest(req: IncomingMessage, base: string, body: Buffer | undefined, signal: AbortSignal): Request {
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
  const init: RequestInit = { method: req.method ?? 'GET', headers, signal };
  if (body && body.length > 0 && init.method !== 'GET' && init.method !== 'HEAD') init.body = new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length);
  return new Request(new URL(req.url ?? '/', base), init);
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
          response = await handler(toRequest(req, base, chunks.length ? Buffer.concat(chunks) : undefined, ctrl.signal));
        } catch (err) {
          response = new Response(`internal error: ${(err as Error).message}`, { status: 500 });
        }
        if (res.destroyed) {
          void response.body?.cancel().catch(() => {});
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
