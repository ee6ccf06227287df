import { afterEach, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  connectTarget,
  createSseHandler,
  createStreamableHttpHandler,
  describeTarget,
  Peer,
  serveHttp,
  SseClientTransport,
  StdioClientTransport,
  StdioServerTransport,
  StreamableHttpClientTransport,
  type ServedHttp,
  type StreamableHttpHandlerOptions,
  type StreamableHttpServerTransport,
  type TargetSpec,
  type Transport,
} from '../../mock-server/index.ts';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { groupGone } from '../helpers/processes.ts';
import { echoServer, initializedClient } from './transports-fixtures.ts';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function serveStreamable(opts: Partial<StreamableHttpHandlerOptions> = {}) {
  const servers: Peer[] = [];
  const handler = createStreamableHttpHandler({
    onSession: async (t) => {
      const p = echoServer(t);
      servers.push(p);
      await p.start();
    },
    ...opts,
  });
  const served = await serveHttp(handler);
  cleanup.push(() => served.close());
  return { handler, served, servers, url: `${served.url}/mcp` };
}

function httpClient(url: string, opts: Partial<ConstructorParameters<typeof StreamableHttpClientTransport>[0]> = {}) {
  const t = new StreamableHttpClientTransport({ url, requestTimeoutMs: 5_000, ...opts });
  cleanup.push(() => t.close());
  return { t };
}

/** Transport notes recorded in a peer's wire log (the Peer owns the transport's onnote). */
function notesOf(peer: Peer): string[] {
  return peer.wire.entries.flatMap((e) => (e.note && !e.msg && !e.raw && !e.note.startsWith('connection closed') ? [e.note] : []));
}

async function roundTrip(client: Peer): Promise<void> {
  expect(await client.request('ping')).toMatchObject({ ok: true, result: {} });
  const list = await client.request('tools/list');
  expect(list).toMatchObject({ ok: true, result: { tools: [{ name: 'echo' }] } });
  const call = await client.request('tools/call', { name: 'echo', arguments: { text: 'hi\nthere' } });
  expect(call).toMatchObject({ ok: true, result: { content: [{ type: 'text', text: 'hi\nthere' }] } });
  expect(client.violations).toEqual([]);
}

describe('stdio', () => {
  it('StdioServerTransport splits frames across chunks, writes raw frames as given, reports malformed lines', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const t = new StdioServerTransport({ input, output });
    const got: unknown[] = [];
    const bad: string[] = [];
    t.onmessage = (m) => got.push(m);
    t.onmalformed = (raw) => bad.push(raw);
    let closed = '';
    t.onclose = (r) => {
      closed = r;
    };
    await t.start();
    input.write('{"jsonrpc":"2.0",');
    input.write('"id":1,"method":"ping"}\r\n{"jsonrpc":"2.0","method":"x"}\n\nnot json\n{"a":');
    input.write('1}\n');
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual([{ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', method: 'x' }, { a: 1 }]);
    expect(bad).toEqual(['not json']);
    const out: string[] = [];
    output.on('data', (d: Buffer) => out.push(d.toString()));
    await t.send({ jsonrpc: '2.0', id: 1, result: {} });
    await t.send({ raw: '{"broken' });
    expect(out.join('')).toBe('{"jsonrpc":"2.0","id":1,"result":{}}\n{"broken');
    input.end();
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe('stdin closed');
  });

  it('serves a Peer over a child process stdio; stdout carries only JSON-RPC', async () => {
    const t = new StdioClientTransport({ command: process.execPath, args: ['bin/run.js', resolve('test/mock-server/transports-stdio-server.ts')] });
    const malformed: string[] = [];
    const client = await initializedClient(t);
    client.transport.onmalformed = (raw) => malformed.push(raw);
    cleanup.push(() => client.close());
    await roundTrip(client);
    const pid = t.pid!;
    await client.close();
    expect(await groupGone(pid)).toBe(true);
    expect(malformed).toEqual([]);
    expect(t.stderr).toContain('this goes to stderr, not stdout');
  }, 20_000);

  it('a server that never reads its stdin: a send fails after writeTimeoutMs instead of waiting forever', async () => {
    const t = new StdioClientTransport({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], writeTimeoutMs: 300 });
    await t.start();
    cleanup.push(() => t.close());
    // More than a pipe holds (64 KiB on Linux): the write can only finish once the child reads.
    await expect(t.send({ jsonrpc: '2.0', method: 'notifications/x', params: { pad: 'x'.repeat(512 * 1024) } })).rejects.toThrow(/did not read its stdin for 300 ms/);
  }, 20_000);

  it('a process that dies: its exit is reported with the whole of its stderr, the last line included', async () => {
    // The crash line reaches stderr only after the process has exited (late-stderr.cjs).
    // A long drain limit: the grandchild's start on a loaded machine must not decide the outcome.
    const t = new StdioClientTransport({ command: process.execPath, args: [resolve('test/fixtures/processes/late-stderr.cjs')], stderrDrainMs: 10_000 });
    const closed = new Promise<string>((res) => (t.onclose = (why) => res(`${why}: ${t.stderr}`)));
    await t.start();
    cleanup.push(() => t.close());
    expect(await closed).toBe('process exited (code 1): Error: the last words\n');
  }, 20_000);
});

describe('Streamable HTTP', () => {
  for (const responseMode of ['json', 'sse'] as const) {
    it(`round-trips over ${responseMode} responses, with session and protocol version headers`, async () => {
      const { url, handler } = await serveStreamable({ responseMode });
      const { t } = httpClient(url);
      const client = await initializedClient(t);
      await roundTrip(client);
      expect(t.sessionId).toBeDefined();
      expect(handler.sessions.has(t.sessionId!)).toBe(true);
      const posts = t.exchanges.filter((x) => x.method === 'POST');
      expect(posts[0]!.requestHeaders['mcp-session-id']).toBeUndefined();
      expect(posts[0]!.contentType).toContain(responseMode === 'json' ? 'application/json' : 'text/event-stream');
      expect(posts[1]!.status).toBe(202); // notifications/initialized
      for (const x of posts.slice(1)) {
        expect(x.requestHeaders['mcp-session-id']).toBe(t.sessionId);
        expect(x.requestHeaders['mcp-protocol-version']).toBe('2025-11-25');
      }
      // The server saw what the client sent.
      expect(handler.exchanges.filter((x) => x.method === 'POST').every((x) => x.requestHeaders.accept === 'application/json, text/event-stream')).toBe(true);
      expect(notesOf(client)).toEqual([]);
      const sid = t.sessionId!;
      await client.close();
      expect(t.exchanges.at(-1)).toMatchObject({ method: 'DELETE', status: 200 });
      expect(handler.sessions.has(sid)).toBe(false);
    });
  }

  it('SSE mode carries progress for the request on its own stream, with priming event ids', async () => {
    const { url } = await serveStreamable({ responseMode: 'sse' });
    const { t } = httpClient(url);
    const client = await initializedClient(t);
    const progress: unknown[] = [];
    const r = await client.request('tools/call', { name: 'echo', arguments: { text: 'x' } }, { onprogress: (p) => progress.push(p.progress) });
    expect(r.ok).toBe(true);
    expect(progress).toEqual([1]);
    const x = t.exchanges.filter((e) => e.method === 'POST').at(-1)!;
    expect(x.body).toMatch(/^id: p\d+\.0\nretry|^id: p\d+\.0\ndata: \n/m);
    expect(x.body).toContain('notifications/progress');
  });

  it('delivers server-initiated messages on the GET stream', async () => {
    const { url, servers } = await serveStreamable();
    const { t } = httpClient(url, { getStream: true });
    const client = await initializedClient(t);
    const got = client.waitFor((m) => m.method === 'notifications/tools/list_changed', 3_000);
    await expect.poll(() => t.getStreamOpen).toBe(true);
    await servers[0]!.notify('notifications/tools/list_changed');
    await got;
    // The server can also ask the client something outside any request.
    client.setRequestHandler('roots/list', () => ({ roots: [] }));
    expect(await servers[0]!.request('roots/list')).toMatchObject({ ok: true, result: { roots: [] } });
  });

  it('resumes a broken POST stream with Last-Event-ID on GET', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const handler = createStreamableHttpHandler({
      responseMode: 'sse',
      onSession: async (t) => {
        const p = echoServer(t);
        p.setRequestHandler('tools/call', async () => {
          await gate;
          return { content: [{ type: 'text', text: 'late' }] };
        });
        await p.start();
      },
    });
    const served = await serveHttp(handler);
    cleanup.push(() => served.close());
    const { t } = httpClient(`${served.url}/mcp`);
    const client = await initializedClient(t);
    // Send the request raw, read only the priming event, then drop the connection.
    const first = await t.rawRequest({ body: { jsonrpc: '2.0', id: 77, method: 'tools/call', params: { name: 'echo', arguments: {} } }, until: (evs) => evs.length >= 1 });
    const primingId = first.events![0]!.id!;
    expect(primingId).toMatch(/^p\d+\.0$/);
    release();
    await new Promise((r) => setTimeout(r, 100));
    const resumed = await t.rawRequest({ method: 'GET', headers: { 'last-event-id': primingId } });
    expect(resumed.status).toBe(200);
    expect(resumed.events!.map((e) => JSON.parse(e.data) as unknown)).toEqual([{ jsonrpc: '2.0', id: 77, result: { content: [{ type: 'text', text: 'late' }] } }]);
    await client.close();
  });

  it('our client resumes a POST stream the server cut, after the server-given retry delay', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const sessions: StreamableHttpServerTransport[] = [];
    const handler = createStreamableHttpHandler({
      responseMode: 'sse',
      retryMs: 50,
      onSession: async (t) => {
        sessions.push(t);
        const p = echoServer(t);
        p.setRequestHandler('tools/call', async () => {
          await gate;
          return { content: [{ type: 'text', text: 'after reconnect' }] };
        });
        await p.start();
      },
    });
    const served = await serveHttp(handler);
    cleanup.push(() => served.close());
    const { t } = httpClient(`${served.url}/mcp`);
    const client = await initializedClient(t);
    const pending = client.request('tools/call', { name: 'echo', arguments: {} });
    await expect.poll(() => sessions[0]!.disconnectStreams()).toBe(1);
    release();
    expect(await pending).toMatchObject({ ok: true, result: { content: [{ text: 'after reconnect' }] } });
    const resume = t.exchanges.find((x) => x.method === 'GET');
    expect(resume?.requestHeaders['last-event-id']).toMatch(/^p\d+\.0$/);
    expect(notesOf(client).some((n) => n.includes('ended before the response'))).toBe(true);
  });

  it('enforces the session lifecycle: 400 without a session id, 404 after DELETE and for unknown sessions', async () => {
    const { url } = await serveStreamable();
    const { t } = httpClient(url);
    const client = await initializedClient(t);
    const noSession = await t.rawRequest({ body: { jsonrpc: '2.0', id: 9, method: 'ping' }, headers: { 'mcp-session-id': null } });
    expect(noSession.status).toBe(400);
    const unknown = await t.rawRequest({ body: { jsonrpc: '2.0', id: 9, method: 'ping' }, headers: { 'mcp-session-id': 'no-such-session' } });
    expect(unknown.status).toBe(404);
    const del = await t.deleteSession();
    expect(del?.status).toBe(200);
    const after = await t.rawRequest({ body: { jsonrpc: '2.0', id: 10, method: 'ping' }, headers: { 'mcp-session-id': t.exchanges[0]!.responseHeaders['mcp-session-id']! } });
    expect(after.status).toBe(404);
    // The Peer request fails fast with the HTTP status, and the note says why.
    t.sessionId = t.exchanges[0]!.responseHeaders['mcp-session-id'];
    await expect(client.request('ping')).rejects.toThrow(/HTTP 404/);
  });

  it('refuses a foreign Origin (403), a bad MCP-Protocol-Version (400), a poor Accept (406), GET when disabled (405)', async () => {
    const { url } = await serveStreamable({ getStream: false });
    const { t } = httpClient(url);
    await initializedClient(t);
    const ping = { jsonrpc: '2.0', id: 5, method: 'ping' };
    expect((await t.rawRequest({ body: ping, headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await t.rawRequest({ body: ping, headers: { origin: 'http://localhost:6274' } })).status).toBe(200);
    expect((await t.rawRequest({ body: ping, headers: { 'mcp-protocol-version': '1999-01-01' } })).status).toBe(400);
    expect((await t.rawRequest({ body: ping, headers: { accept: 'application/json' } })).status).toBe(406);
    expect((await t.rawRequest({ body: ping, headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await t.rawRequest({ method: 'GET' })).status).toBe(405);
    expect((await t.rawRequest({ method: 'PUT' })).status).toBe(405);
    const bad = await t.rawRequest({ body: '{not json' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: -32700 } });
  });

  it('answers notifications and responses with 202, and batches with an array', async () => {
    const { url } = await serveStreamable();
    const { t } = httpClient(url);
    await initializedClient(t, '2025-03-26');
    expect((await t.rawRequest({ body: { jsonrpc: '2.0', method: 'notifications/roots/list_changed' } })).status).toBe(202);
    const batch = await t.rawRequest({ body: [{ jsonrpc: '2.0', id: 'a', method: 'ping' }, { jsonrpc: '2.0', id: 'b', method: 'ping' }] });
    expect(batch.json).toEqual([
      { jsonrpc: '2.0', id: 'a', result: {} },
      { jsonrpc: '2.0', id: 'b', result: {} },
    ]);
  });

  it('adopts the negotiated version for MCP-Protocol-Version unless told otherwise', async () => {
    const { url } = await serveStreamable();
    const { t } = httpClient(url);
    const client = new Peer(t, { role: 'client', revision: '2025-06-18' });
    const init = await client.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } });
    expect(init.ok).toBe(true);
    expect(t.exchanges[0]!.requestHeaders['mcp-protocol-version']).toBeUndefined();
    await client.notify('notifications/initialized');
    expect(t.exchanges.at(-1)!.requestHeaders['mcp-protocol-version']).toBe('2025-06-18');
    t.setProtocolVersion('2025-03-26');
    await client.request('ping');
    expect(t.exchanges.at(-1)!.requestHeaders['mcp-protocol-version']).toBe('2025-03-26');
  });

  it('stateless mode: no session id, GET and DELETE 405, every request served', async () => {
    const { url, handler } = await serveStreamable({ stateless: true });
    const { t } = httpClient(url, { getStream: true });
    const client = await initializedClient(t);
    await roundTrip(client);
    expect(t.sessionId).toBeUndefined();
    expect(handler.sessions.size).toBe(0);
    expect(t.exchanges.find((x) => x.method === 'GET')?.status).toBe(405);
    expect(notesOf(client)).toEqual(['GET: 405 Method Not Allowed (the server offers no GET stream)']);
  });

  it('carries a raw frame sent while handling a request as that request\'s JSON answer', async () => {
    const { url, servers } = await serveStreamable();
    const { t } = httpClient(url);
    const client = await initializedClient(t);
    servers[0]!.setRequestHandler('ping', async (_p, ctx) => {
      await ctx.peer.send({ raw: '{"jsonrpc":"2.0","id":' });
      return new Promise(() => {});
    });
    await expect(client.request('ping', undefined, { timeoutMs: 300 })).rejects.toThrow(/no answer/);
    expect(client.wire.entries.some((e) => e.dir === 'recv' && e.raw === '{"jsonrpc":"2.0","id":')).toBe(true);
  });

  it('expires idle sessions', async () => {
    const { url, handler } = await serveStreamable({ sessionIdleMs: 100 });
    const { t } = httpClient(url);
    const client = await initializedClient(t);
    const sid = t.sessionId!;
    await new Promise((r) => setTimeout(r, 250));
    expect(handler.sessions.has(sid)).toBe(false);
    await expect(client.request('ping')).rejects.toThrow(/404/);
  });

  it('lets an httpFault hook answer first: error statuses, expired sessions, streams held open', async () => {
    let fault: 'none' | '503' | 'expire' | 'hold' = 'none';
    const { url } = await serveStreamable({
      responseMode: 'sse',
      httpFault: (_req, ctx) => {
        if (fault === '503') return new Response('busy', { status: 503 });
        if (fault === 'expire') ctx.expireSession();
        if (fault === 'hold' && (ctx.message as { method?: string } | undefined)?.method === 'ping') return ctx.holdOpen();
        return undefined;
      },
    });
    const { t } = httpClient(url);
    const client = await initializedClient(t);
    fault = '503';
    await expect(client.request('ping')).rejects.toThrow(/HTTP 503/);
    fault = 'hold';
    await expect(client.request('ping', undefined, { timeoutMs: 300 })).rejects.toThrow(/no answer within 300 ms/);
    fault = 'expire';
    await expect(client.request('ping')).rejects.toThrow(/HTTP 404/);
    expect(notesOf(client).some((n) => n.includes('not found (the session has ended)'))).toBe(true);
  });

  it('speaks 2026-07-28: no session, Mcp-Method/Mcp-Name headers checked, cancellation by closing the stream', async () => {
    const cancelled: unknown[] = [];
    const handler = createStreamableHttpHandler({
      responseMode: 'sse',
      onSession: async (t, info) => {
        expect(info.stateless).toBe(true);
        const p = echoServer(t);
        p.revision = '2026-07-28';
        p.setRequestHandler('tools/call', (params, ctx) => {
          if ((params?.arguments as { text?: string }).text !== 'slow') return { content: [{ type: 'text', text: 'ok' }] };
          return new Promise((r) => ctx.signal.addEventListener('abort', () => r({ content: [] })));
        });
        p.setNotificationHandler('notifications/cancelled', (params) => void cancelled.push(params?.requestId));
        await p.start();
      },
    });
    const served = await serveHttp(handler);
    cleanup.push(() => served.close());
    const { t } = httpClient(`${served.url}/mcp`, { protocolVersion: '2026-07-28' });
    const client = new Peer(t, { role: 'client', revision: '2026-07-28', validate: false });
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
    const r = await client.request('tools/call', { name: 'ünïcode', arguments: { text: 'a' }, _meta: meta });
    expect(r).toMatchObject({ ok: true, result: { content: [{ text: 'ok' }] } });
    const post = t.exchanges.at(-1)!;
    expect(post.requestHeaders).toMatchObject({ 'mcp-method': 'tools/call', 'mcp-name': `=?base64?${Buffer.from('ünïcode').toString('base64')}?=`, 'mcp-protocol-version': '2026-07-28' });
    expect(post.responseHeaders['mcp-session-id']).toBeUndefined();

    const mismatch = await t.rawRequest({ body: { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: {}, _meta: meta } }, headers: { 'mcp-name': 'other' } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json).toMatchObject({ id: 3, error: { code: -32020 } });
    const unknownMethod = await t.rawRequest({ body: { jsonrpc: '2.0', id: 4, method: 'nope/nope', params: { _meta: meta } } });
    expect(unknownMethod.status).toBe(404);
    expect(unknownMethod.json).toMatchObject({ error: { code: -32601 } });
    const badVersion = await t.rawRequest({ body: { jsonrpc: '2.0', id: 5, method: 'ping', params: { _meta: { ...meta, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } } }, headers: { 'mcp-protocol-version': '2099-01-01' } });
    expect(badVersion.json).toMatchObject({ error: { code: -32022, data: { requested: '2099-01-01' } } });
    expect((await t.rawRequest({ method: 'GET' })).status).toBe(405);
    expect((await t.rawRequest({ method: 'DELETE' })).status).toBe(405);

    // Cancellation: the Peer's cancel notification becomes closing the response stream.
    const slow = client.request('tools/call', { name: 'echo', arguments: { text: 'slow' }, _meta: meta }, { id: 'slow-1', timeoutMs: 300, cancelOnTimeout: true });
    await expect(slow).rejects.toThrow(/no answer/);
    await expect.poll(() => cancelled).toEqual(['slow-1']);
    expect(t.exchanges.filter((x) => x.requestBody?.includes('notifications/cancelled'))).toEqual([]);
    await client.close();
  });
});

describe('fetch-style handler inside msw', () => {
  it('serves the same handler core through msw, in both response modes', async () => {
    const url = 'http://127.0.0.1:9/mcp'; // intercepted: nothing listens there
    for (const responseMode of ['json', 'sse'] as const) {
      const handler = createStreamableHttpHandler({ responseMode, onSession: async (t) => void (await echoServer(t).start()) });
      const mock = setupServer(http.all(url, ({ request }) => handler(request)));
      mock.listen({ onUnhandledRequest: 'error' });
      cleanup.push(async () => {
        await handler.close();
        mock.close();
      });
      const { t } = httpClient(url);
      const client = await initializedClient(t);
      await roundTrip(client);
      expect(handler.sessions.size).toBe(1);
      await client.close();
      expect(handler.sessions.size).toBe(0);
      await handler.close();
      mock.close();
    }
  });
});

describe('legacy HTTP+SSE', () => {
  it('round-trips: endpoint event, POST 202, replies on the stream; closing the stream ends the session', async () => {
    const closed: string[] = [];
    const handler = createSseHandler({
      onSession: async (t) => {
        const p = echoServer(t);
        p.onclose = (r) => closed.push(r);
        await p.start();
      },
    });
    const served: ServedHttp = await serveHttp(handler);
    cleanup.push(() => served.close());
    const t = new SseClientTransport({ url: `${served.url}/sse` });
    cleanup.push(() => t.close());
    const client = await initializedClient(t, '2024-11-05');
    await roundTrip(client);
    expect(t.endpoint!.pathname).toBe('/messages');
    expect(t.exchanges.filter((x) => x.method === 'POST').every((x) => x.status === 202)).toBe(true);
    expect(notesOf(client)).toEqual([]);
    // Unknown session on the message endpoint.
    expect((await t.rawRequest({ url: '/messages?sessionId=nope', body: { jsonrpc: '2.0', id: 1, method: 'ping' } })).status).toBe(404);
    expect((await t.rawRequest({ url: '/sse', method: 'GET', headers: { origin: 'https://evil.example' } })).status).toBe(403);
    await client.close();
    await expect.poll(() => closed).toEqual(['the client closed the SSE stream']);
    expect(handler.sessions.size).toBe(0);
  });
});

describe('connectTarget', () => {
  it('builds the transport for each kind and describes it', () => {
    const stdio: TargetSpec = { kind: 'stdio', command: 'node', args: ['server.js', 'a b'] };
    expect(connectTarget(stdio)).toBeInstanceOf(StdioClientTransport);
    expect(describeTarget(stdio)).toBe("stdio: node server.js 'a b'");
    const http: TargetSpec = { kind: 'http', url: 'http://127.0.0.1:1/mcp', headers: { authorization: 'Bearer x' } };
    const t: Transport = connectTarget(http);
    expect(t).toBeInstanceOf(StreamableHttpClientTransport);
    expect((t as StreamableHttpClientTransport).baseHeaders()).toMatchObject({ authorization: 'Bearer x' });
    expect(describeTarget(http)).toBe('Streamable HTTP http://127.0.0.1:1/mcp');
    expect(connectTarget({ kind: 'sse', url: 'http://127.0.0.1:1/sse' })).toBeInstanceOf(SseClientTransport);
  });
});
